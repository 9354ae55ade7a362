/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GPG_FIXTURE_H
#define GPG_FIXTURE_H

/*
 * Throwaway keyrings for tests that need gpg: two GNUPGHOMEs under /tmp
 * (mode 700, loopback pinentry, keys without passphrase), never the
 * user's own.  gpg_fixture_free stops their agents and removes them.
 */

#include <stddef.h>

struct al_gpg;

#define FX_FPR  41
#define FX_PATH 256
#define FX_HOME 64

/* Every home's gpg-agent.conf: loopback for the fixture, and a pinentry
 * that always fails, so no dialog ever waits for a person. */
#define FX_AGENT_CONF "allow-loopback-pinentry\npinentry-program /bin/false\n"

struct gpg_fixture {
	char home[FX_HOME];     /* "ours": GNUPGHOME for the code under test */
	char other[FX_HOME];    /* "theirs": keys ours does not have */
	char work[FX_HOME + 8]; /* scratch files */
};

/* Make both homes (not the keys).  0 or -1. */
int gpg_fixture_init(struct gpg_fixture *fx);

/* Stop the agents (gpgconf --kill all) and remove everything. */
void gpg_fixture_free(struct gpg_fixture *fx);

/*
 * A test group's setup in one call: gpg_fixture_init, GNUPGHOME set to the
 * "ours" home (before al_gpg_new: gpgme hands the environment to gpg),
 * make_keys(), then an al_gpg session in *g.  0, or -1 with the reason on
 * stderr.  gpg_fixture_session_end frees both.
 */
int gpg_fixture_session(struct gpg_fixture *fx, int (*make_keys)(void),
			struct al_gpg **g);
void gpg_fixture_session_end(struct gpg_fixture *fx, struct al_gpg *g);

/*
 * Run gpg with GNUPGHOME=home, --batch and loopback pinentry with an empty
 * passphrase, then the NULL-terminated arguments.  Standard input comes
 * from in (or /dev/null), standard output goes to out (or /dev/null);
 * stderr goes to /dev/null unless AL_TEST_VERBOSE is set.  Returns gpg's
 * exit status, or -1 when it could not run.
 */
int gpg_fixture_run(const char *home, const char *in, const char *out, ...)
	__attribute__((sentinel));

/* The same at a faked time (gpg's --faked-system-time, NULL for now). */
int gpg_fixture_run_at(const char *home, const char *faked, const char *in,
		       const char *out, ...) __attribute__((sentinel));

/* Run any program the same way (gpgconf, ...). */
int gpg_fixture_exec(const char *home, const char *in, const char *out,
		     const char *const *argv);

/*
 * Make a key "Name <name@example.org>": an ed25519 primary (sign), then
 * for each letter of subkeys an extra subkey: 's' ed25519 sign, 'e'
 * cv25519 encrypt, each valid for a day, no passphrase.  faked_time, when not NULL, is gpg's
 * --faked-system-time (e.g. "20200101T000000!").  The primary fingerprint
 * goes to fpr and the fingerprints of the subkeys, in order, to sub (up to
 * 4).  0 or -1.
 */
int gpg_fixture_key(const char *home, const char *name, const char *subkeys,
		    const char *faked_time, char fpr[FX_FPR],
		    char sub[][FX_FPR]);

/*
 * The same with gpg's expiry (e.g. "1d", "never") for the primary and every
 * subkey, and a passphrase for the secret key ("" for none).
 */
int gpg_fixture_key_ex(const char *home, const char *name, const char *subkeys,
		       const char *faked_time, const char *expire,
		       const char *passphrase, char fpr[FX_FPR],
		       char sub[][FX_FPR]);

/* Copy a public key (by fingerprint) from one home to another.  0/-1. */
int gpg_fixture_copy_public(const char *from, const char *to, const char *fpr);

/*
 * Has a dirmngr run for home, now or before: its socket, a process naming
 * home, or the crls.d folder it makes when it starts?  1 or 0; -1 when it
 * cannot be told.  (The programs are offline: none may ever start.)
 */
int gpg_fixture_dirmngr_seen(const struct gpg_fixture *fx, const char *home);

/* Revoke a key in home with the certificate gpg left in openpgp-revocs.d. */
int gpg_fixture_revoke(const char *home, const char *fpr);

/* work/name into buf. */
const char *gpg_fixture_path(const struct gpg_fixture *fx, const char *name,
			     char buf[FX_PATH]);

/* Write len bytes to path.  0 or -1. */
int gpg_fixture_write(const char *path, const void *buf, size_t len);

/* Read a whole file (at most 64 MiB) into a new NUL-terminated buffer. */
char *gpg_fixture_read(const char *path, size_t *len);

#endif
