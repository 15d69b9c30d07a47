/*
 * Outcomes: form checks, the one-row-per-initiative upsert, and the events
 * list on the (territory_id, kind, starts_at, initiative_id) index with a
 * (starts_at, id) keyset in either direction.
 */
#include "domain/outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/initiative.h"
#include "domain/row.h"
#include "core/banned.h"

/* Unix seconds of the last Sunday of month (1-12) of year, 01:00 UTC: when EU summer time turns. */
static int64_t eu_switch(int year, int month)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 31, .tm_hour = 1 };
	time_t t = timegm(&tm);
	struct tm g;
	gmtime_r(&t, &g);
	return (int64_t)t - (int64_t)g.tm_wday * 86400;
}

static int paris_summer(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm g;
	gmtime_r(&tt, &g);
	int year = g.tm_year + 1900;
	return t >= eu_switch(year, 3) && t < eu_switch(year, 10);
}

int64_t outcome_paris_to_utc(int year, int month, int day, int hour, int minute)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
			 .tm_hour = hour, .tm_min = minute };
	int64_t wall = (int64_t)timegm(&tm);
	int64_t summer = wall - 7200;
	return paris_summer(summer) ? summer : wall - 3600;
}

void outcome_paris_format(int64_t t, char s[32])
{
	time_t tt = (time_t)(t + (paris_summer(t) ? 7200 : 3600));
	struct tm g;
	gmtime_r(&tt, &g);
	strftime(s, 32, "%Y-%m-%dT%H:%M", &g);
}

/* "YYYY-MM-DD" → 0 with the parts set, or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3)
		return -1;
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (*y < 1800 || *y > 2200 || *m < 1 || *m > 12 || *d < 1 || *d > days[*m - 1])
		return -1;
	return 0;
}

/* "YYYY-MM-DDTHH:MM" (what <input type=datetime-local> sends), Paris time → Unix seconds, or -1. */
static int64_t parse_datetime(const char *s)
{
	int y, mo, d, h, mi;
	char date[11];
	if (!s || strlen(s) < 16 || (s[10] != 'T' && s[10] != ' '))
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	char tail;
	if (parse_date(date, &y, &mo, &d) ||
	    sscanf(s + 11, "%2d:%2d%c", &h, &mi, &tail) < 2 || h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	/* Seconds, when a browser sends them, are accepted and dropped. */
	if (strlen(s) != 16 && (strlen(s) != 19 || s[16] != ':'))
		return -1;
	return outcome_paris_to_utc(y, mo, d, h, mi);
}

static const char *empty_to_null(const char *s)
{
	return s && *s ? s : NULL;
}

static void check_len(json_t *err, const char *field, const char *s, size_t max, int required,
		      const char *missing, const char *too_long)
{
	size_t n = s ? utf8_chars(s) : 0;
	if (s && !utf8_valid(s, strlen(s)))
		json_object_set_new(err, field, json_string(too_long));
	else if (required && n == 0)
		json_object_set_new(err, field, json_string(missing));
	else if (n > max)
		json_object_set_new(err, field, json_string(too_long));
}

static void check_event(const struct outcome_form *in, struct outcome_new *out, json_t *err)
{
	out->starts_at = parse_datetime(empty_to_null(in->starts_at));
	if (out->starts_at < 0)
		json_object_set_new(err, "starts_at",
				    json_string("Give the date and time the event starts."));
	out->ends_at = 0;
	if (empty_to_null(in->ends_at)) {
		out->ends_at = parse_datetime(in->ends_at);
		if (out->ends_at < 0 || (out->starts_at >= 0 && out->ends_at < out->starts_at))
			json_object_set_new(err, "ends_at",
					    json_string("The end must be a date and time after the start."));
	}
	check_len(err, "place", in->place, OUTCOME_PLACE_MAX, 1, "Say where the event takes place.",
		  "The place has 200 characters at most.");
}

json_t *outcome_validate(const struct outcome_form *in, struct outcome_new *out)
{
	json_t *err = json_object();
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->legal_form = in->legal_form ? in->legal_form : "";
	out->founded_on = in->founded_on ? in->founded_on : "";
	out->place = in->place ? in->place : "";
	out->description = in->description ? in->description : "";
	out->impact = in->impact ? in->impact : "";
	if (!in->kind || !initiative_outcome_label(in->kind)) {
		json_object_set_new(err, "kind",
				    json_string("Choose what it became: an enterprise, an event or a service."));
	} else if (!strcmp(in->kind, "enterprise")) {
		int y, m, d;
		check_len(err, "legal_form", in->legal_form, OUTCOME_LEGAL_FORM_MAX, 1,
			  "Give the enterprise's legal form.", "The legal form has 100 characters at most.");
		if (parse_date(empty_to_null(in->founded_on), &y, &m, &d))
			json_object_set_new(err, "founded_on",
					    json_string("Give the date the enterprise was created."));
	} else if (!strcmp(in->kind, "event")) {
		check_event(in, out, err);
	} else {
		check_len(err, "description", in->description, OUTCOME_DESCRIPTION_MAX, 1,
			  "Say what the service offers.", "The description has 2000 characters at most.");
	}
	check_len(err, "impact", in->impact, OUTCOME_IMPACT_MAX, 1, "Say in a few words what it changed.",
		  "What it changed has 1000 characters at most.");
	return err;
}

int outcome_save(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		 const struct outcome_new *o)
{
	int64_t now = (int64_t)time(NULL), existed = 0;
	int rc = db_query_int(db, &existed, "SELECT COUNT(*) FROM outcomes WHERE initiative_id = ?", "i",
			      id);
	if (rc)
		return -1;
	int is_event = !strcmp(o->kind, "event");
	if (db_execv(db,
		     "INSERT INTO outcomes (initiative_id, territory_id, kind, legal_form, founded_on,"
		     " starts_at, ends_at, place, description, impact, recorded_by, created_at, updated_at)"
		     " VALUES (?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
		     " ?, ?, ?, ?, ?, ?)"
		     " ON CONFLICT (initiative_id) DO UPDATE SET kind = excluded.kind,"
		     " legal_form = excluded.legal_form, founded_on = excluded.founded_on,"
		     " starts_at = excluded.starts_at, ends_at = excluded.ends_at, place = excluded.place,"
		     " description = excluded.description, impact = excluded.impact,"
		     " recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
		     "iittt" "iittt" "iii", id, territory_id, o->kind, o->legal_form, o->founded_on,
		     is_event ? o->starts_at : 0, is_event && o->ends_at ? o->ends_at : 0, o->place,
		     o->description, o->impact, actor_id, now, now) ||
	    db_execv(db, "UPDATE initiatives SET outcome_kind = ?, updated_at = ? WHERE id = ?", "tii",
		     o->kind, now, id))
		return error("outcome: cannot save the outcome of %lld", (long long)id);
	if (!existed)
		return 0;
	json_t *d = json_pack("{s:s}", "outcome", o->kind);
	char *text = json_dumps(d, JSON_COMPACT);
	rc = activity_record(db, territory_id, actor_id, "Update", "initiative", id, NULL, 0, text);
	free(text);
	json_decref(d);
	return rc;
}

int outcome_record(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		   const struct outcome_new *o)
{
	if (db_begin(db))
		return -1;
	if (outcome_save(db, territory_id, id, actor_id, o) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static json_t *int_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : row_int(st, col);
}

int outcome_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT kind, legal_form, founded_on, starts_at, ends_at, place,"
				      " description, impact FROM outcomes"
				      " WHERE initiative_id = ? AND territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "kind", row_string(st, 0),
			 "legal_form", row_string(st, 1), "founded_on", row_string(st, 2), "starts_at",
			 int_or_null(st, 3), "ends_at", int_or_null(st, 4), "place", row_string(st, 5),
			 "description", row_string(st, 6), "impact", row_string(st, 7));
	db_reset(st);
	return 0;
}

#define EVENT_COLUMNS                                                                      \
	"SELECT i.id, i.title, o.starts_at, o.ends_at, o.place, o.impact FROM outcomes o"     \
	" JOIN initiatives i ON i.id = o.initiative_id"                                       \
	" WHERE o.territory_id = ? AND o.kind = 'event' AND i.stage = 'realised'"             \
	" AND o.starts_at IS NOT NULL"

/* Upcoming: not over at now (an event without an end is over when it starts). */
static const char upcoming_sql[] =
	EVENT_COLUMNS " AND COALESCE(o.ends_at, o.starts_at) >= ?"
		      " AND (o.starts_at > ? OR (o.starts_at = ? AND o.initiative_id > ?))"
		      " ORDER BY o.starts_at, o.initiative_id LIMIT ?";
static const char past_sql[] =
	EVENT_COLUMNS " AND COALESCE(o.ends_at, o.starts_at) < ?"
		      " AND (o.starts_at < ? OR (o.starts_at = ? AND o.initiative_id < ?))"
		      " ORDER BY o.starts_at DESC, o.initiative_id DESC LIMIT ?";

int outcome_events(struct db *db, int64_t territory_id, int64_t now, int upcoming,
		   int64_t cursor_at, int64_t cursor_id, int limit, json_t **out)
{
	if (limit < 1 || limit > 100)
		limit = 20;
	if (!cursor_at) {
		cursor_at = upcoming ? INT64_MIN + 1 : INT64_MAX;
		cursor_id = upcoming ? 0 : INT64_MAX;
	}
	int step;
	struct db_stmt *st = db_query(db, &step, upcoming ? upcoming_sql : past_sql, "iiiiii",
				      territory_id, now, cursor_at, cursor_at, cursor_id,
				      (int64_t)limit + 1);
	if (!st)
		return -1;
	json_t *page = json_pack("{s:[], s:n}", "items", "next");
	json_t *items = json_object_get(page, "items");
	int n = 0;
	int64_t last_at = 0, last_id = 0;
	for (; step == DB_ROW; step = db_step(st), n++) {
		if (n == limit) {
			json_object_set_new(page, "next",
					    json_pack("{s:I, s:I}", "at", (json_int_t)last_at, "id",
						      (json_int_t)last_id));
			break;
		}
		last_id = db_col_int(st, 0);
		last_at = db_col_int(st, 2);
		json_array_append_new(items,
				      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", row_int(st, 0),
						"title", row_string(st, 1), "starts_at", row_int(st, 2),
						"ends_at", int_or_null(st, 3), "place", row_string(st, 4),
						"impact", row_string(st, 5)));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(page);
		return -1;
	}
	*out = page;
	return 0;
}
