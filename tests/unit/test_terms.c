/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "al_error.h"
#include "al_hash.h"
#include "al_terms.h"

static const uint8_t key[AL_TERMS_KEY_LEN] = {
	0x41, 0x69, 0x72, 0x6c, 0x6f, 0x63, 0x6b, 0x20,
	0x74, 0x65, 0x72, 0x6d, 0x20, 0x6b, 0x65, 0x79,
};

/* ---- helpers ---------------------------------------------------------- */

struct toks {
	char s[8192];
	size_t len;
	size_t count;
	size_t stop_at; /* return 7 from the callback at this token (1-based) */
};

static int collect(const char *tok, size_t n, unsigned flags, void *ctx)
{
	struct toks *t = ctx;
	int w;

	t->count++;
	if (t->len < sizeof(t->s) - 1) {
		w = snprintf(t->s + t->len, sizeof(t->s) - t->len,
			     "%s%.*s%s%s%s", t->len ? " " : "", (int)n, tok,
			     flags & AL_TERM_VERSION ? "/v" : "",
			     flags & AL_TERM_URL ? "/u" : "",
			     flags & AL_TERM_CODE ? "/c" : "");
		t->len += (size_t)w;
		if (t->len > sizeof(t->s) - 1)
			t->len = sizeof(t->s) - 1;
	}
	if (n == 0 || n > AL_TERM_LEN_MAX)
		fail_msg("token of %zu bytes", n);
	return t->stop_at && t->count == t->stop_at ? 7 : 0;
}

/* The tokens of text as "tok tok/v url:x/u a.b/c a b", flags marked. */
static const char *tokens_n(const char *text, size_t len)
{
	static struct toks t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(al_terms_tokens(text, len, collect, &t), 0);
	return t.s;
}

static const char *tokens(const char *text)
{
	return tokens_n(text, strlen(text));
}

#define assert_tokens(text, want)                                          \
	do {                                                               \
		const char *got_ = tokens(text);                           \
		if (strcmp(got_, want) != 0)                               \
			fail_msg("'%s'\n#  got: '%s'\n# want: '%s'", text, \
				 got_, want);                              \
	} while (0)

static void check_msg(const struct al_error *err, const char *part)
{
	if (!strstr(err->msg, part))
		fail_msg("message '%s' lacks '%s'", err->msg, part);
}

static void add(struct al_terms *t, const char *text, unsigned extra)
{
	struct al_error err = {0};

	if (al_terms_add_text(t, key, text, strlen(text), extra, &err))
		fail_msg("add_text: %s", err.msg);
}

/* The hash of token tok under key, computed here from the definition. */
static uint32_t hash_of(const char *tok)
{
	struct al_sha256 *h = NULL;
	struct al_error err = {0};
	uint8_t d[AL_SHA256_LEN];

	assert_int_equal(al_sha256_new(&h, &err), 0);
	al_sha256_update(h, key, sizeof(key));
	al_sha256_update(h, tok, strlen(tok));
	al_sha256_final(h, NULL, d);
	al_sha256_free(h);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

static const struct al_term *term(const struct al_terms *t, const char *tok)
{
	return al_terms_find(t, hash_of(tok));
}

static void assert_valid(const struct al_terms *t)
{
	for (size_t i = 0; i < t->n; i++) {
		assert_true(t->v[i].tf >= 1);
		if (i > 0 && t->v[i - 1].hash >= t->v[i].hash)
			fail_msg("term %zu out of order", i);
	}
}

static void assert_same_terms(const struct al_terms *a,
			      const struct al_terms *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].hash, b->v[i].hash);
		assert_int_equal(a->v[i].tf, b->v[i].tf);
		assert_int_equal(a->v[i].flags, b->v[i].flags);
	}
}

/* A sketch by hand: header, then terms as (hash, tf, flags). */
static size_t sketch(uint8_t *b, const char *magic, uint32_t count,
		     const uint32_t (*terms)[3], size_t nterms)
{
	size_t n = 8;

	memcpy(b, magic, 4);
	b[4] = (uint8_t)(count >> 24);
	b[5] = (uint8_t)(count >> 16);
	b[6] = (uint8_t)(count >> 8);
	b[7] = (uint8_t)count;
	for (size_t i = 0; i < nterms; i++, n += 7) {
		b[n] = (uint8_t)(terms[i][0] >> 24);
		b[n + 1] = (uint8_t)(terms[i][0] >> 16);
		b[n + 2] = (uint8_t)(terms[i][0] >> 8);
		b[n + 3] = (uint8_t)terms[i][0];
		b[n + 4] = (uint8_t)(terms[i][1] >> 8);
		b[n + 5] = (uint8_t)terms[i][1];
		b[n + 6] = (uint8_t)terms[i][2];
	}
	return n;
}

/* Decode must refuse b[0..n) with AL_EINVAL and part in the message, and
 * leave t empty. */
static void refuse(const uint8_t *b, size_t n, const char *part)
{
	struct al_terms t = {0};
	struct al_error err = {0};
	uint8_t *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, b, n); /* exact size: ASan sees a read past the end */
	add(&t, "something to empty first", 0);
	assert_int_equal(al_terms_decode(copy, n, &t, &err), AL_EINVAL);
	assert_int_equal(err.code, AL_EINVAL);
	check_msg(&err, part);
	assert_int_equal(t.n, 0);
	al_terms_free(&t);
	free(copy);
}

/* ---- tokens ----------------------------------------------------------- */

static void test_terms__lowercases_ascii_and_keeps_utf8_words(void **state)
{
	(void)state;
	assert_tokens("Heap OVERFLOW in Parser", "heap overflow parser");
	/* only ASCII is folded: UTF-8 words are kept byte for byte */
	assert_tokens("Café DÉJÀ Überlauf 漏洞", "café dÉjÀ Überlauf 漏洞");
	assert_tokens("Größe", "größe");
}

static void test_terms__markdown_marks_separate_words(void **state)
{
	(void)state;
	assert_tokens("**bold** *em* _under_ ~~gone~~ `code`",
		      "bold em under gone code");
	assert_tokens("## Steps to reproduce\n> quoted | cell |",
		      "steps reproduce quoted cell");
	assert_tokens("[the link text](https://example.com/a) and more",
		      "link text url:example.com/a/u");
	assert_tokens("![screenshot](shot.png)",
		      "screenshot shot.png/c shot png");
	assert_tokens("<script>alert(document.cookie)</script>",
		      "script alert document.cookie/c document cookie script");
	assert_tokens("&lt;img src=x onerror=alert(1)&gt; &#60;b&#x3e;",
		      "img src onerror alert 1");
	/* a list's numbers and bullets are not its text */
	assert_tokens("1. open the page\n2) click\n  10. done\n- item\n* star",
		      "open page click done item star");
	/* a number that starts a line but is no marker stays */
	assert_tokens("2021 was long\n1.5 times\n3.no",
		      "2021 long 1.5/v times 3.no/c 3 no");
	/* code fences and inline code are text */
	assert_tokens("```js\nfetch(url)\n```", "js fetch url");
}

static void test_terms__other_markdown_gives_same_terms(void **state)
{
	static const char *const texts[] = {
		"Stored XSS in conversation notes. Open notes_view, "
		"paste <script> via api.post/notes and see "
		"https://example.com/notes/1 fixed in v4.2.1\n",

		"## Stored **XSS** in _conversation_ notes\n\n"
		"1. Open `notes_view`\n"
		"2. Paste `<script>` via `api.post/notes`\n"
		"3. See [it](https://example.com/notes/1/)\n\n"
		"> fixed in **4.2.1**.",

		"STORED XSS IN CONVERSATION NOTES\n"
		"- open notes_view\n- paste &lt;script&gt; via\n"
		"  ```\n  api.post/notes\n  ```\n"
		"- and see <https://EXAMPLE.com/notes/1>, fixed in 4.2.1!",
	};
	struct al_terms a = {0}, b = {0};

	(void)state;
	add(&a, texts[0], 0);
	for (size_t i = 1; i < sizeof(texts) / sizeof(texts[0]); i++) {
		add(&b, texts[i], 0);
		assert_same_terms(&a, &b);
		al_terms_free(&b);
	}
	al_terms_free(&a);
}

static void test_terms__urls_are_one_token(void **state)
{
	(void)state;
	assert_tokens("see HTTPS://GitHub.com/Foo/Bar.",
		      "see url:github.com/foo/bar/u");
	assert_tokens("http://x.org/a/?q=1&r=2, then",
		      "url:x.org/a/?q=1&r=2/u");
	/* a fragment is a place in the page; a route is not */
	assert_tokens("https://g.com/f.c#L10 https://app.io/#/admin",
		      "url:g.com/f.c/u url:app.io/#/admin/u");
	/* what ends a URL */
	assert_tokens("(https://a.com/x) <https://b.com> 'https://c.com' "
		      "\"https://d.com\" `https://e.com` [https://f.com]",
		      "url:a.com/x/u url:b.com/u url:c.com/u url:d.com/u "
		      "url:e.com/u url:f.com/u");
	assert_tokens("“https://a.com/x” https://b.com\x01z",
		      "url:a.com/x/u url:b.com/u");
	/* trailing sentence and Markdown marks */
	assert_tokens("**https://a.com/x/**; https://b.com:",
		      "url:a.com/x/u url:b.com/u");
	/* no host: the scheme is a word */
	assert_tokens("https:// and http://#frag", "https http frag");
	/* inside a word it is no URL */
	assert_tokens("xhttps://a.com", "xhttps a.com/c com");
}

static void test_terms__cuts_urls_with_their_prefix(void **state)
{
	char text[200], want[200];

	(void)state;
	/* the whole token, "url:" included, is cut at AL_TERM_LEN_MAX */
	strcpy(text, "https://example.com/");
	memset(text + 20, 'a', 100);
	text[120] = '\0';
	strcpy(want, "url:example.com/");
	memset(want + 16, 'a', AL_TERM_LEN_MAX - 16);
	strcpy(want + AL_TERM_LEN_MAX, "/u");
	assert_tokens(text, want);
}

static void test_terms__versions(void **state)
{
	(void)state;
	assert_tokens("1.2 2.33.0 v2.33.0 V10.0",
		      "1.2/v 2.33.0/v 2.33.0/v 10.0/v");
	assert_tokens("fixed in 2.33.0.", "fixed 2.33.0/v");
	assert_tokens("0.31.1-0.20200311080807-483ed864d69f",
		      "0.31.1-0.20200311080807-483ed864d69f/v");
	assert_tokens("3.0.0-RC1 1.0.0-beta.2 1.2.3+build.5",
		      "3.0.0-rc1/v 1.0.0-beta.2/v 1.2.3+build.5/v");
	/* >=4.0.0 <4.2.1 */
	assert_tokens(">=4.0.0 <4.2.1", "4.0.0/v 4.2.1/v");
	/* one number is no version, a trailing dot is the sentence's */
	assert_tokens("see 1. 42 v2 1.x", "see 1 42 v2 1.x/c 1");
	/* versions inside identifiers stay whole */
	assert_tokens("lodash@4.17.20 golang.org/x/net@v0.17.0",
		      "lodash@4.17.20/c lodash 4.17.20/v "
		      "golang.org/x/net@v0.17.0/c golang org net 0.17.0/v");
	/* '+' only joins a version */
	assert_tokens("c++ ab+cd 1+2", "ab cd 1 2");
}

static void test_terms__identifiers_whole_and_in_parts(void **state)
{
	(void)state;
	assert_tokens("X-Forwarded-For", "x-forwarded-for/c forwarded");
	assert_tokens("foo.bar/baz", "foo.bar/baz/c foo bar baz");
	assert_tokens("user@example.com",
		      "user@example.com/c user example com");
	assert_tokens("/etc/passwd ../../etc/passwd",
		      "etc/passwd/c etc passwd etc/passwd/c etc passwd");
	assert_tokens("std::string a:b", "std string a:b/c");
	/* '_' is a word character, not a mark; the ends of a word drop it */
	assert_tokens("snake_case __init__ _private",
		      "snake_case init private");
	assert_tokens("foo_.bar_-x", "foo_.bar_-x/c foo bar");
	/* marks not followed by a word character end the word */
	assert_tokens("end. dash- -flag --opt a..b", "end dash flag opt");
	assert_tokens("CVE-2021-44228", "cve-2021-44228/c cve 2021 44228");
}

static void test_terms__drops_stop_words_and_single_letters(void **state)
{
	(void)state;
	assert_tokens("The attacker can read all of the files that are "
		      "in it, and so on",
		      "attacker read files");
	assert_tokens("a I x 7 é 0", "7 0");
	/* the whole list (docs/dedup.md) */
	assert_tokens("about all also an and any are as at be been but by can "
		      "could did do does for from had has have how if in into "
		      "is it its may more of on or other our so some such than "
		      "that the their then there these they this those to was "
		      "we were when where which while who will with would you "
		      "your",
		      "");
	assert_tokens("After Before ABOUT", "after before");
	/* negations stay */
	assert_tokens("not without no", "not without no");
	/* stop words are whole words only */
	assert_tokens("these theses thesis", "theses thesis");
	/* a stop word as a part of an identifier is dropped there too */
	assert_tokens("the-end", "the-end/c end");
}

static void test_terms__control_and_unicode_punctuation_separate(void **state)
{
	static const char text[] = "one\x01two\x1bthree\x7f"
				   "four\tfive\r\nsix\0seven";

	(void)state;
	assert_string_equal(tokens_n(text, sizeof(text) - 1),
			    "one two three four five six seven");
	/* C1 control, no-break space, typographic quotes and dashes */
	assert_tokens("a\xc2\x85one\xc2\xa0two “three” don’t x—y «four»",
		      "one two three don four");
	assert_tokens("foo\xe2\x80\x8b"
		      "bar\xef\xbb\xbf"
		      "baz",
		      "foo bar baz");
	/* arrows, ideographic space */
	assert_tokens("in→out\xe3\x80\x80next", "out next");
	/* other UTF-8 and invalid bytes are word bytes */
	assert_tokens("ab\xff\xfe cd", "ab\xff\xfe cd");
}

static void test_terms__cuts_long_tokens(void **state)
{
	char text[200], want[200];

	(void)state;
	memset(text, 'a', 100);
	text[100] = '\0';
	memset(want, 'a', AL_TERM_LEN_MAX);
	want[AL_TERM_LEN_MAX] = '\0';
	assert_tokens(text, want);
	/* not inside a UTF-8 sequence: 63 bytes and a 2-byte é */
	memset(text, 'b', 63);
	strcpy(text + 63, "éé");
	memset(want, 'b', 63);
	want[63] = '\0';
	assert_tokens(text, want);
	/* a long identifier: the word is cut, its parts are all there */
	memset(text, 'c', 70);
	strcpy(text + 70, ".tail");
	memset(want, 'c', 64);
	strcpy(want + 64, "/c ");
	memset(want + 67, 'c', 64);
	strcpy(want + 131, " tail");
	assert_tokens(text, want);
}

static void test_terms__reads_at_most_the_token_cap(void **state)
{
	size_t n = AL_TERMS_TOKENS_MAX + 500;
	char *text = malloc(n * 6 + 1), *p = text;
	struct toks *t = calloc(1, sizeof(*t));
	struct al_terms terms = {0};

	(void)state;
	assert_non_null(text);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "w%04zu ", i % 10000);
	assert_int_equal(al_terms_tokens(text, (size_t)(p - text), collect, t),
			 0);
	assert_int_equal(t->count, AL_TERMS_TOKENS_MAX);
	/* each of the 10000 words twice, the last 500 tokens unread */
	add(&terms, text, 0);
	assert_int_equal(terms.n, AL_TERMS_MAX);
	assert_int_equal(term(&terms, "w0000")->tf, 2);
	al_terms_free(&terms);
	p = text;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s ", i < AL_TERMS_TOKENS_MAX ? "aa" : "zz");
	add(&terms, text, 0);
	assert_int_equal(terms.n, 1);
	assert_int_equal(term(&terms, "aa")->tf, AL_TERMS_TOKENS_MAX);
	assert_null(term(&terms, "zz"));
	al_terms_free(&terms);
	free(t);
	free(text);
}

static void test_terms__callback_stops_the_walk(void **state)
{
	struct toks t = {.stop_at = 2};

	(void)state;
	assert_int_equal(al_terms_tokens("one two three", 13, collect, &t), 7);
	assert_string_equal(t.s, "one two");
	memset(&t, 0, sizeof(t));
	t.stop_at = 1;
	assert_int_equal(al_terms_tokens("https://a.com b", 15, collect, &t),
			 7);
	assert_int_equal(t.count, 1);
	memset(&t, 0, sizeof(t));
	t.stop_at = 2;
	assert_int_equal(al_terms_tokens("a.b/cd ef", 9, collect, &t), 7);
	assert_string_equal(t.s, "a.b/cd/c cd");
}

static void test_terms__empty_text(void **state)
{
	struct al_terms t = {0};
	struct al_error err = {0};
	uint8_t *b = NULL;
	size_t n = 0;

	(void)state;
	assert_tokens("", "");
	assert_tokens(" \n\t*_#> - the a \n 1. ", "");
	assert_int_equal(al_terms_add_text(&t, key, NULL, 0, 0, &err), 0);
	add(&t, "  the of  ", AL_TERM_TITLE);
	assert_int_equal(t.n, 0);
	assert_int_equal(al_terms_encode(&t, &b, &n, &err), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(b, "ALT1\0\0\0\0", 8);
	assert_int_equal(al_terms_decode(b, n, &t, &err), 0);
	assert_int_equal(t.n, 0);
	free(b);
	al_terms_free(&t);
}

/* ---- terms ------------------------------------------------------------ */

static void test_terms__hash_is_keyed_sha256_prefix(void **state)
{
	struct al_terms t = {0}, other = {0};
	uint8_t key2[AL_TERMS_KEY_LEN] = {0};
	struct al_error err = {0};
	uint8_t d[AL_SHA256_LEN];
	char hex[AL_SHA256_HEX];
	uint8_t in[AL_TERMS_KEY_LEN + 6];
	struct al_sha256 *h = NULL;

	(void)state;
	add(&t, "Parser", 0);
	assert_int_equal(t.n, 1);
	/* SHA-256(key || "parser"), first 4 bytes big-endian */
	memcpy(in, key, sizeof(key));
	memcpy(in + sizeof(key), "parser", 6);
	assert_int_equal(al_sha256_new(&h, &err), 0);
	al_sha256_update(h, in, sizeof(in));
	al_sha256_final(h, hex, d);
	al_sha256_free(h);
	assert_int_equal(t.v[0].hash, (uint32_t)d[0] << 24 |
					      (uint32_t)d[1] << 16 |
					      (uint32_t)d[2] << 8 | d[3]);
	/* another key, other hashes */
	assert_int_equal(al_terms_add_text(&other, key2, "parser", 6, 0, &err),
			 0);
	assert_int_not_equal(other.v[0].hash, t.v[0].hash);
	al_terms_free(&t);
	al_terms_free(&other);
}

static void test_terms__sorted_unique_with_counts_and_flags(void **state)
{
	struct al_terms t = {0};
	const struct al_term *e;

	(void)state;
	add(&t, "Parser overflow", AL_TERM_TITLE);
	add(&t,
	    "the parser parser; overflow in parser v1.2.3 "
	    "parse.go https://x.io/a 1.2.3 parse",
	    0);
	assert_valid(&t);
	/* parser overflow 1.2.3 parse.go parse go url:x.io/a */
	assert_int_equal(t.n, 7);
	e = term(&t, "parser");
	assert_non_null(e);
	assert_int_equal(e->tf, 4);
	assert_int_equal(e->flags, AL_TERM_TITLE);
	e = term(&t, "overflow");
	assert_int_equal(e->tf, 2);
	assert_int_equal(e->flags, AL_TERM_TITLE);
	e = term(&t, "1.2.3");
	assert_int_equal(e->tf, 2);
	assert_int_equal(e->flags, AL_TERM_VERSION);
	e = term(&t, "parse.go");
	assert_int_equal(e->tf, 1);
	assert_int_equal(e->flags, AL_TERM_CODE);
	/* "parse" as a part and as a word: one term, no CODE */
	e = term(&t, "parse");
	assert_int_equal(e->tf, 2);
	assert_int_equal(e->flags, 0);
	e = term(&t, "url:x.io/a");
	assert_int_equal(e->flags, AL_TERM_URL);
	assert_null(term(&t, "the"));
	assert_null(al_terms_find(&t, 0));
	al_terms_free(&t);
	assert_null(t.v);
	assert_int_equal(t.n, 0);
	al_terms_free(&t); /* twice is harmless */
	al_terms_free(NULL);
}

static void test_terms__counts_saturate(void **state)
{
	size_t n = AL_TERMS_TOKENS_MAX;
	char *text = malloc(n * 3 + 1);
	struct al_terms t = {0};

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 3 * i, "aa ", 3);
	text[3 * n] = '\0';
	for (int i = 0; i < 4; i++) /* 80000 */
		add(&t, text, 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].tf, 65535);
	al_terms_free(&t);
	free(text);
}

static void test_terms__keeps_the_first_distinct_terms(void **state)
{
	char *text = malloc(3000 * 7 + 1), *p = text;
	struct al_terms t = {0};
	char w[16];

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 3000; i++)
		p += sprintf(p, "w%04d ", i);
	add(&t, text, 0);
	assert_int_equal(t.n, AL_TERMS_MAX);
	assert_valid(&t);
	snprintf(w, sizeof(w), "w%04d", AL_TERMS_MAX - 1);
	assert_non_null(term(&t, w));
	snprintf(w, sizeof(w), "w%04d", AL_TERMS_MAX);
	assert_null(term(&t, w));
	/* full: new terms are not added, known ones still count */
	add(&t, "w0000 w2999 newword", AL_TERM_TITLE);
	assert_int_equal(t.n, AL_TERMS_MAX);
	assert_int_equal(term(&t, "w0000")->tf, 2);
	assert_int_equal(term(&t, "w0000")->flags, AL_TERM_TITLE);
	assert_null(term(&t, "w2999"));
	assert_null(term(&t, "newword"));
	al_terms_free(&t);
	free(text);
}

static void test_terms__add_version_matches_the_text(void **state)
{
	struct al_terms a = {0}, b = {0};
	struct al_error err = {0};

	(void)state;
	add(&a, "fixed in 2.33.0, since v3.0.0-RC1; 0.0.0-2020-abc", 0);
	assert_int_equal(al_terms_add_version(&b, key, "fixed", &err), 0);
	assert_int_equal(al_terms_add_version(&b, key, "v2.33.0", &err), 0);
	assert_int_equal(al_terms_add_version(&b, key, "3.0.0-rc1", &err), 0);
	assert_int_equal(al_terms_add_version(&b, key, "V0.0.0-2020-ABC", &err),
			 0);
	/* nothing for "0" and "" */
	assert_int_equal(al_terms_add_version(&b, key, "0", &err), 0);
	assert_int_equal(al_terms_add_version(&b, key, "", &err), 0);
	assert_int_equal(b.n, 4);
	assert_valid(&b);
	for (size_t i = 0; i < b.n; i++) {
		const struct al_term *e = al_terms_find(&a, b.v[i].hash);

		assert_non_null(e);
		if (e != al_terms_find(&a, hash_of("fixed")))
			assert_int_equal(e->flags, AL_TERM_VERSION);
	}
	assert_int_equal(term(&b, "2.33.0")->flags, AL_TERM_VERSION);
	/* a leading v is dropped only before a digit */
	assert_int_equal(al_terms_add_version(&b, key, "vendor", &err), 0);
	assert_non_null(term(&b, "vendor"));
	/* a version already met in the text counts once more */
	assert_int_equal(al_terms_add_version(&a, key, "2.33.0", &err), 0);
	assert_int_equal(term(&a, "2.33.0")->tf, 2);
	al_terms_free(&a);
	al_terms_free(&b);
}

/* ---- the sketch ------------------------------------------------------- */

static void test_terms__sketch_round_trip(void **state)
{
	struct al_terms t = {0}, back = {0};
	struct al_error err = {0};
	uint8_t *b = NULL, *b2 = NULL;
	size_t n = 0, n2 = 0;

	(void)state;
	add(&t, "Heap overflow in the parser", AL_TERM_TITLE);
	add(&t, "parse.go at https://x.io/a fixed in 1.2.3 parser parser", 0);
	assert_int_equal(al_terms_add_version(&t, key, "v1.2.3", &err), 0);
	assert_int_equal(al_terms_encode(&t, &b, &n, &err), 0);
	assert_int_equal(n, 8 + 7 * t.n);
	assert_memory_equal(b, "ALT1", 4);
	assert_int_equal(b[7], t.n);
	/* the first term, byte by byte */
	assert_int_equal((uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 |
				 (uint32_t)b[10] << 8 | b[11],
			 t.v[0].hash);
	assert_int_equal(b[12] << 8 | b[13], t.v[0].tf);
	assert_int_equal(b[14], t.v[0].flags);
	assert_int_equal(al_terms_decode(b, n, &back, &err), 0);
	assert_same_terms(&t, &back);
	assert_int_equal(al_terms_encode(&back, &b2, &n2, &err), 0);
	assert_int_equal(n2, n);
	assert_memory_equal(b2, b, n);
	/* decoding again into a full t replaces it */
	assert_int_equal(al_terms_decode(b, n, &back, &err), 0);
	assert_same_terms(&t, &back);
	free(b);
	free(b2);
	al_terms_free(&t);
	al_terms_free(&back);
}

static void test_terms__sketch_of_the_most_terms(void **state)
{
	char *text = malloc(AL_TERMS_MAX * 7 + 1), *p = text;
	struct al_terms t = {0}, back = {0};
	struct al_error err = {0};
	uint8_t *b = NULL;
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < AL_TERMS_MAX; i++)
		p += sprintf(p, "w%04d ", i);
	add(&t, text, 0);
	assert_int_equal(al_terms_encode(&t, &b, &n, &err), 0);
	assert_int_equal(n, 8 + 7 * AL_TERMS_MAX);
	assert_int_equal(al_terms_decode(b, n, &back, &err), 0);
	assert_same_terms(&t, &back);
	free(b);
	free(text);
	al_terms_free(&t);
	al_terms_free(&back);
}

static void test_terms__decode_refuses_bad_header(void **state)
{
	uint8_t b[64];
	static const uint32_t one[][3] = {{5, 1, 0}};
	size_t n;

	(void)state;
	refuse((const uint8_t *)"", 0, "sketch: truncated header (0 of 8");
	refuse((const uint8_t *)"ALT1\0\0\0", 7,
	       "sketch: truncated header (7 of 8");
	n = sketch(b, "ALT2", 1, one, 1);
	refuse(b, n, "sketch: bad magic 'ALT2' (not 'ALT1')");
	n = sketch(b, "AL\x1b\n", 0, NULL, 0);
	refuse(b, n, "sketch: bad magic 'AL\\x1b\\n'");
	n = sketch(b, "ALT1", AL_TERMS_MAX + 1, one, 1);
	refuse(b, n, "sketch: count 2049 is over the limit of 2048 terms");
	n = sketch(b, "ALT1", 0xffffffffu, one, 1);
	refuse(b, n, "sketch: count 4294967295 is over the limit");
}

static void test_terms__decode_refuses_length_mismatch(void **state)
{
	uint8_t b[64];
	static const uint32_t two[][3] = {{5, 1, 0}, {9, 2, 1}};
	size_t n;

	(void)state;
	n = sketch(b, "ALT1", 2, two, 2);
	refuse(b, n - 1, "sketch: truncated (21 bytes, 2 terms need 22)");
	refuse(b, 8, "sketch: truncated (8 bytes, 2 terms need 22)");
	n = sketch(b, "ALT1", 1, two, 2);
	refuse(b, n,
	       "sketch: length 22 does not match the count 1 "
	       "(15 bytes expected)");
	n = sketch(b, "ALT1", 0, two, 1);
	refuse(b, n, "sketch: length 15 does not match the count 0");
}

static void test_terms__decode_refuses_bad_terms(void **state)
{
	uint8_t b[64];
	static const uint32_t order[][3] = {{5, 1, 0}, {9, 1, 0}, {7, 1, 0}};
	static const uint32_t twice[][3] = {{5, 1, 0}, {5, 1, 0}};
	static const uint32_t tf0[][3] = {{5, 1, 0}, {6, 0, 0}};
	static const uint32_t flag[][3] = {{5, 1, 15}, {6, 1, 16}};
	static const uint32_t high[][3] = {{5, 1, 0x80}};
	size_t n;

	(void)state;
	n = sketch(b, "ALT1", 3, order, 3);
	refuse(b, n, "sketch: term 3 is not in hash order");
	n = sketch(b, "ALT1", 2, twice, 2);
	refuse(b, n, "sketch: term 2 repeats the hash of term 1");
	n = sketch(b, "ALT1", 2, tf0, 2);
	refuse(b, n, "sketch: term 2 has a count of 0");
	n = sketch(b, "ALT1", 2, flag, 2);
	refuse(b, n, "sketch: term 2 has an unknown flag (0x10)");
	n = sketch(b, "ALT1", 1, high, 1);
	refuse(b, n, "sketch: term 1 has an unknown flag (0x80)");
}

static void test_terms__decode_accepts_extremes(void **state)
{
	uint8_t b[64];
	static const uint32_t ext[][3] = {{0, 65535, 15}, {0xffffffffu, 1, 0}};
	struct al_terms t = {0};
	struct al_error err = {0};
	size_t n;

	(void)state;
	n = sketch(b, "ALT1", 2, ext, 2);
	assert_int_equal(al_terms_decode(b, n, &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.v[0].tf, 65535);
	assert_int_equal(t.v[0].flags, 15);
	assert_int_equal(t.v[1].hash, 0xffffffffu);
	assert_ptr_equal(al_terms_find(&t, 0xffffffffu), &t.v[1]);
	al_terms_free(&t);
}

/* ---- speed ------------------------------------------------------------ */

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Inputs that a scanner looking back or ahead would read again and
 * again: each must take one pass (a quadratic scan of 4 MiB takes
 * minutes; the bound is loose on purpose). */
static void test_terms__hostile_input_is_read_once(void **state)
{
	static const char *const units[] = {"+1", "http://#", "ab-", "x."};
	size_t size = 4u << 20;
	char *text = malloc(size + 8);
	struct toks *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(text);
	assert_non_null(t);
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t ul = strlen(units[u]), n = 0;
		struct timespec t0;
		double ms;

		if (u == 0) {
			memcpy(text, "1.0", 3);
			n = 3;
		}
		while (n + ul <= size) {
			memcpy(text + n, units[u], ul);
			n += ul;
		}
		memset(t, 0, sizeof(*t));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(al_terms_tokens(text, n, collect, t), 0);
		ms = ms_since(&t0);
		print_message("# %zu bytes of '%s': %zu tokens, %.1f ms\n", n,
			      units[u], t->count, ms);
		if (ms > 5000)
			fail_msg("'%s' x %zu took %.0f ms", units[u], n / ul,
				 ms);
		if (u == 0)
			assert_int_equal(t->count, 1);
		else if (u == 3)
			assert_int_equal(t->count, 1);
		else
			assert_int_equal(t->count, AL_TERMS_TOKENS_MAX);
	}
	/* "1.0+1+1..." is one version, cut, without a trailing '+' */
	memcpy(text, "1.0", 3);
	for (size_t i = 3; i < 200; i += 2)
		memcpy(text + i, "+1", 2);
	strcpy(text + 300, "1.0");
	for (size_t i = 303; i < 303 + 60; i += 2)
		strcpy(text + i, "+1");
	strcat(text + 300, "/v");
	assert_string_equal(tokens_n(text, 199), text + 300);
	free(t);
	free(text);
}

static void test_terms__tokenises_a_long_report_quickly(void **state)
{
	static const char *const words[] = {
		"attacker",   "request",
		"parser",     "header",
		"overflow",   "session",
		"token",      "x-forwarded-for",
		"2.33.0",     "https://example.com/api/v1/notes",
		"buffer",     "length",
		"notes_view", "api.post/notes",
		"Cookie",     "**bold**",
	};
	size_t nw = sizeof(words) / sizeof(words[0]);
	char *text = malloc(AL_TERMS_TOKENS_MAX * 48), *p = text;
	struct timespec t0, t1;
	struct al_terms t = {0};
	struct toks *counted = calloc(1, sizeof(*counted));
	double ms, best = 1e9;

	(void)state;
	assert_non_null(text);
	assert_non_null(counted);
	/* about 20000 tokens: some repeated words, many distinct ones */
	for (size_t i = 0; p - text < AL_TERMS_TOKENS_MAX * 40 &&
			   counted->count < AL_TERMS_TOKENS_MAX;
	     i++) {
		char *w = p;

		if (i % 3 == 0)
			p += sprintf(p, "%s ", words[i % nw]);
		else
			p += sprintf(p, "word%zu ", i * 7919 % 3000);
		assert_int_equal(
			al_terms_tokens(w, (size_t)(p - w), collect, counted),
			0);
	}
	for (int round = 0; round < 5; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		add(&t, text, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
		assert_true(t.n > 1000);
		al_terms_free(&t);
	}
	print_message("# %zu tokens (%zu bytes) to terms: %.2f ms (best of "
		      "5)\n",
		      counted->count, (size_t)(p - text), best);
	free(counted);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_terms__lowercases_ascii_and_keeps_utf8_words),
		cmocka_unit_test(test_terms__markdown_marks_separate_words),
		cmocka_unit_test(test_terms__other_markdown_gives_same_terms),
		cmocka_unit_test(test_terms__urls_are_one_token),
		cmocka_unit_test(test_terms__cuts_urls_with_their_prefix),
		cmocka_unit_test(test_terms__versions),
		cmocka_unit_test(test_terms__identifiers_whole_and_in_parts),
		cmocka_unit_test(
			test_terms__drops_stop_words_and_single_letters),
		cmocka_unit_test(
			test_terms__control_and_unicode_punctuation_separate),
		cmocka_unit_test(test_terms__cuts_long_tokens),
		cmocka_unit_test(test_terms__reads_at_most_the_token_cap),
		cmocka_unit_test(test_terms__callback_stops_the_walk),
		cmocka_unit_test(test_terms__empty_text),
		cmocka_unit_test(test_terms__hash_is_keyed_sha256_prefix),
		cmocka_unit_test(
			test_terms__sorted_unique_with_counts_and_flags),
		cmocka_unit_test(test_terms__counts_saturate),
		cmocka_unit_test(test_terms__keeps_the_first_distinct_terms),
		cmocka_unit_test(test_terms__add_version_matches_the_text),
		cmocka_unit_test(test_terms__sketch_round_trip),
		cmocka_unit_test(test_terms__sketch_of_the_most_terms),
		cmocka_unit_test(test_terms__decode_refuses_bad_header),
		cmocka_unit_test(test_terms__decode_refuses_length_mismatch),
		cmocka_unit_test(test_terms__decode_refuses_bad_terms),
		cmocka_unit_test(test_terms__decode_accepts_extremes),
		cmocka_unit_test(test_terms__hostile_input_is_read_once),
		cmocka_unit_test(test_terms__tokenises_a_long_report_quickly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
