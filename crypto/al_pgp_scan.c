/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The first packets of an outer OpenPGP message, read before gpg runs: the
 * packet framing of RFC 4880 section 4.2 (old and new formats) and RFC 9580
 * (v6 PKESK, SEIPD v2), and the ASCII armor of RFC 4880 section 6, whose
 * base64 is decoded a byte at a time, only as far as the packets need.
 * Everything here is attacker-supplied: every read goes through src_get,
 * which knows where the input ends.  See docs/openpgp.md.
 */
#include "al_base64.h"
#include "al_pgp_scan.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "al_text.h"

/* What src_get found. */
enum {
	SRC_BYTE = 0, /* a byte */
	SRC_RAN_OUT,  /* the input (or the head of it) has no more */
	SRC_ENDED,    /* the armor's base64 ended: the message ends here */
};

/*
 * Where the packet bytes come from: the input itself, or the base64 of its
 * armor.  n is the number of input bytes looked at (at most
 * AL_PGP_SCAN_HEAD); whole tells whether they are the whole file.
 */
struct src {
	const uint8_t *p;
	size_t n;
	size_t pos; /* next input byte */
	bool whole;
	bool armored;
	bool ended;   /* armor: padding, a CRC line or the END line seen */
	bool at_bol;  /* armor: at the start of a line */
	size_t line;  /* armor: number of the line at pos, from 1 */
	uint32_t acc; /* armor: decoded bits not yet delivered */
	unsigned nbits;
};

/* Where the scan is, for the messages. */
struct scan {
	struct src src;
	unsigned npkt; /* number of the packet being read, from 1 */
	int tag;       /* its tag */
	uint32_t left; /* bytes of its body not read yet (definite length) */
	bool partial;  /* left counts only the first partial chunk */
	bool indeterminate; /* old format: the body runs to the end */
};

#define ARMOR_BEGIN  "-----BEGIN "
#define ARMOR_DASHES "-----"

static int not_pgp(struct al_error *err, const char *why)
{
	return al_error_set(err, AL_EINVAL, "not an OpenPGP message (%s)", why);
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The next byte of the armor's base64.  Line breaks and blanks are skipped;
 * a '=' (padding, or the CRC line "=XXXX") or a line starting with '-' (the
 * END line) ends the data.  Anything else that is not base64 is refused.
 */
static int armor_get(struct src *s, uint8_t *out, struct al_error *err)
{
	while (s->nbits < 8) {
		uint8_t c;
		int v;

		if (s->ended)
			return SRC_ENDED;
		if (s->pos >= s->n)
			return SRC_RAN_OUT;
		c = s->p[s->pos];
		if (c == '\n') {
			s->pos++;
			s->line++;
			s->at_bol = true;
			continue;
		}
		if (is_blank(c)) {
			s->pos++;
			continue;
		}
		if (c == '=' || (c == '-' && s->at_bol)) {
			s->ended = true;
			continue;
		}
		v = al_base64_value(c);
		if (v < 0) {
			char shown[16];

			al_text_visible((const char *)&c, 1, shown,
					sizeof(shown));
			return al_error_set(
				err, AL_EINVAL,
				"not an OpenPGP message (armor line "
				"%zu: '%s' is not base64)",
				s->line, shown);
		}
		s->acc = (s->acc << 6) | (uint32_t)v;
		s->nbits += 6;
		s->pos++;
		s->at_bol = false;
	}
	s->nbits -= 8;
	*out = (uint8_t)(s->acc >> s->nbits);
	s->acc &= (1u << s->nbits) - 1;
	return SRC_BYTE;
}

/* The next packet byte: SRC_BYTE, SRC_RAN_OUT, SRC_ENDED or AL_EINVAL. */
static int src_get(struct src *s, uint8_t *out, struct al_error *err)
{
	if (s->armored)
		return armor_get(s, out, err);
	if (s->pos >= s->n)
		return SRC_RAN_OUT;
	*out = s->p[s->pos++];
	return SRC_BYTE;
}

/*
 * The input stopped (rc is SRC_RAN_OUT or SRC_ENDED) where "where" says.
 * When the message itself ended, it is truncated; when only the head did,
 * the encrypted data packet is too far in to be checked.
 */
static int ran_out(const struct scan *sc, int rc, const char *where,
		   struct al_error *err)
{
	char what[96];

	if (sc->npkt > 0)
		snprintf(what, sizeof(what), "%s %u, tag %d", where, sc->npkt,
			 sc->tag);
	else
		snprintf(what, sizeof(what), "%s", where);
	if (rc == SRC_ENDED || sc->src.whole)
		return al_error_set(err, AL_EINVAL,
				    "truncated OpenPGP message (it ends %s)",
				    what);
	return al_error_set(err, AL_EINVAL,
			    "no encrypted data packet in the first %zu bytes "
			    "of the OpenPGP message (they end %s)",
			    sc->src.n, what);
}

/* One byte of the current packet's body; "too short" when it has none. */
static int body_get(struct scan *sc, uint8_t *out, struct al_error *err)
{
	int rc;

	if (sc->left == 0)
		return al_error_set(err, AL_EINVAL,
				    "malformed OpenPGP message (packet %u, tag "
				    "%d, is too short)",
				    sc->npkt, sc->tag);
	rc = src_get(&sc->src, out, err);
	if (rc < 0)
		return rc;
	if (rc != SRC_BYTE)
		return ran_out(sc, rc, "inside packet", err);
	sc->left--;
	return 0;
}

static int body_read(struct scan *sc, uint8_t *out, size_t n,
		     struct al_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = body_get(sc, &out[i], err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Skip what is left of the current packet's body. */
static int body_skip(struct scan *sc, struct al_error *err)
{
	struct src *s = &sc->src;
	uint8_t b;

	if (!s->armored) {
		size_t avail = s->n - s->pos;

		if (sc->left > avail) {
			s->pos = s->n;
			return ran_out(sc, SRC_RAN_OUT, "inside packet", err);
		}
		s->pos += sc->left;
		sc->left = 0;
		return 0;
	}
	while (sc->left > 0) {
		int rc = body_get(sc, &b, err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* One byte of a packet header. */
static int header_get(struct scan *sc, uint8_t *out, struct al_error *err)
{
	int rc = src_get(&sc->src, out, err);

	if (rc < 0)
		return rc;
	if (rc != SRC_BYTE)
		return ran_out(sc, rc, "inside the header of packet", err);
	return 0;
}

static int header_be(struct scan *sc, unsigned n, uint32_t *out,
		     struct al_error *err)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		int rc = header_get(sc, &b, err);

		if (rc != 0)
			return rc;
		v = (v << 8) | b;
	}
	*out = v;
	return 0;
}

/*
 * The rest of a packet header after its first octet ctb (bit 7 set): the
 * body length into sc->left, sc->partial and
 * sc->indeterminate (old format, length type 3: the packet runs to the end
 * of the file; left is 0 then).
 */
static int read_header(struct scan *sc, uint8_t ctb, struct al_error *err)
{
	uint32_t len = 0;
	uint8_t o1;
	int rc;

	sc->partial = false;
	sc->indeterminate = false;
	if (ctb & 0x40) { /* new format: RFC 4880 4.2.2 */
		if ((rc = header_get(sc, &o1, err)) != 0)
			return rc;
		if (o1 < 192) {
			len = o1;
		} else if (o1 < 224) {
			uint8_t o2;

			if ((rc = header_get(sc, &o2, err)) != 0)
				return rc;
			len = ((uint32_t)(o1 - 192) << 8) + o2 + 192;
		} else if (o1 == 255) {
			if ((rc = header_be(sc, 4, &len, err)) != 0)
				return rc;
		} else {
			len = (uint32_t)1 << (o1 & 0x1f);
			sc->partial = true;
		}
	} else { /* old format: RFC 4880 4.2.1 */
		static const unsigned octets[3] = {1, 2, 4};
		unsigned type = ctb & 3;

		if (type == 3)
			sc->indeterminate = true;
		else if ((rc = header_be(sc, octets[type], &len, err)) != 0)
			return rc;
	}
	sc->left = len;
	return 0;
}

/*
 * A public-key encrypted session key: its version and recipient.  v3 (RFC
 * 4880 5.1): version, 8-byte key id, algorithm.  v6 (RFC 9580 5.1.2):
 * version, the size of what follows (0 for an anonymous recipient), the
 * key's version and fingerprint, algorithm.  A v4 key's id is the last 8
 * bytes of its fingerprint, a v6 (or v5) key's the first 8.
 */
static int read_pkesk(struct scan *sc, struct al_pgp_info *info,
		      struct al_error *err)
{
	uint8_t ver, keyid[8] = {0}, size, kver, fpr[32], algo;
	int rc;

	if ((rc = body_get(sc, &ver, err)) != 0)
		return rc;
	if (ver == 3) {
		rc = body_read(sc, keyid, 8, err);
	} else if (ver == 6) {
		if ((rc = body_get(sc, &size, err)) != 0)
			return rc;
		if (size != 0) {
			if ((rc = body_get(sc, &kver, err)) != 0)
				return rc;
			if (!((kver == 4 && size == 21) ||
			      ((kver == 5 || kver == 6) && size == 33)))
				return al_error_set(
					err, AL_EINVAL,
					"malformed OpenPGP message (packet "
					"%u: a v6 session key for a version %u "
					"key with a %u-byte fingerprint)",
					sc->npkt, kver, size - 1u);
			rc = body_read(sc, fpr, size - 1u, err);
			if (rc == 0)
				memcpy(keyid, kver == 4 ? fpr + 12 : fpr, 8);
		}
	} else {
		return al_error_set(err, AL_EINVAL,
				    "unsupported OpenPGP message (packet %u is "
				    "a version %u public-key session key; "
				    "versions 3 and 6 exist)",
				    sc->npkt, ver);
	}
	if (rc == 0)
		rc = body_get(sc, &algo, err);
	if (rc != 0)
		return rc;
	if (info->nkeyids < AL_PGP_SCAN_MAX_KEYIDS)
		memcpy(info->keyids[info->nkeyids++], keyid, 8);
	info->npkesk++;
	return 0;
}

/* The encrypted data packet that ends the scan: its first body byte is its
 * version. */
static int read_data(struct scan *sc, struct al_pgp_info *info,
		     struct al_error *err)
{
	uint8_t ver;
	int rc;

	if ((rc = body_get(sc, &ver, err)) != 0)
		return rc;
	if ((sc->tag == 18 && ver != 1 && ver != 2) ||
	    (sc->tag == 20 && ver != 1))
		return al_error_set(err, AL_EINVAL,
				    "unsupported OpenPGP message (version %u "
				    "encrypted data packet, tag %d)",
				    ver, sc->tag);
	info->data_tag = sc->tag;
	info->seipd_version = sc->tag == 18 ? ver : 0;
	return 0;
}

/* A packet that cannot come first in an encrypted message, coming first. */
static int refuse_first(int tag, struct al_error *err)
{
	switch (tag) {
	case 2:
		return al_error_set(err, AL_EINVAL,
				    "signed but not encrypted (signature "
				    "packet, tag 2)");
	case 4:
		return al_error_set(err, AL_EINVAL,
				    "signed but not encrypted (one-pass "
				    "signature packet, tag 4)");
	case 8:
		return al_error_set(err, AL_EINVAL,
				    "not encrypted (compressed data first)");
	case 11:
		return al_error_set(err, AL_EINVAL,
				    "not encrypted (literal data first)");
	case 5:
	case 6:
	case 7:
	case 14:
		return al_error_set(err, AL_EINVAL,
				    "not an OpenPGP message (it starts with a "
				    "key, tag %d)",
				    tag);
	default:
		return al_error_set(err, AL_EINVAL,
				    "not an OpenPGP message (it starts with a "
				    "packet of tag %d)",
				    tag);
	}
}

/*
 * Walk the packets: marker packets, then session keys, then the encrypted
 * data packet.  Every other packet ends the scan with its refusal.
 */
static int scan_packets(struct scan *sc, struct al_pgp_info *info,
			struct al_error *err)
{
	bool esk = false; /* a session key packet was seen */
	uint8_t ctb;
	int rc;

	for (;;) {
		sc->npkt++;
		sc->tag = -1;
		rc = src_get(&sc->src, &ctb, err);
		if (rc < 0)
			return rc;
		if (rc != SRC_BYTE) {
			if (sc->npkt == 1 && rc == SRC_ENDED)
				return not_pgp(err, "the armor holds no data");
			sc->npkt = 0; /* between packets: name none */
			return ran_out(sc, rc,
				       "before the encrypted data packet", err);
		}
		if (!(ctb & 0x80)) {
			if (sc->npkt == 1)
				return not_pgp(err, "the first byte is not a "
						    "packet header");
			return al_error_set(err, AL_EINVAL,
					    "malformed OpenPGP message (packet "
					    "%u does not start with a packet "
					    "header)",
					    sc->npkt);
		}
		sc->tag = ctb & 0x40 ? ctb & 0x3f : (ctb >> 2) & 0x0f;
		if (sc->tag == 9)
			return al_error_set(err, AL_EINVAL,
					    "no integrity protection "
					    "(symmetrically encrypted data "
					    "packet, tag 9)");
		if (sc->tag == 18 || sc->tag == 20) {
			if (info->npkesk == 0)
				return al_error_set(
					err, AL_EINVAL,
					"symmetric-only encryption "
					"(no public-key recipient)");
			if ((rc = read_header(sc, ctb, err)) != 0)
				return rc;
			return read_data(sc, info, err);
		}
		if (sc->tag != 1 && sc->tag != 3 && (sc->tag != 10 || esk)) {
			if (!esk)
				return refuse_first(sc->tag, err);
			return al_error_set(err, AL_EINVAL,
					    "unexpected OpenPGP packet (tag "
					    "%d) before the encrypted data",
					    sc->tag);
		}
		if ((rc = read_header(sc, ctb, err)) != 0)
			return rc;
		/* Only data packets may have these two lengths. */
		if (sc->partial || sc->indeterminate)
			return al_error_set(err, AL_EINVAL,
					    "malformed OpenPGP message (packet "
					    "%u, tag %d, has %s length, which "
					    "only a data packet may have)",
					    sc->npkt, sc->tag,
					    sc->partial ? "a partial body"
							: "an indeterminate");
		if (sc->tag == 1) {
			if ((rc = read_pkesk(sc, info, err)) != 0)
				return rc;
			esk = true;
		} else if (sc->tag == 3) {
			info->nskesk++;
			esk = true;
		}
		if ((rc = body_skip(sc, err)) != 0)
			return rc;
	}
}

/*
 * The next armor line from s->pos without its line break and trailing
 * blanks (RFC 4880 6.2 ignores them).  False when the input ends first.
 */
static bool armor_line(struct src *s, const uint8_t **text, size_t *len)
{
	const uint8_t *p = s->p + s->pos;
	const uint8_t *lf = memchr(p, '\n', s->n - s->pos);
	size_t n;

	if (!lf)
		return false;
	n = (size_t)(lf - p);
	s->pos += n + 1;
	s->line++;
	while (n > 0 && is_blank(p[n - 1]))
		n--;
	*text = p;
	*len = n;
	return true;
}

static bool all_blank(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\n' && !is_blank(p[i]))
			return false;
	return true;
}

static bool line_is(const uint8_t *text, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(text, s, len) == 0;
}

/* The armor ran out before its base64. */
static int armor_ran_out(struct scan *sc, const char *where,
			 struct al_error *err)
{
	return ran_out(sc, SRC_RAN_OUT, where, err);
}

/*
 * The armor's BEGIN line (after optional blank lines) and headers, up to
 * the blank line; leaves s->pos at the first base64 line.
 */
static int armor_open(struct scan *sc, struct al_error *err)
{
	struct src *s = &sc->src;
	const uint8_t *t;
	size_t n, pfx = strlen(ARMOR_BEGIN), dashes = strlen(ARMOR_DASHES);
	char shown[64];

	for (;;) {
		size_t avail = s->n - s->pos;

		/* Refuse text at once rather than after a line of it. */
		if (avail > 0 && s->p[s->pos] != '\n' &&
		    !is_blank(s->p[s->pos]) &&
		    memcmp(s->p + s->pos, ARMOR_BEGIN,
			   avail < pfx ? avail : pfx) != 0)
			return not_pgp(err, "neither binary OpenPGP nor an "
					    "ASCII armor");
		if (!armor_line(s, &t, &n)) {
			if (all_blank(s->p + s->pos, avail))
				return not_pgp(err, "nothing but blank lines");
			return armor_ran_out(sc,
					     "inside the armor's BEGIN "
					     "line",
					     err);
		}
		if (n > 0)
			break;
	}
	if (n < pfx || memcmp(t, ARMOR_BEGIN, pfx) != 0)
		return not_pgp(err,
			       "neither binary OpenPGP nor an ASCII armor");
	if (n < pfx + dashes || memcmp(t + n - dashes, ARMOR_DASHES, dashes))
		return not_pgp(err, "the armor's BEGIN line does not end in "
				    "'-----'");
	t += pfx;
	n -= pfx + dashes;
	if (line_is(t, n, "PGP SIGNED MESSAGE"))
		return al_error_set(err, AL_EINVAL,
				    "signed but not encrypted (clearsigned "
				    "text)");
	if (line_is(t, n, "PGP SIGNATURE"))
		return al_error_set(err, AL_EINVAL,
				    "signed but not encrypted (an armored "
				    "signature)");
	if (!line_is(t, n, "PGP MESSAGE")) {
		al_text_visible((const char *)t, n, shown, sizeof(shown));
		return al_error_set(err, AL_EINVAL,
				    "not an OpenPGP message (armor '%s', not "
				    "'PGP MESSAGE')",
				    shown);
	}
	/* Armor headers: "Key: Value" lines up to a blank one. */
	for (;;) {
		if (!armor_line(s, &t, &n))
			return armor_ran_out(sc, "inside the armor headers",
					     err);
		if (n == 0)
			break;
		if (!memchr(t, ':', n))
			return al_error_set(
				err, AL_EINVAL,
				"not an OpenPGP message (armor line "
				"%zu is not a 'Key: Value' header, "
				"and no blank line ends the "
				"headers)",
				s->line - 1);
	}
	s->armored = true;
	s->at_bol = true;
	return 0;
}

int al_pgp_scan(const void *buf, size_t len, bool whole,
		struct al_pgp_info *info, struct al_error *err)
{
	struct al_pgp_info got = {0};
	struct scan sc = {0};
	int rc;

	assert(info);
	assert(buf || len == 0);
	memset(info, 0, sizeof(*info));
	if (len == 0)
		return not_pgp(err, "the input is empty");
	sc.src.p = buf;
	sc.src.n = len < AL_PGP_SCAN_HEAD ? len : AL_PGP_SCAN_HEAD;
	sc.src.whole = whole && len <= AL_PGP_SCAN_HEAD;
	sc.src.line = 1;
	if (!(sc.src.p[0] & 0x80)) {
		if ((rc = armor_open(&sc, err)) != 0)
			return rc;
		got.armored = true;
	}
	if ((rc = scan_packets(&sc, &got, err)) != 0)
		return rc;
	*info = got;
	return 0;
}
