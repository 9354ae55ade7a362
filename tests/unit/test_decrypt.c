/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "al_decrypt.h"
#include "al_error.h"
#include "al_gpg.h"
#include "al_hash.h"

#include "gpg_fixture.h"

/*
 * The keyrings, made once for the whole group:
 *   home (the vault's):  vault (the vault key: sign primary, encryption
 *          subkey, secret), alice (sign primary and a signing subkey,
 *          secret), carol (secret), revoked (revoked after it signed),
 *          expired (made in 2020, valid for a day, signed then), locked
 *          (the vault's key under a passphrase the agent cannot ask for:
 *          its pinentry is /bin/false), and dave's public key only.
 *   other: bob (an encryption key the vault does not have), eve (a signer
 *          the vault has never seen), dave (secret), and the public keys
 *          of vault and locked, so that other can write to them.
 */
static struct {
	struct gpg_fixture fx;
	struct al_gpg *g;
	char vault[FX_FPR], vault_sub[1][FX_FPR];
	char alice[FX_FPR], alice_sub[1][FX_FPR];
	char carol[FX_FPR], revoked[FX_FPR], expired[FX_FPR];
	char locked[FX_FPR], locked_sub[1][FX_FPR];
	char bob[FX_FPR], bob_sub[1][FX_FPR];
	char eve[FX_FPR], dave[FX_FPR];
} S;

static const char hello[] = "the vulnerability report\n";

/* ---- gpg, the way the tests make messages ---- */

/* work/name, in one of a few rotating buffers (for one call's args). */
static const char *W(const char *name)
{
	static char bufs[8][FX_PATH];
	static unsigned next;
	char *b = bufs[next++ % 8];

	return gpg_fixture_path(&S.fx, name, b);
}

/* gpg in home (at a faked time when faked is not NULL) with args, always
 * trusting the keys it is named.  Returns gpg's exit status. */
static int gpg_at(const char *home, const char *faked, const char *const *args)
{
	const char *argv[48];
	size_t n = 0;

	argv[n++] = "gpg";
	argv[n++] = "--batch";
	argv[n++] = "--no-tty";
	argv[n++] = "--yes";
	argv[n++] = "--pinentry-mode";
	argv[n++] = "loopback";
	argv[n++] = "--trust-model";
	argv[n++] = "always";
	if (faked) {
		argv[n++] = "--faked-system-time";
		argv[n++] = faked;
	}
	for (; *args; args++) {
		if (n == sizeof(argv) / sizeof(argv[0]) - 1)
			return -1;
		argv[n++] = *args;
	}
	argv[n] = NULL;
	return gpg_fixture_exec(home, NULL, NULL, argv);
}

#define GPG(home, ...)                                                        \
	assert_int_equal(                                                     \
		gpg_at(home, NULL, (const char *const[]){__VA_ARGS__, NULL}), \
		0)
#define GPG_AT(home, faked, ...)                                               \
	assert_int_equal(                                                      \
		gpg_at(home, faked, (const char *const[]){__VA_ARGS__, NULL}), \
		0)

/* "FPR!": exactly this (sub)key, as gpg's -u takes it. */
static const char *exact(const char *fpr)
{
	static char bufs[4][FX_FPR + 1];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, FX_FPR + 1, "%s!", fpr);
	return b;
}

static void write_work(const char *name, const void *buf, size_t len)
{
	assert_int_equal(gpg_fixture_write(W(name), buf, len), 0);
}

static char *read_work(const char *name, size_t *len)
{
	char *s = gpg_fixture_read(W(name), len);

	assert_non_null(s);
	return s;
}

/* hello, encrypted to the vault key (and signed by signer when not NULL). */
static void seal_hello(const char *out, const char *signer)
{
	write_work("hello", hello, strlen(hello));
	if (signer)
		GPG(S.fx.home, "-r", S.vault, "-u", signer, "-o", W(out),
		    "--sign", "--encrypt", W("hello"));
	else
		GPG(S.fx.home, "-r", S.vault, "-o", W(out), "--encrypt",
		    W("hello"));
}

/* Wrap the OpenPGP packets in work/in, as they are, in an encryption to
 * the vault key: how a message gpg would not write (a tampered signature,
 * two plain texts) is made. */
static void encrypt_packets(const char *in, const char *out)
{
	GPG(S.fx.home, "-r", S.vault, "-z", "0", "--no-literal", "-o", W(out),
	    "--encrypt", W(in));
}

/* hello signed (not compressed) by signer in home at faked. */
static void sign_hello_at(const char *signer, const char *faked,
			  const char *out)
{
	write_work("hello", hello, strlen(hello));
	GPG_AT(S.fx.home, faked, "-u", signer, "-z", "0", "-o", W(out),
	       "--sign", W("hello"));
}

/* ---- keys ---- */

static int mk_keys(void)
{
	struct gpg_fixture *fx = &S.fx;

	if (gpg_fixture_key(fx->home, "vault", "e", NULL, S.vault,
			    S.vault_sub) != 0 ||
	    gpg_fixture_key(fx->home, "alice", "s", NULL, S.alice,
			    S.alice_sub) != 0 ||
	    gpg_fixture_key(fx->home, "carol", "", NULL, S.carol, NULL) != 0 ||
	    gpg_fixture_key(fx->home, "revoked", "", NULL, S.revoked, NULL) !=
		    0 ||
	    gpg_fixture_key(fx->home, "expired", "", "20200101T000000!",
			    S.expired, NULL) != 0 ||
	    gpg_fixture_key_ex(fx->home, "locked", "e", NULL, "1d",
			       "a passphrase", S.locked, S.locked_sub) != 0 ||
	    gpg_fixture_key(fx->other, "bob", "e", NULL, S.bob, S.bob_sub) !=
		    0 ||
	    gpg_fixture_key(fx->other, "eve", "", NULL, S.eve, NULL) != 0 ||
	    gpg_fixture_key(fx->other, "dave", "", NULL, S.dave, NULL) != 0 ||
	    gpg_fixture_copy_public(fx->home, fx->other, S.vault) != 0 ||
	    gpg_fixture_copy_public(fx->home, fx->other, S.locked) != 0 ||
	    gpg_fixture_copy_public(fx->other, fx->home, S.dave) != 0)
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

/* ---- running a decryption as the vault will ---- */

#define KEEP (1u << 20) /* plain text kept for checking */

struct run {
	int rc;
	struct al_error err;
	struct al_sig sig;
	char *plain;  /* the first KEEP bytes, NUL-terminated */
	uint64_t got; /* bytes read from plain_fd */
	double secs;  /* start to finish */
};

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Decrypt from fd: read the plain text (all of it, or stop_after bytes and
 * then close early), then finish.  A hang is a failure: the alarm ends the
 * test binary.
 */
static void run_fd(int fd, const struct al_decrypt_opts *opts,
		   uint64_t stop_after, struct run *r)
{
	static char buf[65536];
	struct al_decrypt *d = NULL;
	int plain_fd = -1;
	double t0 = now_secs();

	memset(r, 0, sizeof(*r));
	r->plain = calloc(1, KEEP + 1);
	assert_non_null(r->plain);
	alarm(120);
	r->rc = al_decrypt_start(S.g, fd, opts, &d, &plain_fd, &r->err);
	if (r->rc != 0) {
		assert_null(d);
		assert_int_equal(plain_fd, -1);
		alarm(0);
		return;
	}
	assert_true(plain_fd >= 0);
	for (;;) {
		ssize_t n = read(plain_fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n >= 0);
		if (n == 0)
			break;
		if (r->got < KEEP)
			memcpy(r->plain + r->got, buf,
			       (size_t)n < KEEP - r->got ? (size_t)n
							 : KEEP - r->got);
		r->got += (uint64_t)n;
		if (stop_after && r->got >= stop_after)
			break;
	}
	close(plain_fd);
	r->rc = al_decrypt_finish(d, &r->sig, &r->err);
	r->secs = now_secs() - t0;
	alarm(0);
}

static void run_file(const char *name, const struct al_decrypt_opts *opts,
		     struct run *r)
{
	int fd = open(W(name), O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	run_fd(fd, opts, 0, r);
	close(fd);
}

static void run_done(struct run *r)
{
	free(r->plain);
	r->plain = NULL;
}

static void assert_msg(const struct al_error *err, int code, const char *needle)
{
	if (err->code != code || !strstr(err->msg, needle))
		fail_msg("got %d '%s', wanted %d with '%s'", err->code,
			 err->msg, code, needle);
}

/* A refusal: the code, a part of the message, and no signature. */
static void assert_refused(const struct run *r, int code, const char *needle)
{
	if (r->rc != code)
		fail_msg("got %d '%s', wanted %d with '%s'", r->rc, r->err.msg,
			 code, needle);
	assert_msg(&r->err, code, needle);
	if (getenv("AL_TEST_VERBOSE"))
		fprintf(stderr, "# %d %s\n", r->rc, r->err.msg);
	assert_int_equal(r->sig.state, AL_SIG_NONE);
	assert_string_equal(r->sig.fpr, "");
	assert_int_equal(r->sig.time, 0);
}

static void assert_ok(const struct run *r)
{
	if (r->rc != 0)
		fail_msg("decryption failed: %d '%s'", r->rc, r->err.msg);
}

/* The key id gpg shows for fpr: its last 16 hex digits. */
static const char *keyid(const char *fpr)
{
	return fpr + strlen(fpr) - 16;
}

/* ---- a tee that hashes, and one that fails ---- */

struct tee {
	struct al_sha256 *h;
	uint64_t bytes;
	uint64_t fail_after; /* fail the call that passes this; 0: never */
	int calls;
};

static int tee_hash(void *ctx, const void *buf, size_t len,
		    struct al_error *err)
{
	struct tee *t = ctx;

	t->calls++;
	if (t->fail_after && t->bytes + len > t->fail_after)
		return al_error_set(err, AL_EIO,
				    "store 'objects/tmp': disk full (test)");
	al_sha256_update(t->h, buf, len);
	t->bytes += len;
	return 0;
}

static void tee_init(struct tee *t, uint64_t fail_after)
{
	struct al_error err;

	memset(t, 0, sizeof(*t));
	t->fail_after = fail_after;
	assert_int_equal(al_sha256_new(&t->h, &err), 0);
}

static void tee_hex(struct tee *t, char hex[AL_SHA256_HEX])
{
	al_sha256_final(t->h, hex, NULL);
	al_sha256_free(t->h);
	t->h = NULL;
}

static void file_hex(const char *name, char hex[AL_SHA256_HEX])
{
	size_t len = 0;
	char *s = read_work(name, &len);

	al_sha256_hex(s, len, hex);
	free(s);
}

/* ---- what is accepted ---- */

static void
test_decrypt__unsigned_gives_plain_text_and_no_signature(void **state)
{
	struct run r;

	(void)state;
	seal_hello("plain.gpg", NULL);
	run_file("plain.gpg", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	assert_int_equal(r.got, strlen(hello));
	assert_int_equal(r.sig.state, AL_SIG_NONE);
	assert_string_equal(r.sig.fpr, "");
	assert_int_equal(r.sig.time, 0);
	run_done(&r);
}

static void test_decrypt__signed_by_known_primary_key(void **state)
{
	struct run r;
	time_t now = time(NULL);

	(void)state;
	seal_hello("primary.gpg", exact(S.alice));
	run_file("primary.gpg", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.alice);
	/* the signature's own time, just now */
	assert_true(r.sig.time > (int64_t)now - 600);
	assert_true(r.sig.time < (int64_t)now + 600);
	run_done(&r);
}

static void test_decrypt__signing_subkey_records_primary(void **state)
{
	struct run r;

	(void)state;
	/* "FPR!" makes gpg sign with exactly the subkey */
	seal_hello("subkey.gpg", exact(S.alice_sub[0]));
	run_file("subkey.gpg", NULL, &r);
	assert_ok(&r);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.alice);
	assert_string_not_equal(r.sig.fpr, S.alice_sub[0]);
	run_done(&r);
}

static void test_decrypt__public_key_alone_makes_signer_known(void **state)
{
	struct run r;

	(void)state;
	/* dave's secret lives in other; home has his public key only */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.vault, "-u", S.dave, "-o", W("dave.gpg"),
	    "--sign", "--encrypt", W("hello"));
	run_file("dave.gpg", NULL, &r);
	assert_ok(&r);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.dave);
	run_done(&r);
}

static void test_decrypt__unknown_signer_is_recorded_offline(void **state)
{
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.vault, "-u", S.eve, "-o", W("eve.gpg"),
	    "--sign", "--encrypt", W("hello"));
	/* home's gpg.conf says auto-key-retrieve: only the session's
	 * offline mode keeps gpg from asking dirmngr for eve's key */
	assert_false(gpg_fixture_dirmngr_seen(&S.fx, S.fx.home));
	run_file("eve.gpg", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	assert_int_equal(r.sig.state, AL_SIG_UNKNOWN);
	/* the issuer fingerprint the signature carries */
	assert_string_equal(r.sig.fpr, S.eve);
	assert_true(r.sig.time > 0);
	assert_false(gpg_fixture_dirmngr_seen(&S.fx, S.fx.home));
	run_done(&r);
}

static void test_decrypt__armored_message(void **state)
{
	struct run r;
	char *text;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "--armor", "-r", S.vault, "-u", S.alice, "-o",
	    W("armored.asc"), "--sign", "--encrypt", W("hello"));
	text = read_work("armored.asc", NULL);
	assert_non_null(strstr(text, "-----BEGIN PGP MESSAGE-----"));
	free(text);
	run_file("armored.asc", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.alice);
	run_done(&r);
}

static void test_decrypt__several_recipients_one_of_them_ours(void **state)
{
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.bob, "-r", S.vault, "-o", W("both.gpg"),
	    "--encrypt", W("hello"));
	run_file("both.gpg", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	run_done(&r);
	/* a hidden recipient: gpg tries the keys it has, the locked one
	 * (which cannot be unlocked here) perhaps first */
	GPG(S.fx.other, "--hidden-recipient", S.vault, "-o", W("hidden.gpg"),
	    "--encrypt", W("hello"));
	run_file("hidden.gpg", NULL, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	run_done(&r);
}

static void test_decrypt__reads_from_the_current_offset(void **state)
{
	static const char junk[] = "junk!!";
	char hex[AL_SHA256_HEX], want[AL_SHA256_HEX];
	struct al_decrypt_opts opts = {0};
	struct tee t;
	struct run r;
	size_t len = 0;
	char *msg, *both;
	int fd;

	(void)state;
	seal_hello("offset.gpg", S.alice);
	msg = read_work("offset.gpg", &len);
	both = malloc(len + sizeof(junk));
	assert_non_null(both);
	memcpy(both, junk, sizeof(junk) - 1);
	memcpy(both + sizeof(junk) - 1, msg, len);
	write_work("offset.bin", both, len + sizeof(junk) - 1);
	al_sha256_hex(msg, len, want);
	free(both);
	free(msg);
	tee_init(&t, 0);
	opts.tee = tee_hash;
	opts.tee_ctx = &t;
	fd = open(W("offset.bin"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, (off_t)sizeof(junk) - 1, SEEK_SET),
			 (off_t)sizeof(junk) - 1);
	run_fd(fd, &opts, 0, &r);
	close(fd);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	/* the tee saw the message, not what came before the offset */
	tee_hex(&t, hex);
	assert_string_equal(hex, want);
	run_done(&r);
}

/* ---- signatures that are refused ---- */

static void test_decrypt__refuses_bad_signature(void **state)
{
	char want[128];
	struct run r;
	size_t len = 0;
	char *signed_msg, *p;

	(void)state;
	/* A signed message whose literal data is changed after signing,
	 * then encrypted as it is (--no-literal): gpg decrypts it fine and
	 * finds the signature does not match. */
	sign_hello_at(exact(S.alice), NULL, "tampered.sig");
	signed_msg = read_work("tampered.sig", &len);
	p = memmem(signed_msg, len, "vulnerability", 13);
	assert_non_null(p);
	p[0] = 'V';
	write_work("tampered.sig", signed_msg, len);
	free(signed_msg);
	encrypt_packets("tampered.sig", "badsig.gpg");
	run_file("badsig.gpg", NULL, &r);
	/* gpg names the signing key by its key id; the message by the
	 * primary fingerprint of the one key that has it */
	snprintf(want, sizeof(want), "bad signature by %s", S.alice);
	assert_refused(&r, AL_EINTEGRITY, want);
	assert_string_equal(r.err.msg, want);
	run_done(&r);
	/* the same by the signing subkey */
	sign_hello_at(exact(S.alice_sub[0]), NULL, "tampered2.sig");
	signed_msg = read_work("tampered2.sig", &len);
	p = memmem(signed_msg, len, "vulnerability", 13);
	assert_non_null(p);
	p[0] = 'V';
	write_work("tampered2.sig", signed_msg, len);
	free(signed_msg);
	encrypt_packets("tampered2.sig", "badsig2.gpg");
	run_file("badsig2.gpg", NULL, &r);
	assert_refused(&r, AL_EINTEGRITY, want);
	run_done(&r);
	/* the untampered message passes: the tampering is what fails */
	sign_hello_at(exact(S.alice), NULL, "fine.sig");
	encrypt_packets("fine.sig", "goodsig.gpg");
	run_file("goodsig.gpg", NULL, &r);
	assert_ok(&r);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.alice);
	run_done(&r);
}

static void test_decrypt__refuses_two_signatures(void **state)
{
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "-r", S.vault, "-u", S.alice, "-u", S.carol, "-o",
	    W("two.gpg"), "--sign", "--encrypt", W("hello"));
	run_file("two.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "more than one signature (2)");
	run_done(&r);
}

static void test_decrypt__refuses_revoked_signer(void **state)
{
	char want[128];
	struct run r;

	(void)state;
	/* signed while the key was good, revoked since */
	sign_hello_at(S.revoked, NULL, "revoked.sig");
	assert_int_equal(gpg_fixture_revoke(S.fx.home, S.revoked), 0);
	encrypt_packets("revoked.sig", "revoked.gpg");
	run_file("revoked.gpg", NULL, &r);
	snprintf(want, sizeof(want), "signature by revoked key %s", S.revoked);
	assert_refused(&r, AL_EINTEGRITY, want);
	run_done(&r);
}

static void test_decrypt__refuses_expired_signer(void **state)
{
	char want[128];
	struct run r;

	(void)state;
	/* signed in 2020 while the key was valid (for that one day) */
	sign_hello_at(S.expired, "20200101T060000!", "expired.sig");
	encrypt_packets("expired.sig", "expired.gpg");
	run_file("expired.gpg", NULL, &r);
	snprintf(want, sizeof(want), "signature by expired key %s", S.expired);
	assert_refused(&r, AL_EINTEGRITY, want);
	run_done(&r);
}

/* ---- messages that are refused ---- */

static void test_decrypt__refuses_wrong_recipient(void **state)
{
	char want[128];
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.bob, "-o", W("bob.gpg"), "--encrypt",
	    W("hello"));
	run_file("bob.gpg", NULL, &r);
	/* bob's encryption subkey is what the message names */
	snprintf(want, sizeof(want),
		 "not encrypted to this vault's key (recipients: %s)",
		 keyid(S.bob_sub[0]));
	assert_refused(&r, AL_EINVAL, want);
	assert_string_equal(r.err.msg, want);
	assert_int_equal(r.got, 0);
	run_done(&r);
}

static void test_decrypt__refuses_symmetric_only(void **state)
{
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "--passphrase", "a passphrase", "-o", W("sym.gpg"),
	    "--symmetric", W("hello"));
	run_file("sym.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "symmetric-only encryption");
	assert_int_equal(r.got, 0);
	run_done(&r);
}

static void test_decrypt__refuses_signed_only(void **state)
{
	struct run r;

	(void)state;
	/* gpg --decrypt would print it and say the signature is good */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "-u", S.alice, "-o", W("signed.gpg"), "--sign",
	    W("hello"));
	run_file("signed.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "not encrypted");
	assert_string_equal(r.err.msg, "not encrypted");
	run_done(&r);
	/* and a clear-signed text */
	GPG(S.fx.home, "-u", S.alice, "-o", W("clear.asc"), "--clearsign",
	    W("hello"));
	run_file("clear.asc", NULL, &r);
	assert_refused(&r, AL_EINVAL, "not encrypted");
	run_done(&r);
}

static void test_decrypt__refuses_stored_literal(void **state)
{
	struct run r;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "-o", W("stored.gpg"), "--store", W("hello"));
	run_file("stored.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "not encrypted");
	run_done(&r);
}

static void test_decrypt__refuses_missing_integrity_protection(void **state)
{
	struct run r;

	(void)state;
	/* --rfc2440: the old symmetrically encrypted data packet, no MDC */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "--rfc2440", "-r", S.vault, "-o", W("nomdc.gpg"),
	    "--encrypt", W("hello"));
	run_file("nomdc.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "no integrity protection");
	run_done(&r);
}

static void test_decrypt__refuses_two_plain_texts(void **state)
{
	struct run r;
	size_t len = 0;
	char *lit, *two;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "-z", "0", "-o", W("lit.pgp"), "--store", W("hello"));
	lit = read_work("lit.pgp", &len);
	two = malloc(2 * len);
	assert_non_null(two);
	memcpy(two, lit, len);
	memcpy(two + len, lit, len);
	write_work("two.pgp", two, 2 * len);
	free(two);
	free(lit);
	encrypt_packets("two.pgp", "twolit.gpg");
	run_file("twolit.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "more than one plain text");
	run_done(&r);
}

static void test_decrypt__refuses_concatenated_messages(void **state)
{
	struct run r;
	size_t len = 0;
	char *one, *two;

	(void)state;
	seal_hello("one.gpg", NULL);
	one = read_work("one.gpg", &len);
	two = malloc(2 * len);
	assert_non_null(two);
	memcpy(two, one, len);
	memcpy(two + len, one, len);
	write_work("concat.gpg", two, 2 * len);
	free(two);
	free(one);
	run_file("concat.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "more than one plain text");
	run_done(&r);
}

static void test_decrypt__refuses_nested_encryption(void **state)
{
	struct run r;

	(void)state;
	seal_hello("inner.gpg", NULL);
	encrypt_packets("inner.gpg", "nested.gpg");
	run_file("nested.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "nested encryption");
	run_done(&r);
}

static void test_decrypt__refuses_what_is_not_openpgp(void **state)
{
	static const char text[] = "Title: not a bundle\n\nhello\n";
	unsigned char noise[512];
	struct run r;
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)(x | 0x80);
	}
	noise[0] = 0x7f; /* not a packet tag */
	write_work("noise.gpg", noise, sizeof(noise));
	run_file("noise.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "corrupt or truncated OpenPGP message");
	run_done(&r);
	write_work("text.gpg", text, strlen(text));
	run_file("text.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "corrupt or truncated OpenPGP message");
	assert_msg(&r.err, AL_EINVAL, "no OpenPGP data found");
	run_done(&r);
	write_work("empty.gpg", "", 0);
	run_file("empty.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "corrupt or truncated OpenPGP message");
	run_done(&r);
}

static void test_decrypt__refuses_truncated_message(void **state)
{
	struct run r;
	size_t len = 0;
	char *msg;
	char name[32];

	(void)state;
	seal_hello("whole.gpg", S.alice);
	msg = read_work("whole.gpg", &len);
	assert_true(len > 200);
	/* in the first packet header, in the session key packet, right
	 * after it, in the encrypted packet's header, in its body, in the
	 * signature, in the MDC, one byte short */
	const size_t cuts[] = {1,   2,       12,       60,       94,     96,
			       100, len / 2, len - 40, len - 10, len - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		snprintf(name, sizeof(name), "cut%zu.gpg", i);
		write_work(name, msg, cuts[i]);
		run_file(name, NULL, &r);
		if (r.rc != AL_EINVAL ||
		    !strstr(r.err.msg, "corrupt or truncated OpenPGP message"))
			fail_msg("cut at %zu of %zu: %d '%s'", cuts[i], len,
				 r.rc, r.err.msg);
		assert_refused(&r, AL_EINVAL,
			       "corrupt or truncated OpenPGP message");
		run_done(&r);
	}
	free(msg);
}

static void test_decrypt__refuses_truncated_armor(void **state)
{
	struct run r;
	size_t len = 0;
	char *text, *end;

	(void)state;
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "--armor", "-r", S.vault, "-o", W("cut.asc"),
	    "--encrypt", W("hello"));
	text = read_work("cut.asc", &len);
	/* without its last lines (the checksum and the END line) */
	end = strstr(text, "\n=");
	assert_non_null(end);
	write_work("cut1.asc", text, (size_t)(end - text) - 20);
	run_file("cut1.asc", NULL, &r);
	assert_refused(&r, AL_EINVAL, "corrupt or truncated OpenPGP message");
	run_done(&r);
	free(text);
}

static void test_decrypt__refuses_modified_ciphertext(void **state)
{
	char page[4096], name[32];
	struct run r;
	size_t len = 0;
	char *msg;

	(void)state;
	/* 4 KiB of text, not compressed: a bit flipped in the middle of the
	 * encrypted literal data changes only data, which only the MDC
	 * catches */
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	write_work("page", page, sizeof(page));
	GPG(S.fx.home, "-r", S.vault, "-z", "0", "-o", W("page.gpg"),
	    "--encrypt", W("page"));
	msg = read_work("page.gpg", &len);
	msg[len / 2] ^= 0x10;
	write_work("flip.gpg", msg, len);
	msg[len / 2] ^= 0x10;
	run_file("flip.gpg", NULL, &r);
	assert_refused(&r, AL_EINVAL, "corrupt or truncated OpenPGP message");
	assert_msg(&r.err, AL_EINVAL, "the encrypted data was modified");
	run_done(&r);
	/* elsewhere: in the wrapped session key, near the end of the data,
	 * in the MDC packet, its last byte */
	const size_t at[] = {60, len - 40, len - 10, len - 1};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		msg[at[i]] ^= 0x10;
		snprintf(name, sizeof(name), "flip%zu.gpg", i);
		write_work(name, msg, len);
		msg[at[i]] ^= 0x10;
		run_file(name, NULL, &r);
		if (r.rc != AL_EINVAL ||
		    !strstr(r.err.msg, "corrupt or truncated OpenPGP message"))
			fail_msg("flip at %zu of %zu: %d '%s'", at[i], len,
				 r.rc, r.err.msg);
		assert_refused(&r, AL_EINVAL,
			       "corrupt or truncated OpenPGP message");
		run_done(&r);
	}
	free(msg);
}

/* ---- limits, early ends, the tee ---- */

/* A "VmXXX:" line of /proc/self/status, in KiB. */
static long vm_kib(const char *field)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (kib < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0)
			kib = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	assert_true(kib >= 0);
	return kib;
}

/*
 * Memory measured over one run: the resident size before, and the peak
 * during it (VmHWM, reset by "5" in clear_refs so that earlier tests do
 * not count).  Where the reset is refused, getrusage's peak over the whole
 * process, which can only hide growth, never invent it.
 */
struct mem {
	long before;
	bool reset;
};

static void mem_start(struct mem *m)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	m->reset = fd >= 0 && write(fd, "5", 1) == 1;
	if (fd >= 0)
		close(fd);
	m->before = m->reset ? vm_kib("VmRSS:") : 0;
	if (!m->reset) {
		struct rusage ru;

		assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
		m->before = ru.ru_maxrss;
	}
}

static long mem_growth(const struct mem *m)
{
	struct rusage ru;

	if (m->reset)
		return vm_kib("VmHWM:") - m->before;
	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss - m->before;
}

/* A file of size zero bytes under work. */
static void write_zeros(const char *name, size_t size)
{
	static char zeros[1 << 16];
	FILE *f = fopen(W(name), "wb");

	assert_non_null(f);
	for (size_t done = 0; done < size; done += sizeof(zeros))
		assert_int_equal(fwrite(zeros, 1,
					size - done < sizeof(zeros)
						? size - done
						: sizeof(zeros),
					f),
				 size - done < sizeof(zeros) ? size - done
							     : sizeof(zeros));
	assert_int_equal(fclose(f), 0);
}

static void test_decrypt__cap_stops_compression_bomb(void **state)
{
	struct al_decrypt_opts opts = {.cap = 1u << 20};
	char hex[AL_SHA256_HEX], want[AL_SHA256_HEX];
	struct stat st;
	struct tee t;
	struct run r;
	struct mem m;
	long grew;

	(void)state;
	write_zeros("zeros", 50u << 20);
	GPG(S.fx.home, "-r", S.vault, "--compress-level", "9", "-o",
	    W("bomb.gpg"), "--encrypt", W("zeros"));
	unlink(W("zeros"));
	assert_int_equal(stat(W("bomb.gpg"), &st), 0);
	assert_true(st.st_size < (1 << 20)); /* a bomb indeed */
	tee_init(&t, 0);
	opts.tee = tee_hash;
	opts.tee_ctx = &t;
	mem_start(&m);
	run_file("bomb.gpg", &opts, &r);
	grew = mem_growth(&m);
	assert_refused(&r, AL_ELIMIT, "plain text larger than 1048576 bytes");
	if (getenv("AL_TEST_VERBOSE"))
		fprintf(stderr, "# bomb: %.3f s, %llu bytes, peak +%ld KiB\n",
			r.secs, (unsigned long long)r.got, grew);
	/* stopped at the cap, not after 50 MB */
	assert_true(r.got <= opts.cap);
	if (r.secs > 10)
		fail_msg("took %.1f s to stop", r.secs);
	if (grew > 16 * 1024)
		fail_msg("peak memory grew by %ld KiB", grew);
	/* gpg stopped early; the tee still saw the whole file */
	tee_hex(&t, hex);
	file_hex("bomb.gpg", want);
	assert_string_equal(hex, want);
	assert_int_equal(t.bytes, (uint64_t)st.st_size);
	run_done(&r);
}

static void test_decrypt__cap_is_inclusive(void **state)
{
	struct al_decrypt_opts opts = {.cap = strlen(hello)};
	char want[64];
	struct run r;

	(void)state;
	seal_hello("cap.gpg", NULL);
	run_file("cap.gpg", &opts, &r);
	assert_ok(&r);
	assert_string_equal(r.plain, hello);
	run_done(&r);
	opts.cap = strlen(hello) - 1;
	run_file("cap.gpg", &opts, &r);
	snprintf(want, sizeof(want), "plain text larger than %zu bytes",
		 strlen(hello) - 1);
	assert_refused(&r, AL_ELIMIT, want);
	assert_true(r.got < strlen(hello));
	run_done(&r);
}

/* 16 MiB that zlib cannot shrink, encrypted to the vault key. */
static void seal_big(const char *out)
{
	static uint64_t buf[8192];
	uint64_t x = 0x9E3779B97F4A7C15u;
	FILE *f;
	struct stat st;

	if (stat(W(out), &st) == 0)
		return;
	f = fopen(W("big"), "wb");
	assert_non_null(f);
	for (int i = 0; i < 256; i++) {
		for (size_t j = 0; j < 8192; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[j] = x;
		}
		assert_int_equal(fwrite(buf, sizeof(buf), 1, f), 1);
	}
	assert_int_equal(fclose(f), 0);
	GPG(S.fx.home, "-r", S.vault, "-z", "0", "-u", S.alice, "-o", W(out),
	    "--sign", "--encrypt", W("big"));
	unlink(W("big"));
}

static void test_decrypt__reader_closing_early_stops_gpg(void **state)
{
	struct run r;
	int fd;

	(void)state;
	seal_big("big.gpg");
	fd = open(W("big.gpg"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* read 64 KiB of 16 MiB, then close */
	run_fd(fd, NULL, 65536, &r);
	close(fd);
	assert_refused(&r, AL_ESTOPPED,
		       "the plain text was not read to its end");
	assert_true(r.got < (16u << 20));
	if (r.secs > 20)
		fail_msg("took %.1f s to stop", r.secs);
	run_done(&r);
	/* the session is fine afterwards */
	seal_hello("after.gpg", NULL);
	run_file("after.gpg", NULL, &r);
	assert_ok(&r);
	run_done(&r);
}

static void test_decrypt__finish_without_reading_does_not_hang(void **state)
{
	struct al_decrypt *d = NULL;
	struct al_error err;
	struct al_sig sig;
	int fd, plain_fd = -1, rc;

	(void)state;
	seal_big("big.gpg");
	fd = open(W("big.gpg"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	alarm(120);
	assert_int_equal(al_decrypt_start(S.g, fd, NULL, &d, &plain_fd, &err),
			 0);
	/* against the contract (plain_fd still open): stopped, not stuck */
	rc = al_decrypt_finish(d, &sig, &err);
	alarm(0);
	assert_int_equal(rc, AL_ESTOPPED);
	assert_msg(&err, AL_ESTOPPED, "the plain text was not read to its end");
	assert_int_equal(sig.state, AL_SIG_NONE);
	close(plain_fd);
	close(fd);
}

static void test_decrypt__big_message_streams_in_constant_memory(void **state)
{
	struct al_decrypt_opts opts = {0};
	char hex[AL_SHA256_HEX], want[AL_SHA256_HEX];
	struct tee t;
	struct run r;
	struct mem m;
	long grew;

	(void)state;
	seal_big("big.gpg");
	tee_init(&t, 0);
	opts.tee = tee_hash;
	opts.tee_ctx = &t;
	mem_start(&m);
	run_file("big.gpg", &opts, &r);
	grew = mem_growth(&m);
	assert_ok(&r);
	assert_int_equal(r.got, 16u << 20);
	if (getenv("AL_TEST_VERBOSE"))
		fprintf(stderr, "# 16 MiB: %.3f s, peak +%ld KiB\n", r.secs,
			grew);
	assert_int_equal(r.sig.state, AL_SIG_KNOWN);
	assert_string_equal(r.sig.fpr, S.alice);
	if (grew > 16 * 1024)
		fail_msg("peak memory grew by %ld KiB", grew);
	tee_hex(&t, hex);
	file_hex("big.gpg", want);
	assert_string_equal(hex, want);
	run_done(&r);
}

static void test_decrypt__tee_sees_every_byte(void **state)
{
	struct al_decrypt_opts opts = {0};
	char hex[AL_SHA256_HEX], want[AL_SHA256_HEX];
	struct tee t;
	struct run r;
	size_t len = 0;
	char *text, *more;
	static const char trailer[] = "\nwhat follows the armor\n";

	(void)state;
	/* an armored message with text after its END line, which gpg
	 * need not read: the tee sees the whole file anyway */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.home, "--armor", "-r", S.vault, "-u", S.alice, "-o",
	    W("tee.asc"), "--sign", "--encrypt", W("hello"));
	text = read_work("tee.asc", &len);
	more = malloc(len + sizeof(trailer));
	assert_non_null(more);
	memcpy(more, text, len);
	memcpy(more + len, trailer, sizeof(trailer) - 1);
	write_work("tee2.asc", more, len + sizeof(trailer) - 1);
	free(more);
	free(text);
	const char *names[] = {"tee.asc", "tee2.asc"};
	for (size_t i = 0; i < 2; i++) {
		tee_init(&t, 0);
		opts.tee = tee_hash;
		opts.tee_ctx = &t;
		run_file(names[i], &opts, &r);
		assert_ok(&r);
		assert_string_equal(r.plain, hello);
		tee_hex(&t, hex);
		file_hex(names[i], want);
		assert_string_equal(hex, want);
		run_done(&r);
	}
	/* and when the decryption is refused */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.bob, "-o", W("teebob.gpg"), "--encrypt",
	    W("hello"));
	tee_init(&t, 0);
	opts.tee_ctx = &t;
	run_file("teebob.gpg", &opts, &r);
	assert_refused(&r, AL_EINVAL, "not encrypted to this vault's key");
	tee_hex(&t, hex);
	file_hex("teebob.gpg", want);
	assert_string_equal(hex, want);
	run_done(&r);
	/* and when gpg is stopped after a few bytes of a big one: the rest
	 * is read for the tee */
	seal_big("big.gpg");
	tee_init(&t, 0);
	opts.cap = 4096;
	opts.tee_ctx = &t;
	run_file("big.gpg", &opts, &r);
	assert_refused(&r, AL_ELIMIT, "plain text larger than 4096 bytes");
	tee_hex(&t, hex);
	file_hex("big.gpg", want);
	assert_string_equal(hex, want);
	run_done(&r);
}

static void test_decrypt__tee_failure_is_returned(void **state)
{
	struct al_decrypt_opts opts = {.tee = tee_hash};
	struct tee t;
	struct run r;

	(void)state;
	/* at once */
	seal_hello("teefail.gpg", S.alice);
	tee_init(&t, 1);
	opts.tee_ctx = &t;
	run_file("teefail.gpg", &opts, &r);
	assert_refused(&r, AL_EIO, "store 'objects/tmp': disk full (test)");
	assert_string_equal(r.err.msg, "store 'objects/tmp': disk full (test)");
	assert_int_equal(r.got, 0);
	assert_int_equal(t.calls, 1);
	al_sha256_free(t.h);
	run_done(&r);
	/* in the middle of a big one */
	seal_big("big.gpg");
	tee_init(&t, 4u << 20);
	opts.tee_ctx = &t;
	run_file("big.gpg", &opts, &r);
	assert_refused(&r, AL_EIO, "disk full (test)");
	assert_true(r.got < (16u << 20));
	al_sha256_free(t.h);
	run_done(&r);
}

static void test_decrypt__tee_failure_while_draining_is_returned(void **state)
{
	struct al_decrypt_opts opts = {.cap = 1000, .tee = tee_hash};
	struct tee t;
	struct run r;

	(void)state;
	/* the cap stops gpg after a little of a big message; the tee then
	 * fails on what is left: the tee's failure is what is returned */
	seal_big("big.gpg");
	tee_init(&t, 8u << 20);
	opts.tee_ctx = &t;
	run_file("big.gpg", &opts, &r);
	assert_refused(&r, AL_EIO, "disk full (test)");
	al_sha256_free(t.h);
	run_done(&r);
}

static void test_decrypt__read_error_is_returned(void **state)
{
	struct run r;
	int fd;

	(void)state;
	fd = open(W("readerr"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	run_fd(fd, NULL, 0, &r);
	close(fd);
	assert_refused(&r, AL_EIO, "cannot read the bundle: ");
	run_done(&r);
}

/* ---- gpg-agent ---- */

static void test_decrypt__locked_key_reports_the_agent(void **state)
{
	struct run r;

	(void)state;
	/* the locked key's passphrase cannot be asked for (pinentry is
	 * /bin/false): not a wrong key, not a corrupt message */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.locked, "-o", W("locked.gpg"), "--encrypt",
	    W("hello"));
	run_file("locked.gpg", NULL, &r);
	assert_refused(&r, AL_ECRYPTO, "gpg-agent is not available: ");
	assert_null(strstr(r.err.msg, "not encrypted to"));
	run_done(&r);
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

static void test_decrypt__unavailable_agent_is_reported(void **state)
{
	struct run r;

	(void)state;
	/* made in other: home's gpg cannot start an agent */
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.vault, "-o", W("noagent.gpg"), "--encrypt",
	    W("hello"));
	run_file("noagent.gpg", NULL, &r);
	assert_refused(&r, AL_ECRYPTO, "gpg-agent is not available: ");
	assert_null(strstr(r.err.msg, "not encrypted to"));
	run_done(&r);
}

/* ---- resources ---- */

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void test_decrypt__no_descriptor_left_behind(void **state)
{
	struct al_decrypt_opts opts = {.cap = 4096, .tee = tee_hash};
	struct tee t;
	struct run r;
	int before, fd;

	(void)state;
	seal_hello("fds.gpg", S.alice);
	seal_big("big.gpg");
	write_work("hello", hello, strlen(hello));
	GPG(S.fx.other, "-r", S.bob, "-o", W("fdsbob.gpg"), "--encrypt",
	    W("hello"));
	before = count_fds();
	for (int i = 0; i < 3; i++) {
		run_file("fds.gpg", NULL, &r);
		assert_ok(&r);
		run_done(&r);
		run_file("fdsbob.gpg", NULL, &r);
		assert_int_equal(r.rc, AL_EINVAL);
		run_done(&r);
		run_file("big.gpg", &(struct al_decrypt_opts){.cap = 4096}, &r);
		assert_int_equal(r.rc, AL_ELIMIT);
		run_done(&r);
		tee_init(&t, 100);
		opts.tee_ctx = &t;
		run_file("big.gpg", &opts, &r);
		assert_int_equal(r.rc, AL_EIO);
		al_sha256_free(t.h);
		run_done(&r);
		fd = open(W("big.gpg"), O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		run_fd(fd, NULL, 4096, &r);
		close(fd);
		assert_int_equal(r.rc, AL_ESTOPPED);
		run_done(&r);
	}
	assert_int_equal(count_fds(), before);
}

static void test_decrypt__sig_state_names(void **state)
{
	(void)state;
	assert_string_equal(al_sig_state_name(AL_SIG_NONE), "none");
	assert_string_equal(al_sig_state_name(AL_SIG_UNKNOWN), "unknown");
	assert_string_equal(al_sig_state_name(AL_SIG_KNOWN), "known");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_decrypt__unsigned_gives_plain_text_and_no_signature),
		cmocka_unit_test(test_decrypt__signed_by_known_primary_key),
		cmocka_unit_test(test_decrypt__signing_subkey_records_primary),
		cmocka_unit_test(
			test_decrypt__public_key_alone_makes_signer_known),
		cmocka_unit_test(
			test_decrypt__unknown_signer_is_recorded_offline),
		cmocka_unit_test(test_decrypt__armored_message),
		cmocka_unit_test(
			test_decrypt__several_recipients_one_of_them_ours),
		cmocka_unit_test(test_decrypt__reads_from_the_current_offset),
		cmocka_unit_test(test_decrypt__refuses_bad_signature),
		cmocka_unit_test(test_decrypt__refuses_two_signatures),
		cmocka_unit_test(test_decrypt__refuses_revoked_signer),
		cmocka_unit_test(test_decrypt__refuses_expired_signer),
		cmocka_unit_test(test_decrypt__refuses_wrong_recipient),
		cmocka_unit_test(test_decrypt__refuses_symmetric_only),
		cmocka_unit_test(test_decrypt__refuses_signed_only),
		cmocka_unit_test(test_decrypt__refuses_stored_literal),
		cmocka_unit_test(
			test_decrypt__refuses_missing_integrity_protection),
		cmocka_unit_test(test_decrypt__refuses_two_plain_texts),
		cmocka_unit_test(test_decrypt__refuses_concatenated_messages),
		cmocka_unit_test(test_decrypt__refuses_nested_encryption),
		cmocka_unit_test(test_decrypt__refuses_what_is_not_openpgp),
		cmocka_unit_test(test_decrypt__refuses_truncated_message),
		cmocka_unit_test(test_decrypt__refuses_truncated_armor),
		cmocka_unit_test(test_decrypt__refuses_modified_ciphertext),
		cmocka_unit_test(test_decrypt__cap_stops_compression_bomb),
		cmocka_unit_test(test_decrypt__cap_is_inclusive),
		cmocka_unit_test(test_decrypt__reader_closing_early_stops_gpg),
		cmocka_unit_test(
			test_decrypt__finish_without_reading_does_not_hang),
		cmocka_unit_test(
			test_decrypt__big_message_streams_in_constant_memory),
		cmocka_unit_test(test_decrypt__tee_sees_every_byte),
		cmocka_unit_test(test_decrypt__tee_failure_is_returned),
		cmocka_unit_test(
			test_decrypt__tee_failure_while_draining_is_returned),
		cmocka_unit_test(test_decrypt__read_error_is_returned),
		cmocka_unit_test(test_decrypt__locked_key_reports_the_agent),
		cmocka_unit_test_setup_teardown(
			test_decrypt__unavailable_agent_is_reported,
			break_agent, mend_agent),
		cmocka_unit_test(test_decrypt__no_descriptor_left_behind),
		cmocka_unit_test(test_decrypt__sig_state_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
