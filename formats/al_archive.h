/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_ARCHIVE_H
#define AL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_hash.h"
#include "al_io.h"

/*
 * A deterministic tar writer (POSIX pax, libarchive underneath): every
 * entry a regular file, mode 0644, uid/gid 0, empty user and group names,
 * mtime fixed for the whole archive, no atime/ctime, and no pax header
 * beyond what a long or non-ASCII name needs.  Bytes go to a sink as they
 * are made: nothing is buffered beyond libarchive's block, so an entry of
 * several GiB streams through in constant memory.  Entries are written in
 * the order they are added (ordering is the caller's).
 */
struct al_tar_writer;

/* *out is NULL on failure.  AL_ENOMEM, AL_EIO. */
int al_tar_writer_new(struct al_tar_writer **out, al_sink_fn sink,
		      void *sink_ctx, int64_t mtime, struct al_error *err);

/* Add an entry from memory. */
int al_tar_writer_add_mem(struct al_tar_writer *w, const char *name,
			  const void *buf, size_t len, struct al_error *err);

/*
 * Add an entry of exactly size bytes read from fd (read in 64 KiB chunks),
 * fed to hash on the way when hash is not NULL.  AL_EIO when the file ends
 * early or holds more than size bytes ("changed while being read").
 */
int al_tar_writer_add_fd(struct al_tar_writer *w, const char *name, int fd,
			 uint64_t size, struct al_sha256 *hash,
			 struct al_error *err);

/* Write the end-of-archive blocks and flush to the sink. */
int al_tar_writer_finish(struct al_tar_writer *w, struct al_error *err);

/* NULL-safe; after an error, frees without writing more. */
void al_tar_writer_free(struct al_tar_writer *w);

#endif
