/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_DECRYPT_H
#define AL_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_gpg.h"
#include "al_io.h"

/* What a bundle's signature says, recorded truthfully. */
enum al_sig_state {
	AL_SIG_NONE = 0, /* not signed */
	AL_SIG_UNKNOWN,  /* signed by a key not in the keyring (fpr: the
			    issuer fingerprint gpg reports, or the long key
			    id when the signature carries no fingerprint) */
	AL_SIG_KNOWN,    /* good signature by a key in the keyring (fpr: its
			    primary key's fingerprint, looked up by the
			    signing key, never taken from the summary or the
			    literal packet's file name) */
};

struct al_sig {
	enum al_sig_state state;
	char fpr[AL_FPR_MAX]; /* uppercase hex; "" for AL_SIG_NONE */
	int64_t time;         /* signature creation time; 0 when none */
};

const char *al_sig_state_name(enum al_sig_state s); /* none/unknown/known */

struct al_decrypt_opts {
	/* Stop with AL_ELIMIT once the plain text passes this many bytes
	 * (compression bombs); 0 means no cap. */
	uint64_t cap;
	/* When not NULL, every byte read from in_fd (the ciphertext, as
	 * received) is passed to tee in order, on the worker thread; at
	 * finish, whatever gpg left unread is read and passed too, so tee
	 * sees the whole file.  An error from tee stops the operation and is
	 * returned by finish. */
	al_sink_fn tee;
	void *tee_ctx;
	/* When not NULL, the primary fingerprint of the one key allowed to
	 * decrypt (the vault's): a message gpg could only open with another
	 * secret key in the keyring is refused (AL_EINVAL "not encrypted to
	 * this vault's key (decrypted by FPR)"), as is one for which gpg
	 * does not say which key it used (no DECRYPTION_KEY status). */
	const char *key;
};

struct al_decrypt;

/*
 * Start decrypting and verifying the OpenPGP message read from in_fd
 * (binary or armored, read from its current offset to its end) on a worker
 * thread, offline (no key retrieval, no dirmngr).  The plain text (the
 * inner tar) is readable from *plain_fd, a socket the caller owns and must
 * close (reading to EOF, or early to stop gpg) before calling finish.
 * Nothing gpg produces may be trusted until finish returns 0.  AL_ECRYPTO,
 * AL_ENOMEM, AL_EIO.
 *
 * Until finish returns, g belongs to the worker: use it for nothing else
 * (a key found in the tar is imported after finish).  in_fd stays the
 * caller's (never closed here) and must be a blocking descriptor.  Closing
 * plain_fd before its end stops gpg, so the message is never verified:
 * finish then says so (AL_EIO); read to EOF to get a verdict.  finish
 * called with plain_fd still open does not hang: it stops gpg the same way.
 */
int al_decrypt_start(struct al_gpg *g, int in_fd,
		     const struct al_decrypt_opts *opts,
		     struct al_decrypt **out, int *plain_fd,
		     struct al_error *err);

/*
 * Wait for gpg and judge the result; frees d.  Returns 0 only when gpg
 * finished successfully, the message was encrypted with integrity
 * protection (SEIPD / AEAD; no legacy no-MDC cipher) to at least one
 * public key, decrypted with one of ours, held exactly one plain text, and
 * carried at most one signature that is either good or made by a key we do
 * not have; *sig then tells which (AL_SIG_NONE / UNKNOWN / KNOWN).
 * Otherwise, with *sig zeroed:
 *   AL_EINVAL   "not encrypted to this vault's key (recipients: KEYID...)",
 *               "symmetric-only encryption", "no integrity protection",
 *               "corrupt or truncated OpenPGP message" (gpg's reason in
 *               brackets), "more than one signature (N)", "more than one
 *               plain text", "nested encryption (...)", "not encrypted";
 *   AL_EINTEGRITY "bad signature by FPR" (gpg names a bad signature's key
 *               by its long key id: FPR is the primary fingerprint of the
 *               one key in the keyring with that id, else the key id),
 *               "signature by revoked key FPR",
 *               "signature by expired key FPR" (and other invalid ones:
 *               "expired signature by FPR", "invalid signature by FPR
 *               (reason)", "signature by FPR: key not in the keyring");
 *   AL_ELIMIT   "plain text larger than CAP bytes";
 *   AL_ECRYPTO  "gpg-agent is not available: ..." (also when the agent
 *               cannot ask for our key's passphrase), "gpg cannot use the
 *               secret key FPR", and engine failures;
 *   AL_EIO      "cannot read the bundle: ...";
 *   AL_ESTOPPED "the plain text was not read to its end (...): decryption
 *               stopped" (the caller closed plain_fd early: its own reason
 *               is the one);
 *   the error from opts->tee (returned first, even when it failed while
 *   the rest of in_fd was read after gpg had stopped).
 */
int al_decrypt_finish(struct al_decrypt *d, struct al_sig *sig,
		      struct al_error *err);

#endif
