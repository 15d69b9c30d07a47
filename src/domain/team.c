/*
 * Team offers: one per person and project (UNIQUE (initiative_id, user_id)
 * with ON CONFLICT DO NOTHING, so parallel offers leave one row); a
 * decision is a conditional UPDATE on the state 'offered', so two people
 * deciding at once cannot both win.
 */
#include "domain/team.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

static int record(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		  const char *object_type, int64_t object_id, int64_t initiative_id)
{
	return activity_record(db, territory_id, actor_id, verb, object_type, object_id,
			       "initiative", initiative_id, NULL);
}

int team_offer(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
	       const char *skills, const char *message)
{
	int64_t n = 0, member_id = 0, now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &n,
			      "SELECT COUNT(*) FROM initiatives WHERE id = ? AND territory_id = ?"
			      " AND stage IN ('project', 'supported')",
			      "ii", id, territory_id);
	if (rc == 0 && !n)
		rc = 2;
	if (rc == 0) {
		rc = db_query_int(db, &member_id,
				  "INSERT INTO team_members (territory_id, initiative_id, user_id, skills,"
				  " message, state, created_at) VALUES (?, ?, ?, ?, ?, 'offered', ?)"
				  " ON CONFLICT (initiative_id, user_id) DO NOTHING RETURNING id",
				  "iiitti", territory_id, id, user_id, skills ? skills : "",
				  message ? message : "", now);
		if (rc == 0)
			rc = record(db, territory_id, user_id, "Join", "team_member", member_id, id);
	}
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

int team_offer_find(struct db *db, int64_t territory_id, int64_t member_id, int64_t *initiative_id,
		    int64_t *user_id)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT initiative_id, user_id FROM team_members"
				      " WHERE id = ? AND territory_id = ?",
				      "ii", member_id, territory_id);
	if (!st)
		return -1;
	int rc = step == DB_ROW ? 0 : step == DB_DONE ? 1 : -1;
	if (rc == 0) {
		*initiative_id = db_col_int(st, 0);
		*user_id = db_col_int(st, 1);
	}
	db_reset(st);
	return rc;
}

int team_decide(struct db *db, int64_t territory_id, int64_t member_id, int64_t actor_id,
		int accept)
{
	int64_t initiative_id = 0, now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &initiative_id,
			      "UPDATE team_members SET state = ?, decided_by = ?, decided_at = ?"
			      " WHERE id = ? AND territory_id = ? AND state = 'offered'"
			      " RETURNING initiative_id",
			      "tiiii", accept ? "accepted" : "declined", actor_id, now, member_id,
			      territory_id);
	if (rc == 0)
		rc = record(db, territory_id, actor_id, accept ? "Accept" : "Reject", "team_member",
			    member_id, initiative_id);
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

int team_list(struct db *db, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT m.id, u.id, u.display_name, m.skills, m.message, m.state,"
				      " m.created_at FROM team_members m LEFT JOIN users u ON u.id = m.user_id"
				      " WHERE m.initiative_id = ? AND m.state IN ('offered', 'accepted')"
				      " ORDER BY m.id LIMIT 200",
				      "i", id);
	if (!st)
		return -1;
	json_t *items = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(items,
				      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", row_int(st, 0),
						"person", row_author(st, 1, 2), "skills", row_string(st, 3),
						"message", row_string(st, 4), "state", row_string(st, 5),
						"created_at", row_int(st, 6)));
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}

int team_skills_set(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		    const json_t *skills)
{
	if (db_begin(db))
		return -1;
	int rc = db_execv(db, "DELETE FROM initiative_skills WHERE initiative_id = ?", "i", id);
	size_t i;
	json_t *v;
	json_array_foreach(skills, i, v) {
		if (rc)
			break;
		rc = db_execv(db,
			      "INSERT INTO initiative_skills (territory_id, initiative_id, skill)"
			      " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			      "iit", territory_id, id, json_string_value(v));
	}
	if (!rc) {
		json_t *d = json_pack("{s:O}", "skills_sought", skills);
		char *text = json_dumps(d, JSON_COMPACT);
		rc = activity_record(db, territory_id, actor_id, "Update", "initiative", id, NULL, 0,
				     text);
		free(text);
		json_decref(d);
	}
	if (!rc && db_commit(db))
		rc = -1;
	if (rc)
		db_rollback(db);
	return rc;
}

int team_skills(struct db *db, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT skill FROM initiative_skills WHERE initiative_id = ?"
				      " ORDER BY skill LIMIT 50",
				      "i", id);
	if (!st)
		return -1;
	json_t *items = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(items, row_string(st, 0));
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}

int team_suggested_for_user(struct db *db, int64_t territory_id, int64_t user_id, int limit,
			    json_t **out)
{
	if (limit < 1 || limit > 50)
		limit = 5;
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT i.id, i.title, s.skill FROM initiative_skills s"
		" JOIN user_skills us ON us.skill = s.skill AND us.user_id = ?"
		" JOIN initiatives i ON i.id = s.initiative_id"
		" WHERE s.territory_id = ? AND i.stage IN ('project', 'supported')"
		" AND COALESCE(i.author_id, 0) <> ? AND COALESCE(i.carrier_user_id, 0) <> ?"
		" AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.initiative_id = i.id"
		" AND m.user_id = ?)"
		" ORDER BY i.id DESC, s.skill LIMIT 200",
		"iiiii", user_id, territory_id, user_id, user_id, user_id);
	if (!st)
		return -1;
	json_t *items = json_array(), *last = NULL;
	int64_t last_id = 0;
	for (; step == DB_ROW; step = db_step(st)) {
		if (db_col_int(st, 0) != last_id) {
			if ((int)json_array_size(items) == limit)
				break;
			last_id = db_col_int(st, 0);
			last = json_pack("{s:o, s:o, s:[]}", "id", row_int(st, 0), "title",
					 row_string(st, 1), "skills");
			json_array_append_new(items, last);
		}
		json_array_append_new(json_object_get(last, "skills"), row_string(st, 2));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}
