/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_PGP_SCAN_H
#define AL_PGP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

/* How much of a file al_pgp_scan needs at most (the head of a message). */
#define AL_PGP_SCAN_HEAD       (64 * 1024)
#define AL_PGP_SCAN_MAX_KEYIDS 16

/*
 * What the outer OpenPGP message of a bundle is, read from its first
 * packets before gpg sees it (RFC 4880 / RFC 9580 packet framing only; no
 * cryptography).  Lets the vault refuse, with a clear message and without
 * running gpg or ever asking for a passphrase, what the bundle spec does
 * not allow.
 */
struct al_pgp_info {
	bool armored;      /* "-----BEGIN PGP MESSAGE-----" armor */
	unsigned npkesk;   /* public-key encrypted session keys (tag 1) */
	unsigned nskesk;   /* symmetric-key encrypted session keys (tag 3) */
	int data_tag;      /* 18 SEIPD (v1 or v2), 20 AEAD (LibrePGP) */
	int seipd_version; /* 1 or 2 for tag 18, 0 otherwise */
	/* The recipients' key ids (8 bytes each, as in v3 PKESK; all zero for
	 * a hidden recipient; for v6 PKESK the key id of the fingerprint it
	 * carries: its last 8 bytes for a v4 key, its first 8 for a v6 key,
	 * as RFC 9580 5.5.4 defines key ids), in packet order, at most
	 * AL_PGP_SCAN_MAX_KEYIDS of them (npkesk may be more). */
	uint8_t keyids[AL_PGP_SCAN_MAX_KEYIDS][8];
	size_t nkeyids;
};

/*
 * Scan the head of a message: buf holds the first len bytes of the file
 * (at most AL_PGP_SCAN_HEAD are looked at; the file may be longer), binary
 * or ASCII-armored (the armor's base64 is decoded as far as needed; armor
 * headers are skipped; a CRC line is not required).  Succeeds when the
 * message starts with optional marker packets (tag 10), then one or more
 * session key packets with at least one PKESK, then an integrity-protected
 * encrypted data packet (tag 18 or 20) whose header, and the version octet
 * after it, are within the head.  AL_EINVAL otherwise, the message naming
 * the rule in words a maintainer understands:
 *   "not an OpenPGP message" (empty, text, random bytes, bad armor),
 *   "symmetric-only encryption (no public-key recipient)",
 *   "no integrity protection (symmetrically encrypted data packet, tag 9)",
 *   "signed but not encrypted", "not encrypted" (literal or compressed
 *   data first), "unexpected OpenPGP packet (tag N) before the encrypted
 *   data", "truncated OpenPGP message" (the file, or its armor, ends
 *   before the encrypted data packet's header is complete),
 *   "no encrypted data packet in the first N bytes" (the same when buf is
 *   only the head, or the session keys are longer than AL_PGP_SCAN_HEAD),
 *   "malformed OpenPGP message" / "unsupported OpenPGP message" (a packet
 *   that breaks RFC 4880 / RFC 9580 framing, an unknown packet version);
 *   docs/openpgp.md lists them all.
 * whole tells whether buf is the whole file (so running out is truncation)
 * or only its head; a len above AL_PGP_SCAN_HEAD counts as a head.  info
 * is filled on success (zeroed on failure).
 */
int al_pgp_scan(const void *buf, size_t len, bool whole,
		struct al_pgp_info *info, struct al_error *err);

#endif
