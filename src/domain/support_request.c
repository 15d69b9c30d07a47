/*
 * Support requests: the table of states and who may move them, the checks,
 * and each move written with its activity in one transaction.
 */
#include "domain/support_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/journey.h"
#include "domain/row.h"
#include "core/banned.h"

#define C SUPPORT_CARRIER
#define P SUPPORT_PARTNER

/* THE table: from, to, verb of the activity, who, message required. */
const struct support_transition support_request_transitions[] = {
	{ "pending", "accepted", "Accept", P, 0 },
	{ "pending", "declined", "Reject", P, 1 },
	{ "pending", "withdrawn", "Undo", C, 0 },
	{ "accepted", "completed", "Update", P, 0 },
};
const size_t support_request_transition_count =
	sizeof(support_request_transitions) / sizeof(support_request_transitions[0]);

#undef C
#undef P

const struct support_transition *support_request_transition_find(const char *from, const char *to)
{
	if (!from || !to)
		return NULL;
	for (size_t i = 0; i < support_request_transition_count; i++)
		if (!strcmp(support_request_transitions[i].from, from) &&
		    !strcmp(support_request_transitions[i].to, to))
			return &support_request_transitions[i];
	return NULL;
}

int support_request_may(const char *from, const char *to, unsigned who)
{
	const struct support_transition *t = support_request_transition_find(from, to);
	return t && (t->who & who) != 0;
}

int support_partner_member(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id)
{
	int64_t n = 0;
	if (!user_id)
		return 0;
	if (db_query_int(db, &n,
			 "SELECT COUNT(*) FROM organisation_members m JOIN organisations o"
			 " ON o.id = m.organisation_id WHERE m.organisation_id = ? AND m.user_id = ?"
			 " AND o.territory_id = ? AND o.is_partner = 1 AND o.accredited_at IS NOT NULL",
			 "iii", org_id, user_id, territory_id) < 0)
		return -1;
	return n > 0;
}

int support_request_who(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
			int is_animator, unsigned *who, int64_t *initiative_id)
{
	int step;
	*who = 0;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT r.initiative_id, o.organisation_id FROM support_requests r"
				      " JOIN offers o ON o.id = r.offer_id WHERE r.id = ? AND r.territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	int64_t iid = db_col_int(st, 0), org = db_col_int(st, 1);
	db_reset(st);
	*initiative_id = iid;
	if (is_animator)
		*who |= SUPPORT_ANIMATOR;
	if (!user_id)
		return 0;
	int m = support_partner_member(db, territory_id, org, user_id);
	if (m < 0)
		return -1;
	if (m)
		*who |= SUPPORT_PARTNER;
	unsigned jw = 0;
	int rc = journey_who(db, territory_id, iid, user_id, 0, &jw);
	if (rc < 0)
		return -1;
	if (rc == 0 && journey_may_manage(jw))
		*who |= SUPPORT_CARRIER;
	return 0;
}

static int text_ok(const char *s, size_t max, int required)
{
	if (!s || !*s)
		return !required;
	if (!utf8_valid(s, strlen(s)))
		return 0;
	return utf8_chars(s) <= max;
}

static char *details(int64_t request, int64_t offer, int64_t partner, const char *state, int64_t need)
{
	json_t *d = json_pack("{s:I, s:I, s:I, s:s}", "request", (json_int_t)request, "offer",
			      (json_int_t)offer, "partner", (json_int_t)partner, "state", state);
	if (need)
		json_object_set_new(d, "need", json_integer(need));
	char *s = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return s;
}

int support_request_create(struct db *db, int64_t territory_id, const struct support_new *in,
			   int64_t *id)
{
	if (!(in->who & SUPPORT_CARRIER))
		return SUPPORT_REFUSED;
	int64_t now = (int64_t)time(NULL);
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT o.organisation_id, o.active, o.opens_at, o.closes_at FROM offers o"
				      " WHERE o.id = ? AND o.territory_id = ?",
				      "ii", in->offer_id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? SUPPORT_NOT_FOUND : -1;
	}
	int64_t org = db_col_int(st, 0);
	int open = db_col_int(st, 1) && (db_col_is_null(st, 2) || db_col_int(st, 2) <= now) &&
		   (db_col_is_null(st, 3) || db_col_int(st, 3) >= now);
	db_reset(st);
	if (!open || !text_ok(in->message, SUPPORT_MESSAGE_MAX, 1))
		return SUPPORT_INVALID;
	int64_t n = 0;
	if (db_query_int(db, &n, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND territory_id = ?",
			 "ii", in->initiative_id, territory_id) < 0)
		return -1;
	if (!n)
		return SUPPORT_NOT_FOUND;
	if (in->need_id) {
		if (db_query_int(db, &n,
				 "SELECT COUNT(*) FROM project_needs WHERE id = ? AND initiative_id = ?"
				 " AND territory_id = ? AND state = 'open'",
				 "iii", in->need_id, in->initiative_id, territory_id) < 0)
			return -1;
		if (!n)
			return SUPPORT_INVALID;
	}
	int rc0;
	if (db_begin(db))
		return -1;
	if (db_query_int(db, &n,
			 "SELECT COUNT(*) FROM support_requests WHERE offer_id = ? AND initiative_id = ?"
			 " AND state = 'pending'",
			 "ii", in->offer_id, in->initiative_id) < 0)
		goto fail;
	if (n) {
		db_rollback(db);
		return SUPPORT_STALE;
	}
	int64_t rid;
	if (in->need_id)
		rc0 = db_query_int(db, &rid,
				   "INSERT INTO support_requests (territory_id, offer_id, initiative_id,"
				   " project_need_id, requester_id, message, created_at, updated_at)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   "iiiiitii", territory_id, in->offer_id, in->initiative_id, in->need_id,
				   in->actor_id, in->message, now, now);
	else
		rc0 = db_query_int(db, &rid,
				   "INSERT INTO support_requests (territory_id, offer_id, initiative_id,"
				   " requester_id, message, created_at, updated_at)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   "iiiitii", territory_id, in->offer_id, in->initiative_id, in->actor_id,
				   in->message, now, now);
	if (rc0 != 0)
		goto fail;
	char *d = details(rid, in->offer_id, org, "pending", in->need_id);
	int rc = activity_record(db, territory_id, in->actor_id, "Offer", "initiative",
				 in->initiative_id, "support_request", rid, d);
	free(d);
	if (rc || db_commit(db))
		goto fail;
	if (id)
		*id = rid;
	return SUPPORT_OK;
fail:
	db_rollback(db);
	/* The unique index refused a racing second pending request. */
	if (db_query_int(db, &n,
			 "SELECT COUNT(*) FROM support_requests WHERE offer_id = ? AND initiative_id = ?"
			 " AND state = 'pending'",
			 "ii", in->offer_id, in->initiative_id) == 0 &&
	    n)
		return SUPPORT_STALE;
	return -1;
}

static int amount_ok(int64_t v, int64_t max)
{
	return v >= -1 && v <= max;
}

int support_request_move(struct db *db, int64_t territory_id, int64_t id, const struct support_move *m)
{
	if (db_begin(db))
		return -1;
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT r.state, r.offer_id, o.organisation_id, r.initiative_id,"
				      " r.project_need_id FROM support_requests r JOIN offers o ON o.id = r.offer_id"
				      " WHERE r.id = ? AND r.territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		goto fail;
	if (step != DB_ROW) {
		db_reset(st);
		db_rollback(db);
		return step == DB_DONE ? SUPPORT_NOT_FOUND : -1;
	}
	char state[16];
	snprintf(state, sizeof(state), "%s", db_col_text(st, 0));
	int64_t offer = db_col_int(st, 1), org = db_col_int(st, 2), iid = db_col_int(st, 3);
	int64_t need = db_col_is_null(st, 4) ? 0 : db_col_int(st, 4);
	db_reset(st);
	const struct support_transition *t = support_request_transition_find(state, m->to);
	/* Refused first: a person the table never lets make this move learns nothing of the state. */
	int allowed = 0;
	for (size_t i = 0; i < support_request_transition_count; i++)
		if (m->to && !strcmp(support_request_transitions[i].to, m->to) &&
		    (support_request_transitions[i].who & m->who))
			allowed = 1;
	int result = SUPPORT_OK;
	if (!allowed)
		result = SUPPORT_REFUSED;
	else if ((m->from && strcmp(m->from, state)) || !t)
		result = SUPPORT_STALE;
	else if (!(t->who & m->who))
		result = SUPPORT_REFUSED;
	else if (!text_ok(m->message, SUPPORT_MESSAGE_MAX, t->message_required) ||
		 !text_ok(m->given_text, SUPPORT_GIVEN_TEXT_MAX, 0) ||
		 !amount_ok(m->given_amount_eur, SUPPORT_AMOUNT_MAX) ||
		 !amount_ok(m->given_hours, SUPPORT_HOURS_MAX))
		result = SUPPORT_INVALID;
	else if (!strcmp(m->to, "completed") && m->given_amount_eur < 0 && m->given_hours < 0 &&
		 (!m->given_text || !*m->given_text))
		result = SUPPORT_INVALID; /* say what was given */
	if (result != SUPPORT_OK) {
		db_rollback(db);
		return result;
	}
	int64_t now = (int64_t)time(NULL);
	int rc;
	if (!strcmp(m->to, "completed")) {
		if (db_execv(db,
			     "UPDATE support_requests SET state = 'completed', given_text = ?,"
			     " completed_at = ?, updated_at = ? WHERE id = ?",
			     "tiii", m->given_text ? m->given_text : "", now, now, id) ||
		    (m->given_amount_eur >= 0 &&
		     db_execv(db, "UPDATE support_requests SET given_amount_eur = ? WHERE id = ?", "ii",
			      m->given_amount_eur, id)) ||
		    (m->given_hours >= 0 &&
		     db_execv(db, "UPDATE support_requests SET given_hours = ? WHERE id = ?", "ii",
			      m->given_hours, id)))
			goto fail;
		if (need && db_execv(db,
				     "UPDATE project_needs SET state = 'met', updated_at = ? WHERE id = ?"
				     " AND territory_id = ?",
				     "iii", now, need, territory_id))
			goto fail;
	} else if (!strcmp(m->to, "withdrawn")) {
		if (db_execv(db, "UPDATE support_requests SET state = 'withdrawn', updated_at = ? WHERE id = ?",
			     "ii", now, id))
			goto fail;
	} else if (db_execv(db,
			    "UPDATE support_requests SET state = ?, answer = ?, answered_at = ?,"
			    " updated_at = ? WHERE id = ?",
			    "ttiii", m->to, m->message ? m->message : "", now, now, id))
		goto fail;
	char *d = details(id, offer, org, m->to, need);
	rc = activity_record(db, territory_id, m->actor_id, t->verb, "initiative", iid,
			     "support_request", id, d);
	free(d);
	if (rc || db_commit(db))
		goto fail;
	return SUPPORT_OK;
fail:
	db_rollback(db);
	return -1;
}

#define ITEM_COLUMNS                                                                              \
	"r.id, r.state, r.message, r.answer, r.given_amount_eur, r.given_hours, r.given_text,"    \
	" r.created_at, r.answered_at, r.completed_at, o.id, o.title, o.kind, g.id, g.slug,"      \
	" g.name, n.id, n.kind, n.description, i.id, i.title, u.id, u.display_name"
#define ITEM_FROM                                                                                 \
	" FROM support_requests r JOIN offers o ON o.id = r.offer_id"                             \
	" JOIN organisations g ON g.id = o.organisation_id"                                       \
	" JOIN initiatives i ON i.id = r.initiative_id"                                           \
	" LEFT JOIN project_needs n ON n.id = r.project_need_id"                                  \
	" LEFT JOIN users u ON u.id = r.requester_id"

static json_t *int_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int(st, col));
}

static json_t *item(struct db_stmt *st)
{
	json_t *need = db_col_is_null(st, 16)
			       ? json_null()
			       : json_pack("{s:o, s:o, s:o}", "id", row_int(st, 16), "kind",
					   row_string(st, 17), "description", row_string(st, 18));
	json_t *it = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			       row_int(st, 0), "state", row_string(st, 1), "message", row_string(st, 2),
			       "answer", row_string(st, 3), "given_amount_eur", int_or_null(st, 4),
			       "given_hours", int_or_null(st, 5), "given_text", row_string(st, 6),
			       "created_at", row_int(st, 7), "answered_at", int_or_null(st, 8),
			       "completed_at", int_or_null(st, 9));
	json_object_set_new(it, "offer",
			    json_pack("{s:o, s:o, s:o}", "id", row_int(st, 10), "title",
				      row_string(st, 11), "kind", row_string(st, 12)));
	json_object_set_new(it, "partner",
			    json_pack("{s:o, s:o, s:o}", "id", row_int(st, 13), "slug",
				      row_string(st, 14), "name", row_string(st, 15)));
	json_object_set_new(it, "need", need);
	json_object_set_new(it, "initiative",
			    json_pack("{s:o, s:o}", "id", row_int(st, 19), "title", row_string(st, 20)));
	json_object_set_new(it, "requester", row_ref(st, 21, 22));
	return it;
}

static int collect(struct db_stmt *st, int step, json_t **out)
{
	if (!st)
		return -1;
	json_t *items = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(items, item(st));
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}

int support_request_list_for_initiative(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT " ITEM_COLUMNS ITEM_FROM
				      " WHERE r.initiative_id = ? AND r.territory_id = ? ORDER BY r.id DESC LIMIT 200",
				      "ii", id, territory_id);
	return collect(st, step, out);
}

int support_request_dashboard(struct db *db, int64_t territory_id, int64_t org_id, json_t **pending,
			      json_t **accepted, json_t **totals)
{
	int step;
	*pending = *accepted = *totals = NULL;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT " ITEM_COLUMNS ITEM_FROM
				      " WHERE o.organisation_id = ? AND r.territory_id = ? AND r.state = 'pending'"
				      " ORDER BY r.created_at, r.id LIMIT 200",
				      "ii", org_id, territory_id);
	if (collect(st, step, pending))
		return -1;
	st = db_query(db, &step,
		      "SELECT " ITEM_COLUMNS ITEM_FROM
		      " WHERE o.organisation_id = ? AND r.territory_id = ? AND r.state = 'accepted'"
		      " ORDER BY r.answered_at, r.id LIMIT 200",
		      "ii", org_id, territory_id);
	if (collect(st, step, accepted))
		goto fail;
	st = db_query(db, &step,
		      "SELECT COALESCE(SUM(r.given_amount_eur), 0), COALESCE(SUM(r.given_hours), 0),"
		      " COUNT(*) FROM support_requests r JOIN offers o ON o.id = r.offer_id"
		      " WHERE o.organisation_id = ? AND r.territory_id = ? AND r.state = 'completed'",
		      "ii", org_id, territory_id);
	if (!st || step != DB_ROW) {
		if (st)
			db_reset(st);
		goto fail;
	}
	*totals = json_pack("{s:I, s:I, s:I}", "amount_eur", (json_int_t)db_col_int(st, 0), "hours",
			    (json_int_t)db_col_int(st, 1), "count", (json_int_t)db_col_int(st, 2));
	db_reset(st);
	return 0;
fail:
	json_decref(*pending);
	json_decref(*accepted);
	*pending = *accepted = NULL;
	return -1;
}
