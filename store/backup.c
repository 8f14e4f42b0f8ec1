/* backup — admin.backup's copy, confined to the backup folder; see store.h. */
#define _GNU_SOURCE                  /* renameat2 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"

#define PARTS_MAX 64

/* mkdir -p, 0750. */
static int mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof p)
		return ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (char *q = p + 1; ; q++) {
		if (*q == '/' || *q == 0) {
			char c = *q;
			*q = 0;
			if (mkdir(p, 0750) < 0 && errno != EEXIST)
				return errno;
			*q = c;
			if (!c)
				return 0;
		}
	}
}

/*
 * Split path into its components, dropping empty ones and ".": 0, or
 * -1 on "..", too many or too long.
 */
static int split(char *path, char **part, size_t *n)
{
	char *save = NULL;

	*n = 0;
	for (char *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..") || *n == PARTS_MAX)
			return -1;
		part[(*n)++] = c;
	}
	return 0;
}

/*
 * name relative to the folder whose absolute spellings are a and b:
 * NULL when name is absolute and under neither.  Compared component by
 * component, so "/b//x" is under "/b" and "/bx" is not.
 */
static const char *inside(const char *name, const char *a, const char *b)
{
	const char *dirs[2] = { a, b };

	if (name[0] != '/')
		return name;
	for (int i = 0; i < 2; i++) {
		const char *d = dirs[i], *p = name;
		if (d[0] != '/')
			continue;
		for (;;) {
			while (*d == '/')
				d++;
			while (*p == '/')
				p++;
			if (!*d)
				break;
			size_t dl = strcspn(d, "/"), pl = strcspn(p, "/");
			if (dl == 1 && d[0] == '.') {
				d += 1;
				continue;
			}
			if (pl == 1 && p[0] == '.') {
				p += 1;
				continue;
			}
			if (dl != pl || memcmp(d, p, dl))
				break;
			d += dl;
			p += pl;
		}
		if (!*d && *p)
			return p;
	}
	return NULL;
}

/*
 * Open dir/rel (a folder) beneath the folder rootfd, following a symlink
 * only while it stays beneath: EXDEV when it leads out.  Kernels before
 * 5.6 lack openat2 (and a seccomp filter may refuse it): there no
 * symlink is followed at all (ELOOP).
 */
static int open_beneath(int rootfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);

	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))   /* EPERM: seccomp */
		return (int)fd;
	char buf[PATH_MAX], *part[PARTS_MAX];
	size_t n;
	int cur = dup(rootfd);
	snprintf(buf, sizeof buf, "%s", rel);
	if (split(buf, part, &n) < 0) {
		close(cur);
		errno = EXDEV;
		return -1;
	}
	for (size_t i = 0; i < n && cur >= 0; i++) {
		int next = openat(cur, part[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(cur);
		cur = next;
	}
	return cur;
}

/* The error reply for a failed system call on the path. */
static int path_fail(struct proto_err *e, int err, const char *what)
{
	if (err == EXDEV || err == ELOOP)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path: %s leads out of backup_dir through a symlink", what);
	if (err == ENOTDIR)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path: %s is not a folder", what);
	if (err == ENAMETOOLONG)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path: %s is too long", what);
	return proto_fail(e, PROTO_INTERNAL, NULL, "backup: %s: %s", what,
	    strerror(err));
}

/* The file steps that tests make fail (fault.h): 0 or an errno. */
static int step(int rc)
{
	int f = fault_hit(FAULT_FILE);
	return f ? f : rc;
}

int store_backup(struct store *s, const char *dir, const char *name,
    char *path, size_t pathcap, unsigned long long *bytes,
    struct proto_err *e)
{
	char root[PATH_MAX], buf[PATH_MAX], rel[PATH_MAX], tmp[NAME_MAX + 1];
	char *part[PARTS_MAX];
	const char *r, *last = NULL;
	size_t n, len = 0;
	int rootfd = -1, dirfd = -1, fd = -1, rc, ret = -1, placed = 0;
	struct stat st;
	static unsigned long long seq;

	if ((rc = mkdirs(dir)))
		return proto_fail(e, PROTO_INTERNAL, NULL,
		    "backup_dir %s cannot be made: %s", dir, strerror(rc));
	if (!realpath(dir, root))
		return proto_fail(e, PROTO_INTERNAL, NULL, "backup_dir %s: %s", dir,
		    strerror(errno));
	if (!(r = inside(name, dir, root)))
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path must lie inside backup_dir (%s)", root);
	if (strlen(r) >= sizeof buf)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path", "path is too long");
	strcpy(buf, r);
	if (split(buf, part, &n) < 0)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path may not hold \"..\" (nor over %d folders)", PARTS_MAX);
	if (n == 0)
		return proto_fail(e, PROTO_INVALID_PARAMS, "path",
		    "path names no file inside backup_dir");
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		path_fail(e, errno, "backup_dir");
		goto out;
	}
	/* The folders, made as needed, each opened beneath the root. */
	rel[0] = '.';
	rel[1] = 0;
	len = 1;
	dirfd = dup(rootfd);
	for (size_t i = 0; i + 1 < n; i++) {
		if (len + 1 + strlen(part[i]) >= sizeof rel) {
			path_fail(e, ENAMETOOLONG, "path");
			goto out;
		}
		if (mkdirat(dirfd, part[i], 0750) < 0 && errno != EEXIST) {
			path_fail(e, errno, part[i]);
			goto out;
		}
		len += (size_t)sprintf(rel + len, "/%s", part[i]);
		close(dirfd);
		if ((dirfd = open_beneath(rootfd, rel)) < 0) {
			path_fail(e, errno, part[i]);
			goto out;
		}
	}
	last = part[n - 1];
	if (fstatat(dirfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		proto_fail(e, PROTO_CONFLICT, "path", "%s exists", name);
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, ".%s.%d-%llu.tmp", last, (int)getpid(),
	    __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED)) >= sizeof tmp) {
		path_fail(e, ENAMETOOLONG, last);
		goto out;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0640);
	if (fd < 0) {
		path_fail(e, errno, last);
		goto out;
	}
	if ((rc = step(mdb_env_copyfd2(store_env(s), fd, MDB_CP_COMPACT))) ||
	    (rc = step(fsync(fd) < 0 ? errno : 0)) ||
	    (rc = fstat(fd, &st) < 0 ? errno : 0)) {
		proto_fail(e, PROTO_INTERNAL, NULL, "backup: %s", mdb_strerror(rc));
		goto out;
	}
	/* Into place without replacing anything: a file made meanwhile
	 * under the name is 1009 too. */
	rc = renameat2(dirfd, tmp, dirfd, last, RENAME_NOREPLACE) < 0 ? errno : 0;
	if (rc == EINVAL || rc == ENOSYS) {     /* a file system without it */
		rc = linkat(dirfd, tmp, dirfd, last, 0) < 0 ? errno : 0;
		if (!rc)
			unlinkat(dirfd, tmp, 0);
	}
	if (!rc) {
		placed = 1;
		close(fd);                      /* the temporary name is gone */
		fd = -1;
	}
	rc = step(rc);
	if (rc == EEXIST) {
		placed = 0;
		proto_fail(e, PROTO_CONFLICT, "path", "%s exists", name);
		goto out;
	}
	if (rc || (rc = step(fsync(dirfd) < 0 ? errno : 0))) {
		proto_fail(e, PROTO_INTERNAL, NULL, "backup: %s", strerror(rc));
		goto out;
	}
	placed = 0;
	*bytes = (unsigned long long)st.st_size;
	len = (size_t)snprintf(path, pathcap, "%s", strcmp(root, "/") ? root : "");
	for (size_t i = 0; i < n && len < pathcap; i++)
		len += (size_t)snprintf(path + len, pathcap - len, "/%s", part[i]);
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
	}
	if (placed)                        /* an error after the rename */
		unlinkat(dirfd, last, 0);
	if (dirfd >= 0)
		close(dirfd);
	if (rootfd >= 0)
		close(rootfd);
	return ret;
}
