/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_CLI_H
#define AL_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "al_error.h"

/* What both programs share: the command table, exit statuses, printing
 * untrusted text, JSON on stdout (spec cli-v1 "Global conventions"). */

struct al_cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* 0 -> 0, AL_EUSAGE -> 2, AL_EINTEGRITY -> 3, any other failure -> 1. */
int al_cli_exit_code(int rc);

/* The commands, one a line, for a usage text. */
void al_cli_list_commands(FILE *f, const struct al_cli_command *cmds, size_t n);

/*
 * Run the command argv[0] names (argv[0] is the command's name) and return
 * the exit status; "--help", "-h", "help" call usage(stdout); "--version"
 * prints "PROG VERSION".  An unknown command is a usage error (2).
 */
int al_cli_dispatch(const char *prog, const struct al_cli_command *cmds,
		    size_t n, void (*usage)(FILE *f), int argc, char **argv);

/* s with every control character, bidi control and invalid byte made
 * visible (al_text_visible), no newline. */
void al_cli_print_visible(FILE *f, const char *s);

/* A message from the library, whose untrusted parts are already made
 * visible: printed as it is when it is clean (escaping again would double
 * every backslash), made visible as a whole otherwise. */
void al_cli_print_message(FILE *f, const char *s);

/* "PROG: MESSAGE\n" on stderr (the error's message, or its code's name). */
void al_cli_fail(const char *prog, const struct al_error *err);

/* A JSON document on stdout, keys sorted, two-space indent.  AL_ENOMEM,
 * AL_EIO. */
int al_cli_print_json(json_t *doc);

#endif
