/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_VRANGE_H
#define AL_VRANGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "al_error.h"

/* Longest version string accepted, in bytes (without the NUL): a buffer
 * for al_version_normalise needs AL_VERSION_MAX + 1. */
#define AL_VERSION_MAX 256

/* How versions of a range are ordered (OSV range types). */
enum al_vscheme {
	AL_VS_SEMVER,    /* semver.org 2.0 precedence */
	AL_VS_ECOSYSTEM, /* generic dotted order, see docs/versions.md */
	AL_VS_GIT,       /* commit ids: equality only, no order */
};

/*
 * The OSV spelling of an ecosystem name given in any case ("pypi" ->
 * "PyPI", "CRATES.IO" -> "crates.io"), or NULL when it is not one Airlock
 * knows.  "git" is not an ecosystem here (it is a range type).
 */
const char *al_ecosystem_canonical(const char *name);

/* The range type OSV uses for an ecosystem's versions: SEMVER for npm,
 * crates.io, Go, Hex, Pub, ...; ECOSYSTEM for the rest. */
enum al_vscheme al_ecosystem_scheme(const char *canonical);

/* "SEMVER", "ECOSYSTEM", "GIT" */
const char *al_vscheme_name(enum al_vscheme s);

/*
 * Normalise a version for the scheme into out (size outsz): SEMVER drops
 * one leading 'v' and must then be a valid semver 2.0 version
 * (MAJOR.MINOR.PATCH[-pre][+build], no leading zeros); ECOSYSTEM takes
 * printable ASCII without spaces; GIT takes 4 to 64 hex digits (lowercased).
 * AL_EINVAL with a message naming the version and the rule.
 */
int al_version_normalise(enum al_vscheme s, const char *v, char *out,
			 size_t outsz, struct al_error *err);

/*
 * Compare two versions of one scheme: *out < 0, 0, > 0.  Both are
 * normalised first (AL_EINVAL if either is invalid).  SEMVER ignores build
 * metadata, as semver.org says.  GIT: AL_EINVAL unless equal (*out 0).
 */
int al_version_cmp(enum al_vscheme s, const char *a, const char *b, int *out,
		   struct al_error *err);

/*
 * The set of versions one OSV "affected" object names: the union of its
 * ranges' intervals (OSV event semantics: introduced, fixed, last_affected,
 * limit; "introduced": "0" is the lowest version) and its explicit
 * "versions" list.
 */
struct al_vset;

/*
 * Build a set from one OSV affected object (a JSON object with "ranges"
 * and/or "versions"; "package" is not looked at).  AL_EINVAL naming the
 * range and event on malformed input (unknown type or event, events not
 * starting with introduced, invalid version for the type, GIT without
 * "repo").  *out is NULL on failure.
 */
int al_vset_from_osv(const json_t *affected, struct al_vset **out,
		     struct al_error *err);
void al_vset_free(struct al_vset *set);

/*
 * Is version v (of scheme s) in the set?  Explicit versions compare by the
 * scheme's equality (or byte equality where v is not valid in the scheme);
 * intervals only for ranges of scheme s.  AL_EINVAL if v is not valid in s.
 */
int al_vset_contains(const struct al_vset *set, enum al_vscheme s,
		     const char *v, bool *out, struct al_error *err);

/*
 * Do two sets share a version?  True when an interval of one overlaps an
 * interval of the same scheme in the other, or an explicit version of one
 * lies in the other.  GIT ranges overlap only by shared commit ids.
 */
int al_vset_overlaps(const struct al_vset *a, const struct al_vset *b,
		     bool *out, struct al_error *err);

#endif
