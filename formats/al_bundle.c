/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reader of a bundle's inner archive (spec bundle-v1, docs/
 * inner-archive.md): attacker-controlled bytes, read once, nothing
 * extracted.
 *
 * Two readers look at the same bytes.  Every byte comes in through pull(),
 * which hashes it, counts it and gives it to a walk of the raw 512-byte tar
 * records (struct walk) before libarchive may see it.  libarchive (tar
 * format only, no filter) supplies names, sizes and data; the walk is the
 * authority on structure, because libarchive reads leniently: an unknown
 * type flag becomes a regular file, a NUL in a pax header silently ends its
 * records, one zero record ends the archive and hides what follows, a GNU
 * header's sparse fields apply to a type '0' entry.  Bytes the walk refuses
 * never reach libarchive: pull() hands over only what comes before the
 * refused record and fails the read after it, so problems are reported in
 * stream order, whatever the size of the reads.
 *
 * libarchive runs under a thread-local UTF-8 LC_CTYPE, as in al_archive.c:
 * it converts names by way of the current locale, and under "C" a
 * non-ASCII name would not convert.  The source and the entry callbacks are
 * called under the caller's own locale.
 */
#include "al_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_text.h"

#define TAR_BLOCK    512
#define IN_CHUNK     (64 * 1024)   /* bytes asked of the source at a time */
#define DATA_CHUNK   (64 * 1024)   /* entry data read at a time */
#define PAX_MAX      (64 * 1024)   /* a local pax header's records */
#define TRAILER_MAX  (1024 * 1024) /* zero bytes after the end marker */
#define NAME_MAX_RAW 256           /* ustar prefix '/' name */
#define SHOW_LEN     96            /* an untrusted name in a message */

#define MANIFEST_NAME "manifest.json"
#define REPLY_KEY     "keys/reply.asc"

/* ---- the raw walk ---- */

enum walk_state {
	W_HEADER, /* gathering a header record */
	W_PAX,    /* gathering a local pax header's records */
	W_DATA,   /* skipping an entry's data and padding */
	W_END,    /* in the end-of-archive marker or the zeros after it */
};

enum tar_kind { TAR_NONE, TAR_USTAR, TAR_GNU };

/* A regular entry as the raw headers describe it. */
struct raw_entry {
	char *name; /* NUL-terminated, no NUL inside */
	size_t name_len;
	uint64_t size;
};

struct walk {
	enum walk_state state;
	const struct al_limits *lim;
	uint64_t off; /* bytes walked */

	unsigned char rec[TAR_BLOCK]; /* the header being gathered */
	size_t rec_len;
	uint64_t rec_off; /* where it starts */

	/* a local pax header, waiting for the entry it describes */
	bool pax;
	uint64_t pax_off;
	char *pax_buf;
	size_t pax_size, pax_have;
	uint64_t pax_pad;
	char *path;
	size_t path_len;
	bool has_size;
	uint64_t size;
	char sparse_key[48]; /* a pax key that makes the entry sparse */
	bool linkpath;

	/* the entry being skipped */
	uint64_t skip;      /* data and padding left */
	uint64_t data_left; /* data left */
	uint64_t data_total;

	uint64_t zeros; /* zero bytes from the end-of-archive marker on */

	struct raw_entry *v;
	size_t n, cap;

	int rc; /* the first refusal; nothing more is walked */
	uint64_t err_off;
	struct al_error err;
};

static int walk_fail(struct walk *w, uint64_t off, int code, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

/* Record the walk's first refusal; returns its code. */
static int walk_fail(struct walk *w, uint64_t off, int code, const char *fmt,
		     ...)
{
	char msg[sizeof(w->err.msg)];
	va_list ap;

	if (w->rc)
		return w->rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->rc = code;
	w->err_off = off;
	return al_error_set(&w->err, code, "%s", msg);
}

static void walk_init(struct walk *w, const struct al_limits *lim)
{
	memset(w, 0, sizeof(*w));
	w->lim = lim;
}

static void pax_reset(struct walk *w)
{
	free(w->pax_buf);
	free(w->path);
	w->pax = false;
	w->pax_buf = NULL;
	w->pax_size = w->pax_have = 0;
	w->pax_pad = 0;
	w->path = NULL;
	w->path_len = 0;
	w->has_size = false;
	w->size = 0;
	w->sparse_key[0] = '\0';
	w->linkpath = false;
}

static void walk_release(struct walk *w)
{
	pax_reset(w);
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].name);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint64_t round_block(uint64_t n)
{
	return (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

/* What compressor wrote these first bytes, if any. */
static const char *compressor(const unsigned char *h)
{
	if (h[0] == 0x1f && h[1] == 0x8b)
		return "gzip";
	if (h[0] == 0x1f && h[1] == 0x9d)
		return "compress";
	if (memcmp(h, "BZh", 3) == 0)
		return "bzip2";
	if (memcmp(h,
		   "\xfd"
		   "7zXZ\0",
		   6) == 0)
		return "xz";
	if (memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
		return "lz4";
	if (memcmp(h, "LZIP", 4) == 0)
		return "lzip";
	return NULL;
}

/*
 * An octal field: optional leading spaces, at least one digit, then only
 * spaces and NULs.  Or, for the size, GNU's base-256 form (first byte
 * 0x80, positive only).  The value must fit an int64_t.
 */
static bool parse_number(const unsigned char *f, size_t n, bool base256,
			 uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	if (base256 && f[0] == 0x80) {
		for (i = 1; i < n; i++) {
			if (v > (uint64_t)INT64_MAX >> 8)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v > (uint64_t)INT64_MAX >> 3)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	if (!digits)
		return false;
	*out = v;
	return true;
}

/* The header checksum: unsigned bytes, the field itself as spaces. */
static bool checksum_ok(const unsigned char *h)
{
	uint64_t want, sum = 0;

	if (!parse_number(h + 148, 8, false, &want))
		return false;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static enum tar_kind tar_kind(const unsigned char *h)
{
	if (memcmp(h + 257,
		   "ustar\0"
		   "00",
		   8) == 0)
		return TAR_USTAR;
	if (memcmp(h + 257, "ustar  \0", 8) == 0)
		return TAR_GNU;
	return TAR_NONE;
}

/* The name a header gives: ustar "prefix/name", GNU the name alone. */
static size_t header_name(const unsigned char *h, enum tar_kind kind,
			  char out[NAME_MAX_RAW + 1])
{
	size_t nlen = strnlen((const char *)h, 100), plen = 0, o = 0;

	if (kind == TAR_USTAR)
		plen = strnlen((const char *)h + 345, 155);
	if (plen) {
		memcpy(out, h + 345, plen);
		out[plen] = '/';
		o = plen + 1;
	}
	memcpy(out + o, h, nlen);
	o += nlen;
	out[o] = '\0';
	return o;
}

static const char *type_name(unsigned char t)
{
	switch (t) {
	case '1':
		return "hard link";
	case '2':
		return "symbolic link";
	case '3':
		return "character device";
	case '4':
		return "block device";
	case '5':
		return "directory";
	case '6':
		return "FIFO";
	case '7':
		return "contiguous file";
	case 'g':
		return "global pax header";
	case 'A':
		return "Solaris ACL header";
	case 'D':
		return "GNU directory dump";
	case 'K':
		return "GNU long link name";
	case 'L':
		return "GNU long name";
	case 'M':
		return "GNU multi-volume continuation";
	case 'N':
		return "GNU old long name";
	case 'S':
		return "GNU sparse file";
	case 'V':
		return "GNU volume header";
	case 'X':
		return "Solaris extended header";
	default:
		return "unknown type";
	}
}

static bool is_sparse_key(const char *key, size_t len)
{
	return (len > 11 && memcmp(key, "GNU.sparse.", 11) == 0) ||
	       (len == 15 && memcmp(key, "SCHILY.realsize", 15) == 0) ||
	       (len == 13 && memcmp(key, "SUN.holesdata", 13) == 0);
}

static bool key_is(const char *key, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(key, want, len) == 0;
}

/* A pax 'size': decimal digits only, fitting an int64_t. */
static bool parse_decimal(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* One record, key=value; the key is known not to hold a NUL. */
static int pax_record(struct walk *w, const char *key, size_t klen,
		      const char *val, size_t vlen)
{
	char show[SHOW_LEN];

	if (key_is(key, klen, "path")) {
		al_text_visible(val, vlen, show, sizeof(show));
		if (memchr(val, '\0', vlen))
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "entry '%s': NUL byte inside the pax "
					 "path",
					 show);
		if (w->path)
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu: "
					 "'path' given twice",
					 (unsigned long long)w->pax_off);
		if (vlen == 0)
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu: "
					 "empty 'path'",
					 (unsigned long long)w->pax_off);
		/* the value is not NUL-terminated: copy exactly vlen bytes */
		w->path = malloc(vlen + 1);
		if (w->path) {
			memcpy(w->path, val, vlen);
			w->path[vlen] = '\0';
		}
		if (!w->path)
			return walk_fail(w, w->pax_off, AL_ENOMEM,
					 "archive: out of memory");
		w->path_len = vlen;
		return 0;
	}
	al_text_visible(key, klen, show, sizeof(show));
	if (memchr(val, '\0', vlen))
		return walk_fail(w, w->pax_off, AL_EINVAL,
				 "archive: pax header at offset %llu: NUL "
				 "byte in record '%s'",
				 (unsigned long long)w->pax_off, show);
	if (key_is(key, klen, "size")) {
		if (w->has_size)
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu: "
					 "'size' given twice",
					 (unsigned long long)w->pax_off);
		if (!parse_decimal(val, vlen, &w->size))
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu: "
					 "'size' is not a decimal number",
					 (unsigned long long)w->pax_off);
		w->has_size = true;
	} else if (key_is(key, klen, "linkpath")) {
		w->linkpath = true;
	} else if (is_sparse_key(key, klen) && !w->sparse_key[0]) {
		al_text_visible(key, klen, w->sparse_key,
				sizeof(w->sparse_key));
	}
	return 0;
}

/*
 * Parse the records "LEN KEY=VALUE\n" that must fill the pax header
 * exactly.  libarchive reads them as a C string, so a NUL anywhere would
 * silently end the list there: refused.
 */
static int pax_parse(struct walk *w)
{
	const char *p = w->pax_buf, *end = w->pax_buf + w->pax_size;

	while (p < end && !w->rc) {
		const char *sp = p, *key, *eq, *rend;
		uint64_t rlen = 0;

		for (; sp < end && *sp >= '0' && *sp <= '9'; sp++) {
			rlen = rlen * 10 + (uint64_t)(*sp - '0');
			if (rlen > PAX_MAX)
				break;
		}
		if (sp == p || sp >= end || *sp != ' ' ||
		    rlen > (uint64_t)(end - p) ||
		    rlen < (uint64_t)(sp - p) + 2 || p[rlen - 1] != '\n')
			goto malformed;
		rend = p + rlen - 1; /* the newline */
		key = sp + 1;
		eq = memchr(key, '=', (size_t)(rend - key));
		if (!eq || eq == key)
			goto malformed;
		if (memchr(key, '\0', (size_t)(eq - key)))
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu: "
					 "NUL byte in a record's key",
					 (unsigned long long)w->pax_off);
		if (pax_record(w, key, (size_t)(eq - key), eq + 1,
			       (size_t)(rend - eq - 1)))
			return w->rc;
		p += rlen;
	}
	return 0;
malformed:
	return walk_fail(
		w, w->pax_off, AL_EINVAL,
		"archive: pax header at offset %llu: malformed record at "
		"byte %zu",
		(unsigned long long)w->pax_off, (size_t)(p - w->pax_buf));
}

static int on_pax_header(struct walk *w, const unsigned char *h)
{
	uint64_t size;

	if (w->pax)
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "archive: pax header at offset %llu follows "
				 "another pax header",
				 (unsigned long long)w->rec_off);
	if (!parse_number(h + 124, 12, true, &size))
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "archive: pax header at offset %llu: size "
				 "field is not a number",
				 (unsigned long long)w->rec_off);
	if (size > PAX_MAX)
		return walk_fail(w, w->rec_off, AL_ELIMIT,
				 "archive: pax header at offset %llu: %llu "
				 "bytes, more than the limit of %d",
				 (unsigned long long)w->rec_off,
				 (unsigned long long)size, PAX_MAX);
	w->pax = true;
	w->pax_off = w->rec_off;
	w->pax_size = (size_t)size;
	w->pax_have = 0;
	w->pax_pad = round_block(size) - size;
	w->pax_buf = malloc(w->pax_size ? w->pax_size : 1);
	if (!w->pax_buf)
		return walk_fail(w, w->rec_off, AL_ENOMEM,
				 "archive: out of memory");
	w->state = W_PAX;
	return 0;
}

/* Refuse anything about a header that is not a plain regular file. */
static int check_regular(struct walk *w, const unsigned char *h,
			 enum tar_kind kind, const char *show)
{
	unsigned char t = h[156];
	char tshow[8];

	if (t != '0' && t != '\0') {
		al_text_visible((const char *)&t, 1, tshow, sizeof(tshow));
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "entry '%s': %s (type '%s'); only regular "
				 "files are allowed",
				 show, type_name(t), tshow);
	}
	if (w->sparse_key[0])
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "entry '%s': sparse file (pax '%s'); only "
				 "regular files are allowed",
				 show, w->sparse_key);
	if (w->linkpath || h[157] != '\0')
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "entry '%s': regular file with a link name",
				 show);
	/* GNU keeps sparse maps, a real size and multi-volume offsets in
	 * what ustar calls the prefix; libarchive honours them even for
	 * type '0'. */
	if (kind == TAR_GNU && !all_zero(h + 369, TAR_BLOCK - 369))
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "entry '%s': GNU header with sparse or "
				 "multi-volume fields; only regular files are "
				 "allowed",
				 show);
	return 0;
}

static int add_entry(struct walk *w, const char *name, size_t len,
		     uint64_t size)
{
	struct raw_entry *e;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct raw_entry *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return walk_fail(w, w->rec_off, AL_ENOMEM,
					 "archive: out of memory");
		w->v = v;
		w->cap = cap;
	}
	e = &w->v[w->n];
	e->name = malloc(len + 1);
	if (!e->name)
		return walk_fail(w, w->rec_off, AL_ENOMEM,
				 "archive: out of memory");
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->name_len = len;
	e->size = size;
	w->n++;
	return 0;
}

static int on_entry_header(struct walk *w, const unsigned char *h,
			   enum tar_kind kind, const char *name, size_t len)
{
	char show[SHOW_LEN];
	uint64_t size;

	al_text_visible(name, len, show, sizeof(show));
	if (check_regular(w, h, kind, show))
		return w->rc;
	if (!parse_number(h + 124, 12, true, &size))
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "entry '%s': size field is not a number",
				 show);
	if (w->has_size)
		size = w->size;
	if (w->n >= w->lim->entries)
		return walk_fail(w, w->rec_off, AL_ELIMIT,
				 "archive: more than %llu entries",
				 (unsigned long long)w->lim->entries);
	if (size > w->lim->bundle_bytes - w->data_total)
		return walk_fail(w, w->rec_off, AL_ELIMIT,
				 "entry '%s': %llu bytes bring the archive "
				 "over the limit of %llu bytes",
				 show, (unsigned long long)size,
				 (unsigned long long)w->lim->bundle_bytes);
	if (add_entry(w, name, len, size))
		return w->rc;
	w->data_total += size;
	pax_reset(w);
	w->data_left = size;
	w->skip = round_block(size);
	w->state = w->skip ? W_DATA : W_HEADER;
	return 0;
}

/* A whole header record has been gathered. */
static int on_header(struct walk *w)
{
	const unsigned char *h = w->rec;
	char name[NAME_MAX_RAW + 1];
	const char *what;
	enum tar_kind kind;
	size_t len;

	if (all_zero(h, TAR_BLOCK)) {
		if (w->pax)
			return walk_fail(w, w->pax_off, AL_EINVAL,
					 "archive: pax header at offset %llu "
					 "is not followed by an entry",
					 (unsigned long long)w->pax_off);
		w->zeros = TAR_BLOCK;
		w->state = W_END;
		return 0;
	}
	if (!checksum_ok(h)) {
		if (w->rec_off == 0 && (what = compressor(h)))
			return walk_fail(w, 0, AL_EINVAL,
					 "archive: compressed (%s); the inner "
					 "archive must be an uncompressed tar",
					 what);
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "archive: header at offset %llu: bad "
				 "checksum (damaged, or not a tar archive)",
				 (unsigned long long)w->rec_off);
	}
	kind = tar_kind(h);
	if (kind == TAR_NONE)
		return walk_fail(w, w->rec_off, AL_EINVAL,
				 "archive: header at offset %llu: not a "
				 "ustar, pax or GNU tar header",
				 (unsigned long long)w->rec_off);
	if (h[156] == 'x')
		return on_pax_header(w, h);
	if (w->path)
		return on_entry_header(w, h, kind, w->path, w->path_len);
	len = header_name(h, kind, name);
	return on_entry_header(w, h, kind, name, len);
}

/* Gather header bytes; returns how many were taken. */
static size_t fill_record(struct walk *w, const unsigned char *p, size_t len)
{
	size_t n = TAR_BLOCK - w->rec_len;

	if (n > len)
		n = len;
	if (w->rec_len == 0)
		w->rec_off = w->off;
	memcpy(w->rec + w->rec_len, p, n);
	w->rec_len += n;
	if (w->rec_len == TAR_BLOCK) {
		w->rec_len = 0;
		on_header(w);
	}
	return n;
}

static size_t pax_feed(struct walk *w, const unsigned char *p, size_t len)
{
	size_t n = 0;

	if (w->pax_have < w->pax_size) {
		n = w->pax_size - w->pax_have;
		if (n > len)
			n = len;
		memcpy(w->pax_buf + w->pax_have, p, n);
		w->pax_have += n;
		len -= n;
	}
	if (w->pax_have == w->pax_size && w->pax_pad > 0 && len > 0) {
		size_t m = w->pax_pad < len ? (size_t)w->pax_pad : len;

		w->pax_pad -= m;
		n += m;
	}
	if (w->pax_have == w->pax_size && w->pax_pad == 0) {
		pax_parse(w);
		free(w->pax_buf);
		w->pax_buf = NULL;
		w->state = W_HEADER;
	}
	return n;
}

static size_t data_feed(struct walk *w, size_t len)
{
	size_t n = w->skip < len ? (size_t)w->skip : len;

	w->skip -= n;
	w->data_left -= n < w->data_left ? n : w->data_left;
	if (w->skip == 0)
		w->state = W_HEADER;
	return n;
}

/* The marker and what follows it: zeros only, and not too many. */
static size_t end_feed(struct walk *w, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i]) {
			walk_fail(w, w->off + i, AL_EINVAL,
				  "archive: non-zero byte at offset %llu "
				  "after the end-of-archive marker (another "
				  "archive or other data appended)",
				  (unsigned long long)(w->off + i));
			return i;
		}
	w->zeros += len;
	if (w->zeros > 2 * TAR_BLOCK + TRAILER_MAX)
		walk_fail(w, w->off + len, AL_ELIMIT,
			  "archive: more than %d zero bytes after the "
			  "end-of-archive marker",
			  TRAILER_MAX);
	return len;
}

/* Walk len more bytes.  Returns 0 or the refusal's code (w->err). */
static int walk_feed(struct walk *w, const unsigned char *p, size_t len)
{
	while (len > 0 && !w->rc) {
		size_t n = 0;

		switch (w->state) {
		case W_HEADER:
			n = fill_record(w, p, len);
			break;
		case W_PAX:
			n = pax_feed(w, p, len);
			break;
		case W_DATA:
			n = data_feed(w, len);
			break;
		case W_END:
			n = end_feed(w, p, len);
			break;
		}
		w->off += n;
		p += n;
		len -= n;
	}
	return w->rc;
}

/* The input has ended: is the walk at a proper end? */
static int walk_end(struct walk *w)
{
	const struct raw_entry *e = w->n ? &w->v[w->n - 1] : NULL;
	unsigned long long off = (unsigned long long)w->off;
	char show[SHOW_LEN];

	if (w->rc)
		return w->rc;
	switch (w->state) {
	case W_HEADER:
		if (w->off == 0)
			walk_fail(w, 0, AL_EINVAL, "archive: empty input");
		else if (w->rec_len)
			walk_fail(w, w->off, AL_EINVAL,
				  "archive: truncated at offset %llu, inside "
				  "the header at offset %llu",
				  off, (unsigned long long)w->rec_off);
		else
			walk_fail(w, w->off, AL_EINVAL,
				  "archive: truncated at offset %llu: no "
				  "end-of-archive marker",
				  off);
		break;
	case W_PAX:
		walk_fail(w, w->off, AL_EINVAL,
			  "archive: truncated at offset %llu, inside the pax "
			  "header at offset %llu",
			  off, (unsigned long long)w->pax_off);
		break;
	case W_DATA:
		al_text_visible(e->name, e->name_len, show, sizeof(show));
		if (w->data_left)
			walk_fail(w, w->off, AL_EINVAL,
				  "entry '%s': truncated after %llu of %llu "
				  "bytes",
				  show,
				  (unsigned long long)(e->size - w->data_left),
				  (unsigned long long)e->size);
		else
			walk_fail(w, w->off, AL_EINVAL,
				  "entry '%s': truncated in the padding after "
				  "its data",
				  show);
		break;
	case W_END:
		if (w->zeros < 2 * TAR_BLOCK)
			walk_fail(w, w->off, AL_EINVAL,
				  "archive: truncated at offset %llu: the "
				  "end-of-archive marker is two zero records",
				  off);
		break;
	}
	return w->rc;
}

/* ---- the reader ---- */

struct reader {
	al_read_fn read;
	void *read_ctx;
	const struct al_limits *lim;
	const struct al_bundle_entry_cb *cb;
	struct archive *a;
	locale_t loc;    /* LC_CTYPE that libarchive runs under */
	bool loc_utf8;   /* loc can convert non-ASCII names */
	locale_t caller; /* the caller's, while inside libarchive */

	unsigned char *in;   /* IN_CHUNK bytes from the source */
	unsigned char *data; /* DATA_CHUNK bytes of entry data */
	struct al_sha256 *content;
	uint64_t bytes;
	bool eof;
	struct walk w;

	/* why the stream stopped: a source error or the walk's refusal */
	int pending_rc;
	struct al_error pending;
	bool stopped; /* libarchive was refused bytes because of it */

	uint64_t nentries;   /* entries libarchive gave */
	uint64_t data_total; /* entry data read */
	json_t *seen;        /* folded name -> name */
	json_t *listed;      /* manifest path -> index in files */
	const json_t *files;
	bool *found; /* per files[] entry */
};

static void enter(struct reader *r)
{
	r->caller = uselocale(r->loc);
}

static void leave(struct reader *r)
{
	uselocale(r->caller);
}

/* Find a UTF-8 LC_CTYPE; "C" (ASCII names only) when there is none. */
static locale_t utf8_locale(bool *is_utf8)
{
	static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
	locale_t loc;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		loc = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
		if (loc) {
			*is_utf8 = true;
			return loc;
		}
	}
	*is_utf8 = false;
	return newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
}

static void set_pending(struct reader *r, const struct al_error *e)
{
	r->pending_rc = e->code;
	r->pending = *e;
}

/*
 * Take the next bytes from the source into r->in: hashed, counted and
 * walked.  Returns how many of them libarchive may have (those before the
 * first record the walk refused), 0 at the end of the input, -1 once the
 * stream has failed (r->pending says why).  Called in the caller's locale.
 */
static ssize_t pull(struct reader *r)
{
	struct al_error e = {0};
	uint64_t start;
	ssize_t n;

	if (r->pending_rc)
		return -1;
	if (r->eof)
		return 0;
	n = r->read(r->read_ctx, r->in, IN_CHUNK, &e);
	if (n < 0 || n > IN_CHUNK) {
		if (n > IN_CHUNK)
			al_error_set(&e, AL_EIO,
				     "archive: the source returned %zd bytes "
				     "for a buffer of %d",
				     n, IN_CHUNK);
		else if (e.code >= 0)
			al_error_set(&e, AL_EIO, "archive: reading failed");
		set_pending(r, &e);
		return -1;
	}
	if (n == 0) {
		r->eof = true;
		if (walk_end(&r->w)) {
			set_pending(r, &r->w.err);
			return -1;
		}
		return 0;
	}
	al_sha256_update(r->content, r->in, (size_t)n);
	r->bytes += (uint64_t)n;
	start = r->w.off;
	if (walk_feed(&r->w, r->in, (size_t)n)) {
		set_pending(r, &r->w.err);
		n = r->w.err_off > start ? (ssize_t)(r->w.err_off - start) : 0;
		return n > 0 ? n : -1;
	}
	return n;
}

/* libarchive's read callback. */
static la_ssize_t read_cb(struct archive *a, void *ctx, const void **buf)
{
	struct reader *r = ctx;
	ssize_t n;

	(void)a;
	*buf = r->in;
	uselocale(r->caller);
	n = pull(r);
	uselocale(r->loc);
	if (n < 0)
		r->stopped = true;
	return n;
}

/* libarchive's last error, made visible and without its full stop;
 * returns the code it maps to. */
static int lib_message(struct reader *r, char *vis, size_t vissz)
{
	const char *msg = archive_error_string(r->a);
	size_t len;

	if (!msg)
		msg = "read failed";
	len = strlen(msg);
	if (len > 0 && msg[len - 1] == '.')
		len--;
	al_text_visible(msg, len, vis, vissz);
	return archive_errno(r->a) == ENOMEM ? AL_ENOMEM : AL_EINVAL;
}

/* The stream stopped (the source failed or the walk refused): why. */
static int fail_pending(struct reader *r, struct al_error *err)
{
	if (err)
		*err = r->pending;
	return r->pending_rc;
}

/*
 * Report a libarchive failure about the entry shown (or the archive when
 * show is NULL).  When libarchive ran into the stopped stream, the reason
 * is why it stopped, as the source or the walk said it.  Otherwise
 * libarchive failed on bytes before that point, and its own reason comes
 * first.
 */
static int fail_lib(struct reader *r, const char *show, struct al_error *err)
{
	char vis[160];
	int code;

	if (r->pending_rc && r->stopped)
		return fail_pending(r, err);
	code = lib_message(r, vis, sizeof(vis));
	if (show)
		return al_error_set(err, code, "entry '%s': %s", show, vis);
	return al_error_set(err, code, "archive: %s", vis);
}

/* A callback stopped the read: its code and message, or ours. */
static int fail_cb(int rc, const struct al_error *cerr, const char *show,
		   struct al_error *err)
{
	if (rc > 0)
		rc = AL_EIO;
	if (cerr->code != AL_OK && cerr->msg[0]) {
		if (err)
			*err = *cerr;
		if (err)
			err->code = rc;
		return rc;
	}
	return al_error_set(err, rc, "entry '%s': stopped by the caller (%s)",
			    show, al_error_name(rc));
}

/*
 * Read the current entry's data to its end: counted against the limit,
 * hashed into h, copied to keep, passed to the data callback, as asked.
 */
static int read_data(struct reader *r, const char *show, uint64_t size,
		     struct al_sha256 *h, unsigned char *keep, bool to_cb,
		     struct al_error *err)
{
	uint64_t got = 0;
	la_ssize_t n;
	int rc;

	for (;;) {
		enter(r);
		n = archive_read_data(r->a, r->data, DATA_CHUNK);
		leave(r);
		if (n < 0)
			return fail_lib(r, show, err);
		if (n == 0)
			break;
		if ((uint64_t)n > size - got)
			return al_error_set(err, AL_EINVAL,
					    "entry '%s': more data than its "
					    "size of %llu bytes",
					    show, (unsigned long long)size);
		if ((uint64_t)n > r->lim->bundle_bytes - r->data_total)
			return al_error_set(
				err, AL_ELIMIT,
				"entry '%s': data over the limit "
				"of %llu bytes",
				show, (unsigned long long)r->lim->bundle_bytes);
		r->data_total += (uint64_t)n;
		if (h)
			al_sha256_update(h, r->data, (size_t)n);
		if (keep)
			memcpy(keep + got, r->data, (size_t)n);
		got += (uint64_t)n;
		if (to_cb && r->cb && r->cb->data) {
			struct al_error cerr = {0};

			rc = r->cb->data(r->cb->ctx, r->data, (size_t)n, &cerr);
			if (rc)
				return fail_cb(rc, &cerr, show, err);
		}
	}
	if (got != size)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': truncated after %llu of %llu "
				    "bytes",
				    show, (unsigned long long)got,
				    (unsigned long long)size);
	return 0;
}

/* What libarchive made of the entry must be what the raw header says. */
static int check_type(struct reader *r, struct archive_entry *e,
		      const struct raw_entry *raw, const char *show,
		      struct al_error *err)
{
	bool link;

	enter(r);
	link = archive_entry_hardlink(e) || archive_entry_hardlink_w(e);
	leave(r);
	if (link)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': hard link; only regular "
				    "files are allowed",
				    show);
	enter(r);
	link = archive_entry_symlink(e) || archive_entry_symlink_w(e);
	leave(r);
	if (link || archive_entry_filetype(e) != AE_IFREG)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': not a regular file", show);
	if (archive_entry_sparse_count(e) != 0)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': sparse file; only regular "
				    "files are allowed",
				    show);
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
		return al_error_set(err, AL_EINVAL, "entry '%s': no size",
				    show);
	if ((uint64_t)archive_entry_size(e) != raw->size)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': libarchive reads %lld bytes "
				    "where the raw header says %llu",
				    show, (long long)archive_entry_size(e),
				    (unsigned long long)raw->size);
	return 0;
}

/* No two entries may have the same name, byte for byte or folded. */
static int check_unique(struct reader *r, const char *name, size_t len,
			const char *show, struct al_error *err)
{
	char pshow[SHOW_LEN];
	const json_t *prev;
	char *key = NULL;
	int rc;

	if ((rc = al_name_fold(name, len, &key, err)))
		return rc;
	prev = json_object_get(r->seen, key);
	if (prev) {
		const char *p = json_string_value(prev);

		free(key);
		if (strcmp(p, name) == 0)
			return al_error_set(err, AL_EINVAL,
					    "entry '%s': repeats an earlier "
					    "entry",
					    show);
		al_text_visible(p, strlen(p), pshow, sizeof(pshow));
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': same name as '%s' under case "
				    "folding",
				    show, pshow);
	}
	rc = json_object_set_new(r->seen, key, json_stringn(name, len));
	free(key);
	if (rc)
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	return 0;
}

/* Index the manifest's files by path. */
static int index_files(struct reader *r, const json_t *m, struct al_error *err)
{
	size_t n;

	r->files = json_object_get(m, "files");
	n = json_array_size(r->files);
	r->found = calloc(n ? n : 1, sizeof(*r->found));
	if (!r->found)
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(r->files, i);
		const char *path =
			json_string_value(json_object_get(f, "path"));

		if (json_object_set_new(r->listed, path,
					json_integer((json_int_t)i)))
			return al_error_set(err, AL_ENOMEM,
					    "archive: out of memory");
	}
	return 0;
}

static int read_manifest(struct reader *r, uint64_t size, const char *show,
			 struct al_bundle *out, struct al_problems *p,
			 struct al_error *err)
{
	unsigned char *buf;
	int rc;

	if (size > r->lim->manifest_bytes)
		return al_error_set(err, AL_ELIMIT,
				    "entry '%s': %llu bytes, more than the "
				    "limit of %llu",
				    show, (unsigned long long)size,
				    (unsigned long long)r->lim->manifest_bytes);
	buf = malloc(size ? (size_t)size : 1);
	if (!buf)
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	rc = read_data(r, show, size, NULL, buf, false, err);
	if (!rc) {
		al_sha256_hex(buf, (size_t)size, out->manifest_sha256);
		rc = al_manifest_parse((const char *)buf, (size_t)size, r->lim,
				       &out->manifest, p, err);
	}
	if (rc) {
		free(buf);
		return rc;
	}
	/* kept as sent: open writes these bytes back */
	out->manifest_raw = (char *)buf;
	out->manifest_len = (size_t)size;
	return index_files(r, out->manifest, err);
}

static int read_listed(struct reader *r, const char *name, uint64_t size,
		       const char *show, struct al_bundle *out,
		       struct al_error *err)
{
	const json_t *idx = json_object_get(r->listed, name), *f;
	struct al_error cerr = {0};
	struct al_sha256 *h = NULL;
	char hex[AL_SHA256_HEX];
	unsigned char *keep = NULL;
	bool is_key = strcmp(name, REPLY_KEY) == 0;
	uint64_t want;
	size_t i;
	int rc;

	if (!idx)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': not listed in the manifest's "
				    "files",
				    show);
	i = (size_t)json_integer_value(idx);
	f = json_array_get(r->files, i);
	want = (uint64_t)json_integer_value(json_object_get(f, "size"));
	if (size != want)
		return al_error_set(err, AL_EINTEGRITY,
				    "entry '%s': size %llu differs from the "
				    "manifest (%llu)",
				    show, (unsigned long long)size,
				    (unsigned long long)want);
	if (is_key) {
		if (size > AL_REPLY_KEY_MAX)
			return al_error_set(err, AL_ELIMIT,
					    "entry '%s': %llu bytes, more than "
					    "the limit of %d",
					    show, (unsigned long long)size,
					    AL_REPLY_KEY_MAX);
		out->reply_key = malloc((size_t)size + 1);
		if (!out->reply_key)
			return al_error_set(err, AL_ENOMEM,
					    "archive: out of memory");
		out->reply_key[size] = '\0';
		out->reply_key_len = (size_t)size;
		keep = (unsigned char *)out->reply_key;
	}
	if ((rc = al_sha256_new(&h, err)))
		return rc;
	if (r->cb && r->cb->begin &&
	    (rc = r->cb->begin(r->cb->ctx, name, size, &cerr))) {
		rc = fail_cb(rc, &cerr, show, err);
		goto out;
	}
	if ((rc = read_data(r, show, size, h, keep, true, err)))
		goto out;
	al_sha256_final(h, hex, NULL);
	if (strcmp(hex, json_string_value(json_object_get(f, "sha256")))) {
		rc = al_error_set(err, AL_EINTEGRITY,
				  "entry '%s': SHA-256 differs from the "
				  "manifest",
				  show);
		goto out;
	}
	if (r->cb && r->cb->end && (rc = r->cb->end(r->cb->ctx, &cerr))) {
		rc = fail_cb(rc, &cerr, show, err);
		goto out;
	}
	r->found[i] = true;
out:
	al_sha256_free(h);
	return rc;
}

/*
 * The entry's name is the header's own bytes: what the manifest lists and
 * what tar would extract.  libarchive's reading of it must agree, up to
 * Unicode normalisation: it composes names (NFC) when it converts them
 * from UTF-8.
 */
static int check_name(struct reader *r, struct archive_entry *e,
		      const struct raw_entry *raw, const char *show,
		      struct al_error *err)
{
	char lshow[SHOW_LEN];
	char *a = NULL, *b = NULL;
	const char *lib;
	size_t llen;
	int rc;

	if ((rc = al_entry_name_check(raw->name, raw->name_len, r->lim, err)))
		return rc;
	enter(r);
	lib = archive_entry_pathname_utf8(e);
	leave(r);
	if (!lib)
		return al_error_set(err, AL_EINVAL,
				    r->loc_utf8 ? "entry '%s': libarchive "
						  "cannot convert the name"
						: "entry '%s': no UTF-8 locale "
						  "to read a non-ASCII name",
				    show);
	llen = strlen(lib);
	if (llen == raw->name_len && memcmp(lib, raw->name, llen) == 0)
		return 0;
	if (!(rc = al_name_nfc(raw->name, raw->name_len, &a, err)) &&
	    !(rc = al_name_nfc(lib, llen, &b, err)) && strcmp(a, b) != 0) {
		al_text_visible(lib, llen, lshow, sizeof(lshow));
		rc = al_error_set(err, AL_EINVAL,
				  "entry '%s': libarchive reads the name as "
				  "'%s'",
				  show, lshow);
	}
	free(a);
	free(b);
	return rc;
}

/* One entry libarchive read with ARCHIVE_OK. */
static int on_entry(struct reader *r, struct archive_entry *e,
		    struct al_bundle *out, struct al_problems *p,
		    struct al_error *err)
{
	const struct raw_entry *raw;
	char show[SHOW_LEN];
	int rc;

	if (r->nentries >= r->w.n)
		return al_error_set(err, AL_EINVAL,
				    "archive: libarchive found an entry the "
				    "raw headers do not have");
	raw = &r->w.v[r->nentries];
	al_text_visible(raw->name, raw->name_len, show, sizeof(show));
	if ((rc = check_name(r, e, raw, show, err)) ||
	    (rc = check_type(r, e, raw, show, err)))
		return rc;
	r->nentries++;
	if (r->nentries == 1 && strcmp(raw->name, MANIFEST_NAME) != 0)
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': the first entry must be "
				    "'" MANIFEST_NAME "'",
				    show);
	if ((rc = check_unique(r, raw->name, raw->name_len, show, err)))
		return rc;
	if (r->nentries == 1)
		return read_manifest(r, raw->size, show, out, p, err);
	return read_listed(r, raw->name, raw->size, show, out, err);
}

/*
 * libarchive would not read the next header.  A name it cannot convert
 * (not UTF-8) is the usual reason: the name rules say so plainly.
 */
static int fail_header(struct reader *r, struct al_error *err)
{
	const struct raw_entry *raw =
		r->nentries < r->w.n ? &r->w.v[r->nentries] : NULL;
	char show[SHOW_LEN];
	int rc;

	if (!raw || (r->pending_rc && r->stopped))
		return fail_lib(r, NULL, err);
	if ((rc = al_entry_name_check(raw->name, raw->name_len, r->lim, err)))
		return rc;
	al_text_visible(raw->name, raw->name_len, show, sizeof(show));
	return fail_lib(r, show, err);
}

/* After libarchive's end: the rest of the input, and what is missing. */
static int finish(struct reader *r, struct al_bundle *out, struct al_error *err)
{
	size_t n;

	while (pull(r) > 0)
		;
	if (r->pending_rc)
		return fail_pending(r, err);
	if (r->nentries != r->w.n)
		return al_error_set(err, AL_EINVAL,
				    "archive: libarchive read %llu entries, "
				    "the raw headers have %zu",
				    (unsigned long long)r->nentries, r->w.n);
	if (r->nentries == 0)
		return al_error_set(err, AL_EINVAL,
				    "archive: no entries; '" MANIFEST_NAME
				    "' must be the first");
	n = json_array_size(r->files);
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(r->files, i);
		const char *path;
		char show[SHOW_LEN];

		if (r->found[i])
			continue;
		path = json_string_value(json_object_get(f, "path"));
		al_text_visible(path, strlen(path), show, sizeof(show));
		return al_error_set(err, AL_EINVAL,
				    "entry '%s': listed in the manifest but "
				    "not in the archive",
				    show);
	}
	al_sha256_final(r->content, out->content_sha256, NULL);
	out->content_bytes = r->bytes;
	out->nentries = r->nentries;
	return 0;
}

static int reader_init(struct reader *r, al_read_fn read, void *read_ctx,
		       const struct al_limits *lim,
		       const struct al_bundle_entry_cb *cb,
		       struct al_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->read = read;
	r->read_ctx = read_ctx;
	r->lim = lim;
	r->cb = cb;
	walk_init(&r->w, lim);
	if ((rc = al_sha256_new(&r->content, err)))
		return rc;
	r->in = malloc(IN_CHUNK);
	r->data = malloc(DATA_CHUNK);
	r->seen = json_object();
	r->listed = json_object();
	r->loc = utf8_locale(&r->loc_utf8);
	if (!r->in || !r->data || !r->seen || !r->listed || !r->loc)
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	return 0;
}

static void reader_release(struct reader *r)
{
	if (r->a) {
		enter(r);
		archive_read_free(r->a);
		leave(r);
	}
	if (r->loc)
		freelocale(r->loc);
	walk_release(&r->w);
	al_sha256_free(r->content);
	json_decref(r->seen);
	json_decref(r->listed);
	free(r->found);
	free(r->in);
	free(r->data);
	memset(r, 0, sizeof(*r));
}

static int open_archive(struct reader *r, struct al_error *err)
{
	char vis[160];
	int ok, code;

	enter(r);
	r->a = archive_read_new();
	if (!r->a) {
		leave(r);
		return al_error_set(err, AL_ENOMEM, "archive: out of memory");
	}
	/* tar only, and no filter: a compressed archive is refused, and no
	 * skip callback, so that every byte passes through read_cb */
	ok = archive_read_support_format_tar(r->a) == ARCHIVE_OK &&
	     archive_read_open(r->a, r, NULL, read_cb, NULL) == ARCHIVE_OK;
	leave(r);
	if (ok)
		return 0;
	if (r->pending_rc && r->stopped)
		return fail_pending(r, err);
	/* the walk took the first header, libarchive's stricter look did
	 * not (its bid checks every numeric field) */
	code = lib_message(r, vis, sizeof(vis));
	return al_error_set(err, code, "archive: not a tar archive (%s)", vis);
}

int al_bundle_read(al_read_fn read, void *read_ctx, const struct al_limits *lim,
		   const struct al_bundle_entry_cb *cb, struct al_bundle *out,
		   struct al_problems *p, struct al_error *err)
{
	struct al_limits def;
	struct reader r;
	int rc;

	if (!out)
		return al_error_set(err, AL_EUSAGE, "archive: no output given");
	memset(out, 0, sizeof(*out));
	if (!read)
		return al_error_set(err, AL_EUSAGE, "archive: no source given");
	if (!lim) {
		al_limits_default(&def);
		lim = &def;
	}
	if ((rc = reader_init(&r, read, read_ctx, lim, cb, err)) ||
	    (rc = open_archive(&r, err)))
		goto out;
	for (;;) {
		struct archive_entry *e;
		int ar;

		enter(&r);
		ar = archive_read_next_header(r.a, &e);
		leave(&r);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK) {
			/* WARN and RETRY too: a header libarchive had
			 * doubts about is not read */
			rc = fail_header(&r, err);
			goto out;
		}
		if ((rc = on_entry(&r, e, out, p, err)))
			goto out;
	}
	rc = finish(&r, out, err);
out:
	reader_release(&r);
	if (rc)
		al_bundle_release(out);
	return rc;
}

void al_bundle_release(struct al_bundle *b)
{
	if (!b)
		return;
	json_decref(b->manifest);
	free(b->manifest_raw);
	free(b->reply_key);
	memset(b, 0, sizeof(*b));
}

ssize_t al_read_fd(void *ctx, void *buf, size_t len, struct al_error *err)
{
	int fd = *(const int *)ctx;
	ssize_t n;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		al_error_set(err, AL_EIO, "archive: read failed: %s",
			     strerror(errno));
		return -1;
	}
	return n;
}
