/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "al_config.h"
#include "al_text.h"
#include "cli.h"

int al_cli_exit_code(int rc)
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

void al_cli_list_commands(FILE *f, const struct al_cli_command *cmds, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(cmds[i].name) > w)
			w = (int)strlen(cmds[i].name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-*s  %s\n", w, cmds[i].name, cmds[i].summary);
}

int al_cli_dispatch(const char *prog, const struct al_cli_command *cmds,
		    size_t n, void (*usage)(FILE *f), int argc, char **argv)
{
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") ||
	    !strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "--version")) {
		printf("%s %s\n", prog, AL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return al_cli_exit_code(cmds[i].fn(argc, argv));
	fprintf(stderr, "%s: '", prog);
	al_cli_print_visible(stderr, argv[0]);
	fprintf(stderr, "' is not an %s command; see '%s --help'\n", prog,
		prog);
	return 2;
}

void al_cli_print_visible(FILE *f, const char *s)
{
	char buf[1024];

	fputs(al_text_visible(s, strlen(s), buf, sizeof(buf)), f);
}

void al_cli_print_message(FILE *f, const char *s)
{
	size_t len = strlen(s);

	if (al_utf8_valid(s, len) && !al_text_has_control(s, len))
		fputs(s, f);
	else
		al_cli_print_visible(f, s);
}

void al_cli_fail(const char *prog, const struct al_error *err)
{
	fprintf(stderr, "%s: ", prog);
	al_cli_print_message(stderr,
			     err->msg[0] ? err->msg : al_error_name(err->code));
	fputc('\n', stderr);
}

int al_cli_print_json(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS |
					  JSON_REAL_PRECISION(15)),
	     *safe;

	if (!s)
		return AL_ENOMEM;
	/* untrusted strings (titles, names, reasons) reach a terminal here
	 * too: jansson escapes only controls below U+0020 */
	safe = al_text_json_controls(s, strlen(s));
	free(s);
	if (!safe)
		return AL_ENOMEM;
	puts(safe);
	free(safe);
	return fflush(stdout) == 0 ? 0 : AL_EIO;
}
