/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_GPG_INT_H
#define AL_GPG_INT_H

/*
 * Inside crypto/ only: the gpg session's insides and the helpers of
 * al_gpg.c that the other gpgme users of this folder (al_decrypt.c) share.
 * gpgme types appear here, which is why no header outside crypto/ may
 * include this one.
 */

#include <stdbool.h>
#include <stddef.h>

#include <gpgme.h>

#include "al_error.h"
#include "al_gpg.h"

/* gpgme pumps 4 KiB a call by default; 32 KiB measured best (notes). */
#define AL_GPG_IO_BUFFER "32768"

struct al_gpg {
	gpgme_ctx_t ctx;  /* operations: encrypt, decrypt, import, verify */
	gpgme_ctx_t keys; /* key lookups, which must not drop the result of
			     an operation on ctx (verify looks keys up) */
	/* The first agent failure gpg reported in an ERROR or FAILURE status
	 * line since it was last cleared.  gpg reports some only there: a
	 * secret key listing without an agent ends like "no such key". */
	gpgme_error_t agent_err;
	/* The public key found last (al_gpg_get_key), kept while keep_keys
	 * is on (al_gpg_keep_keys): an audit verifies every checkpoint by the
	 * same key, and a key listing costs a gpg process.  Dropped when keys
	 * are imported or keep_keys is turned off. */
	gpgme_key_t cached;
	bool keep_keys;
};

/* gpgme's text for e into buf (thread-safe); returns buf. */
const char *al_gpg_text(gpgme_error_t e, char *buf, size_t size);

/* e says gpg-agent (or its pinentry) could not be used. */
bool al_gpg_is_agent_error(gpgme_error_t e);

/* Set err from a gpgme failure: "<what>: <gpgme's text>", or "gpg-agent is
 * not available: <text>" for an agent failure.  Returns AL_ECRYPTO. */
int al_gpg_fail(struct al_error *err, gpgme_error_t e, const char *what);

/* The status callback both contexts start with (hook: the struct al_gpg):
 * records the first agent failure of an ERROR or FAILURE line in
 * agent_err.  A callback that replaces it for one operation calls it too. */
gpgme_error_t al_gpg_watch_status(void *hook, const char *keyword,
				  const char *args);

/* A full fingerprint (40 or 64 hex digits, spaces ignored) in uppercase;
 * AL_EINVAL "'X' is not a full fingerprint" otherwise (err may be NULL). */
int al_gpg_norm_fpr(const char *in, char out[AL_FPR_MAX], struct al_error *err);

/* Copy at most AL_FPR_MAX - 1 characters of fpr (NULL: ""), uppercased. */
void al_gpg_copy_fpr(char out[AL_FPR_MAX], const char *fpr);

/* The subkey of k (the primary included) whose fingerprint is fpr. */
gpgme_subkey_t al_gpg_find_subkey(gpgme_key_t k, const char *fpr);

/* Why key k cannot be used ("is revoked", "has expired", ...), or NULL. */
const char *al_gpg_key_unusable(gpgme_key_t k);

/* s is neither revoked, expired, disabled nor invalid. */
bool al_gpg_subkey_usable(gpgme_subkey_t s);

/*
 * The key that has the normalised fingerprint fpr (as primary or subkey),
 * listed on the lookup context (g->keys); the secret listing when secret.
 * AL_ENOTFOUND without a message (the caller words it), or AL_ECRYPTO.
 */
int al_gpg_get_key(struct al_gpg *g, const char *fpr, bool secret,
		   gpgme_key_t *out, struct al_error *err);

/* io-buffer-size (AL_GPG_IO_BUFFER) on d, and "sensitive" when asked. */
void al_gpg_set_data_flags(gpgme_data_t d, bool sensitive);

#endif
