/*
 * Organisations: the partners page and an organisation's own page, read
 * through the (territory_id, is_partner, name) index, and creation with its
 * activity row. A website is an href on every page, so only http(s) URLs
 * get in.
 */
#include "domain/organisation.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/initiative.h"
#include "domain/row.h"
#include "core/banned.h"

#define LIST_MAX 200
#define CARRIED_MAX 50

static const struct {
	const char *kind;
	const char *label;
} kinds[] = {
	{ "association", "Association" },
	{ "social_enterprise", "Social enterprise" },
	{ "company", "Company" },
	{ "public_body", "Public body" },
	{ "partner", "Support organisation" },
};

const char *organisation_kind_label(const char *kind)
{
	for (size_t i = 0; kind && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].label;
	return NULL;
}

#define ORGANISATION_COLUMNS                                                              \
	"SELECT id, slug, name, kind, summary, website,"                                   \
	" CASE WHEN accredited_at IS NULL THEN 0 ELSE 1 END,"                              \
	" description, is_partner, created_at FROM organisations"

static json_t *organisation_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", row_int(st, 0), "slug",
			 row_string(st, 1), "name", row_string(st, 2), "kind", row_string(st, 3),
			 "summary", row_string(st, 4), "website", row_string(st, 5), "accredited",
			 (int)db_col_int(st, 6));
}

int organisation_list(struct db *db, int64_t territory_id, enum organisation_group group,
		      json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      ORGANISATION_COLUMNS " WHERE territory_id = ? AND is_partner = ?"
							   " ORDER BY name, id LIMIT ?",
				      "iii", territory_id,
				      (int64_t)(group == ORGANISATION_PARTNERS ? 1 : 0),
				      (int64_t)LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, organisation_row(st));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int organisation_find(struct db *db, int64_t territory_id, const char *slug, int64_t *id)
{
	return db_query_int(db, id, "SELECT id FROM organisations WHERE territory_id = ? AND slug = ?",
			    "it", territory_id, slug);
}

int organisation_get_by_slug(struct db *db, int64_t territory_id, const char *slug, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      ORGANISATION_COLUMNS " WHERE territory_id = ? AND slug = ?", "it",
				      territory_id, slug);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *org = organisation_row(st);
	int64_t id = db_col_int(st, 0);
	json_object_set_new(org, "description", row_string(st, 7));
	json_object_set_new(org, "partner", json_boolean(db_col_int(st, 8)));
	json_object_set_new(org, "created_at", row_int(st, 9));
	db_reset(st);
	json_t *carried;
	if (initiative_list_by_carrier(db, territory_id, id, CARRIED_MAX, &carried)) {
		json_decref(org);
		return -1;
	}
	json_object_set(org, "initiatives", json_object_get(carried, "items"));
	json_decref(carried);
	*out = org;
	return 0;
}

static int text_ok(const char *s, size_t max, int required)
{
	size_t len = s ? strlen(s) : 0;
	return len <= max && (!required || len > 0);
}

static int slug_ok(const char *s)
{
	return text_ok(s, ORGANISATION_SLUG_MAX, 1) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

/* Only web addresses: anything else (javascript:, data:) would become a live href. */
static int website_ok(const char *s)
{
	if (!s || !*s)
		return 1;
	if (!text_ok(s, ORGANISATION_WEBSITE_MAX, 1) || strpbrk(s, " \t\r\n\"'<>"))
		return 0;
	return !strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7);
}

static int organisation_check(const struct organisation_new *o)
{
	if (!slug_ok(o->slug))
		return error("organisation: bad slug \"%.64s\"", o->slug ? o->slug : "");
	if (!text_ok(o->name, ORGANISATION_NAME_MAX, 1))
		return error("organisation %s: name empty or too long", o->slug);
	if (!organisation_kind_label(o->kind))
		return error("organisation %s: unknown kind", o->slug);
	if (!text_ok(o->summary, ORGANISATION_SUMMARY_MAX, 0) ||
	    !text_ok(o->description, ORGANISATION_DESCRIPTION_MAX, 0))
		return error("organisation %s: summary or description too long", o->slug);
	if (!website_ok(o->website))
		return error("organisation %s: website is not an http(s) URL", o->slug);
	return 0;
}

int organisation_insert(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id)
{
	if (organisation_check(o))
		return -1;
	int64_t at = o->created_at ? o->created_at : (int64_t)time(NULL);
	if (db_query_int(db, id,
			 "INSERT INTO organisations (territory_id, slug, name, kind, summary,"
			 " description, website, is_partner, accredited_at, created_at)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?) RETURNING id",
			 "ittttttiii", territory_id, o->slug, o->name, o->kind,
			 o->summary ? o->summary : "", o->description ? o->description : "",
			 o->website ? o->website : "", (int64_t)(o->partner ? 1 : 0),
			 (int64_t)(o->accredited ? at : 0), at))
		return error("organisation %s: cannot insert", o->slug);
	json_t *details = json_pack("{s:s, s:s}", "slug", o->slug, "kind", o->kind);
	char *text = json_dumps(details, JSON_COMPACT);
	int rc = activity_record_at(db, territory_id, 0, "Create", "organisation", *id, NULL, 0,
				    text, at);
	free(text);
	json_decref(details);
	return rc;
}

int organisation_create(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id)
{
	if (db_begin(db))
		return -1;
	if (organisation_insert(db, territory_id, o, id) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}
