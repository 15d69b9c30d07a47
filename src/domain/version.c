/*
 * Versions are written by one function, version_apply(), for edits and
 * accepted suggestions alike: it locks the initiative's row first (a no-op
 * UPDATE, portable to both backends), so two changes of one initiative take
 * turns and the next version number is read after the previous commit.
 */
#include "domain/version.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/search.h"
#include "core/banned.h"

static void check_len(json_t *errors, const char *field, const char *s, size_t max,
		      const char *too_long)
{
	if (s && (!utf8_valid(s, strlen(s)) || utf8_chars(s) > max))
		json_object_set_new(errors, field, json_string(too_long));
}

json_t *version_validate(const char *title, const char *summary, const char *body,
			 const char *note)
{
	json_t *errors = json_object();
	if (!title || !*title)
		json_object_set_new(errors, "title", json_string("Please give a title."));
	else
		check_len(errors, "title", title, VERSION_TITLE_MAX, "Use at most 200 characters.");
	check_len(errors, "summary", summary, VERSION_SUMMARY_MAX, "Use at most 500 characters.");
	check_len(errors, "body", body, VERSION_BODY_MAX, "Use at most 20,000 characters.");
	check_len(errors, "note", note, VERSION_NOTE_MAX, "Use at most 300 characters.");
	return errors;
}

struct text {
	char *title, *summary, *body;
};

static void text_release(struct text *t)
{
	free(t->title);
	free(t->summary);
	free(t->body);
}

/* Lock the initiative's row and read its text. 0, 1 if none, -1. */
static int lock_text(struct db *db, int64_t territory_id, int64_t id, struct text *t)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "UPDATE initiatives SET updated_at = updated_at "
				      "WHERE id = ? AND territory_id = ? RETURNING title, summary, body",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step == DB_ROW) {
		t->title = xstrdup(db_col_text(st, 0));
		t->summary = xstrdup(db_col_text(st, 1));
		t->body = xstrdup(db_col_text(st, 2));
	}
	db_reset(st);
	return step == DB_ROW ? 0 : 1;
}

/* Version 1 from the text about to change, unless the initiative has versions. */
static int ensure_first(struct db *db, int64_t id)
{
	return db_execv(db,
			"INSERT INTO initiative_versions (territory_id, initiative_id, version, title, "
			"summary, body, author_id, note, created_at) "
			"SELECT territory_id, id, 1, title, summary, body, author_id, '', created_at "
			"FROM initiatives i WHERE i.id = ? AND NOT EXISTS "
			"(SELECT 1 FROM initiative_versions v WHERE v.initiative_id = i.id)",
			"i", id);
}

static int write_version(struct db *db, int64_t territory_id, int64_t id,
			 const struct version_change *c, const struct text *now, int64_t *version)
{
	int64_t at = (int64_t)time(NULL);
	if (db_execv(db,
		     "UPDATE initiatives SET title = ?, summary = ?, body = ?, updated_at = ? "
		     "WHERE id = ?",
		     "tttii", now->title, now->summary, now->body, at, id) ||
	    search_index_initiative(db, id))
		return -1;
	int64_t v;
	if (db_query_int(db, &v,
			 "INSERT INTO initiative_versions (territory_id, initiative_id, version, title, "
			 "summary, body, author_id, suggestion_id, note, created_at) "
			 "SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), COALESCE(MAX(version), 0) + 1, "
			 "?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, "
			 "CAST(? AS BIGINT) FROM initiative_versions WHERE initiative_id = ? "
			 "RETURNING version",
			 "iitttiitii", territory_id, id, now->title, now->summary, now->body,
			 c->author_id, c->suggestion_id, c->note ? c->note : "", at, id))
		return -1;
	if (version)
		*version = v;
	return 0;
}

static const char *or_keep(const char *v, const char *cur)
{
	return v ? v : cur;
}

int version_apply(struct db *db, int64_t territory_id, int64_t initiative_id,
		  const struct version_change *c, int64_t *version)
{
	struct text cur = { NULL, NULL, NULL };
	int rc = lock_text(db, territory_id, initiative_id, &cur);
	if (rc)
		return rc < 0 ? -1 : VERSION_NOT_FOUND;
	struct text now = { (char *)or_keep(c->title, cur.title),
			    (char *)or_keep(c->summary, cur.summary),
			    (char *)or_keep(c->body, cur.body) };
	if ((c->base_title && c->title && strcmp(c->base_title, cur.title)) ||
	    (c->base_body && c->body && strcmp(c->base_body, cur.body)))
		rc = VERSION_STALE;
	else if (!strcmp(now.title, cur.title) && !strcmp(now.summary, cur.summary) &&
		 !strcmp(now.body, cur.body))
		rc = VERSION_UNCHANGED;
	else if (ensure_first(db, initiative_id) ||
		 write_version(db, territory_id, initiative_id, c, &now, version))
		rc = -1;
	else
		rc = VERSION_CHANGED;
	text_release(&cur);
	return rc;
}

int version_edit(struct db *db, int64_t territory_id, int64_t initiative_id,
		 const struct version_change *c, int64_t *version)
{
	int64_t v = 0;
	if (db_begin(db))
		return -1;
	int rc = version_apply(db, territory_id, initiative_id, c, &v);
	if (rc == VERSION_CHANGED) {
		char details[64];
		snprintf(details, sizeof(details), "{\"version\": %lld}", (long long)v);
		if (activity_record(db, territory_id, c->author_id, "Update", "initiative",
				    initiative_id, NULL, 0, details))
			rc = -1;
	}
	if (rc != VERSION_CHANGED) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db))
		return -1;
	if (version)
		*version = v;
	return rc;
}

static json_t *version_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "version", row_int(st, 0), "author",
			 row_author(st, 1, 2), "created_at", row_int(st, 3), "note",
			 row_string(st, 4), "suggestion_id",
			 db_col_is_null(st, 5) ? json_null() : row_int(st, 5));
}

/* Version 1 of an initiative never changed: its row as it is. */
#define FIRST_FROM_INITIATIVE                                                                  \
	"SELECT 1, i.author_id, u.display_name, i.created_at, '', NULL, i.title, i.summary, "    \
	"i.body FROM initiatives i LEFT JOIN users u ON u.id = i.author_id "                    \
	"WHERE i.id = ? AND i.territory_id = ?"

int version_list(struct db *db, int64_t territory_id, int64_t initiative_id, json_t **out)
{
	json_t *list = json_array();
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT v.version, v.author_id, u.display_name, v.created_at, "
				      "v.note, v.suggestion_id FROM initiative_versions v "
				      "LEFT JOIN users u ON u.id = v.author_id "
				      "WHERE v.initiative_id = ? AND v.territory_id = ? "
				      "ORDER BY v.version DESC LIMIT 500",
				      "ii", initiative_id, territory_id);
	for (; st && step == DB_ROW; step = db_step(st))
		json_array_append_new(list, version_row(st));
	if (st)
		db_reset(st);
	if (!st || step < 0) {
		json_decref(list);
		return -1;
	}
	if (json_array_size(list)) {
		*out = list;
		return 0;
	}
	st = db_query(db, &step, FIRST_FROM_INITIATIVE, "ii", initiative_id, territory_id);
	if (st && step == DB_ROW)
		json_array_append_new(list, version_row(st));
	if (st)
		db_reset(st);
	if (!st || step < 0 || !json_array_size(list)) {
		json_decref(list);
		return !st || step < 0 ? -1 : 1;
	}
	*out = list;
	return 0;
}

int version_get(struct db *db, int64_t territory_id, int64_t initiative_id, int64_t version,
		json_t **out)
{
	int64_t count;
	if (db_query_int(db, &count, "SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ?",
			 "i", initiative_id))
		return -1;
	int step;
	struct db_stmt *st;
	if (count == 0 && version == 1)
		st = db_query(db, &step, FIRST_FROM_INITIATIVE, "ii", initiative_id, territory_id);
	else
		st = db_query(db, &step,
			      "SELECT v.version, v.author_id, u.display_name, v.created_at, v.note, "
			      "v.suggestion_id, v.title, v.summary, v.body FROM initiative_versions v "
			      "LEFT JOIN users u ON u.id = v.author_id "
			      "WHERE v.initiative_id = ? AND v.territory_id = ? AND v.version = ?",
			      "iii", initiative_id, territory_id, version);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *v = version_row(st);
	json_object_set_new(v, "title", row_string(st, 6));
	json_object_set_new(v, "summary", row_string(st, 7));
	json_object_set_new(v, "body", row_string(st, 8));
	db_reset(st);
	*out = v;
	return 0;
}
