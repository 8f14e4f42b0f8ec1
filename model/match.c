/* match — the scoring model; see match.h. */
#include "match.h"

#include <math.h>
#include <string.h>

const char *const match_factor_name[MATCH_NFACTORS] = {
	"major", "skills", "region", "level", "capacity", "chain",
};

double match_why_at(const struct match_why *w, enum match_factor i)
{
	switch (i) {
	case MATCH_MAJOR: return w->major;
	case MATCH_SKILLS: return w->skills;
	case MATCH_REGION: return w->region;
	case MATCH_LEVEL: return w->level;
	case MATCH_CAPACITY: return w->capacity;
	default: return w->chain;
	}
}

double *match_weight_at(struct match_weights *w, enum match_factor i)
{
	switch (i) {
	case MATCH_MAJOR: return &w->major;
	case MATCH_SKILLS: return &w->skills;
	case MATCH_REGION: return &w->region;
	case MATCH_LEVEL: return &w->level;
	case MATCH_CAPACITY: return &w->capacity;
	default: return &w->chain;
	}
}

int match_field_group(const char *code)
{
	int g = (code[0] - '0') * 10 + (code[1] - '0');
	if (g >= 61 && g <= 79)
		return g - 20;
	if (g >= 21 && g <= 39)
		return g + 20;
	return g;
}

/* field(x)[:4] as text: the moved group, then the class digits if any. */
static size_t field4(struct match_str s, char out[4])
{
	int g = match_field_group(s.p);
	out[0] = (char)('0' + g / 10);
	out[1] = (char)('0' + g % 10);
	if (s.n >= 4) {
		out[2] = s.p[2];
		out[3] = s.p[3];
		return 4;
	}
	return 2;
}

double match_major_one(struct match_str code, struct match_str prefix)
{
	char fc[4], fp[4];
	size_t nc, np;

	if (prefix.n <= code.n && memcmp(code.p, prefix.p, prefix.n) == 0)
		return 1.0;
	nc = field4(code, fc);
	np = field4(prefix, fp);
	if (np <= nc && memcmp(fc, fp, np) == 0)
		return 0.6;
	if (fc[0] == fp[0] && fc[1] == fp[1])
		return 0.3;
	return 0.0;
}

double match_major(struct match_str code, const struct match_str *prefixes,
    size_t n)
{
	double best = n ? 0.0 : MATCH_ANY_MAJOR;
	for (size_t i = 0; i < n && best < 1.0; i++) {
		double f = match_major_one(code, prefixes[i]);
		if (f > best)
			best = f;
	}
	return best;
}

static int has(const match_tag *v, size_t n, match_tag x)
{
	for (size_t i = 0; x && i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static double region_factor(struct match_str a, struct match_str b)
{
	if (a.n == 0 || b.n == 0)
		return 1.0;
	if (a.n >= 6 && b.n >= 6 && memcmp(a.p, b.p, 6) == 0)
		return 1.0;
	if (a.n >= 4 && b.n >= 4 && memcmp(a.p, b.p, 4) == 0)
		return 0.8;
	if (memcmp(a.p, b.p, 2) == 0)
		return 0.5;
	return 0.2;
}

/* The factors that need neither skills nor chains (region: if known, >= 0). */
static void plain_factors(const struct match_post *p, const struct match_spec *s,
    struct match_why *why, double region)
{
	why->region = region >= 0 ? region : region_factor(s->region, p->region);
	if (p->level < 0 || s->level == p->level)
		why->level = 1.0;
	else
		why->level = s->level > p->level ? 0.7 : 0.0;
	if (p->headcount <= 0)
		why->capacity = 1.0;
	else
		why->capacity = s->available >= p->headcount ? 1.0 :
		    (double)(s->available > 0 ? s->available : 0) / (double)p->headcount;
}

uint64_t match_tag_bit(match_tag tag)
{
	return (uint64_t)1 << (tag & 63);   /* ids count up: spread evenly */
}

double match_bound(const struct match_weights *w, const struct match_post *p,
    const struct match_bits *pb, const struct match_spec *s,
    const struct match_bits *sb, double major, double region)
{
	struct match_why why;
	size_t maybe = 0;

	plain_factors(p, s, &why, region);
	for (size_t i = 0; i < p->nskills; i++)
		maybe += (pb->skill[i] & sb->skills) != 0;
	return w->major * major + w->region * why.region + w->level * why.level +
	    w->capacity * why.capacity +
	    w->skills * (p->nskills ? (double)maybe / (double)p->nskills : 1.0) +
	    ((pb->chains & sb->chains) ? w->chain : 0.0);
}

double match_score(const struct match_weights *w, const struct match_post *p,
    const struct match_spec *s, struct match_why *why)
{
	return match_score_major(w, p, s, match_major(s->code, p->prefixes,
	    p->nprefixes), why);
}

double match_score_major(const struct match_weights *w,
    const struct match_post *p, const struct match_spec *s, double major,
    struct match_why *why)
{
	size_t hit = 0;

	why->major = major;
	if (why->major == 0.0)
		return -1;
	for (size_t i = 0; i < p->nskills; i++)
		hit += has(s->skills, s->nskills, p->skills[i]);
	why->skills = p->nskills ? (double)hit / (double)p->nskills : 1.0;
	plain_factors(p, s, why, -1.0);
	why->chain = 0.0;
	for (size_t i = 0; i < p->nchains && why->chain == 0.0; i++)
		if (has(s->chains, s->nchains, p->chains[i]))
			why->chain = 1.0;
	double sc = w->major * why->major + w->skills * why->skills +
	    w->region * why->region + w->level * why->level +
	    w->capacity * why->capacity + w->chain * why->chain;
	return round(sc * 1e9) / 1e9;
}

int match_grad_year(int year, int month)
{
	return month <= 8 ? year : year + 1;
}

int match_direction_of(struct match_str code, const struct match_dir *dirs,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < dirs[i].nprefixes; j++) {
			struct match_str p = dirs[i].prefixes[j];
			if (p.n <= code.n && !memcmp(code.p, p.p, p.n))
				return (int)i;
		}
	return -1;
}
