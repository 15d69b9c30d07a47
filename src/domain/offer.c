/*
 * Offers of partners: the kinds table, form checks, writes with their
 * activities, and the lists of the ecosystem page, each one query.
 */
#include "domain/offer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/outcome.h"
#include "domain/row.h"
#include "domain/theme.h"
#include "core/banned.h"

const struct offer_kind offer_kinds[] = {
	{ "coaching", "Coaching" },	      { "training", "Training" },
	{ "funding", "Funding" },	      { "crowdfunding", "Crowdfunding" },
	{ "premises", "Premises" },	      { "equipment", "Equipment" },
	{ "logistics", "Logistics" },	      { "expertise", "Expertise" },
	{ "communication", "Communication" }, { "other", "Other" },
};
const size_t offer_kind_count = ARRAY_SIZE(offer_kinds);

const char *const offer_stage_codes[] = { "idea", "improving", "project", "supported", "realised" };
const size_t offer_stage_count = ARRAY_SIZE(offer_stage_codes);

const struct offer_kind *offer_kind_find(const char *code)
{
	for (size_t i = 0; code && i < offer_kind_count; i++)
		if (!strcmp(offer_kinds[i].code, code))
			return &offer_kinds[i];
	return NULL;
}

int offer_stage_index(const char *code)
{
	for (size_t i = 0; code && i < offer_stage_count; i++)
		if (!strcmp(offer_stage_codes[i], code))
			return (int)i;
	return -1;
}

/* A text of at most max characters: 0, or -1 when too long or not UTF-8. */
static int text_ok(const char *s, size_t max)
{
	return utf8_valid(s, strlen(s)) && utf8_chars(s) <= max ? 0 : -1;
}

static void set_error(json_t *err, const char *field, const char *msgid)
{
	if (!json_object_get(err, field))
		json_object_set_new(err, field, json_string(msgid));
}

/* "YYYY-MM-DD" → the first second of that day in Paris (end: its last second); 0 when empty, -1 when invalid. */
static int64_t parse_day(const char *s, int end)
{
	if (!s || !*s)
		return 0;
	int y, m, d, n = 0;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || y < 2000 ||
	    y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > days[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	int64_t t = outcome_paris_to_utc(y, m, d, 0, 0);
	if (!end)
		return t;
	/* The next day's midnight, less one second (days are 23 to 25 hours long). */
	int64_t next = t + 36 * 3600;
	char buf[32];
	outcome_paris_format(next, buf);
	int y2, m2, d2;
	if (sscanf(buf, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
		return -1;
	return outcome_paris_to_utc(y2, m2, d2, 0, 0) - 1;
}

/* A whole number of euros 1..OFFER_AMOUNT_MAX; 0 when empty, -1 when invalid. */
static int64_t parse_amount(const char *s)
{
	if (!s || !*s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || v < 1 || v > OFFER_AMOUNT_MAX || s[0] == '+' || s[0] == ' ')
		return -1;
	return v;
}

static void check_texts(const struct offer_form *in, struct offer_input *out, json_t *err)
{
	out->title = in->title ? in->title : "";
	out->description = in->description ? in->description : "";
	out->conditions = in->conditions ? in->conditions : "";
	out->capacity = in->capacity ? in->capacity : "";
	if (text_ok(out->title, OFFER_TITLE_MAX))
		set_error(err, "title", "The title has 200 characters at most.");
	else if (!*out->title)
		set_error(err, "title", "Give the offer a title.");
	if (text_ok(out->description, OFFER_DESCRIPTION_MAX))
		set_error(err, "description", "The description has 10000 characters at most.");
	if (text_ok(out->conditions, OFFER_CONDITIONS_MAX))
		set_error(err, "conditions", "The conditions have 2000 characters at most.");
	if (text_ok(out->capacity, OFFER_CAPACITY_MAX))
		set_error(err, "capacity", "The capacity has 200 characters at most.");
}

static void check_numbers(const struct offer_form *in, struct offer_input *out, json_t *err)
{
	out->amount_max_eur = parse_amount(in->amount);
	if (out->amount_max_eur < 0)
		set_error(err, "amount", "Give the amount in euros, a whole number.");
	out->opens_at = parse_day(in->opens, 0);
	out->closes_at = parse_day(in->closes, 1);
	if (out->opens_at < 0)
		set_error(err, "opens", "Give a date as YYYY-MM-DD.");
	if (out->closes_at < 0)
		set_error(err, "closes", "Give a date as YYYY-MM-DD.");
	if (out->opens_at > 0 && out->closes_at > 0 && out->closes_at < out->opens_at)
		set_error(err, "closes", "The closing date comes after the opening date.");
	out->active = !in->active || !*in->active || !strcmp(in->active, "1");
	if (in->active && *in->active && strcmp(in->active, "1") && strcmp(in->active, "0"))
		set_error(err, "active", "Choose active or paused.");
}

/* Themes by slug, once each: 0, or -1 on a database error. */
static int check_themes(struct db *db, int64_t territory_id, const struct offer_form *in,
			struct offer_input *out, json_t *err)
{
	for (size_t i = 0; i < in->theme_count; i++) {
		int64_t id = 0;
		int rc = theme_find(db, territory_id, in->themes[i], &id);
		if (rc < 0)
			return -1;
		if (rc > 0 || out->theme_count >= OFFER_THEMES_MAX) {
			set_error(err, "themes", "Choose themes of the list.");
			continue;
		}
		int seen = 0;
		for (size_t j = 0; j < out->theme_count; j++)
			seen |= out->theme_ids[j] == id;
		if (!seen)
			out->theme_ids[out->theme_count++] = id;
	}
	return 0;
}

json_t *offer_validate(struct db *db, int64_t territory_id, const struct offer_form *in,
		       struct offer_input *out)
{
	json_t *err = json_object();
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	if (!offer_kind_find(in->kind))
		set_error(err, "kind", "Choose the kind of offer.");
	check_texts(in, out, err);
	check_numbers(in, out, err);
	for (size_t i = 0; i < in->stage_count; i++) {
		int k = offer_stage_index(in->stages[i]);
		if (k < 0)
			set_error(err, "stages", "Choose stages of the journey.");
		else
			out->stages |= 1u << k;
	}
	if (!out->stages)
		set_error(err, "stages", "Choose at least one stage of the journey.");
	if (check_themes(db, territory_id, in, out, err) < 0) {
		json_decref(err);
		return NULL;
	}
	return err;
}

int offer_may_publish(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id)
{
	int64_t n = 0;
	int rc = db_query_int(db, &n,
			      "SELECT COUNT(*) FROM organisation_members m JOIN organisations o"
			      " ON o.id = m.organisation_id WHERE m.organisation_id = ? AND m.user_id = ?"
			      " AND o.territory_id = ? AND o.is_partner = 1 AND o.accredited_at IS NOT NULL"
			      " AND m.role IN ('owner', 'member')",
			      "iii", org_id, user_id, territory_id);
	return rc ? -1 : n > 0;
}

/* Stages and themes of offer id, written afresh. */
static int write_links(struct db *db, int64_t id, const struct offer_input *in)
{
	if (db_execv(db, "DELETE FROM offer_stages WHERE offer_id = ?", "i", id) ||
	    db_execv(db, "DELETE FROM offer_themes WHERE offer_id = ?", "i", id))
		return -1;
	for (size_t i = 0; i < offer_stage_count; i++)
		if ((in->stages & (1u << i)) &&
		    db_execv(db, "INSERT INTO offer_stages (offer_id, stage) VALUES (?, ?)", "it", id,
			     offer_stage_codes[i]))
			return -1;
	for (size_t i = 0; i < in->theme_count; i++)
		if (db_execv(db, "INSERT INTO offer_themes (offer_id, theme_id) VALUES (?, ?)", "ii", id,
			     in->theme_ids[i]))
			return -1;
	return 0;
}

static int record(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		  int64_t id, int64_t org_id, const struct offer_input *in)
{
	json_t *d = json_pack("{s:s, s:s, s:b}", "kind", in->kind, "title", in->title, "active",
			      in->active);
	char *text = json_dumps(d, JSON_COMPACT);
	int rc = activity_record(db, territory_id, actor_id, verb, "offer", id, "organisation", org_id,
				 text);
	free(text);
	json_decref(d);
	return rc;
}

/* Finish a transaction: commit when rc is 0, else roll back. */
static int finish(struct db *db, int rc)
{
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

int offer_create(struct db *db, int64_t territory_id, int64_t org_id, int64_t actor_id,
		 const struct offer_input *in, int64_t *id)
{
	int64_t now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, id,
			      "INSERT INTO offers (territory_id, organisation_id, kind, title, description,"
			      " conditions, amount_max_eur, capacity, opens_at, closes_at, active, created_by,"
			      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?,"
			      " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?) RETURNING id",
			      "iittttitiiiiii", territory_id, org_id, in->kind, in->title, in->description,
			      in->conditions, in->amount_max_eur, in->capacity, in->opens_at, in->closes_at,
			      (int64_t)in->active, actor_id, now, now) ? -1 : 0;
	if (rc == 0)
		rc = write_links(db, *id, in);
	if (rc == 0)
		rc = record(db, territory_id, actor_id, "Create", *id, org_id, in);
	return finish(db, rc);
}

int offer_update(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		 const struct offer_input *in)
{
	int64_t org_id = 0, now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &org_id,
			      "UPDATE offers SET kind = ?, title = ?, description = ?, conditions = ?,"
			      " amount_max_eur = NULLIF(CAST(? AS BIGINT), 0), capacity = ?,"
			      " opens_at = NULLIF(CAST(? AS BIGINT), 0), closes_at = NULLIF(CAST(? AS BIGINT), 0),"
			      " active = ?, updated_at = ? WHERE id = ? AND territory_id = ? RETURNING organisation_id",
			      "ttttitiiiiii", in->kind, in->title, in->description, in->conditions,
			      in->amount_max_eur, in->capacity, in->opens_at, in->closes_at,
			      (int64_t)in->active, now, id, territory_id);
	if (rc == 0)
		rc = write_links(db, id, in);
	if (rc == 0)
		rc = record(db, territory_id, actor_id, "Update", id, org_id, in);
	return finish(db, rc);
}

int offer_organisation(struct db *db, int64_t territory_id, int64_t id, int64_t *org_id)
{
	return db_query_int(db, org_id, "SELECT organisation_id FROM offers WHERE id = ? AND territory_id = ?",
			    "ii", id, territory_id);
}

const char *offer_state(int active, int64_t opens_at, int64_t closes_at, int64_t now)
{
	if (!active)
		return "paused";
	if ((opens_at && now < opens_at) || (closes_at && now > closes_at))
		return "closed";
	return "open";
}

static json_t *int_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : row_int(st, col);
}

/* The stage flags of columns col..col+4 as an array of codes. */
static json_t *stages_of(struct db_stmt *st, int col)
{
	json_t *a = json_array();
	for (size_t i = 0; i < offer_stage_count; i++)
		if (db_col_int(st, col + (int)i))
			json_array_append_new(a, json_string(offer_stage_codes[i]));
	return a;
}

#define STAGE_FLAG(s) \
	" CASE WHEN EXISTS (SELECT 1 FROM offer_stages s WHERE s.offer_id = f.id AND s.stage = '" s "')" \
	" THEN 1 ELSE 0 END"
#define STAGE_FLAGS \
	STAGE_FLAG("idea") "," STAGE_FLAG("improving") "," STAGE_FLAG("project") "," \
	STAGE_FLAG("supported") "," STAGE_FLAG("realised")

/* Columns of a list item: 0 id, 1 kind, 2 title, 3 capacity, 4 amount, 5 opens, 6 closes, 7 active, 8 org id, 9 slug, 10 name, 11..15 stages. */
#define ITEM_COLUMNS \
	"SELECT f.id, f.kind, f.title, f.capacity, f.amount_max_eur, f.opens_at, f.closes_at, f.active," \
	" o.id, o.slug, o.name," STAGE_FLAGS " FROM offers f JOIN organisations o ON o.id = f.organisation_id"

static json_t *item_of(struct db_stmt *st)
{
	json_t *org = json_pack("{s:o, s:o, s:o}", "id", row_int(st, 8), "slug", row_string(st, 9), "name",
				row_string(st, 10));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "id", row_int(st, 0), "kind",
			 row_string(st, 1), "title", row_string(st, 2), "capacity", row_string(st, 3),
			 "amount_max_eur", int_or_null(st, 4), "opens_at", int_or_null(st, 5), "closes_at",
			 int_or_null(st, 6), "active", db_col_int(st, 7) != 0, "organisation", org, "stages",
			 stages_of(st, 11));
}

/* Rows of st (already stepped) appended to items; at most max of them. Returns the last step. */
static int collect(struct db_stmt *st, int step, json_t *items, size_t max)
{
	for (; step == DB_ROW && json_array_size(items) < max; step = db_step(st))
		json_array_append_new(items, item_of(st));
	return step;
}

int offer_list(struct db *db, int64_t territory_id, const struct offer_filter *f, json_t **out)
{
	size_t limit = f->limit < 1 ? 1 : f->limit > OFFER_PAGE_MAX ? OFFER_PAGE_MAX : f->limit;
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		ITEM_COLUMNS " WHERE f.territory_id = ? AND f.active = 1 AND o.is_partner = 1"
			     " AND o.accredited_at IS NOT NULL"
			     " AND (CAST(? AS TEXT) IS NULL OR f.kind = ?)"
			     " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM offer_stages x"
			     " WHERE x.offer_id = f.id AND x.stage = ?))"
			     " AND (CAST(? AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM offer_themes y"
			     " WHERE y.offer_id = f.id AND y.theme_id = ?))"
			     " AND (CAST(? AS BIGINT) = 0 OR f.id < ?)"
			     " ORDER BY f.id DESC LIMIT ?",
		"ittttiiiii", territory_id, f->kind, f->kind, f->stage, f->stage, f->theme_id, f->theme_id,
		f->before, f->before, (int64_t)limit + 1);
	if (!st)
		return -1;
	json_t *items = json_array();
	step = collect(st, step, items, limit);
	int more = step == DB_ROW;
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	json_t *last = json_array_get(items, json_array_size(items) - 1);
	*out = json_pack("{s:o, s:o}", "items", items, "next_before",
			 more && last ? json_incref(json_object_get(last, "id")) : json_null());
	return 0;
}

int offer_list_by_organisation(struct db *db, int64_t territory_id, int64_t org_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      ITEM_COLUMNS " WHERE f.territory_id = ? AND f.organisation_id = ?"
						   " ORDER BY f.id DESC LIMIT ?",
				      "iii", territory_id, org_id, (int64_t)OFFER_PAGE_MAX);
	if (!st)
		return -1;
	json_t *items = json_array();
	step = collect(st, step, items, OFFER_PAGE_MAX);
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}

static int get_themes(struct db *db, int64_t id, json_t *offer)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT t.id, t.slug, t.name FROM offer_themes x JOIN themes t"
				      " ON t.id = x.theme_id WHERE x.offer_id = ? ORDER BY t.name LIMIT ?",
				      "ii", id, (int64_t)OFFER_THEMES_MAX);
	if (!st)
		return -1;
	json_t *themes = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(themes, json_pack("{s:o, s:o, s:o}", "id", row_int(st, 0), "slug",
							row_string(st, 1), "name", row_string(st, 2)));
	db_reset(st);
	json_object_set_new(offer, "themes", themes);
	return step < 0 ? -1 : 0;
}

int offer_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT f.id, f.kind, f.title, f.capacity, f.amount_max_eur, f.opens_at, f.closes_at, f.active,"
		" o.id, o.slug, o.name," STAGE_FLAGS ", f.description, f.conditions, f.created_at, f.updated_at,"
		" CASE WHEN o.is_partner = 1 AND o.accredited_at IS NOT NULL THEN 1 ELSE 0 END"
		" FROM offers f JOIN organisations o ON o.id = f.organisation_id"
		" WHERE f.id = ? AND f.territory_id = ?",
		"ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step < 0 ? -1 : 1;
	}
	json_t *offer = item_of(st);
	json_object_set_new(offer, "description", row_string(st, 16));
	json_object_set_new(offer, "conditions", row_string(st, 17));
	json_object_set_new(offer, "created_at", row_int(st, 18));
	json_object_set_new(offer, "updated_at", row_int(st, 19));
	json_object_set_new(json_object_get(offer, "organisation"), "accredited",
			    json_boolean(db_col_int(st, 20)));
	db_reset(st);
	if (get_themes(db, id, offer) < 0) {
		json_decref(offer);
		return -1;
	}
	*out = offer;
	return 0;
}

#define SUPPORTED_PER_PARTNER 20
#define SUPPORTED_ROWS 4000

int offer_supported_projects(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT DISTINCT f.organisation_id, i.id, i.title FROM support_requests r"
		" JOIN offers f ON f.id = r.offer_id JOIN initiatives i ON i.id = r.initiative_id"
		" WHERE r.territory_id = ? AND r.state IN ('accepted', 'completed')"
		" ORDER BY f.organisation_id, i.id DESC LIMIT ?",
		"ii", territory_id, (int64_t)SUPPORTED_ROWS);
	if (!st)
		return -1;
	json_t *by_org = json_object();
	for (; step == DB_ROW; step = db_step(st)) {
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		json_t *list = json_object_get(by_org, key);
		if (!list) {
			list = json_array();
			json_object_set_new(by_org, key, list);
		}
		if (json_array_size(list) < SUPPORTED_PER_PARTNER)
			json_array_append_new(list, json_pack("{s:o, s:o}", "id", row_int(st, 1), "title",
							      row_string(st, 2)));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(by_org);
		return -1;
	}
	*out = by_org;
	return 0;
}
