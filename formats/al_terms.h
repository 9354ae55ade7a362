/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_TERMS_H
#define AL_TERMS_H

/*
 * The terms of a report's text, for duplicate detection (docs/dedup.md).
 *
 * A report's title, description and steps are Markdown written by anyone;
 * the vault keeps no plain text, so what it keeps to compare reports is a
 * bag of terms: each normalised token as a keyed 32-bit hash with its count.
 *
 * Normalisation (al_terms_tokens; docs/dedup.md "How text becomes terms"):
 * - ASCII letters are lowercased; bytes >= 0x80 (UTF-8) are word bytes,
 *   kept as they are, except the Unicode punctuation writers paste in
 *   (C1 controls, no-break space, Latin-1 punctuation such as << >> and
 *   the soft hyphen, U+2000-U+206F: typographic quotes, dashes, invisible
 *   and bidi characters; arrows U+2190-U+21FF; U+3000-U+3003; U+FEFF),
 *   which separate tokens like control characters and ASCII punctuation
 *   not named below.  Markdown marks (`*_~#>|` and backticks, brackets,
 *   parentheses) separate tokens, so `code`, **bold** and [link](url)
 *   give the same words as plain text; an ordered list's marker ("1." or
 *   "2)" and a blank, at the start of a line) and HTML character
 *   references (&lt; &#60; &#x3c;) are skipped.
 * - A URL (http:// or https://, case aside, where a word would start, up
 *   to a control character, white space, one of <>"'`)] or Unicode
 *   punctuation as above) is one token "url:" + host, path and query,
 *   lowercased, without the scheme, without a fragment ("#L10"; a route,
 *   "#/" or "#!", is kept), without trailing '/', '.', ',', ';', ':',
 *   '!', '?', '*', '_' or '~' (AL_TERM_URL).  With nothing left it is no
 *   URL: "https" is a word.
 * - A word starts with a letter, digit or word byte and is a run of
 *   letters, digits, '_' and word bytes, with '.', '-', '/', ':' and '@'
 *   kept inside it when a letter, digit or word byte follows
 *   (foo.bar/baz, 2.33.0, x-forwarded-for); '_' at its ends is dropped
 *   (_emphasis_, __init__).  A word holding one of those inner marks is
 *   AL_TERM_CODE and is also split: first at '/', ':' and '@' (a piece
 *   that is a version is one AL_TERM_VERSION term: lodash@4.17.20 gives
 *   "4.17.20"), then at '.', '-' and '+'; each part is a term too.
 * - A version is a word that is digits '.' digits (and more parts), with
 *   an optional leading 'v' or 'V' and an optional suffix of '-' or '+'
 *   and letters, digits, '_', '.', '-', '+' (1.2, v2.33.0,
 *   0.31.1-0.2020, 3.0.0-rc1, 1.2.3+build.5: '+' joins a word only
 *   after a version): the term is the version without the leading 'v'
 *   (AL_TERM_VERSION); its parts are not terms.  "1." is the number 1.
 * - Stop words (a short English list: the, of, and, to, in, ...) and words
 *   of one character (one byte, or one UTF-8 sequence) that are not
 *   digits are dropped, parts included; a token longer than
 *   AL_TERM_LEN_MAX bytes ("url:" included) is cut there, or a little
 *   before so as not to end inside a UTF-8 sequence or on a mark
 *   ('.', '-', '/', ':', '@', '+', '_').
 * - At most AL_TERMS_TOKENS_MAX tokens of a text are read (given to the
 *   callback, parts included); the rest is ignored (a report is not made
 *   slow to compare by its length).
 *
 * A term's hash is the first 4 bytes (big-endian) of SHA-256(key || token):
 * the key (AL_TERMS_KEY_LEN random bytes, one per vault) keeps the hashes
 * from being compared across vaults or against a precomputed dictionary.
 */

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

#define AL_TERMS_KEY_LEN 16
#define AL_TERM_LEN_MAX 64
#define AL_TERMS_TOKENS_MAX 20000
#define AL_TERMS_MAX 2048 /* distinct terms kept: the first ones met */

enum al_term_flag {
	AL_TERM_VERSION = 1, /* a version (from the text or "affected") */
	AL_TERM_URL = 2,
	AL_TERM_CODE = 4,  /* a word with inner marks: an identifier, path */
	AL_TERM_TITLE = 8, /* met in the title */
};

struct al_term {
	uint32_t hash;
	uint16_t tf;   /* occurrences, saturating at 65535 */
	uint8_t flags; /* al_term_flag bits, or-ed over the occurrences */
};

/* Sorted by hash, no hash twice. */
struct al_terms {
	struct al_term *v;
	size_t n;
	size_t cap;
};

/*
 * Call cb for each normalised token of text[0..len) in order, with its
 * AL_TERM_* flags (VERSION, URL, CODE; parts of a CODE word come after the
 * word, without CODE, VERSION for a version among them).  tok is not
 * NUL-terminated, 1 to AL_TERM_LEN_MAX bytes, valid during the call only.
 * A non-zero return from cb stops the walk and is returned; else 0.
 */
int al_terms_tokens(const char *text, size_t len,
		    int (*cb)(const char *tok, size_t n, unsigned flags,
			      void *ctx),
		    void *ctx);

/*
 * Add the terms of text[0..len) to t (flags of every term also get
 * extra_flags, e.g. AL_TERM_TITLE).  Terms beyond AL_TERMS_MAX distinct
 * ones are not added (their counts still grow when already present).
 * t starts as {0} and stays sorted.  About 0.1 us a token, SHA-256
 * included (a 20000-token text: 2 ms; tests/unit/test_terms.c prints it).
 * AL_ENOMEM.
 */
int al_terms_add_text(struct al_terms *t, const uint8_t key[AL_TERMS_KEY_LEN],
		      const char *text, size_t len, unsigned extra_flags,
		      struct al_error *err);

/*
 * Add one version as AL_TERM_VERSION (e.g. a "fixed" or "introduced"
 * version of the report's affected ranges): normalised as in the text (a
 * leading 'v' dropped when a digit follows, ASCII letters lowercased, cut
 * at AL_TERM_LEN_MAX), so that "v2.33.0" in the ranges and "2.33.0" in the
 * description are one term; v is not checked to be a version.  "0" (or
 * "v0") and an empty string add nothing.  AL_ENOMEM.
 */
int al_terms_add_version(struct al_terms *t,
			 const uint8_t key[AL_TERMS_KEY_LEN], const char *v,
			 struct al_error *err);

/* The term with this hash, or NULL (binary search). */
const struct al_term *al_terms_find(const struct al_terms *t, uint32_t hash);

/* Free t's array and leave it empty ({0}); NULL-safe. */
void al_terms_free(struct al_terms *t);

/*
 * The sketch: t as bytes, kept in the ledger (table sketches, by SHA-256).
 * Layout: the 4 bytes "ALT1", a 4-byte big-endian count, then per term
 * 4 bytes hash, 2 bytes tf, 1 byte flags (big-endian), in hash order.
 * *out is malloc'ed.  AL_ENOMEM.
 */
int al_terms_encode(const struct al_terms *t, uint8_t **out, size_t *len,
		    struct al_error *err);

/*
 * Parse a sketch back, strictly: the magic, a count of at most
 * AL_TERMS_MAX that matches the length exactly, hashes strictly
 * increasing, tf >= 1, no unknown flag bit.  AL_EINVAL naming the rule
 * ("sketch: term 12 is not in hash order"; terms are counted from 1).
 * t is emptied first (its array reused) and stays empty on failure.
 * AL_ENOMEM.
 */
int al_terms_decode(const void *buf, size_t len, struct al_terms *t,
		    struct al_error *err);

#endif
