/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "al_io.h"
#include "test_data.h"

static char *vpath(const char *fmt, va_list ap)
{
	const char *dir = getenv("AL_TEST_DATA");
	char rel[1024], *p;
	size_t n;

	if (!dir)
		fail_msg("AL_TEST_DATA is not set");
	vsnprintf(rel, sizeof(rel), fmt, ap);
	n = strlen(dir) + strlen(rel) + 2;
	p = malloc(n);
	if (!p)
		fail_msg("out of memory");
	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

char *al_test_path(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vpath(fmt, ap);
	va_end(ap);
	return p;
}

char *al_test_read(size_t *len, const char *fmt, ...)
{
	struct al_error err = {0};
	char *path, *buf = NULL;
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	path = vpath(fmt, ap);
	va_end(ap);
	if (al_read_file(path, 64u << 20, &buf, &n, &err) != 0)
		fail_msg("cannot read '%s': %s", path, err.msg);
	free(path);
	if (len)
		*len = n;
	return buf;
}

FILE *al_test_open(const char *fmt, ...)
{
	va_list ap;
	char *path;
	FILE *f;

	va_start(ap, fmt);
	path = vpath(fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open '%s': %s", path, strerror(errno));
	free(path);
	return f;
}
