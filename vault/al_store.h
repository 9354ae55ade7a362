/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_STORE_H
#define AL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_hash.h"

/*
 * The vault's content-addressed store of bundle ciphertext: a folder (the
 * vault's "store", 0700) with one blob a bundle at "ab/abcdef..." (the
 * full lowercase SHA-256 of its bytes, the first two hex digits as a
 * sub-folder, 0700), each blob a regular file, 0400.  Temporary files live
 * in "tmp/" (same filesystem).  A blob is published only when complete and
 * synced: written to an O_TMPFILE (or a named temp file in tmp/ where
 * O_TMPFILE is not supported), fsync, linkat into place (never replacing:
 * an existing blob with the same name is the same bytes, checked by size),
 * fsync of the sub-folder and of the store.  Every path is opened relative
 * to the store's folder descriptor with O_NOFOLLOW, and a sub-folder or
 * blob that is a symlink or not owned by us is refused (AL_EINTEGRITY).
 */
struct al_store;

/* Open the store folder "store" inside the vault folder vault_fd (not
 * following links), creating it (and tmp/) when create is true.  AL_EIO,
 * AL_ENOTFOUND, AL_EINTEGRITY (a symlink, wrong owner or mode with group or
 * other bits). */
int al_store_open(int vault_fd, bool create, struct al_store **out,
		  struct al_error *err);
void al_store_close(struct al_store *s);

/* A blob being written; al_blob_write is an al_sink_fn. */
struct al_blob;
int al_blob_begin(struct al_store *s, struct al_blob **out,
		  struct al_error *err);
int al_blob_write(void *blob, const void *buf, size_t len,
		  struct al_error *err);
/* Bytes written so far and their SHA-256 so far are not exposed: commit
 * gives the final hash. */
/*
 * Publish: fsync, link to its content address, fsync the folders.  The
 * SHA-256 (hex) goes to hex and the size to *size; *existed tells whether
 * the blob was already there (a replay).  Frees b in every case.  AL_EIO
 * (ENOSPC, EIO, EROFS each named), AL_EINTEGRITY (an existing blob of
 * another size).
 */
int al_blob_commit(struct al_blob *b, char hex[AL_SHA256_HEX], uint64_t *size,
		   bool *existed, struct al_error *err);
/* Throw the blob away (unlink a named temp file).  Frees b; NULL is ok. */
void al_blob_abort(struct al_blob *b);

/* Open a blob for reading (O_RDONLY|O_NOFOLLOW|O_CLOEXEC; a regular file).
 * AL_ENOTFOUND "store: blob HEX is missing", AL_EINTEGRITY, AL_EIO. */
int al_store_open_blob(struct al_store *s, const char *hex, int *fd,
		       struct al_error *err);

/* Rehash a blob: AL_EINTEGRITY "store: blob HEX does not match its hash"
 * (or its size, when size is not UINT64_MAX), AL_ENOTFOUND, AL_EIO. */
int al_store_verify(struct al_store *s, const char *hex, uint64_t size,
		    struct al_error *err);

/* Remove a blob (retention) and fsync its folder.  Absent is not an error
 * when missing_ok. */
int al_store_remove(struct al_store *s, const char *hex, bool missing_ok,
		    struct al_error *err);

/*
 * Call fn for every blob name in the store (hex, in no particular order),
 * and for every leftover in tmp/ with hex NULL and name set (fsck removes
 * them).  Stops at fn's first non-zero return.  Entries that are neither
 * (a stray file, a symlink) are reported to fn too, with hex NULL.
 */
int al_store_walk(struct al_store *s,
		  int (*fn)(void *ctx, const char *hex, const char *name,
			    struct al_error *err),
		  void *ctx, struct al_error *err);

/* Remove tmp/NAME (a leftover of an interrupted import). */
int al_store_remove_tmp(struct al_store *s, const char *name,
			struct al_error *err);

#endif
