/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_DRAFT_H
#define AL_DRAFT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "al_error.h"
#include "al_problems.h"

/* Largest report.md read (the manifest as a whole is capped at 1 MiB). */
#define AL_DRAFT_MAX_BYTES (512u * 1024u)

/* One header value or body section, with the line it starts on (1-based).
 * value is NULL when absent or empty; line is then that of the header
 * written with no value (the first such), or of the section's heading with
 * no text under it, and 0 when there is neither. */
struct al_draft_field {
	char *value;
	unsigned line;
};

/*
 * A parsed report.md (docs/draft.md, spec draft-v1): header fields as
 * written (trimmed), body sections as Markdown text (trimmed of leading and
 * trailing blank lines, comment lines removed).
 */
struct al_draft {
	struct al_draft_field id; /* "Id:" header: the report's UUID */
	struct al_draft_field title;
	struct al_draft_field project;
	struct al_draft_field klass; /* "Class:" */
	struct al_draft_field cvss;
	struct al_draft_field rating;
	struct al_draft_field reporter;
	struct al_draft_field credit;
	struct al_draft_field *cwe; /* repeatable */
	size_t ncwe;
	struct al_draft_field *affected; /* repeatable, raw text */
	size_t naffected;
	unsigned
		affected_line; /* first "Affected:" line, even empty; 0: none */
	struct al_draft_field description;
	struct al_draft_field steps;
	struct al_draft_field impact;
	struct al_draft_field additional;
};

/*
 * Parse report.md.  Syntax problems (an unknown header, a repeated
 * single-valued header, a header line without ':', an unknown level-two
 * section, a repeated section, invalid UTF-8, NUL bytes) are added to probs
 * with their line numbers, and parsing goes on, so that a check can list
 * every problem at once.  Returns 0 with *out set (even when problems were
 * found); AL_ENOMEM or AL_ELIMIT (over AL_DRAFT_MAX_BYTES) with *out NULL.
 */
int al_draft_parse(const char *buf, size_t len, struct al_draft **out,
		   struct al_problems *probs, struct al_error *err);
void al_draft_free(struct al_draft *d);

/*
 * Turn one "Affected:" value into an OSV affected object (a new JSON
 * reference in *out): "npm/chatwoot >=4.0.0 <4.2.1" -> package {ecosystem
 * "npm", name "chatwoot"}, ranges [{type SEMVER, events [{introduced
 * 4.0.0}, {fixed 4.2.1}]}]; "pypi/django 4.2.0 4.2.1" -> versions; "git/URL
 * >=C1 <C2" -> a GIT range with repo URL.  Versions are normalised for the
 * range type.  AL_EINVAL with a message naming the token and the rule.
 */
int al_draft_affected_to_osv(const char *text, json_t **out,
			     struct al_error *err);

/*
 * The manifest keys al_draft_to_manifest itself requires and reports as
 * missing (or invalid) when it cannot fill them: "id", "title", "project",
 * "class", "affected", "description", "steps"; NULL-terminated.  A caller
 * checking the result against a policy's required keys skips these, so as
 * not to report one field twice.
 */
extern const char *const al_draft_required_keys[];

/*
 * Build the manifest object (spec bundle-v1) from a parsed draft: header
 * and section fields mapped, CVSS vectors validated and filed under
 * cvss_v3 or cvss_v4, Affected lines turned into OSV objects.  Every
 * semantic problem is added to probs with its line: a missing or invalid
 * Id, missing title / project / class / affected / description / steps
 * (at the line of the empty header or of the heading with no text, else
 * line 0), a title over 200 characters or with control characters, an
 * unknown class, rating or credit, a malformed CWE, an invalid CVSS
 * vector, a malformed Affected line.  The "airlock", "created", "files",
 * "tool" and "policy_sha256" keys are left to the caller.
 *
 * The object holds every field that is valid; an invalid or missing one is
 * left out (a refused Affected line drops that entry only, a refused CWE
 * that CWE only; a rating that contradicts the CVSS vector drops the
 * rating, "Credit: public" with no name drops the credit), so that a
 * caller can check the rest, e.g. against the policy, in the same run.
 * Returns 0 with *out set when probs gained no problem; AL_EINVAL with
 * *out set when it did (still a new reference for the caller to
 * json_decref, and never fit to seal); AL_ENOMEM with *out NULL.
 */
int al_draft_to_manifest(const struct al_draft *d, json_t **out,
			 struct al_problems *probs, struct al_error *err);

/*
 * The line of the Affected header behind entry index of the "affected"
 * array that al_draft_to_manifest built: refused lines make no entry, so
 * entry i is not always d->affected[i].  0 when there is no such entry.
 */
unsigned al_draft_affected_line(const struct al_draft *d, size_t index);

/*
 * The commented report.md that "airlock-pack new" writes, with the given
 * report id in its Id: header.  It must parse with no problem and convert
 * only with the problems of a report not yet filled in.  *out is malloc'd.
 */
int al_draft_template(const char *id, char **out, struct al_error *err);

#endif
