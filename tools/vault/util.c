/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_text.h"
#include "vault.h"

const char *vault_given;

void vault_print_visible(FILE *f, const char *s)
{
	char buf[1024];

	fputs(al_text_visible(s, strlen(s), buf, sizeof(buf)), f);
}

/* A message from the library: its untrusted parts (names) are already
 * made visible, so a clean message is printed as it is (escaping it again
 * would double every backslash); one that still holds a control
 * character or invalid UTF-8 is escaped as a whole. */
static void print_message(FILE *f, const char *s)
{
	size_t len = strlen(s);

	if (al_utf8_valid(s, len) && !al_text_has_control(s, len))
		fputs(s, f);
	else
		vault_print_visible(f, s);
}

void vault_fail(const struct al_error *err)
{
	fputs("airlock-vault: ", stderr);
	print_message(stderr, err->msg[0] ? err->msg : al_error_name(err->code));
	fputc('\n', stderr);
}

void vault_fail_on(const char *what, const struct al_error *err)
{
	fputs("airlock-vault: ", stderr);
	vault_print_visible(stderr, what);
	fputs(": ", stderr);
	print_message(stderr, err->msg[0] ? err->msg : al_error_name(err->code));
	fputc('\n', stderr);
}

void vault_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vault_print_visible(stderr, buf);
	fputc('\n', stderr);
}

int vault_print_json(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (!s)
		return AL_ENOMEM;
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? 0 : AL_EIO;
}

int vault_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return AL_EUSAGE;
}

int vault_open(struct al_vault **v)
{
	struct al_error err = {0};
	char *path = NULL;
	int rc;

	if ((rc = al_vault_path(vault_given, &path, &err)) ||
	    (rc = al_vault_open(path, v, &err)))
		vault_fail(&err);
	free(path);
	return rc;
}
