/* SPDX-License-Identifier: Apache-2.0 */
/* airlock-vault open ID [-o DIR]: a report's files, decrypted, in a new
 * folder. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
	"  -o, --output DIR   the new folder (default ./airlock-ID)\n"
	"  --no-checkpoint    do not sign a checkpoint afterwards\n";

static void on_signal(int sig)
{
	al_vault_stop = sig;
}

/* Ctrl-C, SIGTERM, SIGHUP: stop writing, remove the half-written folder,
 * then die of the signal.  A signal the caller ignores stays ignored. */
static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: reads return EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static void die_of_signal(void)
{
	int sig = al_vault_stop;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		NO_CHECKPOINT_OPTION,
		VAULT_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct al_error err = {0};
	struct al_vault *v = NULL;
	const char *dir = NULL;
	char id[37], def[64];
	bool skip = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'N':
			skip = true;
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
	if ((rc = vault_open_rw(&v)))
		return rc;
	if ((rc = al_vault_find(v, argv[optind], id, &err)))
		goto fail;
	if (!dir) {
		snprintf(def, sizeof(def), "airlock-%s", id);
		dir = def;
	}
	catch_signals();
	rc = al_vault_extract(v, id, dir, &err);
	if (al_vault_stop) {
		al_vault_close(v);
		die_of_signal();
	}
	if (rc)
		goto fail;
	vault_say("report %s opened in %s", id, dir);
	rc = vault_end(v, skip, 0);
	al_vault_close(v);
	return rc;
fail:
	vault_fail(&err);
	al_vault_close(v);
	return rc;
}
