/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_UUID_H
#define AL_UUID_H

#include <stdbool.h>

#include "al_error.h"

#define AL_UUID_LEN 37 /* 36 characters and a NUL */

/* A random version-4 UUID (RFC 9562), lowercase, from getrandom(2).
 * AL_EIO if the kernel gives no randomness. */
int al_uuid_v4(char out[AL_UUID_LEN], struct al_error *err);

/* True when s is a lowercase version-4, variant-10 UUID. */
bool al_uuid_valid_v4(const char *s);

#endif
