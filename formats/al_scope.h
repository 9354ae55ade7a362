/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_SCOPE_H
#define AL_SCOPE_H

#include <jansson.h>

#include "al_policy.h"
#include "al_problems.h"

/*
 * Where a manifest key came from, for problems with line numbers: returns
 * the line of key ("class", "affected" with index i, ...) or 0.
 */
typedef unsigned (*al_line_fn)(void *ctx, const char *key, size_t index);

/*
 * Check a report (a manifest that passed al_manifest_check, or one built
 * from a draft) against a project's policy, as airlock-pack does before
 * sealing and the vault does at import:
 *   - project equals the policy's project;
 *   - class is in the policy's in_scope list (the message names them);
 *   - every key in the policy's required list is present and not empty
 *     (except the keys in skip_required, a NULL-terminated list the caller
 *     has already reported on, e.g. al_draft_required_keys; may be NULL);
 *   - each affected entry shares at least one version with the policy's
 *     supported versions of that package (entries of "supported" without a
 *     package apply to every package; no "supported" means all versions).
 * Problems are added to probs with line_of's lines (line_of may be NULL).
 * Returns 0 when none was added, AL_EINVAL otherwise, AL_ENOMEM.
 */
int al_scope_check(const struct al_policy *p, const json_t *manifest,
		   const char *const *skip_required, al_line_fn line_of,
		   void *ctx, struct al_problems *probs);

#endif
