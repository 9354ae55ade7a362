/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-vault: the maintainers' tool.  Imports encrypted bundles into a
 * local vault (ledger + store of ciphertext), lists, shows and opens them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "al_config.h"
#include "vault.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"init", cmd_init, "create a vault for the maintainers' key"},
	{"import", cmd_import, "import bundles (files or folders of them)"},
	{"list", cmd_list, "list reports"},
	{"show", cmd_show, "show one report and its history"},
	{"open", cmd_open, "decrypt a report's bundle into a new folder"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: airlock-vault [--vault DIR] COMMAND [OPTIONS] "
		   "[ARGS]\n\n"
		   "Keep a project's security reports: import encrypted "
		   "bundles, offline.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nThe vault is --vault DIR, else $AIRLOCK_VAULT, else "
		   "$XDG_DATA_HOME/airlock.\n'airlock-vault COMMAND --help' "
		   "shows a command's options; 'man airlock-vault' the "
		   "manual.\n");
}

static int exit_code(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case AL_EUSAGE:
		return 2;
	case AL_EINTEGRITY:
		return 3;
	default:
		return 1;
	}
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
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
	    !strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "--version")) {
		printf("airlock-vault %s\n", AL_VERSION);
		return 0;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return exit_code(commands[c].fn(argc - i, argv + i));
	fprintf(stderr,
		"airlock-vault: '%.64s' is not an airlock-vault command; see "
		"'airlock-vault --help'\n",
		argv[i]);
	return 2;
}
