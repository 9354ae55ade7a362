/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RFC 9162 Merkle tree (common/al_merkle.c): the published RFC 6962 /
 * Certificate Transparency vectors, a cross-check of every root, path and
 * proof of small trees against a recursive reference written straight
 * from the RFC's definitions, and tampering that must fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "al_error.h"
#include "al_merkle.h"

#define H AL_MERKLE_HASH

/*
 * Test vectors.  The leaf inputs, the roots of the trees of their first
 * 1..8 leaves, the leaf and node hashes, and the inclusion paths and
 * consistency proofs are those published with Certificate Transparency's
 * RFC 6962 implementation (google/certificate-transparency,
 * src/merkletree/merkle_tree_test.cc) as carried by transparency-dev/merkle:
 * testonly/constants.go (LeafInputs, NodeHashes, RootHashes),
 * testonly/reference_test.go (TestRefInclusionProof, TestRefConsistencyProof)
 * and proof/verify_test.go (inclusionProofs, consistencyProofs, roots).
 * Only the data is copied; the indices below are 0-based (verify_test.go
 * numbers inclusion leaves from 1).
 */
static const char *const leaf_inputs[8] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

#define EMPTY_ROOT \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* NodeHashes level 0: the leaf hashes of leaf_inputs */
static const char *const leaf_hashes[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};

/* NodeHashes levels 1 and 2 */
static const char *const level1[4] = {
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
};
static const char *const level2[2] = {
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
};

/* RootHashes: roots[n] is the root of the first n leaves */
static const char *const roots[9] = {
	EMPTY_ROOT,
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct path_vector {
	uint64_t a, b; /* inclusion: index, size; consistency: size1, size2 */
	const char *hashes; /* the path's hashes in hex, one after another */
};

static const struct path_vector inclusion_vectors[] = {
	{0, 1, ""},
	{0, 2,
	 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"},
	{1, 2,
	 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
	{2, 3,
	 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"},
	{1, 5,
	 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
	 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
	 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"},
	{0, 8,
	 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
	 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
	 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
	{5, 8,
	 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
	 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
	 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
};

static const struct path_vector consistency_vectors[] = {
	{1, 1, ""},
	{1, 8,
	 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
	 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
	 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
	{6, 8,
	 "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
	 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
	 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
	{2, 5,
	 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
	 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"},
	{6, 7,
	 "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
	 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"
	 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"},
};

/* The hex digits s[0..digits) (all of s when digits is 0) into out. */
static size_t unhex(const char *s, uint8_t *out, size_t cap, size_t digits)
{
	size_t n = (digits ? digits : strlen(s)) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void hash_hex(const char *s, uint8_t out[H])
{
	assert_int_equal(unhex(s, out, H, 0), H);
}

/* The leaf hashes of the eight vector inputs. */
static void vector_leaves(uint8_t leaves[8][H])
{
	for (int i = 0; i < 8; i++) {
		uint8_t data[16];
		size_t n = unhex(leaf_inputs[i], data, sizeof(data), 0);
		al_merkle_leaf(n ? data : NULL, n, leaves[i]);
	}
}

static void expect_error(int rc, const struct al_error *err, int code,
			 const char *prefix, const char *part)
{
	if (rc != code)
		fail_msg("expected code %d, got %d (%s)", code, rc,
			 rc ? err->msg : "accepted");
	assert_int_equal(err->code, code);
	if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", err->msg,
			 prefix);
	if (!strstr(err->msg, part))
		fail_msg("message '%s' does not mention '%s'", err->msg, part);
}

/* A small deterministic generator for random leaves. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void random_hashes(uint8_t (*h)[H], size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < H; j += 8) {
			uint64_t v = rng();
			memcpy(h[i] + j, &v, 8);
		}
}

/*
 * The reference: RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1 as written, by
 * recursion, sharing nothing with the library but al_merkle_node.
 */
static uint64_t ref_k(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k *= 2;
	return k;
}

static void ref_root(const uint8_t (*d)[H], uint64_t n, uint8_t out[H])
{
	uint8_t l[H], r[H];
	uint64_t k;

	if (n == 0) {
		hash_hex(EMPTY_ROOT, out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], H);
		return;
	}
	k = ref_k(n);
	ref_root(d, k, l);
	ref_root(d + k, n - k, r);
	al_merkle_node(l, r, out);
}

/* PATH(m, D[n]), appended at path[*len] */
static void ref_path(const uint8_t (*d)[H], uint64_t n, uint64_t m,
		     uint8_t (*path)[H], size_t *len)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = ref_k(n);
	if (m < k) {
		ref_path(d, k, m, path, len);
		ref_root(d + k, n - k, path[(*len)++]);
	} else {
		ref_path(d + k, n - k, m - k, path, len);
		ref_root(d, k, path[(*len)++]);
	}
}

/* SUBPROOF(m, D[n], b), appended at path[*len] */
static void ref_subproof(const uint8_t (*d)[H], uint64_t n, uint64_t m, bool b,
			 uint8_t (*path)[H], size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_root(d, n, path[(*len)++]);
		return;
	}
	k = ref_k(n);
	if (m <= k) {
		ref_subproof(d, k, m, b, path, len);
		ref_root(d + k, n - k, path[(*len)++]);
	} else {
		ref_subproof(d + k, n - k, m - k, false, path, len);
		ref_root(d, k, path[(*len)++]);
	}
}

/*
 * The shape of a proof: which side each hash joins from, top down, as
 * RFC 9162's recursions place them.  A verifier sees only the hashes, so
 * two (index, size) or (size1, size2) pairs of the same shape check alike:
 * RFC 9162 binds a proof to its tree size only through the signed tree
 * head.  For leaf 0 the trees of 5 and 7 leaves both give three hashes,
 * all on the right.  Tampering with a size or an index must fail exactly
 * when it changes the shape.
 */
struct shape {
	size_t len;
	bool first_implied; /* consistency: the first root is not sent */
	char op[AL_MERKLE_MAX_PATH + 2];
};

static void inclusion_shape(uint64_t m, uint64_t n, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	while (n > 1) {
		uint64_t k = ref_k(n);

		assert_true(s->len < sizeof(s->op));
		if (m < k) {
			s->op[s->len++] = 'R';
			n = k;
		} else {
			s->op[s->len++] = 'L';
			m -= k;
			n -= k;
		}
	}
}

static void consistency_shape(uint64_t m, uint64_t n, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	s->first_implied = true;
	while (m != n) {
		uint64_t k = ref_k(n);

		assert_true(s->len < sizeof(s->op));
		if (m <= k) {
			/* a hash only the second tree has, on the right */
			s->op[s->len++] = 'R';
			n = k;
		} else {
			/* a left hash both trees share */
			s->op[s->len++] = 'L';
			m -= k;
			n -= k;
			s->first_implied = false;
		}
	}
}

static bool same_shape(const struct shape *a, const struct shape *b)
{
	return a->len == b->len && a->first_implied == b->first_implied &&
	       memcmp(a->op, b->op, a->len) == 0;
}

static void test_merkle__initialises_libgcrypt_when_called_first(void **state)
{
	uint8_t h[H], want[H];

	(void)state;
	/* nothing in this binary has touched libgcrypt yet */
	al_merkle_empty(h);
	assert_true(gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P));
	hash_hex(EMPTY_ROOT, want);
	assert_memory_equal(h, want, H);
}

static void test_merkle__empty_tree_hash(void **state)
{
	struct al_merkle_stream s;
	uint8_t want[H], h[H];

	(void)state;
	hash_hex(EMPTY_ROOT, want);
	al_merkle_empty(h);
	assert_memory_equal(h, want, H);
	memset(h, 0, H);
	al_merkle_root(NULL, 0, h);
	assert_memory_equal(h, want, H);
	al_merkle_stream_init(&s);
	memset(h, 0, H);
	al_merkle_stream_root(&s, h);
	assert_memory_equal(h, want, H);
	assert_int_equal(s.size, 0);
}

static void test_merkle__leaf_and_node_hashes_match_vectors(void **state)
{
	uint8_t leaves[8][H], want[H], h[H];

	(void)state;
	vector_leaves(leaves);
	for (int i = 0; i < 8; i++) {
		hash_hex(leaf_hashes[i], want);
		assert_memory_equal(leaves[i], want, H);
	}
	for (int i = 0; i < 4; i++) {
		al_merkle_node(leaves[2 * i], leaves[2 * i + 1], h);
		hash_hex(level1[i], want);
		assert_memory_equal(h, want, H);
	}
	for (int i = 0; i < 2; i++) {
		uint8_t l[H], r[H];
		hash_hex(level1[2 * i], l);
		hash_hex(level1[2 * i + 1], r);
		al_merkle_node(l, r, h);
		hash_hex(level2[i], want);
		assert_memory_equal(h, want, H);
	}
	/* the output may alias an input */
	memcpy(h, leaves[0], H);
	al_merkle_node(h, leaves[1], h);
	hash_hex(level1[0], want);
	assert_memory_equal(h, want, H);
}

static void test_merkle__roots_match_vectors(void **state)
{
	struct al_merkle_stream s;
	struct al_error err;
	uint8_t leaves[8][H], want[H], h[H];

	(void)state;
	vector_leaves(leaves);
	al_merkle_stream_init(&s);
	for (uint64_t n = 0; n <= 8; n++) {
		hash_hex(roots[n], want);
		al_merkle_root((const uint8_t(*)[H])leaves, n, h);
		assert_memory_equal(h, want, H);
		al_merkle_stream_root(&s, h);
		assert_memory_equal(h, want, H);
		assert_int_equal(s.size, n);
		assert_int_equal(s.depth, __builtin_popcountll(n));
		if (n < 8)
			assert_int_equal(
				al_merkle_stream_push(&s, leaves[n], &err), 0);
	}
}

static void test_merkle__inclusion_paths_match_vectors(void **state)
{
	uint8_t leaves[8][H], path[AL_MERKLE_MAX_PATH][H], want[H], root[H];
	struct al_error err;
	size_t len;

	(void)state;
	vector_leaves(leaves);
	for (size_t v = 0;
	     v < sizeof(inclusion_vectors) / sizeof(inclusion_vectors[0]);
	     v++) {
		const struct path_vector *t = &inclusion_vectors[v];

		len = 99;
		assert_int_equal(
			al_merkle_inclusion((const uint8_t(*)[H])leaves, t->b,
					    t->a, path, &len, &err),
			0);
		assert_int_equal(len, strlen(t->hashes) / (2 * H));
		for (size_t i = 0; i < len; i++) {
			assert_int_equal(
				unhex(t->hashes + 2 * H * i, want, H, 2 * H),
				H);
			assert_memory_equal(path[i], want, H);
		}
		hash_hex(roots[t->b], root);
		assert_int_equal(
			al_merkle_verify_inclusion(t->a, t->b, leaves[t->a],
						   (const uint8_t(*)[H])path,
						   len, root, &err),
			0);
	}
}

static void test_merkle__consistency_proofs_match_vectors(void **state)
{
	uint8_t leaves[8][H], path[AL_MERKLE_MAX_PATH][H], want[H];
	uint8_t root1[H], root2[H];
	struct al_error err;
	size_t len;

	(void)state;
	vector_leaves(leaves);
	for (size_t v = 0;
	     v < sizeof(consistency_vectors) / sizeof(consistency_vectors[0]);
	     v++) {
		const struct path_vector *t = &consistency_vectors[v];

		len = 99;
		assert_int_equal(
			al_merkle_consistency((const uint8_t(*)[H])leaves, t->b,
					      t->a, path, &len, &err),
			0);
		assert_int_equal(len, strlen(t->hashes) / (2 * H));
		for (size_t i = 0; i < len; i++) {
			assert_int_equal(
				unhex(t->hashes + 2 * H * i, want, H, 2 * H),
				H);
			assert_memory_equal(path[i], want, H);
		}
		hash_hex(roots[t->a], root1);
		hash_hex(roots[t->b], root2);
		assert_int_equal(al_merkle_verify_consistency(
					 t->a, t->b, root1, root2,
					 (const uint8_t(*)[H])path, len, &err),
				 0);
	}
}

static void test_merkle__stream_and_root_agree_up_to_300(void **state)
{
	enum { N = 300 };
	uint8_t(*leaves)[H] = malloc(N * H);
	struct al_merkle_stream s;
	struct al_error err;
	uint8_t a[H], b[H], c[H];

	(void)state;
	assert_non_null(leaves);
	random_hashes(leaves, N);
	al_merkle_stream_init(&s);
	for (uint64_t n = 0; n <= N; n++) {
		al_merkle_root((const uint8_t(*)[H])leaves, n, a);
		al_merkle_stream_root(&s, b);
		ref_root((const uint8_t(*)[H])leaves, n, c);
		assert_memory_equal(a, b, H);
		assert_memory_equal(a, c, H);
		assert_int_equal(s.depth, __builtin_popcountll(n));
		if (n < N)
			assert_int_equal(
				al_merkle_stream_push(&s, leaves[n], &err), 0);
	}
	free(leaves);
}

static void test_merkle__large_tree_root_and_proofs(void **state)
{
	enum { N = 100003 };
	uint8_t(*leaves)[H] = malloc((size_t)N * H);
	uint8_t path[AL_MERKLE_MAX_PATH][H], a[H], b[H], r1[H];
	struct al_merkle_stream s;
	struct al_error err;
	size_t len;

	(void)state;
	assert_non_null(leaves);
	random_hashes(leaves, N);
	al_merkle_stream_init(&s);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(al_merkle_stream_push(&s, leaves[i], &err), 0);
	al_merkle_stream_root(&s, a);
	al_merkle_root((const uint8_t(*)[H])leaves, N, b);
	assert_memory_equal(a, b, H);
	ref_root((const uint8_t(*)[H])leaves, N, b);
	assert_memory_equal(a, b, H);

	const uint64_t idx[] = {0, 1, 65535, 65536, 99999, N - 1};
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		assert_int_equal(
			al_merkle_inclusion((const uint8_t(*)[H])leaves, N,
					    idx[i], path, &len, &err),
			0);
		assert_true(len > 0 && len <= 17);
		assert_int_equal(
			al_merkle_verify_inclusion(idx[i], N, leaves[idx[i]],
						   (const uint8_t(*)[H])path,
						   len, a, &err),
			0);
		/* and consistency from that size to the whole */
		al_merkle_root((const uint8_t(*)[H])leaves, idx[i] + 1, r1);
		assert_int_equal(
			al_merkle_consistency((const uint8_t(*)[H])leaves, N,
					      idx[i] + 1, path, &len, &err),
			0);
		assert_int_equal(al_merkle_verify_consistency(
					 idx[i] + 1, N, r1, a,
					 (const uint8_t(*)[H])path, len, &err),
				 0);
	}
	free(leaves);
}

/* how many flipped sizes or indices gave a proof of the same shape */
static unsigned same_shaped;

/* Every single-bit change to an inclusion proof must be refused, but for
 * an index or size of the same shape (see struct shape). */
static void inclusion_tampering_fails(uint64_t m, uint64_t n,
				      const uint8_t leaf[H], uint8_t (*path)[H],
				      size_t len, const uint8_t root[H])
{
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	uint8_t bad[H], extra[AL_MERKLE_MAX_PATH + 1][H];
	struct shape want, other;
	struct al_error err;
	int bit = (int)(rng() % (8 * H));

	memcpy(bad, leaf, H);
	bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	expect_error(
		al_merkle_verify_inclusion(m, n, bad, cpath, len, root, &err),
		&err, AL_EINTEGRITY,
		"inclusion proof: ", "do not give the root");
	memcpy(bad, root, H);
	bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	expect_error(
		al_merkle_verify_inclusion(m, n, leaf, cpath, len, bad, &err),
		&err, AL_EINTEGRITY,
		"inclusion proof: ", "do not give the root");
	for (size_t i = 0; i < len; i++) {
		bit = (int)(rng() % (8 * H));
		path[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_error(al_merkle_verify_inclusion(m, n, leaf, cpath, len,
							root, &err),
			     &err, AL_EINTEGRITY,
			     "inclusion proof: ", "do not give the root");
		path[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	inclusion_shape(m, n, &want);
	for (int j = 0; j < 64; j++) {
		uint64_t f = UINT64_C(1) << j;
		bool alike;
		int rc;

		alike = false;
		if ((m ^ f) < n) {
			inclusion_shape(m ^ f, n, &other);
			alike = same_shape(&want, &other);
		}
		rc = al_merkle_verify_inclusion(m ^ f, n, leaf, cpath, len,
						root, &err);
		if (rc != (alike ? 0 : AL_EINTEGRITY))
			fail_msg("leaf %" PRIu64 " of %" PRIu64
				 ": index bit %d flipped: %d",
				 m, n, j, rc);
		same_shaped += alike;
		alike = false;
		if (m < (n ^ f)) {
			inclusion_shape(m, n ^ f, &other);
			alike = same_shape(&want, &other);
		}
		rc = al_merkle_verify_inclusion(m, n ^ f, leaf, cpath, len,
						root, &err);
		if (rc != (alike ? 0 : AL_EINTEGRITY))
			fail_msg("leaf %" PRIu64 " of %" PRIu64
				 ": size bit %d flipped: %d",
				 m, n, j, rc);
		same_shaped += alike;
	}
	/* one hash too few, one too many (at either end) */
	if (len > 0)
		expect_error(al_merkle_verify_inclusion(m, n, leaf, cpath,
							len - 1, root, &err),
			     &err, AL_EINTEGRITY,
			     "inclusion proof: ", "too short");
	memcpy(extra, path, len * H);
	memcpy(extra[len], root, H);
	expect_error(al_merkle_verify_inclusion(m, n, leaf,
						(const uint8_t(*)[H])extra,
						len + 1, root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
	memcpy(extra[0], leaf, H);
	memcpy(extra[1], path, len * H);
	expect_error(al_merkle_verify_inclusion(m, n, leaf,
						(const uint8_t(*)[H])extra,
						len + 1, root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
}

static void test_merkle__inclusion_every_leaf_up_to_70(void **state)
{
	enum { N = 70 };
	uint8_t leaves[N][H], root[H];
	uint8_t path[AL_MERKLE_MAX_PATH + 1][H], ref[AL_MERKLE_MAX_PATH][H];
	struct al_error err;
	size_t len, rlen;

	(void)state;
	random_hashes(leaves, N);
	same_shaped = 0;
	for (uint64_t n = 1; n <= N; n++) {
		al_merkle_root((const uint8_t(*)[H])leaves, n, root);
		for (uint64_t m = 0; m < n; m++) {
			assert_int_equal(
				al_merkle_inclusion((const uint8_t(*)[H])leaves,
						    n, m, path, &len, &err),
				0);
			rlen = 0;
			ref_path((const uint8_t(*)[H])leaves, n, m, ref, &rlen);
			assert_int_equal(len, rlen);
			if (len)
				assert_memory_equal(path, ref, len * H);
			if (al_merkle_verify_inclusion(
				    m, n, leaves[m], (const uint8_t(*)[H])path,
				    len, root, &err) != 0)
				fail_msg("leaf %" PRIu64 " of %" PRIu64 ": %s",
					 m, n, err.msg);
			inclusion_tampering_fails(m, n, leaves[m], path, len,
						  root);
		}
	}
	/* leaf 0 of 5 and of 7, for one: the same-shape case was met */
	assert_true(same_shaped > 0);
}

/* Every single-bit change to a consistency proof must be refused, but for
 * sizes of the same shape. */
static void consistency_tampering_fails(uint64_t m, uint64_t n,
					const uint8_t r1[H],
					const uint8_t r2[H], uint8_t (*path)[H],
					size_t len)
{
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	uint8_t bad[H], extra[AL_MERKLE_MAX_PATH + 1][H];
	struct shape want, other;
	struct al_error err;
	int bit = (int)(rng() % (8 * H));
	int rc;

	/* a first root that is implied (size1 a power of two) is checked
	 * through the second */
	memcpy(bad, r1, H);
	bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	expect_error(
		al_merkle_verify_consistency(m, n, bad, r2, cpath, len, &err),
		&err, AL_EINTEGRITY, "consistency proof: ",
		m == n               ? "different roots"
		: (m & (m - 1)) == 0 ? "the second root"
				     : "the first root");
	memcpy(bad, r2, H);
	bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	expect_error(
		al_merkle_verify_consistency(m, n, r1, bad, cpath, len, &err),
		&err, AL_EINTEGRITY, "consistency proof: ",
		m == n ? "different roots" : "the second root");
	for (size_t i = 0; i < len; i++) {
		bit = (int)(rng() % (8 * H));
		path[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = al_merkle_verify_consistency(m, n, r1, r2, cpath, len,
						  &err);
		if (rc != AL_EINTEGRITY)
			fail_msg("%" PRIu64 " to %" PRIu64
				 ": hash %zu changed: %d",
				 m, n, i, rc);
		path[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	consistency_shape(m, n, &want);
	for (int j = 0; j < 64; j++) {
		uint64_t f = UINT64_C(1) << j;
		bool alike;

		alike = false;
		if (m < n && (m ^ f) != 0 && (m ^ f) < n) {
			consistency_shape(m ^ f, n, &other);
			alike = same_shape(&want, &other);
		}
		rc = al_merkle_verify_consistency(m ^ f, n, r1, r2, cpath, len,
						  &err);
		if (rc != (alike ? 0 : AL_EINTEGRITY))
			fail_msg("%" PRIu64 " to %" PRIu64
				 ": size1 bit %d flipped: %d",
				 m, n, j, rc);
		same_shaped += alike;
		alike = false;
		if (m < n && m < (n ^ f)) {
			consistency_shape(m, n ^ f, &other);
			alike = same_shape(&want, &other);
		}
		rc = al_merkle_verify_consistency(m, n ^ f, r1, r2, cpath, len,
						  &err);
		if (rc != (alike ? 0 : AL_EINTEGRITY))
			fail_msg("%" PRIu64 " to %" PRIu64
				 ": size2 bit %d flipped: %d",
				 m, n, j, rc);
		same_shaped += alike;
	}
	if (m == n) {
		expect_error(al_merkle_verify_consistency(m, n, r1, r2, cpath,
							  1, &err),
			     &err, AL_EINTEGRITY,
			     "consistency proof: ", "need an empty path");
		return;
	}
	/* swapped roots, a truncated path, an extra hash at either end */
	rc = al_merkle_verify_consistency(m, n, r2, r1, cpath, len, &err);
	assert_int_equal(rc, AL_EINTEGRITY);
	if (len > 1) {
		rc = al_merkle_verify_consistency(m, n, r1, r2, cpath, len - 1,
						  &err);
		assert_int_equal(rc, AL_EINTEGRITY);
	}
	expect_error(al_merkle_verify_consistency(m, n, r1, r2, cpath, 0, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ", "is empty");
	memcpy(extra, path, len * H);
	memcpy(extra[len], r2, H);
	expect_error(al_merkle_verify_consistency(m, n, r1, r2,
						  (const uint8_t(*)[H])extra,
						  len + 1, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ", "too long");
	memcpy(extra[0], r1, H);
	memcpy(extra[1], path, len * H);
	rc = al_merkle_verify_consistency(
		m, n, r1, r2, (const uint8_t(*)[H])extra, len + 1, &err);
	assert_int_equal(rc, AL_EINTEGRITY);
}

static void test_merkle__consistency_every_pair_up_to_70(void **state)
{
	enum { N = 70 };
	uint8_t leaves[N][H], roots_[N + 1][H];
	uint8_t path[AL_MERKLE_MAX_PATH + 1][H], ref[AL_MERKLE_MAX_PATH][H];
	struct al_error err;
	size_t len, rlen;

	(void)state;
	random_hashes(leaves, N);
	for (uint64_t n = 0; n <= N; n++)
		al_merkle_root((const uint8_t(*)[H])leaves, n, roots_[n]);
	same_shaped = 0;
	for (uint64_t n = 1; n <= N; n++) {
		for (uint64_t m = 1; m <= n; m++) {
			assert_int_equal(al_merkle_consistency(
						 (const uint8_t(*)[H])leaves, n,
						 m, path, &len, &err),
					 0);
			rlen = 0;
			ref_subproof((const uint8_t(*)[H])leaves, n, m, true,
				     ref, &rlen);
			assert_int_equal(len, rlen);
			if (len)
				assert_memory_equal(path, ref, len * H);
			if (al_merkle_verify_consistency(
				    m, n, roots_[m], roots_[n],
				    (const uint8_t(*)[H])path, len, &err) != 0)
				fail_msg("%" PRIu64 " to %" PRIu64 ": %s", m, n,
					 err.msg);
			consistency_tampering_fails(m, n, roots_[m], roots_[n],
						    path, len);
		}
	}
	assert_true(same_shaped > 0);
}

static void test_merkle__generation_refuses_bad_arguments(void **state)
{
	uint8_t leaves[4][H], path[AL_MERKLE_MAX_PATH][H];
	struct al_error err;
	size_t len;

	(void)state;
	random_hashes(leaves, 4);
	len = 7;
	expect_error(al_merkle_inclusion((const uint8_t(*)[H])leaves, 4, 4,
					 path, &len, &err),
		     &err, AL_EINVAL, "inclusion proof: ",
		     "leaf 4 is not in a tree of 4 leaves");
	assert_int_equal(len, 0);
	expect_error(al_merkle_inclusion(NULL, 0, 0, path, &len, &err), &err,
		     AL_EINVAL, "inclusion proof: ",
		     "leaf 0 is not in a tree of 0 leaves");
	len = 7;
	expect_error(al_merkle_consistency((const uint8_t(*)[H])leaves, 4, 0,
					   path, &len, &err),
		     &err, AL_EINVAL, "consistency proof: ",
		     "sizes 0 and 4 are not 0 < first <= second");
	assert_int_equal(len, 0);
	expect_error(al_merkle_consistency((const uint8_t(*)[H])leaves, 3, 4,
					   path, &len, &err),
		     &err, AL_EINVAL, "consistency proof: ",
		     "sizes 4 and 3 are not 0 < first <= second");
	/* refused before a leaf is read */
	expect_error(al_merkle_consistency((const uint8_t(*)[H])leaves,
					   UINT64_MAX, 1, path, &len, &err),
		     &err, AL_ELIMIT,
		     "consistency proof: ", "over the 2^63 limit");
}

static void test_merkle__stream_refuses_past_2_63_leaves(void **state)
{
	struct al_merkle_stream s;
	struct al_error err;
	uint8_t leaf[H] = {0};

	(void)state;
	al_merkle_stream_init(&s);
	s.size = UINT64_C(1) << 63;
	s.depth = 1;
	expect_error(al_merkle_stream_push(&s, leaf, &err), &err, AL_ELIMIT,
		     "merkle tree: ", "already 9223372036854775808 leaves");
	assert_int_equal(s.size, UINT64_C(1) << 63);
	assert_int_equal(s.depth, 1);
}

static void test_merkle__verify_inclusion_refusals(void **state)
{
	uint8_t leaves[8][H], path[AL_MERKLE_MAX_PATH + 1][H], root[H];
	uint8_t some[H];
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	struct al_error err;
	size_t len;

	(void)state;
	vector_leaves(leaves);
	hash_hex(roots[5], root);
	assert_int_equal(al_merkle_inclusion((const uint8_t(*)[H])leaves, 5, 2,
					     path, &len, &err),
			 0);
	assert_int_equal(len, 3);
	expect_error(al_merkle_verify_inclusion(5, 5, leaves[2], cpath, len,
						root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ",
		     "index 5 is not below the tree size 5");
	expect_error(al_merkle_verify_inclusion(0, 0, leaves[0], NULL, 0, root,
						&err),
		     &err, AL_EINTEGRITY, "inclusion proof: ",
		     "index 0 is not below the tree size 0");
	expect_error(
		al_merkle_verify_inclusion(2, 5, leaves[2], cpath, 2, root,
					   &err),
		&err, AL_EINTEGRITY, "inclusion proof: ",
		"path of 2 hashes is too short for index 2 in a tree of 5");
	memcpy(path[3], root, H);
	expect_error(al_merkle_verify_inclusion(2, 5, leaves[2], cpath, 4, root,
						&err),
		     &err, AL_EINTEGRITY, "inclusion proof: ",
		     "path of 4 hashes is too long for index 2 in a tree of 5");
	expect_error(
		al_merkle_verify_inclusion(2, 5, leaves[3], cpath, 3, root,
					   &err),
		&err, AL_EINTEGRITY, "inclusion proof: ",
		"leaf 2 and its path do not give the root of the tree of 5");
	/* a one-leaf tree: the leaf is the root, the path empty */
	hash_hex(roots[1], root);
	assert_int_equal(al_merkle_verify_inclusion(0, 1, leaves[0], NULL, 0,
						    root, &err),
			 0);
	expect_error(al_merkle_verify_inclusion(0, 1, leaves[0], cpath, 1, root,
						&err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
	hash_hex(EMPTY_ROOT, some);
	expect_error(al_merkle_verify_inclusion(0, 1, leaves[0], NULL, 0, some,
						&err),
		     &err, AL_EINTEGRITY,
		     "inclusion proof: ", "do not give the root");
	/* the largest trees: a path of exactly 64 is the right length */
	random_hashes(path, AL_MERKLE_MAX_PATH + 1);
	expect_error(al_merkle_verify_inclusion(0, UINT64_MAX, some, cpath, 64,
						root, &err),
		     &err, AL_EINTEGRITY,
		     "inclusion proof: ", "do not give the root");
	expect_error(al_merkle_verify_inclusion(0, UINT64_MAX, some, cpath, 65,
						root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
	/* the last leaf of that tree: 1 + 62 hashes */
	expect_error(al_merkle_verify_inclusion(UINT64_MAX - 1, UINT64_MAX,
						some, cpath, 63, root, &err),
		     &err, AL_EINTEGRITY,
		     "inclusion proof: ", "do not give the root");
	expect_error(al_merkle_verify_inclusion(UINT64_MAX - 1, UINT64_MAX,
						some, cpath, 62, root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too short");
	expect_error(al_merkle_verify_inclusion(0, 1, some, cpath, SIZE_MAX,
						root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
}

static void test_merkle__verify_consistency_refusals(void **state)
{
	uint8_t leaves[8][H], path[AL_MERKLE_MAX_PATH + 1][H];
	uint8_t r1[H], r2[H], r6[H], r8[H];
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	struct al_error err;
	size_t len;

	(void)state;
	vector_leaves(leaves);
	hash_hex(roots[1], r1);
	hash_hex(roots[2], r2);
	hash_hex(roots[6], r6);
	hash_hex(roots[8], r8);
	/* an empty first tree proves nothing: refused, even with no path */
	expect_error(al_merkle_verify_consistency(0, 8, r1, r8, NULL, 0, &err),
		     &err, AL_EINTEGRITY,
		     "consistency proof: ", "the first tree is empty");
	expect_error(al_merkle_verify_consistency(0, 0, r1, r1, NULL, 0, &err),
		     &err, AL_EINTEGRITY,
		     "consistency proof: ", "the first tree is empty");
	expect_error(al_merkle_verify_consistency(8, 6, r8, r6, cpath, 1, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "the first size 8 is larger than the second 6");
	/* equal sizes: an empty path and the same root */
	assert_int_equal(
		al_merkle_verify_consistency(6, 6, r6, r6, NULL, 0, &err), 0);
	expect_error(al_merkle_verify_consistency(6, 6, r6, r8, NULL, 0, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "trees of the same size 6 have different roots");
	expect_error(
		al_merkle_verify_consistency(6, 6, r6, r6, cpath, 1, &err),
		&err, AL_EINTEGRITY, "consistency proof: ",
		"trees of the same size 6 need an empty path, not 1 hashes");
	expect_error(al_merkle_verify_consistency(1, 2, r1, r2, NULL, 0, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "the path from size 1 to 2 is empty");

	assert_int_equal(al_merkle_consistency((const uint8_t(*)[H])leaves, 8,
					       6, path, &len, &err),
			 0);
	assert_int_equal(len, 3);
	assert_int_equal(
		al_merkle_verify_consistency(6, 8, r6, r8, cpath, 3, &err), 0);
	expect_error(al_merkle_verify_consistency(6, 8, r6, r8, cpath, 2, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "path of 2 hashes is too short from size 6 to 8");
	memcpy(path[3], r8, H);
	expect_error(al_merkle_verify_consistency(6, 8, r6, r8, cpath, 4, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "path of 4 hashes is too long from size 6 to 8");
	expect_error(al_merkle_verify_consistency(6, 8, r8, r8, cpath, 3, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "the path does not give the first root (size 6)");
	expect_error(al_merkle_verify_consistency(6, 8, r6, r6, cpath, 3, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ",
		     "the path does not give the second root (size 8)");
	/* first a power of two: its root is implied, never sent */
	assert_int_equal(al_merkle_consistency((const uint8_t(*)[H])leaves, 2,
					       1, path, &len, &err),
			 0);
	assert_int_equal(len, 1);
	assert_int_equal(
		al_merkle_verify_consistency(1, 2, r1, r2, cpath, 1, &err), 0);
	memcpy(path[1], path[0], H);
	memcpy(path[0], r1, H);
	expect_error(al_merkle_verify_consistency(1, 2, r1, r2, cpath, 2, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ", "too long");
	/* a huge path is stopped at the tree's height */
	random_hashes(path, AL_MERKLE_MAX_PATH + 1);
	expect_error(al_merkle_verify_consistency(3, UINT64_MAX, r1, r2, cpath,
						  SIZE_MAX, &err),
		     &err, AL_EINTEGRITY, "consistency proof: ", "too long");
	assert_int_equal(al_merkle_verify_consistency(3, UINT64_MAX, r1, r2,
						      cpath, AL_MERKLE_MAX_PATH,
						      &err),
			 AL_EINTEGRITY);
}

/*
 * What RFC 9162 does not promise: a proof names no tree size, so the path
 * of leaf 0 in the tree of 5 also checks as leaf 0 of a tree of 7 with the
 * same root (all three hashes join from the right in both).  The size
 * must come from the signed checkpoint, never from the proof's holder.
 */
static void test_merkle__size_is_bound_only_by_the_signed_root(void **state)
{
	uint8_t leaves[8][H], path[AL_MERKLE_MAX_PATH][H], root[H];
	const uint8_t(*cpath)[H] = (const uint8_t(*)[H])path;
	struct shape a, b;
	struct al_error err;
	size_t len;

	(void)state;
	vector_leaves(leaves);
	hash_hex(roots[5], root);
	assert_int_equal(al_merkle_inclusion((const uint8_t(*)[H])leaves, 5, 0,
					     path, &len, &err),
			 0);
	assert_int_equal(al_merkle_verify_inclusion(0, 5, leaves[0], cpath, len,
						    root, &err),
			 0);
	inclusion_shape(0, 5, &a);
	inclusion_shape(0, 7, &b);
	assert_true(same_shape(&a, &b));
	assert_int_equal(al_merkle_verify_inclusion(0, 7, leaves[0], cpath, len,
						    root, &err),
			 0);
	inclusion_shape(0, 4, &b);
	assert_false(same_shape(&a, &b));
	expect_error(al_merkle_verify_inclusion(0, 4, leaves[0], cpath, len,
						root, &err),
		     &err, AL_EINTEGRITY, "inclusion proof: ", "too long");
	/* leaf 1 of 5 has its sibling on the left: it is not leaf 0's */
	inclusion_shape(1, 5, &b);
	assert_false(same_shape(&a, &b));
	expect_error(al_merkle_verify_inclusion(1, 5, leaves[0], cpath, len,
						root, &err),
		     &err, AL_EINTEGRITY,
		     "inclusion proof: ", "do not give the root");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: nothing else may have initialised libgcrypt */
		cmocka_unit_test(
			test_merkle__initialises_libgcrypt_when_called_first),
		cmocka_unit_test(test_merkle__empty_tree_hash),
		cmocka_unit_test(
			test_merkle__leaf_and_node_hashes_match_vectors),
		cmocka_unit_test(test_merkle__roots_match_vectors),
		cmocka_unit_test(test_merkle__inclusion_paths_match_vectors),
		cmocka_unit_test(test_merkle__consistency_proofs_match_vectors),
		cmocka_unit_test(test_merkle__stream_and_root_agree_up_to_300),
		cmocka_unit_test(test_merkle__large_tree_root_and_proofs),
		cmocka_unit_test(test_merkle__inclusion_every_leaf_up_to_70),
		cmocka_unit_test(test_merkle__consistency_every_pair_up_to_70),
		cmocka_unit_test(test_merkle__generation_refuses_bad_arguments),
		cmocka_unit_test(test_merkle__stream_refuses_past_2_63_leaves),
		cmocka_unit_test(test_merkle__verify_inclusion_refusals),
		cmocka_unit_test(test_merkle__verify_consistency_refusals),
		cmocka_unit_test(
			test_merkle__size_is_bound_only_by_the_signed_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
