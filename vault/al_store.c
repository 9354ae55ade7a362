/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The content-addressed store (docs/store.md).  Every path is opened
 * relative to the store's folder descriptor and never follows a symlink;
 * a blob appears under its name only once it is complete, read-only and
 * synced, so a crash leaves either nothing, an unnamed file the kernel
 * drops, or a named leftover in tmp/ that al_store_walk reports.
 */
#include "al_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "al_text.h"

#define STORE_NAME "store"
#define TMP_NAME   "tmp"
#define BLOB_BUF   (64 * 1024)
/* "blob-" and 16 hex digits */
#define TMP_NAME_LEN 22

struct al_store {
	int fd;     /* the store folder */
	int tmp_fd; /* its tmp/ */
};

struct al_blob {
	struct al_store *s;
	int fd;
	/* a named temp file in tmp/ (no O_TMPFILE); "" once it is gone */
	char name[TMP_NAME_LEN + 1];
	struct al_sha256 *h;
	uint64_t size;
	unsigned char *buf;
	size_t used;
	int failed; /* an earlier write failed: never publish */
};

/* The errno values an operator acts on, named in messages. */
static const char *errno_tag(int e)
{
	switch (e) {
	case ENOSPC:
		return " (ENOSPC)";
	case EIO:
		return " (EIO)";
	case EROFS:
		return " (EROFS)";
	case EDQUOT:
		return " (EDQUOT)";
	case EFBIG:
		return " (EFBIG)";
	default:
		return "";
	}
}

/* AL_EIO "store: WHAT: strerror (ENAME)". */
static int io_error(struct al_error *err, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int io_error(struct al_error *err, int e, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return al_error_set(err, AL_EIO, "store: %s: %s%s", what, strerror(e),
			    errno_tag(e));
}

/* 64 lowercase hex digits. */
static bool blob_name_ok(const char *hex)
{
	size_t i;

	for (i = 0; hex[i] && i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		      (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return i == 64 && hex[64] == '\0';
}

static int check_blob_name(const char *hex, struct al_error *err)
{
	char vis[80];

	if (hex && blob_name_ok(hex))
		return 0;
	return al_error_set(
		err, AL_EINVAL,
		"store: '%s' is not a blob name (64 lowercase hex "
		"digits)",
		hex ? al_text_visible(hex, strlen(hex), vis, sizeof(vis)) : "");
}

/*
 * What we opened at path is ours: the right type, owned by our effective
 * user, no group or other permission bits.  AL_EINTEGRITY naming path.
 */
static int check_owned(int fd, const char *path, bool dir, struct al_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return io_error(err, errno, "'%s'", path);
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return al_error_set(err, AL_EINTEGRITY,
				    "store: '%s' is not a %s", path,
				    dir ? "folder" : "regular file");
	if (st.st_uid != geteuid())
		return al_error_set(err, AL_EINTEGRITY,
				    "store: '%s' is owned by uid %u, not by "
				    "uid %u (us)",
				    path, (unsigned)st.st_uid,
				    (unsigned)geteuid());
	if (st.st_mode & 077)
		return al_error_set(err, AL_EINTEGRITY,
				    "store: '%s' has mode %04o: group or other "
				    "permission bits are not allowed",
				    path, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* After an open refused with ELOOP, ENOTDIR or ENXIO: say what is there. */
static int not_what(int parent, const char *name, const char *path, bool dir,
		    struct al_error *err)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return al_error_set(err, AL_EINTEGRITY,
				    "store: '%s' is a symbolic link", path);
	return al_error_set(err, AL_EINTEGRITY, "store: '%s' is not a %s", path,
			    dir ? "folder" : "regular file");
}

/*
 * Open the folder parent/name (path in messages) without following a
 * symlink, creating it 0700 first when create; checked by check_owned.
 * *created tells whether it was made now.  AL_ENOTFOUND "store: 'PATH' is
 * missing", AL_EINTEGRITY, AL_EIO.
 */
static int open_dir(int parent, const char *name, const char *path, bool create,
		    int *out, bool *created, struct al_error *err)
{
	int fd, rc;

	*out = -1;
	*created = false;
	if (create) {
		if (mkdirat(parent, name, 0700) == 0)
			*created = true;
		else if (errno != EEXIST)
			return io_error(err, errno, "cannot create '%s'", path);
	}
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return al_error_set(err, AL_ENOTFOUND,
					    "store: '%s' is missing", path);
		if (e == ELOOP || e == ENOTDIR)
			return not_what(parent, name, path, true, err);
		return io_error(err, e, "'%s'", path);
	}
	/* exactly 0700, whatever the umask */
	if (*created && fchmod(fd, 0700) < 0) {
		rc = io_error(err, errno, "'%s'", path);
		close(fd);
		return rc;
	}
	if ((rc = check_owned(fd, path, true, err)) < 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

static int sync_dir(int fd, const char *path, struct al_error *err)
{
	if (fsync(fd) < 0)
		return io_error(err, errno, "fsync of '%s'", path);
	return 0;
}

int al_store_open(int vault_fd, bool create, struct al_store **out,
		  struct al_error *err)
{
	struct al_store *s;
	bool made_store, made_tmp;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	s->fd = s->tmp_fd = -1;
	rc = open_dir(vault_fd, STORE_NAME, STORE_NAME, create, &s->fd,
		      &made_store, err);
	if (rc < 0)
		goto fail;
	rc = open_dir(s->fd, TMP_NAME, STORE_NAME "/" TMP_NAME, create,
		      &s->tmp_fd, &made_tmp, err);
	if (rc < 0)
		goto fail;
	/* new folders last a crash only once their parents are synced */
	if (made_tmp && (rc = sync_dir(s->fd, STORE_NAME, err)) < 0)
		goto fail;
	if (made_store &&
	    (rc = sync_dir(vault_fd, "the vault folder", err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	al_store_close(s);
	return rc;
}

void al_store_close(struct al_store *s)
{
	if (!s)
		return;
	if (s->tmp_fd >= 0)
		close(s->tmp_fd);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* The sub-folder of blob hex ("ab"), checked; path gets "store/ab". */
static int open_sub(struct al_store *s, const char *hex, bool create, int *fd,
		    char path[16], struct al_error *err)
{
	char name[3] = {hex[0], hex[1], '\0'};
	bool created;
	int rc;

	snprintf(path, 16, STORE_NAME "/%s", name);
	rc = open_dir(s->fd, name, path, create, fd, &created, err);
	if (rc == AL_ENOTFOUND)
		return al_error_set(err, AL_ENOTFOUND,
				    "store: blob %s is missing", hex);
	return rc;
}

/*
 * Open blob hex in its sub-folder for reading: no symlink, no blocking on
 * a FIFO (O_NONBLOCK until it is known to be a regular file), ours and
 * without group or other bits.
 */
static int open_in(int subfd, const char *hex, const char *subpath, int *out,
		   struct al_error *err)
{
	char path[96];
	int fd, rc, fl;

	*out = -1;
	snprintf(path, sizeof(path), "%s/%s", subpath, hex);
	fd = openat(subfd, hex,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return al_error_set(err, AL_ENOTFOUND,
					    "store: blob %s is missing", hex);
		if (e == ELOOP || e == ENXIO || e == ENOTDIR)
			return not_what(subfd, hex, path, false, err);
		return io_error(err, e, "'%s'", path);
	}
	if ((rc = check_owned(fd, path, false, err)) < 0)
		goto fail;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		rc = io_error(err, errno, "'%s'", path);
		goto fail;
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

int al_store_open_blob(struct al_store *s, const char *hex, int *fd,
		       struct al_error *err)
{
	char subpath[16];
	int subfd, rc;

	*fd = -1;
	if ((rc = check_blob_name(hex, err)) < 0)
		return rc;
	if ((rc = open_sub(s, hex, false, &subfd, subpath, err)) < 0)
		return rc;
	rc = open_in(subfd, hex, subpath, fd, err);
	close(subfd);
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* AL_STORE_NO_TMPFILE=1: use the named temp file even where O_TMPFILE
 * works (tests; filesystems that misbehave with it). */
static bool tmpfile_forbidden(void)
{
	const char *v = getenv("AL_STORE_NO_TMPFILE");

	return v && *v && strcmp(v, "0") != 0;
}

static int open_named(struct al_blob *b, struct al_error *err)
{
	int e = 0;

	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned long long r;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return io_error(err, errno, "getrandom");
		snprintf(b->name, sizeof(b->name), "blob-%016llx", r);
		b->fd = openat(b->s->tmp_fd, b->name,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       0600);
		if (b->fd >= 0)
			return 0;
		e = errno;
		if (e != EEXIST)
			break;
	}
	b->name[0] = '\0';
	return io_error(err, e, "cannot create a temporary file in '%s'",
			STORE_NAME "/" TMP_NAME);
}

int al_blob_begin(struct al_store *s, struct al_blob **out,
		  struct al_error *err)
{
	struct al_blob *b;
	int rc;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	b->s = s;
	b->fd = -1;
	b->buf = malloc(BLOB_BUF);
	if (!b->buf) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = al_sha256_new(&b->h, err)) < 0)
		goto fail;
	/* an unnamed file needs /proc/self/fd to be given a name */
	if (!tmpfile_forbidden() &&
	    faccessat(AT_FDCWD, "/proc/self/fd", X_OK, 0) == 0) {
		b->fd = openat(s->tmp_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			       0600);
		if (b->fd < 0 && errno != EOPNOTSUPP && errno != EISDIR &&
		    errno != EINVAL) {
			rc = io_error(err, errno,
				      "cannot create a blob in '%s'",
				      STORE_NAME "/" TMP_NAME);
			goto fail;
		}
	}
	if (b->fd < 0 && (rc = open_named(b, err)) < 0)
		goto fail;
	*out = b;
	return 0;
fail:
	al_blob_abort(b);
	return rc;
}

static int flush(struct al_blob *b, const void *buf, size_t len,
		 struct al_error *err)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t w = write(b->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			b->failed = AL_EIO;
			return io_error(err, errno, "writing a blob in '%s'",
					STORE_NAME "/" TMP_NAME);
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int blob_failed(struct al_error *err)
{
	return al_error_set(err, AL_EIO,
			    "store: a write to this blob failed earlier; it "
			    "is not published");
}

int al_blob_write(void *blob, const void *buf, size_t len, struct al_error *err)
{
	struct al_blob *b = blob;
	const unsigned char *p = buf;
	int rc;

	if (b->failed)
		return blob_failed(err);
	al_sha256_update(b->h, buf, len);
	b->size += len;
	while (len) {
		size_t n;

		if (b->used == 0 && len >= BLOB_BUF)
			return flush(b, p, len, err);
		n = BLOB_BUF - b->used < len ? BLOB_BUF - b->used : len;
		memcpy(b->buf + b->used, p, n);
		b->used += n;
		p += n;
		len -= n;
		if (b->used == BLOB_BUF) {
			b->used = 0;
			if ((rc = flush(b, b->buf, BLOB_BUF, err)) < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Give the finished file its name hex in subfd without replacing what is
 * there: *existed when something already has the name.
 */
static int link_blob(struct al_blob *b, int subfd, const char *hex,
		     const char *path, bool *existed, struct al_error *err)
{
	int e;

	*existed = false;
	if (!b->name[0]) {
		char proc[40];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", b->fd);
		if (linkat(AT_FDCWD, proc, subfd, hex, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		e = errno;
		/* no /proc after all: AT_EMPTY_PATH, where we may */
		if (e == ENOENT &&
		    linkat(b->fd, "", subfd, hex, AT_EMPTY_PATH) == 0)
			return 0;
		if (e == ENOENT)
			e = errno;
	} else {
		if (linkat(b->s->tmp_fd, b->name, subfd, hex, 0) == 0) {
			/* a leftover name is harmless: fsck removes it */
			if (unlinkat(b->s->tmp_fd, b->name, 0) == 0)
				b->name[0] = '\0';
			return 0;
		}
		e = errno;
		/* no hard links here (FAT, exFAT): move it instead */
		if (e == EPERM || e == EOPNOTSUPP || e == ENOSYS ||
		    e == EMLINK) {
			if (renameat2(b->s->tmp_fd, b->name, subfd, hex,
				      RENAME_NOREPLACE) == 0) {
				b->name[0] = '\0';
				return 0;
			}
			e = errno;
		}
	}
	if (e == EEXIST) {
		*existed = true;
		return 0;
	}
	return io_error(err, e, "cannot link '%s'", path);
}

/* The blob already at hex must be ours and size bytes long. */
static int check_existing(int subfd, const char *hex, const char *subpath,
			  uint64_t size, struct al_error *err)
{
	struct stat st;
	int fd, rc;

	if ((rc = open_in(subfd, hex, subpath, &fd, err)) < 0)
		return rc;
	if (fstat(fd, &st) < 0)
		rc = io_error(err, errno, "blob %s", hex);
	else if ((uint64_t)st.st_size != size)
		rc = al_error_set(err, AL_EINTEGRITY,
				  "store: blob %s already exists with %llu "
				  "bytes, not %llu",
				  hex, (unsigned long long)st.st_size,
				  (unsigned long long)size);
	close(fd);
	return rc;
}

int al_blob_commit(struct al_blob *b, char hex[AL_SHA256_HEX], uint64_t *size,
		   bool *existed, struct al_error *err)
{
	char digest[AL_SHA256_HEX], subpath[16], path[96];
	int subfd = -1, rc;
	bool had;

	hex[0] = '\0';
	*size = 0;
	*existed = false;
	if (b->failed) {
		rc = blob_failed(err);
		goto out;
	}
	if (b->used) {
		size_t n = b->used;

		b->used = 0;
		if ((rc = flush(b, b->buf, n, err)) < 0)
			goto out;
	}
	al_sha256_final(b->h, digest, NULL);
	if (fchmod(b->fd, 0400) < 0) {
		rc = io_error(err, errno, "chmod of new blob %s", digest);
		goto out;
	}
	if (fsync(b->fd) < 0) {
		rc = io_error(err, errno, "fsync of new blob %s", digest);
		goto out;
	}
	if ((rc = open_sub(b->s, digest, true, &subfd, subpath, err)) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", subpath, digest);
	if ((rc = link_blob(b, subfd, digest, path, &had, err)) < 0)
		goto out;
	if (had &&
	    (rc = check_existing(subfd, digest, subpath, b->size, err)) < 0)
		goto out;
	/* the name, and the sub-folder's own name, last a crash */
	if ((rc = sync_dir(subfd, subpath, err)) < 0 ||
	    (rc = sync_dir(b->s->fd, STORE_NAME, err)) < 0) {
		/* not known to be durable: take back the name we added */
		if (!had)
			unlinkat(subfd, digest, 0);
		goto out;
	}
	memcpy(hex, digest, AL_SHA256_HEX);
	*size = b->size;
	*existed = had;
out:
	if (subfd >= 0)
		close(subfd);
	al_blob_abort(b);
	return rc;
}

void al_blob_abort(struct al_blob *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	if (b->name[0])
		unlinkat(b->s->tmp_fd, b->name, 0);
	al_sha256_free(b->h);
	free(b->buf);
	free(b);
}

/* ---- checking and removing -------------------------------------------- */

int al_store_verify(struct al_store *s, const char *hex, uint64_t size,
		    struct al_error *err)
{
	char got[AL_SHA256_HEX], what[96];
	uint64_t n;
	int fd, rc;

	if ((rc = al_store_open_blob(s, hex, &fd, err)) < 0)
		return rc;
	snprintf(what, sizeof(what), "store: reading blob %s", hex);
	rc = al_sha256_fd(fd, got, &n, what, err);
	close(fd);
	if (rc < 0)
		return rc;
	if (size != UINT64_MAX && n != size)
		return al_error_set(err, AL_EINTEGRITY,
				    "store: blob %s does not match its size "
				    "(%llu bytes, expected %llu)",
				    hex, (unsigned long long)n,
				    (unsigned long long)size);
	if (strcmp(got, hex) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "store: blob %s does not match its hash",
				    hex);
	return 0;
}

int al_store_remove(struct al_store *s, const char *hex, bool missing_ok,
		    struct al_error *err)
{
	char subpath[16], path[96];
	struct stat st;
	int subfd, rc;

	if ((rc = check_blob_name(hex, err)) < 0)
		return rc;
	rc = open_sub(s, hex, false, &subfd, subpath, err);
	if (rc == AL_ENOTFOUND && missing_ok) {
		al_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", subpath, hex);
	if (fstatat(subfd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			rc = missing_ok ? 0
					: al_error_set(err, AL_ENOTFOUND,
						       "store: blob %s is "
						       "missing",
						       hex);
		else
			rc = io_error(err, errno, "'%s'", path);
		goto out;
	}
	/* never remove what a blob name should not be: tampering */
	if (S_ISLNK(st.st_mode)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "store: '%s' is a symbolic link", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "store: '%s' is not a regular file", path);
		goto out;
	}
	if (unlinkat(subfd, hex, 0) < 0) {
		if (errno == ENOENT && missing_ok)
			rc = 0;
		else if (errno == ENOENT)
			rc = al_error_set(err, AL_ENOTFOUND,
					  "store: blob %s is missing", hex);
		else
			rc = io_error(err, errno, "cannot remove '%s'", path);
		goto out;
	}
	rc = sync_dir(subfd, subpath, err);
out:
	close(subfd);
	return rc;
}

/* ---- walking ---------------------------------------------------------- */

static bool is_sub_name(const char *n)
{
	return strlen(n) == 2 && strspn(n, "0123456789abcdef") == 2;
}

/* Is parent/name a real folder (not a symlink)? */
static bool is_dir_at(int parent, const char *name)
{
	struct stat st;

	return fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/*
 * Call each(arg, the folder's descriptor, entry name, err) for every entry
 * of the folder fd (taken; path in messages) but "." and "..", until one
 * returns non-zero.
 */
static int each_entry(int fd, const char *path,
		      int (*each)(void *arg, int dfd, const char *entry,
				  struct al_error *err),
		      void *arg, struct al_error *err)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = fdopendir(fd);
	if (!d) {
		rc = io_error(err, errno, "'%s'", path);
		close(fd);
		return rc;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = io_error(err, errno, "reading '%s'", path);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((rc = each(arg, dirfd(d), de->d_name, err)) != 0)
			break;
	}
	closedir(d);
	return rc;
}

struct walk {
	int (*fn)(void *ctx, const char *hex, const char *name,
		  struct al_error *err);
	void *ctx;
	const char *dir; /* "tmp", "ab" or NULL at the top */
};

static int walk_tmp_entry(void *arg, int dfd, const char *entry,
			  struct al_error *err)
{
	struct walk *w = arg;
	char name[300];

	(void)dfd;
	snprintf(name, sizeof(name), TMP_NAME "/%s", entry);
	return w->fn(w->ctx, NULL, name, err);
}

static int walk_sub_entry(void *arg, int dfd, const char *entry,
			  struct al_error *err)
{
	struct walk *w = arg;
	char name[300];
	struct stat st;
	bool blob;

	snprintf(name, sizeof(name), "%s/%s", w->dir, entry);
	blob = blob_name_ok(entry) && !strncmp(entry, w->dir, 2) &&
	       fstatat(dfd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
	return w->fn(w->ctx, blob ? entry : NULL, name, err);
}

/* Walk the folder entry of the store (tmp/ or a sub-folder), checked. */
static int walk_dir(struct walk *w, int dfd, const char *entry,
		    struct al_error *err)
{
	char path[16];
	struct walk sub = *w;
	bool created;
	int fd, rc;

	snprintf(path, sizeof(path), STORE_NAME "/%s", entry);
	if ((rc = open_dir(dfd, entry, path, false, &fd, &created, err)) < 0)
		return rc;
	sub.dir = entry;
	if (!strcmp(entry, TMP_NAME))
		return each_entry(fd, path, walk_tmp_entry, &sub, err);
	return each_entry(fd, path, walk_sub_entry, &sub, err);
}

static int walk_top_entry(void *arg, int dfd, const char *entry,
			  struct al_error *err)
{
	struct walk *w = arg;

	if ((!strcmp(entry, TMP_NAME) || is_sub_name(entry)) &&
	    is_dir_at(dfd, entry))
		return walk_dir(w, dfd, entry, err);
	/* a stray file, a symlink where a folder should be, ... */
	return w->fn(w->ctx, NULL, entry, err);
}

int al_store_walk(struct al_store *s,
		  int (*fn)(void *ctx, const char *hex, const char *name,
			    struct al_error *err),
		  void *ctx, struct al_error *err)
{
	struct walk w = {.fn = fn, .ctx = ctx, .dir = NULL};
	int fd;

	/* a descriptor of its own: readdir moves its offset */
	fd = openat(s->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return io_error(err, errno, "'%s'", STORE_NAME);
	return each_entry(fd, STORE_NAME, walk_top_entry, &w, err);
}

int al_store_remove_tmp(struct al_store *s, const char *name,
			struct al_error *err)
{
	const char *base = name;
	char vis[80];

	if (base && !strncmp(base, TMP_NAME "/", sizeof(TMP_NAME)))
		base += sizeof(TMP_NAME);
	if (!base || !*base || strchr(base, '/') || !strcmp(base, ".") ||
	    !strcmp(base, ".."))
		return al_error_set(err, AL_EINVAL,
				    "store: '%s' is not a name in '%s'",
				    name ? al_text_visible(name, strlen(name),
							   vis, sizeof(vis))
					 : "",
				    STORE_NAME "/" TMP_NAME);
	al_text_visible(base, strlen(base), vis, sizeof(vis));
	if (unlinkat(s->tmp_fd, base, 0) < 0) {
		if (errno == ENOENT)
			return al_error_set(err, AL_ENOTFOUND,
					    "store: '%s/%s' is missing",
					    STORE_NAME "/" TMP_NAME, vis);
		return io_error(err, errno, "cannot remove '%s/%s'",
				STORE_NAME "/" TMP_NAME, vis);
	}
	return 0;
}
