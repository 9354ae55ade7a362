/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-vault init --key FPR [--policy FILE]: create the vault. */
#include <stdio.h>
#include <stdlib.h>

#include "al_io.h"
#include "vault.h"

static const char usage_text[] =
	"usage: airlock-vault [--vault DIR] init --key FPR [--policy FILE]\n\n"
	"Create the vault: a private folder (0700) with the ledger, the store\n"
	"of bundles' ciphertext and the project's policy.  FPR is the full\n"
	"fingerprint of the maintainers' key: its secret part, in GNUPGHOME,\n"
	"decrypts bundles and signs the ledger's checkpoints.\n\n"
	"  --key FPR        the maintainers' key (required)\n"
	"  --policy FILE    the project's policy.json (default: the "
	"reference\n"
	"                   policy: 72 h to acknowledge, 7/30/60/90 days to "
	"fix)\n"
	"  --vault DIR      the vault folder (default $AIRLOCK_VAULT, else\n"
	"                   $XDG_DATA_HOME/airlock)\n";

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"policy", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *policy = NULL;
	struct al_error err = {0};
	char *path = NULL, *buf = NULL;
	size_t len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'p':
			policy = optarg;
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
	if (!key || optind != argc)
		return vault_usage_error(usage_text);
	if ((rc = al_vault_path(vault_given, &path, &err)))
		goto out;
	if (policy &&
	    (rc = al_read_file(policy, 1024 * 1024, &buf, &len, &err)))
		goto out;
	if ((rc = al_vault_init(path, key, buf, len, &err)))
		goto out;
	vault_say("vault created at %s", path);
out:
	if (rc)
		vault_fail(&err);
	free(path);
	free(buf);
	return rc;
}
