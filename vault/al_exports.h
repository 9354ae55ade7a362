/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AL_EXPORTS_H
#define AL_EXPORTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "al_error.h"
#include "al_gpg.h"
#include "al_hash.h"
#include "al_vault.h"

/*
 * What the maintainers publish (docs/exports.md): the policy kit for
 * SECURITY.md, an advisory for a report (OSV 1.7 JSON or a Markdown
 * draft), the credits, and the table of reports.  Each export is an
 * "export" event in the ledger naming what went out by its SHA-256.
 */

/* ---- the policy kit (al_kit.c) ---- */

struct al_kit_result {
	char signer[AL_FPR_MAX]; /* the vault's key: the pin for SECURITY.md */
	char policy_sha256[AL_SHA256_HEX];
	size_t recipients; /* the policy's recipients, each in keys.asc */
	bool signer_added; /* the signer is not a recipient: its key was
				 added to keys.asc so the kit can be checked,
				 but bundles sealed with the kit are not
				 encrypted to this vault (a warning) */
	int64_t expires;   /* the policy's expires; 0: not given */
	int64_t seq;       /* the export event */
};

/*
 * Write the policy kit into a new folder dir: policy.json (the vault's
 * exact bytes), policy.json.asc (a detached armored signature by the
 * vault's key) and keys.asc (each recipient's public key, minimal, in the
 * policy's order, and the vault's key after them when it is not one).
 * The files are written into a temporary folder beside dir, the
 * signature is checked, and the folder is renamed into place together
 * with an "export" event {"what": "policy", "policy": SHA-256} (a failed
 * commit takes the folder away again).  Refused, with nothing written
 * or recorded:
 *   AL_ENOTFOUND  the vault has no policy.json (the reference defaults
 *                 name no project or recipients)
 *   AL_EINTEGRITY policy.json is not the one the init event recorded
 *   AL_EINVAL     it has expired (its "expires" has passed)
 *   AL_EEXIST     dir exists
 *   AL_ENOTFOUND / AL_ECRYPTO  a recipient's key is not in the keyring,
 *                 or not usable for encryption (naming its fingerprint)
 *   and the codes of al_gpg_sign_detached, AL_EIO.
 */
int al_vault_policy_export(struct al_vault *v, const char *dir,
			   struct al_kit_result *out, struct al_error *err);

/* ---- advisories, credits, reports (al_advisory.c) ---- */

/* Notes a builder leaves for the maintainer (a placeholder id, an
 * ecosystem OSV does not know, a range left without its fix): printed as
 * warnings, never part of the output. */
#define AL_NOTES_MAX 8
struct al_notes {
	size_t n;
	char text[AL_NOTES_MAX][240];
};

/* What an advisory is made of: the report's manifest (its texts
 * included) and the maintainers' triage. */
struct al_advisory_in {
	const json_t *manifest;    /* the manifest.json the reporter sent */
	const char *report;        /* the report's full id */
	const char *id;            /* the advisory id (--id); NULL: the
				      placeholder AIRLOCK-XXXXXXXX */
	const char *state;         /* the report's state */
	const char *rating;        /* the maintainers' rating, or NULL */
	const char *cvss;          /* the maintainers' vector, or NULL */
	const char *fixed_version; /* or NULL */
	int64_t published;         /* when it entered "disclosed"; 0: not */
	int64_t modified;          /* now */
};

/* The placeholder advisory id of a report: "AIRLOCK-" and the first 8
 * hex digits of the report id, upper-cased. */
void al_advisory_default_id(const char *report, char out[20]);

/*
 * Is id acceptable as an advisory id given by --id: 3 to 128 ASCII
 * letters, digits and "-._:", with a "-" after the first character
 * ("GHSA-xxxx-xxxx-xxxx", "CVE-2026-12345").  AL_EUSAGE otherwise.
 */
int al_advisory_id_check(const char *id, struct al_error *err);

/*
 * The OSV 1.7 advisory (docs/exports.md "Advisory"): schema_version, id,
 * modified, published (when disclosed), summary (the title), details
 * (the description, then the impact; never the steps), severity (the
 * maintainers' CVSS vector, else the reporter's proposed vectors that do
 * not contradict the maintainers' rating), affected (the manifest's, with
 * OSV's ecosystem spelling, only OSV's keys, and the fixed version added
 * to every SEMVER or ECOSYSTEM range without a fix once the report is
 * fixed or disclosed), credits (the reporter as FINDER only when they
 * asked for public credit and gave a name; never a contact),
 * database_specific.airlock {report, state, rating, cwe, class,
 * severity_source}.  A report in a closing state is refused (AL_EINVAL
 * "report X is spam: nothing to advise").  Notes go to notes (may be
 * NULL).  *out is a new object.  AL_EINVAL (bad input), AL_ENOMEM.
 */
int al_advisory_osv(const struct al_advisory_in *in, json_t **out,
		    struct al_notes *notes, struct al_error *err);

/* The OSV object as the file's bytes: two-space indent, OSV's field
 * order, every control, bidi or invisible character escaped (\uXXXX), a
 * final newline.  *out malloc'd, *len its length. */
int al_advisory_osv_text(const json_t *osv, char **out, size_t *len,
			 struct al_error *err);

/*
 * A Markdown draft of the same advisory, made from the OSV object: one-
 * line untrusted values (title, names, versions, ids) with every ASCII
 * punctuation character backslash-escaped, so that they render as the
 * text they are (no link, no HTML, no emphasis); the details kept byte
 * for byte in a fenced code block whose fence is longer than any run of
 * backticks inside; control, bidi and invisible characters shown as
 * \u{XXXX} everywhere.  *out malloc'd, *len its length.
 */
int al_advisory_markdown(const json_t *osv, char **out, size_t *len,
			 struct al_error *err);

/*
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote, CR or
 * LF (quotes doubled); a cell beginning with = + - @ tab or CR gets a
 * leading ' first (a spreadsheet would run it as a formula); text that is
 * not valid UTF-8 or holds a control or bidi character is made visible
 * (al_text_visible).  Appended to f.  NULL is an empty cell.
 */
void al_csv_cell(FILE *f, const char *s);

/* The columns of the reports export, in order. */
extern const char *const al_report_columns[];

/*
 * The reports export from rows (a JSON array of objects keyed by
 * al_report_columns; "score" an integer in tenths or null, the rest
 * strings or null): CSV (a header line, CRLF line ends, al_csv_cell) or
 * JSON (an array of objects in column order, score a number, a final
 * newline).  *out malloc'd, *len its length.
 */
int al_reports_csv(const json_t *rows, char **out, size_t *len,
		   struct al_error *err);
int al_reports_json(const json_t *rows, char **out, size_t *len,
		    struct al_error *err);

/*
 * The credits from rows (a JSON array of objects: "name", "credit",
 * "report", "state", "fixed_version", "fixed_at", "disclosed_at",
 * "title"): only rows whose credit is "public" with a non-empty name and
 * whose state is fixed or disclosed, grouped by name (byte-exact), names
 * in byte order, each name's reports by fix time.  A fixed report that is
 * not disclosed yet is listed without its title.  Anonymous reporters
 * leave no trace (not even a count).  *out is a new array of
 * {"name", "reports": [{"report", "state", "fixed_version", "fixed_at",
 * "disclosed_at", "title"}]}.
 */
int al_credits_build(const json_t *rows, json_t **out, struct al_error *err);

/* The credits as text (one block a name) or JSON (a final newline).
 * *out malloc'd, *len its length. */
int al_credits_text(const json_t *credits, char **out, size_t *len,
		    struct al_error *err);
int al_credits_json(const json_t *credits, char **out, size_t *len,
		    struct al_error *err);

/* ---- the vault's side (al_advisory.c) ---- */

/*
 * Decrypt the current bundle of report id (a full id) as open does (the
 * blob's hash, gpg's verdict, every entry's size and hash checked again)
 * and return only its parsed manifest.json: no file is written, the
 * entries are read through and hashed in bounded memory.  AL_ENOTFOUND
 * (no such report, or purged), AL_EINTEGRITY (a changed store), the codes
 * of al_decrypt_finish and al_bundle_read.
 */
int al_vault_manifest(struct al_vault *v, const char *id, json_t **out,
		      struct al_error *err);

enum al_export_format {
	AL_EXPORT_OSV,
	AL_EXPORT_MD,
	AL_EXPORT_CSV,
	AL_EXPORT_JSON,
	AL_EXPORT_TEXT,
};

/* "osv", "md", "csv", "json", "text" */
const char *al_export_format_name(enum al_export_format f);

/*
 * The advisory of report id (a full id) in format (OSV or MD), its bytes
 * malloc'd in *out.  advisory_id: --id, or NULL for the placeholder.  The
 * report's state is checked before anything is decrypted.  AL_EINVAL (a
 * closing state), the codes of al_vault_manifest and al_advisory_osv.
 */
int al_vault_advisory(struct al_vault *v, const char *id,
		      const char *advisory_id, enum al_export_format format,
		      char **out, size_t *len, struct al_notes *notes,
		      struct al_error *err);

/* The credits (TEXT or JSON) and the reports (CSV or JSON), from the
 * reports table. */
int al_vault_credits(struct al_vault *v, enum al_export_format format,
		     char **out, size_t *len, struct al_error *err);
int al_vault_reports(struct al_vault *v, enum al_export_format format,
		     char **out, size_t *len, struct al_error *err);

/*
 * Record that buf went out: an "export" event (report: NULL or the
 * report's id; data: {"what": what, "format": format when not NULL,
 * "sha256": of buf}).  With path (not NULL and not "-"), buf is written to
 * a new file path (AL_EEXIST when it exists; never replaced) that appears
 * together with the event: written to a temporary file, the event
 * appended, the file renamed into place, the event committed (a failed
 * commit removes the file).  Without, only the event is recorded: the
 * caller writes buf to standard output afterwards.  The event's number
 * goes to *seq when not NULL.
 */
int al_vault_export_record(struct al_vault *v, const char *report,
			   const char *what, const char *format,
			   const char *buf, size_t len, const char *path,
			   int64_t *seq, struct al_error *err);

#endif
