/* json — JSON output of MessagePack values, object accessors; see cli.h. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_double(char *buf, size_t cap, double d)
{
	if (!isfinite(d)) {
		snprintf(buf, cap, "null");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_print(FILE *f, const msgpack_object *o)
{
	char num[32];

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		fputs("null", f);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		fputs(o->via.boolean ? "true" : "false", f);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(f, "%llu", (unsigned long long)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(f, "%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		json_double(num, sizeof num, o->via.f64);
		/* keep a float a float: 88.0 stays 88.0, not 88 */
		if (strcmp(num, "null") && !strpbrk(num, ".eE"))
			strcat(num, ".0");
		fputs(num, f);
		break;
	case MSGPACK_OBJECT_STR:
		json_str(f, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				fputs(", ", f);
			json_print(f, &o->via.array.ptr[i]);
		}
		fputc(']', f);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			if (i)
				fputs(", ", f);
			json_print(f, &o->via.map.ptr[i].key);
			fputs(": ", f);
			json_print(f, &o->via.map.ptr[i].val);
		}
		fputc('}', f);
		break;
	default:
		fputs("\"(binary)\"", f);
	}
}

const char *obj_str(const msgpack_object *o, char *buf, size_t cap)
{
	if (!o || o->type != MSGPACK_OBJECT_STR) {
		buf[0] = 0;
		return buf;
	}
	schema_strcpy(buf, cap, o);
	return buf;
}

double obj_num(const msgpack_object *o)
{
	if (!o)
		return NAN;
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)o->via.u64;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return (double)o->via.i64;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return o->via.f64;
	default: return NAN;
	}
}

const msgpack_object *obj_get(const msgpack_object *m, const char *key)
{
	return m ? schema_opt(m, key) : NULL;
}

const msgpack_object *obj_arr(const msgpack_object *o, uint32_t *n)
{
	if (!o || o->type != MSGPACK_OBJECT_ARRAY) {
		*n = 0;
		return NULL;
	}
	*n = o->via.array.size;
	return o->via.array.ptr;
}
