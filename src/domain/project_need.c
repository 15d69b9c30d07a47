/*
 * Project needs: the kinds table, form checks (amounts only where the kind
 * has them), and writes each with its activity.
 */
#include "domain/project_need.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

const struct project_need_kind project_need_kinds[] = {
	{ "money", "Money" },	      { "premises", "Premises" },     { "coaching", "Coaching" },
	{ "training", "Training" },   { "equipment", "Equipment" }, { "volunteers", "Volunteers" },
	{ "other", "Other" },
};
const size_t project_need_kind_count = ARRAY_SIZE(project_need_kinds);

const struct project_need_kind *project_need_kind_find(const char *code)
{
	for (size_t i = 0; code && i < project_need_kind_count; i++)
		if (!strcmp(project_need_kinds[i].code, code))
			return &project_need_kinds[i];
	return NULL;
}

/* A whole number 1..max, or -1 (0 when empty). */
static int64_t parse_amount(const char *s, int64_t max)
{
	if (!s || !*s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || v < 1 || v > max || s[0] == '+' || s[0] == ' ')
		return -1;
	return v;
}

json_t *project_need_validate(const struct project_need_form *in, struct project_need_input *out)
{
	json_t *err = json_object();
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->description = in->description ? in->description : "";
	out->state = in->state && *in->state ? in->state : "open";
	if (!project_need_kind_find(in->kind))
		json_object_set_new(err, "kind", json_string("Choose the kind of need."));
	size_t len = strlen(out->description);
	if (!utf8_valid(out->description, len) || utf8_chars(out->description) > PROJECT_NEED_DESCRIPTION_MAX)
		json_object_set_new(err, "description",
				    json_string("The description has 500 characters at most."));
	else if (len == 0)
		json_object_set_new(err, "description", json_string("Describe the need in a few words."));
	if (strcmp(out->state, "open") && strcmp(out->state, "met"))
		json_object_set_new(err, "state", json_string("Choose open or met."));
	int money = in->kind && !strcmp(in->kind, "money");
	int premises = in->kind && !strcmp(in->kind, "premises");
	if (money) {
		out->amount_eur = parse_amount(in->amount, 100000000);
		if (out->amount_eur <= 0)
			json_object_set_new(err, "amount",
					    json_string("Give the amount in euros, a whole number."));
	}
	if (premises) {
		out->surface_m2 = parse_amount(in->surface, 1000000);
		out->duration_months = parse_amount(in->duration, 1200);
		if (out->surface_m2 < 0)
			json_object_set_new(err, "surface",
					    json_string("Give the surface in square metres, a whole number."));
		if (out->duration_months < 0)
			json_object_set_new(err, "duration",
					    json_string("Give the duration in months, a whole number."));
	}
	return err;
}

static int record(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		  int64_t need_id, int64_t initiative_id, const struct project_need_input *in)
{
	json_t *d = json_pack("{s:s, s:s}", "kind", in->kind, "state", in->state);
	char *text = json_dumps(d, JSON_COMPACT);
	int rc = activity_record(db, territory_id, actor_id, verb, "project_need", need_id,
				 "initiative", initiative_id, text);
	free(text);
	json_decref(d);
	return rc;
}

int project_need_add(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		     const struct project_need_input *in, int64_t *need_id)
{
	int64_t n = 0, now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &n, "SELECT COUNT(*) FROM project_needs WHERE initiative_id = ?", "i",
			      id);
	if (rc == 0 && n >= PROJECT_NEEDS_MAX)
		rc = 1;
	if (rc == 0)
		rc = db_query_int(db, need_id,
				  "INSERT INTO project_needs (territory_id, initiative_id, kind, description,"
				  " amount_eur, surface_m2, duration_months, state, created_at, updated_at)"
				  " VALUES (?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
				  " NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id",
				  "iittiiitii", territory_id, id, in->kind, in->description, in->amount_eur,
				  in->surface_m2, in->duration_months, in->state, now, now) ? -1 : 0;
	if (rc == 0)
		rc = record(db, territory_id, actor_id, "Add", *need_id, id, in);
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

int project_need_find(struct db *db, int64_t territory_id, int64_t need_id, int64_t *initiative_id)
{
	return db_query_int(db, initiative_id,
			    "SELECT initiative_id FROM project_needs WHERE id = ? AND territory_id = ?",
			    "ii", need_id, territory_id);
}

int project_need_update(struct db *db, int64_t territory_id, int64_t need_id, int64_t actor_id,
			const struct project_need_input *in)
{
	int64_t initiative_id = 0, now = (int64_t)time(NULL);
	if (db_begin(db))
		return -1;
	int rc = db_query_int(db, &initiative_id,
			      "UPDATE project_needs SET kind = ?, description = ?,"
			      " amount_eur = NULLIF(CAST(? AS BIGINT), 0), surface_m2 = NULLIF(CAST(? AS BIGINT), 0),"
			      " duration_months = NULLIF(CAST(? AS BIGINT), 0), state = ?, updated_at = ?"
			      " WHERE id = ? AND territory_id = ? RETURNING initiative_id",
			      "ttiiitiii", in->kind, in->description, in->amount_eur, in->surface_m2,
			      in->duration_months, in->state, now, need_id, territory_id) ? -1 : 0;
	if (rc == 0)
		rc = record(db, territory_id, actor_id, "Update", need_id, initiative_id, in);
	if (rc == 0 && db_commit(db))
		rc = -1;
	if (rc != 0)
		db_rollback(db);
	return rc;
}

static json_t *int_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : row_int(st, col);
}

int project_need_list(struct db *db, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, kind, description, amount_eur, surface_m2,"
				      " duration_months, state FROM project_needs WHERE initiative_id = ?"
				      " ORDER BY id LIMIT ?",
				      "ii", id, (int64_t)PROJECT_NEEDS_MAX);
	if (!st)
		return -1;
	json_t *items = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(items,
				      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", row_int(st, 0),
						"kind", row_string(st, 1), "description", row_string(st, 2),
						"amount_eur", int_or_null(st, 3), "surface_m2",
						int_or_null(st, 4), "duration_months", int_or_null(st, 5),
						"state", row_string(st, 6)));
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = items;
	return 0;
}
