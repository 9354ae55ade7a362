/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_IMPORT_H
#define AL_IMPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "al_bundle.h"
#include "al_decrypt.h"
#include "al_error.h"
#include "al_hash.h"
#include "al_vault.h"

enum al_import_status {
	AL_IMPORT_IMPORTED, /* a new report, or a revision of one */
	AL_IMPORT_REPLAY,   /* the same bundle or content again */
	AL_IMPORT_REFUSED,  /* refused; err says why */
};

struct al_import_result {
	enum al_import_status status;
	char report[37];  /* "" when refused */
	int64_t revision; /* 1 for a new report, 2... for a revision */
	int64_t seq;      /* the event recorded, -1 when none */
	char bundle[AL_SHA256_HEX];  /* "" when not computed */
	char content[AL_SHA256_HEX]; /* "" when not reached */
	char *title; /* the manifest's title (malloc'd), or NULL */
	struct al_sig sig;
	struct al_error err; /* when refused: the reason */
};

void al_import_result_release(struct al_import_result *r);

struct al_import_opts {
	/* The file comes from a folder the user named: a symlink is not
	 * followed (refused); a file given by name may be one. */
	bool from_folder;
};

/*
 * Import one bundle file (docs/import.md), stopping at the first failure:
 * open it (a regular file; a FIFO or device is refused without blocking),
 * size limits from the policy, the outer message's packets (al_pgp_scan),
 * gpg's decrypt-and-verify streamed into the inner archive reader while the
 * ciphertext streams into the store, the signature rule of the policy,
 * then identity (replay, revision, new) and one transaction for the
 * ledger with the blob published inside it.  Returns 0 whenever the
 * bundle's fate is known (r->status; a refusal is recorded as a "refused"
 * event), or an AL_E* code when the vault itself failed (disk, ledger,
 * gpg-agent): r->err and err then say why and nothing was recorded.
 */
int al_import_file(struct al_vault *v, const char *path,
		   const struct al_import_opts *opts,
		   struct al_import_result *r, struct al_error *err);

/* The most plain text a bundle within the policy's limits can decrypt to
 * (the entries' bytes, the manifest, tar's headers and padding): the cap
 * that stops compression bombs. */
uint64_t al_import_plain_cap(const struct al_limits *lim);

/*
 * Decrypt report id's stored bundle and write its entries into a new
 * folder dir (0700; files 0600): manifest.json (the bytes sent), report.md (the texts, for reading), attachments/..., keys/reply.asc.
 * The blob's hash, gpg's verdict and every entry are checked again; the
 * folder appears (renamed from a temporary one beside it) only when all
 * passed, and is never an existing path or symlink (AL_EEXIST).  Records
 * an "open" event.  AL_ENOTFOUND, AL_EINTEGRITY (tampered store), AL_EIO.
 */
int al_vault_extract(struct al_vault *v, const char *id, const char *dir,
		     struct al_error *err);

/*
 * Decrypt the stored bundle hex (a blob of the store) and read it with
 * al_bundle_read into b, every entry going to cb (NULL: read, checked
 * against the manifest and dropped).  The blob's bytes are hashed on the
 * way: AL_EINTEGRITY when they are not hex (the store was changed), else
 * gpg's verdict, else the reader's.  Plain text stays in memory within the
 * policy's limits; nothing is written.
 */
int al_vault_read_bundle(struct al_vault *v, const char *hex,
			 const struct al_bundle_entry_cb *cb,
			 struct al_bundle *b, struct al_error *err);

/* Set (from a signal handler) to make a running al_vault_extract stop at
 * its next write, remove what it wrote and fail with AL_EIO. */
extern volatile sig_atomic_t al_vault_stop;

#endif
