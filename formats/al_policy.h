/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_POLICY_H
#define AL_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_manifest.h"

#define AL_POLICY_VERSION 1
/* At most this many recipients (gpg encrypts to at most 64 here too). */
#define AL_POLICY_MAX_RECIPIENTS 64

enum al_rating {
	AL_RATING_CRITICAL = 0,
	AL_RATING_HIGH,
	AL_RATING_MEDIUM,
	AL_RATING_LOW,
	AL_RATING_COUNT,
};

struct al_policy_reason {
	char *id;   /* "dos" */
	char *text; /* "Denial of service" */
};

/*
 * A project's policy (spec policy-v1, docs/policy.md).  Every field holds
 * a value after al_policy_parse: the file's, or the default from the
 * reference policies.
 */
struct al_policy {
	char *project;
	char *contact;     /* NULL when not given */
	char **recipients; /* full fingerprints, uppercase hex */
	size_t nrecipients;
	int64_t expires;   /* seconds since the epoch; 0 = not given */
	json_t *supported; /* OSV affected-style array; NULL = all versions */
	char **in_scope;
	size_t nin_scope;
	struct al_policy_reason *out_of_scope;
	size_t nout_of_scope;
	char **required; /* manifest keys a report must fill */
	size_t nrequired;
	unsigned ack_hours;
	unsigned fix_days[AL_RATING_COUNT];
	int triage_weekday; /* 0 monday .. 6 sunday */
	bool require_signature;
	struct al_limits limits;
	char sha256[65]; /* of the policy file's bytes; "" for the defaults */
};

/* The reference policy with no project and no recipients.  Release with
 * al_policy_release.  AL_ENOMEM. */
int al_policy_init_default(struct al_policy *p, struct al_error *err);

/*
 * Parse and validate policy.json (at most 1 MiB): "airlock_policy" must be
 * 1; "project" and "recipients" (40- or 64-hex fingerprints) required;
 * every other key optional with the default filling in; known keys type-
 * and range-checked (classes from the manifest's list, out_of_scope ids
 * unique, required keys known manifest keys, sla hours and days positive
 * and bounded, weekday a day name, limits positive and no larger than the
 * spec's defaults times 16); unknown keys refused (a typo in a policy must
 * not silently weaken it).  AL_EINVAL naming the key and the rule;
 * *p is released and zeroed on failure.
 */
int al_policy_parse(const char *buf, size_t len, struct al_policy *p,
		    struct al_error *err);
void al_policy_release(struct al_policy *p);

/* Is class in the policy's in_scope list? */
bool al_policy_in_scope(const struct al_policy *p, const char *klass);

/* "critical" -> AL_RATING_CRITICAL ...; -1 when unknown. */
int al_rating_from_name(const char *name);
const char *al_rating_name(enum al_rating r);

#endif
