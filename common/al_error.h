/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_ERROR_H
#define AL_ERROR_H

#include <stddef.h>

/*
 * The one error type.  A caller owns it and passes it last; the function
 * that finds a failure sets the message once and every caller above passes
 * it up unchanged.  Messages are lower case, no full stop, the subject in
 * quotes: "attachment 'poc.py': size 120 does not match manifest (118)".
 */
struct al_error {
	int code;
	char msg[256];
};

enum {
	AL_OK = 0,
	AL_EINVAL = -1,     /* input refused: malformed, out of policy */
	AL_ENOMEM = -2,     /* allocation failed */
	AL_EIO = -3,        /* reading or writing a file failed */
	AL_ELIMIT = -4,     /* a size or count limit was exceeded */
	AL_ECRYPTO = -5,    /* gpg refused: unknown key, agent, ... */
	AL_EINTEGRITY = -6, /* bad signature, hash mismatch, tampering */
	AL_ENOTFOUND = -7,  /* a named thing does not exist */
	AL_EEXIST = -8,     /* refusing to overwrite something that exists */
	AL_EUSAGE = -9,     /* the caller asked for something impossible */
	AL_ENOTIMPL = -10,  /* not built yet */
	AL_ESTOPPED = -11,  /* stopped because the caller stopped reading */
};

/*
 * Set the error err, which may be NULL, to code and a printf-style message;
 * returns code so that "return al_error_set(err, AL_EINVAL, ...);" reads well.
 * A message longer than the buffer is cut, never overflowed.
 */
int al_error_set(struct al_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset err to AL_OK with an empty message.  NULL-safe. */
void al_error_clear(struct al_error *err);

/* A short name for a code ("invalid input", "out of memory", ...). */
const char *al_error_name(int code);

#endif
