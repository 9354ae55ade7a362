/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_MERKLE_H
#define AL_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "al_error.h"

/*
 * The Merkle tree of RFC 9162 section 2.1 (the ledger's, docs/ledger.md),
 * SHA-256: leaf = H(0x00 || data), node = H(0x01 || left || right), the
 * empty tree = H().  A tree of n > 1 leaves splits at k, the largest power
 * of two smaller than n.
 */
#define AL_MERKLE_HASH 32
/* the longest inclusion or consistency path for a tree of < 2^64 leaves */
#define AL_MERKLE_MAX_PATH 64

void al_merkle_leaf(const void *data, size_t len, uint8_t out[AL_MERKLE_HASH]);
void al_merkle_node(const uint8_t left[AL_MERKLE_HASH],
		    const uint8_t right[AL_MERKLE_HASH],
		    uint8_t out[AL_MERKLE_HASH]);
void al_merkle_empty(uint8_t out[AL_MERKLE_HASH]);

/*
 * The root of a growing tree, one leaf hash at a time, in O(log n) memory
 * (the roots of its perfect subtrees, largest first).  al_merkle_root_of
 * gives the root of the leaves pushed so far (the empty tree's with none).
 */
struct al_merkle_stream {
	uint64_t size;
	uint8_t stack[AL_MERKLE_MAX_PATH][AL_MERKLE_HASH];
	unsigned depth;
};
void al_merkle_stream_init(struct al_merkle_stream *s);
/* AL_ELIMIT when the tree already holds 2^63 leaves. */
int al_merkle_stream_push(struct al_merkle_stream *s,
			  const uint8_t leaf[AL_MERKLE_HASH],
			  struct al_error *err);
void al_merkle_stream_root(const struct al_merkle_stream *s,
			   uint8_t out[AL_MERKLE_HASH]);

/* The root of the tree of the first n of these leaf hashes (MTH). */
void al_merkle_root(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
		    uint8_t out[AL_MERKLE_HASH]);

/*
 * The inclusion path (RFC 9162 2.1.3.1, PATH(m, D[n])) of leaf m in the
 * tree of the first n leaves: from the leaf's sibling up, *len hashes
 * into path (room for AL_MERKLE_MAX_PATH).  AL_EINVAL when m >= n.
 */
int al_merkle_inclusion(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
			uint64_t m, uint8_t path[][AL_MERKLE_HASH], size_t *len,
			struct al_error *err);

/*
 * Check an inclusion proof (RFC 9162 2.1.3.2): leaf (a leaf hash) at
 * index in a tree of size leaves, path of len hashes, gives root.
 * 0, or AL_EINTEGRITY "inclusion proof: ..." (index >= size, a path of the
 * wrong length, another root).
 */
int al_merkle_verify_inclusion(uint64_t index, uint64_t size,
			       const uint8_t leaf[AL_MERKLE_HASH],
			       const uint8_t path[][AL_MERKLE_HASH], size_t len,
			       const uint8_t root[AL_MERKLE_HASH],
			       struct al_error *err);

/*
 * The consistency proof (RFC 9162 2.1.4.1, PROOF(m, D[n])) between the
 * tree of the first m leaves and that of the first n: *len hashes into
 * path.  AL_EINVAL unless 0 < m <= n.
 */
int al_merkle_consistency(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
			  uint64_t m, uint8_t path[][AL_MERKLE_HASH],
			  size_t *len, struct al_error *err);

/*
 * Check a consistency proof (RFC 9162 2.1.4.2) that the tree of size1
 * with root1 is a prefix of the tree of size2 with root2.  0, or
 * AL_EINTEGRITY "consistency proof: ...".
 */
int al_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const uint8_t root1[AL_MERKLE_HASH],
				 const uint8_t root2[AL_MERKLE_HASH],
				 const uint8_t path[][AL_MERKLE_HASH],
				 size_t len, struct al_error *err);

#endif
