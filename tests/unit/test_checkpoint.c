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
#include "al_merkle.h"

/* SHA-256 of nothing: the empty tree's root (RFC 9162 2.1.1) */
#define EMPTY_ROOT_B64 "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
/* 00 01 02 ... 1f */
#define COUNT_ROOT_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define ORIGIN         "airlock/2f6c2a0e-8a51-4a0b-9d1e-1d3c2b5d7e90"

/* ---- helpers ---------------------------------------------------------- */

/* A copy of s[0..len) with no byte after it, so that ASan catches a read
 * past the end. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

static void check_msg(const struct al_error *err, const char *part1,
		      const char *part2)
{
	if (!strstr(err->msg, part1) || (part2 && !strstr(err->msg, part2)))
		fail_msg("message '%s' lacks '%s' / '%s'", err->msg, part1,
			 part2 ? part2 : "");
}

static void expect_encode(const char *in, const char *want)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	al_base64_encode(in, strlen(in), out);
	assert_string_equal(out, want);
	assert_int_equal(strlen(want), AL_BASE64_LEN(strlen(in)));
}

static void expect_decode(const char *text, const char *want)
{
	struct al_error err = {0};
	size_t len = strlen(text), n = 99;
	char *t = exact(text, len);
	uint8_t out[64];
	int rc;

	rc = al_base64_decode(t, len, out, sizeof(out), &n, &err);
	if (rc)
		fail_msg("'%s' refused: %s", text, err.msg);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	free(t);
}

/* text[0..len) is refused with code and a message holding part. */
static void expect_b64_refused(const char *text, size_t len, int code,
			       const char *part, size_t outsz)
{
	struct al_error err = {0};
	char *t = exact(text, len);
	uint8_t out[64];
	size_t n = 99;

	assert_true(outsz <= sizeof(out));
	assert_int_equal(al_base64_decode(t, len, out, outsz, &n, &err), code);
	assert_int_equal(err.code, code);
	assert_int_equal(n, 0);
	check_msg(&err, part, NULL);
	free(t);
}

static void b64_refused(const char *text, const char *part)
{
	expect_b64_refused(text, strlen(text), AL_EINVAL, part, 64);
}

/* text parses into c, and formats back to the same bytes. */
static void expect_parse_n(const char *text, size_t len,
			   struct al_checkpoint *c)
{
	struct al_error err = {0};
	char *t = exact(text, len);
	char out[AL_CHECKPOINT_TEXT_MAX];
	size_t olen = 0;

	if (al_checkpoint_parse(t, len, c, &err) != 0)
		fail_msg("refused: %s", err.msg);
	if (al_checkpoint_format(c, out, &olen, &err) != 0)
		fail_msg("format refused: %s", err.msg);
	assert_int_equal(olen, len);
	assert_memory_equal(out, text, len);
	assert_int_equal(out[olen], '\0');
	free(t);
}

static void expect_parse(const char *text, struct al_checkpoint *c)
{
	expect_parse_n(text, strlen(text), c);
}

/* text[0..len) is refused: AL_EINVAL, a message holding both parts, and
 * the checkpoint left zeroed. */
static void expect_refused_n(const char *text, size_t len, const char *part1,
			     const char *part2)
{
	struct al_error err = {0};
	struct al_checkpoint c, zero;
	char *t = exact(text, len);

	memset(&c, 0x5a, sizeof(c));
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(al_checkpoint_parse(t, len, &c, &err), AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	assert_memory_equal(&c, &zero, sizeof(c));
	if (strncmp(err.msg, "checkpoint: ", 12) != 0)
		fail_msg("message '%s' does not start with 'checkpoint: '",
			 err.msg);
	check_msg(&err, part1, part2);
	free(t);
}

static void expect_refused(const char *text, const char *part1,
			   const char *part2)
{
	expect_refused_n(text, strlen(text), part1, part2);
}

/* A good text with line 1, 2 or 3 replaced by repl. */
static void with_line(char *buf, size_t bufsz, int line, const char *repl)
{
	snprintf(buf, bufsz, "%s\n%s\n%s\n", line == 1 ? repl : ORIGIN,
		 line == 2 ? repl : "42", line == 3 ? repl : EMPTY_ROOT_B64);
}

static void refused_line(int line, const char *repl, const char *part1,
			 const char *part2)
{
	char buf[1024];

	with_line(buf, sizeof(buf), line, repl);
	expect_refused(buf, part1, part2);
}

static void expect_format_refused(const struct al_checkpoint *c,
				  const char *part)
{
	struct al_error err = {0};
	char out[AL_CHECKPOINT_TEXT_MAX];
	size_t len = 7;

	assert_int_equal(al_checkpoint_format(c, out, &len, &err), AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	check_msg(&err, "checkpoint: ", part);
}

/* ---- base64 ----------------------------------------------------------- */

/* RFC 4648 section 10, both ways. */
static void test_base64__rfc4648_vectors(void **state)
{
	static const char *const v[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		expect_encode(v[i][0], v[i][1]);
		expect_decode(v[i][1], v[i][0]);
	}
}

/* Every byte value, every length mod 3, both alphabet ends. */
static void test_base64__round_trips_every_byte(void **state)
{
	uint8_t in[256], back[256];
	char text[AL_BASE64_LEN(256) + 1];
	struct al_error err = {0};
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(255 - i);
	for (size_t len = 0; len <= sizeof(in); len++) {
		al_base64_encode(in, len, text);
		assert_int_equal(strlen(text), AL_BASE64_LEN(len));
		assert_int_equal(al_base64_decode(text, strlen(text), back, len,
						  &n, &err),
				 0);
		assert_int_equal(n, len);
		assert_memory_equal(back, in, len);
	}
	al_base64_encode("\xfb\xff\xbf", 3, text);
	assert_string_equal(text, "+/+/");
	expect_decode("+/+/", "\xfb\xff\xbf");
}

static void test_base64__refuses_length_not_multiple_of_4(void **state)
{
	(void)state;
	b64_refused("Z", "not base64: length 1 is not a multiple of 4");
	b64_refused("Zg", "length 2 is not a multiple of 4");
	b64_refused("Zg=", "length 3");
	b64_refused("Zm9vY", "length 5");
	b64_refused("Zg===", "length 5 is not a multiple of 4");
}

/* Padding is required: the unpadded spelling is refused, with a hint. */
static void test_base64__refuses_missing_padding(void **state)
{
	struct al_error err = {0};
	uint8_t out[8];
	size_t n;

	(void)state;
	b64_refused("Zm8",
		    "length 3 is not a multiple of 4 (padding missing?)");
	b64_refused("Zm9vYg", "(padding missing?)");
	b64_refused("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
		    "length 43 is not a multiple of 4 (padding missing?)");
	/* padded, but cut: no hint */
	assert_int_equal(al_base64_decode("Zg=", 3, out, 8, &n, &err),
			 AL_EINVAL);
	assert_string_equal(err.msg,
			    "not base64: length 3 is not a multiple of 4");
}

static void test_base64__refuses_white_space(void **state)
{
	(void)state;
	b64_refused("Zm 9", "not base64: white space ' ' at offset 2");
	b64_refused("Zm9v\nYmF", "white space '\\n' at offset 4");
	b64_refused("Zm9\t", "white space '\\t' at offset 3");
	b64_refused("Zm9vYmF\r", "white space '\\r' at offset 7");
	b64_refused(" Zm8", "white space ' ' at offset 0");
}

static void test_base64__refuses_other_alphabets(void **state)
{
	(void)state;
	/* base64url (RFC 4648 section 5) */
	b64_refused("Zm9-", "character '-' at offset 3 is not in the alphabet");
	b64_refused("_m9v", "character '_' at offset 0");
	b64_refused("Zm.v", "character '.' at offset 2");
	/* control and non-ASCII bytes are shown made visible */
	b64_refused("Zm\x01v", "character '\\x01' at offset 2");
	b64_refused("Z\xc3\xa9v", "character '\\xc3' at offset 1");
	expect_b64_refused("Zm\0v", 4, AL_EINVAL,
			   "character '\\x00' at offset 2", 64);
}

static void test_base64__refuses_padding_before_the_end(void **state)
{
	(void)state;
	b64_refused("Zg==Zg==", "'=' at offset 2, before the end");
	b64_refused("Z=9v", "'=' at offset 1, before the end");
	b64_refused("Zm=v", "'=' at offset 2, before the end");
	b64_refused("Zg=A", "'=' at offset 2, before the end");
	b64_refused("Z=A=", "'=' at offset 1, before the end");
	b64_refused("=Zg=", "'=' at offset 0, before the end");
}

static void test_base64__refuses_too_much_padding(void **state)
{
	(void)state;
	b64_refused("Z===", "more than two '=' at the end");
	b64_refused("====", "more than two '=' at the end");
	b64_refused("Zm9v====", "more than two '=' at the end");
	b64_refused("Zg======", "more than two '=' at the end");
}

/* One spelling for each byte string: "Zh==" would also decode to "f". */
static void test_base64__refuses_nonzero_unused_bits(void **state)
{
	(void)state;
	b64_refused("Zh==", "unused bits of 'h' at offset 1 are not zero");
	b64_refused("Zv==", "unused bits of 'v' at offset 1");
	b64_refused("Zm9=", "unused bits of '9' at offset 2 are not zero");
	b64_refused("Zm9vYm/=", "unused bits of '/' at offset 6");
	b64_refused("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
		    "unused bits of 'V' at offset 42");
	expect_decode("Zg==", "f");
	expect_decode("Zm8=", "fo");
}

static void test_base64__refuses_small_output(void **state)
{
	struct al_error err = {0};
	uint8_t out[6];
	size_t n = 0;

	(void)state;
	expect_b64_refused("Zm9vYmFy", 8, AL_ELIMIT,
			   "base64: 6 bytes decoded, room for 5", 5);
	expect_b64_refused("Zm8=", 4, AL_ELIMIT,
			   "base64: 2 bytes decoded, room for 0", 0);
	/* exactly enough room */
	assert_int_equal(al_base64_decode("Zm9vYmFy", 8, out, 6, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	/* a refused text leaves out alone */
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(al_base64_decode("Zm9vYm-y", 8, out, 6, &n, &err),
			 AL_EINVAL);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0x5a);
}

/* ---- checkpoint: accepted -------------------------------------------- */

static void test_checkpoint__golden_empty_tree(void **state)
{
	struct al_checkpoint c;
	struct al_error err = {0};
	char out[AL_CHECKPOINT_TEXT_MAX];
	size_t len = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 0;
	al_merkle_empty(c.root);
	assert_int_equal(al_checkpoint_format(&c, out, &len, &err), 0);
	assert_string_equal(out, ORIGIN "\n0\n" EMPTY_ROOT_B64 "\n");
	assert_int_equal(len, strlen(out));
}

static void test_checkpoint__golden_size_42(void **state)
{
	static const char text[] = ORIGIN "\n42\n" EMPTY_ROOT_B64 "\n";
	struct al_checkpoint c, f;
	struct al_error err = {0};
	char out[AL_CHECKPOINT_TEXT_MAX];
	uint8_t empty[AL_MERKLE_HASH];
	size_t len = 0;

	(void)state;
	expect_parse(text, &c);
	assert_string_equal(c.origin, ORIGIN);
	assert_int_equal(c.size, 42);
	al_merkle_empty(empty);
	assert_memory_equal(c.root, empty, AL_MERKLE_HASH);

	memset(&f, 0, sizeof(f));
	snprintf(f.origin, sizeof(f.origin), "%s", ORIGIN);
	f.size = 42;
	for (int i = 0; i < AL_MERKLE_HASH; i++)
		f.root[i] = (uint8_t)i;
	assert_int_equal(al_checkpoint_format(&f, out, &len, &err), 0);
	assert_string_equal(out, ORIGIN "\n42\n" COUNT_ROOT_B64 "\n");
	assert_int_equal(len, strlen(ORIGIN) + 3 + 2 + 44);
}

/* The example in docs/ledger.md and C2SP's own. */
static void test_checkpoint__documented_examples(void **state)
{
	struct al_checkpoint c;

	(void)state;
	expect_parse("airlock/2f6c2a0e-8a51-4a0b-9d1e-1d3c2b5d7e90\n42\n"
		     "qFjb2Q7Zbc3aJTfmRX7sHh5C8r3rA0d0rKPN7vPq2hE=\n",
		     &c);
	assert_int_equal(c.size, 42);
	assert_int_equal(c.root[0], 0xa8);
	assert_int_equal(c.root[31], 0x11);
	expect_parse("example.com/behind-the-sofa\n20852163\n"
		     "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		     &c);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_int_equal(c.size, 20852163);
}

/* The largest size, the longest origin: the longest text there is. */
static void test_checkpoint__limits_accepted(void **state)
{
	char origin[256], text[AL_CHECKPOINT_TEXT_MAX + 8];
	struct al_checkpoint c;

	(void)state;
	expect_parse("o\n9223372036854775807\n" EMPTY_ROOT_B64 "\n", &c);
	assert_true(c.size == (uint64_t)INT64_MAX);
	expect_parse("o\n1\n" EMPTY_ROOT_B64 "\n", &c);
	assert_int_equal(c.size, 1);

	memset(origin, 'a', 255);
	origin[255] = '\0';
	snprintf(text, sizeof(text), "%s\n9223372036854775807\n%s\n", origin,
		 EMPTY_ROOT_B64);
	assert_int_equal(strlen(text), AL_CHECKPOINT_TEXT_MAX - 1);
	expect_parse(text, &c);
	assert_int_equal(strlen(c.origin), 255);
}

/* UTF-8 and spaces are allowed in an origin; 255 bytes of 2-byte
 * characters less one, plus one ASCII byte. */
static void test_checkpoint__utf8_origin(void **state)
{
	char origin[256], text[400];
	struct al_checkpoint c;
	size_t o = 0;

	(void)state;
	expect_parse("Ærø log №1\n7\n" EMPTY_ROOT_B64 "\n", &c);
	assert_string_equal(c.origin, "Ærø log №1");
	while (o + 2 <= 254) {
		memcpy(origin + o, "\xc3\xa9", 2);
		o += 2;
	}
	origin[o++] = 'x';
	origin[o] = '\0';
	assert_int_equal(o, 255);
	snprintf(text, sizeof(text), "%s\n3\n%s\n", origin, EMPTY_ROOT_B64);
	expect_parse(text, &c);
	assert_string_equal(c.origin, origin);
}

/* parse(format(c)) == c over many sizes and roots. */
static void test_checkpoint__round_trip(void **state)
{
	static const uint64_t sizes[] = {
		0,
		1,
		9,
		10,
		99,
		100,
		4294967295u,
		4294967296u,
		1000000000000000000u,
		9223372036854775806u,
		9223372036854775807u,
	};
	struct al_checkpoint c, back;
	struct al_error err = {0};
	char out[AL_CHECKPOINT_TEXT_MAX];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), "log-%zu", i);
		c.size = sizes[i];
		for (int j = 0; j < AL_MERKLE_HASH; j++)
			c.root[j] = (uint8_t)(i * 37 + (size_t)j * 101);
		assert_int_equal(al_checkpoint_format(&c, out, &len, &err), 0);
		assert_int_equal(len, strlen(out));
		expect_parse_n(out, len, &back);
		assert_memory_equal(&back, &c, sizeof(c));
	}
}

/* ---- checkpoint: refused --------------------------------------------- */

static void test_checkpoint__refuses_empty_text(void **state)
{
	(void)state;
	expect_refused("", "checkpoint: line 1: the text is empty", NULL);
}

static void test_checkpoint__refuses_long_text(void **state)
{
	char text[AL_CHECKPOINT_TEXT_MAX + 1];

	(void)state;
	memset(text, 'a', sizeof(text));
	expect_refused_n(text, AL_CHECKPOINT_TEXT_MAX,
			 "checkpoint: 322 bytes, more than the longest "
			 "checkpoint (321)",
			 NULL);
	/* refused before anything else is looked at */
	memset(text, '\n', sizeof(text));
	expect_refused_n(text, sizeof(text), "checkpoint: 323 bytes", NULL);
}

static void test_checkpoint__refuses_missing_final_newline(void **state)
{
	(void)state;
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64,
		       "checkpoint: line 3: no newline at the end", NULL);
	expect_refused(ORIGIN "\n42", "checkpoint: line 2: no newline", NULL);
	expect_refused(ORIGIN, "checkpoint: line 1: no newline", NULL);
}

static void test_checkpoint__refuses_fewer_lines(void **state)
{
	(void)state;
	expect_refused(ORIGIN "\n",
		       "checkpoint: line 2: size missing (1 line, not 3)",
		       NULL);
	expect_refused(ORIGIN "\n42\n",
		       "checkpoint: line 3: root hash missing (2 lines, not 3)",
		       NULL);
}

static void test_checkpoint__refuses_more_lines(void **state)
{
	static const char more[] = "checkpoint: line 4: more than three lines";

	(void)state;
	/* an extension line */
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\nextension\n", more,
		       NULL);
	/* an empty line, and the signed note's signature block */
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\n\n", more, NULL);
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\n\n"
			      "\xe2\x80\x94 " ORIGIN " Az3grlgtzPICa5OS8npV\n",
		       more, NULL);
	/* a fourth line without its newline */
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\nx", more, NULL);
	/* an OpenPGP signature appended */
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64
			      "\n-----BEGIN PGP SIGNATURE-----\n",
		       more, NULL);
}

/* An empty line in place of one of the three. */
static void test_checkpoint__refuses_empty_lines(void **state)
{
	(void)state;
	expect_refused("\n42\n" EMPTY_ROOT_B64 "\n",
		       "checkpoint: line 1: origin is empty", NULL);
	expect_refused(ORIGIN "\n\n" EMPTY_ROOT_B64 "\n",
		       "checkpoint: line 2: size is empty", NULL);
	expect_refused(ORIGIN "\n42\n\n",
		       "checkpoint: line 3: root hash is empty", NULL);
	expect_refused("\n", "checkpoint: line 1: origin is empty", NULL);
}

static void test_checkpoint__refuses_carriage_return(void **state)
{
	(void)state;
	expect_refused(ORIGIN "\r\n42\n" EMPTY_ROOT_B64 "\n",
		       "checkpoint: line 1: carriage return", NULL);
	expect_refused(ORIGIN "\n42\r\n" EMPTY_ROOT_B64 "\n",
		       "checkpoint: line 2: carriage return", NULL);
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\r\n",
		       "checkpoint: line 3: carriage return", NULL);
	expect_refused("a\rb\n42\n" EMPTY_ROOT_B64 "\n",
		       "checkpoint: line 1: carriage return", NULL);
	expect_refused(ORIGIN "\n42\n" EMPTY_ROOT_B64 "\r",
		       "checkpoint: line 3: carriage return", NULL);
}

static void test_checkpoint__refuses_nul(void **state)
{
	static const char t1[] = "ori\0gin\n42\n" EMPTY_ROOT_B64 "\n";
	static const char t2[] = "origin\n4\0002\n" EMPTY_ROOT_B64 "\n";
	static const char t3[] = "origin\n42\n" EMPTY_ROOT_B64 "\0\n";

	(void)state;
	expect_refused_n(t1, sizeof(t1) - 1, "checkpoint: line 1: NUL byte",
			 NULL);
	expect_refused_n(t2, sizeof(t2) - 1, "checkpoint: line 2: NUL byte",
			 NULL);
	expect_refused_n(t3, sizeof(t3) - 1, "checkpoint: line 3: NUL byte",
			 NULL);
}

static void test_checkpoint__refuses_long_origin(void **state)
{
	char origin[300];

	(void)state;
	memset(origin, 'a', 256);
	origin[256] = '\0';
	refused_line(1, origin, "checkpoint: line 1: origin 'aaaa",
		     "...' is 256 bytes, more than 255");
	/* 128 two-byte characters: 256 bytes */
	for (int i = 0; i < 128; i++)
		memcpy(origin + 2 * i, "\xc3\xa9", 2);
	origin[256] = '\0';
	refused_line(1, origin, "checkpoint: line 1: origin",
		     "is 256 bytes, more than 255");
}

static void test_checkpoint__refuses_origin_not_utf8(void **state)
{
	(void)state;
	refused_line(1, "caf\xe9", "checkpoint: line 1: origin 'caf\\xe9'",
		     "is not valid UTF-8");
	/* overlong "/", a surrogate, a cut sequence */
	refused_line(1, "a\xc0\xaf", "line 1: origin", "not valid UTF-8");
	refused_line(1, "\xed\xa0\x80", "line 1: origin", "not valid UTF-8");
	refused_line(1, "x\xe2\x82", "line 1: origin", "not valid UTF-8");
}

static void test_checkpoint__refuses_origin_control(void **state)
{
	(void)state;
	refused_line(1, "a\tb", "checkpoint: line 1: origin 'a\\tb'",
		     "holds a control, bidi or invisible character");
	refused_line(1, "log\x1b[2J", "origin 'log\\x1b[2J'",
		     "holds a control");
	refused_line(1, "a\x7f", "origin 'a\\x7f'", "holds a control");
	/* C1 control U+0085, bidi override U+202E, zero width space */
	refused_line(1, "a\xc2\x85", "origin 'a\\u{0085}'", "holds a control");
	refused_line(1, "gol\xe2\x80\xae", "origin 'gol\\u{202e}'",
		     "holds a control");
	refused_line(1, "a\xe2\x80\x8b", "origin 'a\\u{200b}'",
		     "holds a control");
}

static void test_checkpoint__refuses_size_sign(void **state)
{
	(void)state;
	refused_line(2, "+42", "checkpoint: line 2: size '+42' has a sign",
		     NULL);
	refused_line(2, "-1", "checkpoint: line 2: size '-1' has a sign", NULL);
	refused_line(2, "-0", "size '-0' has a sign", NULL);
	refused_line(2, "+", "size '+' has a sign", NULL);
}

static void test_checkpoint__refuses_size_leading_zero(void **state)
{
	(void)state;
	refused_line(2, "042",
		     "checkpoint: line 2: size '042' has a leading zero", NULL);
	refused_line(2, "00", "size '00' has a leading zero", NULL);
	refused_line(2, "000000000000000000000000000001", "has a leading zero",
		     NULL);
}

static void test_checkpoint__refuses_size_spaces(void **state)
{
	(void)state;
	refused_line(2, " 42", "checkpoint: line 2: size ' 42' holds a space",
		     NULL);
	refused_line(2, "42 ", "size '42 ' holds a space", NULL);
	refused_line(2, "4 2", "size '4 2' holds a space", NULL);
	refused_line(2, "42\t", "size '42\\t' holds a space", NULL);
}

static void test_checkpoint__refuses_size_not_digits(void **state)
{
	(void)state;
	refused_line(2, "4a2",
		     "checkpoint: line 2: size '4a2' is not a decimal number",
		     NULL);
	refused_line(2, "0x2a", "size '0x2a' is not a decimal number", NULL);
	refused_line(2, "4.2", "is not a decimal number", NULL);
	refused_line(2, "1e3", "is not a decimal number", NULL);
	/* Arabic-Indic digit four: not an ASCII digit */
	refused_line(2, "\xd9\xa4", "is not a decimal number", NULL);
	refused_line(2, "4\x1b", "size '4\\x1b' is not a decimal number", NULL);
}

static void test_checkpoint__refuses_size_too_large(void **state)
{
	(void)state;
	refused_line(2, "9223372036854775808",
		     "checkpoint: line 2: size '9223372036854775808' is 2^63 "
		     "or more",
		     NULL);
	refused_line(2, "18446744073709551615", "is 2^63 or more", NULL);
	refused_line(2, "18446744073709551616", "is 2^63 or more", NULL);
	refused_line(2, "99999999999999999999999999999999", "is 2^63 or more",
		     NULL);
	refused_line(2, "92233720368547758070", "is 2^63 or more", NULL);
}

static void test_checkpoint__refuses_root_not_base64(void **state)
{
	(void)state;
	/* base64url */
	refused_line(3, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
		     "checkpoint: line 3: root hash: not base64: character '-' "
		     "at offset 12",
		     NULL);
	/* unpadded */
	refused_line(3, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
		     "checkpoint: line 3: root hash: not base64: length 43",
		     NULL);
	/* hex */
	refused_line(3,
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		     "7852b855",
		     "checkpoint: line 3: root hash is 48 bytes, not 32", NULL);
	refused_line(3, " " EMPTY_ROOT_B64, "root hash: not base64: length 45",
		     NULL);
	refused_line(3, "47DEQpj8HBSa+/TI mW+5JCeuQeRkm5NMpJWZG3hSuFU",
		     "root hash: not base64: white space ' ' at offset 16",
		     NULL);
	refused_line(3, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
		     "root hash: not base64: unused bits of 'V' at offset 42 "
		     "are not zero",
		     NULL);
	refused_line(3, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hS====",
		     "root hash: not base64: more than two '='", NULL);
}

static void test_checkpoint__refuses_root_wrong_length(void **state)
{
	(void)state;
	/* 31 and 33 bytes */
	refused_line(3, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		     "checkpoint: line 3: root hash is 31 bytes, not 32", NULL);
	refused_line(3, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g",
		     "checkpoint: line 3: root hash is 33 bytes, not 32", NULL);
	refused_line(3, "Zm9v", "root hash is 3 bytes, not 32", NULL);
	/* SHA-512 of nothing */
	refused_line(3,
		     "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DG"
		     "NKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
		     "root hash is 64 bytes, not 32", NULL);
}

/* The first problem in reading order is the one named. */
static void test_checkpoint__first_problem_wins(void **state)
{
	(void)state;
	expect_refused("\n+1\nnot base64\n", "line 1: origin is empty", NULL);
	expect_refused("o\n+1\nnot base64\n", "line 2: size '+1' has a sign",
		       NULL);
	expect_refused("o\n1\nnot base64\r\n", "line 3: carriage return", NULL);
	expect_refused("o\n1\n" EMPTY_ROOT_B64 "\n\r\n",
		       "line 4: more than three lines", NULL);
}

/* A message quotes at most a short, visible part of what was refused. */
static void test_checkpoint__messages_are_short_and_visible(void **state)
{
	char origin[300], buf[400];
	struct al_checkpoint c;
	struct al_error err = {0};

	(void)state;
	memset(origin, '\x1b', 254);
	origin[254] = '\0';
	with_line(buf, sizeof(buf), 1, origin);
	assert_int_equal(al_checkpoint_parse(buf, strlen(buf), &c, &err),
			 AL_EINVAL);
	check_msg(&err, "origin '\\x1b\\x1b", "...' holds a control");
	assert_null(strchr(err.msg, '\x1b'));
	assert_true(strlen(err.msg) < 160);
}

static void test_checkpoint__format_refuses_bad_origin(void **state)
{
	struct al_checkpoint c;

	(void)state;
	memset(&c, 0, sizeof(c));
	expect_format_refused(&c, "checkpoint: origin is empty");
	snprintf(c.origin, sizeof(c.origin), "%s", "a\nb");
	expect_format_refused(&c, "checkpoint: origin 'a\\nb' holds a control");
	snprintf(c.origin, sizeof(c.origin), "%s", "a\rb");
	expect_format_refused(&c, "origin 'a\\rb' holds a control");
	snprintf(c.origin, sizeof(c.origin), "%s", "caf\xe9");
	expect_format_refused(&c, "origin 'caf\\xe9' is not valid UTF-8");
	snprintf(c.origin, sizeof(c.origin), "%s", "x\xe2\x80\xae");
	expect_format_refused(&c, "holds a control, bidi or invisible");
	/* no NUL in the array: 256 bytes */
	memset(c.origin, 'a', sizeof(c.origin));
	expect_format_refused(&c, "is 256 bytes, more than 255");
}

static void test_checkpoint__format_refuses_large_size(void **state)
{
	struct al_checkpoint c;

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", "o");
	c.size = (uint64_t)1 << 63;
	expect_format_refused(&c, "size 9223372036854775808 is 2^63 or more");
	c.size = UINT64_MAX;
	expect_format_refused(&c, "is 2^63 or more");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64__rfc4648_vectors),
		cmocka_unit_test(test_base64__round_trips_every_byte),
		cmocka_unit_test(test_base64__refuses_length_not_multiple_of_4),
		cmocka_unit_test(test_base64__refuses_missing_padding),
		cmocka_unit_test(test_base64__refuses_white_space),
		cmocka_unit_test(test_base64__refuses_other_alphabets),
		cmocka_unit_test(test_base64__refuses_padding_before_the_end),
		cmocka_unit_test(test_base64__refuses_too_much_padding),
		cmocka_unit_test(test_base64__refuses_nonzero_unused_bits),
		cmocka_unit_test(test_base64__refuses_small_output),
		cmocka_unit_test(test_checkpoint__golden_empty_tree),
		cmocka_unit_test(test_checkpoint__golden_size_42),
		cmocka_unit_test(test_checkpoint__documented_examples),
		cmocka_unit_test(test_checkpoint__limits_accepted),
		cmocka_unit_test(test_checkpoint__utf8_origin),
		cmocka_unit_test(test_checkpoint__round_trip),
		cmocka_unit_test(test_checkpoint__refuses_empty_text),
		cmocka_unit_test(test_checkpoint__refuses_long_text),
		cmocka_unit_test(
			test_checkpoint__refuses_missing_final_newline),
		cmocka_unit_test(test_checkpoint__refuses_fewer_lines),
		cmocka_unit_test(test_checkpoint__refuses_more_lines),
		cmocka_unit_test(test_checkpoint__refuses_empty_lines),
		cmocka_unit_test(test_checkpoint__refuses_carriage_return),
		cmocka_unit_test(test_checkpoint__refuses_nul),
		cmocka_unit_test(test_checkpoint__refuses_long_origin),
		cmocka_unit_test(test_checkpoint__refuses_origin_not_utf8),
		cmocka_unit_test(test_checkpoint__refuses_origin_control),
		cmocka_unit_test(test_checkpoint__refuses_size_sign),
		cmocka_unit_test(test_checkpoint__refuses_size_leading_zero),
		cmocka_unit_test(test_checkpoint__refuses_size_spaces),
		cmocka_unit_test(test_checkpoint__refuses_size_not_digits),
		cmocka_unit_test(test_checkpoint__refuses_size_too_large),
		cmocka_unit_test(test_checkpoint__refuses_root_not_base64),
		cmocka_unit_test(test_checkpoint__refuses_root_wrong_length),
		cmocka_unit_test(test_checkpoint__first_problem_wins),
		cmocka_unit_test(
			test_checkpoint__messages_are_short_and_visible),
		cmocka_unit_test(test_checkpoint__format_refuses_bad_origin),
		cmocka_unit_test(test_checkpoint__format_refuses_large_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
