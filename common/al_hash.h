/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_HASH_H
#define AL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

#define AL_SHA256_LEN 32
#define AL_SHA256_HEX 65 /* 64 hex digits and a NUL */

/* Streaming SHA-256 (libgcrypt underneath; no gcrypt type leaks here). */
struct al_sha256;

/* Start a hash; *out is NULL on failure.  AL_ENOMEM, AL_ECRYPTO. */
int al_sha256_new(struct al_sha256 **out, struct al_error *err);
void al_sha256_update(struct al_sha256 *h, const void *buf, size_t len);
/* Finish: the digest as lowercase hex (and raw, if raw is not NULL).
 * The hash may not be updated afterwards. */
void al_sha256_final(struct al_sha256 *h, char hex[AL_SHA256_HEX],
		     uint8_t raw[AL_SHA256_LEN]);
void al_sha256_free(struct al_sha256 *h);

/* One-shot digest of buf as lowercase hex. */
void al_sha256_hex(const void *buf, size_t len, char hex[AL_SHA256_HEX]);

/*
 * Hash everything readable from fd (to its end) in 64 KiB reads: the
 * digest as lowercase hex, the byte count in *size.  what names the file in
 * messages.  EINTR-safe.  AL_EIO, AL_ENOMEM, AL_ECRYPTO.
 */
int al_sha256_fd(int fd, char hex[AL_SHA256_HEX], uint64_t *size,
		 const char *what, struct al_error *err);

/* Make sure libgcrypt is initialised (safe to call many times). */
void al_hash_init(void);

#endif
