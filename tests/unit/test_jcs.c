/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_error.h"
#include "al_jcs.h"

/* ---- helpers ---------------------------------------------------------- */

/* v dumps to exactly want (want_len bytes; strlen when 0).  Takes v. */
static void expect_dump_n(json_t *v, const char *want, size_t want_len)
{
	struct al_error err = {0};
	char *out = NULL;
	size_t len = 0;
	int rc;

	assert_non_null(v);
	if (!want_len)
		want_len = strlen(want);
	rc = al_jcs_dump(v, &out, &len, &err);
	if (rc != 0)
		fail_msg("refused: %s", err.msg);
	assert_non_null(out);
	if (len != want_len || memcmp(out, want, len) != 0)
		fail_msg("got '%s' (%zu bytes), want '%s' (%zu bytes)", out,
			 len, want, want_len);
	assert_int_equal(out[len], '\0');
	free(out);
	json_decref(v);
}

static void expect_dump(json_t *v, const char *want)
{
	expect_dump_n(v, want, 0);
}

/* JSON text (parsed by jansson, NUL escapes allowed) dumps to want. */
static void expect_text(const char *text, const char *want)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!v)
		fail_msg("test input does not parse: %s", jerr.text);
	expect_dump(v, want);
}

/* v is refused with AL_EINVAL and a message holding both parts.  Takes v. */
static void expect_refused(json_t *v, const char *part1, const char *part2)
{
	struct al_error err = {0};
	char *out = (char *)1;
	size_t len = 7;

	assert_non_null(v);
	assert_int_equal(al_jcs_dump(v, &out, &len, &err), AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	assert_null(out);
	assert_int_equal(len, 0);
	if (!strstr(err.msg, part1) || (part2 && !strstr(err.msg, part2)))
		fail_msg("message '%s' lacks '%s' / '%s'", err.msg, part1,
			 part2 ? part2 : "");
	json_decref(v);
}

/* n arrays one in another around inner (taken). */
static json_t *nest(unsigned n, json_t *inner)
{
	for (unsigned i = 0; i < n; i++) {
		json_t *a = json_array();
		json_array_append_new(a, inner);
		inner = a;
	}
	return inner;
}

/* ---- RFC 8785 examples ------------------------------------------------ */

/* RFC 8785 section 3.2.3: members sorted by UTF-16 code units; the emoji
 * (a surrogate pair, D83D) sorts before U+FB33 although its UTF-8 bytes
 * (F0 ..) sort after (EF ..). */
static void test_jcs__rfc8785_sorting_example(void **state)
{
	(void)state;
	expect_text("{\n"
		    "  \"\\u20ac\": \"Euro Sign\",\n"
		    "  \"\\r\": \"Carriage Return\",\n"
		    "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
		    "  \"1\": \"One\",\n"
		    "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
		    "  \"\\u0080\": \"Control\",\n"
		    "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
		    "}",
		    "{\"\\r\":\"Carriage Return\","
		    "\"1\":\"One\","
		    "\"\xc2\x80\":\"Control\","
		    "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
		    "\"\xe2\x82\xac\":\"Euro Sign\","
		    "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
		    "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* RFC 8785 section 3.2.2's example without its "numbers" member (the
 * ledger has no floats): string escapes and literals. */
static void test_jcs__rfc8785_string_and_literals_example(void **state)
{
	(void)state;
	expect_text(
		"{\n"
		"  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022"
		"\\u005c\\\\\\\"\\/\",\n"
		"  \"literals\": [null, true, false]\n"
		"}",
		"{\"literals\":[null,true,false],"
		"\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* ---- strings ---------------------------------------------------------- */

static void test_jcs__escapes_every_control_character(void **state)
{
	static const char *const want[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004",
		"\\u0005", "\\u0006", "\\u0007", "\\b",     "\\t",
		"\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e",
		"\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013",
		"\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018",
		"\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d",
		"\\u001e", "\\u001f",
	};
	char all[32], expect[32 * 6 + 3];
	size_t n = 0;

	(void)state;
	for (int c = 0; c < 32; c++) {
		char s[3] = {'x', (char)c, 'y'}, w[16];

		snprintf(w, sizeof(w), "\"x%sy\"", want[c]);
		expect_dump(json_stringn(s, 3), w);
		all[c] = (char)c;
	}
	/* all of them in one string, and as a key */
	expect[n++] = '"';
	for (int c = 0; c < 32; c++) {
		memcpy(expect + n, want[c], strlen(want[c]));
		n += strlen(want[c]);
	}
	expect[n++] = '"';
	expect[n] = '\0';
	expect_dump(json_stringn(all, 32), expect);
	{
		json_t *o = json_object();
		char obj[sizeof(expect) + 8];

		json_object_setn_new(o, all, 32, json_true());
		snprintf(obj, sizeof(obj), "{%s:true}", expect);
		expect_dump(o, obj);
	}
}

static void
test_jcs__escapes_only_quote_and_backslash_above_controls(void **state)
{
	(void)state;
	expect_dump(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
	/* '/' is not escaped (jansson would with JSON_ESCAPE_SLASH) */
	expect_dump(json_string("</script>"), "\"</script>\"");
	/* DEL, C1 controls, U+2028 / U+2029 and non-characters as UTF-8 */
	expect_dump(json_string("\x7f"), "\"\x7f\"");
	expect_dump(json_string("\xc2\x80\xc2\x9f"), "\"\xc2\x80\xc2\x9f\"");
	expect_dump(json_string("\xe2\x80\xa8\xe2\x80\xa9"),
		    "\"\xe2\x80\xa8\xe2\x80\xa9\"");
	expect_dump(json_string("\xef\xbf\xbf\xf4\x8f\xbf\xbf"),
		    "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
	expect_dump(json_string(""), "\"\"");
}

static void test_jcs__embedded_nul_is_escaped(void **state)
{
	json_t *o;

	(void)state;
	expect_dump(json_stringn("a\0b", 3), "\"a\\u0000b\"");
	expect_dump(json_stringn("\0", 1), "\"\\u0000\"");
	/* in a key, and keys that differ only after the NUL */
	o = json_object();
	json_object_setn_new(o, "k\0b", 3, json_integer(2));
	json_object_setn_new(o, "k\0a", 3, json_integer(1));
	json_object_setn_new(o, "k", 1, json_integer(0));
	expect_dump(o, "{\"k\":0,\"k\\u0000a\":1,\"k\\u0000b\":2}");
}

static void test_jcs__refuses_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff",             /* never in UTF-8 */
		"a\x80",            /* lone continuation byte */
		"\xc0\xaf",         /* overlong '/' */
		"\xed\xa0\x80",     /* a surrogate, U+D800 */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xe2\x82",         /* cut short */
	};
	json_t *o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *s = json_stringn_nocheck(bad[i], strlen(bad[i]));

		expect_refused(json_pack("{s:{s:o}}", "data", "title", s),
			       "'/data/title': string is not valid UTF-8",
			       NULL);
	}
	/* a key, made visible in the message */
	o = json_object();
	json_object_set_new_nocheck(o, "k\xff", json_null());
	expect_refused(json_pack("{s:o}", "data", o),
		       "key 'k\\xff' in '/data' is not valid UTF-8", NULL);
}

/* ---- numbers ---------------------------------------------------------- */

static void test_jcs__refuses_reals(void **state)
{
	(void)state;
	expect_refused(json_pack("{s:{s:f}}", "data", "score", 9.8),
		       "'/data/score': a real number is not allowed",
		       "integers only");
	expect_refused(json_real(1.0), "'/': a real number", NULL);
	expect_refused(json_pack("{s:[i,i,f]}", "v", 1, 2, 0.0),
		       "'/v/2': a real number", NULL);
}

static void test_jcs__integers_up_to_2_53_minus_1(void **state)
{
	(void)state;
	expect_dump(json_integer(0), "0");
	expect_dump(json_integer(-1), "-1");
	expect_dump(json_integer(1234567890), "1234567890");
	expect_dump(json_integer(9007199254740991LL), "9007199254740991");
	expect_dump(json_integer(-9007199254740991LL), "-9007199254740991");
	expect_text("[-0]", "[0]");
}

static void test_jcs__refuses_integers_at_2_53_and_beyond(void **state)
{
	static const json_int_t bad[] = {
		9007199254740992LL, -9007199254740992LL, 9007199254740993LL,
		LLONG_MAX,          LLONG_MIN,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char num[32];

		snprintf(num, sizeof(num), "integer %lld ", (long long)bad[i]);
		expect_refused(json_pack("{s:I}", "seq", bad[i]), num,
			       "'/seq': integer");
	}
	expect_refused(json_integer(9007199254740992LL),
		       "is outside +-(2^53 - 1)", NULL);
}

/* ---- structure -------------------------------------------------------- */

static void test_jcs__empty_object_and_array(void **state)
{
	(void)state;
	expect_dump(json_object(), "{}");
	expect_dump(json_array(), "[]");
	expect_text("{ \"b\" : [ ], \"a\" : { } }", "{\"a\":{},\"b\":[]}");
	expect_text("[[],{},[{}]]", "[[],{},[{}]]");
}

static void test_jcs__scalars_at_the_top(void **state)
{
	(void)state;
	expect_dump(json_true(), "true");
	expect_dump(json_false(), "false");
	expect_dump(json_null(), "null");
	expect_dump(json_string("x"), "\"x\"");
	expect_dump(json_integer(-5), "-5");
}

static void test_jcs__nesting_up_to_64(void **state)
{
	char want[64 * 2 + 2], *p = want;
	json_t *o;

	(void)state;
	/* 64 arrays: accepted */
	for (int i = 0; i < 64; i++)
		*p++ = '[';
	*p++ = '1';
	for (int i = 0; i < 64; i++)
		*p++ = ']';
	*p = '\0';
	expect_dump(nest(63, json_pack("[i]", 1)), want);
	/* 63 arrays around an object holding a scalar: 64 levels */
	o = nest(63, json_pack("{s:s}", "k", "v"));
	{
		struct al_error err = {0};
		char *out;
		size_t len;

		assert_int_equal(al_jcs_dump(o, &out, &len, &err), 0);
		assert_non_null(strstr(out, "{\"k\":\"v\"}"));
		free(out);
		json_decref(o);
	}
}

static void test_jcs__refuses_nesting_over_64(void **state)
{
	json_t *o;

	(void)state;
	/* 65 levels, even when the innermost is empty */
	expect_refused(nest(64, json_array()), "is nested deeper than 64",
		       "'/0/0/0/");
	expect_refused(nest(64, json_object()), "nested deeper than 64 levels",
		       NULL);
	/* objects count too: 65 objects */
	o = json_object();
	for (int i = 0; i < 64; i++)
		o = json_pack("{s:o}", "a", o);
	expect_refused(o, "'/a/a/a/", "nested deeper than 64 levels");
	/* very deep: refused, not a stack overflow */
	expect_refused(nest(2000, json_integer(1)), "nested deeper than 64",
		       NULL);
}

static void test_jcs__refuses_no_value(void **state)
{
	struct al_error err = {0};
	char *out = (char *)1;
	size_t len = 1;

	(void)state;
	assert_int_equal(al_jcs_dump(NULL, &out, &len, &err), AL_EINVAL);
	assert_null(out);
	assert_non_null(strstr(err.msg, "no value"));
}

/* ---- fixed expected bytes --------------------------------------------- */

/* A ledger event as the spec describes it: keys sorted, no white space. */
static void test_jcs__ledger_event_bytes(void **state)
{
	json_t *ev;

	(void)state;
	ev = json_pack(
		"{s:I,s:s,s:s,s:n,s:s,s:{s:s,s:I,s:[s,s],s:b}}", "seq",
		(json_int_t)41, "at", "2026-11-22T10:00:00Z", "kind", "import",
		"report", "actor", "0123456789ABCDEF0123456789ABCDEF01234567",
		"data", "sha256",
		"9f86d081884c7d659a2feaa0c55ad015"
		"a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"size", (json_int_t)4096, "tags", "xss", "ssrf", "signed", 1);
	expect_dump(ev,
		    "{\"actor\":\"0123456789ABCDEF0123456789ABCDEF01234567\","
		    "\"at\":\"2026-11-22T10:00:00Z\","
		    "\"data\":{\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015"
		    "a3bf4f1b2b0b822cd15d6c15b0f00a08\",\"signed\":true,"
		    "\"size\":4096,\"tags\":[\"xss\",\"ssrf\"]},"
		    "\"kind\":\"import\",\"report\":null,\"seq\":41}");
}

/* Key order: a prefix first; UTF-16 order, not bytes, from U+E000 up;
 * upper case before lower case; arrays keep their order. */
static void test_jcs__key_order_is_utf16(void **state)
{
	(void)state;
	expect_text("{\"b\":1,\"ab\":2,\"a\":3,\"B\":4,\"\":5}",
		    "{\"\":5,\"B\":4,\"a\":3,\"ab\":2,\"b\":1}");
	/* U+FFFF (EF BF BF) against U+10000 (F0 90 80 80 = D800 DC00) */
	expect_text("{\"\\uffff\":1,\"\\ud800\\udc00\":2,\"\\ud7ff\":3}",
		    "{\"\xed\x9f\xbf\":3,\"\xf0\x90\x80\x80\":2,"
		    "\"\xef\xbf\xbf\":1}");
	/* two supplementary characters: code point order */
	expect_text("{\"\\udbff\\udfff\":1,\"\\ud83d\\ude00\":2}",
		    "{\"\xf0\x9f\x98\x80\":2,\"\xf4\x8f\xbf\xbf\":1}");
	expect_text("[3,1,2]", "[3,1,2]");
}

/* Many keys given in reverse come out in order. */
static void test_jcs__sorts_many_keys(void **state)
{
	json_t *o = json_object();
	size_t cap = 300 * 12 + 3;
	char *want = malloc(cap), *p = want;

	(void)state;
	assert_non_null(want);
	for (int i = 299; i >= 0; i--) {
		char k[8];

		snprintf(k, sizeof(k), "k%03d", i);
		json_object_set_new(o, k, json_integer(i));
	}
	*p++ = '{';
	for (int i = 0; i < 300; i++)
		p += snprintf(p, cap - (size_t)(p - want), "%s\"k%03d\":%d",
			      i ? "," : "", i, i);
	*p++ = '}';
	*p = '\0';
	expect_dump(o, want);
	free(want);
}

/* What is refused names where, with the key made visible. */
static void test_jcs__message_path_is_visible(void **state)
{
	(void)state;
	expect_refused(json_pack("{s:[{s:f}]}", "a\nb", "c\x1b", 1.5),
		       "'/a\\nb/0/c\\x1b'", "real number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jcs__rfc8785_sorting_example),
		cmocka_unit_test(test_jcs__rfc8785_string_and_literals_example),
		cmocka_unit_test(test_jcs__escapes_every_control_character),
		cmocka_unit_test(
			test_jcs__escapes_only_quote_and_backslash_above_controls),
		cmocka_unit_test(test_jcs__embedded_nul_is_escaped),
		cmocka_unit_test(test_jcs__refuses_invalid_utf8),
		cmocka_unit_test(test_jcs__refuses_reals),
		cmocka_unit_test(test_jcs__integers_up_to_2_53_minus_1),
		cmocka_unit_test(test_jcs__refuses_integers_at_2_53_and_beyond),
		cmocka_unit_test(test_jcs__empty_object_and_array),
		cmocka_unit_test(test_jcs__scalars_at_the_top),
		cmocka_unit_test(test_jcs__nesting_up_to_64),
		cmocka_unit_test(test_jcs__refuses_nesting_over_64),
		cmocka_unit_test(test_jcs__refuses_no_value),
		cmocka_unit_test(test_jcs__ledger_event_bytes),
		cmocka_unit_test(test_jcs__key_order_is_utf16),
		cmocka_unit_test(test_jcs__sorts_many_keys),
		cmocka_unit_test(test_jcs__message_path_is_visible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
