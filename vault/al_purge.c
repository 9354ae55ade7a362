/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Retention: a report's ciphertext is deleted from the store, and a
 * tombstone event says which bundles and why.  The events stay (they hold
 * hashes, not text), so the tree, every checkpoint and every proof stay
 * valid.  The tombstone is committed before the blobs are removed: a crash
 * between leaves a purged blob behind (audit counts it, purge again
 * removes it), never a ledger that names a blob that is gone.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "al_ledger.h"
#include "al_text.h"

#define REASON_MAX 500

static int check_reason(const char *reason, struct al_error *err)
{
	size_t len = reason ? strlen(reason) : 0;

	if (!len)
		return al_error_set(err, AL_EUSAGE,
				    "purge: --reason is required (why the "
				    "report is deleted, for the ledger)");
	if (len > REASON_MAX)
		return al_error_set(err, AL_EUSAGE,
				    "purge: --reason is %zu bytes; at most %d",
				    len, REASON_MAX);
	if (!al_utf8_valid(reason, len) || al_text_has_control(reason, len))
		return al_error_set(err, AL_EUSAGE,
				    "purge: --reason must be one line of UTF-8 "
				    "text without control characters");
	return 0;
}

/* The report's bundles with this purged flag, as a JSON array of hashes. */
static int bundles_of(sqlite3 *db, const char *id, int purged, json_t **out,
		      struct al_error *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc = 0, step;

	if (!arr)
		return al_error_set(err, AL_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
			       "SELECT sha256 FROM bundles WHERE report = ? "
			       "AND purged = ? ORDER BY event",
			       -1, &st, NULL)) {
		json_decref(arr);
		return al_db_fail(db, "reading the bundles", err);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, purged);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (json_array_append_new(
			    arr, json_string((const char *)sqlite3_column_text(
					 st, 0)))) {
			rc = al_error_set(err, AL_ENOMEM, "out of memory");
			break;
		}
	if (!rc && step != SQLITE_DONE)
		rc = al_db_fail(db, "reading the bundles", err);
	sqlite3_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static void remove_blobs(struct al_vault *v, const json_t *list,
			 struct al_purge_result *out)
{
	size_t i;
	json_t *h;

	json_array_foreach(list, i, h)
	{
		struct al_error e;
		int fd;

		if (al_store_open_blob(v->store, json_string_value(h), &fd, &e))
			continue;
		close(fd);
		if (al_store_remove(v->store, json_string_value(h), true, &e))
			out->left++;
		else
			out->bundles++;
	}
}

int al_vault_purge(struct al_vault *v, const char *id, const char *reason,
		   struct al_purge_result *out, struct al_error *err)
{
	json_t *live = NULL, *gone = NULL, *data = NULL;
	int64_t now;
	int rc;

	memset(out, 0, sizeof(*out));
	out->seq = -1;
	if ((rc = check_reason(reason, err)))
		return rc;
	if ((rc = al_vault_event_time(v, &now, err)) ||
	    (rc = al_db_begin(v->db, err)))
		return rc;
	/* what cannot be undone acts only on a ledger whose indexes are
	 * sound (a lookup through an edited index finds the wrong rows) */
	if ((rc = al_db_integrity(v->db, err)))
		goto fail;
	if ((rc = bundles_of(v->db, id, 0, &live, err)))
		goto fail;
	if (!json_array_size(live)) {
		/* purged before: finish what a crash may have left */
		if ((rc = bundles_of(v->db, id, 1, &gone, err)))
			goto fail;
		al_db_rollback(v->db);
		remove_blobs(v, gone, out);
		if (!out->bundles && !out->left)
			rc = al_error_set(err, AL_EEXIST,
					  "report %s was purged already; "
					  "nothing changed",
					  id);
		goto out;
	}
	data = json_pack("{s:O, s:s}", "bundles", live, "reason", reason);
	if (!data) {
		rc = al_error_set(err, AL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = al_vault_append(v, now, "tombstone", id, data, &out->seq,
				  err)) ||
	    (rc = al_state_apply(v->db, out->seq, err)) ||
	    (rc = al_db_commit(v->db, err))) {
		out->seq = -1;
		goto fail;
	}
	remove_blobs(v, live, out);
	goto out;
fail:
	al_db_rollback(v->db);
out:
	json_decref(live);
	json_decref(gone);
	json_decref(data);
	return rc;
}
