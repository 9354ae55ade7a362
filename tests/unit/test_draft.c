/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.md: parsing, the manifest built from it, Affected lines, the
 * template.  Data-driven cases live in tests/data/drafts/: good/NAME.md
 * with the manifest it must give (good/NAME.json), bad/NAME.md with every
 * problem it must give (bad/NAME.expect: "LINE message" a line, sorted as
 * al_problems_sort sorts; a message ending in '*' is matched as a prefix,
 * for messages another module words) and the top-level keys of the partial
 * manifest built all the same (bad/NAME.keys: sorted, one line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_draft.h"
#include "al_io.h"
#include "al_manifest.h"
#include "al_uuid.h"
#include "test_data.h"

#define TEST_ID "0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"

/* ---- helpers ---- */

#define data_path(rel) al_test_path("%s", rel)

#define read_data(rel, len) al_test_read(len, "%s", rel)

static void print_problems(const struct al_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		print_message("# problem %u: %s\n", p->v[i].line, p->v[i].msg);
}

/* Parse and convert: every problem lands in probs.  Returns the manifest,
 * which the conversion gives with problems too (the valid fields only). */
static json_t *run(const char *buf, size_t len, struct al_problems *probs)
{
	struct al_error err = {0};
	struct al_draft *d = NULL;
	json_t *m = NULL;
	size_t before;
	int rc;

	assert_int_equal(al_draft_parse(buf, len, &d, probs, &err), 0);
	assert_non_null(d);
	before = al_problems_count(probs);
	rc = al_draft_to_manifest(d, &m, probs, &err);
	assert_non_null(m);
	assert_int_equal(rc,
			 al_problems_count(probs) == before ? 0 : AL_EINVAL);
	al_draft_free(d);
	return m;
}

/* What the draft gives, with the keys left to the caller, is a manifest
 * that al_manifest_check accepts. */
static void check_manifest(const json_t *m)
{
	struct al_problems probs;
	struct al_limits lim;
	json_t *full = json_deep_copy(m);

	assert_non_null(full);
	assert_int_equal(json_object_set_new(full, "airlock", json_integer(1)),
			 0);
	assert_int_equal(
		json_object_set_new(full, "created",
				    json_string("2026-11-22T10:00:00Z")),
		0);
	assert_int_equal(json_object_set_new(full, "files", json_array()), 0);
	al_limits_default(&lim);
	al_problems_init(&probs);
	if (al_manifest_check(full, &lim, &probs)) {
		print_problems(&probs);
		fail_msg("al_manifest_check refused the draft's manifest");
	}
	al_problems_release(&probs);
	json_decref(full);
}

/* The partial manifest of a draft with problems holds valid fields only:
 * with a stand-in for each key the reader requires and left out, it passes
 * al_manifest_check. */
static void check_partial(const json_t *m)
{
	json_t *full = json_deep_copy(m), *fill;
	json_error_t jerr;

	assert_non_null(full);
	fill = json_loads("{\"id\":\"" TEST_ID "\",\"title\":\"t\","
			  "\"project\":\"p\",\"class\":\"other\","
			  "\"affected\":[{\"package\":{\"ecosystem\":"
			  "\"npm\",\"name\":\"x\"},\"versions\":"
			  "[\"1.0.0\"]}],\"description\":\"d\","
			  "\"steps\":\"s\"}",
			  0, &jerr);
	assert_non_null(fill);
	for (size_t i = 0; al_draft_required_keys[i]; i++) {
		const char *k = al_draft_required_keys[i];
		if (!json_object_get(full, k))
			assert_int_equal(
				json_object_set(full, k,
						json_object_get(fill, k)),
				0);
	}
	check_manifest(full);
	json_decref(fill);
	json_decref(full);
}

/* The manifest's top-level keys, sorted, space-separated, equal want. */
static void expect_keys(const json_t *m, const char *want)
{
	const char *keys[32], *k;
	char got[512];
	size_t n = 0, o = 0, wn = strcspn(want, "\n");
	json_t *v;

	json_object_foreach((json_t *)m, k, v)
	{
		assert_true(n < 32);
		keys[n++] = k;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0;
		     j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	got[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s",
				      i ? " " : "", keys[i]);
	if (strlen(got) != wn || strncmp(got, want, wn))
		fail_msg("keys: got '%s', want '%.*s'", got, (int)wn, want);
}

static void expect_manifest(const char *buf, size_t len, const char *jsonrel)
{
	struct al_problems probs;
	json_error_t jerr;
	char *want_path = data_path(jsonrel);
	json_t *want = json_load_file(want_path, 0, &jerr), *got;

	if (!want)
		fail_msg("%s: %s", want_path, jerr.text);
	al_problems_init(&probs);
	got = run(buf, len, &probs);
	print_problems(&probs);
	assert_int_equal(al_problems_count(&probs), 0);
	check_manifest(got);
	if (!json_equal(got, want)) {
		char *a = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
		char *b = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
		print_message("# got:\n%s\n# want:\n%s\n", a, b);
		free(a);
		free(b);
		fail();
	}
	json_decref(got);
	json_decref(want);
	al_problems_release(&probs);
	free(want_path);
}

static void check_good(const char *name)
{
	char md[128], js[128];
	size_t len;
	char *buf;

	snprintf(md, sizeof(md), "drafts/good/%s.md", name);
	snprintf(js, sizeof(js), "drafts/good/%s.json", name);
	buf = read_data(md, &len);
	expect_manifest(buf, len, js);
	free(buf);
}

/* Compare probs (sorted) with the "LINE message" lines of want. */
static void expect_problems(struct al_problems *probs, const char *want)
{
	const char *p = want;
	size_t i = 0;
	bool ok = true;

	al_problems_sort(probs);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *end;
		unsigned long line = strtoul(p, &end, 10);
		const char *msg = end + 1;
		size_t mn = n - (size_t)(msg - p);
		bool prefix = mn && msg[mn - 1] == '*';

		if (!n) {
			p = nl ? nl + 1 : p + n;
			continue;
		}
		if (i >= probs->n) {
			print_message("# missing: %.*s\n", (int)n, p);
			ok = false;
		} else if (probs->v[i].line != line ||
			   (prefix ? strncmp(probs->v[i].msg, msg, mn - 1)
				   : (strlen(probs->v[i].msg) != mn ||
				      strncmp(probs->v[i].msg, msg, mn)))) {
			print_message("# want: %.*s\n#  got: %u %s\n", (int)n,
				      p, probs->v[i].line, probs->v[i].msg);
			ok = false;
		}
		i++;
		p = nl ? nl + 1 : p + n;
	}
	for (; i < probs->n; i++) {
		print_message("# extra: %u %s\n", probs->v[i].line,
			      probs->v[i].msg);
		ok = false;
	}
	if (!ok)
		fail();
}

static void check_bad(const char *name)
{
	struct al_problems probs;
	char md[128], ex[128], ks[128];
	size_t len;
	char *buf, *want, *keys;
	json_t *m;

	snprintf(md, sizeof(md), "drafts/bad/%s.md", name);
	snprintf(ex, sizeof(ex), "drafts/bad/%s.expect", name);
	snprintf(ks, sizeof(ks), "drafts/bad/%s.keys", name);
	buf = read_data(md, &len);
	want = read_data(ex, NULL);
	keys = read_data(ks, NULL);
	al_problems_init(&probs);
	/* parse problems alone leave the conversion itself clean */
	m = run(buf, len, &probs);
	assert_true(al_problems_count(&probs) > 0);
	expect_problems(&probs, want);
	expect_keys(m, keys);
	check_partial(m);
	json_decref(m);
	al_problems_release(&probs);
	free(buf);
	free(want);
	free(keys);
}

/* Parse only; probs gets the syntax problems. */
static struct al_draft *parse_ok(const char *buf, size_t len,
				 struct al_problems *probs)
{
	struct al_error err = {0};
	struct al_draft *d = NULL;

	assert_int_equal(al_draft_parse(buf, len, &d, probs, &err), 0);
	assert_non_null(d);
	return d;
}

/* A copy of s with each "\n" turned into "\r\n". */
static char *to_crlf(const char *s, size_t len, size_t *outlen)
{
	char *o = malloc(len * 2 + 1);
	size_t k = 0;

	assert_non_null(o);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			o[k++] = '\r';
		o[k++] = s[i];
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* ---- data-driven cases: one cmocka case a file ---- */

#define GOOD_CASES(X) X(full) X(minimal) X(comments) X(case) X(affected)

#define BAD_CASES(X)                                        \
	X(unknown_header, "unknown-header")                 \
	X(repeated_title, "repeated-title")                 \
	X(no_colon, "no-colon")                             \
	X(no_blank_line, "no-blank-line")                   \
	X(unknown_section, "unknown-section")               \
	X(repeated_section, "repeated-section")             \
	X(description_twice, "description-twice")           \
	X(unterminated_comment, "unterminated-comment")     \
	X(text_after_comment, "text-after-comment")         \
	X(unclosed_fence, "unclosed-fence")                 \
	X(empty, "empty")                                   \
	X(id_uppercase, "id-uppercase")                     \
	X(id_version1, "id-version1")                       \
	X(title_too_long, "title-too-long")                 \
	X(title_control, "title-control")                   \
	X(choices, "choices")                               \
	X(credit_no_name, "credit-no-name")                 \
	X(cwe, "cwe")                                       \
	X(cwe_short, "cwe-short")                           \
	X(cvss_invalid, "cvss-invalid")                     \
	X(rating_disagrees, "rating-disagrees")             \
	X(reporter_open, "reporter-open")                   \
	X(reporter_trailing, "reporter-trailing")           \
	X(reporter_empty_contact, "reporter-empty-contact") \
	X(affected, "affected")                             \
	X(affected_bad_version, "affected-bad-version")     \
	X(git_empty_range, "git-empty-range")               \
	X(several, "several")

#define GOOD_FN(n)                                     \
	static void test_draft__good_##n(void **state) \
	{                                              \
		(void)state;                           \
		check_good(#n);                        \
	}
#define BAD_FN(n, file)                               \
	static void test_draft__bad_##n(void **state) \
	{                                             \
		(void)state;                          \
		check_bad(file);                      \
	}
GOOD_CASES(GOOD_FN)
BAD_CASES(BAD_FN)

#define GOOD_NAME(n)      #n,
#define BAD_NAME(n, file) file,
static const char *const good_names[] = {GOOD_CASES(GOOD_NAME) NULL};
static const char *const bad_names[] = {BAD_CASES(BAD_NAME) NULL};

static bool listed(const char *const *names, const char *file)
{
	size_t n = strlen(file);

	if (n < 4 || strcmp(file + n - 3, ".md"))
		return true; /* .json / .expect go with their .md */
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == n - 3 &&
		    !strncmp(names[i], file, n - 3))
			return true;
	return false;
}

/* Every draft in tests/data/drafts/ is run by a case above. */
static void test_draft__runs_every_data_file(void **state)
{
	const char *dirs[] = {"drafts/good", "drafts/bad"};
	const char *const *names[] = {good_names, bad_names};

	(void)state;
	for (int k = 0; k < 2; k++) {
		char *path = data_path(dirs[k]);
		DIR *dir = opendir(path);
		struct dirent *e;
		size_t seen = 0;

		assert_non_null(dir);
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			if (!listed(names[k], e->d_name))
				fail_msg("%s/%s is not run by any case", path,
					 e->d_name);
			seen++;
		}
		assert_true(seen > 0);
		closedir(dir);
		free(path);
	}
}

/* ---- line endings, encodings, sizes ---- */

static void test_draft__accepts_crlf(void **state)
{
	size_t len, clen;
	char *buf = read_data("drafts/good/full.md", &len);
	char *crlf = to_crlf(buf, len, &clen);

	(void)state;
	expect_manifest(crlf, clen, "drafts/good/full.json");
	free(crlf);
	free(buf);
}

static void test_draft__crlf_keeps_problem_lines(void **state)
{
	struct al_problems probs;
	size_t len, clen;
	char *buf = read_data("drafts/bad/several.md", &len);
	char *want = read_data("drafts/bad/several.expect", NULL);
	char *crlf = to_crlf(buf, len, &clen);
	json_t *m;

	(void)state;
	al_problems_init(&probs);
	m = run(crlf, clen, &probs);
	expect_problems(&probs, want);
	json_decref(m);
	al_problems_release(&probs);
	free(crlf);
	free(want);
	free(buf);
}

static void test_draft__skips_bom(void **state)
{
	size_t len;
	char *buf = read_data("drafts/good/minimal.md", &len);
	char *bom = malloc(len + 3);

	(void)state;
	assert_non_null(bom);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, buf, len);
	expect_manifest(bom, len + 3, "drafts/good/minimal.json");
	free(bom);
	free(buf);
}

static void test_draft__keeps_lone_cr(void **state)
{
	static const char doc[] = "Id: " TEST_ID "\r\nTitle: a\rb\r\n"
				  "Project: p\r\n";
	struct al_problems probs;
	struct al_draft *d;
	json_t *m = NULL;
	struct al_error err = {0};

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->title.value, "a\rb");
	assert_string_equal(d->project.value, "p");
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	al_problems_sort(&probs);
	assert_int_equal(probs.v[0].line, 2);
	assert_string_equal(probs.v[0].msg, "title has a control character");
	/* the refused title is left out, the rest kept */
	assert_null(json_object_get(m, "title"));
	assert_string_equal(json_string_value(json_object_get(m, "project")),
			    "p");
	assert_string_equal(json_string_value(json_object_get(m, "id")),
			    TEST_ID);
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__reports_nul_byte(void **state)
{
	static const char doc[] = "Id: " TEST_ID "\nTitle: a\0b\n\n"
				  "## Description\nx\0y\n";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 2);
	assert_int_equal(probs.v[0].line, 2);
	assert_string_equal(probs.v[0].msg, "NUL byte in the line");
	assert_int_equal(probs.v[1].line, 5);
	assert_string_equal(probs.v[1].msg, "NUL byte in the line");
	/* the value goes on, the NUL shown as U+FFFD */
	assert_string_equal(d->title.value, "a\xef\xbf\xbd"
					    "b");
	assert_string_equal(d->description.value, "x\xef\xbf\xbdy");
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__reports_invalid_utf8(void **state)
{
	/* a stray continuation byte, an overlong '/', a surrogate, a
	 * sequence cut by the end of the file */
	static const char doc[] = "Id: " TEST_ID "\nTitle: caf\xc3\xa9\n"
				  "Project: \x80p\n\n"
				  "## Description\n\xc0\xafx\n"
				  "ok \xe2\x82\xac\n"
				  "\xed\xa0\x80\n"
				  "## Steps\nend \xe2\x82";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 4);
	assert_int_equal(probs.v[0].line, 3);
	assert_int_equal(probs.v[1].line, 6);
	assert_int_equal(probs.v[2].line, 8);
	assert_int_equal(probs.v[3].line, 10);
	for (size_t i = 0; i < probs.n; i++)
		assert_string_equal(probs.v[i].msg, "line is not valid UTF-8");
	assert_string_equal(d->title.value, "caf\xc3\xa9");
	assert_string_equal(d->project.value, "\xef\xbf\xbdp");
	assert_string_equal(d->steps.value, "end \xef\xbf\xbd\xef\xbf\xbd");
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__reads_a_huge_line(void **state)
{
	const size_t n = 400u * 1024u;
	struct al_problems probs;
	struct al_draft *d;
	struct al_error err = {0};
	json_t *m = NULL;
	char *doc = malloc(n + 64), *p;

	(void)state;
	assert_non_null(doc);
	memcpy(doc, "Title: ", 7);
	p = doc + 7;
	memset(p, 'x', n);
	p += n;
	memcpy(p, "\n\n## Steps\ns", 12);
	p += 12;
	al_problems_init(&probs);
	d = parse_ok(doc, (size_t)(p - doc), &probs);
	assert_int_equal(probs.n, 0);
	assert_int_equal(strlen(d->title.value), n);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	al_problems_sort(&probs);
	assert_int_equal(probs.v[0].line, 1);
	assert_string_equal(probs.v[0].msg,
			    "title is 409600 characters long; at most 200");
	assert_null(json_object_get(m, "title"));
	assert_string_equal(json_string_value(json_object_get(m, "steps")),
			    "s");
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
	free(doc);
}

static void test_draft__refuses_over_limit(void **state)
{
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d = (struct al_draft *)&d;
	char *doc = malloc(AL_DRAFT_MAX_BYTES + 1);

	(void)state;
	assert_non_null(doc);
	memset(doc, '\n', AL_DRAFT_MAX_BYTES + 1);
	al_problems_init(&probs);
	assert_int_equal(
		al_draft_parse(doc, AL_DRAFT_MAX_BYTES + 1, &d, &probs, &err),
		AL_ELIMIT);
	assert_null(d);
	assert_string_equal(err.msg, "report.md: 524289 bytes; at most 524288");
	/* the limit itself is fine */
	assert_int_equal(
		al_draft_parse(doc, AL_DRAFT_MAX_BYTES, &d, &probs, &err), 0);
	assert_non_null(d);
	assert_int_equal(probs.n, 0);
	al_draft_free(d);
	al_problems_release(&probs);
	free(doc);
}

static void test_draft__lists_problems_past_the_cap(void **state)
{
	struct al_problems probs;
	struct al_draft *d;
	size_t n = 1000, len = 0;
	char *doc = malloc(n * 8 + 1);

	(void)state;
	assert_non_null(doc);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, 9, "Foo: x\n");
	al_problems_init(&probs);
	d = parse_ok(doc, len, &probs);
	assert_int_equal(al_problems_count(&probs), n);
	assert_int_equal(probs.n, AL_PROBLEMS_MAX);
	assert_int_equal(probs.v[AL_PROBLEMS_MAX - 1].line, AL_PROBLEMS_MAX);
	al_draft_free(d);
	al_problems_release(&probs);
	free(doc);
}

/* ---- header and body details ---- */

static void test_draft__empty_value_counts_as_absent(void **state)
{
	static const char doc[] = "Title:\nCWE:   \nTitle:  Later  \n"
				  "Affected:\t\nRating:\n";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	print_problems(&probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->title.value, "Later");
	assert_int_equal(d->title.line, 3);
	assert_int_equal(d->ncwe, 0);
	assert_int_equal(d->naffected, 0);
	assert_null(d->rating.value);
	/* the empty header's line is kept for a "missing" problem */
	assert_int_equal(d->rating.line, 5);
	assert_int_equal(d->affected_line, 4);
	assert_null(d->cvss.value);
	assert_int_equal(d->cvss.line, 0);
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__keeps_value_after_first_colon(void **state)
{
	static const char doc[] = "Title: XSS: in notes: really\n"
				  "CVSS: CVSS:3.1/AV:N\n";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->title.value, "XSS: in notes: really");
	assert_string_equal(d->cvss.value, "CVSS:3.1/AV:N");
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__trims_sections_keeps_inner_text(void **state)
{
	static const char doc[] = "Title: t\n\n\n\n## Impact\n\n  \n"
				  "  indented\n\n \t \nlast  \n\n\n"
				  "## Description\n\n\n";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->impact.value, "  indented\n\n \t \nlast  ");
	assert_int_equal(d->impact.line, 8);
	/* a heading with nothing under it is an absent section, at the
	 * heading's line */
	assert_null(d->description.value);
	assert_int_equal(d->description.line, 14);
	assert_null(d->steps.value);
	assert_int_equal(d->steps.line, 0);
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__header_without_body(void **state)
{
	static const char doc[] = "Id: " TEST_ID "\nTitle: t";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->id.value, TEST_ID);
	assert_string_equal(d->title.value, "t");
	assert_int_equal(d->title.line, 2);
	assert_null(d->description.value);
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__shows_control_characters_in_messages(void **state)
{
	static const char doc[] = "F\x1b[31mo: x\n";
	struct al_problems probs;
	struct al_draft *d;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 1);
	assert_non_null(strstr(probs.v[0].msg, "'F\\x1b[31mo'"));
	al_draft_free(d);
	al_problems_release(&probs);
}

static void test_draft__counts_title_in_code_points(void **state)
{
	struct al_problems probs;
	struct al_draft *d;
	struct al_error err = {0};
	json_t *m = NULL;
	char doc[1024];
	size_t k;

	(void)state;
	k = (size_t)snprintf(doc, sizeof(doc), "Title: ");
	for (int i = 0; i < AL_TITLE_MAX_CHARS; i++) {
		memcpy(doc + k, "\xc3\xa9", 2); /* 200 x U+00E9: 400 bytes */
		k += 2;
	}
	doc[k++] = '\n';
	al_problems_init(&probs);
	d = parse_ok(doc, k, &probs);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	for (size_t i = 0; i < probs.n; i++)
		assert_null(strstr(probs.v[i].msg, "title"));
	assert_int_equal(strlen(json_string_value(json_object_get(m, "title"))),
			 2 * AL_TITLE_MAX_CHARS);
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
}

/* Fields that would make a manifest al_manifest_check refuses. */
static void test_draft__refuses_overlong_fields(void **state)
{
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d;
	json_t *m = NULL;
	char *doc = malloc(8192), *p;

	(void)state;
	assert_non_null(doc);
	p = doc + snprintf(doc, 64, "Reporter: ");
	memset(p, 'n', 1001);
	p += 1001;
	*p++ = '\n';
	for (int i = 1; i <= 65; i++)
		p += snprintf(p, 32, "CWE: CWE-%d\n", i);
	p += snprintf(p, 64, "Affected: npm/");
	memset(p, 'a', 1001);
	p += 1001;
	p += snprintf(p, 64, " 1.0.0\n");
	al_problems_init(&probs);
	d = parse_ok(doc, (size_t)(p - doc), &probs);
	assert_int_equal(probs.n, 0);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	al_problems_sort(&probs);
	assert_int_equal(probs.v[0].line, 1);
	assert_string_equal(probs.v[0].msg, "reporter: name or contact longer "
					    "than 1000 characters");
	assert_int_equal(probs.v[1].line, 66);
	assert_string_equal(probs.v[1].msg, "more than 64 CWE headers");
	assert_int_equal(probs.v[2].line, 67);
	assert_non_null(strstr(probs.v[2].msg,
			       "the name is longer than 1000 characters"));
	/* each refused field is left out; the credit stands */
	assert_null(json_object_get(m, "cwe"));
	assert_null(json_object_get(m, "affected"));
	assert_int_equal(json_object_size(json_object_get(m, "reporter")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(m, "reporter"), "credit")),
			    "anonymous");
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
	free(doc);
}

/* ---- Affected lines ---- */

static void expect_osv(const char *text, const char *want_json)
{
	struct al_error err = {0};
	json_error_t jerr;
	json_t *got = NULL, *want = json_loads(want_json, 0, &jerr);

	if (!want)
		fail_msg("bad test json: %s", jerr.text);
	if (al_draft_affected_to_osv(text, &got, &err))
		fail_msg("'%s': %s", text, err.msg);
	if (!json_equal(got, want)) {
		char *a = json_dumps(got, JSON_SORT_KEYS);
		print_message("# '%s' gave %s\n", text, a);
		free(a);
		fail();
	}
	json_decref(got);
	json_decref(want);
}

static void expect_osv_refused(const char *text, const char *msg)
{
	struct al_error err = {0};
	json_t *got = (json_t *)&got;

	assert_int_equal(al_draft_affected_to_osv(text, &got, &err), AL_EINVAL);
	assert_null(got);
	assert_string_equal(err.msg, msg);
}

static void test_draft__affected_maps_to_osv(void **state)
{
	(void)state;
	expect_osv("npm/chatwoot >=4.0.0 <4.2.1",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"chatwoot\"},"
		   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
		   "[{\"introduced\":\"4.0.0\"},{\"fixed\":\"4.2.1\"}]}]}");
	/* order of the comparators does not matter */
	expect_osv("npm/chatwoot <4.2.1 >=4.0.0",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"chatwoot\"},"
		   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
		   "[{\"introduced\":\"4.0.0\"},{\"fixed\":\"4.2.1\"}]}]}");
	expect_osv("npm/chatwoot =4.1.0",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"chatwoot\"},"
		   "\"versions\":[\"4.1.0\"]}");
	expect_osv("npm/@scope/pkg/deep >=1.0.0",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":"
		   "\"@scope/pkg/deep\"},\"ranges\":[{\"type\":\"SEMVER\","
		   "\"events\":[{\"introduced\":\"1.0.0\"}]}]}");
	expect_osv("GIT/https://git.example.org/a/b.git <=ABCDEF0",
		   "{\"package\":{\"ecosystem\":\"GIT\",\"name\":"
		   "\"https://git.example.org/a/b.git\"},\"ranges\":[{\"type\":"
		   "\"GIT\",\"repo\":\"https://git.example.org/a/b.git\","
		   "\"events\":[{\"introduced\":\"0\"},{\"last_affected\":"
		   "\"abcdef0\"}]}]}");
	expect_osv("  npm/x   1.0.0   ",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		   "\"versions\":[\"1.0.0\"]}");
}

static void test_draft__affected_refusals(void **state)
{
	char big[5000];

	(void)state;
	expect_osv_refused("", "affected: empty");
	expect_osv_refused("npm/x 1.0.0\x01",
			   "affected 'npm/x 1.0.0\\x01': control character");
	expect_osv_refused("npm/x \xff", "affected: not valid UTF-8");
	expect_osv_refused("/x 1.0.0",
			   "affected '/x': expected ECOSYSTEM/NAME, e.g. "
			   "'npm/chatwoot' or "
			   "'git/https://github.com/owner/repo'");
	expect_osv_refused("npm/ 1.0.0",
			   "affected 'npm/': expected ECOSYSTEM/NAME, e.g. "
			   "'npm/chatwoot' or "
			   "'git/https://github.com/owner/repo'");
	expect_osv_refused("git/https:///x <abc1234",
			   "affected 'git/https:///x': 'https:///x' is not a "
			   "repository URL, e.g. "
			   "'git/https://github.com/owner/repo'");
	expect_osv_refused("npm/x ^1.2.0",
			   "affected 'npm/x': '^1.2.0' is not a comparator "
			   "Airlock knows (>=, <, <=, = or a bare version)");
	expect_osv_refused("npm/x >=>1.2.0",
			   "affected 'npm/x': '>=>1.2.0' is not a comparator "
			   "Airlock knows (>=, <, <=, = or a bare version)");
	expect_osv_refused("npm/x =",
			   "affected 'npm/x': comparator '=' without a version "
			   "(write it with no space, e.g. '>=1.0.0')");
	expect_osv_refused("npm/x >=1.0.0 <1.0.0",
			   "affected 'npm/x': '>=1.0.0 <1.0.0' is an empty "
			   "range");
	expect_osv_refused(
		"averyveryveryveryveryveryverylongecosystemname/x 1",
		"affected 'averyveryveryveryveryveryverylongecosystemname/x': "
		"unknown ecosystem "
		"'averyveryveryveryveryveryverylongecosystemname'");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_osv_refused(big, "affected: longer than 4096 bytes");
	{
		size_t k = (size_t)snprintf(big, sizeof(big), "pypi/x");
		for (int i = 0; i < 201; i++)
			k += (size_t)snprintf(big + k, sizeof(big) - k, " %d",
					      i);
		expect_osv_refused(big, "affected: more than 200 versions; "
					"split them over several lines");
	}
}

static void test_draft__affected_equal_bounds(void **state)
{
	(void)state;
	/* ">=1.0.0 <=1.0.0" is the one version 1.0.0: allowed */
	expect_osv("npm/x >=1.0.0 <=1.0.0",
		   "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
		   "[{\"introduced\":\"1.0.0\"},{\"last_affected\":"
		   "\"1.0.0\"}]}]}");
}

static void test_draft__affected_release_suffix(void **state)
{
	(void)state;
	/* OSV's "BASE:SUFFIX": base in OSV's spelling, suffix as written,
	 * range type from the base */
	expect_osv("Debian:11/openssl <3.0.11-1~deb11u1",
		   "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":"
		   "\"openssl\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
		   "\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
		   "\"3.0.11-1~deb11u1\"}]}]}");
	expect_osv("alpine:v3.17/openssl >=3.0.0-r0 <3.0.12-r0",
		   "{\"package\":{\"ecosystem\":\"Alpine:v3.17\",\"name\":"
		   "\"openssl\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
		   "\"events\":[{\"introduced\":\"3.0.0-r0\"},{\"fixed\":"
		   "\"3.0.12-r0\"}]}]}");
	expect_osv("UBUNTU:22.04:LTS/openssl 3.0.2-0ubuntu1.10",
		   "{\"package\":{\"ecosystem\":\"Ubuntu:22.04:LTS\","
		   "\"name\":\"openssl\"},\"versions\":"
		   "[\"3.0.2-0ubuntu1.10\"]}");
	/* a suffix on a SEMVER ecosystem keeps SEMVER */
	expect_osv("npm:x/p <v1.0.0",
		   "{\"package\":{\"ecosystem\":\"npm:x\",\"name\":\"p\"},"
		   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
		   "[{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"}]}]}");
	/* 64 bytes of suffix is the most */
	expect_osv("Debian:"
		   "0123456789012345678901234567890123456789012345678901234567"
		   "890123/p 1",
		   "{\"package\":{\"ecosystem\":\"Debian:"
		   "0123456789012345678901234567890123456789012345678901234567"
		   "890123\",\"name\":\"p\"},\"versions\":[\"1\"]}");
}

static void test_draft__affected_release_suffix_refusals(void **state)
{
	(void)state;
	expect_osv_refused("Debian:/x 1.0",
			   "affected 'Debian:/x': 'Debian:': the release after "
			   "':' must be 1 to 64 printable ASCII characters "
			   "with no space, e.g. 'Debian:11'");
	expect_osv_refused("Nope:11/x 1.0", "affected 'Nope:11/x': unknown "
					    "ecosystem 'Nope' in 'Nope:11'");
	expect_osv_refused(":11/x 1.0", "affected ':11/x': unknown ecosystem "
					"'' in ':11'");
	expect_osv_refused("git:1/https://h/r <abc1234",
			   "affected 'git:1/https://h/r': unknown ecosystem "
			   "'git' in 'git:1'");
	/* a space ends the word, so the '/' is in the next one */
	expect_osv_refused("Debian:bull seye/x 1.0",
			   "affected 'Debian:bull': expected ECOSYSTEM/NAME, "
			   "e.g. 'npm/chatwoot' or "
			   "'git/https://github.com/owner/repo'");
	expect_osv_refused("Debian:\xc3\xa9/x 1.0",
			   "affected 'Debian:\xc3\xa9/x': 'Debian:\xc3\xa9': "
			   "the release after ':' must be 1 to 64 printable "
			   "ASCII characters with no space, e.g. 'Debian:11'");
	{
		struct al_error err = {0};
		json_t *got = NULL;

		assert_int_equal(
			al_draft_affected_to_osv(
				"Debian:0123456789012345678901234567890123456"
				"78901234567890123456789012345678901234/p 1",
				&got, &err),
			AL_EINVAL);
		assert_null(got);
		assert_non_null(strstr(err.msg, "the release after ':' must "
						"be 1 to 64 printable ASCII"));
	}
}

/* Empty ranges are refused in every ordered scheme, not in GIT. */
static void test_draft__affected_refuses_empty_range(void **state)
{
	(void)state;
	expect_osv_refused("pypi/x >=2.0 <1.0",
			   "affected 'pypi/x': '>=2.0 <1.0' is an empty range");
	expect_osv_refused("pypi/x <1.0 >=1.0",
			   "affected 'pypi/x': '>=1.0 <1.0' is an empty range");
	expect_osv_refused("pypi/x >=1.0.1 <=1.0",
			   "affected 'pypi/x': '>=1.0.1 <=1.0' is an empty "
			   "range");
	expect_osv_refused("Debian:11/x >=2.0-1 <1.0-1",
			   "affected 'Debian:11/x': '>=2.0-1 <1.0-1' is an "
			   "empty range");
	expect_osv_refused("npm/x >=2.0.0 <=1.9.9",
			   "affected 'npm/x': '>=2.0.0 <=1.9.9' is an empty "
			   "range");
	expect_osv("pypi/x >=1.0 <=1.0",
		   "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},"
		   "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
		   "[{\"introduced\":\"1.0\"},{\"last_affected\":"
		   "\"1.0\"}]}]}");
	expect_osv("pypi/x >=1.0rc1 <1.0",
		   "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},"
		   "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
		   "[{\"introduced\":\"1.0rc1\"},{\"fixed\":\"1.0\"}]}]}");
	/* commits have no order, only equality */
	expect_osv_refused("git/https://h/r >=abc1234 <abc1234",
			   "affected 'git/https://h/r': '>=abc1234 <abc1234' "
			   "is an empty range");
	expect_osv("git/https://h/r >=fedcba9 <0123456",
		   "{\"package\":{\"ecosystem\":\"GIT\",\"name\":"
		   "\"https://h/r\"},\"ranges\":[{\"type\":\"GIT\",\"repo\":"
		   "\"https://h/r\",\"events\":[{\"introduced\":\"fedcba9\"},"
		   "{\"fixed\":\"0123456\"}]}]}");
}

/* ---- the partial manifest ---- */

static json_t *run_data(const char *name, struct al_problems *probs)
{
	char md[128];
	size_t len;
	char *buf;
	json_t *m;

	snprintf(md, sizeof(md), "drafts/%s.md", name);
	buf = read_data(md, &len);
	m = run(buf, len, probs);
	free(buf);
	return m;
}

static void expect_json(const json_t *got, const char *want_json)
{
	json_error_t jerr;
	json_t *want = json_loads(want_json, JSON_DECODE_ANY, &jerr);

	if (!want)
		fail_msg("bad test json: %s", jerr.text);
	if (!json_equal(got, want)) {
		char *a =
			got ? json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY)
			    : NULL;
		print_message("# got %s\n# want %s\n", a ? a : "(null)",
			      want_json);
		free(a);
		fail();
	}
	json_decref(want);
}

static void test_draft__partial_manifest_keeps_valid_fields(void **state)
{
	struct al_problems probs;
	json_t *m;

	(void)state;
	/* bad CWEs: the valid one, class and affected stay */
	al_problems_init(&probs);
	m = run_data("bad/cwe", &probs);
	assert_true(al_problems_count(&probs) > 0);
	expect_json(json_object_get(m, "cwe"), "[\"CWE-89\"]");
	expect_json(json_object_get(m, "class"), "\"xss\"");
	assert_int_equal(json_array_size(json_object_get(m, "affected")), 1);
	json_decref(m);
	al_problems_release(&probs);

	/* a contradicting rating: the vector stays, the rating goes */
	al_problems_init(&probs);
	m = run_data("bad/rating-disagrees", &probs);
	expect_json(json_object_get(m, "severity"),
		    "{\"cvss_v3\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
		    "A:H\"}");
	json_decref(m);
	al_problems_release(&probs);

	/* public credit with nobody to credit: the credit goes */
	al_problems_init(&probs);
	m = run_data("bad/credit-no-name", &probs);
	expect_json(json_object_get(m, "reporter"),
		    "{\"contact\":\"jane@example.net\"}");
	json_decref(m);
	al_problems_release(&probs);

	/* unknown class, rating and credit, a bad project */
	al_problems_init(&probs);
	m = run_data("bad/choices", &probs);
	assert_int_equal(al_problems_count(&probs), 4);
	assert_null(json_object_get(m, "class"));
	assert_null(json_object_get(m, "project"));
	assert_null(json_object_get(m, "severity"));
	assert_null(json_object_get(m, "reporter"));
	expect_json(json_object_get(m, "title"), "\"t\"");
	json_decref(m);
	al_problems_release(&probs);
}

/* One good and two refused Affected lines: only the good one is kept. */
static void test_draft__partial_manifest_drops_refused_affected(void **state)
{
	static const char doc[] = "Affected: foo/p 1\n"
				  "Affected: npm/p <1.0.0\n"
				  "Affected: npm/q >1.0.0\n"
				  "Affected: pypi/q 1.0\n";
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d;
	json_t *m = NULL;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	assert_non_null(m);
	assert_int_equal(json_array_size(json_object_get(m, "affected")), 2);
	expect_json(json_object_get(
			    json_array_get(json_object_get(m, "affected"), 1),
			    "package"),
		    "{\"ecosystem\":\"PyPI\",\"name\":\"q\"}");
	/* entry i of the array is not the i-th Affected line */
	assert_int_equal(al_draft_affected_line(d, 0), 2);
	assert_int_equal(al_draft_affected_line(d, 1), 4);
	assert_int_equal(al_draft_affected_line(d, 2), 0);
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
}

/* The keys the reader reports missing are the ones it exports. */
static void test_draft__required_keys_are_reported_missing(void **state)
{
	static const char *const want[] = {
		"id",       "title",       "project", "class",
		"affected", "description", "steps",   NULL,
	};
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d;
	json_t *m = NULL;
	size_t n;

	(void)state;
	for (n = 0; want[n]; n++) {
		assert_non_null(al_draft_required_keys[n]);
		assert_string_equal(al_draft_required_keys[n], want[n]);
	}
	assert_null(al_draft_required_keys[n]);
	/* an empty draft: one "missing" problem a key, none in the object */
	al_problems_init(&probs);
	d = parse_ok("", 0, &probs);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	assert_int_equal(al_problems_count(&probs), n);
	for (size_t i = 0; i < n; i++) {
		assert_null(json_object_get(m, want[i]));
		assert_non_null(strstr(probs.v[i].msg, "missing"));
	}
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
}

/* Missing fields point at the empty header or the heading with no text;
 * truly absent ones at line 0. */
static void test_draft__missing_fields_have_their_line(void **state)
{
	static const char doc[] = "Id:\n"
				  "Title:   \n"
				  "Project:\n"
				  "Class:\n"
				  "Affected:\n"
				  "Affected:\n"
				  "\n"
				  "## Description\n"
				  "<!-- to do -->\n"
				  "\n"
				  "## Steps\n";
	static const char doc2[] = "Title: t\nTitle:\n\nd\n";
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d;
	json_t *m = NULL;

	(void)state;
	al_problems_init(&probs);
	d = parse_ok(doc, sizeof(doc) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	expect_problems(
		&probs,
		"1 missing report id (no 'Id:' header with a value; "
		"'airlock-pack new' writes one)\n"
		"2 missing title (no 'Title:' header with a value)\n"
		"3 missing project (no 'Project:' header with a value)\n"
		"4 missing class (no 'Class:' header with a value)\n"
		"5 missing affected versions (no 'Affected:' header with a "
		"value)\n"
		"8 missing description (no text under '## Description')\n"
		"11 missing steps to reproduce (no text under '## Steps to "
		"reproduce')\n");
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);

	/* an empty header after a valued one changes nothing */
	al_problems_init(&probs);
	d = parse_ok(doc2, sizeof(doc2) - 1, &probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->title.value, "t");
	assert_int_equal(d->title.line, 1);
	assert_string_equal(d->description.value, "d");
	assert_int_equal(d->description.line, 4);
	al_draft_free(d);
	al_problems_release(&probs);
}

/* ---- the template ---- */

static void test_draft__template_parses_clean(void **state)
{
	struct al_problems probs;
	struct al_error err = {0};
	struct al_draft *d;
	json_t *m = NULL;
	char *t = NULL;

	(void)state;
	assert_int_equal(al_draft_template(TEST_ID, &t, &err), 0);
	al_problems_init(&probs);
	d = parse_ok(t, strlen(t), &probs);
	print_problems(&probs);
	assert_int_equal(probs.n, 0);
	assert_string_equal(d->id.value, TEST_ID);
	assert_int_equal(al_draft_to_manifest(d, &m, &probs, &err), AL_EINVAL);
	/* each missing field is reported at the line to fill in */
	expect_problems(
		&probs,
		"9 missing title (no 'Title:' header with a value)\n"
		"12 missing project (no 'Project:' header with a value)\n"
		"15 missing class (no 'Class:' header with a value)\n"
		"31 missing affected versions (no 'Affected:' header with a "
		"value)\n"
		"38 missing description (no text under '## Description')\n"
		"41 missing steps to reproduce (no text under '## Steps to "
		"reproduce')\n");
	/* what there is: the id and the default credit */
	assert_non_null(m);
	expect_keys(m, "id reporter");
	json_decref(m);
	al_draft_free(d);
	al_problems_release(&probs);
	free(t);
}

/* Replace the first "from" in *s with "to". */
static void fill(char **s, const char *from, const char *to)
{
	char *at = strstr(*s, from), *n;
	size_t a, f = strlen(from), t = strlen(to), len = strlen(*s);

	assert_non_null(at);
	a = (size_t)(at - *s);
	n = malloc(len - f + t + 1);
	assert_non_null(n);
	memcpy(n, *s, a);
	memcpy(n + a, to, t);
	memcpy(n + a + t, at + f, len - a - f + 1);
	free(*s);
	*s = n;
}

static void test_draft__template_filled_in_converts(void **state)
{
	struct al_problems probs;
	struct al_error err = {0};
	char *t = NULL, id[AL_UUID_LEN];
	json_t *m;

	(void)state;
	assert_int_equal(al_uuid_v4(id, &err), 0);
	assert_int_equal(al_draft_template(id, &t, &err), 0);
	fill(&t, "\nTitle:\n", "\nTitle: Stored XSS\n");
	fill(&t, "\nProject:\n", "\nProject: chatwoot\n");
	fill(&t, "\nClass:\n", "\nClass: xss\n");
	fill(&t, "\nAffected:\n", "\nAffected: npm/chatwoot <4.2.1\n");
	fill(&t, "## Description\n", "## Description\nIt is stored.\n");
	fill(&t, "## Steps to reproduce\n",
	     "## Steps to reproduce\n1. Post a note.\n");
	al_problems_init(&probs);
	m = run(t, strlen(t), &probs);
	print_problems(&probs);
	assert_int_equal(al_problems_count(&probs), 0);
	assert_string_equal(json_string_value(json_object_get(m, "id")), id);
	assert_string_equal(json_string_value(json_object_get(m, "steps")),
			    "1. Post a note.");
	assert_null(json_object_get(m, "impact"));
	assert_null(json_object_get(m, "cwe"));
	assert_null(json_object_get(m, "severity"));
	json_decref(m);
	al_problems_release(&probs);
	free(t);
}

static void test_draft__template_refuses_bad_id(void **state)
{
	struct al_error err = {0};
	char *t = (char *)&t;

	(void)state;
	assert_int_equal(al_draft_template("0B6E2F4A-1C3D-4E5F-8A9B-"
					   "0C1D2E3F4A5B",
					   &t, &err),
			 AL_EINVAL);
	assert_null(t);
	assert_int_equal(al_draft_template(NULL, &t, &err), AL_EINVAL);
	assert_int_equal(al_draft_template(TEST_ID "\nTitle: x", &t, &err),
			 AL_EINVAL);
}

static void test_draft__free_accepts_null(void **state)
{
	(void)state;
	al_draft_free(NULL);
}

#define GOOD_TEST(n)      cmocka_unit_test(test_draft__good_##n),
#define BAD_TEST(n, file) cmocka_unit_test(test_draft__bad_##n),

int main(void)
{
	const struct CMUnitTest tests[] = {
		GOOD_CASES(GOOD_TEST) BAD_CASES(BAD_TEST)
			cmocka_unit_test(test_draft__runs_every_data_file),
		cmocka_unit_test(test_draft__accepts_crlf),
		cmocka_unit_test(test_draft__crlf_keeps_problem_lines),
		cmocka_unit_test(test_draft__skips_bom),
		cmocka_unit_test(test_draft__keeps_lone_cr),
		cmocka_unit_test(test_draft__reports_nul_byte),
		cmocka_unit_test(test_draft__reports_invalid_utf8),
		cmocka_unit_test(test_draft__reads_a_huge_line),
		cmocka_unit_test(test_draft__refuses_over_limit),
		cmocka_unit_test(test_draft__lists_problems_past_the_cap),
		cmocka_unit_test(test_draft__empty_value_counts_as_absent),
		cmocka_unit_test(test_draft__keeps_value_after_first_colon),
		cmocka_unit_test(test_draft__trims_sections_keeps_inner_text),
		cmocka_unit_test(test_draft__header_without_body),
		cmocka_unit_test(
			test_draft__shows_control_characters_in_messages),
		cmocka_unit_test(test_draft__counts_title_in_code_points),
		cmocka_unit_test(test_draft__refuses_overlong_fields),
		cmocka_unit_test(test_draft__affected_maps_to_osv),
		cmocka_unit_test(test_draft__affected_refusals),
		cmocka_unit_test(test_draft__affected_equal_bounds),
		cmocka_unit_test(test_draft__affected_release_suffix),
		cmocka_unit_test(test_draft__affected_release_suffix_refusals),
		cmocka_unit_test(test_draft__affected_refuses_empty_range),
		cmocka_unit_test(
			test_draft__partial_manifest_keeps_valid_fields),
		cmocka_unit_test(
			test_draft__partial_manifest_drops_refused_affected),
		cmocka_unit_test(
			test_draft__required_keys_are_reported_missing),
		cmocka_unit_test(test_draft__missing_fields_have_their_line),
		cmocka_unit_test(test_draft__template_parses_clean),
		cmocka_unit_test(test_draft__template_filled_in_converts),
		cmocka_unit_test(test_draft__template_refuses_bad_id),
		cmocka_unit_test(test_draft__free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
