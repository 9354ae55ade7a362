/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_CVSS_H
#define AL_CVSS_H

#include "al_error.h"

enum al_cvss_version {
	AL_CVSS_V31 = 31,
	AL_CVSS_V40 = 40,
};

/*
 * A parsed CVSS base vector.  Scores are kept in tenths (0..100) so that no
 * caller compares floating point: 9.8 is 98.
 */
struct al_cvss {
	enum al_cvss_version version;
	int score10; /* base score times ten */
	const char *
		rating; /* static: "none", "low", "medium", "high", "critical" */
	char vector[192]; /* the vector, metrics in the specification's order */
};

/*
 * Parse and validate a CVSS v3.1 ("CVSS:3.1/...") or v4.0 ("CVSS:4.0/...")
 * base vector and compute its base score and rating.  Every base metric must
 * be present exactly once with a defined value; anything else (an unknown or
 * repeated metric, a non-base metric, a missing prefix, trailing text) is
 * AL_EINVAL with a message naming the metric, e.g.
 * "cvss: metric 'AV' has no value 'X'".  out is zeroed on failure.
 */
int al_cvss_parse(const char *vector, struct al_cvss *out,
		  struct al_error *err);

/* The qualitative rating of a base score in tenths, as CVSS v3.1/v4.0 do:
 * 0 none, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical. */
const char *al_cvss_rating(int score10);

#endif
