/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-pack: the researcher's tool.  Writes a report offline, checks it
 * against the project's policy, and seals it into one encrypted bundle.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pack.h"

static const struct al_cli_command commands[] = {
	{"new", cmd_new, "make a draft folder with a report.md template"},
	{"check", cmd_check, "check a draft (and against a policy kit)"},
	{"seal", cmd_seal, "seal a draft into an encrypted bundle"},
	{"read-reply", cmd_read_reply,
	 "decrypt and show the maintainers' reply"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: airlock-pack COMMAND [OPTIONS] [ARGS]\n\n"
		   "Write a security report offline and seal it for a "
		   "project's maintainers.\n\ncommands:\n");
	al_cli_list_commands(f, commands, NCOMMANDS);
	fprintf(f, "\n'airlock-pack COMMAND --help' shows a command's "
		   "options; 'man airlock-pack' the whole manual.\n");
}

int main(int argc, char **argv)
{
	pack_signals_init();
	return al_cli_dispatch("airlock-pack", commands, NCOMMANDS, usage,
			       argc - 1, argv + 1);
}
