/* SPDX-License-Identifier: Apache-2.0 */
#include "al_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int al_read_file(const char *path, size_t cap, char **out, size_t *len,
		 struct al_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return al_error_set(err, AL_ENOTFOUND,
					    "'%s': no such file", path);
		if (errno == ELOOP)
			return al_error_set(err, AL_EINVAL,
					    "'%s': is a symbolic link", path);
		return al_error_set(err, AL_EIO, "'%s': %s", path,
				    strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		rc = al_error_set(err, AL_EIO, "'%s': %s", path,
				  strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = al_error_set(err, AL_EINVAL, "'%s': not a regular file",
				  path);
		goto out;
	}
	if ((unsigned long long)st.st_size > cap) {
		rc = al_error_set(err, AL_ELIMIT,
				  "'%s': %lld bytes is over the limit of %zu",
				  path, (long long)st.st_size, cap);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = al_error_set(err, AL_EIO, "'%s': %s", path,
					  strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) { /* grew while we read */
			rc = al_error_set(err, AL_EIO,
					  "'%s': changed while being read",
					  path);
			goto out;
		}
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

int al_write_all(int fd, const void *buf, size_t len, const char *what,
		 struct al_error *err)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return al_error_set(err, AL_EIO, "'%s': %s", what,
					    strerror(errno));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	char *copy = strdup(path), *d, *res;

	if (!copy)
		return NULL;
	d = dirname(copy);
	res = strdup(d);
	free(copy);
	return res;
}

int al_atomic_open(struct al_atomic *a, const char *path, struct al_error *err)
{
	size_t n = strlen(path) + 32;

	a->fd = -1;
	a->path = strdup(path);
	a->tmp = malloc(n);
	if (!a->path || !a->tmp) {
		free(a->path);
		free(a->tmp);
		a->path = a->tmp = NULL;
		return al_error_set(err, AL_ENOMEM, "out of memory");
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned r;
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, &r, sizeof(r)) != sizeof(r))
			r = (unsigned)getpid() * 2654435761u + attempt;
		if (fd >= 0)
			close(fd);
		snprintf(a->tmp, n, "%s.tmp-%08x", path, r);
		a->fd = open(a->tmp,
			     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC,
			     0600);
		if (a->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	al_error_set(err, AL_EIO, "'%s': cannot create a temporary file: %s",
		     path, strerror(errno));
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	return err ? err->code : AL_EIO;
}

void al_atomic_abort(struct al_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->fd = -1;
}

/*
 * Give tmp the name path unless path exists.  link() is atomic and fails
 * with EEXIST; filesystems without hard links (FAT and exFAT, as on the USB
 * sticks bundles travel on) refuse it, so fall back to
 * renameat2(RENAME_NOREPLACE), and where even that is not supported, to a
 * check and a rename (a race only with another writer of the same name).
 */
static int publish_noreplace(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS &&
	    errno != EMLINK)
		return -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	{
		struct stat st;

		/* lstat: a dangling symlink exists too */
		if (lstat(path, &st) == 0) {
			errno = EEXIST;
			return -1;
		}
	}
	return rename(tmp, path);
}

int al_atomic_commit(struct al_atomic *a, int overwrite, struct al_error *err)
{
	char *dir = NULL;
	int rc = 0, dfd;

	if (fsync(a->fd) < 0) {
		rc = al_error_set(err, AL_EIO, "'%s': fsync: %s", a->path,
				  strerror(errno));
		goto fail;
	}
	if (close(a->fd) < 0) {
		a->fd = -1;
		rc = al_error_set(err, AL_EIO, "'%s': close: %s", a->path,
				  strerror(errno));
		goto fail;
	}
	a->fd = -1;
	if (overwrite) {
		if (rename(a->tmp, a->path) < 0) {
			rc = al_error_set(err, AL_EIO, "'%s': %s", a->path,
					  strerror(errno));
			goto fail;
		}
	} else {
		if (publish_noreplace(a->tmp, a->path) < 0) {
			rc = al_error_set(err,
					  errno == EEXIST ? AL_EEXIST : AL_EIO,
					  "'%s': %s", a->path,
					  errno == EEXIST ? "already exists"
							  : strerror(errno));
			goto fail;
		}
	}
	dir = dir_of(a->path);
	if (dir) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	return 0;
fail:
	al_atomic_abort(a);
	return rc;
}

void al_secure_zero(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void al_remove_tree(int parent, const char *name)
{
	int fd = openat(parent, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd >= 0 && (d = fdopendir(fd))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (unlinkat(dirfd(d), e->d_name, 0) < 0 &&
			    (errno == EISDIR || errno == EPERM))
				al_remove_tree(dirfd(d), e->d_name);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(parent, name, AT_REMOVEDIR);
}

int al_write_new_file(int dir, const char *name, const void *buf, size_t len,
		      const char *what, struct al_error *err)
{
	int fd = openat(dir, name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0644);
	int rc;

	if (fd < 0)
		return al_error_set(err, AL_EIO, "%s: %s: %s", what, name,
				    strerror(errno));
	rc = al_write_all(fd, buf, len, name, err);
	if (!rc && fsync(fd) < 0)
		rc = al_error_set(err, AL_EIO, "%s: %s: %s", what, name,
				  strerror(errno));
	close(fd);
	return rc;
}
