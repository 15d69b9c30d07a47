/*
 * Answering a suggestion is a conditional UPDATE ... WHERE state = 'open':
 * whichever answer commits first wins, the others change nothing, on both
 * backends (SQLite serialises writers; PostgreSQL re-checks the condition
 * once the winner's row lock is released).
 */
#include "domain/suggestion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/version.h"
#include "core/banned.h"

static int too_long(const char *s, size_t max)
{
	return s && (!utf8_valid(s, strlen(s)) || utf8_chars(s) > max);
}

json_t *suggestion_validate(const char *new_title, const char *new_body, const char *reason,
			    const char *cur_title, const char *cur_body)
{
	json_t *errors = json_object();
	if (new_title && *new_title && too_long(new_title, VERSION_TITLE_MAX))
		json_object_set_new(errors, "title", json_string("Use at most 200 characters."));
	if (too_long(new_body, VERSION_BODY_MAX))
		json_object_set_new(errors, "body", json_string("Use at most 20,000 characters."));
	if (too_long(reason, SUGGESTION_REASON_MAX))
		json_object_set_new(errors, "reason", json_string("Use at most 500 characters."));
	int title_changes = new_title && *new_title && strcmp(new_title, cur_title);
	int body_changes = new_body && strcmp(new_body, cur_body);
	if (!json_object_size(errors) && !title_changes && !body_changes)
		json_object_set_new(errors, "body",
				    json_string("Change the title or the text to suggest something."));
	return errors;
}

static int create_tx(struct db *db, int64_t territory_id, int64_t initiative_id,
		     int64_t author_id, const char *title, const char *body, const char *reason,
		     int64_t *id)
{
	int rc = db_query_int(db, id,
			      "INSERT INTO suggestions (territory_id, initiative_id, author_id, title, "
			      "body, reason, base_title, base_body, state, created_at) "
			      "SELECT territory_id, id, CAST(? AS BIGINT), ?, ?, ?, title, body, 'open', "
			      "CAST(? AS BIGINT) FROM initiatives WHERE id = ? AND territory_id = ? "
			      "RETURNING id",
			      "itttiii", author_id, title, body, reason ? reason : "",
			      (int64_t)time(NULL), initiative_id, territory_id);
	if (rc)
		return rc;
	return activity_record(db, territory_id, author_id, "Create", "suggestion", *id,
			       "initiative", initiative_id, NULL);
}

int suggestion_create(struct db *db, int64_t territory_id, int64_t initiative_id,
		      int64_t author_id, const char *title, const char *body, const char *reason,
		      int64_t *id)
{
	if (db_begin(db))
		return -1;
	int rc = create_tx(db, territory_id, initiative_id, author_id, title, body, reason, id);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

#define SUGGESTION_COLUMNS                                                                    \
	"SELECT s.id, s.initiative_id, s.author_id, u.display_name, s.title, s.body, s.reason, " \
	"s.base_title, s.base_body, s.state, s.answer, s.created_at FROM suggestions s "       \
	"LEFT JOIN users u ON u.id = s.author_id "

static json_t *suggestion_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			 row_int(st, 0), "initiative_id", row_int(st, 1), "author",
			 row_author(st, 2, 3), "title", row_string_or_null(st, 4), "body",
			 row_string_or_null(st, 5), "reason", row_string(st, 6), "base_title",
			 row_string(st, 7), "base_body", row_string(st, 8), "state",
			 row_string(st, 9), "answer", row_string(st, 10), "created_at",
			 row_int(st, 11));
}

int suggestion_list_open(struct db *db, int64_t territory_id, int64_t initiative_id,
			 json_t **out)
{
	json_t *list = json_array();
	int step;
	struct db_stmt *st = db_query(db, &step,
				      SUGGESTION_COLUMNS "WHERE s.initiative_id = ? AND "
				      "s.territory_id = ? AND s.state = 'open' ORDER BY s.id LIMIT ?",
				      "iii", initiative_id, territory_id,
				      (int64_t)SUGGESTION_OPEN_MAX);
	for (; st && step == DB_ROW; step = db_step(st))
		json_array_append_new(list, suggestion_row(st));
	if (st)
		db_reset(st);
	if (!st || step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int suggestion_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      SUGGESTION_COLUMNS "WHERE s.id = ? AND s.territory_id = ?", "ii",
				      id, territory_id);
	if (!st)
		return -1;
	if (step == DB_ROW)
		*out = suggestion_row(st);
	db_reset(st);
	return step == DB_ROW ? 0 : step == DB_DONE ? 1 : -1;
}

/* After a conditional update found nothing: NOT_FOUND or ANSWERED, or -1. */
static int why_not_open(struct db *db, int64_t territory_id, int64_t id)
{
	int64_t n;
	int rc = db_query_int(db, &n, "SELECT 1 FROM suggestions WHERE id = ? AND territory_id = ?",
			      "ii", id, territory_id);
	return rc < 0 ? -1 : rc ? SUGGESTION_NOT_FOUND : SUGGESTION_ANSWERED;
}

/* Apply the accepted suggestion s as a new version. A suggestion_result or -1. */
static int apply(struct db *db, int64_t territory_id, json_t *s, int64_t actor_id,
		 int64_t *version)
{
	int64_t id = json_integer_value(json_object_get(s, "id"));
	int64_t iid = json_integer_value(json_object_get(s, "initiative_id"));
	struct version_change c = {
		.title = json_string_value(json_object_get(s, "title")),
		.body = json_string_value(json_object_get(s, "body")),
		.note = json_string_value(json_object_get(s, "reason")),
		.author_id = json_integer_value(json_object_get(json_object_get(s, "author"), "id")),
		.suggestion_id = id,
		.base_title = json_string_value(json_object_get(s, "base_title")),
		.base_body = json_string_value(json_object_get(s, "base_body")),
	};
	int rc = version_apply(db, territory_id, iid, &c, version);
	if (rc == VERSION_STALE || rc == VERSION_UNCHANGED)
		return SUGGESTION_STALE;
	if (rc)
		return rc < 0 ? -1 : SUGGESTION_NOT_FOUND;
	char details[96];
	snprintf(details, sizeof(details), "{\"version\": %lld, \"suggestion\": %lld}",
		 (long long)*version, (long long)id);
	if (activity_record(db, territory_id, actor_id, "Accept", "suggestion", id, "initiative",
			    iid, NULL) ||
	    activity_record(db, territory_id, actor_id, "Update", "initiative", iid, NULL, 0,
			    details))
		return -1;
	return SUGGESTION_OK;
}

static int accept_tx(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		     int64_t *version)
{
	int64_t iid;
	int rc = db_query_int(db, &iid,
			      "UPDATE suggestions SET state = 'accepted', answered_by = ?, "
			      "answered_at = ? WHERE id = ? AND territory_id = ? AND state = 'open' "
			      "RETURNING initiative_id",
			      "iiii", actor_id, (int64_t)time(NULL), id, territory_id);
	if (rc)
		return rc < 0 ? -1 : why_not_open(db, territory_id, id);
	json_t *s;
	if (suggestion_get(db, territory_id, id, &s))
		return -1;
	rc = apply(db, territory_id, s, actor_id, version);
	json_decref(s);
	return rc;
}

int suggestion_accept(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		      int64_t *version)
{
	int64_t v = 0;
	if (db_begin(db))
		return -1;
	int rc = accept_tx(db, territory_id, id, actor_id, &v);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db))
		return -1;
	if (version)
		*version = v;
	return SUGGESTION_OK;
}

int suggestion_decline(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		       const char *answer)
{
	if (db_begin(db))
		return -1;
	int64_t iid;
	int rc = db_query_int(db, &iid,
			      "UPDATE suggestions SET state = 'declined', answer = ?, answered_by = ?, "
			      "answered_at = ? WHERE id = ? AND territory_id = ? AND state = 'open' "
			      "RETURNING initiative_id",
			      "tiiii", answer ? answer : "", actor_id, (int64_t)time(NULL), id,
			      territory_id);
	if (rc > 0)
		rc = why_not_open(db, territory_id, id);
	else if (rc == 0 && activity_record(db, territory_id, actor_id, "Reject", "suggestion", id,
					    "initiative", iid, NULL))
		rc = -1;
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}
