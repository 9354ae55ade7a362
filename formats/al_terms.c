/* SPDX-License-Identifier: Apache-2.0 */
#include "al_terms.h"

#include <assert.h>
#include <gcrypt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "al_hash.h"
#include "al_text.h"

#define FLAGS_KNOWN \
	(AL_TERM_VERSION | AL_TERM_URL | AL_TERM_CODE | AL_TERM_TITLE)
#define SKETCH_HEAD 8 /* "ALT1" and the count */
#define SKETCH_TERM 7 /* hash, tf, flags */
#define URL_PREFIX  "url:"

/*
 * English function words, sorted (bsearch): too common to tell two reports
 * apart.  Negations and prepositions of time or place that change what a
 * report says ("not", "no", "without", "before", "after") are not here.
 */
static const char *const stop_words[] = {
	"about", "all",   "also", "an",    "and",  "any",   "are",   "as",
	"at",    "be",    "been", "but",   "by",   "can",   "could", "did",
	"do",    "does",  "for",  "from",  "had",  "has",   "have",  "how",
	"if",    "in",    "into", "is",    "it",   "its",   "may",   "more",
	"of",    "on",    "or",   "other", "our",  "so",    "some",  "such",
	"than",  "that",  "the",  "their", "then", "there", "these", "they",
	"this",  "those", "to",   "was",   "we",   "were",  "when",  "where",
	"which", "while", "who",  "will",  "with", "would", "you",   "your",
};

#define STOP_MIN 2
#define STOP_MAX 5

/* ---- characters ------------------------------------------------------ */

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The length of a non-ASCII separator at p (well-formed UTF-8 only), or 0.
 * Writers paste these into reports (typographic quotes, dashes, no-break
 * spaces); as word bytes they would make a quoted word (U+201C parser
 * U+201D) another word than "parser".  C1 controls; Latin-1 punctuation
 * (U+00A0 no-break space, U+00A1 inverted exclamation mark, U+00A6 broken
 * bar, U+00A7 section sign, U+00AB and U+00BB guillemets, U+00AD soft
 * hyphen, U+00B6 pilcrow, U+00B7 middle dot, U+00BF inverted question
 * mark, U+00D7 multiplication sign, U+00F7 division sign); General Punctuation
 * U+2000-U+206F (spaces, dashes, quotes, bullets, ellipsis, invisible and
 * bidi controls); arrows U+2190-U+21FF; U+3000-U+3003 (ideographic space,
 * comma, full stop, ditto); U+FEFF.
 */
static size_t usep_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (p[0] < 0x80 || left < 2)
		return 0;
	if (p[0] == 0xc2) {
		unsigned char b = p[1];

		if ((b >= 0x80 && b <= 0xa1) || b == 0xa6 || b == 0xa7 ||
		    b == 0xab || b == 0xad || b == 0xb6 || b == 0xb7 ||
		    b == 0xbb || b == 0xbf)
			return 2;
		return 0;
	}
	if (p[0] == 0xc3)
		return p[1] == 0x97 || p[1] == 0xb7 ? 2 : 0;
	if (left < 3 || !is_cont(p[2]))
		return 0;
	if (p[0] == 0xe2) {
		if (p[1] == 0x80 || (p[1] == 0x81 && p[2] <= 0xaf))
			return 3;
		if ((p[1] == 0x86 && p[2] >= 0x90) || p[1] == 0x87)
			return 3;
		return 0;
	}
	if (p[0] == 0xe3)
		return p[1] == 0x80 && p[2] <= 0x83 ? 3 : 0;
	if (p[0] == 0xef)
		return p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;
	return 0;
}

/* Can a word start at p: an ASCII letter or digit, or a word byte. */
static bool starts_word(const unsigned char *p, const unsigned char *end)
{
	if (*p < 0x80)
		return is_alnum(*p);
	return usep_len(p, end) == 0;
}

static bool is_inner_mark(unsigned char c)
{
	return c == '.' || c == '-' || c == '/' || c == ':' || c == '@';
}

/* Does the URL that ends the run before p end here? */
static bool ends_url(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = *p;

	if (c <= 0x20 || c == 0x7f)
		return true;
	if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '`' ||
	    c == ')' || c == ']')
		return true;
	return c >= 0x80 && usep_len(p, end) > 0;
}

/* Is the '#' at p a route ("#/", "#!") rather than a fragment? */
static bool is_route(const unsigned char *p, const unsigned char *end)
{
	return p + 1 < end && (p[1] == '/' || p[1] == '!');
}

/* A URL's trailing bytes that belong to the sentence or the Markdown. */
static bool url_trailer(unsigned char c)
{
	return c == '/' || c == '.' || c == ',' || c == ';' || c == ':' ||
	       c == '!' || c == '?' || c == '*' || c == '_' || c == '~';
}

/* ---- token rules ----------------------------------------------------- */

/*
 * Is w[0..n) a version: [vV]? digits ('.' digits)+, then optionally '-' or
 * '+' and letters, digits, '_', '.', '-', '+'.
 */
static bool is_version(const unsigned char *w, size_t n)
{
	size_t i = 0, parts = 0;

	if (n && (w[0] == 'v' || w[0] == 'V'))
		i = 1;
	for (;;) {
		size_t start = i;

		while (i < n && is_digit(w[i]))
			i++;
		if (i == start)
			return false;
		parts++;
		if (i < n && w[i] == '.' && i + 1 < n && is_digit(w[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	if (parts < 2)
		return false;
	if (i == n)
		return true;
	if (w[i] != '-' && w[i] != '+')
		return false;
	if (++i == n)
		return false;
	for (; i < n; i++)
		if (!is_alnum(w[i]) && w[i] != '_' && w[i] != '.' &&
		    w[i] != '-' && w[i] != '+')
			return false;
	return true;
}

/* At most max bytes of t[0..n), not ending inside a UTF-8 sequence. */
static size_t cut_len(const unsigned char *t, size_t n, size_t max)
{
	size_t k = max;

	if (n <= max)
		return n;
	for (int i = 0; i < 3 && k > 0 && is_cont(t[k]); i++)
		k--;
	if (is_cont(t[k]))
		return max; /* not UTF-8 here: cut at the byte */
	return k == 0 ? max : k;
}

static bool is_stop_word(const unsigned char *t, size_t n)
{
	size_t lo = 0, hi = sizeof(stop_words) / sizeof(stop_words[0]);

	if (n < STOP_MIN || n > STOP_MAX)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = stop_words[mid];
		int r = strncmp(s, (const char *)t, n);

		if (r == 0 && s[n] != '\0')
			r = 1;
		if (r == 0)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* One character: one byte, or a lead byte and its continuation bytes. */
static bool is_one_char(const unsigned char *t, size_t n)
{
	if (n == 1)
		return true;
	if (n > 4 || t[0] < 0xc0)
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_cont(t[i]))
			return false;
	return true;
}

/* ---- the walk -------------------------------------------------------- */

struct walk {
	int (*cb)(const char *tok, size_t n, unsigned flags, void *ctx);
	void *ctx;
	size_t count; /* tokens given to cb */
	bool full;    /* AL_TERMS_TOKENS_MAX reached */
	unsigned char buf[AL_TERM_LEN_MAX];
};

/*
 * Lowercase prefix + t[0..n) into the walk's buffer, cut, apply the word
 * rules and give the token to cb.
 */
static int emit(struct walk *w, const char *prefix, const unsigned char *t,
		size_t n, unsigned flags)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t k;
	int rc;

	if (w->full)
		return 0;
	k = cut_len(t, n, AL_TERM_LEN_MAX - plen);
	/* a cut token does not end in a mark */
	while (k < n && k > 1 &&
	       (is_inner_mark(t[k - 1]) || t[k - 1] == '+' || t[k - 1] == '_'))
		k--;
	if (plen)
		memcpy(w->buf, prefix, plen);
	for (size_t i = 0; i < k; i++) {
		unsigned char c = t[i];

		w->buf[plen + i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	k += plen;
	if (k == 0)
		return 0;
	if (is_one_char(w->buf, k) && !is_digit(w->buf[0]))
		return 0;
	if (is_stop_word(w->buf, k))
		return 0;
	rc = w->cb((const char *)w->buf, k, flags, w->ctx);
	if (++w->count >= AL_TERMS_TOKENS_MAX)
		w->full = true;
	return rc;
}

static int emit_version(struct walk *w, const unsigned char *t, size_t n)
{
	if (t[0] == 'v' || t[0] == 'V') {
		t++;
		n--;
	}
	return emit(w, NULL, t, n, AL_TERM_VERSION);
}

/* The parts of one segment of a CODE word: split at '.', '-', '+'. */
static int emit_parts(struct walk *w, const unsigned char *s, size_t n)
{
	size_t i = 0;
	int rc;

	while (n && s[0] == '_') {
		s++;
		n--;
	}
	while (n && s[n - 1] == '_')
		n--;
	if (n == 0)
		return 0;
	if (is_version(s, n))
		return emit_version(w, s, n);
	while (i < n) {
		size_t j = i, a, b;

		while (j < n && s[j] != '.' && s[j] != '-' && s[j] != '+')
			j++;
		for (a = i; a < j && s[a] == '_'; a++)
			;
		for (b = j; b > a && s[b - 1] == '_'; b--)
			;
		if (b > a && (rc = emit(w, NULL, s + a, b - a, 0)) != 0)
			return rc;
		i = j + 1;
	}
	return 0;
}

/* A word as the scanner found it (starts with a letter, digit or word
 * byte; its inner marks are each followed by one). */
static int emit_word(struct walk *w, const unsigned char *t, size_t n)
{
	size_t i = 0;
	bool marks = false;
	int rc;

	while (n > 1 && t[n - 1] == '_')
		n--;
	if (is_version(t, n))
		return emit_version(w, t, n);
	for (size_t k = 0; k < n && !marks; k++)
		marks = is_inner_mark(t[k]) || t[k] == '+';
	if (!marks)
		return emit(w, NULL, t, n, 0);
	if ((rc = emit(w, NULL, t, n, AL_TERM_CODE)) != 0)
		return rc;
	/* segments at '/', ':', '@' first, so that "pkg@v1.2.3" keeps
	 * its version whole */
	while (i < n) {
		size_t j = i;

		while (j < n && t[j] != '/' && t[j] != ':' && t[j] != '@')
			j++;
		if ((rc = emit_parts(w, t + i, j - i)) != 0)
			return rc;
		i = j + 1;
	}
	return 0;
}

static bool ascii_prefix(const unsigned char *p, const unsigned char *end,
			 const char *lower)
{
	size_t n = strlen(lower);

	if ((size_t)(end - p) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (unsigned char)lower[i])
			return false;
	}
	return true;
}

/*
 * Is there a URL at p?  If so its token is given (cb's answer in *rc) and
 * *next set past it.
 */
static bool scan_url(struct walk *w, const unsigned char *p,
		     const unsigned char *end, const unsigned char **next,
		     int *rc)
{
	const unsigned char *r, *u, *stop;

	if (ascii_prefix(p, end, "http://"))
		r = p + 7;
	else if (ascii_prefix(p, end, "https://"))
		r = p + 8;
	else
		return false;
	/* nothing but trailing marks before the end or a fragment: no URL
	 * (decided here, so "http://#http://#..." is not read again and
	 * again to its end) */
	for (u = r;; u++) {
		if (u == end || ends_url(u, end))
			return false;
		if (*u == '#' && !is_route(u, end))
			return false;
		if (!url_trailer(*u))
			break;
	}
	for (; u < end && !ends_url(u, end); u++)
		;
	stop = u;
	/* a fragment names a place in the page, unless it is a route */
	for (const unsigned char *f = r; f < u; f++) {
		if (*f == '#') {
			if (!is_route(f, end))
				u = f;
			break;
		}
	}
	while (u > r && url_trailer(u[-1]))
		u--;
	assert(u > r);
	*next = stop;
	*rc = emit(w, URL_PREFIX, r, (size_t)(u - r), AL_TERM_URL);
	return true;
}

/* The end of the word that starts at p (starts_word). */
static const unsigned char *word_end(const unsigned char *p,
				     const unsigned char *end)
{
	const unsigned char *q, *vok = NULL; /* p..vok is a version */
	bool vdead = false;

	for (q = p + 1; q < end; q++) {
		if (*q == '_' || is_alnum(*q))
			continue;
		if (*q >= 0x80 && usep_len(q, end) == 0)
			continue;
		if (q + 1 == end || !starts_word(q + 1, end))
			break;
		if (is_inner_mark(*q))
			continue;
		if (*q != '+' || vdead)
			break;
		/* '+' joins a version's suffix; the word so far is checked
		 * once, then only what follows, so a long "1.1+1+1+..." is
		 * read once */
		if (!vok) {
			if (is_version(p, (size_t)(q - p)))
				vok = q;
			else
				vdead = true;
		}
		for (; vok && vok < q; vok++) {
			if (!is_alnum(*vok) && *vok != '_' && *vok != '.' &&
			    *vok != '-' && *vok != '+') {
				vdead = true;
				break;
			}
		}
		if (vdead)
			break;
	}
	return q;
}

/* An HTML character reference at p ("&lt;", "&#60;", "&#x3c;"): its
 * length, or 0. */
static size_t entity_len(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p + 1;
	size_t n = 0, max = 10;

	if (q < end && *q == '#') {
		q++;
		max = 7;
		if (q < end && (*q == 'x' || *q == 'X')) {
			q++;
			max = 6;
		}
		while (q < end && n < max && is_alnum(*q)) {
			q++;
			n++;
		}
	} else {
		while (q < end && n < max && is_alnum(*q)) {
			q++;
			n++;
		}
		if (n < 2)
			return 0;
	}
	if (n == 0 || q >= end || *q != ';')
		return 0;
	return (size_t)(q + 1 - p);
}

/*
 * At the start of a line: past blanks and blockquote marks, and past an
 * ordered list's marker ("1." or "1)" and a blank), which numbers the list
 * and is not part of its text.
 */
static const unsigned char *line_start(const unsigned char *p,
				       const unsigned char *end)
{
	const unsigned char *q;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '>'))
		p++;
	for (q = p; q < end && q - p < 9 && is_digit(*q); q++)
		;
	if (q == p || q >= end || (*q != '.' && *q != ')'))
		return p;
	q++;
	if (q == end || *q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
		return q;
	return p;
}

int al_terms_tokens(const char *text, size_t len,
		    int (*cb)(const char *tok, size_t n, unsigned flags,
			      void *ctx),
		    void *ctx)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;
	struct walk w = {.cb = cb, .ctx = ctx};
	bool bol = true;
	int rc = 0;

	if (len == 0)
		return 0;
	while (p < end && !w.full) {
		const unsigned char *q;
		size_t k;

		if (bol) {
			p = line_start(p, end);
			bol = false;
			continue;
		}
		if (*p == '\n') {
			bol = true;
			p++;
			continue;
		}
		if (*p == '&' && (k = entity_len(p, end)) > 0) {
			p += k;
			continue;
		}
		if (*p >= 0x80 && (k = usep_len(p, end)) > 0) {
			p += k;
			continue;
		}
		if (!starts_word(p, end)) {
			p++;
			continue;
		}
		if ((*p == 'h' || *p == 'H') && scan_url(&w, p, end, &q, &rc)) {
			if (rc != 0)
				return rc;
			p = q;
			continue;
		}
		q = word_end(p, end);
		if ((rc = emit_word(&w, p, (size_t)(q - p))) != 0)
			return rc;
		p = q;
	}
	return 0;
}

/* ---- the terms ------------------------------------------------------- */

static uint32_t term_hash(const uint8_t key[AL_TERMS_KEY_LEN], const char *tok,
			  size_t n)
{
	unsigned char in[AL_TERMS_KEY_LEN + AL_TERM_LEN_MAX];
	unsigned char d[AL_SHA256_LEN];

	assert(n <= AL_TERM_LEN_MAX);
	memcpy(in, key, AL_TERMS_KEY_LEN);
	memcpy(in + AL_TERMS_KEY_LEN, tok, n);
	gcry_md_hash_buffer(GCRY_MD_SHA256, d, in, AL_TERMS_KEY_LEN + n);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | (uint32_t)d[3];
}

/* Where hash is, or would go, in t. */
static size_t term_slot(const struct al_terms *t, uint32_t hash)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int term_grow(struct al_terms *t, struct al_error *err)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct al_term *v;

	if (t->n < t->cap)
		return 0;
	if (cap > AL_TERMS_MAX)
		cap = AL_TERMS_MAX;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	t->v = v;
	t->cap = cap;
	return 0;
}

static void term_count(struct al_term *e, unsigned flags)
{
	if (e->tf < UINT16_MAX)
		e->tf++;
	e->flags |= (uint8_t)flags;
}

/* One term into sorted t, in place. */
static int term_add(struct al_terms *t, uint32_t hash, unsigned flags,
		    struct al_error *err)
{
	size_t i = term_slot(t, hash);
	int rc;

	if (i < t->n && t->v[i].hash == hash) {
		term_count(&t->v[i], flags);
		return 0;
	}
	if (t->n >= AL_TERMS_MAX)
		return 0;
	if ((rc = term_grow(t, err)) < 0)
		return rc;
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(t->v[0]));
	t->v[i].hash = hash;
	t->v[i].tf = 1;
	t->v[i].flags = (uint8_t)flags;
	t->n++;
	return 0;
}

/*
 * A text's terms go through an open-addressing table (the hashes are
 * uniform already) and new ones are appended; t is sorted once at the
 * end.  Inserting each new term in order moved half the array each time.
 */
#define SLOTS 4096 /* a power of two, at least twice AL_TERMS_MAX */

struct add_ctx {
	struct al_terms *t;
	const uint8_t *key;
	unsigned extra;
	struct al_error *err;
	bool added;
	uint16_t slot[SLOTS]; /* index in t->v + 1, or 0 */
};

static uint16_t *slot_of(struct add_ctx *a, uint32_t hash)
{
	size_t i = hash & (SLOTS - 1);

	while (a->slot[i] && a->t->v[a->slot[i] - 1].hash != hash)
		i = (i + 1) & (SLOTS - 1);
	return &a->slot[i];
}

static int add_token(const char *tok, size_t n, unsigned flags, void *ctx)
{
	struct add_ctx *a = ctx;
	struct al_terms *t = a->t;
	uint32_t hash = term_hash(a->key, tok, n);
	uint16_t *s = slot_of(a, hash);
	int rc;

	flags |= a->extra;
	if (*s) {
		term_count(&t->v[*s - 1], flags);
		return 0;
	}
	if (t->n >= AL_TERMS_MAX)
		return 0;
	if ((rc = term_grow(t, a->err)) < 0)
		return rc;
	t->v[t->n].hash = hash;
	t->v[t->n].tf = 1;
	t->v[t->n].flags = (uint8_t)flags;
	*s = (uint16_t)++t->n;
	a->added = true;
	return 0;
}

static int cmp_term(const void *x, const void *y)
{
	const struct al_term *a = x, *b = y;

	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

int al_terms_add_text(struct al_terms *t, const uint8_t key[AL_TERMS_KEY_LEN],
		      const char *text, size_t len, unsigned extra_flags,
		      struct al_error *err)
{
	struct add_ctx *a;
	int rc;

	assert((extra_flags & ~(unsigned)FLAGS_KNOWN) == 0);
	assert(t->n <= AL_TERMS_MAX);
	if (len == 0)
		return 0;
	a = malloc(sizeof(*a));
	if (!a)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	a->t = t;
	a->key = key;
	a->extra = extra_flags;
	a->err = err;
	a->added = false;
	memset(a->slot, 0, sizeof(a->slot));
	for (size_t i = 0; i < t->n; i++)
		*slot_of(a, t->v[i].hash) = (uint16_t)(i + 1);
	al_hash_init();
	rc = al_terms_tokens(text, len, add_token, a);
	if (a->added)
		qsort(t->v, t->n, sizeof(t->v[0]), cmp_term);
	free(a);
	return rc;
}

int al_terms_add_version(struct al_terms *t,
			 const uint8_t key[AL_TERMS_KEY_LEN], const char *v,
			 struct al_error *err)
{
	unsigned char buf[AL_TERM_LEN_MAX];
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), k;

	if ((s[0] == 'v' || s[0] == 'V') && is_digit(s[1])) {
		s++;
		n--;
	}
	k = cut_len(s, n, AL_TERM_LEN_MAX);
	if (k == 0 || (k == 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < k; i++)
		buf[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i];
	al_hash_init();
	return term_add(t, term_hash(key, (const char *)buf, k),
			AL_TERM_VERSION, err);
}

const struct al_term *al_terms_find(const struct al_terms *t, uint32_t hash)
{
	size_t i = term_slot(t, hash);

	return i < t->n && t->v[i].hash == hash ? &t->v[i] : NULL;
}

void al_terms_free(struct al_terms *t)
{
	if (!t)
		return;
	free(t->v);
	t->v = NULL;
	t->n = 0;
	t->cap = 0;
}

/* ---- the sketch ------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int al_terms_encode(const struct al_terms *t, uint8_t **out, size_t *len,
		    struct al_error *err)
{
	uint8_t *b, *p;
	size_t n = SKETCH_HEAD + t->n * SKETCH_TERM;

	*out = NULL;
	*len = 0;
	assert(t->n <= AL_TERMS_MAX);
	b = malloc(n);
	if (!b)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	memcpy(b, "ALT1", 4);
	put_be32(b + 4, (uint32_t)t->n);
	p = b + SKETCH_HEAD;
	for (size_t i = 0; i < t->n; i++) {
		assert(i == 0 || t->v[i - 1].hash < t->v[i].hash);
		put_be32(p, t->v[i].hash);
		p[4] = (uint8_t)(t->v[i].tf >> 8);
		p[5] = (uint8_t)t->v[i].tf;
		p[6] = t->v[i].flags;
		p += SKETCH_TERM;
	}
	*out = b;
	*len = n;
	return 0;
}

/* The terms of a sketch whose header has been checked. */
static int decode_terms(const uint8_t *p, uint32_t count, struct al_terms *t,
			struct al_error *err)
{
	for (uint32_t i = 0; i < count; i++, p += SKETCH_TERM) {
		struct al_term *e = &t->v[i];

		e->hash = get_be32(p);
		e->tf = (uint16_t)(p[4] << 8 | p[5]);
		e->flags = p[6];
		if (i > 0 && e->hash == t->v[i - 1].hash)
			return al_error_set(err, AL_EINVAL,
					    "sketch: term %u repeats the hash "
					    "of term %u",
					    i + 1, i);
		if (i > 0 && e->hash < t->v[i - 1].hash)
			return al_error_set(err, AL_EINVAL,
					    "sketch: term %u is not in hash "
					    "order",
					    i + 1);
		if (e->tf == 0)
			return al_error_set(err, AL_EINVAL,
					    "sketch: term %u has a count of 0",
					    i + 1);
		if (e->flags & ~FLAGS_KNOWN)
			return al_error_set(err, AL_EINVAL,
					    "sketch: term %u has an unknown "
					    "flag (0x%02x)",
					    i + 1, e->flags);
	}
	return 0;
}

int al_terms_decode(const void *buf, size_t len, struct al_terms *t,
		    struct al_error *err)
{
	const uint8_t *b = buf;
	uint32_t count;
	size_t want;
	char show[32];
	int rc;

	t->n = 0;
	if (len < SKETCH_HEAD)
		return al_error_set(err, AL_EINVAL,
				    "sketch: truncated header (%zu of %d "
				    "bytes)",
				    len, SKETCH_HEAD);
	if (memcmp(b, "ALT1", 4) != 0) {
		al_text_visible((const char *)b, 4, show, sizeof(show));
		return al_error_set(err, AL_EINVAL,
				    "sketch: bad magic '%s' (not 'ALT1')",
				    show);
	}
	count = get_be32(b + 4);
	if (count > AL_TERMS_MAX)
		return al_error_set(err, AL_EINVAL,
				    "sketch: count %u is over the limit of %d "
				    "terms",
				    count, AL_TERMS_MAX);
	want = SKETCH_HEAD + (size_t)count * SKETCH_TERM;
	if (len < want)
		return al_error_set(err, AL_EINVAL,
				    "sketch: truncated (%zu bytes, %u terms "
				    "need %zu)",
				    len, count, want);
	if (len > want)
		return al_error_set(err, AL_EINVAL,
				    "sketch: length %zu does not match the "
				    "count %u (%zu bytes expected)",
				    len, count, want);
	if (count > t->cap) {
		struct al_term *v = realloc(t->v, count * sizeof(*v));

		if (!v)
			return al_error_set(err, AL_ENOMEM, "out of memory");
		t->v = v;
		t->cap = count;
	}
	rc = decode_terms(b + SKETCH_HEAD, count, t, err);
	if (rc == 0)
		t->n = count;
	return rc;
}
