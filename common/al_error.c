/* SPDX-License-Identifier: Apache-2.0 */
#include "al_error.h"

#include <stdarg.h>
#include <stdio.h>

int al_error_set(struct al_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void al_error_clear(struct al_error *err)
{
	if (!err)
		return;
	err->code = AL_OK;
	err->msg[0] = '\0';
}

const char *al_error_name(int code)
{
	switch (code) {
	case AL_OK:
		return "ok";
	case AL_EINVAL:
		return "invalid input";
	case AL_ENOMEM:
		return "out of memory";
	case AL_EIO:
		return "i/o error";
	case AL_ELIMIT:
		return "limit exceeded";
	case AL_ECRYPTO:
		return "gpg error";
	case AL_EINTEGRITY:
		return "integrity failure";
	case AL_ENOTFOUND:
		return "not found";
	case AL_EEXIST:
		return "already exists";
	case AL_EUSAGE:
		return "usage error";
	case AL_ENOTIMPL:
		return "not implemented";
	case AL_ESTOPPED:
		return "stopped";
	default:
		return "unknown error";
	}
}
