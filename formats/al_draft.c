/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.md, the researcher's draft (docs/draft.md): header lines, a blank
 * line, Markdown sections.  Parsing collects every syntax problem with its
 * line; al_draft_to_manifest adds the semantic ones.
 */
#include "al_draft.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "al_cvss.h"
#include "al_manifest.h"
#include "al_text.h"
#include "al_uuid.h"
#include "al_vrange.h"

/* Bytes of untrusted text quoted in one message (cut with "..."). */
#define SHOW_MAX 72
/* One "Affected:" value, and the versions it may list. */
#define AFFECTED_MAX_BYTES  4096
#define AFFECTED_MAX_TOKENS 200
/* A normalised version. */
#define VERSION_MAX 256
/* "Project:" is a scope name. */
#define PROJECT_MAX_BYTES 100
/* "CWE-" and at most this many digits; at most this many CWE lines. */
#define CWE_MAX_DIGITS 7
#define CWE_MAX_COUNT  64
/* Characters in a one-line field of the manifest other than the title
 * (reporter name and contact, package name), as al_manifest_check has. */
#define LINE_MAX_CHARS 1000

static const char utf8_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* ---- small helpers ---- */

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		return AL_ENOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *np;
		while (ncap < b->len + n + 1) {
			if (ncap > SIZE_MAX / 2)
				return AL_ENOMEM;
			ncap *= 2;
		}
		np = realloc(b->p, ncap);
		if (!np)
			return AL_ENOMEM;
		b->p = np;
		b->cap = ncap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces and tabs from both ends of s[0..*n); returns the start. */
static const char *trim(const char *s, size_t *n)
{
	size_t a = 0, z = *n;

	while (a < z && is_ws(s[a]))
		a++;
	while (z > a && is_ws(s[z - 1]))
		z--;
	*n = z - a;
	return s + a;
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

/* Untrusted text for a message: control characters made visible, cut. */
static const char *show(const char *s, size_t n, char out[SHOW_MAX])
{
	return al_text_visible(s, n, out, SHOW_MAX);
}

/* Leading spaces when there are at most three (CommonMark's block
 * indentation), else -1. */
static int indent3(const char *s, size_t n)
{
	int i = 0;

	while ((size_t)i < n && s[i] == ' ') {
		if (++i > 3)
			return -1;
	}
	return i;
}

static bool eq_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* ---- headers and sections ---- */

enum hkey {
	H_ID,
	H_TITLE,
	H_PROJECT,
	H_CLASS,
	H_CWE,
	H_CVSS,
	H_RATING,
	H_AFFECTED,
	H_REPORTER,
	H_CREDIT,
	H_COUNT
};

static const char *const header_names[H_COUNT] = {
	"Id",   "Title",  "Project",  "Class",    "CWE",
	"CVSS", "Rating", "Affected", "Reporter", "Credit",
};

#define HEADER_LIST                                                          \
	"Id, Title, Project, Class, CWE, CVSS, Rating, Affected, Reporter, " \
	"Credit"

enum section { S_DESCRIPTION, S_STEPS, S_IMPACT, S_ADDITIONAL, S_COUNT };

static const char *const section_titles[S_COUNT] = {
	"Description",
	"Steps to reproduce",
	"Impact",
	"Additional information",
};

#define SECTION_LIST \
	"Description, Steps to reproduce, Impact, Additional information"

static const struct {
	const char *name;
	enum section sec;
} section_names[] = {
	{"description", S_DESCRIPTION},
	{"steps to reproduce", S_STEPS},
	{"steps", S_STEPS},
	{"impact", S_IMPACT},
	{"additional information", S_ADDITIONAL},
	{"additional", S_ADDITIONAL},
};

struct section_acc {
	struct buf text;
	unsigned first;   /* line of the first non-blank line; 0: none yet */
	size_t end;       /* text length up to the last non-blank line */
	unsigned heading; /* line of its "##" heading; 0: none */
};

struct parser {
	struct al_draft *d;
	struct al_problems *probs;
	struct section_acc sec[S_COUNT];
	int cur;          /* section receiving text; -1: discarded */
	bool body;        /* past the header's blank line */
	unsigned comment; /* line where an open comment began; 0: none */
	char fence_ch;    /* '`' or '~' inside a fenced code block, else 0 */
	size_t fence_len;
	unsigned fence_line;
};

static struct al_draft_field *single_field(struct al_draft *d, enum hkey k)
{
	switch (k) {
	case H_ID:
		return &d->id;
	case H_TITLE:
		return &d->title;
	case H_PROJECT:
		return &d->project;
	case H_CLASS:
		return &d->klass;
	case H_CVSS:
		return &d->cvss;
	case H_RATING:
		return &d->rating;
	case H_REPORTER:
		return &d->reporter;
	case H_CREDIT:
		return &d->credit;
	default:
		return NULL;
	}
}

static int set_field(struct al_draft_field *f, const char *v, size_t n,
		     unsigned line)
{
	f->value = strndup(v, n);
	if (!f->value)
		return AL_ENOMEM;
	f->line = line;
	return 0;
}

static int push_field(struct al_draft_field **v, size_t *n, const char *s,
		      size_t len, unsigned line)
{
	struct al_draft_field *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return AL_ENOMEM;
	*v = nv;
	nv[*n].value = NULL;
	if (set_field(&nv[*n], s, len, line))
		return AL_ENOMEM;
	(*n)++;
	return 0;
}

static int header_line(struct parser *ps, const char *s, size_t n,
		       unsigned line)
{
	const char *colon = memchr(s, ':', n);
	const char *key, *val;
	size_t klen, vlen;
	char shown[SHOW_MAX];
	int k;

	if (!colon) {
		al_problems_add(ps->probs, line,
				"header line without ':' (a blank line must "
				"separate the header from the body)");
		return 0;
	}
	klen = (size_t)(colon - s);
	key = trim(s, &klen);
	vlen = n - (size_t)(colon + 1 - s);
	val = trim(colon + 1, &vlen);
	if (!klen) {
		al_problems_add(ps->probs, line,
				"header line with an empty key");
		return 0;
	}
	for (k = 0; k < H_COUNT; k++)
		if (eq_ci(key, klen, header_names[k]))
			break;
	if (k == H_COUNT) {
		al_problems_add(ps->probs, line,
				"unknown header '%s' (known: " HEADER_LIST ")",
				show(key, klen, shown));
		return 0;
	}
	if (!vlen) {
		/* an empty value is no value, but its line lets a "missing"
		 * problem point at the header to fill in */
		if (k == H_AFFECTED) {
			if (!ps->d->affected_line)
				ps->d->affected_line = line;
		} else if (k != H_CWE) {
			struct al_draft_field *e =
				single_field(ps->d, (enum hkey)k);
			if (!e->value && !e->line)
				e->line = line;
		}
		return 0;
	}
	if (k == H_AFFECTED && !ps->d->affected_line)
		ps->d->affected_line = line;
	if (k == H_CWE)
		return push_field(&ps->d->cwe, &ps->d->ncwe, val, vlen, line);
	if (k == H_AFFECTED)
		return push_field(&ps->d->affected, &ps->d->naffected, val,
				  vlen, line);
	struct al_draft_field *f = single_field(ps->d, (enum hkey)k);
	if (f->value) {
		al_problems_add(ps->probs, line,
				"header '%s' repeated (first on line %u)",
				header_names[k], f->line);
		return 0;
	}
	return set_field(f, val, vlen, line);
}

/* A level-two ATX heading: its title in *t / *tn. */
static bool heading2(const char *s, size_t n, const char **t, size_t *tn)
{
	int i = indent3(s, n);
	size_t a, z;

	if (i < 0 || n - (size_t)i < 2 || s[i] != '#' || s[i + 1] != '#')
		return false;
	a = (size_t)i + 2;
	if (a < n && !is_ws(s[a]))
		return false; /* "###..." or "##Title" */
	z = n;
	while (a < z && is_ws(s[a]))
		a++;
	while (z > a && is_ws(s[z - 1]))
		z--;
	/* an optional closing sequence of '#', after a space */
	size_t h = z;
	while (h > a && s[h - 1] == '#')
		h--;
	if (h < z && (h == a || is_ws(s[h - 1]))) {
		z = h;
		while (z > a && is_ws(s[z - 1]))
			z--;
	}
	*t = s + a;
	*tn = z - a;
	return true;
}

/* Case-insensitive match of a heading title, runs of blanks as one. */
static bool title_is(const char *t, size_t tn, const char *name)
{
	size_t i = 0;

	for (const char *c = name; *c; c++) {
		if (i >= tn)
			return false;
		if (*c == ' ') {
			if (!is_ws(t[i]))
				return false;
			while (i < tn && is_ws(t[i]))
				i++;
			continue;
		}
		if (strncasecmp(c, t + i, 1) != 0)
			return false;
		i++;
	}
	return i == tn;
}

static void section_heading(struct parser *ps, const char *t, size_t tn,
			    unsigned line)
{
	char shown[SHOW_MAX];
	size_t i;

	for (i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (title_is(t, tn, section_names[i].name))
			break;
	if (i == sizeof(section_names) / sizeof(section_names[0])) {
		al_problems_add(ps->probs, line,
				"unknown section '%s' (known: " SECTION_LIST
				")",
				show(t, tn, shown));
		ps->cur = -1;
		return;
	}
	enum section s = section_names[i].sec;
	struct section_acc *acc = &ps->sec[s];
	if (acc->heading) {
		al_problems_add(ps->probs, line,
				"section '%s' repeated (first on line %u)",
				section_titles[s], acc->heading);
		ps->cur = -1;
		return;
	}
	if (acc->first) {
		/* only the description can have text before its heading;
		 * which of the two the researcher meant is not ours to guess */
		al_problems_add(ps->probs, acc->first,
				"text before the first heading is the "
				"description, and there is also a '## %s' "
				"section (line %u); put all of it under one",
				section_titles[s], line);
		ps->cur = -1;
		return;
	}
	acc->heading = line;
	ps->cur = (int)s;
}

static int section_text(struct parser *ps, const char *s, size_t n,
			unsigned line)
{
	struct section_acc *acc;
	bool blank = is_blank(s, n);

	if (ps->cur < 0)
		return 0; /* under a heading already reported */
	acc = &ps->sec[ps->cur];
	if (blank && !acc->first)
		return 0;
	if (!acc->first)
		acc->first = line;
	else if (buf_add(&acc->text, "\n", 1))
		return AL_ENOMEM;
	if (buf_add(&acc->text, s, n))
		return AL_ENOMEM;
	if (!blank)
		acc->end = acc->text.len;
	return 0;
}

static bool fence_open(const char *s, size_t n, char *ch, size_t *flen)
{
	int i = indent3(s, n);
	size_t k, a;

	if (i < 0 || (size_t)i >= n || (s[i] != '`' && s[i] != '~'))
		return false;
	a = (size_t)i;
	for (k = a; k < n && s[k] == s[a]; k++)
		;
	if (k - a < 3)
		return false;
	if (s[a] == '`' && memchr(s + k, '`', n - k))
		return false; /* a backtick fence's info string has none */
	*ch = s[a];
	*flen = k - a;
	return true;
}

static bool fence_close(const char *s, size_t n, char ch, size_t flen)
{
	int i = indent3(s, n);
	size_t k;

	if (i < 0)
		return false;
	for (k = (size_t)i; k < n && s[k] == ch; k++)
		;
	return k - (size_t)i >= flen && is_blank(s + k, n - k);
}

static int body_line(struct parser *ps, const char *s, size_t n, unsigned line)
{
	const char *t;
	size_t tn;

	if (ps->fence_ch) {
		if (fence_close(s, n, ps->fence_ch, ps->fence_len))
			ps->fence_ch = 0;
		return section_text(ps, s, n, line);
	}
	if (fence_open(s, n, &ps->fence_ch, &ps->fence_len)) {
		ps->fence_line = line;
		return section_text(ps, s, n, line);
	}
	if (heading2(s, n, &t, &tn)) {
		section_heading(ps, t, tn, line);
		return 0;
	}
	return section_text(ps, s, n, line);
}

/* Find "-->" in s[from..n). */
static const char *comment_end(const char *s, size_t n, size_t from)
{
	for (size_t i = from; i + 3 <= n; i++)
		if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
			return s + i;
	return NULL;
}

static void comment_closed(struct parser *ps, const char *s, size_t n,
			   const char *end, unsigned line)
{
	size_t after = n - (size_t)(end + 3 - s);

	if (!is_blank(end + 3, after))
		al_problems_add(ps->probs, line,
				"text after '-->' on the same line (it would "
				"be dropped with the comment; move it to its "
				"own line)");
}

/* Comments: a line starting (after up to three spaces) with "<!--" begins
 * one; it ends with the first line holding "-->".  All its lines go. */
static bool comment_line(struct parser *ps, const char *s, size_t n,
			 unsigned line)
{
	const char *end;
	int i;

	if (ps->comment) {
		end = comment_end(s, n, 0);
		if (end) {
			comment_closed(ps, s, n, end, line);
			ps->comment = 0;
		}
		return true;
	}
	if (ps->body && ps->fence_ch)
		return false;
	i = indent3(s, n);
	if (i < 0 || n - (size_t)i < 4 || memcmp(s + i, "<!--", 4) != 0)
		return false;
	end = comment_end(s, n, (size_t)i + 4);
	if (end)
		comment_closed(ps, s, n, end, line);
	else
		ps->comment = line;
	return true;
}

static int one_line(struct parser *ps, const char *s, size_t n, unsigned line)
{
	if (comment_line(ps, s, n, line))
		return 0;
	if (!ps->body) {
		const char *t;
		size_t tn;

		if (is_blank(s, n)) {
			ps->body = true;
			return 0;
		}
		if (!heading2(s, n, &t, &tn))
			return header_line(ps, s, n, line);
		/* the body began without its blank line: say so once and
		 * read on as body, rather than a problem a line */
		al_problems_add(ps->probs, line,
				"a blank line must separate the header from "
				"the body");
		ps->body = true;
	}
	return body_line(ps, s, n, line);
}

/* Expected length of a UTF-8 sequence from its lead byte; 0 if none. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Copy raw[0..n) into clean with NUL bytes and invalid UTF-8 replaced by
 * U+FFFD, reporting each kind once for the line. */
static int clean_line(struct buf *clean, const char *raw, size_t n,
		      unsigned line, struct al_problems *probs)
{
	bool nul = false, bad = false;
	size_t i = 0;

	clean->len = 0;
	if (buf_add(clean, "", 0))
		return AL_ENOMEM;
	while (i < n) {
		unsigned char c = (unsigned char)raw[i];
		size_t k = c < 0x80 ? 1 : utf8_seq_len(c);
		bool ok = c != 0 && k && k <= n - i &&
			  (k == 1 || al_utf8_valid(raw + i, k));

		if (!ok) {
			/* one replacement character a bad byte */
			if (c == 0)
				nul = true;
			else
				bad = true;
			if (buf_add(clean, utf8_replacement, 3))
				return AL_ENOMEM;
			i++;
			continue;
		}
		if (buf_add(clean, raw + i, k))
			return AL_ENOMEM;
		i += k;
	}
	if (nul)
		al_problems_add(probs, line, "NUL byte in the line");
	if (bad)
		al_problems_add(probs, line, "line is not valid UTF-8");
	return 0;
}

static int finish_sections(struct parser *ps)
{
	struct al_draft_field *f[S_COUNT] = {
		&ps->d->description,
		&ps->d->steps,
		&ps->d->impact,
		&ps->d->additional,
	};

	for (int s = 0; s < S_COUNT; s++) {
		struct section_acc *acc = &ps->sec[s];
		if (!acc->first) {
			f[s]->line = acc->heading; /* a heading, no text */
			continue;
		}
		if (set_field(f[s], acc->text.p, acc->end, acc->first))
			return AL_ENOMEM;
	}
	return 0;
}

int al_draft_parse(const char *buf, size_t len, struct al_draft **out,
		   struct al_problems *probs, struct al_error *err)
{
	struct parser ps;
	struct buf clean = {0};
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	int rc = 0;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	if (len > AL_DRAFT_MAX_BYTES)
		return al_error_set(err, AL_ELIMIT,
				    "report.md: %zu bytes; at most %u", len,
				    AL_DRAFT_MAX_BYTES);
	ps.d = calloc(1, sizeof(*ps.d));
	if (!ps.d)
		goto nomem;
	ps.probs = probs;
	ps.cur = S_DESCRIPTION;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;

		line++;
		if (n && p[n - 1] == '\r')
			n--;
		rc = clean_line(&clean, p, n, line, probs);
		if (rc)
			goto nomem;
		rc = one_line(&ps, clean.p, clean.len, line);
		if (rc)
			goto nomem;
		p = next;
	}
	if (ps.comment)
		al_problems_add(probs, ps.comment,
				"comment '<!--' never closed with '-->'");
	if (ps.fence_ch)
		al_problems_add(probs, ps.fence_line,
				"code block fence '%.3s' never closed",
				ps.fence_ch == '`' ? "```" : "~~~");
	if (finish_sections(&ps))
		goto nomem;
	*out = ps.d;
	ps.d = NULL;
	goto out;
nomem:
	rc = al_error_set(err, AL_ENOMEM, "report.md: out of memory");
out:
	for (int s = 0; s < S_COUNT; s++)
		free(ps.sec[s].text.p);
	free(clean.p);
	al_draft_free(ps.d);
	return rc;
}

static void field_release(struct al_draft_field *f)
{
	free(f->value);
}

void al_draft_free(struct al_draft *d)
{
	if (!d)
		return;
	field_release(&d->id);
	field_release(&d->title);
	field_release(&d->project);
	field_release(&d->klass);
	field_release(&d->cvss);
	field_release(&d->rating);
	field_release(&d->reporter);
	field_release(&d->credit);
	for (size_t i = 0; i < d->ncwe; i++)
		field_release(&d->cwe[i]);
	free(d->cwe);
	for (size_t i = 0; i < d->naffected; i++)
		field_release(&d->affected[i]);
	free(d->affected);
	field_release(&d->description);
	field_release(&d->steps);
	field_release(&d->impact);
	field_release(&d->additional);
	free(d);
}

/* ---- Affected: lines to OSV ---- */

enum cmp_op { OP_NONE, OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ };

static enum cmp_op cmp_parse(const char *tok, const char **v)
{
	static const struct {
		const char *s;
		enum cmp_op op;
	} ops[] = {
		{">=", OP_GE}, {"<=", OP_LE}, {">", OP_GT},
		{"<", OP_LT},  {"=", OP_EQ},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t k = strlen(ops[i].s);
		if (strncmp(tok, ops[i].s, k) == 0) {
			*v = tok + k;
			return ops[i].op;
		}
	}
	*v = tok;
	return OP_NONE;
}

/* A URL with a scheme: "https://host/path". */
static bool is_url(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (s[i] && s[i] != ':') {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.'))
			return false;
		i++;
	}
	return strncmp(s + i, "://", 3) == 0 && s[i + 3] != '\0' &&
	       s[i + 3] != '/';
}

struct affected {
	const char *what; /* the package token, shown in messages */
	enum al_vscheme scheme;
	const char *lower; /* normalised, in lo[] */
	const char *upper;
	enum cmp_op lower_op, upper_op;
	char lo[VERSION_MAX], hi[VERSION_MAX];
	const char *lower_tok, *upper_tok;
	json_t *versions;
	bool ranges, bare, eq;
};

static int aff_fail(struct affected *a, struct al_error *err, const char *fmt,
		    const char *arg1, const char *arg2)
{
	char shown[SHOW_MAX], msg[200];

	/* fmt is one of this file's literals, with two %s at most */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, arg1 ? arg1 : "", arg2 ? arg2 : "");
#pragma GCC diagnostic pop
	return al_error_set(err, AL_EINVAL, "affected '%s': %s",
			    show(a->what, strlen(a->what), shown), msg);
}

/* Longest ecosystem name before a release suffix, and the suffix. */
#define ECO_BASE_MAX   32
#define ECO_SUFFIX_MAX 64

/*
 * The ecosystem s[0..n) in OSV's spelling into out: a known name in any
 * case, "git", or OSV's "BASE:SUFFIX" for a release ("Debian:11",
 * "Alpine:v3.17", "Ubuntu:22.04:LTS": the suffix is everything after the
 * first ':', kept as written).  AL_EINVAL naming what is wrong.
 */
static int aff_ecosystem(struct affected *a, const char *s, size_t n,
			 char out[ECO_BASE_MAX + 1 + ECO_SUFFIX_MAX + 1],
			 struct al_error *err)
{
	const char *colon = memchr(s, ':', n);
	size_t nb = colon ? (size_t)(colon - s) : n;
	size_t ns = colon ? n - nb - 1 : 0;
	char base[ECO_BASE_MAX], se[SHOW_MAX], sb[SHOW_MAX];
	const char *canon = NULL;

	if (nb < sizeof(base)) {
		memcpy(base, s, nb);
		base[nb] = '\0';
		canon = !colon && strcasecmp(base, "git") == 0
				? "GIT"
				: al_ecosystem_canonical(base);
	}
	if (!canon && !colon)
		return aff_fail(a, err, "unknown ecosystem '%s'",
				show(s, n, se), NULL);
	if (!canon)
		return aff_fail(a, err, "unknown ecosystem '%s' in '%s'",
				show(s, nb, sb), show(s, n, se));
	if (colon) {
		bool ok = ns > 0 && ns <= ECO_SUFFIX_MAX;
		for (size_t i = 0; ok && i < ns; i++) {
			unsigned char ch = (unsigned char)colon[1 + i];
			ok = ch > ' ' && ch < 0x7f;
		}
		if (!ok)
			return aff_fail(a, err,
					"'%s': the release after ':' must be "
					"1 to 64 printable ASCII characters "
					"with no space, e.g. 'Debian:11'",
					show(s, n, se), NULL);
	}
	snprintf(out, ECO_BASE_MAX + 1 + ECO_SUFFIX_MAX + 1, "%s%s%.*s", canon,
		 colon ? ":" : "", (int)ns, colon ? colon + 1 : "");
	return 0;
}

static int aff_version(struct affected *a, const char *tok,
		       struct al_error *err)
{
	char shown[SHOW_MAX], shown2[SHOW_MAX], norm[VERSION_MAX];
	struct al_error e = {0};
	const char *v;
	enum cmp_op op = cmp_parse(tok, &v);
	const char *st = show(tok, strlen(tok), shown);

	if (op == OP_GT)
		return aff_fail(a, err,
				"'%s': OSV has no exclusive lower bound; use "
				"'>=' with the first affected version",
				st, NULL);
	if (op != OP_NONE && !*v)
		return aff_fail(a, err,
				"comparator '%s' without a version (write it "
				"with no space, e.g. '>=1.0.0')",
				st, NULL);
	if (v[0] && strchr("<>=!~^*", v[0]))
		return aff_fail(a, err,
				"'%s' is not a comparator Airlock knows (>=, "
				"<, <=, = or a bare version)",
				st, NULL);
	if (strchr(v, ','))
		return aff_fail(a, err,
				"'%s': versions are separated by spaces, not "
				"commas",
				st, NULL);
	if (al_version_normalise(a->scheme, v, norm, sizeof(norm), &e))
		return aff_fail(a, err, "%s", e.msg, NULL);
	if (op == OP_NONE)
		a->bare = true;
	else if (op == OP_EQ)
		a->eq = true;
	else
		a->ranges = true;
	if (a->bare && (a->eq || a->ranges))
		return aff_fail(a, err,
				"'%s': give either comparators or a plain "
				"list of versions, not both",
				st, NULL);
	if (a->eq && a->ranges)
		return aff_fail(a, err,
				"'%s': '=' cannot be combined with range "
				"comparators; list the versions on their "
				"own line",
				st, NULL);
	if (op == OP_GE) {
		if (a->lower)
			return aff_fail(a, err,
					"more than one lower bound ('%s' "
					"and '%s')",
					show(a->lower_tok, strlen(a->lower_tok),
					     shown2),
					st);
		memcpy(a->lo, norm, sizeof(norm));
		a->lower = a->lo;
		a->lower_tok = tok;
		a->lower_op = op;
		return 0;
	}
	if (op == OP_LT || op == OP_LE) {
		if (a->upper)
			return aff_fail(a, err,
					"more than one upper bound ('%s' "
					"and '%s')",
					show(a->upper_tok, strlen(a->upper_tok),
					     shown2),
					st);
		memcpy(a->hi, norm, sizeof(norm));
		a->upper = a->hi;
		a->upper_tok = tok;
		a->upper_op = op;
		return 0;
	}
	for (size_t i = 0; i < json_array_size(a->versions); i++)
		if (!strcmp(json_string_value(json_array_get(a->versions, i)),
			    norm))
			return aff_fail(a, err, "version '%s' listed twice", st,
					NULL);
	if (json_array_append_new(a->versions, json_string(norm)))
		return al_error_set(err, AL_ENOMEM, "out of memory");
	return 0;
}

/* Refuse a range with no version in it.  ECOSYSTEM uses Airlock's generic
 * order (docs/versions.md), the one its own overlap checks use, so a range
 * empty in that order could never match anything anyway.  GIT has no order
 * but has equality: ">=C <C" is empty, two different commits are not
 * compared (al_version_cmp refuses them). */
static int aff_check_order(struct affected *a, struct al_error *err)
{
	struct al_error e = {0};
	int c;

	if (!a->lower || !a->upper)
		return 0;
	if (al_version_cmp(a->scheme, a->lower, a->upper, &c, &e))
		return 0;
	if (c > 0 || (c == 0 && a->upper_op == OP_LT)) {
		char s1[SHOW_MAX], s2[SHOW_MAX];
		return aff_fail(a, err, "'%s %s' is an empty range",
				show(a->lower_tok, strlen(a->lower_tok), s1),
				show(a->upper_tok, strlen(a->upper_tok), s2));
	}
	return 0;
}

static int aff_build(struct affected *a, const char *ecosystem,
		     const char *name, const char *repo, json_t **out,
		     struct al_error *err)
{
	json_t *o = NULL, *range = NULL, *events = NULL;

	o = json_pack("{s:{s:s,s:s}}", "package", "ecosystem", ecosystem,
		      "name", name);
	if (!o)
		goto nomem;
	if (!a->ranges) {
		if (json_object_set(o, "versions", a->versions))
			goto nomem;
		*out = o;
		return 0;
	}
	events = json_array();
	if (!events)
		goto nomem;
	if (json_array_append_new(events, json_pack("{s:s}", "introduced",
						    a->lower ? a->lower : "0")))
		goto nomem;
	if (a->upper &&
	    json_array_append_new(
		    events,
		    json_pack("{s:s}",
			      a->upper_op == OP_LT ? "fixed" : "last_affected",
			      a->upper)))
		goto nomem;
	range = json_pack("{s:s}", "type", al_vscheme_name(a->scheme));
	if (!range ||
	    (repo && json_object_set_new(range, "repo", json_string(repo))))
		goto nomem;
	if (json_object_set_new(range, "events", events)) {
		events = NULL;
		goto nomem;
	}
	events = NULL;
	if (json_object_set_new(o, "ranges", json_pack("[o]", range))) {
		range = NULL;
		goto nomem;
	}
	*out = o;
	return 0;
nomem:
	json_decref(events);
	json_decref(range);
	json_decref(o);
	return al_error_set(err, AL_ENOMEM, "out of memory");
}

int al_draft_affected_to_osv(const char *text, json_t **out,
			     struct al_error *err)
{
	struct affected a;
	char *copy = NULL, *tok[AFFECTED_MAX_TOKENS + 1];
	char canon[ECO_BASE_MAX + 1 + ECO_SUFFIX_MAX + 1], shown[SHOW_MAX];
	const char *name, *slash;
	size_t len, ntok = 0;
	int rc = 0;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	len = strnlen(text, AFFECTED_MAX_BYTES + 1);
	if (len > AFFECTED_MAX_BYTES)
		return al_error_set(err, AL_EINVAL,
				    "affected: longer than %d bytes",
				    AFFECTED_MAX_BYTES);
	if (!al_utf8_valid(text, len))
		return al_error_set(err, AL_EINVAL,
				    "affected: not valid UTF-8");
	copy = strndup(text, len);
	a.versions = json_array();
	if (!copy || !a.versions) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto out;
	}
	for (char *s = copy; *s;) {
		while (is_ws(*s))
			*s++ = '\0';
		if (!*s)
			break;
		if (ntok == AFFECTED_MAX_TOKENS + 1) {
			rc = al_error_set(err, AL_EINVAL,
					  "affected: more than %d versions; "
					  "split them over several lines",
					  AFFECTED_MAX_TOKENS);
			goto out;
		}
		tok[ntok++] = s;
		while (*s && !is_ws(*s))
			s++;
	}
	if (!ntok) {
		rc = al_error_set(err, AL_EINVAL, "affected: empty");
		goto out;
	}
	a.what = tok[0];
	for (size_t i = 0; i < ntok; i++) {
		if (al_text_has_control(tok[i], strlen(tok[i]))) {
			rc = al_error_set(err, AL_EINVAL,
					  "affected '%s': control character",
					  show(text, len, shown));
			goto out;
		}
	}
	slash = strchr(tok[0], '/');
	if (!slash || slash == tok[0] || !slash[1]) {
		rc = aff_fail(&a, err,
			      "expected ECOSYSTEM/NAME, e.g. 'npm/chatwoot' "
			      "or 'git/https://github.com/owner/repo'",
			      NULL, NULL);
		goto out;
	}
	name = slash + 1;
	rc = aff_ecosystem(&a, tok[0], (size_t)(slash - tok[0]), canon, err);
	if (rc)
		goto out;
	if (!strcmp(canon, "GIT")) {
		a.scheme = AL_VS_GIT;
		if (!is_url(name)) {
			rc = aff_fail(&a, err,
				      "'%s' is not a repository URL, e.g. "
				      "'git/https://github.com/owner/repo'",
				      show(name, strlen(name), shown), NULL);
			goto out;
		}
	} else {
		a.scheme = al_ecosystem_scheme(canon); /* ignores a suffix */
	}
	if (al_utf8_length(name, strlen(name)) > LINE_MAX_CHARS) {
		rc = aff_fail(&a, err,
			      "the name is longer than 1000 characters", NULL,
			      NULL);
		goto out;
	}
	if (ntok == 1) {
		rc = aff_fail(&a, err,
			      "no versions after the name (give comparators "
			      "such as '>=1.0.0 <1.2.0', or a list of "
			      "versions)",
			      NULL, NULL);
		goto out;
	}
	for (size_t i = 1; i < ntok; i++) {
		rc = aff_version(&a, tok[i], err);
		if (rc)
			goto out;
	}
	rc = aff_check_order(&a, err);
	if (rc)
		goto out;
	rc = aff_build(&a, canon, name, a.scheme == AL_VS_GIT ? name : NULL,
		       out, err);
out:
	json_decref(a.versions);
	free(copy);
	return rc;
}

/* ---- the manifest ---- */

struct conv {
	json_t *m;
	const struct al_draft *d;
	struct al_problems *probs;
	struct al_error *err;
};

const char *const al_draft_required_keys[] = {
	"id",       "title",       "project", "class",
	"affected", "description", "steps",   NULL,
};

/* Set o[key] to v.  al_draft_parse never gives invalid UTF-8, but a draft
 * built otherwise might: that is a problem, not a failure, so that only
 * AL_ENOMEM stops the conversion. */
static int put_str(struct conv *c, json_t *o, const char *key, const char *v,
		   unsigned line)
{
	if (!al_utf8_valid(v, strlen(v))) {
		al_problems_add(c->probs, line, "%s is not valid UTF-8", key);
		return 0;
	}
	if (json_object_set_new(o, key, json_string(v)))
		return al_error_set(c->err, AL_ENOMEM, "out of memory");
	return 0;
}

/* "missing title (no 'Title:' header with a value)": the template has the
 * header with no value, so the message must not say it is not there; the
 * line is that of such an empty header, 0 without one. */
static void missing_header(struct conv *c, unsigned line, const char *what,
			   const char *name)
{
	al_problems_add(c->probs, line,
			"missing %s (no '%s:' header with a value)", what,
			name);
}

/* The list of a NULL-terminated table, for messages. */
static const char *list_of(const char *const *v, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; v[i]; i++) {
		int k = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "",
				 v[i]);
		if (k < 0 || (size_t)k >= outsz - o)
			break;
		o += (size_t)k;
	}
	return out;
}

/* The entry of v equal to s (ASCII case-insensitively), or NULL. */
static const char *one_of(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (!strcasecmp(v[i], s))
			return v[i];
	return NULL;
}

static int conv_id(struct conv *c)
{
	const struct al_draft_field *f = &c->d->id;
	char shown[SHOW_MAX];

	if (!f->value) {
		al_problems_add(c->probs, f->line,
				"missing report id (no 'Id:' header with a "
				"value; 'airlock-pack new' writes one)");
		return 0;
	}
	if (!al_uuid_valid_v4(f->value)) {
		al_problems_add(c->probs, f->line,
				"id '%s' is not a lowercase UUID version 4",
				show(f->value, strlen(f->value), shown));
		return 0;
	}
	return put_str(c, c->m, "id", f->value, f->line);
}

static int conv_title(struct conv *c)
{
	const struct al_draft_field *f = &c->d->title;
	size_t n, chars;
	bool bad = false;

	if (!f->value) {
		missing_header(c, f->line, "title", "Title");
		return 0;
	}
	n = strlen(f->value);
	chars = al_utf8_length(f->value, n);
	if (chars > AL_TITLE_MAX_CHARS) {
		al_problems_add(c->probs, f->line,
				"title is %zu characters long; at most %d",
				chars, AL_TITLE_MAX_CHARS);
		bad = true;
	}
	if (al_text_has_control(f->value, n)) {
		al_problems_add(c->probs, f->line,
				"title has a control character");
		bad = true;
	}
	return bad ? 0 : put_str(c, c->m, "title", f->value, f->line);
}

static int conv_project(struct conv *c)
{
	const struct al_draft_field *f = &c->d->project;
	char shown[SHOW_MAX];
	size_t n;

	if (!f->value) {
		missing_header(c, f->line, "project", "Project");
		return 0;
	}
	n = strlen(f->value);
	if (n > PROJECT_MAX_BYTES || al_text_has_control(f->value, n) ||
	    strpbrk(f->value, " \t")) {
		al_problems_add(c->probs, f->line,
				"project '%s' is not a scope name (one word, "
				"at most %d bytes, no control characters)",
				show(f->value, n, shown), PROJECT_MAX_BYTES);
		return 0;
	}
	return put_str(c, c->m, "project", f->value, f->line);
}

/* A value from a fixed list (class, rating): its canonical spelling, or a
 * problem naming the list. */
static const char *conv_choice(struct conv *c, const struct al_draft_field *f,
			       const char *what, const char *const *list)
{
	char shown[SHOW_MAX], all[200];
	const char *v = one_of(list, f->value);

	if (!v)
		al_problems_add(c->probs, f->line,
				"unknown %s '%s' (one of %s)", what,
				show(f->value, strlen(f->value), shown),
				list_of(list, all, sizeof(all)));
	return v;
}

static int conv_class(struct conv *c)
{
	const char *v;

	if (!c->d->klass.value) {
		missing_header(c, c->d->klass.line, "class", "Class");
		return 0;
	}
	v = conv_choice(c, &c->d->klass, "class", al_manifest_classes);
	return v ? put_str(c, c->m, "class", v, c->d->klass.line) : 0;
}

static int conv_cwe(struct conv *c)
{
	json_t *arr = NULL;
	int rc = 0;

	if (!c->d->ncwe)
		return 0;
	if (c->d->ncwe > CWE_MAX_COUNT) {
		al_problems_add(c->probs, c->d->cwe[CWE_MAX_COUNT].line,
				"more than %d CWE headers", CWE_MAX_COUNT);
		return 0;
	}
	arr = json_array();
	if (!arr)
		return al_error_set(c->err, AL_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->d->ncwe; i++) {
		const struct al_draft_field *f = &c->d->cwe[i];
		const char *v = f->value, *dig = v;
		size_t nd = 0;
		char norm[16], shown[SHOW_MAX];
		size_t j;

		if (!strncasecmp(v, "cwe-", 4)) {
			dig = v + 4;
			nd = strspn(dig, "0123456789");
		}
		if (!nd || dig[nd] || nd > CWE_MAX_DIGITS || dig[0] == '0') {
			al_problems_add(c->probs, f->line,
					"CWE '%s' is not 'CWE-' and a number, "
					"e.g. 'CWE-79' (one CWE a line)",
					show(v, strlen(v), shown));
			continue;
		}
		snprintf(norm, sizeof(norm), "CWE-%s", dig);
		for (j = 0; j < json_array_size(arr); j++)
			if (!strcmp(json_string_value(json_array_get(arr, j)),
				    norm))
				break;
		if (j < json_array_size(arr)) {
			al_problems_add(c->probs, f->line, "CWE '%s' repeated",
					norm);
			continue;
		}
		if (json_array_append_new(arr, json_string(norm))) {
			rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (json_array_size(arr) && json_object_set(c->m, "cwe", arr))
		rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
out:
	json_decref(arr);
	return rc;
}

static int conv_severity(struct conv *c)
{
	const struct al_draft_field *cf = &c->d->cvss, *rf = &c->d->rating;
	struct al_cvss cv;
	bool have_cvss = false;
	const char *rating = NULL;
	json_t *sev = NULL;
	int rc = 0;

	if (cf->value) {
		struct al_error e = {0};
		if (al_cvss_parse(cf->value, &cv, &e))
			al_problems_add(c->probs, cf->line, "%s", e.msg);
		else
			have_cvss = true;
	}
	if (rf->value)
		rating = conv_choice(c, rf, "rating", al_manifest_ratings);
	if (have_cvss && rating && strcmp(cv.rating, rating)) {
		al_problems_add(c->probs, rf->line,
				"rating '%s' does not match the CVSS base "
				"score %d.%d (%s, line %u)",
				rating, cv.score10 / 10, cv.score10 % 10,
				cv.rating, cf->line);
		rating = NULL; /* the vector stands; the rating is refused */
	}
	if (!have_cvss && !rating)
		return 0;
	sev = json_object();
	if (!sev)
		return al_error_set(c->err, AL_ENOMEM, "out of memory");
	if (have_cvss)
		rc = put_str(c, sev,
			     cv.version == AL_CVSS_V40 ? "cvss_v4" : "cvss_v3",
			     cv.vector, cf->line);
	if (!rc && rating)
		rc = put_str(c, sev, "rating", rating, rf->line);
	if (!rc && json_object_size(sev) &&
	    json_object_set(c->m, "severity", sev))
		rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
	json_decref(sev);
	return rc;
}

static int conv_affected(struct conv *c)
{
	json_t *arr = NULL;
	int rc = 0;

	if (!c->d->naffected) {
		missing_header(c, c->d->affected_line, "affected versions",
			       "Affected");
		return 0;
	}
	arr = json_array();
	if (!arr)
		return al_error_set(c->err, AL_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->d->naffected; i++) {
		const struct al_draft_field *f = &c->d->affected[i];
		struct al_error e = {0};
		json_t *o = NULL;

		rc = al_draft_affected_to_osv(f->value, &o, &e);
		if (rc == AL_ENOMEM) {
			rc = al_error_set(c->err, AL_ENOMEM, "%s", e.msg);
			goto out;
		}
		rc = 0;
		if (!o) {
			al_problems_add(c->probs, f->line, "%s", e.msg);
			continue;
		}
		if (json_array_append_new(arr, o)) {
			rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* every line refused: the key is left out, as a missing one is */
	if (json_array_size(arr) && json_object_set(c->m, "affected", arr))
		rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
out:
	json_decref(arr);
	return rc;
}

unsigned al_draft_affected_line(const struct al_draft *d, size_t index)
{
	size_t k = 0;

	for (size_t i = 0; i < d->naffected; i++) {
		struct al_error e = {0};
		json_t *o = NULL;

		/* the same conversion as conv_affected, so the same entries */
		if (al_draft_affected_to_osv(d->affected[i].value, &o, &e))
			continue;
		json_decref(o);
		if (k++ == index)
			return d->affected[i].line;
	}
	return 0;
}

/* "Jane Doe <jane@example.net>", "<jane@example.net>" or "Jane Doe". */
static int conv_reporter_value(struct conv *c, json_t *r)
{
	const struct al_draft_field *f = &c->d->reporter;
	const char *v = f->value, *lt, *gt;
	char *name = NULL, *contact = NULL;
	size_t nn, cn;
	const char *ns, *cs;
	int rc = 0;

	if (al_text_has_control(v, strlen(v))) {
		al_problems_add(c->probs, f->line,
				"reporter has a control character");
		return 0;
	}
	lt = strchr(v, '<');
	nn = lt ? (size_t)(lt - v) : strlen(v);
	ns = trim(v, &nn);
	if (memchr(ns, '>', nn)) {
		al_problems_add(c->probs, f->line,
				"reporter: '>' without '<' (write 'Name "
				"<contact>')");
		return 0;
	}
	if (lt) {
		gt = strchr(lt + 1, '>');
		if (!gt) {
			al_problems_add(c->probs, f->line,
					"reporter: '<' without a closing '>'");
			return 0;
		}
		if (!is_blank(gt + 1, strlen(gt + 1))) {
			al_problems_add(c->probs, f->line,
					"reporter: text after '>' (write "
					"'Name <contact>')");
			return 0;
		}
		cn = (size_t)(gt - lt - 1);
		cs = trim(lt + 1, &cn);
		if (!cn || memchr(cs, '<', cn)) {
			al_problems_add(c->probs, f->line,
					"reporter: the contact between '<' "
					"and '>' is %s",
					cn ? "malformed" : "empty");
			return 0;
		}
		contact = strndup(cs, cn);
		if (!contact)
			goto nomem;
	}
	if (al_utf8_length(ns, nn) > LINE_MAX_CHARS ||
	    (contact &&
	     al_utf8_length(contact, strlen(contact)) > LINE_MAX_CHARS)) {
		al_problems_add(c->probs, f->line,
				"reporter: name or contact longer than %d "
				"characters",
				LINE_MAX_CHARS);
		goto out;
	}
	if (nn) {
		name = strndup(ns, nn);
		if (!name)
			goto nomem;
		rc = put_str(c, r, "name", name, f->line);
	}
	if (!rc && contact)
		rc = put_str(c, r, "contact", contact, f->line);
	goto out;
nomem:
	rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
out:
	free(name);
	free(contact);
	return rc;
}

static int conv_reporter(struct conv *c)
{
	static const char *const credits[] = {"public", "anonymous", NULL};
	const struct al_draft_field *cf = &c->d->credit;
	const char *credit = "anonymous";
	size_t before = al_problems_count(c->probs);
	json_t *r = json_object();
	int rc = 0;

	if (!r)
		return al_error_set(c->err, AL_ENOMEM, "out of memory");

	if (c->d->reporter.value)
		rc = conv_reporter_value(c, r);
	if (!rc && cf->value) {
		credit = conv_choice(c, cf, "credit", credits);
		/* a malformed Reporter line is problem enough */
		if (credit && !strcmp(credit, "public") &&
		    !json_object_get(r, "name")) {
			if (al_problems_count(c->probs) == before)
				al_problems_add(c->probs, cf->line,
						"credit 'public' but no "
						"'Reporter' header with a "
						"name to credit");
			credit = NULL; /* nobody to credit: left out */
		}
	}
	if (!rc && credit)
		rc = put_str(c, r, "credit", credit, cf->value ? cf->line : 0);
	if (!rc && json_object_size(r) && json_object_set(c->m, "reporter", r))
		rc = al_error_set(c->err, AL_ENOMEM, "out of memory");
	json_decref(r);
	return rc;
}

static int conv_sections(struct conv *c)
{
	const struct {
		const struct al_draft_field *f;
		const char *key;
		const char *what; /* NULL: optional */
		const char *title;
	} s[] = {
		{&c->d->description, "description", "description",
		 "Description"},
		{&c->d->steps, "steps", "steps to reproduce",
		 "Steps to reproduce"},
		{&c->d->impact, "impact", NULL, "Impact"},
		{&c->d->additional, "additional", NULL,
		 "Additional information"},
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int rc;
		if (!s[i].f->value) {
			if (s[i].what)
				al_problems_add(c->probs, s[i].f->line,
						"missing %s (no text under "
						"'## %s')",
						s[i].what, s[i].title);
			continue;
		}
		rc = put_str(c, c->m, s[i].key, s[i].f->value, s[i].f->line);
		if (rc)
			return rc;
	}
	return 0;
}

int al_draft_to_manifest(const struct al_draft *d, json_t **out,
			 struct al_problems *probs, struct al_error *err)
{
	int (*const steps[])(struct conv *) = {
		conv_id,       conv_title,    conv_project,
		conv_class,    conv_cwe,      conv_severity,
		conv_affected, conv_sections, conv_reporter,
	};
	size_t before = al_problems_count(probs);
	struct conv c = {.d = d, .probs = probs, .err = err};
	int rc = 0;

	*out = NULL;
	c.m = json_object();
	if (!c.m)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		rc = steps[i](&c);
		if (rc)
			goto out; /* only AL_ENOMEM stops a step */
	}
	if (al_problems_count(probs) > before)
		rc = al_error_set(err, AL_EINVAL, "report.md: %zu problems",
				  al_problems_count(probs) - before);
	/* with problems too: the valid fields, for the caller's checks */
	*out = c.m;
	c.m = NULL;
out:
	json_decref(c.m);
	return rc;
}

/* ---- the template ---- */

static const char template_head[] =
	"<!-- Airlock report.  Fill in the header lines below, one 'Key: "
	"value'\n"
	"     a line, then the sections after the blank line.  Notes like "
	"this\n"
	"     one are for you and are not sent.  'airlock-pack check' "
	"lists\n"
	"     everything still missing. -->\n"
	"<!-- Id: this report's identity; keep it as it is. -->\n"
	"Id: ";

static const char template_tail[] =
	"\n"
	"<!-- Title: one line, at most 200 characters, e.g.\n"
	"     Title: Stored XSS in conversation notes -->\n"
	"Title:\n"
	"<!-- Project: the project's scope name from its security policy, "
	"e.g.\n"
	"     Project: chatwoot -->\n"
	"Project:\n"
	"<!-- Class: one of rce, sqli, auth-bypass, privilege-escalation, "
	"xss,\n"
	"     admin-action, csrf, other -->\n"
	"Class:\n"
	"<!-- CWE (optional, one a line, may repeat), e.g.\n"
	"     CWE: CWE-79 -->\n"
	"CWE:\n"
	"<!-- CVSS (optional): a CVSS 3.1 or 4.0 base vector, e.g.\n"
	"     CVSS: CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N -->\n"
	"CVSS:\n"
	"<!-- Rating (optional): critical, high, medium or low; it must "
	"agree with\n"
	"     the CVSS score when both are given. -->\n"
	"Rating:\n"
	"<!-- Affected (one a line, may repeat): ECOSYSTEM/NAME, then "
	"either\n"
	"     comparators (>=V, <V, <=V, =V; all must hold) or a list of "
	"versions:\n"
	"     Affected: npm/chatwoot >=4.0.0 <4.2.1\n"
	"     Affected: npm/@scope/pkg <2.0.0\n"
	"     Affected: pypi/django 4.2.0 4.2.1\n"
	"     Affected: git/https://github.com/owner/repo >=abc1234 "
	"<def5678 -->\n"
	"Affected:\n"
	"<!-- Reporter (optional): your name and/or contact, e.g.\n"
	"     Reporter: Jane Doe <jane@example.net> -->\n"
	"Reporter:\n"
	"<!-- Credit: public (name you in the advisory) or anonymous. -->\n"
	"Credit: anonymous\n"
	"\n"
	"## Description\n"
	"<!-- What the vulnerability is, and where in the code. -->\n"
	"\n"
	"## Steps to reproduce\n"
	"<!-- Numbered steps from a fresh install; name the files in\n"
	"     attachments/ that they use. -->\n"
	"\n"
	"## Impact\n"
	"<!-- Optional: what an attacker gains. -->\n"
	"\n"
	"## Additional information\n"
	"<!-- Optional: anything else, e.g. a suggested fix. -->\n";

int al_draft_template(const char *id, char **out, struct al_error *err)
{
	size_t nh = sizeof(template_head) - 1, nt = sizeof(template_tail) - 1;
	size_t ni;

	*out = NULL;
	if (!id || !al_uuid_valid_v4(id))
		return al_error_set(err, AL_EINVAL,
				    "template: report id is not a lowercase "
				    "UUID version 4");
	ni = strlen(id);
	*out = malloc(nh + ni + nt + 1);
	if (!*out)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	memcpy(*out, template_head, nh);
	memcpy(*out + nh, id, ni);
	memcpy(*out + nh + ni, template_tail, nt + 1);
	return 0;
}
