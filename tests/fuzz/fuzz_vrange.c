/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for version ranges.  The first byte picks a mode:
 *   even: the rest is an OSV affected object (JSON); a built set must
 *         contain each of its explicit versions, in every scheme where the
 *         version is valid, and overlap itself when it does;
 *   odd:  the rest is up to three versions separated by '\n'; in every
 *         scheme the order must be antisymmetric, reflexive, transitive,
 *         and normalising must be idempotent.
 * A broken property traps, so the fuzzer reports it like a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "al_vrange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

static void check_set(const uint8_t *data, size_t size)
{
	struct al_error err = {0};
	struct al_vset *set = NULL;
	json_error_t je;
	json_t *j, *versions;
	size_t i;
	bool in, any = false;

	j = json_loadb((const char *)data, size,
		       JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j)
		return;
	if (al_vset_from_osv(j, &set, &err) != 0) {
		CHECK(set == NULL);
		CHECK(err.code != 0 && err.msg[0] != '\0');
		json_decref(j);
		return;
	}
	versions = json_object_get(j, "versions");
	for (i = 0; i < json_array_size(versions); i++) {
		const char *v = json_string_value(json_array_get(versions, i));
		int s;

		for (s = 0; s < 3; s++) {
			char norm[AL_VERSION_MAX + 1];

			if (al_version_normalise((enum al_vscheme)s, v, norm,
						 sizeof(norm), NULL) != 0)
				continue;
			in = false;
			CHECK(al_vset_contains(set, (enum al_vscheme)s, v, &in,
					       &err) == 0);
			CHECK(in);
			any = true;
		}
	}
	for (i = 0; i < 3; i++) {
		static const char *const probe[3] = {"1.0.0", "1.0", "abcd"};

		al_vset_contains(set, (enum al_vscheme)i, probe[i], &in, &err);
	}
	in = false;
	CHECK(al_vset_overlaps(set, set, &in, &err) == 0);
	if (any)
		CHECK(in);
	al_vset_free(set);
	json_decref(j);
}

static void check_order(const uint8_t *data, size_t size)
{
	char buf[3][AL_VERSION_MAX + 64];
	size_t n = 0, k = 0, i;
	int s;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < size && n < 3; i++) {
		if (data[i] == '\n') {
			n++;
			k = 0;
			continue;
		}
		if (k + 1 < sizeof(buf[0]))
			buf[n][k++] = (char)data[i];
	}
	for (s = 0; s < 3; s++) {
		enum al_vscheme sc = (enum al_vscheme)s;
		char norm[AL_VERSION_MAX + 1], again[AL_VERSION_MAX + 1];
		int ab, ba, bc, ac, aa;
		bool okab, okbc, okac;

		for (i = 0; i < 3; i++) {
			if (al_version_normalise(sc, buf[i], norm, sizeof(norm),
						 NULL) != 0)
				continue;
			CHECK(al_version_normalise(sc, norm, again,
						   sizeof(again), NULL) == 0);
			if (sc != AL_VS_SEMVER || norm[0] != 'v')
				CHECK(strcmp(norm, again) == 0);
			CHECK(al_version_cmp(sc, buf[i], buf[i], &aa, NULL) ==
				      0 &&
			      aa == 0);
		}
		okab = al_version_cmp(sc, buf[0], buf[1], &ab, NULL) == 0;
		if (okab) {
			CHECK(al_version_cmp(sc, buf[1], buf[0], &ba, NULL) ==
			      0);
			CHECK(ab == -ba);
		}
		okbc = al_version_cmp(sc, buf[1], buf[2], &bc, NULL) == 0;
		okac = al_version_cmp(sc, buf[0], buf[2], &ac, NULL) == 0;
		if (okab && okbc && okac) {
			if (ab <= 0 && bc <= 0)
				CHECK(ac <= 0);
			if (ab >= 0 && bc >= 0)
				CHECK(ac >= 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	if (data[0] % 2 == 0)
		check_set(data + 1, size - 1);
	else
		check_order(data + 1, size - 1);
	return 0;
}
