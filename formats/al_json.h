/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_JSON_H
#define AL_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

/*
 * Decode outside JSON strictly, for every reader of Airlock's JSON files
 * (manifest, policy, and later the ledger's exports): at most max_bytes,
 * no byte order mark, valid UTF-8, arrays and objects nested at most
 * max_depth deep (checked before jansson sees the text), no duplicate key,
 * no NUL in strings, an object at the top.  what names the input in
 * messages ("manifest: line 3 column 7: ...").  *out is a new reference,
 * NULL on failure.  AL_ELIMIT, AL_EINVAL.
 */
int al_json_decode_object(const char *buf, size_t len, uint64_t max_bytes,
			  unsigned max_depth, const char *what, json_t **out,
			  struct al_error *err);

#endif
