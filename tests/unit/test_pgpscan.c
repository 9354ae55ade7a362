/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_error.h"
#include "al_pgp_scan.h"
#include "test_data.h"

/*
 * Real messages made by gpg 2.2 (tests/data/pgp/make.sh, whose key ids are
 * in tests/data/pgp/keyids), and hand-built packets for what gpg does not
 * write: other length encodings, v6 PKESK, SEIPD v2, AEAD, odd orders.
 */

/* ---- helpers ---------------------------------------------------------- */

#define read_pgp(name, len) al_test_read(len, "pgp/%s", name)

/* The key id of key "one" or "two" from tests/data/pgp/keyids. */
static void keyid_of(const char *who, uint8_t id[8])
{
	char *text = read_pgp("keyids", NULL);
	char name[16], hex[17];
	const char *line = text;
	int found = 0;

	while (line && *line) {
		if (sscanf(line, "%15s %16s", name, hex) == 2 &&
		    strcmp(name, who) == 0) {
			for (int i = 0; i < 8; i++) {
				unsigned v;

				if (sscanf(hex + 2 * i, "%2x", &v) != 1)
					fail_msg("bad key id '%s'", hex);
				id[i] = (uint8_t)v;
			}
			found = 1;
			break;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
	if (!found)
		fail_msg("no key id for '%s' in pgp/keyids", who);
}

static void assert_info_zero(const struct al_pgp_info *info)
{
	struct al_pgp_info zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(info, &zero, sizeof(zero));
}

/* Scan buf; it must pass. */
static void scan_ok(const char *what, const void *buf, size_t len, bool whole,
		    struct al_pgp_info *info)
{
	struct al_error err = {0};
	int rc = al_pgp_scan(buf, len, whole, info, &err);

	if (rc != 0)
		fail_msg("'%s' refused: %s", what, err.msg);
}

/* Scan buf; it must be refused with AL_EINVAL and a message holding sub. */
static void scan_refused(const char *what, const void *buf, size_t len,
			 bool whole, const char *sub)
{
	struct al_error err = {0};
	struct al_pgp_info info;
	int rc;

	memset(&info, 0xa5, sizeof(info));
	rc = al_pgp_scan(buf, len, whole, &info, &err);
	if (rc != AL_EINVAL)
		fail_msg("'%s': got %d (%s), expected AL_EINVAL", what, rc,
			 err.msg);
	assert_int_equal(err.code, AL_EINVAL);
	if (!strstr(err.msg, sub))
		fail_msg("'%s': message '%s' lacks '%s'", what, err.msg, sub);
	assert_info_zero(&info);
}

static void file_ok(const char *name, struct al_pgp_info *info)
{
	size_t len;
	char *buf = read_pgp(name, &len);

	scan_ok(name, buf, len, true, info);
	free(buf);
}

static void file_refused(const char *name, const char *sub)
{
	size_t len;
	char *buf = read_pgp(name, &len);

	scan_refused(name, buf, len, true, sub);
	/* the same as a head of a longer file */
	scan_refused(name, buf, len, false, sub);
	free(buf);
}

/* A message built by hand. */
struct msg {
	uint8_t b[128 * 1024];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	assert_true(n <= sizeof(m->b) - m->n);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put1(struct msg *m, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(m, &b, 1);
}

static void put_be(struct msg *m, uint32_t v, unsigned octets)
{
	while (octets-- > 0)
		put1(m, (v >> (8 * octets)) & 0xff);
}

/* A new-format packet; form is the length's size: 1, 2 or 5 octets. */
static void pkt_new(struct msg *m, int tag, const void *body, size_t n,
		    int form)
{
	put1(m, 0xc0 | (unsigned)tag);
	if (form == 1) {
		assert_true(n < 192);
		put1(m, (unsigned)n);
	} else if (form == 2) {
		assert_true(n >= 192 && n < 8384);
		put1(m, ((n - 192) >> 8) + 192);
		put1(m, (n - 192) & 0xff);
	} else {
		put1(m, 255);
		put_be(m, (uint32_t)n, 4);
	}
	put(m, body, n);
}

/* An old-format packet; form is the length type: 0, 1, 2 (1, 2, 4
 * octets) or 3 (indeterminate). */
static void pkt_old(struct msg *m, int tag, const void *body, size_t n,
		    int form)
{
	static const unsigned octets[3] = {1, 2, 4};

	put1(m, 0x80 | ((unsigned)tag << 2) | (unsigned)form);
	if (form < 3)
		put_be(m, (uint32_t)n, octets[form]);
	put(m, body, n);
}

/* A v3 PKESK body for key id fill-byte x 8. */
static size_t pkesk_v3(uint8_t *body, uint8_t fill)
{
	body[0] = 3;
	memset(body + 1, fill, 8);
	body[9] = 18; /* ECDH */
	memset(body + 10, 0x42, 20);
	return 30;
}

/* A SEIPD v1 body (version byte and some ciphertext). */
static size_t seipd_v1(uint8_t *body)
{
	body[0] = 1;
	memset(body + 1, 0x5a, 40);
	return 41;
}

static void put_pkesk(struct msg *m, uint8_t fill)
{
	uint8_t body[64];

	pkt_new(m, 1, body, pkesk_v3(body, fill), 1);
}

static void put_seipd(struct msg *m)
{
	uint8_t body[64];

	pkt_new(m, 18, body, seipd_v1(body), 1);
}

/* Replace the first occurrence of from in text (len bytes) by to. */
static char *edit(const char *text, size_t len, const char *from,
		  const char *to, size_t *outlen)
{
	const char *at = strstr(text, from);
	size_t a, f = strlen(from), t = strlen(to);
	char *out;

	if (!at)
		fail_msg("'%s' not found", from);
	a = (size_t)(at - text);
	out = malloc(len - f + t + 1);
	assert_non_null(out);
	memcpy(out, text, a);
	memcpy(out + a, to, t);
	memcpy(out + a + t, at + f, len - a - f + 1);
	*outlen = len - f + t;
	return out;
}

/* ---- what gpg writes and the vault accepts ----------------------------- */

static void test_pgpscan__accepts_one_recipient(void **state)
{
	struct al_pgp_info info;
	uint8_t one[8];

	(void)state;
	keyid_of("one", one);
	file_ok("enc-one.gpg", &info);
	assert_false(info.armored);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.nskesk, 0);
	assert_int_equal(info.data_tag, 18);
	assert_int_equal(info.seipd_version, 1);
	assert_int_equal(info.nkeyids, 1);
	assert_memory_equal(info.keyids[0], one, 8);
}

static void test_pgpscan__accepts_two_recipients(void **state)
{
	struct al_pgp_info info;
	uint8_t one[8], two[8];

	(void)state;
	keyid_of("one", one);
	keyid_of("two", two);
	file_ok("enc-two.gpg", &info);
	assert_int_equal(info.npkesk, 2);
	assert_int_equal(info.nkeyids, 2);
	assert_memory_equal(info.keyids[0], one, 8);
	assert_memory_equal(info.keyids[1], two, 8);
}

static void test_pgpscan__hidden_recipient_has_zero_keyid(void **state)
{
	struct al_pgp_info info;
	uint8_t zero[8] = {0};

	(void)state;
	file_ok("enc-hidden.gpg", &info);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.nkeyids, 1);
	assert_memory_equal(info.keyids[0], zero, 8);
}

static void test_pgpscan__accepts_armored(void **state)
{
	struct al_pgp_info info;
	uint8_t one[8];

	(void)state;
	keyid_of("one", one);
	file_ok("enc-one.asc", &info);
	assert_true(info.armored);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.data_tag, 18);
	assert_int_equal(info.seipd_version, 1);
	assert_memory_equal(info.keyids[0], one, 8);
	/* Version: and Comment: headers */
	file_ok("enc-headers.asc", &info);
	assert_true(info.armored);
	assert_memory_equal(info.keyids[0], one, 8);
}

static void test_pgpscan__accepts_armor_crlf_blank_lines(void **state)
{
	struct al_pgp_info info;
	size_t len, n = 0;
	char *asc = read_pgp("enc-headers.asc", &len);
	char *crlf = malloc(2 * len + 8);

	(void)state;
	assert_non_null(crlf);
	memcpy(crlf, "\r\n \n", 4);
	n = 4;
	for (size_t i = 0; i < len; i++) {
		if (asc[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = asc[i];
	}
	scan_ok("crlf", crlf, n, true, &info);
	assert_true(info.armored);
	assert_int_equal(info.npkesk, 1);
	free(crlf);
	free(asc);
}

static void test_pgpscan__accepts_signed_then_encrypted(void **state)
{
	struct al_pgp_info info;

	(void)state;
	file_ok("sign-enc.gpg", &info);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.data_tag, 18);
}

static void test_pgpscan__accepts_public_key_and_passphrase(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[13] = {4, 9, 3, 2}; /* v4 SKESK, AES-256, S2K 3 */

	(void)state;
	assert_non_null(m);
	file_ok("sym-pub.gpg", &info);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.nskesk, 1);
	assert_int_equal(info.nkeyids, 1);
	/* in either order (gpg writes the PKESK first; docs/openpgp.md says
	 * what gpg does with the other order) */
	m->n = 0;
	pkt_new(m, 3, body, 13, 1);
	put_pkesk(m, 0x11);
	put_seipd(m);
	scan_ok("skesk first", m->b, m->n, true, &info);
	assert_int_equal(info.npkesk, 1);
	assert_int_equal(info.nskesk, 1);
	free(m);
}

/* ---- what gpg writes and the vault refuses ----------------------------- */

static void test_pgpscan__rejects_symmetric_only(void **state)
{
	(void)state;
	file_refused("sym.gpg",
		     "symmetric-only encryption (no public-key recipient)");
}

static void test_pgpscan__rejects_signed_only(void **state)
{
	(void)state;
	file_refused("signed.gpg", "signed but not encrypted (one-pass");
	/* gpg compresses by default: the signature is inside */
	file_refused("signed-z.gpg", "not encrypted (compressed data first)");
}

static void test_pgpscan__rejects_clearsigned(void **state)
{
	(void)state;
	file_refused("clearsigned.asc",
		     "signed but not encrypted (clearsigned text)");
}

static void test_pgpscan__rejects_detached_signature(void **state)
{
	(void)state;
	file_refused("detached.sig",
		     "signed but not encrypted (signature packet, tag 2)");
	file_refused("detached.asc",
		     "signed but not encrypted (an armored signature)");
}

static void test_pgpscan__rejects_literal_only(void **state)
{
	(void)state;
	file_refused("literal.gpg", "not encrypted (literal data first)");
}

static void test_pgpscan__rejects_compressed_only(void **state)
{
	(void)state;
	file_refused("compressed.gpg", "not encrypted (compressed data first)");
}

static void test_pgpscan__rejects_no_mdc(void **state)
{
	(void)state;
	file_refused("nomdc.gpg", "no integrity protection (symmetrically "
				  "encrypted data packet, tag 9)");
}

static void test_pgpscan__rejects_handmade_no_mdc(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t body[64];

	(void)state;
	assert_non_null(m);
	put_pkesk(m, 0x11);
	memset(body, 0x33, sizeof(body));
	pkt_old(m, 9, body, sizeof(body), 3); /* PGP 2.x style */
	scan_refused("pkesk + tag 9", m->b, m->n, true,
		     "no integrity protection");
	free(m);
}

static void test_pgpscan__rejects_keys(void **state)
{
	(void)state;
	file_refused("pubkey.gpg",
		     "not an OpenPGP message (it starts with a key, tag 6)");
	file_refused("pubkey.asc", "not an OpenPGP message (armor 'PGP "
				   "PUBLIC KEY BLOCK', not 'PGP MESSAGE')");
}

/* ---- not OpenPGP at all ------------------------------------------------ */

static void test_pgpscan__rejects_empty(void **state)
{
	(void)state;
	scan_refused("empty", "", 0, true,
		     "not an OpenPGP message (the input is empty)");
	scan_refused("empty head", "", 0, false, "the input is empty");
}

static void test_pgpscan__rejects_text(void **state)
{
	const char *t = "Dear maintainers,\nplease find attached\n";

	(void)state;
	scan_refused("text", t, strlen(t), true,
		     "not an OpenPGP message (neither binary OpenPGP nor an "
		     "ASCII armor)");
	scan_refused("one letter", "D", 1, true, "neither binary OpenPGP");
	scan_refused("only blank lines", "\n\n \r\n", 5, true,
		     "not an OpenPGP message (nothing but blank lines)");
}

static void test_pgpscan__rejects_random_bytes(void **state)
{
	uint8_t buf[512];
	uint32_t x = 2463534242u; /* xorshift32, fixed seed */

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct al_error err = {0};
		struct al_pgp_info info;
		size_t len = 1 + (size_t)round % sizeof(buf);
		int rc;

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)x;
		}
		rc = al_pgp_scan(buf, len, round % 2 == 0, &info, &err);
		if (rc != AL_EINVAL)
			fail_msg("random round %d: got %d (%s)", round, rc,
				 err.msg);
		assert_info_zero(&info);
	}
	buf[0] = 0x17; /* bit 7 clear, not '-': neither binary nor armor */
	scan_refused("random", buf, sizeof(buf), true,
		     "not an OpenPGP message");
}

/* ---- armor ------------------------------------------------------------- */

static void test_pgpscan__rejects_bad_base64(void **state)
{
	size_t len, n;
	char *asc = read_pgp("enc-one.asc", &len);
	char *bad = edit(asc, len, "\n\nhF4D", "\n\nhF*D", &n);

	(void)state;
	scan_refused("bad base64", bad, n, true,
		     "not an OpenPGP message (armor line 3: '*' is not "
		     "base64)");
	free(bad);
	bad = edit(asc, len, "\n\nhF4D", "\n\nhF4\x01", &n);
	scan_refused("control in base64", bad, n, true,
		     "armor line 3: '\\x01' is not base64");
	free(bad);
	free(asc);
}

static void test_pgpscan__rejects_armor_without_blank_line(void **state)
{
	size_t len, n;
	char *asc = read_pgp("enc-one.asc", &len);
	char *bad = edit(asc, len, "-----\n\n", "-----\n", &n);

	(void)state;
	scan_refused("no blank line", bad, n, true,
		     "not an OpenPGP message (armor line 2 is not a 'Key: "
		     "Value' header, and no blank line ends the headers)");
	free(bad);
	free(asc);
}

static void test_pgpscan__rejects_other_armor(void **state)
{
	const char *part = "-----BEGIN PGP MESSAGE, PART 1/2-----\n\nhF4D\n";
	const char *tail = "-----BEGIN PGP MESSAGE----- x\n\nhF4D\n";
	const char *esc = "-----BEGIN PGP \x1b[31mKEY-----\n\n";

	(void)state;
	scan_refused("part", part, strlen(part), true,
		     "armor 'PGP MESSAGE, PART 1/2', not 'PGP MESSAGE'");
	scan_refused("begin tail", tail, strlen(tail), true,
		     "the armor's BEGIN line does not end in '-----'");
	scan_refused("escape", esc, strlen(esc), true,
		     "armor 'PGP \\x1b[31mKEY'");
}

static void test_pgpscan__armor_that_ends_early_is_truncated(void **state)
{
	const char *none = "-----BEGIN PGP MESSAGE-----\n\n"
			   "-----END PGP MESSAGE-----\n";
	const char *hdr = "-----BEGIN PGP MESSAGE-----\nComment: x\n";
	size_t len, n;
	char *asc = read_pgp("enc-one.asc", &len);
	/* the base64 of the PKESK only (96 bytes: 128 characters) */
	char *cut = malloc(len);
	const char *b64 = strstr(asc, "\n\n") + 2;
	size_t head = (size_t)(b64 - asc);

	(void)state;
	assert_non_null(cut);
	scan_refused("no data", none, strlen(none), false,
		     "not an OpenPGP message (the armor holds no data)");
	scan_refused("headers cut", hdr, strlen(hdr), true,
		     "truncated OpenPGP message (it ends inside the armor "
		     "headers)");
	scan_refused("headers head", hdr, strlen(hdr), false,
		     "no encrypted data packet in the first 39 bytes");
	/* 64 + 64 characters, each line with its newline */
	memcpy(cut, asc, head + 130);
	n = head + 130;
	memcpy(cut + n, "=abcd\n-----END PGP MESSAGE-----\n", 32);
	n += 32;
	/* the armor ends: truncated even though more file may follow */
	scan_refused("armor ends", cut, n, false,
		     "truncated OpenPGP message (it ends before the "
		     "encrypted data packet)");
	free(cut);
	free(asc);
}

/* ---- packet framing ---------------------------------------------------- */

static void test_pgpscan__accepts_marker_packet_first(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;

	(void)state;
	assert_non_null(m);
	pkt_old(m, 10, "PGP", 3, 0);
	pkt_new(m, 10, "PGP", 3, 1);
	put_pkesk(m, 0x11);
	put_seipd(m);
	scan_ok("markers", m->b, m->n, true, &info);
	assert_int_equal(info.npkesk, 1);
	/* but not after the session keys */
	m->n = 0;
	put_pkesk(m, 0x11);
	pkt_old(m, 10, "PGP", 3, 0);
	put_seipd(m);
	scan_refused("marker after", m->b, m->n, true,
		     "unexpected OpenPGP packet (tag 10) before the encrypted "
		     "data");
	free(m);
}

static void test_pgpscan__new_format_lengths(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[1024], data[64];
	size_t n = pkesk_v3(body, 0x21);

	(void)state;
	assert_non_null(m);
	/* 1-octet, 2-octet and 5-octet lengths; 300 bytes for the longer */
	memset(body + n, 0x42, sizeof(body) - n);
	pkt_new(m, 1, body, n, 1);
	body[1] = 0x22;
	pkt_new(m, 1, body, 300, 2);
	body[1] = 0x23;
	pkt_new(m, 1, body, 300, 5);
	/* the data packet with a partial length: 2^9 first */
	put1(m, 0xc0 | 18);
	put1(m, 224 + 9);
	seipd_v1(data);
	put(m, data, sizeof(data));
	scan_ok("new lengths", m->b, m->n, false, &info);
	assert_int_equal(info.npkesk, 3);
	assert_int_equal(info.keyids[0][0], 0x21);
	assert_int_equal(info.keyids[1][0], 0x22);
	assert_int_equal(info.keyids[2][0], 0x23);
	assert_int_equal(info.seipd_version, 1);
	free(m);
}

static void test_pgpscan__old_format_lengths(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[400];
	size_t n = pkesk_v3(body, 0x31);

	(void)state;
	assert_non_null(m);
	memset(body + n, 0x42, sizeof(body) - n);
	pkt_old(m, 1, body, n, 0);
	body[1] = 0x32;
	pkt_old(m, 1, body, 300, 1);
	body[1] = 0x33;
	pkt_old(m, 3, body, 20, 2); /* a SKESK with a 4-octet length */
	pkt_old(m, 1, body, 300, 2);
	put_seipd(m);
	scan_ok("old lengths", m->b, m->n, true, &info);
	assert_int_equal(info.npkesk, 3);
	assert_int_equal(info.nskesk, 1);
	assert_int_equal(info.keyids[0][0], 0x31);
	assert_int_equal(info.keyids[1][0], 0x32);
	assert_int_equal(info.keyids[2][0], 0x33);
	free(m);
}

static void test_pgpscan__rejects_odd_session_key_lengths(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t body[64];
	size_t n = pkesk_v3(body, 0x41);

	(void)state;
	assert_non_null(m);
	pkt_old(m, 1, body, n, 3);
	scan_refused("indeterminate", m->b, m->n, true,
		     "malformed OpenPGP message (packet 1, tag 1, has an "
		     "indeterminate length, which only a data packet may "
		     "have)");
	m->n = 0;
	put1(m, 0xc0 | 1);
	put1(m, 224 + 4); /* 16 bytes, then more */
	put(m, body, n);
	scan_refused("partial", m->b, m->n, true,
		     "packet 1, tag 1, has a partial body length");
	free(m);
}

static void test_pgpscan__rejects_unknown_packet_before_data(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));

	(void)state;
	assert_non_null(m);
	put_pkesk(m, 0x11);
	pkt_new(m, 60, "xyz", 3, 1);
	put_seipd(m);
	scan_refused("tag 60", m->b, m->n, true,
		     "unexpected OpenPGP packet (tag 60) before the encrypted "
		     "data");
	m->n = 0;
	put_pkesk(m, 0x11);
	pkt_new(m, 11, "b\0\0\0\0\0x", 7, 1);
	scan_refused("literal after pkesk", m->b, m->n, true,
		     "unexpected OpenPGP packet (tag 11)");
	m->n = 0;
	pkt_new(m, 60, "xyz", 3, 1);
	scan_refused("tag 60 first", m->b, m->n, true,
		     "not an OpenPGP message (it starts with a packet of tag "
		     "60)");
	free(m);
}

static void test_pgpscan__rejects_junk_between_packets(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));

	(void)state;
	assert_non_null(m);
	put_pkesk(m, 0x11);
	put1(m, 0x42);
	put_seipd(m);
	scan_refused("junk", m->b, m->n, true,
		     "malformed OpenPGP message (packet 2 does not start with "
		     "a packet header)");
	free(m);
}

static void test_pgpscan__v6_pkesk_and_seipd_v2(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[128], data[64], zero[8] = {0};
	size_t n;

	(void)state;
	assert_non_null(m);
	/* a v4 key: id = the last 8 bytes of its 20-byte fingerprint */
	n = 0;
	body[n++] = 6;
	body[n++] = 21;
	body[n++] = 4;
	for (int i = 0; i < 20; i++)
		body[n++] = (uint8_t)(0xa0 + i);
	body[n++] = 25; /* X25519 */
	memset(body + n, 0x42, 40);
	pkt_new(m, 1, body, n + 40, 1);
	/* a v6 key: id = the first 8 bytes of its 32-byte fingerprint */
	n = 0;
	body[n++] = 6;
	body[n++] = 33;
	body[n++] = 6;
	for (int i = 0; i < 32; i++)
		body[n++] = (uint8_t)(0x10 + i);
	body[n++] = 25;
	memset(body + n, 0x42, 40);
	pkt_new(m, 1, body, n + 40, 1);
	/* an anonymous recipient */
	body[0] = 6;
	body[1] = 0;
	body[2] = 25;
	memset(body + 3, 0x42, 40);
	pkt_new(m, 1, body, 43, 1);
	/* SEIPD v2: version, cipher, AEAD, chunk size, salt */
	memset(data, 0x5a, sizeof(data));
	data[0] = 2;
	pkt_new(m, 18, data, sizeof(data), 1);
	scan_ok("v6", m->b, m->n, true, &info);
	assert_int_equal(info.npkesk, 3);
	assert_int_equal(info.nkeyids, 3);
	assert_int_equal(info.keyids[0][0], 0xa0 + 12);
	assert_int_equal(info.keyids[0][7], 0xa0 + 19);
	assert_int_equal(info.keyids[1][0], 0x10);
	assert_int_equal(info.keyids[1][7], 0x17);
	assert_memory_equal(info.keyids[2], zero, 8);
	assert_int_equal(info.data_tag, 18);
	assert_int_equal(info.seipd_version, 2);
	free(m);
}

static void test_pgpscan__rejects_bad_v6_pkesk(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t body[64];

	(void)state;
	assert_non_null(m);
	memset(body, 0x42, sizeof(body));
	body[0] = 6;
	body[1] = 33; /* a 32-byte fingerprint for a v4 key */
	body[2] = 4;
	pkt_new(m, 1, body, sizeof(body), 1);
	put_seipd(m);
	scan_refused("v6 size", m->b, m->n, true,
		     "malformed OpenPGP message (packet 1: a v6 session key "
		     "for a version 4 key with a 32-byte fingerprint)");
	m->n = 0;
	body[0] = 5;
	pkt_new(m, 1, body, sizeof(body), 1);
	put_seipd(m);
	scan_refused("v5", m->b, m->n, true,
		     "unsupported OpenPGP message (packet 1 is a version 5 "
		     "public-key session key");
	free(m);
}

static void test_pgpscan__short_packets_are_malformed(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t body[64];

	(void)state;
	assert_non_null(m);
	pkesk_v3(body, 0x11);
	pkt_new(m, 1, body, 5, 1); /* key id cut */
	put_seipd(m);
	scan_refused("short pkesk", m->b, m->n, true,
		     "malformed OpenPGP message (packet 1, tag 1, is too "
		     "short)");
	m->n = 0;
	put_pkesk(m, 0x11);
	pkt_new(m, 18, "", 0, 1);
	scan_refused("empty seipd", m->b, m->n, false,
		     "packet 2, tag 18, is too short");
	free(m);
}

static void test_pgpscan__data_packet_versions(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t data[32];

	(void)state;
	assert_non_null(m);
	memset(data, 0x5a, sizeof(data));
	put_pkesk(m, 0x11);
	data[0] = 1; /* LibrePGP OCB */
	pkt_new(m, 20, data, sizeof(data), 1);
	scan_ok("aead", m->b, m->n, true, &info);
	assert_int_equal(info.data_tag, 20);
	assert_int_equal(info.seipd_version, 0);
	m->n = 0;
	put_pkesk(m, 0x11);
	data[0] = 2; /* OCB packets have version 1 only */
	pkt_new(m, 20, data, sizeof(data), 1);
	scan_refused("aead v2", m->b, m->n, true,
		     "unsupported OpenPGP message (version 2 encrypted data "
		     "packet, tag 20)");
	m->n = 0;
	put_pkesk(m, 0x11);
	data[0] = 3;
	pkt_new(m, 18, data, sizeof(data), 1);
	scan_refused("seipd v3", m->b, m->n, true,
		     "unsupported OpenPGP message (version 3 encrypted data "
		     "packet, tag 18)");
	m->n = 0;
	pkt_new(m, 18, data, sizeof(data), 1);
	scan_refused("no session key", m->b, m->n, true,
		     "symmetric-only encryption");
	free(m);
}

static void test_pgpscan__keeps_at_most_16_keyids(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < 20; i++)
		put_pkesk(m, (uint8_t)i);
	put_seipd(m);
	scan_ok("20 recipients", m->b, m->n, true, &info);
	assert_int_equal(info.npkesk, 20);
	assert_int_equal(info.nkeyids, AL_PGP_SCAN_MAX_KEYIDS);
	assert_int_equal(info.keyids[15][0], 15);
	free(m);
}

/* ---- truncation and the head ------------------------------------------- */

static void test_pgpscan__truncated_inside_a_header(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t body[300];

	(void)state;
	assert_non_null(m);
	pkesk_v3(body, 0x11);
	pkt_new(m, 1, body, 300, 5);
	scan_refused("5-octet length cut", m->b, 3, true,
		     "truncated OpenPGP message (it ends inside the header "
		     "of packet 1, tag 1)");
	scan_refused("inside the body", m->b, 40, true,
		     "truncated OpenPGP message (it ends inside packet 1, "
		     "tag 1)");
	scan_refused("one byte short", m->b, m->n - 1, true,
		     "truncated OpenPGP message (it ends inside packet 1, "
		     "tag 1)");
	scan_refused("head ends in header", m->b, 3, false,
		     "no encrypted data packet in the first 3 bytes of the "
		     "OpenPGP message (they end inside the header of packet 1, "
		     "tag 1)");
	free(m);
}

/*
 * Every prefix of a real message: refused as truncated until the data
 * packet's header and version byte are there, accepted from then on,
 * whether or not the prefix is the whole file.
 */
static void test_pgpscan__every_prefix(void **state)
{
	size_t len;
	char *buf = read_pgp("enc-two.gpg", &len);
	size_t need = 192 + 2 + 1; /* two PKESKs, the header, the version */

	(void)state;
	assert_true(len > need);
	for (size_t n = 1; n < need; n++) {
		scan_refused("prefix", buf, n, true,
			     "truncated OpenPGP message");
		scan_refused("head", buf, n, false,
			     "no encrypted data packet in the first");
	}
	for (size_t n = need; n <= len; n++) {
		struct al_pgp_info info;

		scan_ok("prefix", buf, n, false, &info);
		scan_ok("prefix", buf, n, true, &info);
		assert_int_equal(info.npkesk, 2);
	}
	free(buf);
}

/* The same for an armored message: one shortest prefix that passes. */
static void test_pgpscan__every_armored_prefix(void **state)
{
	size_t len, first = 0;
	char *buf = read_pgp("enc-headers.asc", &len);

	(void)state;
	for (size_t n = 1; n <= len; n++) {
		struct al_error err = {0};
		struct al_pgp_info info;
		int rc = al_pgp_scan(buf, n, true, &info, &err);

		if (rc == 0 && !first)
			first = n;
		if (first && rc != 0)
			fail_msg("prefix %zu refused after %zu passed: %s", n,
				 first, err.msg);
		if (!first && !strstr(err.msg, "truncated OpenPGP message"))
			fail_msg("prefix %zu: '%s'", n, err.msg);
	}
	/* the armor's first lines, then the base64 of 99 bytes (PKESK 96,
	 * data packet header 2, version 1): 132 characters, with the line
	 * breaks after the first two lines of 64 */
	assert_int_equal(first, strstr(buf, "\n\n") + 2 - buf + 132 + 2);
	free(buf);
}

static void test_pgpscan__head_after_data_header_vs_whole_file(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[300];

	(void)state;
	assert_non_null(m);
	put_pkesk(m, 0x11);
	/* a data packet of 1 MiB: only its 6-byte header and version */
	put1(m, 0xc0 | 18);
	put1(m, 255);
	put_be(m, 1u << 20, 4);
	put1(m, 1);
	scan_ok("head", m->b, m->n, false, &info);
	assert_int_equal(info.data_tag, 18);
	/* the file ends after the session keys */
	m->n = 0;
	pkesk_v3(body, 0x11);
	pkt_new(m, 1, body, 30, 1);
	scan_refused("whole", m->b, m->n, true,
		     "truncated OpenPGP message (it ends before the encrypted "
		     "data packet)");
	scan_refused("head", m->b, m->n, false,
		     "no encrypted data packet in the first 32 bytes");
	free(m);
}

static void test_pgpscan__looks_at_the_head_only(void **state)
{
	struct msg *m = calloc(1, sizeof(*m));
	struct al_pgp_info info;
	uint8_t body[8000];
	size_t n = pkesk_v3(body, 0x11);

	(void)state;
	assert_non_null(m);
	/* a real message followed by more than the head of anything */
	put_pkesk(m, 0x11);
	put_seipd(m);
	memset(m->b + m->n, 0xff, sizeof(m->b) - m->n);
	scan_ok("long", m->b, sizeof(m->b), true, &info);
	/* session keys longer than the head: refused even as the whole
	 * file, since the scan does not look past AL_PGP_SCAN_HEAD */
	m->n = 0;
	memset(body + n, 0x42, sizeof(body) - n);
	while (m->n < AL_PGP_SCAN_HEAD)
		pkt_new(m, 1, body, sizeof(body), 2);
	put_seipd(m);
	scan_refused("long session keys", m->b, m->n, true,
		     "no encrypted data packet in the first 65536 bytes");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgpscan__accepts_one_recipient),
		cmocka_unit_test(test_pgpscan__accepts_two_recipients),
		cmocka_unit_test(test_pgpscan__hidden_recipient_has_zero_keyid),
		cmocka_unit_test(test_pgpscan__accepts_armored),
		cmocka_unit_test(test_pgpscan__accepts_armor_crlf_blank_lines),
		cmocka_unit_test(test_pgpscan__accepts_signed_then_encrypted),
		cmocka_unit_test(
			test_pgpscan__accepts_public_key_and_passphrase),
		cmocka_unit_test(test_pgpscan__rejects_symmetric_only),
		cmocka_unit_test(test_pgpscan__rejects_signed_only),
		cmocka_unit_test(test_pgpscan__rejects_clearsigned),
		cmocka_unit_test(test_pgpscan__rejects_detached_signature),
		cmocka_unit_test(test_pgpscan__rejects_literal_only),
		cmocka_unit_test(test_pgpscan__rejects_compressed_only),
		cmocka_unit_test(test_pgpscan__rejects_no_mdc),
		cmocka_unit_test(test_pgpscan__rejects_handmade_no_mdc),
		cmocka_unit_test(test_pgpscan__rejects_keys),
		cmocka_unit_test(test_pgpscan__rejects_empty),
		cmocka_unit_test(test_pgpscan__rejects_text),
		cmocka_unit_test(test_pgpscan__rejects_random_bytes),
		cmocka_unit_test(test_pgpscan__rejects_bad_base64),
		cmocka_unit_test(
			test_pgpscan__rejects_armor_without_blank_line),
		cmocka_unit_test(test_pgpscan__rejects_other_armor),
		cmocka_unit_test(
			test_pgpscan__armor_that_ends_early_is_truncated),
		cmocka_unit_test(test_pgpscan__accepts_marker_packet_first),
		cmocka_unit_test(test_pgpscan__new_format_lengths),
		cmocka_unit_test(test_pgpscan__old_format_lengths),
		cmocka_unit_test(test_pgpscan__rejects_odd_session_key_lengths),
		cmocka_unit_test(
			test_pgpscan__rejects_unknown_packet_before_data),
		cmocka_unit_test(test_pgpscan__rejects_junk_between_packets),
		cmocka_unit_test(test_pgpscan__v6_pkesk_and_seipd_v2),
		cmocka_unit_test(test_pgpscan__rejects_bad_v6_pkesk),
		cmocka_unit_test(test_pgpscan__short_packets_are_malformed),
		cmocka_unit_test(test_pgpscan__data_packet_versions),
		cmocka_unit_test(test_pgpscan__keeps_at_most_16_keyids),
		cmocka_unit_test(test_pgpscan__truncated_inside_a_header),
		cmocka_unit_test(test_pgpscan__every_prefix),
		cmocka_unit_test(test_pgpscan__every_armored_prefix),
		cmocka_unit_test(
			test_pgpscan__head_after_data_header_vs_whole_file),
		cmocka_unit_test(test_pgpscan__looks_at_the_head_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
