/*
 * Invitations are one row per (initiative, person), so a repeated or
 * concurrent invitation leaves one row (INSERT ... ON CONFLICT DO NOTHING),
 * and answers are conditional updates on the pending state, so a double
 * click answers once.
 */
#include "domain/coauthor.h"

#include <stdio.h>
#include <time.h>

#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

int coauthor_is_author(struct db *db, int64_t territory_id, int64_t initiative_id,
		       int64_t user_id)
{
	int64_t n;
	if (user_id <= 0)
		return 0;
	int rc = db_query_int(db, &n,
			      "SELECT 1 FROM initiatives WHERE id = ? AND territory_id = ? AND "
			      "(author_id = ? OR EXISTS (SELECT 1 FROM coauthors c WHERE "
			      "c.initiative_id = initiatives.id AND c.user_id = ? AND c.state = 'accepted'))",
			      "iiii", initiative_id, territory_id, user_id, user_id);
	return rc < 0 ? -1 : rc == 0;
}

/* 0 if the person exists and the initiative is the territory's, 1 if not, -1. */
static int check_invite(struct db *db, int64_t territory_id, int64_t initiative_id,
			int64_t user_id)
{
	int64_t n;
	int rc = db_query_int(db, &n, "SELECT 1 FROM initiatives WHERE id = ? AND territory_id = ?",
			      "ii", initiative_id, territory_id);
	if (rc)
		return rc;
	return db_query_int(db, &n, "SELECT 1 FROM users WHERE id = ?", "i", user_id);
}

static int invite_tx(struct db *db, int64_t territory_id, int64_t initiative_id,
		     int64_t inviter_id, int64_t user_id, int64_t *id)
{
	int rc = check_invite(db, territory_id, initiative_id, user_id);
	if (rc)
		return rc < 0 ? -1 : COAUTHOR_NOT_FOUND;
	rc = coauthor_is_author(db, territory_id, initiative_id, user_id);
	if (rc)
		return rc < 0 ? -1 : COAUTHOR_ALREADY;
	/* A declined invitation may be renewed; a pending one is left alone. */
	int64_t cid;
	rc = db_query_int(db, &cid,
			  "UPDATE coauthors SET state = 'invited', invited_by = ?, answered_at = NULL "
			  "WHERE initiative_id = ? AND user_id = ? AND state = 'declined' RETURNING id",
			  "iii", inviter_id, initiative_id, user_id);
	if (rc == 1)
		rc = db_query_int(db, &cid,
				  "INSERT INTO coauthors (territory_id, initiative_id, user_id, "
				  "invited_by, state, created_at) VALUES (?, ?, ?, ?, 'invited', ?) "
				  "ON CONFLICT (initiative_id, user_id) DO NOTHING RETURNING id",
				  "iiiii", territory_id, initiative_id, user_id, inviter_id,
				  (int64_t)time(NULL));
	if (rc)
		return rc < 0 ? -1 : COAUTHOR_ALREADY;
	char details[64];
	snprintf(details, sizeof(details), "{\"user_id\": %lld}", (long long)user_id);
	if (activity_record(db, territory_id, inviter_id, "Invite", "coauthor", cid, "initiative",
			    initiative_id, details))
		return -1;
	if (id)
		*id = cid;
	return COAUTHOR_OK;
}

int coauthor_invite(struct db *db, int64_t territory_id, int64_t initiative_id,
		    int64_t inviter_id, int64_t user_id, int64_t *id)
{
	if (db_begin(db))
		return -1;
	int rc = invite_tx(db, territory_id, initiative_id, inviter_id, user_id, id);
	if (rc != COAUTHOR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db) ? -1 : COAUTHOR_OK;
}

int coauthor_answer(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
		    int accept, int64_t *initiative_id)
{
	if (db_begin(db))
		return -1;
	int64_t iid;
	int rc = db_query_int(db, &iid,
			      "UPDATE coauthors SET state = ?, answered_at = ? WHERE id = ? AND "
			      "territory_id = ? AND user_id = ? AND state = 'invited' "
			      "RETURNING initiative_id",
			      "tiiii", accept ? "accepted" : "declined", (int64_t)time(NULL), id,
			      territory_id, user_id);
	if (rc == 0 && activity_record(db, territory_id, user_id, accept ? "Join" : "Reject",
				       "coauthor", id, "initiative", iid, NULL))
		rc = -1;
	if (rc) {
		db_rollback(db);
		return rc < 0 ? -1 : COAUTHOR_NOT_FOUND;
	}
	if (db_commit(db))
		return -1;
	if (initiative_id)
		*initiative_id = iid;
	return COAUTHOR_OK;
}

int coauthor_list(struct db *db, int64_t territory_id, int64_t initiative_id, json_t **out)
{
	json_t *list = json_array();
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT c.id, c.user_id, u.display_name, c.state FROM coauthors c "
				      "LEFT JOIN users u ON u.id = c.user_id WHERE c.initiative_id = ? "
				      "AND c.territory_id = ? AND c.state IN ('invited', 'accepted') "
				      "ORDER BY c.id LIMIT 100",
				      "ii", initiative_id, territory_id);
	for (; st && step == DB_ROW; step = db_step(st))
		json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "id", row_int(st, 0), "user",
						      row_author(st, 1, 2), "state",
						      row_string(st, 3)));
	if (st)
		db_reset(st);
	if (!st || step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}
