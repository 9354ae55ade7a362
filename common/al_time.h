/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_TIME_H
#define AL_TIME_H

#include <stdint.h>

#include "al_error.h"

#define AL_RFC3339_LEN 21 /* "2026-11-22T10:00:00Z" and a NUL */

/*
 * Parse an RFC 3339 date-time ("2026-11-22T10:00:00Z", optional fraction,
 * "Z" or "+hh:mm" offset) into seconds since the epoch, UTC.  Checks the
 * calendar (no February 30th).  AL_EINVAL.
 */
int al_time_parse(const char *s, int64_t *out, struct al_error *err);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds). */
void al_time_format(int64_t t, char out[AL_RFC3339_LEN]);

/*
 * The time to stamp a new artefact with: SOURCE_DATE_EPOCH when set (a
 * decimal number of seconds; anything else is AL_EINVAL), else now.
 */
int al_time_now(int64_t *out, struct al_error *err);

#endif
