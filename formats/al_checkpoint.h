/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_CHECKPOINT_H
#define AL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_merkle.h"

/*
 * A checkpoint's text (spec ledger-v1, C2SP tlog-checkpoint; docs/
 * ledger.md): exactly three lines, each ending in "\n":
 *   origin      1 to 255 bytes of UTF-8, no control character
 *   size        decimal, no sign, no leading zero (except "0"), < 2^63
 *   root hash   standard base64 of 32 bytes (44 characters)
 */
#define AL_CHECKPOINT_ORIGIN_MAX 256 /* 255 bytes and a NUL */
/* the longest text: origin, size (19 digits), root (44), three newlines */
#define AL_CHECKPOINT_TEXT_MAX (255 + 19 + 44 + 3 + 1)

struct al_checkpoint {
	char origin[AL_CHECKPOINT_ORIGIN_MAX];
	uint64_t size;
	uint8_t root[AL_MERKLE_HASH];
};

/*
 * Write the text into text (room for AL_CHECKPOINT_TEXT_MAX), NUL-ended;
 * its length goes to *len.  AL_EINVAL when the origin breaks the rules
 * above.
 */
int al_checkpoint_format(const struct al_checkpoint *c, char *text, size_t *len,
			 struct al_error *err);

/*
 * Parse a checkpoint's text, exactly: anything but the three lines above
 * (a missing final newline, a fourth line, "\r", an extension line, a
 * signature block) is refused.  AL_EINVAL "checkpoint: line N: ...".
 */
int al_checkpoint_parse(const char *text, size_t len, struct al_checkpoint *c,
			struct al_error *err);

#endif
