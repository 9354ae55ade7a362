/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for checkpoint texts and strict base64: a text that
 * parses must format back to the same bytes, and base64 that decodes must
 * encode back to the same characters (one spelling for each value); what
 * is refused must say why.  The input is also encoded as raw bytes and
 * decoded again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_base64.h"
#include "al_checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* base64 inputs are bounded so that the buffers below are fixed */
#define B64_MAX 4096

static void refused_says_why(int rc, const struct al_error *err, int code,
			     const char *prefix)
{
	if (rc != code || err->code != code ||
	    strncmp(err->msg, prefix, strlen(prefix)) != 0)
		abort();
}

static void checkpoint(const uint8_t *data, size_t size)
{
	struct al_error err = {0};
	struct al_checkpoint c, back;
	char out[AL_CHECKPOINT_TEXT_MAX];
	size_t len = 0;
	int rc;

	rc = al_checkpoint_parse((const char *)data, size, &c, &err);
	if (rc) {
		refused_says_why(rc, &err, AL_EINVAL, "checkpoint: ");
		return;
	}
	if (al_checkpoint_format(&c, out, &len, &err) != 0)
		abort();
	if (len != size || memcmp(out, data, size) != 0 || out[len] != '\0')
		abort();
	if (al_checkpoint_parse(out, len, &back, &err) != 0 ||
	    memcmp(&back, &c, sizeof(c)) != 0)
		abort();
}

static void base64_decode(const uint8_t *data, size_t size)
{
	static uint8_t bytes[B64_MAX];
	static char again[AL_BASE64_LEN(B64_MAX) + 1];
	struct al_error err = {0};
	size_t n = 0;
	int rc;

	if (size > B64_MAX)
		return;
	rc = al_base64_decode((const char *)data, size, bytes, sizeof(bytes),
			      &n, &err);
	if (rc) {
		refused_says_why(rc, &err, AL_EINVAL, "not base64: ");
		return;
	}
	al_base64_encode(bytes, n, again);
	if (strlen(again) != size || memcmp(again, data, size) != 0)
		abort();
}

static void base64_encode(const uint8_t *data, size_t size)
{
	static char text[AL_BASE64_LEN(B64_MAX) + 1];
	static uint8_t back[B64_MAX];
	struct al_error err = {0};
	size_t n = 0;

	if (size > B64_MAX)
		return;
	al_base64_encode(data, size, text);
	if (strlen(text) != AL_BASE64_LEN(size))
		abort();
	if (al_base64_decode(text, strlen(text), back, size, &n, &err) != 0 ||
	    n != size || memcmp(back, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	checkpoint(data, size);
	base64_decode(data, size);
	base64_encode(data, size);
	return 0;
}
