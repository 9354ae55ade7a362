/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Merkle tree (common/al_merkle.c).  The input is
 * read as:
 *
 *   0      flags: bit 0 keeps the sizes and index whole (64-bit), else
 *          they are taken modulo 256 so that most are small
 *   1..32  index, size, size1, size2: little-endian uint64
 *   33, 34 inclusion and consistency path lengths (modulo 72)
 *   35..37 a small tree: its size n (1..64), a leaf m, an old size m1
 *   38, 39 a bit to flip in a generated path (little-endian)
 *   40..   hashes, 32 bytes each (short input reads as zeros): leaf,
 *          root, root1, root2, then the inclusion path and after it the
 *          consistency path
 *
 * Part one checks al_merkle_verify_inclusion and _consistency on these
 * arbitrary (mostly wrong) proofs against a reference verifier written
 * from RFC 9162's PATH and SUBPROOF definitions instead of its bit-walking
 * algorithm: the verdicts must agree, and a refusal must be AL_EINTEGRITY
 * with its prefix.  Part two builds a tree of n leaves from the input and
 * checks that its roots agree, that the generated proofs verify, and that
 * a flipped bit in one of their hashes does not.  Any disagreement aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_merkle.h"

#define H       AL_MERKLE_HASH
#define MAX_LEN 72 /* past the longest real path, to test "too long" */
#define HEADER  40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Hash number i of the input, zeros past its end. */
static void get_hash(const uint8_t *data, size_t size, size_t i, uint8_t out[H])
{
	size_t off = HEADER + i * H;

	memset(out, 0, H);
	if (off < size)
		memcpy(out, data + off, size - off < H ? size - off : H);
}

static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k *= 2;
	return k;
}

/*
 * Reference inclusion check: PATH(m, D[n]) top down gives the side each
 * hash joins from; fold the path bottom up.
 */
static bool ref_inclusion(uint64_t m, uint64_t n, const uint8_t leaf[H],
			  const uint8_t path[][H], size_t len,
			  const uint8_t root[H])
{
	bool right[AL_MERKLE_MAX_PATH]; /* the sibling is on the right */
	size_t count = 0;
	uint8_t r[H];

	if (m >= n)
		return false;
	while (n > 1) {
		uint64_t k = split(n);

		if (count == AL_MERKLE_MAX_PATH)
			abort();
		right[count++] = m < k;
		if (m < k) {
			n = k;
		} else {
			m -= k;
			n -= k;
		}
	}
	if (len != count)
		return false;
	memcpy(r, leaf, H);
	for (size_t i = 0; i < len; i++) {
		if (right[count - 1 - i])
			al_merkle_node(r, path[i], r);
		else
			al_merkle_node(path[i], r, r);
	}
	return memcmp(r, root, H) == 0;
}

/*
 * Reference consistency check from SUBPROOF(m, D[n], true): going right,
 * the left half is in both trees; going left, the right half only in the
 * new one; the first hash is the old tree's subtree root, left out when
 * that is the old root itself (m a power of two).
 */
static bool ref_consistency(uint64_t m, uint64_t n, const uint8_t r1[H],
			    const uint8_t r2[H], const uint8_t path[][H],
			    size_t len)
{
	bool shared[AL_MERKLE_MAX_PATH + 1];
	size_t count = 0, i = 0;
	bool implied = true;
	uint8_t fr[H], sr[H];

	if (m == 0 || m > n)
		return false;
	if (m == n)
		return len == 0 && memcmp(r1, r2, H) == 0;
	while (m != n) {
		uint64_t k = split(n);

		if (count == AL_MERKLE_MAX_PATH + 1)
			abort();
		shared[count++] = m > k;
		if (m <= k) {
			n = k;
		} else {
			m -= k;
			n -= k;
			implied = false;
		}
	}
	if (len != count + !implied)
		return false;
	if (implied) {
		memcpy(fr, r1, H);
	} else {
		memcpy(fr, path[0], H);
		i = 1;
	}
	memcpy(sr, fr, H);
	for (size_t j = 0; i < len; i++, j++) {
		if (shared[count - 1 - j]) {
			al_merkle_node(path[i], fr, fr);
			al_merkle_node(path[i], sr, sr);
		} else {
			al_merkle_node(sr, path[i], sr);
		}
	}
	return memcmp(fr, r1, H) == 0 && memcmp(sr, r2, H) == 0;
}

static void check_verdict(int rc, const struct al_error *err, bool want,
			  const char *prefix)
{
	if (want) {
		if (rc != 0)
			abort();
		return;
	}
	if (rc != AL_EINTEGRITY || err->code != AL_EINTEGRITY ||
	    strncmp(err->msg, prefix, strlen(prefix)) != 0)
		abort();
}

static void arbitrary_proofs(const uint8_t *data, size_t size)
{
	uint8_t leaf[H], root[H], r1[H], r2[H];
	uint8_t path[2 * MAX_LEN][H];
	uint64_t index, tsize, size1, size2;
	size_t lincl, lcons;
	struct al_error err;
	int rc;

	index = get64(data + 1);
	tsize = get64(data + 9);
	size1 = get64(data + 17);
	size2 = get64(data + 25);
	if (!(data[0] & 1)) {
		index %= 256;
		tsize %= 256;
		size1 %= 256;
		size2 %= 256;
	}
	lincl = data[33] % MAX_LEN;
	lcons = data[34] % MAX_LEN;
	get_hash(data, size, 0, leaf);
	get_hash(data, size, 1, root);
	get_hash(data, size, 2, r1);
	get_hash(data, size, 3, r2);
	for (size_t i = 0; i < lincl + lcons; i++)
		get_hash(data, size, 4 + i, path[i]);

	rc = al_merkle_verify_inclusion(index, tsize, leaf,
					(const uint8_t(*)[H])path, lincl, root,
					&err);
	check_verdict(rc, &err,
		      ref_inclusion(index, tsize, leaf,
				    (const uint8_t(*)[H])path, lincl, root),
		      "inclusion proof: ");
	rc = al_merkle_verify_consistency(size1, size2, r1, r2,
					  (const uint8_t(*)[H])path + lincl,
					  lcons, &err);
	check_verdict(rc, &err,
		      ref_consistency(size1, size2, r1, r2,
				      (const uint8_t(*)[H])path + lincl, lcons),
		      "consistency proof: ");
}

static void small_tree(const uint8_t *data, size_t size)
{
	uint8_t leaves[64][H], path[AL_MERKLE_MAX_PATH][H];
	uint8_t root[H], again[H], r1[H];
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	struct al_merkle_stream s;
	struct al_error err;
	uint64_t n = 1 + data[35] % 64;
	uint64_t m = data[36] % n;
	uint64_t m1 = 1 + data[37] % n;
	unsigned flip = (unsigned)(data[38] | data[39] << 8);
	size_t len;

	/* leaf i is the hash of up to 16 input bytes from HEADER + i */
	al_merkle_stream_init(&s);
	for (uint64_t i = 0; i < n; i++) {
		size_t off = HEADER + i;
		size_t dlen = off < size ? size - off : 0;

		al_merkle_leaf(dlen ? data + off : NULL, dlen > 16 ? 16 : dlen,
			       leaves[i]);
		if (al_merkle_stream_push(&s, leaves[i], &err) != 0)
			abort();
	}
	al_merkle_root((const uint8_t(*)[H])leaves, n, root);
	al_merkle_stream_root(&s, again);
	if (memcmp(root, again, H) != 0)
		abort();

	if (al_merkle_inclusion((const uint8_t(*)[H])leaves, n, m, path, &len,
				&err) != 0 ||
	    len > AL_MERKLE_MAX_PATH)
		abort();
	if (al_merkle_verify_inclusion(m, n, leaves[m], cpath, len, root,
				       &err) != 0)
		abort();
	if (len > 0) {
		path[(flip / 256) % len][(flip / 8) % H] ^=
			(uint8_t)(1u << (flip % 8));
		if (al_merkle_verify_inclusion(m, n, leaves[m], cpath, len,
					       root, &err) != AL_EINTEGRITY)
			abort();
	}

	al_merkle_root((const uint8_t(*)[H])leaves, m1, r1);
	if (al_merkle_consistency((const uint8_t(*)[H])leaves, n, m1, path,
				  &len, &err) != 0 ||
	    len > AL_MERKLE_MAX_PATH)
		abort();
	if (al_merkle_verify_consistency(m1, n, r1, root, cpath, len, &err) !=
	    0)
		abort();
	if (len > 0) {
		path[(flip / 256) % len][(flip / 8) % H] ^=
			(uint8_t)(1u << (flip % 8));
		if (al_merkle_verify_consistency(m1, n, r1, root, cpath, len,
						 &err) != AL_EINTEGRITY)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	arbitrary_proofs(data, size);
	small_tree(data, size);
	return 0;
}
