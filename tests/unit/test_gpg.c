/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "al_error.h"
#include "al_gpg.h"
#include "al_hash.h"

#include "gpg_fixture.h"

/*
 * The keyrings, made once for the whole group:
 *   home:  alice (sign primary, sign subkey, encrypt subkey, secret),
 *          signonly (secret, no encryption subkey), expired (made in 2020,
 *          valid for a day), revoked, old (made on 2022-01-01, never
 *          expires), locked (secret key under a passphrase, which the
 *          agent cannot ask for: its pinentry is /bin/false), and bob's
 *          public key only.
 *   other: bob (secret), eve (never shown to home), dave (for import).
 */
static struct {
	struct gpg_fixture fx;
	struct al_gpg *g;
	char alice[FX_FPR], alice_sub[2][FX_FPR];
	char signonly[FX_FPR], expired[FX_FPR], revoked[FX_FPR];
	char old[FX_FPR], locked[FX_FPR];
	char bob[FX_FPR], eve[FX_FPR], dave[FX_FPR];
} S;

static const char hello[] = "the vulnerability report\n";

static int mk_keys(void)
{
	char p[FX_PATH], q[FX_PATH];
	struct gpg_fixture *fx = &S.fx;

	if (gpg_fixture_key(fx->home, "alice", "se", NULL, S.alice,
			    S.alice_sub) != 0 ||
	    gpg_fixture_key(fx->home, "signonly", "", NULL, S.signonly, NULL) !=
		    0 ||
	    gpg_fixture_key(fx->home, "expired", "e", "20200101T000000!",
			    S.expired, NULL) != 0 ||
	    gpg_fixture_key(fx->home, "revoked", "e", NULL, S.revoked, NULL) !=
		    0 ||
	    gpg_fixture_key_ex(fx->home, "old", "", "20220101T000000!", "never",
			       "", S.old, NULL) != 0 ||
	    gpg_fixture_key_ex(fx->home, "locked", "e", NULL, "1d",
			       "a passphrase", S.locked, NULL) != 0 ||
	    gpg_fixture_key(fx->other, "bob", "e", NULL, S.bob, NULL) != 0 ||
	    gpg_fixture_key(fx->other, "eve", "", NULL, S.eve, NULL) != 0 ||
	    gpg_fixture_key(fx->other, "dave", "e", NULL, S.dave, NULL) != 0 ||
	    gpg_fixture_copy_public(fx->other, fx->home, S.bob) != 0 ||
	    gpg_fixture_copy_public(fx->home, fx->other, S.signonly) != 0)
		return -1;
	/* Signatures made while the keys were still good. */
	if (gpg_fixture_write(gpg_fixture_path(fx, "hello", p), hello,
			      strlen(hello)) != 0 ||
	    gpg_fixture_run_at(fx->home, "20200101T060000!", NULL, NULL,
			       "--local-user", S.expired, "--output",
			       gpg_fixture_path(fx, "expired.sig", q),
			       "--detach-sign", p, NULL) != 0 ||
	    gpg_fixture_run(fx->home, NULL, NULL, "--local-user", S.revoked,
			    "--output", gpg_fixture_path(fx, "revoked.sig", q),
			    "--detach-sign", p, NULL) != 0 ||
	    gpg_fixture_revoke(fx->home, S.revoked) != 0 ||
	    gpg_fixture_run_at(fx->home, "20220102T000000!", NULL, NULL,
			       "--local-user", S.old, "--output",
			       gpg_fixture_path(fx, "old.sig", q),
			       "--detach-sign", p, NULL) != 0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return gpg_fixture_session(&S.fx, mk_keys, &S.g);
}

static int teardown(void **state)
{
	(void)state;
	gpg_fixture_session_end(&S.fx, S.g);
	return 0;
}

/* ---- producers ---- */

struct mem_src {
	const char *data;
	size_t len;
	size_t chunk;
	int calls;
};

static int produce_mem(void *ctx, al_sink_fn sink, void *sink_ctx,
		       struct al_error *err)
{
	struct mem_src *m = ctx;

	m->calls++;
	for (size_t off = 0; off < m->len; off += m->chunk) {
		size_t n = m->len - off < m->chunk ? m->len - off : m->chunk;
		int rc = sink(sink_ctx, m->data + off, n, err);

		if (rc)
			return rc;
	}
	return 0;
}

/* A deterministic stream of total bytes, hashed on the way; fails after
 * fail_after bytes when fail_after is not 0. */
struct gen_src {
	uint64_t total;
	uint64_t fail_after;
	uint64_t sent;
	int sink_rc;
	char hex[AL_SHA256_HEX];
};

static int produce_gen(void *ctx, al_sink_fn sink, void *sink_ctx,
		       struct al_error *err)
{
	struct gen_src *s = ctx;
	struct al_sha256 *h = NULL;
	static uint64_t buf[8192];
	uint64_t x = 0x9E3779B97F4A7C15u;
	int rc;

	if (al_sha256_new(&h, err) != 0)
		return err->code;
	while (s->sent < s->total) {
		size_t n = sizeof(buf);

		if (s->fail_after && s->sent >= s->fail_after) {
			al_sha256_free(h);
			return al_error_set(
				err, AL_EIO,
				"attachment 'poc.bin': read failed");
		}
		for (size_t i = 0; i < 8192; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (s->total - s->sent < n)
			n = (size_t)(s->total - s->sent);
		al_sha256_update(h, buf, n);
		rc = sink(sink_ctx, buf, n, err);
		if (rc) {
			s->sink_rc = rc;
			al_sha256_free(h);
			return rc;
		}
		s->sent += n;
	}
	al_sha256_final(h, s->hex, NULL);
	al_sha256_free(h);
	return 0;
}

/* ---- helpers ---- */

static int open_out(const char *name, char path[FX_PATH])
{
	int fd = open(gpg_fixture_path(&S.fx, name, path),
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	return fd;
}

/* gpg --decrypt in home; the plain text to plain, status lines to
 * status (both under work).  Returns gpg's exit status. */
static int decrypt_in(const char *home, const char *cipher, const char *plain,
		      const char *status)
{
	char pp[FX_PATH], sp[FX_PATH];

	return gpg_fixture_run(home, NULL, NULL, "--yes", "--status-file",
			       gpg_fixture_path(&S.fx, status, sp), "--output",
			       gpg_fixture_path(&S.fx, plain, pp), "--decrypt",
			       cipher, NULL);
}

static char *work_file(const char *name, size_t *len)
{
	char p[FX_PATH];
	char *s = gpg_fixture_read(gpg_fixture_path(&S.fx, name, p), len);

	assert_non_null(s);
	return s;
}

static void sha256_file(const char *path, char hex[AL_SHA256_HEX])
{
	static char buf[1 << 16];
	struct al_sha256 *h = NULL;
	struct al_error err;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(al_sha256_new(&h, &err), 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		al_sha256_update(h, buf, (size_t)n);
	assert_int_equal(n, 0);
	close(fd);
	al_sha256_final(h, hex, NULL);
	al_sha256_free(h);
}

static int encrypt_mem(const char *const *rcpt, size_t n, const char *signer,
		       bool armor, const char *data, const char *out_name,
		       char out_path[FX_PATH], struct al_error *err)
{
	struct mem_src m = {data, strlen(data), 7, 0};
	int fd = open_out(out_name, out_path);
	int rc = al_gpg_encrypt(S.g, rcpt, n, signer, armor, produce_mem, &m,
				fd, err);

	close(fd);
	return rc;
}

/* A detached signature over hello by keys (one or two, in home). */
static void sign_hello(const char *home, const char *const *keys, size_t n,
		       const char *name)
{
	char p[FX_PATH], q[FX_PATH];
	int rc;

	gpg_fixture_path(&S.fx, "hello", p);
	gpg_fixture_path(&S.fx, name, q);
	if (n == 1)
		rc = gpg_fixture_run(home, NULL, NULL, "--yes", "--local-user",
				     keys[0], "--output", q, "--detach-sign", p,
				     NULL);
	else
		rc = gpg_fixture_run(home, NULL, NULL, "--yes", "--local-user",
				     keys[0], "--local-user", keys[1],
				     "--output", q, "--detach-sign", p, NULL);
	assert_int_equal(rc, 0);
}

static int verify_file_at(const char *sig_name, const char *data, size_t len,
			  const char *pin, char signer[AL_FPR_MAX],
			  int64_t *sig_time, struct al_error *err)
{
	size_t siglen = 0;
	char *sig = work_file(sig_name, &siglen);
	int rc = al_gpg_verify_detached(S.g, data, len, sig, siglen, pin,
					signer, sig_time, err);

	free(sig);
	return rc;
}

static int verify_file(const char *sig_name, const char *data, size_t len,
		       const char *pin, char signer[AL_FPR_MAX],
		       struct al_error *err)
{
	return verify_file_at(sig_name, data, len, pin, signer, NULL, err);
}

static void assert_msg(const struct al_error *err, int code, const char *needle)
{
	if (err->code != code || !strstr(err->msg, needle))
		fail_msg("got %d '%s', wanted %d with '%s'", err->code,
			 err->msg, code, needle);
}

/* ---- key checks ---- */

static void
test_gpg__check_key_accepts_spaced_lowercase_fingerprint(void **state)
{
	char spaced[128], primary[AL_FPR_MAX];
	struct al_error err;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 40; i++) {
		char c = S.alice[i];

		if (i && i % 4 == 0)
			spaced[n++] = ' ';
		spaced[n++] =
			(c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	spaced[n] = '\0';
	assert_int_equal(
		al_gpg_check_key(S.g, spaced, AL_KEY_ENCRYPT, primary, &err),
		0);
	assert_string_equal(primary, S.alice);
	assert_int_equal(
		al_gpg_check_key(S.g, S.alice, AL_KEY_SIGN, primary, &err), 0);
	assert_string_equal(primary, S.alice);
	assert_int_equal(
		al_gpg_check_key(S.g, S.bob, AL_KEY_ENCRYPT, NULL, &err), 0);
}

static void test_gpg__check_key_refuses_what_is_not_a_fingerprint(void **state)
{
	char longer[64], shorter[64], bad[64], huge[400];
	const char *cases[] = {
		"DEADBEEF", "0123456789ABCDEF", longer, shorter, bad, "",
		huge,       "alice@example.org"};
	char primary[AL_FPR_MAX] = "x";
	struct al_error err;

	(void)state;
	snprintf(longer, sizeof(longer), "%sA", S.alice);
	snprintf(shorter, sizeof(shorter), "%.39s", S.alice);
	snprintf(bad, sizeof(bad), "0x%s", S.alice);
	memset(huge, '0', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(al_gpg_check_key(S.g, cases[i], AL_KEY_ENCRYPT,
						  primary, &err),
				 AL_EINVAL);
		assert_msg(&err, AL_EINVAL, "is not a full fingerprint");
		assert_string_equal(primary, "");
	}
	al_gpg_check_key(S.g, "DEADBEEF", AL_KEY_ENCRYPT, NULL, &err);
	assert_string_equal(err.msg, "'DEADBEEF' is not a full fingerprint");
	/* Control characters are shown, not printed. */
	al_gpg_check_key(S.g, "AB\x1b[2J", AL_KEY_ENCRYPT, NULL, &err);
	assert_null(strchr(err.msg, '\x1b'));
	assert_int_equal(al_gpg_check_key(S.g, NULL, AL_KEY_SIGN, NULL, &err),
			 AL_EINVAL);
}

static void test_gpg__check_key_unknown_fingerprint_is_not_found(void **state)
{
	const char *unknown = "0000111122223333444455556666777788889999";
	char want[128];
	struct al_error err;

	(void)state;
	assert_int_equal(
		al_gpg_check_key(S.g, unknown, AL_KEY_ENCRYPT, NULL, &err),
		AL_ENOTFOUND);
	assert_string_equal(
		err.msg,
		"no key '0000111122223333444455556666777788889999' in the "
		"keyring");
	/* eve lives only in the other keyring */
	snprintf(want, sizeof(want), "no key '%s' in the keyring", S.eve);
	assert_int_equal(al_gpg_check_key(S.g, S.eve, AL_KEY_SIGN, NULL, &err),
			 AL_ENOTFOUND);
	assert_string_equal(err.msg, want);
}

static void test_gpg__check_key_subkey_fingerprint_gives_primary(void **state)
{
	char primary[AL_FPR_MAX];
	struct al_error err;

	(void)state;
	assert_int_equal(al_gpg_check_key(S.g, S.alice_sub[1], AL_KEY_ENCRYPT,
					  primary, &err),
			 0);
	assert_string_equal(primary, S.alice);
}

static void test_gpg__check_key_refuses_expired_key(void **state)
{
	struct al_error err;

	(void)state;
	assert_int_equal(
		al_gpg_check_key(S.g, S.expired, AL_KEY_ENCRYPT, NULL, &err),
		AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, S.expired);
	assert_msg(&err, AL_ECRYPTO, "has expired");
	assert_int_equal(
		al_gpg_check_key(S.g, S.expired, AL_KEY_SIGN, NULL, &err),
		AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "has expired");
}

static void test_gpg__check_key_refuses_revoked_key(void **state)
{
	char want[128];
	struct al_error err;

	(void)state;
	snprintf(want, sizeof(want), "key '%s' is revoked", S.revoked);
	assert_int_equal(
		al_gpg_check_key(S.g, S.revoked, AL_KEY_ENCRYPT, NULL, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
	assert_int_equal(
		al_gpg_check_key(S.g, S.revoked, AL_KEY_SIGN, NULL, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
}

static void test_gpg__check_key_sign_only_key_cannot_encrypt(void **state)
{
	char want[128];
	struct al_error err;

	(void)state;
	snprintf(want, sizeof(want), "key '%s' has no usable encryption subkey",
		 S.signonly);
	assert_int_equal(
		al_gpg_check_key(S.g, S.signonly, AL_KEY_ENCRYPT, NULL, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
	assert_int_equal(
		al_gpg_check_key(S.g, S.signonly, AL_KEY_SIGN, NULL, &err), 0);
}

static void test_gpg__check_key_signing_needs_the_secret_key(void **state)
{
	char want[128];
	struct al_error err;

	(void)state;
	snprintf(want, sizeof(want), "no secret key for '%s' in the keyring",
		 S.bob);
	assert_int_equal(al_gpg_check_key(S.g, S.bob, AL_KEY_SIGN, NULL, &err),
			 AL_ECRYPTO);
	assert_string_equal(err.msg, want);
}

/* ---- encryption ---- */

static void test_gpg__encrypt_to_two_recipients_each_can_decrypt(void **state)
{
	const char *rcpt[] = {S.alice, S.bob};
	char out[FX_PATH];
	struct al_error err;
	size_t len = 0;
	char *plain, *status;

	(void)state;
	assert_int_equal(
		encrypt_mem(rcpt, 2, NULL, false, hello, "two.gpg", out, &err),
		0);
	/* alice's secret is in home, bob's in other */
	assert_int_equal(decrypt_in(S.fx.home, out, "two.a", "two.a.st"), 0);
	plain = work_file("two.a", &len);
	assert_string_equal(plain, hello);
	free(plain);
	status = work_file("two.a.st", NULL);
	assert_non_null(strstr(status, "ENC_TO"));
	assert_non_null(strstr(strstr(status, "ENC_TO") + 1, "ENC_TO"));
	assert_null(strstr(status, "GOODSIG"));
	free(status);
	assert_int_equal(decrypt_in(S.fx.other, out, "two.b", "two.b.st"), 0);
	plain = work_file("two.b", &len);
	assert_string_equal(plain, hello);
	free(plain);
	/* one key named twice (primary and subkey) is encrypted to once */
	rcpt[1] = S.alice_sub[1];
	assert_int_equal(
		encrypt_mem(rcpt, 2, NULL, false, hello, "dup.gpg", out, &err),
		0);
	assert_int_equal(decrypt_in(S.fx.home, out, "dup.a", "dup.st"), 0);
	status = work_file("dup.st", NULL);
	assert_null(strstr(strstr(status, "ENC_TO") + 1, "ENC_TO"));
	free(status);
	/* binary, not armored */
	plain = work_file("two.gpg", &len);
	assert_null(strstr(plain, "-----BEGIN PGP"));
	free(plain);
}

static void test_gpg__sign_and_encrypt_gives_good_signature(void **state)
{
	const char *rcpt[] = {S.alice};
	char out[FX_PATH], want[200];
	struct al_error err;
	char *plain, *status, *line;

	(void)state;
	assert_int_equal(encrypt_mem(rcpt, 1, S.alice, false, hello, "se.gpg",
				     out, &err),
			 0);
	assert_int_equal(decrypt_in(S.fx.home, out, "se.txt", "se.st"), 0);
	plain = work_file("se.txt", NULL);
	assert_string_equal(plain, hello);
	free(plain);
	status = work_file("se.st", NULL);
	assert_non_null(strstr(status, "[GNUPG:] GOODSIG"));
	/* made by alice's signing subkey, whose primary is alice */
	snprintf(want, sizeof(want), "[GNUPG:] VALIDSIG %s ", S.alice_sub[0]);
	line = strstr(status, want);
	assert_non_null(line);
	*strchr(line, '\n') = '\0';
	assert_non_null(strstr(line, S.alice));
	free(status);
}

static void test_gpg__encrypt_armored(void **state)
{
	const char *rcpt[] = {S.bob};
	char out[FX_PATH];
	struct al_error err;
	char *text;

	(void)state;
	assert_int_equal(encrypt_mem(rcpt, 1, S.signonly, true, hello,
				     "arm.asc", out, &err),
			 0);
	text = work_file("arm.asc", NULL);
	assert_int_equal(strncmp(text, "-----BEGIN PGP MESSAGE-----", 27), 0);
	assert_non_null(strstr(text, "-----END PGP MESSAGE-----"));
	free(text);
	assert_int_equal(decrypt_in(S.fx.other, out, "arm.txt", "arm.st"), 0);
	text = work_file("arm.txt", NULL);
	assert_string_equal(text, hello);
	free(text);
	/* the next encryption is binary again */
	assert_int_equal(
		encrypt_mem(rcpt, 1, NULL, false, hello, "arm.gpg", out, &err),
		0);
	text = work_file("arm.gpg", NULL);
	assert_int_not_equal(strncmp(text, "-----BEGIN", 10), 0);
	free(text);
}

static void test_gpg__encrypt_refuses_armor_forced_by_gpg_conf(void **state)
{
	const char *rcpt[] = {S.alice};
	char out[FX_PATH], conf[FX_PATH + 16];
	struct al_error err;
	int rc;

	(void)state;
	snprintf(conf, sizeof(conf), "%s/gpg.conf", S.fx.home);
	assert_int_equal(gpg_fixture_write(conf, "armor\n", 6), 0);
	rc = encrypt_mem(rcpt, 1, NULL, false, hello, "conf.gpg", out, &err);
	assert_int_equal(gpg_fixture_write(conf, "auto-key-retrieve\n", 18), 0);
	assert_int_equal(rc, AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "gpg wrote armored output");
	/* asked for armor, it is fine */
	assert_int_equal(
		encrypt_mem(rcpt, 1, NULL, true, hello, "conf.gpg", out, &err),
		0);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

static void test_gpg__encrypt_streams_64_mib_in_constant_memory(void **state)
{
	const char *rcpt[] = {S.alice};
	struct gen_src src = {.total = 64u << 20};
	char out[FX_PATH], plain[FX_PATH], hex[AL_SHA256_HEX];
	struct al_error err;
	long before, after;
	int fd;

	(void)state;
	fd = open_out("big.gpg", out);
	before = max_rss_kib();
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, S.alice, false,
					produce_gen, &src, fd, &err),
			 0);
	after = max_rss_kib();
	close(fd);
	assert_true(src.sent == src.total);
	/* 64 MiB went through; the process grew by far less */
	if (after - before > 16 * 1024)
		fail_msg("peak memory grew by %ld KiB", after - before);
	assert_int_equal(decrypt_in(S.fx.home, out, "big.txt", "big.st"), 0);
	sha256_file(gpg_fixture_path(&S.fx, "big.txt", plain), hex);
	assert_string_equal(hex, src.hex);
	unlink(out);
	unlink(plain);
}

static void test_gpg__encrypt_returns_producer_error_mid_stream(void **state)
{
	const char *rcpt[] = {S.alice};
	struct gen_src src = {.total = 8u << 20, .fail_after = 1u << 20};
	char out[FX_PATH];
	struct al_error err;
	int fd;

	(void)state;
	fd = open_out("fail.gpg", out);
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, S.alice, false,
					produce_gen, &src, fd, &err),
			 AL_EIO);
	close(fd);
	assert_string_equal(err.msg, "attachment 'poc.bin': read failed");
	assert_int_equal(src.sink_rc, 0);
	/* what reached the output is not a whole message */
	assert_int_not_equal(decrypt_in(S.fx.home, out, "fail.txt", "fail.st"),
			     0);
}

static int produce_nothing_fails(void *ctx, al_sink_fn sink, void *sink_ctx,
				 struct al_error *err)
{
	(void)ctx;
	(void)sink;
	(void)sink_ctx;
	return al_error_set(err, AL_ELIMIT, "report 'r.json': too large");
}

static void test_gpg__encrypt_returns_producer_error_at_start(void **state)
{
	const char *rcpt[] = {S.alice};
	char out[FX_PATH];
	struct al_error err;
	int fd;

	(void)state;
	fd = open_out("fail0.gpg", out);
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, NULL, true,
					produce_nothing_fails, NULL, fd, &err),
			 AL_ELIMIT);
	close(fd);
	assert_string_equal(err.msg, "report 'r.json': too large");
	assert_int_not_equal(
		decrypt_in(S.fx.home, out, "fail0.txt", "fail0.st"), 0);
}

static void test_gpg__encrypt_output_failure_ends_the_producer(void **state)
{
	const char *rcpt[] = {S.alice};
	struct gen_src src = {.total = 32u << 20};
	struct al_error err;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]); /* nobody reads the output: writes fail with EPIPE */
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, NULL, false, produce_gen,
					&src, p[1], &err),
			 AL_EIO);
	close(p[1]);
	assert_msg(&err, AL_EIO, "cannot write the encrypted output");
	/* the producer was stopped by its sink, long before the end */
	assert_int_equal(src.sink_rc, AL_EIO);
	assert_true(src.sent < src.total);
}

static void test_gpg__encrypt_refuses_bad_keys_before_producing(void **state)
{
	const char *signonly[] = {S.alice, S.signonly};
	const char *expired[] = {S.expired};
	const char *keyid[] = {"DEADBEEFDEADBEEF"};
	const char *many[65];
	struct mem_src m = {hello, strlen(hello), 64, 0};
	char out[FX_PATH];
	struct al_error err;
	int fd = open_out("refused.gpg", out);

	(void)state;
	assert_int_equal(al_gpg_encrypt(S.g, signonly, 2, NULL, false,
					produce_mem, &m, fd, &err),
			 AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "no usable encryption subkey");
	assert_int_equal(al_gpg_encrypt(S.g, expired, 1, NULL, false,
					produce_mem, &m, fd, &err),
			 AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "has expired");
	assert_int_equal(al_gpg_encrypt(S.g, keyid, 1, NULL, false, produce_mem,
					&m, fd, &err),
			 AL_EINVAL);
	/* never symmetric: no recipient is a refusal */
	assert_int_equal(al_gpg_encrypt(S.g, keyid, 0, NULL, false, produce_mem,
					&m, fd, &err),
			 AL_EUSAGE);
	assert_msg(&err, AL_EUSAGE, "no recipient");
	for (size_t i = 0; i < 65; i++)
		many[i] = S.alice;
	assert_int_equal(al_gpg_encrypt(S.g, many, 65, NULL, false, produce_mem,
					&m, fd, &err),
			 AL_ELIMIT);
	assert_int_equal(m.calls, 0);
	close(fd);
	fd = open(out, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}

static void test_gpg__encrypt_refuses_signer_without_secret(void **state)
{
	const char *rcpt[] = {S.alice};
	char out[FX_PATH], want[128];
	struct al_error err;

	(void)state;
	snprintf(want, sizeof(want), "no secret key for '%s' in the keyring",
		 S.bob);
	assert_int_equal(
		encrypt_mem(rcpt, 1, S.bob, false, hello, "nos.gpg", out, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
	assert_int_equal(encrypt_mem(rcpt, 1, S.revoked, false, hello,
				     "nos.gpg", out, &err),
			 AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "is revoked");
}

/* ---- detached signatures ---- */

static void
test_gpg__verify_good_signature_by_subkey_gives_primary(void **state)
{
	const char *k[] = {S.alice};
	char signer[AL_FPR_MAX];
	struct al_error err;

	(void)state;
	sign_hello(S.fx.home, k, 1, "good.sig");
	assert_int_equal(verify_file("good.sig", hello, strlen(hello), S.alice,
				     signer, &err),
			 0);
	assert_string_equal(signer, S.alice);
	/* no pin: still checked, the signer reported */
	assert_int_equal(verify_file("good.sig", hello, strlen(hello), NULL,
				     signer, &err),
			 0);
	assert_string_equal(signer, S.alice);
}

static void test_gpg__verify_refuses_wrong_pin(void **state)
{
	const char *k[] = {S.signonly};
	char signer[AL_FPR_MAX] = "x", want[200];
	struct al_error err;

	(void)state;
	sign_hello(S.fx.home, k, 1, "pin.sig");
	snprintf(want, sizeof(want), "signed by %s, expected %s", S.signonly,
		 S.alice);
	assert_int_equal(verify_file("pin.sig", hello, strlen(hello), S.alice,
				     signer, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	assert_string_equal(signer, "");
	/* a pin must itself be a fingerprint */
	assert_int_equal(verify_file("pin.sig", hello, strlen(hello),
				     "DEADBEEF", NULL, &err),
			 AL_EINVAL);
}

static void test_gpg__verify_refuses_tampered_data(void **state)
{
	const char *k[] = {S.alice};
	char tampered[sizeof(hello)];
	struct al_error err;

	(void)state;
	sign_hello(S.fx.home, k, 1, "tamper.sig");
	memcpy(tampered, hello, sizeof(hello));
	tampered[4] ^= 0x20;
	assert_int_equal(verify_file("tamper.sig", tampered, strlen(tampered),
				     S.alice, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "signature is bad");
	assert_int_equal(verify_file("tamper.sig", hello, strlen(hello) - 1,
				     S.alice, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "signature is bad");
}

static void test_gpg__verify_refuses_unknown_key(void **state)
{
	const char *k[] = {S.eve};
	struct al_error err;

	(void)state;
	sign_hello(S.fx.other, k, 1, "eve.sig");
	assert_int_equal(
		verify_file("eve.sig", hello, strlen(hello), S.eve, NULL, &err),
		AL_EINTEGRITY);
	assert_msg(&err, AL_EINTEGRITY, "signed by unknown key ");
	/* gpg names the issuer by fingerprint (or its key id) */
	assert_non_null(
		strstr(S.eve, err.msg + strlen("signed by unknown key ")));
}

static void test_gpg__verify_refuses_two_signatures(void **state)
{
	const char *k[] = {S.alice, S.signonly};
	struct al_error err;

	(void)state;
	sign_hello(S.fx.home, k, 2, "two.sig");
	assert_int_equal(verify_file("two.sig", hello, strlen(hello), S.alice,
				     NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "more than one signature");
}

static void test_gpg__verify_refuses_missing_or_garbage_signature(void **state)
{
	const char garbage[] = "this is not a signature at all";
	const char armored[] = "-----BEGIN PGP SIGNATURE-----\n\n"
			       "AAAA\n-----END PGP SIGNATURE-----\n";
	const char *pub_name = "pub.asc";
	char p[FX_PATH];
	struct al_error err;
	size_t len = 0;
	char *pub;

	(void)state;
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello),
						garbage, strlen(garbage), NULL,
						NULL, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "no signature");
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello),
						armored, strlen(armored), NULL,
						NULL, NULL, &err),
			 AL_EINTEGRITY);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), "",
						0, NULL, NULL, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "no signature");
	/* a public key is not a signature either */
	assert_int_equal(gpg_fixture_run(S.fx.home, NULL,
					 gpg_fixture_path(&S.fx, pub_name, p),
					 "--export", S.alice, NULL),
			 0);
	pub = work_file(pub_name, &len);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), pub,
						len, NULL, NULL, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "no signature");
	free(pub);
}

static void test_gpg__verify_refuses_expired_and_revoked_keys(void **state)
{
	struct al_error err;

	(void)state;
	/* made in 2020 while the key was good; the key has expired since */
	assert_int_equal(verify_file("expired.sig", hello, strlen(hello),
				     S.expired, NULL, &err),
			 AL_EINTEGRITY);
	assert_msg(&err, AL_EINTEGRITY, S.expired);
	assert_msg(&err, AL_EINTEGRITY, "expired");
	/* made before the key was revoked */
	assert_int_equal(verify_file("revoked.sig", hello, strlen(hello),
				     S.revoked, NULL, &err),
			 AL_EINTEGRITY);
	assert_msg(&err, AL_EINTEGRITY, S.revoked);
	assert_msg(&err, AL_EINTEGRITY, "revoked");
}

static void test_gpg__verify_gives_the_signature_time(void **state)
{
	const char *k[] = {S.alice};
	char signer[AL_FPR_MAX];
	struct al_error err;
	int64_t when = -1, before, after;

	(void)state;
	/* gpg --faked-system-time 20220102T000000! */
	assert_int_equal(verify_file_at("old.sig", hello, strlen(hello), S.old,
					signer, &when, &err),
			 0);
	assert_string_equal(signer, S.old);
	assert_int_equal(when, 1641081600);
	/* a signature made now says now */
	before = (int64_t)time(NULL);
	sign_hello(S.fx.home, k, 1, "now.sig");
	after = (int64_t)time(NULL);
	assert_int_equal(verify_file_at("now.sig", hello, strlen(hello),
					S.alice, NULL, &when, &err),
			 0);
	assert_true(when >= before - 1 && when <= after + 1);
	/* refused: no time */
	when = -1;
	assert_int_equal(verify_file_at("old.sig", hello, strlen(hello),
					S.alice, NULL, &when, &err),
			 AL_EINTEGRITY);
	assert_int_equal(when, 0);
	when = -1;
	assert_int_equal(verify_file_at("old.sig", hello, strlen(hello) - 1,
					S.old, NULL, &when, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "signature is bad");
	assert_int_equal(when, 0);
}

/* ---- gpg-agent ---- */

static const char agent_prefix[] = "gpg-agent is not available: ";

static void assert_agent_msg(const struct al_error *err)
{
	assert_msg(err, AL_ECRYPTO, agent_prefix);
	/* it names the cause and is not mistaken for a missing key */
	assert_true(strlen(err->msg) > strlen(agent_prefix));
	assert_null(strstr(err->msg, "no secret key"));
	assert_null(strstr(err->msg, "General error"));
}

static int gpg_conf(const char *text)
{
	char conf[FX_PATH + 16];

	snprintf(conf, sizeof(conf), "%s/gpg.conf", S.fx.home);
	return gpg_fixture_write(conf, text, strlen(text));
}

/* home's agent stopped, and gpg told to start /bin/false in its place */
static int break_agent(void **state)
{
	const char *kill[] = {"gpgconf", "--kill", "gpg-agent", NULL};

	(void)state;
	if (gpg_fixture_exec(S.fx.home, NULL, NULL, kill) != 0)
		return -1;
	return gpg_conf("auto-key-retrieve\nagent-program /bin/false\n");
}

static int mend_agent(void **state)
{
	(void)state;
	return gpg_conf("auto-key-retrieve\n");
}

static void test_gpg__check_key_reports_unavailable_agent(void **state)
{
	const char *unknown = "0000111122223333444455556666777788889999";
	char primary[AL_FPR_MAX];
	struct al_error err;

	(void)state;
	/* alice's secret key is there; gpg cannot ask the agent */
	assert_int_equal(
		al_gpg_check_key(S.g, S.alice, AL_KEY_SIGN, primary, &err),
		AL_ECRYPTO);
	assert_agent_msg(&err);
	assert_int_equal(
		al_gpg_check_key(S.g, S.signonly, AL_KEY_SIGN, NULL, &err),
		AL_ECRYPTO);
	assert_agent_msg(&err);
	/* without the agent gpg cannot tell that bob's secret is absent */
	assert_int_equal(al_gpg_check_key(S.g, S.bob, AL_KEY_SIGN, NULL, &err),
			 AL_ECRYPTO);
	assert_agent_msg(&err);
	/* a key that is not there at all is still not found */
	assert_int_equal(
		al_gpg_check_key(S.g, unknown, AL_KEY_SIGN, NULL, &err),
		AL_ENOTFOUND);
	assert_msg(&err, AL_ENOTFOUND, "no key '");
	/* public keys need no agent */
	assert_int_equal(
		al_gpg_check_key(S.g, S.alice, AL_KEY_ENCRYPT, primary, &err),
		0);
	assert_string_equal(primary, S.alice);
}

static void
test_gpg__encrypt_with_signer_reports_unavailable_agent(void **state)
{
	const char *rcpt[] = {S.alice};
	struct mem_src m = {hello, strlen(hello), 64, 0};
	char out[FX_PATH];
	struct al_error err;
	int fd = open_out("noagent.gpg", out);

	(void)state;
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, S.alice, false,
					produce_mem, &m, fd, &err),
			 AL_ECRYPTO);
	assert_agent_msg(&err);
	assert_int_equal(m.calls, 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	/* encrypting alone needs no agent */
	assert_int_equal(al_gpg_encrypt(S.g, rcpt, 1, NULL, false, produce_mem,
					&m, fd, &err),
			 0);
	assert_int_equal(m.calls, 1);
	close(fd);
}

static void
test_gpg__sign_reports_agent_that_cannot_ask_passphrase(void **state)
{
	const char *rcpt[] = {S.alice};
	char out[FX_PATH];
	struct al_error err;

	(void)state;
	/* the agent runs and holds the secret key ... */
	assert_int_equal(
		al_gpg_check_key(S.g, S.locked, AL_KEY_SIGN, NULL, &err), 0);
	/* ... but cannot unlock it: its pinentry is /bin/false */
	assert_int_equal(encrypt_mem(rcpt, 1, S.locked, false, hello,
				     "locked.gpg", out, &err),
			 AL_ECRYPTO);
	assert_agent_msg(&err);
	/* the session still works */
	assert_int_equal(encrypt_mem(rcpt, 1, S.alice, false, hello,
				     "locked.gpg", out, &err),
			 0);
}

/* ---- import ---- */

static void test_gpg__import_public_key(void **state)
{
	char p[FX_PATH], primary[AL_FPR_MAX];
	struct al_error err;
	size_t len = 0, considered = 0;
	char *pub;

	(void)state;
	assert_int_equal(
		al_gpg_check_key(S.g, S.dave, AL_KEY_ENCRYPT, NULL, &err),
		AL_ENOTFOUND);
	assert_int_equal(gpg_fixture_run(S.fx.other, NULL,
					 gpg_fixture_path(&S.fx, "dave.asc", p),
					 "--armor", "--export", S.dave, NULL),
			 0);
	pub = work_file("dave.asc", &len);
	assert_int_equal(al_gpg_import_public(S.g, pub, len, &considered, &err),
			 0);
	assert_int_equal(considered, 1);
	assert_int_equal(
		al_gpg_check_key(S.g, S.dave, AL_KEY_ENCRYPT, primary, &err),
		0);
	assert_string_equal(primary, S.dave);
	/* again: unchanged still counts */
	assert_int_equal(al_gpg_import_public(S.g, pub, len, &considered, &err),
			 0);
	assert_int_equal(considered, 1);
	free(pub);
}

static void test_gpg__import_refuses_secret_keys(void **state)
{
	char p[FX_PATH];
	struct al_error err;
	size_t len = 0, considered = 7;
	char *sec;

	(void)state;
	assert_int_equal(gpg_fixture_run(S.fx.other, NULL,
					 gpg_fixture_path(&S.fx, "eve.sec", p),
					 "--export-secret-keys", S.eve, NULL),
			 0);
	sec = work_file("eve.sec", &len);
	assert_true(len > 0);
	assert_int_equal(al_gpg_import_public(S.g, sec, len, &considered, &err),
			 AL_EINVAL);
	assert_msg(&err, AL_EINVAL, "secret key");
	assert_int_equal(considered, 0);
	free(sec);
	/* nothing of it reached the keyring, not even the public part */
	assert_int_equal(al_gpg_check_key(S.g, S.eve, AL_KEY_SIGN, NULL, &err),
			 AL_ENOTFOUND);
}

static void test_gpg__import_refuses_what_holds_no_key(void **state)
{
	const char text[] =
		"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
		"bm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n";
	struct al_error err;
	size_t considered = 7;

	(void)state;
	assert_int_equal(
		al_gpg_import_public(S.g, "hello", 5, &considered, &err),
		AL_EINVAL);
	assert_msg(&err, AL_EINVAL, "no OpenPGP key");
	assert_int_equal(considered, 0);
	assert_int_equal(al_gpg_import_public(S.g, text, strlen(text),
					      &considered, &err),
			 AL_EINVAL);
	assert_int_equal(al_gpg_import_public(S.g, "", 0, NULL, &err),
			 AL_EINVAL);
}

/* ---- no network ---- */

static void test_gpg__never_starts_dirmngr(void **state)
{
	const char *rcpt[] = {S.alice, S.bob};
	const char *k[] = {S.eve};
	char out[FX_PATH];
	struct al_error err;

	(void)state;
	/* gpg.conf in home says auto-key-retrieve: only our flags keep gpg
	 * from asking dirmngr for eve's key */
	assert_false(gpg_fixture_dirmngr_seen(&S.fx, S.fx.home));
	assert_int_equal(encrypt_mem(rcpt, 2, S.alice, true, hello, "net.gpg",
				     out, &err),
			 0);
	sign_hello(S.fx.other, k, 1, "net.sig");
	assert_int_equal(
		verify_file("net.sig", hello, strlen(hello), NULL, NULL, &err),
		AL_EINTEGRITY);
	assert_msg(&err, AL_EINTEGRITY, "unknown key");
	assert_false(gpg_fixture_dirmngr_seen(&S.fx, S.fx.home));
}

/* ---- detached signing, export, expired keys ---- */

static void write_work(const char *name, const void *buf, size_t len,
		       char path[FX_PATH])
{
	assert_int_equal(gpg_fixture_write(gpg_fixture_path(&S.fx, name, path),
					   buf, len),
			 0);
}

/* Sign hello with signer; the signature is also written to work/name. */
static int sign_mem(const char *signer, const char *data, const char *name,
		    char **sig, size_t *siglen, struct al_error *err)
{
	char p[FX_PATH];
	int rc;

	*sig = (char *)"not touched";
	*siglen = 7;
	rc = al_gpg_sign_detached(S.g, signer, data, strlen(data), sig, siglen,
				  err);
	if (rc) {
		assert_null(*sig);
		assert_int_equal(*siglen, 0);
		return rc;
	}
	assert_non_null(*sig);
	assert_int_equal(strlen(*sig), *siglen);
	write_work(name, *sig, *siglen, p);
	return 0;
}

/*
 * gpg --verify of work/sig over work/hello in home, its status lines
 * checked: a good signature whose primary is primary, binary class 00 and
 * a digest of SHA-256 or stronger (8 SHA256, 9 SHA384, 10 SHA512).
 */
static void gpg_verifies(const char *home, const char *sig, const char *primary)
{
	char sp[FX_PATH], dp[FX_PATH], st[FX_PATH];
	char fpr[80], date[32], cls[8], pfpr[80];
	unsigned long ts, exp, ver, res, pk, md;
	char *status, *line;

	gpg_fixture_path(&S.fx, sig, sp);
	gpg_fixture_path(&S.fx, "hello", dp);
	assert_int_equal(gpg_fixture_run(home, NULL, NULL, "--status-file",
					 gpg_fixture_path(&S.fx, "gv.st", st),
					 "--verify", sp, dp, NULL),
			 0);
	status = work_file("gv.st", NULL);
	assert_non_null(strstr(status, "[GNUPG:] GOODSIG "));
	line = strstr(status, "[GNUPG:] VALIDSIG ");
	assert_non_null(line);
	assert_int_equal(sscanf(line,
				"[GNUPG:] VALIDSIG %79s %31s %lu %lu %lu %lu "
				"%lu %lu %7s %79s",
				fpr, date, &ts, &exp, &ver, &res, &pk, &md, cls,
				pfpr),
			 10);
	assert_string_equal(pfpr, primary);
	assert_string_equal(cls, "00");
	if (md < 8 || md > 10)
		fail_msg("gpg says digest algorithm %lu", md);
	free(status);
}

static void test_gpg__sign_detached_round_trip(void **state)
{
	char signer[AL_FPR_MAX], *sig = NULL, *sig2 = NULL;
	char tampered[sizeof(hello)];
	struct al_error err;
	int64_t when = -1, before, after;
	size_t siglen = 0, len2 = 0;

	(void)state;
	before = (int64_t)time(NULL);
	assert_int_equal(
		sign_mem(S.alice, hello, "mine.sig", &sig, &siglen, &err), 0);
	after = (int64_t)time(NULL);
	assert_int_equal(strncmp(sig, "-----BEGIN PGP SIGNATURE-----", 29), 0);
	assert_non_null(strstr(sig, "-----END PGP SIGNATURE-----"));
	/* ours, with the pin, gives the signer and the time */
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.alice, 0,
						   signer, &when, &err),
			 0);
	assert_string_equal(signer, S.alice);
	assert_true(when >= before - 1 && when <= after + 1);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), sig,
						siglen, S.alice, NULL, NULL,
						&err),
			 0);
	/* gpg itself agrees, and says which digest */
	gpg_verifies(S.fx.home, "mine.sig", S.alice);
	/* one byte changed */
	memcpy(tampered, hello, sizeof(hello));
	tampered[0] ^= 0x01;
	when = -1;
	assert_int_equal(al_gpg_verify_detached_ex(
				 S.g, tampered, strlen(tampered), sig, siglen,
				 S.alice, 0, signer, &when, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, "signature is bad");
	assert_string_equal(signer, "");
	assert_int_equal(when, 0);
	/* signed by a subkey's fingerprint: still alice's key; empty data */
	assert_int_equal(
		sign_mem(S.alice_sub[0], "", "empty.sig", &sig2, &len2, &err),
		0);
	assert_int_equal(al_gpg_verify_detached(S.g, "", 0, sig2, len2, S.alice,
						signer, NULL, &err),
			 0);
	assert_string_equal(signer, S.alice);
	free(sig);
	free(sig2);
}

static void test_gpg__sign_refuses_unusable_signers(void **state)
{
	const char *unknown = "0000111122223333444455556666777788889999";
	char want[160], *sig = NULL;
	struct al_error err;
	size_t siglen = 0;

	(void)state;
	/* bob: public key only */
	snprintf(want, sizeof(want), "no secret key for '%s' in the keyring",
		 S.bob);
	assert_int_equal(sign_mem(S.bob, hello, "x.sig", &sig, &siglen, &err),
			 AL_ECRYPTO);
	assert_string_equal(err.msg, want);
	assert_int_equal(sign_mem(unknown, hello, "x.sig", &sig, &siglen, &err),
			 AL_ENOTFOUND);
	assert_string_equal(err.msg,
			    "no key "
			    "'0000111122223333444455556666777788889999'"
			    " in the keyring");
	assert_int_equal(
		sign_mem("DEADBEEF", hello, "x.sig", &sig, &siglen, &err),
		AL_EINVAL);
	assert_string_equal(err.msg, "'DEADBEEF' is not a full fingerprint");
	assert_int_equal(
		sign_mem(S.alice + 24, hello, "x.sig", &sig, &siglen, &err),
		AL_EINVAL);
	assert_msg(&err, AL_EINVAL, "is not a full fingerprint");
	assert_int_equal(sign_mem(NULL, hello, "x.sig", &sig, &siglen, &err),
			 AL_EINVAL);
	snprintf(want, sizeof(want), "key '%s' is revoked", S.revoked);
	assert_int_equal(
		sign_mem(S.revoked, hello, "x.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
	snprintf(want, sizeof(want), "key '%s' has expired", S.expired);
	assert_int_equal(
		sign_mem(S.expired, hello, "x.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg, want);
}

static void test_gpg__sign_uses_only_the_named_key(void **state)
{
	char conf[200], signer[AL_FPR_MAX], *sig = NULL;
	struct al_error err;
	size_t siglen = 0;

	(void)state;
	/* gpg.conf's default key is not the one asked for */
	snprintf(conf, sizeof(conf), "auto-key-retrieve\ndefault-key %s\n",
		 S.signonly);
	assert_int_equal(gpg_conf(conf), 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "named.sig", &sig, &siglen, &err), 0);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), sig,
						siglen, NULL, signer, NULL,
						&err),
			 0);
	assert_string_equal(signer, S.alice);
	gpg_verifies(S.fx.home, "named.sig", S.alice);
	free(sig);
	/* a signer gpg.conf adds makes two signatures: refused */
	snprintf(conf, sizeof(conf), "auto-key-retrieve\nlocal-user %s\n",
		 S.signonly);
	assert_int_equal(gpg_conf(conf), 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "two.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	/* gpgme 1.18 counts alice as refused (two signatures were made for
	 * the one signer it asked for); we count the signatures as well */
	snprintf(conf, sizeof(conf), "gpg refused signer '%s'", S.alice);
	if (strcmp(err.msg, "gpg made 2 signatures, not one") != 0)
		assert_string_equal(err.msg, conf);
}

static void test_gpg__sign_refuses_weak_digest(void **state)
{
	char *sig = NULL;
	struct al_error err;
	size_t siglen = 0;

	(void)state;
	assert_int_equal(gpg_conf("auto-key-retrieve\ndigest-algo SHA1\n"), 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "sha1.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_string_equal(err.msg,
			    "gpg signed with digest SHA1, weaker than SHA-256 "
			    "(is 'digest-algo' set in gpg.conf?)");
	assert_int_equal(gpg_conf("auto-key-retrieve\ndigest-algo SHA224\n"),
			 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "sha224.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "weaker than SHA-256");
	/* stronger is fine */
	assert_int_equal(gpg_conf("auto-key-retrieve\ndigest-algo SHA512\n"),
			 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "sha512.sig", &sig, &siglen, &err), 0);
	free(sig);
	gpg_verifies(S.fx.home, "sha512.sig", S.alice);
	/* a text-mode signature does not sign the bytes */
	assert_int_equal(gpg_conf("auto-key-retrieve\ntextmode\n"), 0);
	assert_int_equal(
		sign_mem(S.alice, hello, "text.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "not a binary one");
}

static void test_gpg__sign_reports_unavailable_agent(void **state)
{
	char *sig = NULL;
	struct al_error err;
	size_t siglen = 0;

	(void)state;
	assert_int_equal(sign_mem(S.alice, hello, "x.sig", &sig, &siglen, &err),
			 AL_ECRYPTO);
	assert_agent_msg(&err);
}

static void test_gpg__sign_reports_agent_that_cannot_unlock(void **state)
{
	char *sig = NULL;
	struct al_error err;
	size_t siglen = 0;

	(void)state;
	/* the key is there; the agent's pinentry is /bin/false */
	assert_int_equal(
		sign_mem(S.locked, hello, "x.sig", &sig, &siglen, &err),
		AL_ECRYPTO);
	assert_agent_msg(&err);
	assert_int_equal(sign_mem(S.alice, hello, "x.sig", &sig, &siglen, &err),
			 0);
	free(sig);
}

/* gpg --list-packets of work/name into a new string. */
static char *list_packets(const char *home, const char *name)
{
	char p[FX_PATH], q[FX_PATH];

	gpg_fixture_path(&S.fx, name, p);
	assert_int_equal(gpg_fixture_run(home, NULL,
					 gpg_fixture_path(&S.fx, "pk.txt", q),
					 "--list-packets", p, NULL),
			 0);
	return work_file("pk.txt", NULL);
}

static void test_gpg__export_public_verifies_in_a_new_keyring(void **state)
{
	struct gpg_fixture fresh;
	char p[FX_PATH], q[FX_PATH], *pub = NULL, *sig = NULL, *packets;
	struct al_error err;
	size_t len = 0, siglen = 0;

	(void)state;
	assert_int_equal(
		sign_mem(S.alice, hello, "exp.sig", &sig, &siglen, &err), 0);
	free(sig);
	assert_int_equal(al_gpg_export_public(S.g, S.alice, &pub, &len, &err),
			 0);
	assert_int_equal(strlen(pub), len);
	assert_int_equal(
		strncmp(pub, "-----BEGIN PGP PUBLIC KEY BLOCK-----", 36), 0);
	assert_non_null(strstr(pub, "-----END PGP PUBLIC KEY BLOCK-----"));
	write_work("alice.pub.asc", pub, len, p);
	free(pub);
	packets = list_packets(S.fx.home, "alice.pub.asc");
	assert_non_null(strstr(packets, ":public key packet:"));
	assert_non_null(strstr(packets, ":public sub key packet:"));
	assert_null(strstr(packets, "secret"));
	free(packets);
	/* a keyring that has never seen alice */
	assert_int_equal(gpg_fixture_init(&fresh), 0);
	assert_int_not_equal(gpg_fixture_run(fresh.home, NULL, NULL,
					     "--list-keys", S.alice, NULL),
			     0);
	assert_int_not_equal(
		gpg_fixture_run(fresh.home, NULL, NULL, "--verify",
				gpg_fixture_path(&S.fx, "exp.sig", p),
				gpg_fixture_path(&S.fx, "hello", q), NULL),
		0);
	assert_int_equal(
		gpg_fixture_run(fresh.home,
				gpg_fixture_path(&S.fx, "alice.pub.asc", p),
				NULL, "--import", NULL),
		0);
	assert_int_equal(gpg_fixture_run(fresh.home, NULL, NULL,
					 "--list-secret-keys", S.alice, NULL),
			 2);
	gpg_verifies(fresh.home, "exp.sig", S.alice);
	gpg_fixture_free(&fresh);
}

static void test_gpg__export_public_is_minimal(void **state)
{
	char p[FX_PATH], q[FX_PATH], cert[64], *pub = NULL, *sub = NULL;
	char *packets;
	struct al_error err;
	size_t len = 0, sublen = 0;

	(void)state;
	/* alice certifies bob's key; bob's export leaves that out */
	assert_int_equal(gpg_fixture_run(S.fx.home, NULL, NULL, "--yes",
					 "--local-user", S.alice,
					 "--quick-sign-key", S.bob, NULL),
			 0);
	assert_int_equal(gpg_fixture_run(S.fx.home, NULL,
					 gpg_fixture_path(&S.fx, "bob.full", q),
					 "--export", S.bob, NULL),
			 0);
	snprintf(cert, sizeof(cert), "keyid %.16s", S.alice + 24);
	packets = list_packets(S.fx.home, "bob.full");
	assert_non_null(strstr(packets, cert));
	free(packets);
	assert_int_equal(al_gpg_export_public(S.g, S.bob, &pub, &len, &err), 0);
	write_work("bob.min.asc", pub, len, p);
	packets = list_packets(S.fx.home, "bob.min.asc");
	assert_null(strstr(packets, cert));
	assert_non_null(strstr(packets, ":user ID packet:"));
	assert_non_null(strstr(packets, S.bob + 24));
	free(packets);
	/* a subkey's fingerprint gives the whole key */
	free(pub);
	assert_int_equal(al_gpg_export_public(S.g, S.alice, &pub, &len, &err),
			 0);
	assert_int_equal(
		al_gpg_export_public(S.g, S.alice_sub[1], &sub, &sublen, &err),
		0);
	assert_int_equal(len, sublen);
	assert_string_equal(pub, sub);
	free(pub);
	free(sub);
}

static void test_gpg__export_public_refusals(void **state)
{
	const char *unknown = "0000111122223333444455556666777788889999";
	char want[128], *pub = (char *)"x";
	struct al_error err;
	size_t len = 9;

	(void)state;
	assert_int_equal(al_gpg_export_public(S.g, unknown, &pub, &len, &err),
			 AL_ENOTFOUND);
	assert_string_equal(err.msg,
			    "no key "
			    "'0000111122223333444455556666777788889999'"
			    " in the keyring");
	assert_null(pub);
	assert_int_equal(len, 0);
	/* eve lives only in the other keyring */
	snprintf(want, sizeof(want), "no key '%s' in the keyring", S.eve);
	assert_int_equal(al_gpg_export_public(S.g, S.eve, &pub, &len, &err),
			 AL_ENOTFOUND);
	assert_string_equal(err.msg, want);
	assert_int_equal(
		al_gpg_export_public(S.g, "DEADBEEF", &pub, &len, &err),
		AL_EINVAL);
	assert_string_equal(err.msg, "'DEADBEEF' is not a full fingerprint");
	assert_null(pub);
}

/* gpg.conf of home with the clock days ahead of now (stopped there). */
static int clock_ahead(int days)
{
	char conf[160], when[32];
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(when, sizeof(when), "%Y%m%dT%H%M%S!", &tm) == 0)
		return -1;
	snprintf(conf, sizeof(conf),
		 "auto-key-retrieve\nno-auto-check-trustdb\n"
		 "faked-system-time %s\n",
		 when);
	return gpg_conf(conf);
}

static void test_gpg__verify_expired_ok_accepts_sig_made_before(void **state)
{
	char signer[AL_FPR_MAX], want[200], tampered[sizeof(hello)];
	char *sig = NULL;
	struct al_error err;
	int64_t when = -1, made = -1;
	size_t siglen = 0;

	(void)state;
	/* alice's key and subkeys expire a day after the group began */
	assert_int_equal(
		sign_mem(S.alice, hello, "soon.sig", &sig, &siglen, &err), 0);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), sig,
						siglen, S.alice, NULL, &made,
						&err),
			 0);
	/* three days later */
	assert_int_equal(clock_ahead(3), 0);
	assert_int_equal(
		al_gpg_check_key(S.g, S.alice, AL_KEY_ENCRYPT, NULL, &err),
		AL_ECRYPTO);
	assert_msg(&err, AL_ECRYPTO, "has expired");
	snprintf(want, sizeof(want), "signed by %s, which has expired",
		 S.alice);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.alice, 0,
						   signer, &when, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	assert_string_equal(signer, "");
	assert_int_equal(when, 0);
	assert_int_equal(al_gpg_verify_detached(S.g, hello, strlen(hello), sig,
						siglen, S.alice, NULL, NULL,
						&err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.alice,
						   AL_VERIFY_EXPIRED_OK, signer,
						   &when, &err),
			 0);
	assert_string_equal(signer, S.alice);
	assert_int_equal(when, made);
	/* the rest still holds */
	snprintf(want, sizeof(want), "signed by %s, expected %s", S.alice,
		 S.signonly);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.signonly,
						   AL_VERIFY_EXPIRED_OK, NULL,
						   NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	memcpy(tampered, hello, sizeof(hello));
	tampered[3] ^= 0x40;
	assert_int_equal(
		al_gpg_verify_detached_ex(S.g, tampered, strlen(tampered), sig,
					  siglen, S.alice, AL_VERIFY_EXPIRED_OK,
					  NULL, NULL, &err),
		AL_EINTEGRITY);
	assert_string_equal(err.msg, "signature is bad");
	free(sig);
	/* the key made in 2020, signing while it was good */
	assert_int_equal(mend_agent(NULL), 0);
	assert_int_equal(verify_file("expired.sig", hello, strlen(hello),
				     S.expired, NULL, &err),
			 AL_EINTEGRITY);
	assert_msg(&err, AL_EINTEGRITY, "has expired");
	sig = work_file("expired.sig", &siglen);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.expired,
						   AL_VERIFY_EXPIRED_OK, signer,
						   &when, &err),
			 0);
	assert_string_equal(signer, S.expired);
	assert_int_equal(when, 1577858400); /* 2020-01-01T06:00:00Z */
	free(sig);
}

static void test_gpg__verify_expired_ok_refuses_sig_made_after(void **state)
{
	char late[FX_FPR], want[200], p[FX_PATH], q[FX_PATH];
	char signer[AL_FPR_MAX] = "x";
	struct al_error err;
	int64_t when = -1;
	size_t siglen = 0;
	char *sig;

	(void)state;
	/* late's key, made on 2020-01-01 for a day, reaches home as such;
	 * in other it is then made to never expire and signs on the 10th */
	assert_int_equal(gpg_fixture_key(S.fx.other, "late", "",
					 "20200101T000000!", late, NULL),
			 0);
	assert_int_equal(gpg_fixture_copy_public(S.fx.other, S.fx.home, late),
			 0);
	assert_int_equal(gpg_fixture_run_at(S.fx.other, "20200101T120000!",
					    NULL, NULL, "--quick-set-expire",
					    late, "never", NULL),
			 0);
	assert_int_equal(
		gpg_fixture_run_at(S.fx.other, "20200110T000000!", NULL, NULL,
				   "--yes", "--local-user", late, "--output",
				   gpg_fixture_path(&S.fx, "late.sig", q),
				   "--detach-sign",
				   gpg_fixture_path(&S.fx, "hello", p), NULL),
		0);
	sig = work_file("late.sig", &siglen);
	snprintf(want, sizeof(want),
		 "signed by %s, which had expired when the signature was made",
		 late);
	assert_int_equal(al_gpg_verify_detached_ex(
				 S.g, hello, strlen(hello), sig, siglen, late,
				 AL_VERIFY_EXPIRED_OK, signer, &when, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	assert_string_equal(signer, "");
	assert_int_equal(when, 0);
	snprintf(want, sizeof(want), "signed by %s, which has expired", late);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, late, 0, NULL,
						   NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	free(sig);
}

static void test_gpg__verify_expired_ok_still_refuses_revoked(void **state)
{
	char want[200];
	struct al_error err;
	size_t siglen = 0;
	char *sig = work_file("revoked.sig", &siglen);

	(void)state;
	snprintf(want, sizeof(want), "signed by %s, which is revoked",
		 S.revoked);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.revoked, 0,
						   NULL, NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.revoked,
						   AL_VERIFY_EXPIRED_OK, NULL,
						   NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	/* revoked and, days later, expired as well */
	assert_int_equal(clock_ahead(3), 0);
	assert_int_equal(al_gpg_verify_detached_ex(S.g, hello, strlen(hello),
						   sig, siglen, S.revoked,
						   AL_VERIFY_EXPIRED_OK, NULL,
						   NULL, &err),
			 AL_EINTEGRITY);
	assert_string_equal(err.msg, want);
	free(sig);
}

static void test_gpg__sign_and_export_never_start_dirmngr(void **state)
{
	char *sig = NULL, *pub = NULL;
	struct al_error err;
	size_t siglen = 0, len = 0;

	(void)state;
	assert_int_equal(
		sign_mem(S.alice, hello, "net2.sig", &sig, &siglen, &err), 0);
	assert_int_equal(al_gpg_export_public(S.g, S.alice, &pub, &len, &err),
			 0);
	free(sig);
	free(pub);
	assert_false(gpg_fixture_dirmngr_seen(&S.fx, S.fx.home));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_gpg__check_key_accepts_spaced_lowercase_fingerprint),
		cmocka_unit_test(
			test_gpg__check_key_refuses_what_is_not_a_fingerprint),
		cmocka_unit_test(
			test_gpg__check_key_unknown_fingerprint_is_not_found),
		cmocka_unit_test(
			test_gpg__check_key_subkey_fingerprint_gives_primary),
		cmocka_unit_test(test_gpg__check_key_refuses_expired_key),
		cmocka_unit_test(test_gpg__check_key_refuses_revoked_key),
		cmocka_unit_test(
			test_gpg__check_key_sign_only_key_cannot_encrypt),
		cmocka_unit_test(
			test_gpg__check_key_signing_needs_the_secret_key),
		cmocka_unit_test(
			test_gpg__encrypt_to_two_recipients_each_can_decrypt),
		cmocka_unit_test(
			test_gpg__sign_and_encrypt_gives_good_signature),
		cmocka_unit_test(test_gpg__encrypt_armored),
		cmocka_unit_test(
			test_gpg__encrypt_refuses_armor_forced_by_gpg_conf),
		cmocka_unit_test(
			test_gpg__encrypt_streams_64_mib_in_constant_memory),
		cmocka_unit_test(
			test_gpg__encrypt_returns_producer_error_mid_stream),
		cmocka_unit_test(
			test_gpg__encrypt_returns_producer_error_at_start),
		cmocka_unit_test(
			test_gpg__encrypt_output_failure_ends_the_producer),
		cmocka_unit_test(
			test_gpg__encrypt_refuses_bad_keys_before_producing),
		cmocka_unit_test(
			test_gpg__encrypt_refuses_signer_without_secret),
		cmocka_unit_test(
			test_gpg__verify_good_signature_by_subkey_gives_primary),
		cmocka_unit_test(test_gpg__verify_refuses_wrong_pin),
		cmocka_unit_test(test_gpg__verify_refuses_tampered_data),
		cmocka_unit_test(test_gpg__verify_refuses_unknown_key),
		cmocka_unit_test(test_gpg__verify_refuses_two_signatures),
		cmocka_unit_test(
			test_gpg__verify_refuses_missing_or_garbage_signature),
		cmocka_unit_test(
			test_gpg__verify_refuses_expired_and_revoked_keys),
		cmocka_unit_test(test_gpg__verify_gives_the_signature_time),
		cmocka_unit_test_setup_teardown(
			test_gpg__check_key_reports_unavailable_agent,
			break_agent, mend_agent),
		cmocka_unit_test_setup_teardown(
			test_gpg__encrypt_with_signer_reports_unavailable_agent,
			break_agent, mend_agent),
		cmocka_unit_test(
			test_gpg__sign_reports_agent_that_cannot_ask_passphrase),
		cmocka_unit_test(test_gpg__import_public_key),
		cmocka_unit_test(test_gpg__import_refuses_secret_keys),
		cmocka_unit_test(test_gpg__import_refuses_what_holds_no_key),
		cmocka_unit_test(test_gpg__never_starts_dirmngr),
		cmocka_unit_test(test_gpg__sign_detached_round_trip),
		cmocka_unit_test(test_gpg__sign_refuses_unusable_signers),
		cmocka_unit_test_teardown(
			test_gpg__sign_uses_only_the_named_key, mend_agent),
		cmocka_unit_test_teardown(test_gpg__sign_refuses_weak_digest,
					  mend_agent),
		cmocka_unit_test_setup_teardown(
			test_gpg__sign_reports_unavailable_agent, break_agent,
			mend_agent),
		cmocka_unit_test(
			test_gpg__sign_reports_agent_that_cannot_unlock),
		cmocka_unit_test(
			test_gpg__export_public_verifies_in_a_new_keyring),
		cmocka_unit_test(test_gpg__export_public_is_minimal),
		cmocka_unit_test(test_gpg__export_public_refusals),
		cmocka_unit_test_teardown(
			test_gpg__verify_expired_ok_accepts_sig_made_before,
			mend_agent),
		cmocka_unit_test(
			test_gpg__verify_expired_ok_refuses_sig_made_after),
		cmocka_unit_test_teardown(
			test_gpg__verify_expired_ok_still_refuses_revoked,
			mend_agent),
		cmocka_unit_test(test_gpg__sign_and_export_never_start_dirmngr),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
