/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_BASE64_H
#define AL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

/* Standard base64 (RFC 4648 section 4) with padding, no line breaks. */

/* The characters encoding len bytes take, without the NUL. */
#define AL_BASE64_LEN(len) ((((len) + 2) / 3) * 4)

/* The 6-bit value of a character of the alphabet, or -1 (for '=' too). */
int al_base64_value(unsigned char c);

/* Encode len bytes into out (room for AL_BASE64_LEN(len) + 1), NUL-ended. */
void al_base64_encode(const void *buf, size_t len, char *out);

/*
 * Decode exactly: padding required, no white space, no other alphabet,
 * unused bits zero (one spelling for each byte string).  The bytes go to
 * out (room for outsz); their number to *outlen.  AL_EINVAL naming the
 * rule ("not base64: ..."), AL_ELIMIT when out is too small.
 */
int al_base64_decode(const char *text, size_t len, uint8_t *out, size_t outsz,
		     size_t *outlen, struct al_error *err);

#endif
