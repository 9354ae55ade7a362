/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_GPG_H
#define AL_GPG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_io.h"

#define AL_FPR_MAX 65 /* a v4 (40 hex) or v5 (64 hex) fingerprint and NUL */

/*
 * A gpg session (gpgme underneath; no gpgme type leaks here): OpenPGP,
 * offline (gpg never reaches dirmngr or a keyserver), local key listing
 * only, no automatic key retrieval, GNUPGHOME respected.  Keys are named
 * only by full fingerprint: a fingerprint the user gave is the pin, so
 * encryption does not consult the web of trust.
 */
struct al_gpg;

/* AL_ECRYPTO when gpgme or the gpg engine is missing or too old. */
int al_gpg_new(struct al_gpg **out, struct al_error *err);
void al_gpg_free(struct al_gpg *g);

/*
 * While on, a public key found once is not looked up again (each lookup
 * costs a gpg process): for many verifications by one key in a short
 * time, as an audit does.  The key's state (expired, revoked) is then the
 * one seen at the first lookup.  Importing keys forgets it.
 */
void al_gpg_keep_keys(struct al_gpg *g, bool on);

enum al_key_use {
	AL_KEY_ENCRYPT, /* a public key with a usable encryption subkey */
	AL_KEY_SIGN,    /* a secret key with a usable signing (sub)key */
};

/*
 * Find the key with this fingerprint (40 or 64 hex digits, spaces and
 * case ignored; a short or long key id is refused) and check it can be used
 * now: not revoked, expired, disabled or invalid, and with a usable subkey
 * for use.  The primary key's fingerprint (uppercase) goes to primary when
 * it is not NULL.  AL_EINVAL (not a fingerprint), AL_ENOTFOUND (no such
 * key in the keyring), AL_ECRYPTO (revoked, expired, no encryption subkey,
 * no secret key), each naming the fingerprint, or AL_ECRYPTO "gpg-agent is
 * not available: <cause>" when gpg cannot reach the agent to tell whether
 * the secret key is there (AL_KEY_SIGN).
 */
int al_gpg_check_key(struct al_gpg *g, const char *fpr, enum al_key_use use,
		     char primary[AL_FPR_MAX], struct al_error *err);

/*
 * What writes the plain text: called once, on a worker thread, with a sink
 * that feeds gpg; returns 0 or an AL_E* code with err set.
 */
typedef int (*al_produce_fn)(void *ctx, al_sink_fn sink, void *sink_ctx,
			     struct al_error *err);

/*
 * Encrypt what produce writes to every recipient (and sign it with signer
 * in the same pass when signer is not NULL), binary OpenPGP (or armored)
 * into out_fd.  Streams: produce runs on a thread and its bytes reach gpg
 * through a socket pair and gpgme data callbacks, so no plain text touches
 * the disk and memory stays constant.  Every key is checked first with
 * al_gpg_check_key.  Integrity protection is always on (gpg's default;
 * MDC / AEAD).  When produce fails, its error is returned and whatever
 * reached out_fd must be thrown away.  AL_ECRYPTO (with a signer,
 * "gpg-agent is not available: <cause>" when the agent cannot be reached
 * or cannot ask for the passphrase), AL_EIO, AL_EUSAGE (no recipient),
 * AL_ELIMIT (more than 64), and the codes of produce and al_gpg_check_key.
 */
int al_gpg_encrypt(struct al_gpg *g, const char *const *recipients,
		   size_t nrecipients, const char *signer, bool armor,
		   al_produce_fn produce, void *produce_ctx, int out_fd,
		   struct al_error *err);

/*
 * Import the public keys in buf (armored or binary) into the keyring.
 * Secret keys in buf are refused (AL_EINVAL).  The number of keys gpg
 * reports as imported or unchanged goes to *considered.  AL_ECRYPTO.
 */
int al_gpg_import_public(struct al_gpg *g, const void *buf, size_t len,
			 size_t *considered, struct al_error *err);

/*
 * Verify a detached signature sig over data.  Succeeds only when there is
 * exactly one signature, it is valid (good and not from a revoked or
 * expired key), and its key's primary fingerprint equals pin (when pin is
 * not NULL).  On success the signer's primary fingerprint goes to signer
 * and the signature's creation time (seconds since the epoch, as the
 * signature states it; 0 if gpg gave none) to *sig_time, each when not
 * NULL; on failure signer is "" and *sig_time 0.  AL_EINTEGRITY naming
 * what was wrong (bad signature, unknown key, wrong key: "signed by X,
 * expected Y"), AL_EINVAL (pin is not a fingerprint), AL_ECRYPTO.
 */
int al_gpg_verify_detached(struct al_gpg *g, const void *data, size_t len,
			   const void *sig, size_t siglen, const char *pin,
			   char signer[AL_FPR_MAX], int64_t *sig_time,
			   struct al_error *err);

/*
 * Sign data with signer's key (a fingerprint, checked first with
 * al_gpg_check_key for AL_KEY_SIGN): a detached, ASCII-armored OpenPGP
 * signature, SHA-256 or stronger, malloc'd and NUL-ended into *sig, its
 * length in *siglen.  AL_ECRYPTO ("gpg-agent is not available: <cause>"
 * when the agent cannot be reached or cannot ask for the passphrase, as
 * al_gpg_encrypt says it), the codes of al_gpg_check_key.
 */
int al_gpg_sign_detached(struct al_gpg *g, const char *signer, const void *data,
			 size_t len, char **sig, size_t *siglen,
			 struct al_error *err);

/*
 * The public key with this fingerprint, ASCII-armored and minimal (its
 * user ids, subkeys and self-signatures only), malloc'd and NUL-ended into
 * *out, its length in *len.  AL_EINVAL (not a fingerprint), AL_ENOTFOUND,
 * AL_ECRYPTO.
 */
int al_gpg_export_public(struct al_gpg *g, const char *fpr, char **out,
			 size_t *len, struct al_error *err);

/* al_gpg_verify_detached_ex flags */
enum {
	/* A key that has expired since is accepted when the signature was
	 * made before the key expired (an old checkpoint stays good). */
	AL_VERIFY_EXPIRED_OK = 1 << 0,
};

/* al_gpg_verify_detached with flags (al_gpg_verify_detached passes 0). */
int al_gpg_verify_detached_ex(struct al_gpg *g, const void *data, size_t len,
			      const void *sig, size_t siglen, const char *pin,
			      unsigned flags, char signer[AL_FPR_MAX],
			      int64_t *sig_time, struct al_error *err);

/*
 * Read the OpenPGP key material in buf (armored or binary) without
 * importing it (gpg --import-options show-only): it must hold exactly one
 * key and no secret key material.  With encrypt, the key must also be
 * usable to encrypt to now: not revoked, expired, disabled or invalid, and
 * with a usable encryption subkey.  Its primary fingerprint (uppercase)
 * goes to primary.  AL_EINVAL "holds no OpenPGP key", "holds N keys, not
 * one", "holds secret key material"; AL_ECRYPTO "key FPR is revoked" (has
 * expired, ...), "key FPR has no usable encryption subkey", or gpg's
 * failure.
 */
int al_gpg_key_block(struct al_gpg *g, const void *buf, size_t len,
		     bool encrypt, char primary[AL_FPR_MAX],
		     struct al_error *err);

/*
 * Encrypt plain (len bytes in memory: a short message) to the one public
 * key in key_block and to every key of recipients (fingerprints of keys in
 * the keyring; may be empty), signed by signer (a fingerprint with its
 * secret key; NULL: not signed), ASCII-armored, into *out (malloc'd,
 * NUL-ended, its length in *outlen).  key_block is checked first with
 * al_gpg_key_block (encrypt) and given to gpg as a file (--recipient-file,
 * in a private temporary folder under $TMPDIR or /tmp, removed before
 * returning): it is used as it is and never imported into the keyring.
 * The web of trust is not consulted, as for al_gpg_encrypt.  The codes of
 * al_gpg_key_block, al_gpg_check_key and al_gpg_encrypt; AL_EIO for the
 * temporary file.
 */
int al_gpg_encrypt_key_block(struct al_gpg *g, const void *key_block,
			     size_t key_len, const char *const *recipients,
			     size_t nrecipients, const char *signer,
			     const void *plain, size_t len, char **out,
			     size_t *outlen, struct al_error *err);

#endif
