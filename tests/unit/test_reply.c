/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_base64.h"
#include "al_checkpoint.h"
#include "al_error.h"
#include "al_jcs.h"
#include "al_json.h"
#include "al_merkle.h"
#include "al_reply.h"

#define REPORT "3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
#define OTHER  "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
#define ORIGIN "airlock/2f6c2a0e-8a51-4a0b-9d1e-1d3c2b5d7e90"
#define FPR    "7B176D64A3C8C5EBF7E5CC1D7BA2E9C0540F960F"
#define SIG                                                                   \
	"-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQR7F21ko8jF6/flzB17ou" \
	"nAVA+WDwUCY2xhcgAKCRB7ounAVA+WD3mvAQ==\n=abcd\n-----END PGP "        \
	"SIGNATURE-----\n"
#define KEY                                                                    \
	"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEY2xhchYJKwYBBAHaRw8BAQdA" \
	"\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"

/* ---- helpers ---------------------------------------------------------- */

static void check_msg(const struct al_error *err, const char *part)
{
	if (!strstr(err->msg, part))
		fail_msg("message '%s' lacks '%s'", err->msg, part);
}

/* A copy of s[0..len) with no byte after it, so that ASan catches a read
 * past the end. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* The canonical bytes of v (a new string). */
static char *canon(const json_t *v, size_t *len)
{
	struct al_error err = {0};
	char *out = NULL;

	if (al_jcs_dump(v, &out, len, &err))
		fail_msg("jcs: %s", err.msg);
	return out;
}

/* What one event of a test ledger looks like. */
struct event_spec {
	const char *kind;   /* NULL: "import" at the proven index */
	const char *report; /* NULL: REPORT */
	const char *raw;    /* the exact bytes of the proven leaf, if set */
};

static char *event_bytes(uint64_t seq, const char *kind, const char *report,
			 size_t *len)
{
	json_t *ev = json_pack("{s:s, s:s, s:{s:s}, s:s, s:s?, s:I}", "actor",
			       FPR, "at", "2026-11-22T10:00:00Z", "data",
			       "bundle", "ab", "kind", kind, "report", report,
			       "seq", (json_int_t)seq);
	char *out;

	assert_non_null(ev);
	out = canon(ev, len);
	json_decref(ev);
	return out;
}

/*
 * A proof as al_vault_proof builds it: a ledger of n events, the one at
 * idx the import of REPORT (or what spec says), its path to the root of
 * the checkpoint of size n named origin.
 */
static json_t *build_proof(uint64_t n, uint64_t idx, const char *origin,
			   const struct event_spec *spec)
{
	uint8_t(*leaves)[AL_MERKLE_HASH] = calloc(n, AL_MERKLE_HASH);
	uint8_t path[AL_MERKLE_MAX_PATH][AL_MERKLE_HASH];
	struct al_checkpoint c = {0};
	struct al_error err = {0};
	char text[AL_CHECKPOINT_TEXT_MAX], *proven = NULL;
	size_t plen = 0, tlen = 0, elen = 0;
	json_t *arr = json_array(), *o;

	assert_non_null(leaves);
	for (uint64_t i = 0; i < n; i++) {
		size_t len;
		char *b;

		if (i == idx && spec && spec->raw) {
			b = strdup(spec->raw);
			len = strlen(b);
		} else if (i == idx) {
			b = event_bytes(
				i, spec && spec->kind ? spec->kind : "import",
				spec && spec->report ? spec->report : REPORT,
				&len);
		} else {
			b = event_bytes(i, "ack", i % 2 ? REPORT : NULL, &len);
		}
		al_merkle_leaf(b, len, leaves[i]);
		if (i == idx) {
			proven = b;
			elen = len;
		} else {
			free(b);
		}
	}
	snprintf(c.origin, sizeof(c.origin), "%s", origin);
	c.size = n;
	al_merkle_root((const uint8_t(*)[AL_MERKLE_HASH])leaves, n, c.root);
	assert_int_equal(al_checkpoint_format(&c, text, &tlen, &err), 0);
	assert_int_equal(
		al_merkle_inclusion((const uint8_t(*)[AL_MERKLE_HASH])leaves, n,
				    idx, path, &plen, &err),
		0);
	for (size_t i = 0; i < plen; i++) {
		char b64[64];

		al_base64_encode(path[i], AL_MERKLE_HASH, b64);
		json_array_append_new(arr, json_string(b64));
	}
	o = json_pack("{s:i, s:s, s:I, s:s%, s:o, s:s, s:s, s:s}",
		      "airlock_proof", 1, "report", REPORT, "index",
		      (json_int_t)idx, "event", proven, elen, "path", arr,
		      "checkpoint", text, "signature", SIG, "key", KEY);
	assert_non_null(o);
	free(proven);
	free(leaves);
	return o;
}

static json_t *good_proof(void)
{
	return build_proof(11, 6, ORIGIN, NULL);
}

/* The reply as a JSON object (proof: a reference taken, or NULL). */
static json_t *good_doc(json_t *proof)
{
	json_t *o = json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O?}",
		"airlock_reply", 1, "report", REPORT, "title",
		"Stored XSS in conversation notes", "state", "triaged",
		"rating", "high", "at", "2026-11-23T17:19:09Z", "vault", ORIGIN,
		"from", FPR, "message",
		"Thanks!\nWe reproduced it.\tA fix is on its way.\n", "proof",
		proof);

	assert_non_null(o);
	if (!proof)
		json_object_set_new(o, "proof", json_null());
	return o;
}

/* doc's canonical bytes parse; the result goes to r. */
static void expect_parse_doc(const json_t *doc, struct al_reply *r)
{
	struct al_error err = {0};
	size_t len;
	char *b = canon(doc, &len), *t = exact(b, len);

	if (al_reply_parse(t, len, r, &err))
		fail_msg("refused: %s", err.msg);
	free(t);
	free(b);
}

/* buf[0..len) is refused with code and a message holding part; r is left
 * empty. */
static void expect_refused_n(const char *buf, size_t len, int code,
			     const char *part)
{
	struct al_error err = {0};
	struct al_reply r = {0};
	char *t = exact(buf, len);

	assert_int_equal(al_reply_parse(t, len, &r, &err), code);
	assert_int_equal(err.code, code);
	check_msg(&err, part);
	assert_null(r.title);
	assert_null(r.message);
	assert_null(r.proof);
	free(t);
}

static void expect_doc_refused(const json_t *doc, int code, const char *part)
{
	size_t len;
	char *b = canon(doc, &len);

	expect_refused_n(b, len, code, part);
	free(b);
}

/* Set key of the good document (or of its proof, "proof.KEY") to the JSON
 * text value (NULL: delete the key), and expect the parse to refuse it. */
static void expect_field_refused(const char *key, const char *value,
				 const char *part)
{
	json_t *proof = good_proof(), *doc = good_doc(proof), *target = doc;
	json_error_t jerr;

	if (!strncmp(key, "proof.", 6)) {
		target = proof;
		key += 6;
	}
	if (value) {
		json_t *v = json_loads(value, JSON_DECODE_ANY, &jerr);

		if (!v)
			fail_msg("bad test value %s", value);
		json_object_set_new(target, key, v);
	} else {
		json_object_del(target, key);
	}
	expect_doc_refused(doc, AL_EINVAL, part);
	json_decref(doc);
	json_decref(proof);
}

/* ---- round trips ------------------------------------------------------ */

static void test_reply__round_trip_with_proof(void **state)
{
	json_t *proof = good_proof(), *doc = good_doc(proof);
	struct al_error err = {0};
	struct al_reply r = {0};
	char *again = NULL, *want;
	size_t len = 0, wlen;

	(void)state;
	expect_parse_doc(doc, &r);
	assert_string_equal(r.report, REPORT);
	assert_string_equal(r.title, "Stored XSS in conversation notes");
	assert_string_equal(r.state, "triaged");
	assert_string_equal(r.rating, "high");
	assert_int_equal(r.at, 1795454349);
	assert_string_equal(r.vault, ORIGIN);
	assert_string_equal(r.from, FPR);
	assert_int_equal(r.message_len, strlen(r.message));
	assert_string_equal(
		r.message,
		"Thanks!\nWe reproduced it.\tA fix is on its way.\n");
	assert_true(json_equal(r.proof, proof));
	/* and back to the same bytes */
	assert_int_equal(al_reply_format(&r, &again, &len, &err), 0);
	want = canon(doc, &wlen);
	assert_int_equal(len, wlen);
	assert_memory_equal(again, want, len);
	free(again);
	free(want);
	al_reply_release(&r);
	assert_null(r.title);
	al_reply_release(&r); /* twice is harmless */
	json_decref(doc);
	json_decref(proof);
}

static void test_reply__round_trip_without_proof_or_rating(void **state)
{
	struct al_error err = {0};
	struct al_reply in = {0}, out = {0};
	char *b = NULL, *b2 = NULL;
	size_t len = 0, len2 = 0;

	(void)state;
	snprintf(in.report, sizeof(in.report), "%s", REPORT);
	in.title = "\xc3\x89t\xc3\xa9 \xe2\x80\x94 XSS";
	snprintf(in.state, sizeof(in.state), "new");
	in.at = 0;
	snprintf(in.vault, sizeof(in.vault), "%s", ORIGIN);
	snprintf(in.from, sizeof(in.from), "%s%s", FPR,
		 "0123456789ABCDEF01234567");
	in.message = "x";
	in.message_len = 1;
	assert_int_equal(al_reply_format(&in, &b, &len, &err), 0);
	assert_int_equal(len, strlen(b));
	assert_non_null(strstr(b, "\"proof\":null"));
	assert_non_null(strstr(b, "\"rating\":null"));
	assert_non_null(strstr(b, "\"at\":\"1970-01-01T00:00:00Z\""));
	assert_int_equal(al_reply_parse(b, len, &out, &err), 0);
	assert_string_equal(out.rating, "");
	assert_null(out.proof);
	assert_string_equal(out.title, in.title);
	assert_int_equal(al_reply_format(&out, &b2, &len2, &err), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(b, b2, len);
	free(b);
	free(b2);
	al_reply_release(&out);
}

static void test_reply__accepts_the_largest_message(void **state)
{
	json_t *doc = good_doc(NULL);
	char *msg = malloc(AL_REPLY_MESSAGE_MAX + 1);
	struct al_reply r = {0};

	(void)state;
	memset(msg, 'a', AL_REPLY_MESSAGE_MAX);
	msg[AL_REPLY_MESSAGE_MAX] = '\0';
	json_object_set_new(doc, "message", json_string(msg));
	expect_parse_doc(doc, &r);
	assert_int_equal(r.message_len, AL_REPLY_MESSAGE_MAX);
	al_reply_release(&r);
	free(msg);
	json_decref(doc);
}

/* ---- the parser's refusals -------------------------------------------- */

static void test_reply__refuses_too_large(void **state)
{
	char *big = malloc(AL_REPLY_MAX + 1);

	(void)state;
	memset(big, ' ', AL_REPLY_MAX + 1);
	expect_refused_n(big, AL_REPLY_MAX + 1, AL_ELIMIT, "at most 1048576");
	free(big);
}

static void test_reply__refuses_what_is_not_a_json_object(void **state)
{
	(void)state;
	expect_refused_n("", 0, AL_EINVAL, "reply:");
	expect_refused_n("[1]", 3, AL_EINVAL, "not a JSON object");
	expect_refused_n("{\"a\":", 5, AL_EINVAL, "reply: line 1");
	expect_refused_n("{\"a\":\"\xff\"}", 8, AL_EINVAL, "not valid UTF-8");
	expect_refused_n("{\"a\":1,\"a\":1}", 13, AL_EINVAL, "duplicate");
	expect_refused_n("{\"a\":[[[[[[1]]]]]]}", 18, AL_EINVAL,
			 "nested more than");
}

static void test_reply__refuses_what_is_not_canonical(void **state)
{
	json_t *doc = good_doc(NULL);
	size_t len;
	char *b = canon(doc, &len), *spaced = malloc(len + 2);

	(void)state;
	/* a space after the first colon */
	{
		char *colon = strchr(b, ':');
		size_t at = (size_t)(colon - b) + 1;

		memcpy(spaced, b, at);
		spaced[at] = ' ';
		memcpy(spaced + at + 1, b + at, len - at);
		expect_refused_n(spaced, len + 1, AL_EINVAL,
				 "not in canonical JSON form");
	}
	/* a trailing newline */
	memcpy(spaced, b, len);
	spaced[len] = '\n';
	expect_refused_n(spaced, len + 1, AL_EINVAL, "canonical");
	/* keys out of order */
	expect_refused_n("{\"b\":1,\"a\":1}", 13, AL_EINVAL, "canonical");
	/* a real number, an escaped slash */
	expect_refused_n("{\"a\":1.0}", 9, AL_EINVAL, "canonical");
	expect_refused_n("{\"a\":\"\\/\"}", 10, AL_EINVAL, "canonical");
	free(spaced);
	free(b);
	json_decref(doc);
}

static void test_reply__refuses_unknown_and_missing_keys(void **state)
{
	static const char *const keys[] = {
		"airlock_reply", "at",     "from",  "message", "proof",
		"rating",        "report", "state", "title",   "vault",
	};
	char want[64];

	(void)state;
	expect_field_refused("extra", "1", "reply: unknown key 'extra'");
	expect_field_refused("Title", "\"x\"", "unknown key 'Title'");
	expect_field_refused("bad\x1bkey", "1", "unknown key 'bad\\x1bkey'");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(want, sizeof(want), "reply: '%s' is missing", keys[i]);
		expect_field_refused(keys[i], NULL, want);
	}
}

static void test_reply__refuses_bad_fields(void **state)
{
	(void)state;
	expect_field_refused("airlock_reply", "2", "'airlock_reply' must be 1");
	expect_field_refused("airlock_reply", "\"1\"",
			     "'airlock_reply' must be 1");
	expect_field_refused("report",
			     "\"3F1C2A9E-8B7D-4C6E-9F0A-1B2C3D4E5F60\"",
			     "'report' must be a lowercase UUID v4");
	expect_field_refused("report",
			     "\"3f1c2a9e-8b7d-1c6e-9f0a-1b2c3d4e5f60\"",
			     "'report' must be a lowercase UUID v4");
	expect_field_refused("report", "7", "'report' must be");
	expect_field_refused("title", "\"\"", "'title' must be one line");
	expect_field_refused("title", "\"a\\nb\"", "'title' must be one line");
	expect_field_refused("title", "\"a\\u202eb\"",
			     "'title' must be one line");
	expect_field_refused("title", "null", "'title' must be a string");
	expect_field_refused("state", "\"closed\"",
			     "'state' is not a report's state");
	expect_field_refused("state", "\"New\"", "'state' is not");
	expect_field_refused("state", "1", "'state' must be a report's state");
	expect_field_refused("rating", "\"none\"", "'rating' must be critical");
	expect_field_refused("rating", "7", "'rating' must be critical");
	expect_field_refused("at", "\"2026-11-23T17:19:09+00:00\"",
			     "'at' must be an RFC 3339 UTC time");
	expect_field_refused("at", "\"2026-11-23T17:19:09.5Z\"",
			     "'at' must be an RFC 3339");
	expect_field_refused("at", "\"2026-02-30T17:19:09Z\"", "'at' must be");
	expect_field_refused("at", "\"2026-11-23t17:19:09z\"", "'at' must be");
	expect_field_refused("at", "1795454349", "'at' must be");
	expect_field_refused("vault", "\"\"",
			     "'vault' must be a vault's origin");
	expect_field_refused("vault", "\"a\\tb\"", "'vault' must be");
	expect_field_refused("from",
			     "\"7b176d64a3c8c5ebf7e5cc1d7ba2e9c0540f960f\"",
			     "'from' must be a full fingerprint");
	expect_field_refused("from", "\"7B176D64\"", "'from' must be a full");
	expect_field_refused("from",
			     "\"7B17 6D64 A3C8 C5EB F7E5  CC1D 7BA2 "
			     "E9C0 540F 960F\"",
			     "'from' must be");
	expect_field_refused("message", "[]", "'message' must be a string");
	expect_field_refused("proof", "[]", "reply: proof: not a JSON object");
	expect_field_refused("proof", "\"x\"", "proof: not a JSON object");
}

static void test_reply__refuses_long_title(void **state)
{
	json_t *doc = good_doc(NULL);
	char title[AL_REPLY_TITLE_MAX * 2 + 3];
	struct al_reply r = {0};

	(void)state;
	/* 200 characters of two bytes each pass; 201 do not */
	for (int i = 0; i < AL_REPLY_TITLE_MAX; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2);
	title[2 * AL_REPLY_TITLE_MAX] = '\0';
	json_object_set_new(doc, "title", json_string(title));
	expect_parse_doc(doc, &r);
	al_reply_release(&r);
	memcpy(title + 2 * AL_REPLY_TITLE_MAX, "x", 2);
	json_object_set_new(doc, "title", json_string(title));
	expect_doc_refused(doc, AL_EINVAL, "1 to 200 characters");
	json_decref(doc);
}

static void test_reply__refuses_bad_messages(void **state)
{
	static const struct {
		const char *json, *part;
	} cases[] = {
		{"\"\"", "message: empty"},
		{"\"a\\rb\"", "a control character at byte 2"},
		{"\"ab\\u001b[2J\"", "a control character at byte 3"},
		{"\"\\u007f\"", "a control character at byte 1"},
		{"\"x\\u0085\"", "a control character at byte 2"},
	};
	json_t *doc = good_doc(NULL);
	char *big = malloc(AL_REPLY_MESSAGE_MAX + 2);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_field_refused("message", cases[i].json, cases[i].part);
	/* a NUL: JSON may escape it, the reader does not take it */
	json_object_set_new(doc, "message", json_stringn("a\0b", 3));
	expect_doc_refused(doc, AL_EINVAL, "reply: line 1");
	memset(big, 'a', AL_REPLY_MESSAGE_MAX + 1);
	big[AL_REPLY_MESSAGE_MAX + 1] = '\0';
	json_object_set_new(doc, "message", json_string(big));
	expect_doc_refused(doc, AL_EINVAL, "65537 bytes; at most 65536");
	free(big);
	json_decref(doc);
}

static void test_reply__check_message(void **state)
{
	struct al_error err = {0};

	(void)state;
	assert_int_equal(
		al_reply_check_message("ok\n\tyes \xe2\x80\x8f", 11, &err), 0);
	assert_int_equal(al_reply_check_message(NULL, 0, &err), AL_EINVAL);
	check_msg(&err, "message: empty");
	assert_int_equal(al_reply_check_message("a\xffz", 3, &err), AL_EINVAL);
	check_msg(&err, "message: not valid UTF-8 text");
	assert_int_equal(al_reply_check_message("a\0z", 3, &err), AL_EINVAL);
	check_msg(&err, "a control character at byte 2");
	assert_int_equal(al_reply_check_message("ab\r\n", 4, &err), AL_EINVAL);
	check_msg(&err, "byte 3 (only newlines and tabs)");
	assert_int_equal(al_reply_check_message("\xc2\x9b", 2, &err),
			 AL_EINVAL);
	check_msg(&err, "byte 1");
}

static void test_reply__refuses_bad_proof_shapes(void **state)
{
	static const struct {
		const char *key, *json, *part;
	} cases[] = {
		{"proof.extra", "1", "proof: unknown key 'extra'"},
		{"proof.airlock_proof", NULL,
		 "proof: 'airlock_proof' is missing"},
		{"proof.key", NULL, "proof: 'key' is missing"},
		{"proof.airlock_proof", "2", "'airlock_proof' must be 1"},
		{"proof.report", "\"" OTHER "\"",
		 "proof: 'report' is not the reply's report"},
		{"proof.index", "-1", "'index' must be an integer"},
		{"proof.index", "\"6\"", "'index' must be an integer"},
		{"proof.event", "\"\"", "'event' must be an event's JSON"},
		{"proof.event", "7", "'event' must be"},
		{"proof.event", "\"[1]\"", "'event' must be"},
		{"proof.path", "{}", "'path' must be an array"},
		{"proof.path", "[1]", "'path' item 0 is not a SHA-256 hash"},
		{"proof.path", "[\"AAAA\"]", "'path' item 0 is not"},
		{"proof.path",
		 "[\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"]",
		 "'path' item 0"},
		{"proof.checkpoint", "\"x\\n1\\nAAAA\\n\"",
		 "'checkpoint' is not a checkpoint's text"},
		{"proof.checkpoint", "3", "'checkpoint' is not"},
		{"proof.signature", "\"sig\"",
		 "'signature' must be an ASCII-armored OpenPGP signature"},
		{"proof.signature", "null", "'signature' must be"},
		{"proof.key", "\"-----BEGIN PGP PRIVATE KEY BLOCK-----\"",
		 "'key' must be an ASCII-armored OpenPGP public key"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_field_refused(cases[i].key, cases[i].json,
				     cases[i].part);
}

static void test_reply__refuses_long_proof_path(void **state)
{
	json_t *proof = good_proof(), *doc = good_doc(proof);
	json_t *path = json_object_get(proof, "path");
	const char *h = json_string_value(json_array_get(path, 0));

	(void)state;
	while (json_array_size(path) <= AL_MERKLE_MAX_PATH)
		json_array_append_new(path, json_string(h));
	expect_doc_refused(doc, AL_EINVAL,
			   "'path' must be an array of at most 64");
	json_decref(doc);
	json_decref(proof);
}

static void test_reply__format_refuses_bad_fields(void **state)
{
	struct al_error err = {0};
	struct al_reply r = {0};
	json_t *proof = good_proof();
	char *out = (char *)"x";
	size_t len = 9;

	(void)state;
	snprintf(r.report, sizeof(r.report), "%s", REPORT);
	r.title = "t";
	snprintf(r.state, sizeof(r.state), "fixed");
	snprintf(r.vault, sizeof(r.vault), "%s", ORIGIN);
	snprintf(r.from, sizeof(r.from), "%s", FPR);
	r.message = "m";
	r.message_len = 1;
	r.at = -1;
	assert_int_equal(al_reply_format(&r, &out, &len, &err), AL_EINVAL);
	check_msg(&err, "'at' is out of range");
	assert_null(out);
	assert_int_equal(len, 0);
	r.at = 0;
	r.message_len = 0;
	assert_int_equal(al_reply_format(&r, &out, &len, &err), AL_EINVAL);
	check_msg(&err, "reply: message: empty");
	r.message_len = 1;
	snprintf(r.rating, sizeof(r.rating), "severe");
	assert_int_equal(al_reply_format(&r, &out, &len, &err), AL_EINVAL);
	check_msg(&err, "'rating' must be critical");
	r.rating[0] = '\0';
	r.title = NULL;
	assert_int_equal(al_reply_format(&r, &out, &len, &err), AL_EINVAL);
	check_msg(&err, "'title'");
	r.title = "t";
	snprintf(r.report, sizeof(r.report), "%s", OTHER);
	r.proof = proof; /* the proof of another report */
	assert_int_equal(al_reply_format(&r, &out, &len, &err), AL_EINVAL);
	check_msg(&err, "proof: 'report' is not the reply's report");
	snprintf(r.report, sizeof(r.report), "%s", REPORT);
	assert_int_equal(al_reply_format(&r, &out, &len, &err), 0);
	free(out);
	json_decref(proof);
}

/* ---- the proof checker ------------------------------------------------ */

static void expect_proof_ok(const json_t *proof, uint64_t index, uint64_t size)
{
	struct al_reply_proof_info info;
	struct al_error err = {0};

	if (al_reply_proof_check(proof, REPORT, ORIGIN, &info, &err))
		fail_msg("proof refused: %s", err.msg);
	assert_int_equal(info.index, index);
	assert_int_equal(info.size, size);
	assert_string_equal(info.at, "2026-11-22T10:00:00Z");
	assert_string_equal(info.origin, ORIGIN);
	assert_string_equal(info.checkpoint, json_string_value(json_object_get(
						     proof, "checkpoint")));
	assert_int_equal(info.checkpoint_len, strlen(info.checkpoint));
	assert_string_equal(info.signature, SIG);
	assert_int_equal(info.signature_len, strlen(SIG));
	assert_string_equal(info.key, KEY);
	assert_int_equal(info.key_len, strlen(KEY));
}

static void expect_proof_refused(const json_t *proof, const char *origin,
				 const char *part)
{
	struct al_reply_proof_info info;
	struct al_error err = {0};

	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(
		al_reply_proof_check(proof, REPORT, origin, &info, &err),
		AL_EINTEGRITY);
	assert_int_equal(err.code, AL_EINTEGRITY);
	check_msg(&err, part);
	assert_null(info.checkpoint);
	assert_int_equal(info.size, 0);
}

static void test_proof__accepts_real_proofs(void **state)
{
	static const uint64_t sizes[] = {1, 2, 3, 7, 8, 9, 33, 100};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i];
		uint64_t idxs[3] = {0, n / 2, n - 1};

		for (size_t j = 0; j < 3; j++) {
			json_t *p = build_proof(n, idxs[j], ORIGIN, NULL);

			expect_proof_ok(p, idxs[j], n);
			json_decref(p);
		}
	}
	/* no origin to compare: any vault's */
	{
		struct al_reply_proof_info info;
		struct al_error err = {0};
		json_t *p = build_proof(5, 2, "elsewhere", NULL);

		assert_int_equal(
			al_reply_proof_check(p, REPORT, NULL, &info, &err), 0);
		assert_string_equal(info.origin, "elsewhere");
		json_decref(p);
	}
}

static void test_proof__refuses_a_tampered_path(void **state)
{
	json_t *p = good_proof(), *path = json_object_get(p, "path");
	char b64[64];
	uint8_t h[AL_MERKLE_HASH];
	size_t n;
	struct al_error err;

	(void)state;
	al_base64_decode(json_string_value(json_array_get(path, 1)), 44, h,
			 sizeof(h), &n, &err);
	h[7] ^= 1;
	al_base64_encode(h, sizeof(h), b64);
	json_array_set_new(path, 1, json_string(b64));
	expect_proof_refused(p, ORIGIN, "is not in the checkpoint of size 11");
	/* a hash dropped, one added */
	json_array_remove(path, 1);
	expect_proof_refused(p, ORIGIN, "proof: event 6 is not in the");
	json_array_append_new(path, json_string(b64));
	json_array_append_new(path, json_string(b64));
	expect_proof_refused(p, ORIGIN, "inclusion proof");
	json_decref(p);
}

static void test_proof__refuses_a_tampered_index(void **state)
{
	json_t *p = good_proof();
	json_t *ev;
	char *b;
	size_t len;
	struct al_error err = {0};

	(void)state;
	/* the index alone: the event says otherwise */
	json_object_set_new(p, "index", json_integer(5));
	expect_proof_refused(p, ORIGIN, "its event's seq is not its index 5");
	/* the index and the event's seq: another leaf */
	assert_int_equal(
		al_json_decode_object(
			json_string_value(json_object_get(p, "event")),
			json_string_length(json_object_get(p, "event")),
			1 << 20, 8, "event", &ev, &err),
		0);
	json_object_set_new(ev, "seq", json_integer(5));
	b = canon(ev, &len);
	json_object_set_new(p, "event", json_stringn(b, len));
	expect_proof_refused(p, ORIGIN, "event 5 is not in the checkpoint");
	/* an index past the checkpoint */
	json_object_set_new(ev, "seq", json_integer(11));
	free(b);
	b = canon(ev, &len);
	json_object_set_new(p, "event", json_stringn(b, len));
	json_object_set_new(p, "index", json_integer(11));
	expect_proof_refused(p, ORIGIN, "event 11 is not in the checkpoint");
	free(b);
	json_decref(ev);
	json_decref(p);
}

static void test_proof__refuses_a_tampered_event(void **state)
{
	json_t *p = good_proof();
	const char *ev = json_string_value(json_object_get(p, "event"));
	char *copy = strdup(ev), *at = strstr(copy, "10:00:00");

	(void)state;
	/* the time changed: the leaf is another */
	at[0] = '2';
	json_object_set_new(p, "event", json_string(copy));
	expect_proof_refused(p, ORIGIN, "is not in the checkpoint");
	free(copy);
	json_object_set_new(p, "event", json_string("{\"seq\":6"));
	expect_proof_refused(p, ORIGIN, "its event is not a JSON object");
	json_decref(p);
}

static void test_proof__refuses_events_that_prove_nothing(void **state)
{
	struct event_spec ack = {.kind = "ack"};
	struct event_spec other = {.report = OTHER};
	/* in the tree as it is, but not in canonical form */
	struct event_spec loose = {
		.raw = "{ \"actor\":\"" FPR
		       "\",\"at\":\"2026-11-22T10:00:00Z\","
		       "\"data\":{},\"kind\":\"import\",\"report\":\"" REPORT
		       "\",\"seq\":4}"};
	struct event_spec noat = {
		.raw = "{\"kind\":\"import\",\"report\":\"" REPORT
		       "\",\"seq\":4}"};
	struct event_spec noseq = {
		.raw = "{\"kind\":\"import\",\"report\":\"" REPORT "\"}"};
	json_t *p;

	(void)state;
	p = build_proof(9, 4, ORIGIN, &ack);
	expect_proof_refused(p, ORIGIN, "proof: its event is not an import");
	json_decref(p);
	p = build_proof(9, 4, ORIGIN, &other);
	expect_proof_refused(p, ORIGIN,
			     "its event is the import of another report");
	json_decref(p);
	p = build_proof(9, 4, ORIGIN, &loose);
	expect_proof_refused(p, ORIGIN, "its event is not in canonical JSON");
	json_decref(p);
	p = build_proof(9, 4, ORIGIN, &noat);
	expect_proof_refused(p, ORIGIN, "its event has no valid time");
	json_decref(p);
	p = build_proof(9, 4, ORIGIN, &noseq);
	expect_proof_refused(p, ORIGIN, "its event's seq is not its index 4");
	json_decref(p);
}

static void test_proof__refuses_a_tampered_checkpoint(void **state)
{
	json_t *p = good_proof(), *q;
	struct al_checkpoint c;
	struct al_error err = {0};
	char text[AL_CHECKPOINT_TEXT_MAX];
	size_t len;

	(void)state;
	assert_int_equal(
		al_checkpoint_parse(
			json_string_value(json_object_get(p, "checkpoint")),
			strlen(json_string_value(
				json_object_get(p, "checkpoint"))),
			&c, &err),
		0);
	/* another root */
	c.root[0] ^= 0x80;
	al_checkpoint_format(&c, text, &len, &err);
	json_object_set_new(p, "checkpoint", json_string(text));
	expect_proof_refused(p, ORIGIN, "is not in the checkpoint of size 11");
	/* another size, the root as it was (a size that gives the path the
	 * same shape, 12, is caught by the checkpoint's signature only) */
	c.root[0] ^= 0x80;
	c.size = 7;
	al_checkpoint_format(&c, text, &len, &err);
	json_object_set_new(p, "checkpoint", json_string(text));
	expect_proof_refused(p, ORIGIN, "checkpoint of size 7");
	c.size = 40;
	al_checkpoint_format(&c, text, &len, &err);
	json_object_set_new(p, "checkpoint", json_string(text));
	expect_proof_refused(p, ORIGIN, "checkpoint of size 40");
	/* another vault's */
	q = build_proof(11, 6, "airlock/elsewhere", NULL);
	expect_proof_refused(q, ORIGIN, "its checkpoint is another vault's");
	json_decref(q);
	/* not a checkpoint */
	json_object_set_new(p, "checkpoint", json_string("x\n11\nAAA=\n"));
	expect_proof_refused(p, ORIGIN,
			     "proof: 'checkpoint' is not a checkpoint's text");
	json_decref(p);
}

static void test_proof__refuses_bad_shapes_as_integrity(void **state)
{
	json_t *p = good_proof();
	struct al_reply_proof_info info;
	struct al_error err = {0};

	(void)state;
	assert_int_equal(al_reply_proof_check(p, OTHER, ORIGIN, &info, &err),
			 AL_EINTEGRITY);
	check_msg(&err, "proof: 'report' is not the reply's report");
	json_object_set_new(p, "more", json_true());
	expect_proof_refused(p, ORIGIN, "proof: unknown key 'more'");
	json_object_del(p, "more");
	json_object_del(p, "signature");
	expect_proof_refused(p, ORIGIN, "proof: 'signature' is missing");
	expect_proof_refused(json_null(), ORIGIN, "proof: not a JSON object");
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply__round_trip_with_proof),
		cmocka_unit_test(
			test_reply__round_trip_without_proof_or_rating),
		cmocka_unit_test(test_reply__accepts_the_largest_message),
		cmocka_unit_test(test_reply__refuses_too_large),
		cmocka_unit_test(test_reply__refuses_what_is_not_a_json_object),
		cmocka_unit_test(test_reply__refuses_what_is_not_canonical),
		cmocka_unit_test(test_reply__refuses_unknown_and_missing_keys),
		cmocka_unit_test(test_reply__refuses_bad_fields),
		cmocka_unit_test(test_reply__refuses_long_title),
		cmocka_unit_test(test_reply__refuses_bad_messages),
		cmocka_unit_test(test_reply__check_message),
		cmocka_unit_test(test_reply__refuses_bad_proof_shapes),
		cmocka_unit_test(test_reply__refuses_long_proof_path),
		cmocka_unit_test(test_reply__format_refuses_bad_fields),
		cmocka_unit_test(test_proof__accepts_real_proofs),
		cmocka_unit_test(test_proof__refuses_a_tampered_path),
		cmocka_unit_test(test_proof__refuses_a_tampered_index),
		cmocka_unit_test(test_proof__refuses_a_tampered_event),
		cmocka_unit_test(test_proof__refuses_events_that_prove_nothing),
		cmocka_unit_test(test_proof__refuses_a_tampered_checkpoint),
		cmocka_unit_test(test_proof__refuses_bad_shapes_as_integrity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
