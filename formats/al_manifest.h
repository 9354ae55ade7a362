/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_MANIFEST_H
#define AL_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_problems.h"

#define AL_MANIFEST_VERSION 1
#define AL_TITLE_MAX_CHARS  200

/* Limits a bundle reader enforces (spec bundle-v1; a policy may change
 * them). */
struct al_limits {
	uint64_t bundle_bytes;   /* default 4 GiB */
	uint64_t entries;        /* default 1000 */
	uint64_t name_bytes;     /* default 255 */
	uint64_t manifest_bytes; /* default 1 MiB */
};

void al_limits_default(struct al_limits *lim);

/* The classes a manifest may name, NULL-terminated ("rce", ..., "other"). */
extern const char *const al_manifest_classes[];
/* The ratings, NULL-terminated ("critical", "high", "medium", "low"). */
extern const char *const al_manifest_ratings[];

/*
 * Is name acceptable as an archive entry / manifest file path?  Valid
 * UTF-8, relative, no empty, "." or ".." component, no backslash, no NUL,
 * control or bidi character, at most lim->name_bytes bytes, and one of
 * "manifest.json", "keys/reply.asc" or "attachments/..." (at least one
 * character after the slash).  Unicode normalisation is not required (the
 * spec does not ask it): compare names with al_name_fold, which composes.
 * AL_EINVAL naming the entry and the rule.
 */
int al_entry_name_check(const char *name, size_t len,
			const struct al_limits *lim, struct al_error *err);

/*
 * The key two names collide under: Unicode full case folding with NFC
 * normalisation (libunistring), as a new NUL-terminated string in *out.
 * Two entries whose keys are equal are the same name.  AL_EINVAL on
 * invalid UTF-8, AL_ENOMEM.
 */
int al_name_fold(const char *name, size_t len, char **out,
		 struct al_error *err);

/*
 * name in Unicode normalisation form C, as a new NUL-terminated string in
 * *out: how a writer turns a file name from disk (macOS writes NFD) into
 * an entry name al_entry_name_check accepts.  AL_EINVAL on invalid UTF-8,
 * AL_ENOMEM.
 */
int al_name_nfc(const char *name, size_t len, char **out, struct al_error *err);

/*
 * Check a manifest object against the spec: required keys and their types,
 * airlock == 1, id a lowercase UUID v4, created RFC 3339 UTC, title one line
 * of at most 200 characters without control characters, class and rating
 * from their lists, cwe "CWE-<digits>", severity vectors valid CVSS of the
 * right version, affected entries well-formed OSV (package, ranges events,
 * versions; at least one range or version), reporter credit, files entries
 * (path valid per al_entry_name_check, unique after folding, size a
 * non-negative integer, sha256 64 lowercase hex).  Unknown keys are
 * allowed.  Every problem is added to p with the JSON path in the message
 * ("manifest: 'affected[0].ranges[0].events': ...", line 0).  Returns 0 if
 * no problem was added, AL_EINVAL otherwise.
 */
int al_manifest_check(const json_t *m, const struct al_limits *lim,
		      struct al_problems *p);

/*
 * Parse manifest.json bytes strictly: at most lim->manifest_bytes, valid
 * UTF-8, one JSON object, no duplicate keys, no NUL in strings, nesting at
 * most 32 deep; then al_manifest_check.  *out is a new reference, NULL on
 * failure.  AL_ELIMIT, AL_EINVAL (err says the first problem; every
 * problem is also in p when p is not NULL), AL_ENOMEM.
 */
int al_manifest_parse(const char *buf, size_t len, const struct al_limits *lim,
		      json_t **out, struct al_problems *p,
		      struct al_error *err);

/*
 * Serialise a manifest deterministically: keys sorted, two-space indent,
 * UTF-8 as is, a final newline.  *out is malloc'd (length *len).
 */
int al_manifest_dump(const json_t *m, char **out, size_t *len,
		     struct al_error *err);

#endif
