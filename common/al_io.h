/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_IO_H
#define AL_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "al_error.h"

/*
 * Read a whole regular file into a new NUL-terminated buffer (*out, length
 * *len not counting the NUL).  Refuses symlinks (O_NOFOLLOW), anything but a
 * regular file, and files over cap bytes (AL_ELIMIT).  *out is NULL on
 * failure.  AL_ENOTFOUND, AL_EIO, AL_EINVAL, AL_ELIMIT, AL_ENOMEM.
 */
int al_read_file(const char *path, size_t cap, char **out, size_t *len,
		 struct al_error *err);

/*
 * Where streamed bytes go: called with each chunk in order; returns 0 or a
 * negative AL_E* code with err set.  Shared by the archive writer (which
 * produces) and gpg (which consumes).
 */
typedef int (*al_sink_fn)(void *ctx, const void *buf, size_t len,
			  struct al_error *err);

/* A new file name in folder dir (never an existing path or a symlink),
 * mode 0644 before the umask, holding buf, synced.  AL_EIO "WHAT: NAME:
 * cause". */
int al_write_new_file(int dir, const char *name, const void *buf, size_t len,
		      const char *what, struct al_error *err);

/* Write all of buf to fd, retrying short writes and EINTR.  AL_EIO. */
int al_write_all(int fd, const void *buf, size_t len, const char *what,
		 struct al_error *err);

/*
 * A file that appears whole or not at all: al_atomic_open creates a temp
 * file (O_EXCL|O_NOFOLLOW, 0600) beside path; al_atomic_commit fsyncs it,
 * renames it to path (refusing to replace an existing path unless
 * overwrite) and fsyncs the folder; al_atomic_abort unlinks it.  Exactly
 * one of commit or abort must follow a successful open; after a failed
 * commit the temp file is already gone.
 */
struct al_atomic {
	int fd;
	char *path;
	char *tmp;
};

int al_atomic_open(struct al_atomic *a, const char *path, struct al_error *err);
int al_atomic_commit(struct al_atomic *a, int overwrite, struct al_error *err);
void al_atomic_abort(struct al_atomic *a);

/* Remove the folder name inside parent and everything in it, not following
 * symlinks (a symlink inside is removed, not its target); best effort. */
void al_remove_tree(int parent, const char *name);

/* Zero memory the compiler may not optimise away (passphrases, plain
 * text). */
void al_secure_zero(void *p, size_t len);

#endif
