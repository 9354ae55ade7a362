/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_REPLY_H
#define AL_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_checkpoint.h"
#include "al_error.h"
#include "al_time.h"

/*
 * A reply from the maintainers to a reporter (docs/reply.md): the plain
 * text inside the OpenPGP message airlock-vault reply seals is one JSON
 * object in RFC 8785 canonical form:
 *
 *   airlock_reply  1
 *   report         the report's id (a lowercase UUID v4)
 *   title          the report's title (1 to 200 characters, one line)
 *   state          the report's state when the reply was sealed
 *   rating         "critical", "high", "medium", "low", or null
 *   at             when it was sealed, "YYYY-MM-DDTHH:MM:SSZ"
 *   vault          the vault's origin name (as in its checkpoints)
 *   from           the vault key's fingerprint (40 or 64 uppercase hex)
 *   message        the maintainers' text (below)
 *   proof          the inclusion proof of the report's import (docs/
 *                  ledger.md "Proofs": airlock_proof, report, index,
 *                  event, path, checkpoint, signature, key), or null
 *
 * Pure: no gpg.  What the signatures say is the caller's to check.
 */

#define AL_REPLY_MAX         (1u << 20) /* the whole document */
#define AL_REPLY_MESSAGE_MAX (64u << 10)
#define AL_REPLY_TITLE_MAX   200 /* characters */
#define AL_REPLY_FPR_MAX     65  /* 64 hex digits and a NUL */
#define AL_REPLY_STATE_MAX   32
#define AL_REPLY_ID_LEN      37 /* a UUID and a NUL */
/* the parts of a proof: its event's canonical bytes, the checkpoint's
 * detached signature, the vault's public key */
#define AL_REPLY_EVENT_MAX     (64u << 10)
#define AL_REPLY_SIGNATURE_MAX (16u << 10)
#define AL_REPLY_KEY_MAX       (256u << 10)

/* What al_reply_format writes and al_reply_parse reads. */
struct al_reply {
	char report[AL_REPLY_ID_LEN];
	const char *title; /* owned by the struct (al_reply_release) */
	char state[AL_REPLY_STATE_MAX];
	char rating[16]; /* "" for null */
	int64_t at;
	char vault[AL_CHECKPOINT_ORIGIN_MAX];
	char from[AL_REPLY_FPR_MAX];
	const char *message; /* owned; message_len bytes, NUL-ended */
	size_t message_len;
	json_t *proof; /* a reference, or NULL for null */
};

/* Free what al_reply_parse put in r (NULL-safe); r is zeroed. */
void al_reply_release(struct al_reply *r);

/*
 * Is text[0..len) a reply's message: 1 byte to 64 KiB of UTF-8 with no
 * control character but newline and tab (no C0, DEL or C1; so no "\r"
 * either).  AL_EINVAL "message: ..." naming the rule and the byte.
 */
int al_reply_check_message(const char *text, size_t len, struct al_error *err);

/*
 * The canonical bytes of the reply r (every field checked as al_reply_parse
 * checks it; r->proof may be NULL), malloc'd and NUL-ended into *out, their
 * length in *len.  AL_EINVAL naming the field, AL_ENOMEM.
 */
int al_reply_format(const struct al_reply *r, char **out, size_t *len,
		    struct al_error *err);

/*
 * Parse a reply's plain text strictly: at most AL_REPLY_MAX bytes, one
 * JSON object whose bytes are its own canonical form (RFC 8785: so one
 * text has one spelling), with exactly the keys above, each of its type
 * and within its limits (unknown keys refused), the proof's shape as
 * al_reply_proof_check reads it.  The proof's hashes and signatures are
 * not checked here (al_reply_proof_check, then gpg).  out is released
 * first and filled on success.  AL_EINVAL "reply: ..." naming the key and
 * the rule, AL_ELIMIT, AL_ENOMEM.
 */
int al_reply_parse(const char *buf, size_t len, struct al_reply *out,
		   struct al_error *err);

/* What a proof says once its hashes check; the pointers borrow from the
 * proof object. */
struct al_reply_proof_info {
	uint64_t index;          /* the import event's seq */
	uint64_t size;           /* the checkpoint's size */
	char at[AL_RFC3339_LEN]; /* the import event's time */
	char origin[AL_CHECKPOINT_ORIGIN_MAX];
	const char *checkpoint; /* the checkpoint's text, signed by ... */
	size_t checkpoint_len;
	const char *signature; /* ... this detached armored signature */
	size_t signature_len;
	const char *key; /* the public key the proof carries */
	size_t key_len;
};

/*
 * Check an inclusion proof (docs/ledger.md "Proofs", as al_vault_proof
 * writes it) for report's import, without gpg: exactly its keys, each of
 * its type; its event's bytes canonical JSON of an "import" event of this
 * report whose seq is the proof's index; the checkpoint's text exact (al_
 * checkpoint_parse), naming origin when origin is not NULL; the path
 * leading from the event's leaf hash to the checkpoint's root (RFC 9162
 * 2.1.3.2).  What is left for gpg goes to out: the checkpoint's signature
 * must be a good one by the key the caller expects (the one that signed
 * the reply).  AL_EINTEGRITY "proof: ..." naming the rule, AL_ENOMEM.
 */
int al_reply_proof_check(const json_t *proof, const char *report,
			 const char *origin, struct al_reply_proof_info *out,
			 struct al_error *err);

#endif
