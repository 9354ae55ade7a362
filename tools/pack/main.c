/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlock-pack: the researcher's tool.  Writes a report offline, checks it
 * against the project's policy, and seals it into one encrypted bundle.
 */
#include <stdio.h>
#include <string.h>

#include "al_config.h"
#include "pack.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"new", cmd_new, "make a draft folder with a report.md template"},
	{"check", cmd_check, "check a draft (and against a policy kit)"},
	{"seal", cmd_seal, "seal a draft into an encrypted bundle"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: airlock-pack COMMAND [OPTIONS] [ARGS]\n\n"
		   "Write a security report offline and seal it for a "
		   "project's maintainers.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n'airlock-pack COMMAND --help' shows a command's "
		   "options; 'man airlock-pack' the whole manual.\n");
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
	pack_signals_init();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("airlock-pack %s\n", AL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return exit_code(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr,
		"airlock-pack: '%.64s' is not an airlock-pack command; see "
		"'airlock-pack --help'\n",
		argv[1]);
	return 2;
}
