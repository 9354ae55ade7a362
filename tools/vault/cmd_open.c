/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-vault open ID [-o DIR]: a report's files, decrypted, in a new
 * folder. */
#include <stdio.h>
#include <stdlib.h>

#include "al_import.h"
#include "vault.h"

static const char usage_text[] =
	"usage: airlock-vault [--vault DIR] open ID [-o DIR]\n\n"
	"Decrypt the report's stored bundle, check it again, and write its\n"
	"files into a new private folder (default ./airlock-ID): report.md\n"
	"(the texts), manifest.json, attachments/..., keys/reply.asc.  An\n"
	"existing path is never overwritten and links are never followed.\n"
	"The opening is recorded in the ledger.\n\n"
	"  -o, --output DIR   the new folder (default ./airlock-ID)\n";

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	const char *dir = NULL;
	char id[37], def[64];
	int c, rc;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return vault_usage_error(usage_text);
		}
	}
	if (optind + 1 != argc)
		return vault_usage_error(usage_text);
	if ((rc = vault_open(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)))
		goto fail;
	if (!dir) {
		snprintf(def, sizeof(def), "airlock-%s", id);
		dir = def;
	}
	if ((rc = al_vault_extract(v, id, dir, &err)))
		goto fail;
	vault_say("report %s opened in %s", id, dir);
	al_vault_close(v);
	return 0;
fail:
	vault_fail(&err);
	al_vault_close(v);
	return rc;
}
