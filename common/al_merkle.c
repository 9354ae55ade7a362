/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ledger's Merkle tree: RFC 9162 section 2.1 with SHA-256
 * (docs/ledger.md, "The tree").
 *
 *   leaf  = SHA-256(0x00 || data)
 *   node  = SHA-256(0x01 || left || right)
 *   empty = SHA-256()
 *   MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of
 *   two smaller than n
 *
 * How it is computed:
 *
 * - Roots (al_merkle_root, al_merkle_stream_*) come from a compact range:
 *   the roots of the perfect subtrees that make up the first n leaves,
 *   largest first, one for each bit set in n.  Pushing a leaf merges the
 *   top of the stack while the old size's low bits are ones (binary
 *   carry: O(1) amortised, n - 1 node hashes for n leaves); the root folds
 *   the stack right to left, node(s[0], node(s[1], ... s[d-1])), which is
 *   MTH because every split point of RFC 9162's recursion falls on a
 *   boundary between those subtrees.  Nothing recurses and nothing is
 *   allocated: 64 hashes of stack cover any tree of < 2^64 leaves.
 *
 * - Proofs (al_merkle_inclusion, al_merkle_consistency) walk RFC 9162's
 *   PATH and SUBPROOF recursions top down as loops: each step halves the
 *   tree at k and hashes the half the path does not enter, with the same
 *   compact-range root.  The halves are disjoint, so a proof costs at most
 *   n - 1 node hashes and O(log n) memory.  A first pass counts the
 *   hashes, so the second writes each one to its final slot (the RFC lists
 *   them from the bottom up).
 *
 * - Verification (al_merkle_verify_*) is the RFC's own bit-walking
 *   algorithm, 2.1.3.2 and 2.1.4.2, step for step; the only additions are
 *   the cases the RFC leaves to its caller (below), and one message for
 *   each way a proof can fail.
 *
 * Refusals (AL_EINTEGRITY; messages start "inclusion proof: " or
 * "consistency proof: " and name the rule):
 *
 * - inclusion: the index is not below the tree size; the path is too long
 *   (the tree's top is reached with hashes left over) or too short (the
 *   hashes run out below the top); the hashes do not lead to the root.
 * - consistency: the first tree is empty (RFC 9162 proves only 0 < first:
 *   an empty tree is a prefix of every tree and a "proof" of it commits to
 *   nothing, so it is refused rather than accepted blindly); the first
 *   size is larger than the second; equal sizes with a non-empty path or
 *   two different roots (equal sizes with an empty path and equal roots
 *   are consistent); an empty path between different sizes; a path too
 *   long or too short; the hashes lead to another first or second root.
 *
 * SHA-256 is libgcrypt's gcry_md_hash_buffers over an iovec: no copy, no
 * allocation, no context per node.  libgcrypt is initialised through
 * al_hash_init() on the first call into this file, so this module may be
 * the first user of gcrypt in a process.
 */
#include "al_merkle.h"

#include <assert.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <gcrypt.h>

#include "al_hash.h"

/* The stream's limit: 2^63 leaves (a consistency path then fits in 64). */
#define MERKLE_MAX_SIZE (UINT64_C(1) << 63)

static atomic_bool merkle_ready;

/* Make sure libgcrypt is initialised; one atomic load once it is. */
static void merkle_init(void)
{
	if (atomic_load_explicit(&merkle_ready, memory_order_acquire))
		return;
	al_hash_init();
	atomic_store_explicit(&merkle_ready, true, memory_order_release);
}

static void sha256_iov(gcry_buffer_t *iov, int n, uint8_t out[AL_MERKLE_HASH])
{
	gcry_error_t ge = gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, n);

	/* Only an unknown algorithm or bad flags fail: a programmer error.
	 * Never leave out undefined, though. */
	assert(ge == 0);
	if (ge)
		memset(out, 0, AL_MERKLE_HASH);
}

static void hash_leaf(const void *data, size_t len, uint8_t out[AL_MERKLE_HASH])
{
	static const uint8_t prefix = 0x00;
	gcry_buffer_t iov[2] = {
		{.size = 1, .len = 1, .data = (void *)&prefix},
		{.size = len, .len = len, .data = (void *)data},
	};

	sha256_iov(iov, len ? 2 : 1, out);
}

/* out may be left or right. */
static void hash_node(const uint8_t left[AL_MERKLE_HASH],
		      const uint8_t right[AL_MERKLE_HASH],
		      uint8_t out[AL_MERKLE_HASH])
{
	static const uint8_t prefix = 0x01;
	uint8_t digest[AL_MERKLE_HASH];
	gcry_buffer_t iov[3] = {
		{.size = 1, .len = 1, .data = (void *)&prefix},
		{.size = AL_MERKLE_HASH,
		 .len = AL_MERKLE_HASH,
		 .data = (void *)left},
		{.size = AL_MERKLE_HASH,
		 .len = AL_MERKLE_HASH,
		 .data = (void *)right},
	};

	sha256_iov(iov, 3, digest);
	memcpy(out, digest, AL_MERKLE_HASH);
}

static void hash_empty(uint8_t out[AL_MERKLE_HASH])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, "", 0);
}

void al_merkle_leaf(const void *data, size_t len, uint8_t out[AL_MERKLE_HASH])
{
	merkle_init();
	hash_leaf(data, len, out);
}

void al_merkle_node(const uint8_t left[AL_MERKLE_HASH],
		    const uint8_t right[AL_MERKLE_HASH],
		    uint8_t out[AL_MERKLE_HASH])
{
	merkle_init();
	hash_node(left, right, out);
}

void al_merkle_empty(uint8_t out[AL_MERKLE_HASH])
{
	merkle_init();
	hash_empty(out);
}

/* The largest power of two smaller than n (n >= 2): RFC 9162's k. */
static uint64_t split_point(uint64_t n)
{
	assert(n >= 2);
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/*
 * Compact range: push leaf number size (0-based) onto stack, whose depth
 * is popcount(size); merge the perfect subtrees the new leaf completes.
 */
static void range_push(uint8_t (*stack)[AL_MERKLE_HASH], unsigned *depth,
		       uint64_t size, const uint8_t leaf[AL_MERKLE_HASH])
{
	unsigned d = *depth;

	assert(d < AL_MERKLE_MAX_PATH);
	memcpy(stack[d++], leaf, AL_MERKLE_HASH);
	for (uint64_t n = size; n & 1; n >>= 1) {
		d--;
		hash_node(stack[d - 1], stack[d], stack[d - 1]);
	}
	*depth = d;
}

static void range_root(const uint8_t (*stack)[AL_MERKLE_HASH], unsigned depth,
		       uint8_t out[AL_MERKLE_HASH])
{
	uint8_t r[AL_MERKLE_HASH];

	if (depth == 0) {
		hash_empty(out);
		return;
	}
	memcpy(r, stack[depth - 1], AL_MERKLE_HASH);
	for (unsigned i = depth - 1; i-- > 0;)
		hash_node(stack[i], r, r);
	memcpy(out, r, AL_MERKLE_HASH);
}

/* MTH of leaves[0..n), libgcrypt already initialised. */
static void tree_root(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
		      uint8_t out[AL_MERKLE_HASH])
{
	uint8_t stack[AL_MERKLE_MAX_PATH][AL_MERKLE_HASH];
	unsigned depth = 0;

	for (uint64_t i = 0; i < n; i++)
		range_push(stack, &depth, i, leaves[i]);
	range_root((const uint8_t(*)[AL_MERKLE_HASH])stack, depth, out);
}

void al_merkle_stream_init(struct al_merkle_stream *s)
{
	memset(s, 0, sizeof(*s));
}

int al_merkle_stream_push(struct al_merkle_stream *s,
			  const uint8_t leaf[AL_MERKLE_HASH],
			  struct al_error *err)
{
	if (s->size >= MERKLE_MAX_SIZE)
		return al_error_set(err, AL_ELIMIT,
				    "merkle tree: already %" PRIu64
				    " leaves, the most a tree may hold",
				    s->size);
	merkle_init();
	range_push(s->stack, &s->depth, s->size, leaf);
	s->size++;
	return 0;
}

void al_merkle_stream_root(const struct al_merkle_stream *s,
			   uint8_t out[AL_MERKLE_HASH])
{
	merkle_init();
	assert(s->depth <= AL_MERKLE_MAX_PATH);
	range_root((const uint8_t(*)[AL_MERKLE_HASH])s->stack, s->depth, out);
}

void al_merkle_root(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
		    uint8_t out[AL_MERKLE_HASH])
{
	merkle_init();
	tree_root(leaves, n, out);
}

/*
 * PATH(m, D[n]) top down: at each split, the sibling is the half that does
 * not hold leaf m.  With path NULL, only count.  Returns the length.
 */
static size_t inclusion_walk(const uint8_t (*leaves)[AL_MERKLE_HASH],
			     uint64_t n, uint64_t m,
			     uint8_t path[][AL_MERKLE_HASH], size_t len)
{
	uint64_t off = 0, size = n;
	size_t count = 0;

	while (size > 1) {
		uint64_t k = split_point(size);

		count++;
		if (m < k) {
			if (path)
				tree_root(leaves + off + k, size - k,
					  path[--len]);
			size = k;
		} else {
			if (path)
				tree_root(leaves + off, k, path[--len]);
			off += k;
			m -= k;
			size -= k;
		}
	}
	return count;
}

int al_merkle_inclusion(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
			uint64_t m, uint8_t path[][AL_MERKLE_HASH], size_t *len,
			struct al_error *err)
{
	size_t count;

	*len = 0;
	if (m >= n)
		return al_error_set(err, AL_EINVAL,
				    "inclusion proof: leaf %" PRIu64
				    " is not in a tree of %" PRIu64 " leaves",
				    m, n);
	merkle_init();
	count = inclusion_walk(leaves, n, m, NULL, 0);
	assert(count <= AL_MERKLE_MAX_PATH);
	inclusion_walk(leaves, n, m, path, count);
	*len = count;
	return 0;
}

/*
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) top down: at each split the
 * sibling half goes on the path; once m is the whole subtree, its root
 * goes first unless it is the old tree's root itself (b still true).
 * With path NULL, only count.  Returns the length.
 */
static size_t consistency_walk(const uint8_t (*leaves)[AL_MERKLE_HASH],
			       uint64_t n, uint64_t m,
			       uint8_t path[][AL_MERKLE_HASH], size_t len)
{
	uint64_t off = 0, size = n;
	size_t count = 0;
	bool b = true;

	while (m != size) {
		uint64_t k = split_point(size);

		count++;
		if (m <= k) {
			if (path)
				tree_root(leaves + off + k, size - k,
					  path[--len]);
			size = k;
		} else {
			if (path)
				tree_root(leaves + off, k, path[--len]);
			off += k;
			m -= k;
			size -= k;
			b = false;
		}
	}
	if (!b) {
		count++;
		if (path) {
			assert(len == 1);
			tree_root(leaves + off, size, path[0]);
		}
	}
	return count;
}

int al_merkle_consistency(const uint8_t (*leaves)[AL_MERKLE_HASH], uint64_t n,
			  uint64_t m, uint8_t path[][AL_MERKLE_HASH],
			  size_t *len, struct al_error *err)
{
	size_t count;

	*len = 0;
	if (m == 0 || m > n)
		return al_error_set(err, AL_EINVAL,
				    "consistency proof: sizes %" PRIu64
				    " and %" PRIu64
				    " are not 0 < first <= second",
				    m, n);
	if (n > MERKLE_MAX_SIZE)
		return al_error_set(err, AL_ELIMIT,
				    "consistency proof: a tree of %" PRIu64
				    " leaves is over the 2^63 limit",
				    n);
	merkle_init();
	count = consistency_walk(leaves, n, m, NULL, 0);
	assert(count <= AL_MERKLE_MAX_PATH);
	consistency_walk(leaves, n, m, path, count);
	*len = count;
	return 0;
}

int al_merkle_verify_inclusion(uint64_t index, uint64_t size,
			       const uint8_t leaf[AL_MERKLE_HASH],
			       const uint8_t path[][AL_MERKLE_HASH], size_t len,
			       const uint8_t root[AL_MERKLE_HASH],
			       struct al_error *err)
{
	uint8_t r[AL_MERKLE_HASH];
	uint64_t fn, sn;

	/* 1. */
	if (index >= size)
		return al_error_set(err, AL_EINTEGRITY,
				    "inclusion proof: index %" PRIu64
				    " is not below the tree size %" PRIu64,
				    index, size);
	merkle_init();
	/* 2., 3. */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, AL_MERKLE_HASH);
	/* 4. */
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return al_error_set(
				err, AL_EINTEGRITY,
				"inclusion proof: path of %zu hashes"
				" is too long for index %" PRIu64
				" in a tree of %" PRIu64,
				len, index, size);
		if ((fn & 1) || fn == sn) {
			hash_node(path[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			hash_node(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "inclusion proof: path of %zu hashes"
				    " is too short for index %" PRIu64
				    " in a tree of %" PRIu64,
				    len, index, size);
	if (memcmp(r, root, AL_MERKLE_HASH) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "inclusion proof: leaf %" PRIu64
				    " and its path do not give the root of"
				    " the tree of %" PRIu64,
				    index, size);
	return 0;
}

/* The cases RFC 9162 2.1.4.2 leaves to its caller (it assumes 0 < first <
 * second): 0 to go on, 1 when equal sizes are consistent, or an error. */
static int consistency_sizes(uint64_t size1, uint64_t size2,
			     const uint8_t root1[AL_MERKLE_HASH],
			     const uint8_t root2[AL_MERKLE_HASH], size_t len,
			     struct al_error *err)
{
	if (size1 == 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "consistency proof: the first tree is"
				    " empty; only a tree of 1 or more leaves"
				    " can be proved a prefix");
	if (size1 > size2)
		return al_error_set(err, AL_EINTEGRITY,
				    "consistency proof: the first size %" PRIu64
				    " is larger than the second %" PRIu64,
				    size1, size2);
	if (size1 == size2) {
		if (len != 0)
			return al_error_set(err, AL_EINTEGRITY,
					    "consistency proof: trees of the"
					    " same size %" PRIu64 " need an"
					    " empty path, not %zu hashes",
					    size1, len);
		if (memcmp(root1, root2, AL_MERKLE_HASH) != 0)
			return al_error_set(err, AL_EINTEGRITY,
					    "consistency proof: trees of the"
					    " same size %" PRIu64
					    " have different roots",
					    size1);
		return 1;
	}
	if (len == 0)
		return al_error_set(
			err, AL_EINTEGRITY,
			"consistency proof: the path from size %" PRIu64
			" to %" PRIu64 " is empty",
			size1, size2);
	return 0;
}

int al_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const uint8_t root1[AL_MERKLE_HASH],
				 const uint8_t root2[AL_MERKLE_HASH],
				 const uint8_t path[][AL_MERKLE_HASH],
				 size_t len, struct al_error *err)
{
	uint8_t fr[AL_MERKLE_HASH], sr[AL_MERKLE_HASH];
	uint64_t fn, sn;
	size_t i;
	int rc;

	/* 1. (an empty path), and what the RFC leaves to its caller */
	rc = consistency_sizes(size1, size2, root1, root2, len, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	merkle_init();
	/* 2. first a power of two: its root is the path's virtual first
	 * element; 5. fr and sr start from the first element */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, AL_MERKLE_HASH);
		i = 0;
	} else {
		memcpy(fr, path[0], AL_MERKLE_HASH);
		i = 1;
	}
	memcpy(sr, fr, AL_MERKLE_HASH);
	/* 3., 4. */
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 6. */
	for (; i < len; i++) {
		if (sn == 0)
			return al_error_set(
				err, AL_EINTEGRITY,
				"consistency proof: path of %zu"
				" hashes is too long from size %" PRIu64
				" to %" PRIu64,
				len, size1, size2);
		if ((fn & 1) || fn == sn) {
			hash_node(path[i], fr, fr);
			hash_node(path[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			hash_node(sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 7. */
	if (sn != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "consistency proof: path of %zu hashes is"
				    " too short from size %" PRIu64
				    " to %" PRIu64,
				    len, size1, size2);
	if (memcmp(fr, root1, AL_MERKLE_HASH) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "consistency proof: the path does not give"
				    " the first root (size %" PRIu64 ")",
				    size1);
	if (memcmp(sr, root2, AL_MERKLE_HASH) != 0)
		return al_error_set(err, AL_EINTEGRITY,
				    "consistency proof: the path does not give"
				    " the second root (size %" PRIu64 ")",
				    size2);
	return 0;
}
