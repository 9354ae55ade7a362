/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_io.h"
#include "al_jcs.h"
#include "al_ledger.h"
#include "al_text.h"
#include "cli.h"
#include "vault.h"

const char *vault_given;

void vault_print_visible(FILE *f, const char *s)
{
	al_cli_print_visible(f, s);
}

void vault_fail(const struct al_error *err)
{
	al_cli_fail("airlock-vault", err);
}

void vault_fail_on(const char *what, const struct al_error *err)
{
	fputs("airlock-vault: ", stderr);
	al_cli_print_visible(stderr, what);
	fputs(": ", stderr);
	al_cli_print_message(stderr,
			     err->msg[0] ? err->msg : al_error_name(err->code));
	fputc('\n', stderr);
}

void vault_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vault_print_visible(stderr, buf);
	fputc('\n', stderr);
}

int vault_print_json(json_t *doc)
{
	return al_cli_print_json(doc);
}

int vault_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return AL_EUSAGE;
}

/* On a terminal only: scripts get no noise for a wait that ends. */
static void say_waiting(void)
{
	if (!isatty(2))
		return;
	fputs("airlock-vault: waiting for another airlock-vault to finish "
	      "with the vault...\n",
	      stderr);
}

int vault_open_rw(struct al_vault **v)
{
	struct al_error err = {0};
	int rc;

	if ((rc = vault_open(v)))
		return rc;
	if ((rc = al_vault_lock(*v, say_waiting, &err))) {
		vault_fail(&err);
		al_vault_close(*v);
		*v = NULL;
	}
	return rc;
}

int vault_open(struct al_vault **v)
{
	struct al_error err = {0};
	char *path = NULL;
	int rc;

	if ((rc = al_vault_path(vault_given, &path, &err)) ||
	    (rc = al_vault_open(path, v, &err)))
		vault_fail(&err);
	free(path);
	return rc;
}

int vault_end(struct al_vault *v, bool skip, int rc)
{
	struct al_checkpoint_result cp;
	struct al_error err = {0};
	int crc;

	if (!v || skip)
		return rc;
	if (!(crc = al_vault_checkpoint(v, true, -1, &cp, &err)))
		return rc;
	fputs("airlock-vault: this command's change is recorded, but no "
	      "checkpoint was signed: ",
	      stderr);
	al_cli_print_message(stderr,
			     err.msg[0] ? err.msg : al_error_name(err.code));
	if (crc != AL_EINTEGRITY)
		fputs(" ('airlock-vault checkpoint' signs it later)", stderr);
	fputc('\n', stderr);
	return rc ? rc : crc;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* A growing line of the history, printed with every control character
 * made visible (each part of it may come from a tampered ledger). */
struct line {
	char buf[2048];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len
				  ? (size_t)n
				  : sizeof(l->buf) - 1 - l->len;
}

static void add_sig(struct line *l, const json_t *sig)
{
	add(l, "signature %s", jstr(sig, "state"));
	if (*jstr(sig, "fpr"))
		add(l, " %s", jstr(sig, "fpr"));
}

/* ": TEXT" for a text the vault keeps (a reason, a note), its first line
 * only, looked up by hash. */
static void add_text(struct line *l, struct al_vault *v, const char *sha)
{
	char *text = NULL;
	struct al_error e;
	size_t n;

	if (!*sha)
		return;
	if (!v || al_db_get_text(v->db, sha, &text, &e)) {
		add(l, ": text %.12s", sha);
		return;
	}
	n = strcspn(text, "\n");
	add(l, ": %.*s%s", (int)n, text,
	    text[n + strspn(text + n, "\n")] ? " ..." : "");
	free(text);
}

static void details(struct line *l, const char *kind, const json_t *d,
		    struct al_vault *v)
{
	if (!strcmp(kind, "init")) {
		add(l, "key %s, origin %s", jstr(d, "key"), jstr(d, "origin"));
	} else if (!strcmp(kind, "import")) {
		add(l, "revision %lld, %lld bytes, bundle %.12s, ",
		    (long long)json_integer_value(
			    json_object_get(d, "revision")),
		    (long long)json_integer_value(json_object_get(d, "bytes")),
		    jstr(d, "bundle"));
		add_sig(l, json_object_get(d, "signature"));
	} else if (!strcmp(kind, "replay")) {
		add(l, "bundle %.12s, ", jstr(d, "bundle"));
		add_sig(l, json_object_get(d, "signature"));
		if (json_is_true(json_object_get(d, "restored")))
			add(l, ", restored the lost blob");
		if (json_is_true(json_object_get(d, "purged")))
			add(l, ", purged: not stored");
	} else if (!strcmp(kind, "refused")) {
		char *reason = NULL;
		struct al_error e;

		/* the reason stays in the vault; the event has its hash */
		if (v && al_db_get_text(v->db, jstr(d, "reason_sha256"),
					&reason, &e))
			reason = NULL;
		add(l, "bundle %.12s: %s",
		    *jstr(d, "bundle") ? jstr(d, "bundle") : "-",
		    reason ? reason : jstr(d, "reason_sha256"));
		free(reason);
	} else if (!strcmp(kind, "open")) {
		add(l, "bundle %.12s", jstr(d, "bundle"));
	} else if (!strcmp(kind, "tombstone")) {
		add(l, "%zu bundles deleted: %s",
		    json_array_size(json_object_get(d, "bundles")),
		    jstr(d, "reason"));
	} else if (!strcmp(kind, "checkpoint")) {
		add(l, "size %lld",
		    (long long)json_integer_value(json_object_get(d, "size")));
	} else if (!strcmp(kind, "export")) {
		add(l, "%s", jstr(d, "what"));
		if (*jstr(d, "format"))
			add(l, " (%s)", jstr(d, "format"));
	} else if (!strcmp(kind, "ack") || !strcmp(kind, "status")) {
		add(l, "%s -> %s", jstr(d, "from"), jstr(d, "to"));
		if (*jstr(d, "version"))
			add(l, ", version %s", jstr(d, "version"));
		if (*jstr(d, "of"))
			add(l, ", of %.8s", jstr(d, "of"));
		if (*jstr(d, "reason"))
			add(l, ", %s", jstr(d, "reason"));
		add_text(l, v, jstr(d, "reason_sha256"));
	} else if (!strcmp(kind, "triage")) {
		const json_t *score = json_object_get(d, "score");

		if (strcmp(jstr(d, "from"), jstr(d, "to")))
			add(l, "%s -> %s, ", jstr(d, "from"), jstr(d, "to"));
		add(l, "rated %s", jstr(d, "rating"));
		if (score)
			add(l, " (CVSS %lld.%lld)",
			    (long long)json_integer_value(score) / 10,
			    (long long)json_integer_value(score) % 10);
		add(l, ", fix in %lld days",
		    (long long)json_integer_value(
			    json_object_get(d, "fix_days")));
		add_text(l, v, jstr(d, "reason_sha256"));
	} else if (!strcmp(kind, "note")) {
		add(l, "note");
		add_text(l, v, jstr(d, "text_sha256"));
	} else if (!strcmp(kind, "reply")) {
		add(l, "reply %.12s sealed while %s", jstr(d, "sha256"),
		    jstr(d, "state"));
	} else {
		char *t = NULL;
		size_t len;
		struct al_error e;

		if (!al_jcs_dump(d, &t, &len, &e))
			add(l, "%s", t);
		free(t);
	}
}

void vault_print_event(FILE *f, const json_t *ev, bool with_report,
		       struct al_vault *v)
{
	const char *kind = jstr(ev, "kind");
	const char *report = json_string_value(json_object_get(ev, "report"));
	size_t klen = strlen(kind);
	struct line l = {.len = 0};

	add(&l, "%6lld  %s  %s%*s",
	    (long long)json_integer_value(json_object_get(ev, "seq")),
	    jstr(ev, "at"), kind, (int)(klen < 11 ? 11 - klen : 1), "");
	if (with_report)
		add(&l, "%s  ", report ? report : "-");
	details(&l, kind, json_object_get(ev, "data"), v);
	al_cli_print_visible(f, l.buf);
	fputc('\n', f);
}

int vault_parse(int argc, char **argv, const char *usage,
		const struct option *extra, size_t nextra,
		int (*on)(int c, void *ctx), void *ctx)
{
	struct option opts[16];
	size_t n = 0;
	int c;

	for (size_t i = 0; i < nextra && n < 13; i++)
		opts[n++] = extra[i];
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n++] = (struct option)VAULT_OPTION;
	opts[n] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			vault_given = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case '?':
			return vault_usage_error(usage);
		default:
			if (!on || on(c, ctx))
				return vault_usage_error(usage);
		}
	}
	return 0;
}

int vault_read_text(const char *path, size_t cap, char **out, size_t *len)
{
	struct al_error err = {0};
	size_t n = 0, c = 4096;
	char *buf;
	int rc;

	*out = NULL;
	*len = 0;
	if (strcmp(path, "-")) {
		if ((rc = al_read_file(path, cap, out, len, &err)))
			vault_fail(&err);
		return rc;
	}
	if (!(buf = malloc(c)))
		goto nomem;
	for (;;) {
		ssize_t r;

		if (n + 1 == c) {
			char *p;

			if (c > cap + 1) {
				free(buf);
				al_error_set(&err, AL_ELIMIT,
					     "standard input: more than %zu "
					     "bytes",
					     cap);
				vault_fail(&err);
				return AL_ELIMIT;
			}
			if (!(p = realloc(buf, c * 2)))
				goto nomem_buf;
			buf = p;
			c *= 2;
		}
		r = read(0, buf + n, c - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			al_error_set(&err, AL_EIO, "standard input: %s",
				     strerror(errno));
			vault_fail(&err);
			return AL_EIO;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > cap) {
		free(buf);
		al_error_set(&err, AL_ELIMIT,
			     "standard input: more than %zu bytes", cap);
		vault_fail(&err);
		return AL_ELIMIT;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
nomem_buf:
	free(buf);
nomem:
	al_error_set(&err, AL_ENOMEM, "out of memory");
	vault_fail(&err);
	return AL_ENOMEM;
}
