/*
 * The transitions table and the one function that applies a move. A move
 * is a conditional UPDATE on the stage the person saw: if someone else
 * moved the initiative meanwhile, no row changes and the move is stale,
 * whatever the timing of the two requests.
 */
#include "domain/journey.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/coauthor.h"
#include "domain/initiative.h"
#include "domain/outcome.h"
#include "domain/row.h"
#include "core/banned.h"

#define AUTHOR JOURNEY_AUTHOR
#define ANIMATOR JOURNEY_ANIMATOR

const struct journey_transition journey_transitions[] = {
	/* from         to           who                 note required */
	{ "idea", "improving", AUTHOR | ANIMATOR, 0 },
	{ "improving", "idea", ANIMATOR, 1 },
	{ "idea", "project", ANIMATOR, 1 },
	{ "improving", "project", ANIMATOR, 1 },
	{ "project", "supported", ANIMATOR, 1 },
	{ "project", "realised", ANIMATOR, 1 },
	{ "supported", "project", ANIMATOR, 1 },
	{ "supported", "realised", ANIMATOR, 1 },
	/* Authors may withdraw an idea; the animators archive anything. */
	{ "idea", "archived", AUTHOR | ANIMATOR, 1 },
	{ "improving", "archived", AUTHOR | ANIMATOR, 1 },
	{ "*", "archived", ANIMATOR, 1 },
	{ "*", "merged", ANIMATOR, 1 },
	{ "archived", "idea", ANIMATOR, 1 },
};
const size_t journey_transition_count = ARRAY_SIZE(journey_transitions);

/* "*" stands for every stage but the destination and "merged" (a merge is final). */
static int from_matches(const char *pattern, const char *from, const char *to)
{
	if (strcmp(pattern, "*"))
		return !strcmp(pattern, from);
	return strcmp(from, to) && strcmp(from, "merged") && initiative_stage_find(from);
}

const struct journey_transition *journey_transition_find(const char *from, const char *to)
{
	if (!from || !to)
		return NULL;
	/* Exact rows first, so that a row naming its stage says who may make it. */
	for (size_t i = 0; i < journey_transition_count; i++)
		if (!strcmp(journey_transitions[i].from, from) && !strcmp(journey_transitions[i].to, to))
			return &journey_transitions[i];
	for (size_t i = 0; i < journey_transition_count; i++)
		if (!strcmp(journey_transitions[i].to, to) &&
		    from_matches(journey_transitions[i].from, from, to))
			return &journey_transitions[i];
	return NULL;
}

int journey_may_move(const char *from, const char *to, unsigned who)
{
	/* Rows add up: a person may make the move if any row that matches it names them. */
	for (size_t i = 0; from && to && i < journey_transition_count; i++) {
		const struct journey_transition *r = &journey_transitions[i];
		if (!strcmp(r->to, to) && from_matches(r->from, from, to) && (r->who & who))
			return 1;
	}
	return 0;
}

int journey_may_manage(unsigned who)
{
	return (who & (JOURNEY_AUTHOR | JOURNEY_ANIMATOR | JOURNEY_CARRIER)) != 0;
}

int journey_who(struct db *db, int64_t territory_id, int64_t id, int64_t user_id, int is_animator,
		unsigned *who)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT author_id, carrier_user_id, carrier_org_id FROM initiatives"
				      " WHERE id = ? AND territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	int64_t author = db_col_int(st, 0), carrier = db_col_int(st, 1), org = db_col_int(st, 2);
	db_reset(st);
	*who = 0;
	if (!user_id)
		return 0;
	if (is_animator)
		*who |= JOURNEY_ANIMATOR;
	if (author == user_id)
		*who |= JOURNEY_AUTHOR;
	else {
		/* Accepted co-authors are authors too (domain/coauthor.h). */
		int co = coauthor_is_author(db, territory_id, id, user_id);
		if (co < 0)
			return -1;
		if (co)
			*who |= JOURNEY_AUTHOR;
	}
	if (carrier == user_id)
		*who |= JOURNEY_CARRIER;
	int64_t n = 0;
	if (org && !(*who & JOURNEY_CARRIER)) {
		if (db_query_int(db, &n,
				 "SELECT COUNT(*) FROM organisation_members"
				 " WHERE organisation_id = ? AND user_id = ?",
				 "ii", org, user_id))
			return -1;
		if (n)
			*who |= JOURNEY_CARRIER;
	}
	return 0;
}

static int note_ok(const char *note, int required)
{
	size_t len = note ? strlen(note) : 0;
	if (len && !utf8_valid(note, len))
		return 0;
	if (required && len == 0)
		return 0;
	return !len || utf8_chars(note) <= JOURNEY_NOTE_MAX;
}

/* The target of a merge: another initiative of the territory, not merged itself. */
static int merge_target_ok(struct db *db, int64_t territory_id, int64_t id, int64_t target)
{
	int64_t n = 0;
	if (target <= 0 || target == id)
		return 0;
	if (db_query_int(db, &n,
			 "SELECT COUNT(*) FROM initiatives WHERE id = ? AND territory_id = ?"
			 " AND stage <> 'merged'",
			 "ii", target, territory_id))
		return -1;
	return n > 0;
}

/* The carrier: a person (the author by default), or one of that person's organisations. */
static int carrier_ok(struct db *db, int64_t territory_id, int64_t user_id, int64_t org_id)
{
	int64_t n = 0;
	if (user_id <= 0)
		return 0;
	if (db_query_int(db, &n, "SELECT COUNT(*) FROM users WHERE id = ?", "i", user_id))
		return -1;
	if (!n || !org_id)
		return n > 0;
	if (db_query_int(db, &n,
			 "SELECT COUNT(*) FROM organisation_members m JOIN organisations o"
			 " ON o.id = m.organisation_id WHERE m.organisation_id = ? AND m.user_id = ?"
			 " AND o.territory_id = ?",
			 "iii", org_id, user_id, territory_id))
		return -1;
	return n > 0;
}

static int record_move(struct db *db, int64_t territory_id, int64_t id, const struct journey_move *m,
		       int64_t carrier_user, int64_t at)
{
	json_t *d = json_pack("{s:s, s:s, s:s}", "from", m->from, "to", m->to, "note",
			      m->note ? m->note : "");
	if (!strcmp(m->to, "merged"))
		json_object_set_new(d, "merged_into", json_integer(m->merged_into));
	if (!strcmp(m->to, "project")) {
		json_object_set_new(d, "carrier_user", json_integer(carrier_user));
		if (m->carrier_org_id)
			json_object_set_new(d, "carrier_org", json_integer(m->carrier_org_id));
	}
	if (m->outcome)
		json_object_set_new(d, "outcome", json_string(m->outcome->kind));
	char *text = json_dumps(d, JSON_COMPACT);
	int rc = activity_record_at(db, territory_id, m->actor_id, "Move", "initiative", id,
				    strcmp(m->to, "merged") ? NULL : "initiative", m->merged_into, text,
				    at);
	free(text);
	json_decref(d);
	return rc;
}

/* The conditional update itself: 0, JOURNEY_STALE / JOURNEY_NOT_FOUND, or -1. */
static int update_stage(struct db *db, int64_t territory_id, int64_t id,
			const struct journey_move *m, int64_t carrier_user, int64_t at)
{
	int64_t got;
	int is_project = !strcmp(m->to, "project");
	int rc = db_query_int(
		db, &got,
		"UPDATE initiatives SET stage = ?, stage_note = ?, updated_at = ?,"
		" merged_into_id = NULLIF(CAST(? AS BIGINT), 0),"
		" carrier_user_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) ELSE carrier_user_id END,"
		" carrier_org_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN NULLIF(CAST(? AS BIGINT), 0) ELSE carrier_org_id END,"
		" project_requested_at = CASE WHEN CAST(? AS BIGINT) = 1 THEN NULL ELSE project_requested_at END"
		" WHERE id = ? AND territory_id = ? AND stage = ? RETURNING id",
		"ttiiiiiiiiit", m->to, m->note ? m->note : "", at,
		!strcmp(m->to, "merged") ? m->merged_into : 0, (int64_t)is_project, carrier_user,
		(int64_t)is_project, m->carrier_org_id, (int64_t)is_project, id, territory_id, m->from);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	/* No row changed: the stage moved meanwhile, or there is no such initiative here. */
	rc = db_query_int(db, &got, "SELECT id FROM initiatives WHERE id = ? AND territory_id = ?", "ii",
			  id, territory_id);
	return rc < 0 ? -1 : rc == 0 ? JOURNEY_STALE : JOURNEY_NOT_FOUND;
}

/* Checks that need the database; run inside the transaction. JOURNEY_* or -1. */
static int check_move(struct db *db, int64_t territory_id, int64_t id, const struct journey_move *m,
		      int64_t *carrier_user)
{
	int ok = 1;
	if (!strcmp(m->to, "merged"))
		ok = merge_target_ok(db, territory_id, id, m->merged_into);
	if (!strcmp(m->to, "project")) {
		if (!*carrier_user &&
		    db_query_int(db, carrier_user, "SELECT COALESCE(author_id, 0) FROM initiatives WHERE id = ?",
				 "i", id) < 0)
			return -1;
		ok = carrier_ok(db, territory_id, *carrier_user, m->carrier_org_id);
	}
	if (!strcmp(m->to, "realised") && !m->outcome)
		ok = 0;
	return ok < 0 ? -1 : ok ? JOURNEY_OK : JOURNEY_INVALID;
}

int journey_move(struct db *db, int64_t territory_id, int64_t id, const struct journey_move *m)
{
	const struct journey_transition *t = journey_transition_find(m->from, m->to);
	if (!t || !journey_may_move(m->from, m->to, m->who))
		return JOURNEY_REFUSED;
	if (!note_ok(m->note, t->note_required))
		return JOURNEY_INVALID;
	int64_t at = (int64_t)time(NULL), carrier_user = m->carrier_user_id;
	if (db_begin(db))
		return -1;
	int rc = check_move(db, territory_id, id, m, &carrier_user);
	if (rc == JOURNEY_OK)
		rc = update_stage(db, territory_id, id, m, carrier_user, at);
	if (rc == JOURNEY_OK && m->outcome &&
	    outcome_save(db, territory_id, id, m->actor_id, m->outcome))
		rc = -1;
	if (rc == JOURNEY_OK && record_move(db, territory_id, id, m, carrier_user, at))
		rc = -1;
	if (rc == JOURNEY_OK && db_commit(db))
		rc = -1;
	if (rc != JOURNEY_OK)
		db_rollback(db);
	return rc;
}

int journey_request_project(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			    unsigned who)
{
	if (!(who & JOURNEY_AUTHOR))
		return JOURNEY_REFUSED;
	int64_t got, at = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &got,
			      "UPDATE initiatives SET project_requested_at = ?"
			      " WHERE id = ? AND territory_id = ? AND stage IN ('idea', 'improving')"
			      " AND project_requested_at IS NULL RETURNING id",
			      "iii", at, id, territory_id);
	if (rc == 0)
		rc = activity_record_at(db, territory_id, actor_id, "Offer", "initiative", id, NULL, 0,
					"{\"to\":\"project\"}", at);
	else if (rc == 1) {
		/* Already asked: fine, unless the stage is no longer one that can ask. */
		int64_t n = 0;
		rc = db_query_int(db, &n,
				  "SELECT COUNT(*) FROM initiatives WHERE id = ? AND territory_id = ?"
				  " AND stage IN ('idea', 'improving')",
				  "ii", id, territory_id);
		if (rc == 0 && !n)
			rc = JOURNEY_REFUSED;
	}
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

int journey_state(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT i.stage, i.stage_note, i.project_requested_at, cu.id, cu.display_name,"
		" o.id, o.slug, o.name, m.id, m.title, i.author_id FROM initiatives i"
		" LEFT JOIN users cu ON cu.id = i.carrier_user_id"
		" LEFT JOIN organisations o ON o.id = i.carrier_org_id"
		" LEFT JOIN initiatives m ON m.id = i.merged_into_id"
		" WHERE i.id = ? AND i.territory_id = ?",
		"ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *org = db_col_is_null(st, 5) ? json_null()
					    : json_pack("{s:o, s:o, s:o}", "id", row_int(st, 5), "slug",
							row_string(st, 6), "name", row_string(st, 7));
	json_t *merged = db_col_is_null(st, 8) ? json_null()
					       : json_pack("{s:o, s:o}", "id", row_int(st, 8), "title",
							   row_string(st, 9));
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "author_id", row_int(st, 10),
			 "stage", row_string(st, 0), "stage_note",
			 row_string(st, 1), "project_requested_at",
			 db_col_is_null(st, 2) ? json_null() : row_int(st, 2), "carrier_user",
			 row_ref(st, 3, 4), "carrier_org", org, "merged_into", merged);
	db_reset(st);
	return 0;
}

static json_t *timeline_entry(struct db_stmt *st)
{
	json_error_t jerr;
	json_t *d = json_loads(db_col_text(st, 1), 0, &jerr);
	const char *from = json_string_value(json_object_get(d, "from"));
	const char *to = json_string_value(json_object_get(d, "to"));
	const char *note = json_string_value(json_object_get(d, "note"));
	const char *verb = db_col_text(st, 0);
	if (!strcmp(verb, "Create"))
		to = json_string_value(json_object_get(d, "stage"));
	/* A step of a support request: its state after the step, not a stage. */
	const char *support = !strcmp(db_col_text(st, 5), "support_request")
				      ? json_string_value(json_object_get(d, "state"))
				      : NULL;
	json_t *e = json_pack("{s:s, s:s?, s:s?, s:s, s:o, s:o, s:s?}", "verb", verb, "from", from,
			      "to", to, "note", note ? note : "", "at", row_int(st, 2), "actor",
			      row_author(st, 3, 4), "support", support);
	if (support && *db_col_text(st, 6))
		json_object_set_new(e, "partner", json_string(db_col_text(st, 6)));
	json_decref(d);
	return e;
}

int journey_timeline(struct db *db, int64_t territory_id, int64_t id, int limit, json_t **out)
{
	if (limit < 1 || limit > 500)
		limit = 500;
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT a.verb, a.details, a.created_at, u.id, u.display_name,"
				      " COALESCE(a.target_type, ''), COALESCE(p.name, '')"
				      " FROM activities a LEFT JOIN users u ON u.id = a.actor_id"
				      " LEFT JOIN support_requests r"
				      " ON a.target_type = 'support_request' AND r.id = a.target_id"
				      " LEFT JOIN offers o ON o.id = r.offer_id"
				      " LEFT JOIN organisations p ON p.id = o.organisation_id"
				      " WHERE a.object_type = 'initiative' AND a.object_id = ?"
				      " AND a.territory_id = ? AND (a.verb IN ('Create', 'Move', 'Offer')"
				      " OR a.target_type = 'support_request')"
				      " ORDER BY a.id DESC LIMIT ?",
				      "iii", id, territory_id, (int64_t)limit);
	if (!st)
		return -1;
	json_t *items = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_insert_new(items, 0, timeline_entry(st));
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}
