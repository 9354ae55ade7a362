/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_VAULT_REPLY_H
#define AL_VAULT_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_gpg.h"
#include "al_hash.h"
#include "al_reply.h"
#include "al_vault.h"

/*
 * Answering a reporter offline (docs/reply.md): a reply document
 * (formats/al_reply.h) signed by the vault's key and encrypted to the
 * reporter's key from their bundle (keys/reply.asc, never imported into
 * the keyring) and to the vault's key, ASCII-armored, written to a new
 * file; one "reply" event records its SHA-256, the report's state and the
 * import event its proof covers.  The message itself is not kept.
 */

struct al_reply_result {
	int64_t seq;   /* the reply event */
	int64_t proof; /* the import event the proof covers; -1: no proof */
	char sha256[AL_SHA256_HEX]; /* of the file written */
	size_t bytes;               /* its size */
	char state[AL_REPLY_STATE_MAX];
	char to[AL_FPR_MAX]; /* the reply key's primary fingerprint */
};

/*
 * Seal message (len bytes) for report id (a full id: al_vault_find) into
 * the new file out_path, and append the "reply" event {"sha256", "state",
 * "proof": the import's seq or null} in one transaction with it: the file
 * appears (temporary file beside it, fsync, rename without replacing) only
 * when the event is recorded, and is removed when the commit fails.  The
 * proof is al_vault_proof's, or null while no signed checkpoint covers the
 * import.  Refusals change nothing:
 *   AL_ENOTFOUND  "no report 'ID'"
 *   AL_EINVAL     "report ID came without a reply key (keys/reply.asc):
 *                 ..." (naming the reporter's contact when there is one);
 *                 "message: ..." (al_reply_check_message);
 *                 "report ID: its reply key (keys/reply.asc) cannot be
 *                 used: ..." (not exactly one usable public key with an
 *                 encryption subkey: al_gpg_key_block)
 *   AL_EEXIST     "'OUT' exists; nothing sealed"
 * and the codes of al_vault_proof, al_gpg_encrypt_key_block (the vault's
 * key, the agent), AL_EIO.
 */
int al_vault_reply(struct al_vault *v, const char *id, const char *message,
		   size_t len, const char *out_path,
		   struct al_reply_result *out, struct al_error *err);

#endif
