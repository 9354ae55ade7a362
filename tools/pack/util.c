/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_text.h"
#include "cli.h"
#include "pack.h"

void pack_fail(const struct al_error *err)
{
	al_cli_fail("airlock-pack", err);
}

void pack_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	al_cli_print_visible(stderr, buf);
	fputc('\n', stderr);
}

int pack_print_json(json_t *doc)
{
	return al_cli_print_json(doc);
}

size_t pack_draft_problems(const struct pack_draft *pd)
{
	return al_problems_count(&pd->report) + al_problems_count(&pd->other);
}

void pack_draft_print(const struct pack_draft *pd)
{
	for (size_t i = 0; i < pd->report.n; i++) {
		if (pd->report.v[i].line)
			fprintf(stderr, "report.md:%u: ", pd->report.v[i].line);
		else
			fputs("report.md: ", stderr);
		al_cli_print_visible(stderr, pd->report.v[i].msg);
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < pd->other.n; i++) {
		al_cli_print_visible(stderr, pd->other.v[i].msg);
		fputc('\n', stderr);
	}
	if (pd->report.dropped + pd->other.dropped)
		fprintf(stderr, "... and %zu more problems\n",
			pd->report.dropped + pd->other.dropped);
}

/* A JSON string for a message that may hold bytes that are not UTF-8. */
static json_t *json_text(const char *s, size_t len)
{
	char buf[1024];

	if (al_utf8_valid(s, len))
		return json_stringn(s, len);
	return json_string(al_text_visible(s, len, buf, sizeof(buf)));
}

static json_t *problem_json(const char *file, size_t flen, unsigned line,
			    const char *msg)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "file", json_text(file, flen));
	json_object_set_new(o, "line", json_integer(line));
	json_object_set_new(o, "message", json_text(msg, strlen(msg)));
	return o;
}

json_t *pack_draft_problems_json(const struct pack_draft *pd)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < pd->report.n; i++)
		json_array_append_new(a, problem_json("report.md", 9,
						      pd->report.v[i].line,
						      pd->report.v[i].msg));
	for (size_t i = 0; i < pd->other.n; i++) {
		/* "attachments/x: message" */
		const char *m = pd->other.v[i].msg, *sep = strstr(m, ": ");
		if (sep)
			json_array_append_new(
				a,
				problem_json(m, (size_t)(sep - m), 0, sep + 2));
		else
			json_array_append_new(a, problem_json("", 0, 0, m));
	}
	return a;
}

static char tmp_path[4096];
static volatile sig_atomic_t have_tmp;

static void on_signal(int sig)
{
	if (have_tmp)
		unlink(tmp_path); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

void pack_signals_init(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* a signal the caller ignores (nohup, "cmd &") stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void pack_tmp_set(const char *path)
{
	have_tmp = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (path && strlen(path) < sizeof(tmp_path)) {
		memcpy(tmp_path, path, strlen(path) + 1);
		/* the name is complete before the handler may look at it */
		atomic_signal_fence(memory_order_seq_cst);
		have_tmp = 1;
	}
}
