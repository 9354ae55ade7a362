/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exports' pure builders (vault/al_exports.h): the OSV advisory from a
 * manifest and the maintainers' triage, its Markdown draft, CSV cells, the
 * reports table and the credits.  The vault's side (decrypting, the
 * ledger's events) is tested end to end by tests/cli/vault_exports.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_exports.h"
#include "test_data.h"

#define REPORT "3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
#define NOW    1795341600 /* 2026-11-22T10:00:00Z */

/* ---- helpers ---------------------------------------------------------- */

static json_t *load_manifest(void)
{
	json_error_t jerr;
	char *text = al_test_read(NULL, "osv/manifest.json");
	json_t *m = json_loads(text, 0, &jerr);

	if (!m)
		fail_msg("osv/manifest.json: %s", jerr.text);
	free(text);
	return m;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (!v)
		fail_msg("test input does not parse: %s", jerr.text);
	return v;
}

static struct al_advisory_in input(const json_t *m, const char *state)
{
	return (struct al_advisory_in){
		.manifest = m,
		.report = REPORT,
		.state = state,
		.modified = NOW,
	};
}

/* The advisory, which must be made. */
static json_t *osv(const struct al_advisory_in *in, struct al_notes *notes)
{
	struct al_error err = {0};
	json_t *out = NULL;

	if (al_advisory_osv(in, &out, notes, &err))
		fail_msg("refused: %s", err.msg);
	assert_non_null(out);
	return out;
}

static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(s);
	return s;
}

/* v, compact with sorted keys, is exactly want (JSON text). */
static void assert_json(const json_t *v, const char *want)
{
	json_t *w = parse(want);
	char *a = dump(v), *b = dump(w);

	if (strcmp(a, b))
		fail_msg("got  %s\nwant %s", a, b);
	free(a);
	free(b);
	json_decref(w);
}

static bool has_note(const struct al_notes *n, const char *part)
{
	for (size_t i = 0; i < n->n; i++)
		if (strstr(n->text[i], part))
			return true;
	return false;
}

static const json_t *path(const json_t *v, const char *key, int index)
{
	const json_t *x = json_object_get(v, key);

	return index >= 0 ? json_array_get(x, (size_t)index) : x;
}

static char *cell(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	al_csv_cell(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_cell(const char *in, const char *want)
{
	char *got = cell(in);

	if (strcmp(got, want))
		fail_msg("cell of '%s': got '%s', want '%s'", in ? in : "NULL",
			 got, want);
	free(got);
}

/* ---- OSV ---------------------------------------------------------------- */

static void test_osv__fields_in_order_with_schema_version(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "triaged");
	const char *want[] = {"schema_version", "id",      "modified",
			      "summary",        "details", "severity",
			      "affected",       "credits", "database_specific"};
	void *it;
	size_t i = 0;

	(void)state;
	o = osv(&in, NULL);
	for (it = json_object_iter(o); it; it = json_object_iter_next(o, it))
		assert_string_equal(json_object_iter_key(it), want[i++]);
	assert_int_equal(i, 9);
	assert_string_equal(json_string_value(path(o, "schema_version", -1)),
			    "1.7.0");
	assert_string_equal(json_string_value(path(o, "modified", -1)),
			    "2026-11-22T10:00:00Z");
	assert_string_equal(json_string_value(path(o, "summary", -1)),
			    "Stored XSS in conversation notes");
	assert_null(path(o, "published", -1));
	json_decref(o);
	json_decref(m);
}

static void test_osv__fixed_version_added_to_ranges_without_a_fix(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "fixed");
	struct al_notes notes = {0};

	(void)state;
	in.fixed_version = "v4.2.1";
	o = osv(&in, &notes);
	/* SEMVER: the fix added, without the v; ECOSYSTEM with
	 * last_affected: untouched; GIT: untouched, with a note; a versions
	 * list: untouched, with a note; the reporter's database_specific
	 * dropped; ecosystems in OSV's spelling */
	assert_json(
		path(o, "affected", -1),
		"[{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		"\"chatwoot\"}, \"ranges\": [{\"type\": \"SEMVER\", "
		"\"events\": [{\"introduced\": \"4.0.0\"}, {\"fixed\": "
		"\"4.2.1\"}]}]},"
		" {\"package\": {\"ecosystem\": \"PyPI\", \"name\": "
		"\"chatwoot-sdk\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", "
		"\"events\": [{\"introduced\": \"1.0\"}, "
		"{\"last_affected\": \"1.5\"}]}]},"
		" {\"package\": {\"ecosystem\": \"GIT\", \"name\": "
		"\"https://example.org/chatwoot.git\"}, \"ranges\": "
		"[{\"type\": \"GIT\", \"repo\": "
		"\"https://example.org/chatwoot.git\", \"events\": "
		"[{\"introduced\": \"a1b2c3d4\"}]}]},"
		" {\"package\": {\"ecosystem\": \"Debian:12\", \"name\": "
		"\"chatwoot\"}, \"versions\": [\"4.0.0-1\", \"4.1.0-1\"]}]");
	assert_true(has_note(&notes, "affected[2].ranges[0]: a GIT range "
				     "takes a commit"));
	assert_true(has_note(&notes, "affected[3] lists versions only"));
	assert_false(has_note(&notes, "not fixed"));
	json_decref(o);
	json_decref(m);
}

static void test_osv__no_fix_added_before_the_report_is_fixed(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "fixing");
	struct al_notes notes = {0};
	char *s;

	(void)state;
	in.fixed_version = "4.2.1"; /* not yet believed */
	o = osv(&in, &notes);
	s = dump(path(o, "affected", -1));
	assert_null(strstr(s, "\"fixed\""));
	assert_true(has_note(&notes, "is fixing, not fixed"));
	free(s);
	json_decref(o);
	json_decref(m);
}

static void test_osv__bad_fixed_version_for_semver_is_a_note(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "disclosed");
	struct al_notes notes = {0};
	char *s;

	(void)state;
	in.fixed_version = "4.2";
	o = osv(&in, &notes);
	s = dump(path(o, "affected", 0));
	assert_null(strstr(s, "\"fixed\""));
	assert_true(has_note(&notes, "the fixed version '4.2' is not a "
				     "SEMVER version"));
	free(s);
	json_decref(o);
	json_decref(m);
}

static void test_osv__fix_not_before_introduced_nor_after_a_limit(void **state)
{
	json_t *m = parse("{\"title\": \"t\", \"description\": \"d\", "
			  "\"affected\": [{\"package\": {\"ecosystem\": "
			  "\"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": "
			  "\"SEMVER\", \"events\": [{\"introduced\": "
			  "\"5.0.0\"}]}, {\"type\": \"SEMVER\", \"events\": "
			  "[{\"introduced\": \"4.0.0\"}, {\"limit\": "
			  "\"4.9.0\"}]}, {\"type\": \"SEMVER\", \"events\": "
			  "[{\"introduced\": \"0\"}]}]}]}");
	struct al_advisory_in in = input(m, "fixed");
	struct al_notes notes = {0};
	json_t *o;

	(void)state;
	in.fixed_version = "4.2.1";
	o = osv(&in, &notes);
	/* 4.2.1 is not after 5.0.0; the second range ends at a limit; the
	 * third (every version) gets the fix */
	assert_json(path(o, "affected", 0),
		    "{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		    "\"a\"}, \"ranges\": [{\"type\": \"SEMVER\", "
		    "\"events\": [{\"introduced\": \"5.0.0\"}]}, {\"type\": "
		    "\"SEMVER\", \"events\": [{\"introduced\": \"4.0.0\"}, "
		    "{\"limit\": \"4.9.0\"}]}, {\"type\": \"SEMVER\", "
		    "\"events\": [{\"introduced\": \"0\"}, {\"fixed\": "
		    "\"4.2.1\"}]}]}");
	assert_true(has_note(&notes, "affected[0].ranges[0]: the fixed "
				     "version '4.2.1' does not come after"));
	assert_true(has_note(&notes, "affected[0].ranges[1]: the range ends "
				     "at a limit"));
	json_decref(o);
	json_decref(m);
}

static void test_osv__maintainers_vector_wins(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "triaged");

	(void)state;
	in.rating = "critical";
	in.cvss = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/"
		  "SI:N/SA:N";
	o = osv(&in, NULL);
	assert_json(path(o, "severity", -1),
		    "[{\"type\": \"CVSS_V4\", \"score\": "
		    "\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/"
		    "SI:N/SA:N\"}]");
	assert_json(
		path(o, "database_specific", -1),
		"{\"airlock\": {\"report\": \"" REPORT "\", \"state\": "
		"\"triaged\", \"rating\": \"critical\", \"class\": \"xss\", "
		"\"cwe\": [\"CWE-79\"], \"severity_source\": "
		"\"maintainers\"}}");
	json_decref(o);
	json_decref(m);
}

static void test_osv__reporter_vectors_when_maintainers_gave_none(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "acknowledged");

	(void)state;
	o = osv(&in, NULL);
	assert_json(path(o, "severity", -1),
		    "[{\"type\": \"CVSS_V4\", \"score\": "
		    "\"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:L/VI:L/VA:N/SC:L/"
		    "SI:L/SA:N\"}, {\"type\": \"CVSS_V3\", \"score\": "
		    "\"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N\"}]");
	assert_string_equal(
		json_string_value(json_object_get(
			path(path(o, "database_specific", -1), "airlock", -1),
			"severity_source")),
		"reporter");
	json_decref(o);
	json_decref(m);
}

static void
test_osv__reporter_vector_against_the_rating_is_left_out(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "triaged");
	struct al_notes notes = {0};

	(void)state;
	in.rating = "low"; /* both reporter vectors rate medium */
	o = osv(&in, &notes);
	assert_null(path(o, "severity", -1));
	assert_null(json_object_get(
		path(path(o, "database_specific", -1), "airlock", -1),
		"severity_source"));
	assert_true(has_note(&notes, "the reporter's cvss_v3 rates medium, "
				     "the maintainers rated low"));
	json_decref(o);
	json_decref(m);
}

static void test_osv__credits_only_a_public_named_reporter(void **state)
{
	static const char *const cases[][3] = {
		/* credit, name, credited? */
		{"public", "Jane Doe", "yes"}, {"anonymous", "Jane Doe", "no"},
		{NULL, "Jane Doe", "no"}, /* the default is anonymous */
		{"public", "", "no"},          {"public", NULL, "no"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *m = load_manifest(), *o, *r = json_object();
		struct al_advisory_in in = input(m, "disclosed");
		char *s;

		if (cases[i][0])
			json_object_set_new(r, "credit",
					    json_string(cases[i][0]));
		if (cases[i][1])
			json_object_set_new(r, "name",
					    json_string(cases[i][1]));
		json_object_set_new(r, "contact",
				    json_string("jane@example.net"));
		json_object_set_new(m, "reporter", r);
		o = osv(&in, NULL);
		if (!strcmp(cases[i][2], "yes"))
			assert_json(path(o, "credits", -1),
				    "[{\"name\": \"Jane Doe\", \"type\": "
				    "\"FINDER\"}]");
		else
			assert_null(path(o, "credits", -1));
		s = dump(o);
		/* never a contact, and no name without consent */
		assert_null(strstr(s, "jane@example.net"));
		if (strcmp(cases[i][2], "yes"))
			assert_null(strstr(s, "Jane"));
		free(s);
		json_decref(o);
		json_decref(m);
	}
}

static void test_osv__refuses_closing_and_unknown_states(void **state)
{
	static const char *const closing[] = {
		"duplicate",      "out-of-scope",     "informative",
		"not-applicable", "not-reproducible", "spam",
		"withdrawn",
	};
	json_t *m = load_manifest(), *o = NULL;
	struct al_error err = {0};
	struct al_advisory_in in;
	char want[128];

	(void)state;
	for (size_t i = 0; i < sizeof(closing) / sizeof(closing[0]); i++) {
		in = input(m, closing[i]);
		assert_int_equal(al_advisory_osv(&in, &o, NULL, &err),
				 AL_EINVAL);
		assert_null(o);
		snprintf(want, sizeof(want),
			 "report " REPORT " is %s: nothing to advise",
			 closing[i]);
		assert_string_equal(err.msg, want);
	}
	in = input(m, "lost");
	assert_int_equal(al_advisory_osv(&in, &o, NULL, &err), AL_EINVAL);
	assert_non_null(strstr(err.msg, "unknown state 'lost'"));
	json_decref(m);
}

static void
test_osv__details_hold_description_and_impact_not_steps(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "new");
	const char *d;

	(void)state;
	o = osv(&in, NULL);
	d = json_string_value(path(o, "details", -1));
	assert_non_null(d);
	assert_string_equal(d,
			    "A note's body is rendered without escaping."
			    "\n\n```html\n<img src=x onerror=alert(1)>\n```"
			    "\n\n## Impact\n\nSession theft of every agent.");
	assert_null(strstr(d, "SECRET-STEP"));
	json_decref(o);
	json_decref(m);
}

static void test_osv__ids_placeholder_given_and_refused(void **state)
{
	static const char *const bad[] = {
		"GH",          "GHSA xxxx", "-GHSA-1", "GHSA", "GHSA-\xc3\xa9",
		"GHSA-1/../x", "GHSA-1\n",
	};
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "new");
	struct al_notes notes = {0};
	struct al_error err = {0};
	char id[20];

	(void)state;
	al_advisory_default_id(REPORT, id);
	assert_string_equal(id, "AIRLOCK-3F1C2A9E");
	o = osv(&in, &notes);
	assert_string_equal(json_string_value(path(o, "id", -1)),
			    "AIRLOCK-3F1C2A9E");
	assert_true(has_note(&notes, "AIRLOCK-3F1C2A9E is Airlock's "
				     "placeholder"));
	json_decref(o);
	in.id = "GHSA-abcd-efgh-ijkl";
	notes.n = 0;
	o = osv(&in, &notes);
	assert_string_equal(json_string_value(path(o, "id", -1)),
			    "GHSA-abcd-efgh-ijkl");
	assert_false(has_note(&notes, "placeholder"));
	json_decref(o);
	assert_int_equal(al_advisory_id_check("CVE-2026-12345", &err), 0);
	assert_int_equal(al_advisory_id_check("SUSE-SU-2026:0001-1", &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(al_advisory_id_check(bad[i], &err), AL_EUSAGE);
		assert_non_null(strstr(err.msg, "advisory id '"));
		o = NULL;
		in.id = bad[i];
		assert_int_equal(al_advisory_osv(&in, &o, NULL, &err),
				 AL_EUSAGE);
		assert_null(o);
	}
	json_decref(m);
}

static void test_osv__published_only_when_disclosed(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "disclosed");

	(void)state;
	in.published = NOW - 86400;
	o = osv(&in, NULL);
	assert_string_equal(json_string_value(path(o, "published", -1)),
			    "2026-11-21T10:00:00Z");
	json_decref(o);
	json_decref(m);
}

static void test_osv__unknown_ecosystem_kept_with_a_note(void **state)
{
	json_t *m = parse("{\"title\": \"t\", \"affected\": [{\"package\": "
			  "{\"ecosystem\": \"Nope:1\", \"name\": \"x\"}, "
			  "\"versions\": [\"1\"]}]}"),
	       *o;
	struct al_advisory_in in = input(m, "new");
	struct al_notes notes = {0};

	(void)state;
	o = osv(&in, &notes);
	assert_string_equal(json_string_value(json_object_get(
				    path(path(o, "affected", 0), "package", -1),
				    "ecosystem")),
			    "Nope:1");
	assert_true(has_note(&notes, "ecosystem 'Nope:1' is not one OSV 1.7 "
				     "names"));
	assert_null(path(o, "details", -1));
	json_decref(o);
	json_decref(m);
}

static void test_osv__malformed_affected_is_refused(void **state)
{
	json_t *m = parse("{\"title\": \"t\", \"affected\": [{\"ranges\": "
			  "[]}]}"),
	       *o = NULL;
	struct al_advisory_in in = input(m, "new");
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_advisory_osv(&in, &o, NULL, &err), AL_EINVAL);
	assert_string_equal(err.msg, "manifest: 'affected[0]' has no package "
				     "ecosystem and name");
	assert_null(o);
	json_decref(m);
}

static void test_osv_text__escapes_bidi_and_ends_in_newline(void **state)
{
	json_t *m = load_manifest(), *o;
	struct al_advisory_in in = input(m, "new");
	struct al_error err = {0};
	char *text = NULL;
	size_t len = 0;

	(void)state;
	json_object_set_new(m, "title",
			    json_string("evil \xe2\x80\xae"
					"cod.exe"));
	o = osv(&in, NULL);
	assert_int_equal(al_advisory_osv_text(o, &text, &len, &err), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_non_null(strstr(text, "\"summary\": \"evil \\u202e"));
	assert_non_null(strstr(text, "{\n  \"schema_version\": \"1.7.0\",\n"
				     "  \"id\": "));
	free(text);
	json_decref(o);
	json_decref(m);
}

/* ---- Markdown ----------------------------------------------------------- */

static char *markdown(json_t *m, const char *state)
{
	struct al_advisory_in in = input(m, state);
	struct al_error err = {0};
	char *md = NULL;
	size_t len = 0;
	json_t *o = osv(&in, NULL);

	if (al_advisory_markdown(o, &md, &len, &err))
		fail_msg("markdown refused: %s", err.msg);
	assert_int_equal(strlen(md), len);
	json_decref(o);
	return md;
}

static void test_md__inline_text_is_escaped(void **state)
{
	json_t *m = load_manifest();
	char *md;

	(void)state;
	json_object_set_new(m, "title",
			    json_string("<img src=x onerror=alert(1)> *bold* "
					"[x](http://e.example) ## h"));
	json_object_set_new(json_object_get(m, "reporter"), "name",
			    json_string("_Jane_ <b>"));
	md = markdown(m, "disclosed");
	assert_non_null(strstr(md, "# Draft advisory: \\<img src\\=x "
				   "onerror\\=alert\\(1\\)\\> \\*bold\\* "
				   "\\[x\\]\\(http\\:\\/\\/e\\.example\\) "
				   "\\#\\# h\n"));
	assert_non_null(strstr(md, "## Credits\n\n- \\_Jane\\_ \\<b\\> "
				   "(finder)\n"));
	assert_null(strstr(md, "<b>"));
	free(md);
	json_decref(m);
}

static void test_md__details_fenced_longer_than_any_backtick_run(void **state)
{
	json_t *m = load_manifest();
	char *md;

	(void)state;
	json_object_set_new(m, "description",
			    json_string("break out?\n````\n# Fake heading\r\n"
					"bidi \xe2\x80\xae here\x1b[31m"));
	json_object_set_new(m, "impact", json_string(""));
	md = markdown(m, "new");
	assert_non_null(strstr(md, "## Details\n\n`````text\nbreak out?\n"
				   "````\n# Fake heading\nbidi \\u{202e} "
				   "here\\x1b[31m\n`````\n"));
	assert_null(strstr(md, "\xe2\x80\xae"));
	assert_null(strstr(md, "\x1b"));
	free(md);
	json_decref(m);
}

static void test_md__values_in_code_spans_and_no_credits_section(void **state)
{
	json_t *m = load_manifest();
	char *md;

	(void)state;
	json_object_set_new(json_object_get(m, "reporter"), "credit",
			    json_string("anonymous"));
	json_array_set_new(
		json_object_get(
			json_array_get(json_object_get(m, "affected"), 3),
			"versions"),
		0, json_string("1.0`` <x>"));
	md = markdown(m, "new");
	assert_non_null(strstr(md, "- `npm` `chatwoot`\n  - SEMVER: "
				   "introduced `4.0.0`\n"));
	assert_non_null(strstr(md, "  - versions: ```1.0`` <x>```, "
				   "`4.1.0-1`\n"));
	assert_non_null(strstr(md, "- Severity: `CVSS:4.0/"));
	assert_non_null(strstr(md, "(proposed by the reporter)"));
	assert_null(strstr(md, "## Credits"));
	assert_null(strstr(md, "Jane"));
	assert_null(strstr(md, "SECRET-STEP"));
	free(md);
	json_decref(m);
}

/* ---- CSV and reports ---------------------------------------------------- */

static void test_csv__quoting_and_formula_defusing(void **state)
{
	(void)state;
	assert_cell(NULL, "");
	assert_cell("", "");
	assert_cell("plain title", "plain title");
	assert_cell("a,b", "\"a,b\"");
	assert_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_cell("=HYPERLINK(\"http://evil\",\"x\")",
		    "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
	assert_cell("=1+1", "'=1+1");
	assert_cell("+1", "'+1");
	assert_cell("-1", "'-1");
	assert_cell("@SUM(A1)", "'@SUM(A1)");
	assert_cell("\t=1", "'\\t=1");
	assert_cell("\r=1", "'\\r=1");
	assert_cell("a\nb", "a\\nb");
	assert_cell("x=1", "x=1");
	assert_cell("bidi \xe2\x80\xae", "bidi \\u{202e}");
	assert_cell("caf\xc3\xa9", "caf\xc3\xa9");
}

static const char rows_json[] =
	"[{\"id\": \"a\", \"state\": \"fixed\", \"rating\": \"critical\", "
	"\"score\": 98, \"cvss\": \"CVSS:3.1/AV:N\", \"class\": \"xss\", "
	"\"project\": \"p\", \"title\": \"=cmd|' /C calc'!A0\", \"reporter\": "
	"\"Doe, Jane\", \"imported_at\": \"2026-11-22T10:00:00Z\", "
	"\"acknowledged_at\": \"2026-11-22T11:00:00Z\", \"triaged_at\": null, "
	"\"fixed_at\": null, \"fixed_version\": \"4.2.1\", \"closed_at\": "
	"null, "
	"\"reason\": null, \"duplicate_of\": null},"
	" {\"id\": \"b\", \"state\": \"new\", \"rating\": null, \"score\": "
	"100, \"cvss\": null, \"class\": \"rce\", \"project\": \"p\", "
	"\"title\": \"t\", \"reporter\": null, \"imported_at\": "
	"\"2026-11-23T10:00:00Z\"},"
	" {\"id\": \"c\", \"state\": \"spam\", \"score\": 1, \"title\": "
	"\"u\"}]";

static void test_reports_csv__header_rows_crlf(void **state)
{
	json_t *rows = parse(rows_json);
	struct al_error err = {0};
	char *csv = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(al_reports_csv(rows, &csv, &len, &err), 0);
	assert_int_equal(strlen(csv), len);
	assert_string_equal(
		csv, "id,state,rating,score,cvss,class,project,title,reporter,"
		     "imported_at,acknowledged_at,triaged_at,fixed_at,"
		     "fixed_version,closed_at,reason,duplicate_of\r\n"
		     "a,fixed,critical,9.8,CVSS:3.1/AV:N,xss,p,'=cmd|' /C "
		     "calc'!A0,\"Doe, Jane\",2026-11-22T10:00:00Z,"
		     "2026-11-22T11:00:00Z,,,4.2.1,,,\r\n"
		     "b,new,,10.0,,rce,p,t,,2026-11-23T10:00:00Z,,,,,,,\r\n"
		     "c,spam,,0.1,,,,u,,,,,,,,,\r\n");
	free(csv);
	json_decref(rows);
}

static void test_reports_json__columns_in_order_score_a_number(void **state)
{
	json_t *rows = parse(rows_json), *back;
	struct al_error err = {0};
	char *text = NULL;
	size_t len = 0;
	void *it;
	size_t i = 0;

	(void)state;
	assert_int_equal(al_reports_json(rows, &text, &len, &err), 0);
	assert_int_equal(text[len - 1], '\n');
	assert_non_null(strstr(text, "\"score\": 9.8,"));
	assert_non_null(strstr(text, "\"score\": 10.0,"));
	back = parse(text);
	assert_int_equal(json_array_size(back), 3);
	for (it = json_object_iter(json_array_get(back, 0)); it;
	     it = json_object_iter_next(json_array_get(back, 0), it))
		assert_string_equal(json_object_iter_key(it),
				    al_report_columns[i++]);
	assert_null(al_report_columns[i]);
	assert_true(json_is_null(
		json_object_get(json_array_get(back, 1), "reporter")));
	assert_true(json_is_null(
		json_object_get(json_array_get(back, 2), "duplicate_of")));
	free(text);
	json_decref(back);
	json_decref(rows);
}

/* ---- credits ------------------------------------------------------------ */

static const char credit_rows[] =
	"["
	"{\"name\": \"Jane\", \"credit\": \"public\", \"report\": \"r2\", "
	"\"state\": \"disclosed\", \"fixed_version\": \"2.0\", \"fixed_at\": "
	"\"2026-02-01T00:00:00Z\", \"disclosed_at\": \"2026-03-01T00:00:00Z\", "
	"\"title\": \"second\"},"
	"{\"name\": \"Anon Ymous\", \"credit\": \"anonymous\", \"report\": "
	"\"r3\", \"state\": \"disclosed\", \"fixed_version\": \"1.0\", "
	"\"fixed_at\": \"2026-01-01T00:00:00Z\", \"title\": \"hidden\"},"
	"{\"name\": \"Jane\", \"credit\": \"public\", \"report\": \"r1\", "
	"\"state\": \"fixed\", \"fixed_version\": \"1.0\", \"fixed_at\": "
	"\"2026-01-01T00:00:00Z\", \"disclosed_at\": null, \"title\": "
	"\"not yet public\"},"
	"{\"name\": \"Bob\", \"credit\": \"public\", \"report\": \"r4\", "
	"\"state\": \"triaged\", \"title\": \"open\"},"
	"{\"name\": \"\", \"credit\": \"public\", \"report\": \"r5\", "
	"\"state\": \"fixed\", \"title\": \"no name\"},"
	"{\"name\": null, \"credit\": \"public\", \"report\": \"r6\", "
	"\"state\": \"fixed\"},"
	"{\"name\": \"Carl\", \"credit\": \"public\", \"report\": \"r7\", "
	"\"state\": \"spam\"},"
	"{\"name\": \"Ada\", \"credit\": \"public\", \"report\": \"r8\", "
	"\"state\": \"disclosed\", \"fixed_version\": \"3.0\", \"fixed_at\": "
	"\"2026-04-01T00:00:00Z\", \"disclosed_at\": \"2026-04-02T00:00:00Z\", "
	"\"title\": \"ada's\"}"
	"]";

static void test_credits__public_fixed_or_disclosed_grouped(void **state)
{
	json_t *rows = parse(credit_rows), *c = NULL;
	struct al_error err = {0};
	char *s;

	(void)state;
	assert_int_equal(al_credits_build(rows, &c, &err), 0);
	assert_json(c,
		    "[{\"name\": \"Ada\", \"reports\": [{\"report\": \"r8\", "
		    "\"state\": \"disclosed\", \"fixed_version\": \"3.0\", "
		    "\"fixed_at\": \"2026-04-01T00:00:00Z\", \"disclosed_at\": "
		    "\"2026-04-02T00:00:00Z\", \"role\": \"finder\", "
		    "\"title\": \"ada's\"}]},"
		    " {\"name\": \"Jane\", \"reports\": [{\"report\": \"r1\", "
		    "\"state\": \"fixed\", \"fixed_version\": \"1.0\", "
		    "\"fixed_at\": \"2026-01-01T00:00:00Z\", \"disclosed_at\": "
		    "null, \"role\": \"finder\", \"title\": null}, "
		    "{\"report\": \"r2\", \"state\": "
		    "\"disclosed\", \"fixed_version\": \"2.0\", \"fixed_at\": "
		    "\"2026-02-01T00:00:00Z\", \"disclosed_at\": "
		    "\"2026-03-01T00:00:00Z\", \"role\": \"finder\", "
		    "\"title\": \"second\"}]}]");
	/* the anonymous reporter leaves no trace */
	s = dump(c);
	assert_null(strstr(s, "Anon"));
	assert_null(strstr(s, "hidden"));
	assert_null(strstr(s, "not yet public"));
	free(s);
	json_decref(c);
	json_decref(rows);
}

static void test_credits_text__one_block_a_name(void **state)
{
	json_t *rows = parse(credit_rows), *c = NULL;
	struct al_error err = {0};
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(al_credits_build(rows, &c, &err), 0);
	assert_int_equal(al_credits_text(c, &text, &len, &err), 0);
	assert_string_equal(text,
			    "Ada\n"
			    "  r8  disclosed  fixed in 3.0  ada's\n"
			    "\n"
			    "Jane\n"
			    "  r1  fixed      fixed in 1.0  (title withheld "
			    "until disclosure)\n"
			    "  r2  disclosed  fixed in 2.0  second\n");
	free(text);
	json_decref(c);
	json_decref(rows);
}

static void test_credits__none_gives_empty_output(void **state)
{
	json_t *rows = parse("[{\"name\": \"A\", \"credit\": \"anonymous\", "
			     "\"report\": \"r\", \"state\": \"fixed\"}]"),
	       *c = NULL;
	struct al_error err = {0};
	char *text = NULL;
	size_t len = 1;

	(void)state;
	assert_int_equal(al_credits_build(rows, &c, &err), 0);
	assert_int_equal(json_array_size(c), 0);
	assert_int_equal(al_credits_text(c, &text, &len, &err), 0);
	assert_int_equal(len, 0);
	free(text);
	assert_int_equal(al_credits_json(c, &text, &len, &err), 0);
	assert_string_equal(text, "[]\n");
	free(text);
	json_decref(c);
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osv__fields_in_order_with_schema_version),
		cmocka_unit_test(
			test_osv__fixed_version_added_to_ranges_without_a_fix),
		cmocka_unit_test(
			test_osv__no_fix_added_before_the_report_is_fixed),
		cmocka_unit_test(
			test_osv__bad_fixed_version_for_semver_is_a_note),
		cmocka_unit_test(
			test_osv__fix_not_before_introduced_nor_after_a_limit),
		cmocka_unit_test(test_osv__maintainers_vector_wins),
		cmocka_unit_test(
			test_osv__reporter_vectors_when_maintainers_gave_none),
		cmocka_unit_test(
			test_osv__reporter_vector_against_the_rating_is_left_out),
		cmocka_unit_test(
			test_osv__credits_only_a_public_named_reporter),
		cmocka_unit_test(test_osv__refuses_closing_and_unknown_states),
		cmocka_unit_test(
			test_osv__details_hold_description_and_impact_not_steps),
		cmocka_unit_test(test_osv__ids_placeholder_given_and_refused),
		cmocka_unit_test(test_osv__published_only_when_disclosed),
		cmocka_unit_test(test_osv__unknown_ecosystem_kept_with_a_note),
		cmocka_unit_test(test_osv__malformed_affected_is_refused),
		cmocka_unit_test(
			test_osv_text__escapes_bidi_and_ends_in_newline),
		cmocka_unit_test(test_md__inline_text_is_escaped),
		cmocka_unit_test(
			test_md__details_fenced_longer_than_any_backtick_run),
		cmocka_unit_test(
			test_md__values_in_code_spans_and_no_credits_section),
		cmocka_unit_test(test_csv__quoting_and_formula_defusing),
		cmocka_unit_test(test_reports_csv__header_rows_crlf),
		cmocka_unit_test(
			test_reports_json__columns_in_order_score_a_number),
		cmocka_unit_test(
			test_credits__public_fixed_or_disclosed_grouped),
		cmocka_unit_test(test_credits_text__one_block_a_name),
		cmocka_unit_test(test_credits__none_gives_empty_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
