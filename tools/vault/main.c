/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-vault: the maintainers' tool.  Imports encrypted bundles into a
 * local vault (ledger + store of ciphertext), lists, shows and opens them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "vault.h"

static const struct al_cli_command commands[] = {
	{"init", cmd_init, "create a vault for the maintainers' key"},
	{"import", cmd_import, "import bundles (files or folders of them)"},
	{"list", cmd_list, "list reports"},
	{"show", cmd_show, "show one report and its history"},
	{"open", cmd_open, "decrypt a report's bundle into a new folder"},
	{"log", cmd_log, "the ledger's history"},
	{"checkpoint", cmd_checkpoint, "sign the ledger's tree head"},
	{"audit", cmd_audit, "check the ledger, checkpoints and store"},
	{"export", cmd_export,
	 "export the ledger, an advisory, credits or reports"},
	{"proof", cmd_proof, "an inclusion proof of a report's import"},
	{"purge", cmd_purge, "delete a report's ciphertext (retention)"},
	{"ack", cmd_ack, "acknowledge a report"},
	{"triage", cmd_triage, "rate a report (--rating or --cvss)"},
	{"status", cmd_status, "move a report along its life"},
	{"note", cmd_note, "add a maintainers' note to a report"},
	{"dups", cmd_dups, "likely duplicates of a report, best first"},
	{"dup", cmd_dup, "record that a report duplicates an earlier one"},
	{"undup", cmd_undup, "take a duplicate decision back"},
	{"due", cmd_due, "what is overdue or falls due soon"},
	{"agenda", cmd_agenda, "the weekly triage list"},
	{"sla", cmd_sla, "times to acknowledge, triage and fix"},
	{"reply", cmd_reply, "seal an answer to the reporter's key"},
	{"policy", cmd_policy, "export the policy kit for SECURITY.md"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: airlock-vault [--vault DIR] COMMAND [OPTIONS] "
		   "[ARGS]\n\n"
		   "Keep a project's security reports: import encrypted "
		   "bundles, offline.\n\ncommands:\n");
	al_cli_list_commands(f, commands, NCOMMANDS);
	fprintf(f, "\nThe vault is --vault DIR, else $AIRLOCK_VAULT, else "
		   "$XDG_DATA_HOME/airlock.\n'airlock-vault COMMAND --help' "
		   "shows a command's options; 'man airlock-vault' the "
		   "manual.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	/* nothing the vault writes is for anyone else */
	umask(077);
	while (i < argc && !strncmp(argv[i], "--vault", 7)) {
		if (argv[i][7] == '=') {
			vault_given = argv[i] + 8;
			i++;
		} else if (!argv[i][7] && i + 1 < argc) {
			vault_given = argv[i + 1];
			i += 2;
		} else {
			break;
		}
	}
	return al_cli_dispatch("airlock-vault", commands, NCOMMANDS, usage,
			       argc - i, argv + i);
}
