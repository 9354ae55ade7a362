/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_BUNDLE_H
#define AL_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "al_error.h"
#include "al_hash.h"
#include "al_manifest.h"

/* keys/reply.asc is kept in memory; at most this many bytes. */
#define AL_REPLY_KEY_MAX (256 * 1024)

/*
 * Where the inner archive's bytes come from: returns the number of bytes
 * put in buf (0 at the end), or -1 with err set.
 */
typedef ssize_t (*al_read_fn)(void *ctx, void *buf, size_t len,
			      struct al_error *err);

/*
 * Optional: called for every entry after manifest.json, once the manifest
 * has been checked: begin with the entry's name (checked, listed in the
 * manifest) and size, then data with its bytes in order, then end.  Any
 * callback returning non-zero stops the read with that code (err set).
 * end comes only after the entry's size and SHA-256 matched the manifest,
 * but the archive as a whole is only known to be good once al_bundle_read
 * returns 0: a consumer that writes files must treat them as unverified
 * until then.  Any member may be NULL.
 */
struct al_bundle_entry_cb {
	int (*begin)(void *ctx, const char *name, uint64_t size,
		     struct al_error *err);
	int (*data)(void *ctx, const void *buf, size_t len,
		    struct al_error *err);
	int (*end)(void *ctx, struct al_error *err);
	void *ctx;
};

/* A bundle's inner archive, read and checked. */
struct al_bundle {
	json_t *manifest;                    /* checked (al_manifest_check) */
	char manifest_sha256[AL_SHA256_HEX]; /* of manifest.json's bytes */
	char *manifest_raw;                  /* those bytes, as sent */
	size_t manifest_len;
	char content_sha256[AL_SHA256_HEX]; /* of every byte read, to EOF */
	uint64_t content_bytes;
	uint64_t nentries; /* manifest.json included */
	char *reply_key;   /* keys/reply.asc bytes, or NULL */
	size_t reply_key_len;
};

/*
 * Read an inner archive (spec bundle-v1, "Inner archive entries") from
 * read to its end, in one pass, nothing extracted: libarchive with the tar
 * format only and no filter, alongside an independent walk of the raw
 * 512-byte headers.  Refused (AL_EINVAL, the message naming the entry when
 * there is one and the rule, e.g. "entry 'attachments/x': hard link; only
 * regular files are allowed"):
 *  - any header libarchive does not read with ARCHIVE_OK (WARN and RETRY
 *    included), a bad header checksum, a compressed archive, not tar;
 *  - a type other than regular file ('0' or NUL) in the raw header, with
 *    local pax extended headers ('x') allowed before an entry; a global pax
 *    header ('g'), GNU long names ('L', 'K'), sparse ('S' or pax GNU.sparse
 *    keys), hard links (even with data), symlinks, devices, FIFOs,
 *    directories, unknown type flags; a NUL inside a pax path;
 *  - a name that fails al_entry_name_check (raw name from
 *    archive_entry_pathname_utf8), or repeats an earlier name byte for
 *    byte or after al_name_fold; "raw": the name is the header's own
 *    bytes, and archive_entry_pathname_utf8 must agree with them up to
 *    Unicode normalisation (libarchive composes names to NFC when it
 *    converts them; a decomposed name is kept as written);
 *  - manifest.json not first, over lim->manifest_bytes, or not a valid
 *    manifest (al_manifest_parse: duplicate keys, missing fields, ...);
 *  - an entry not listed in the manifest's files; a listed file missing;
 *  - more than lim->entries entries or lim->bundle_bytes bytes of entry
 *    data (counted on the bytes actually read, whatever the headers say);
 *    a keys/reply.asc over AL_REPLY_KEY_MAX (AL_ELIMIT for limits);
 *  - anything but zero bytes after the end-of-archive marker (a second
 *    archive appended), a truncated archive; a local pax header over
 *    64 KiB or more than 1 MiB of zeros after the marker (AL_ELIMIT).
 * Problems are reported in stream order, whatever the size of the reads
 * (docs/inner-archive.md lists every message).
 * AL_EINTEGRITY when an entry's size or SHA-256 differs from its manifest
 * listing ("entry 'attachments/x': SHA-256 differs from the manifest").
 * Every problem of the manifest also goes to p when p is not NULL.
 * read errors (AL_EIO) and callback codes are passed through.  out is
 * filled on success and released (zeroed) on failure.  lim NULL: the
 * defaults.  AL_EUSAGE without read or out.
 */
int al_bundle_read(al_read_fn read, void *read_ctx, const struct al_limits *lim,
		   const struct al_bundle_entry_cb *cb, struct al_bundle *out,
		   struct al_problems *p, struct al_error *err);
void al_bundle_release(struct al_bundle *b);

/* An al_read_fn over a file descriptor (ctx: a pointer to the int fd;
 * EINTR retried). */
ssize_t al_read_fd(void *ctx, void *buf, size_t len, struct al_error *err);

#endif
