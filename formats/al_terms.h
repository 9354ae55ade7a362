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
 * Normalisation (al_terms_tokens):
 * - ASCII letters are lowercased; bytes >= 0x80 (UTF-8) are word bytes,
 *   kept as they are; control characters and ASCII punctuation not named
 *   below separate tokens.  Markdown marks (`*_~#>|` and backticks,
 *   brackets, parentheses) separate tokens, so `code`, **bold** and
 *   [link](url) give the same words as plain text.
 * - A URL (http:// or https://, case aside, up to white space or one of
 *   <>"'`) ) is one token "url:" + host and path, lowercased, without
 *   the scheme, a trailing '/', '.', ',', ';' or ':' (AL_TERM_URL).
 * - A word is a run of letters, digits, '_' and word bytes, with '.', '-',
 *   '/', ':' and '@' kept inside it when a word character follows
 *   (foo.bar/baz, 2.33.0, x-forwarded-for).  A word holding one of those
 *   inner marks is also split at them and each part is a term too
 *   (AL_TERM_CODE on the whole).
 * - A version is a word that is digits '.' digits (and more parts), with
 *   an optional leading 'v' or 'V' and an optional suffix of '-' or '+'
 *   and word characters (1.2, v2.33.0, 0.31.1-0.2020, 3.0.0-rc1): the term
 *   is the version without the leading 'v' (AL_TERM_VERSION); its parts
 *   are not terms.
 * - Stop words (a short English list: the, of, and, to, in, ...) and words
 *   of one character that are not digits are dropped; a token longer than
 *   AL_TERM_LEN_MAX bytes is cut there.
 * - At most AL_TERMS_TOKENS_MAX tokens of a text are read; the rest is
 *   ignored (a report is not made slow to compare by its length).
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
 * word, without CODE).  tok is not NUL-terminated.  A non-zero return from
 * cb stops the walk and is returned.
 */
int al_terms_tokens(const char *text, size_t len,
		    int (*cb)(const char *tok, size_t n, unsigned flags,
			      void *ctx),
		    void *ctx);

/*
 * Add the terms of text[0..len) to t (flags of every term also get
 * extra_flags, e.g. AL_TERM_TITLE).  Terms beyond AL_TERMS_MAX distinct
 * ones are not added (their counts still grow when already present).
 * AL_ENOMEM.
 */
int al_terms_add_text(struct al_terms *t, const uint8_t key[AL_TERMS_KEY_LEN],
		      const char *text, size_t len, unsigned extra_flags,
		      struct al_error *err);

/*
 * Add one version as AL_TERM_VERSION (e.g. a "fixed" or "introduced"
 * version of the report's affected ranges): normalised as in the text (a
 * leading 'v' dropped, letters lowercased), so that "v2.33.0" in the
 * ranges and "2.33.0" in the description are one term.  "0" and an empty
 * string add nothing.  AL_ENOMEM.
 */
int al_terms_add_version(struct al_terms *t,
			 const uint8_t key[AL_TERMS_KEY_LEN], const char *v,
			 struct al_error *err);

/* The term with this hash, or NULL. */
const struct al_term *al_terms_find(const struct al_terms *t, uint32_t hash);

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
 * ("sketch: term 12 is not in hash order").  t is emptied first.
 */
int al_terms_decode(const void *buf, size_t len, struct al_terms *t,
		    struct al_error *err);

#endif
