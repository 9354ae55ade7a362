/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_JCS_H
#define AL_JCS_H

#include <jansson.h>
#include <stddef.h>

#include "al_error.h"

/*
 * The RFC 8785 (JSON Canonicalization Scheme) bytes of v: object members
 * sorted by the UTF-16 code units of their names, no white space, strings
 * as RFC 8785 3.2.2.2 escapes them (only '"', '\\' and U+0000-U+001F
 * escaped; \b \t \n \f \r, else \u00xx in lowercase hex; everything else
 * as UTF-8), integers in decimal (the ledger uses integers only: a real is
 * refused), true / false / null.  *out is malloc'd and NUL-terminated,
 * length *len.  AL_EINVAL (a real, a string that is not valid UTF-8, an
 * integer outside +-(2^53 - 1), nesting over 64), AL_ENOMEM.
 */
int al_jcs_dump(const json_t *v, char **out, size_t *len, struct al_error *err);

#endif
