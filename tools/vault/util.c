/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_ledger.h"
#include "al_text.h"
#include "cli.h"
#include "vault.h"

const char *vault_given;

void vault_print_visible(FILE *f, const char *s)
{
	al_cli_print_visible(f, s);
}

void vault_fail(const struct al_error *err)
{
	al_cli_fail("airlock-vault", err);
}

void vault_fail_on(const char *what, const struct al_error *err)
{
	fputs("airlock-vault: ", stderr);
	al_cli_print_visible(stderr, what);
	fputs(": ", stderr);
	al_cli_print_message(stderr,
			     err->msg[0] ? err->msg : al_error_name(err->code));
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
	return al_cli_print_json(doc);
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

int vault_end(struct al_vault *v, bool skip, int rc)
{
	struct al_checkpoint_result cp;
	struct al_error err = {0};
	int crc;

	if (!v || skip)
		return rc;
	if (!(crc = al_vault_checkpoint(v, &cp, &err)))
		return rc;
	fputs("airlock-vault: the ledger records the change, but no checkpoint "
	      "was signed: ",
	      stderr);
	al_cli_print_message(stderr, err.msg[0] ? err.msg
						: al_error_name(err.code));
	fputs(" ('airlock-vault checkpoint' signs it)\n", stderr);
	return rc ? rc : crc;
}
