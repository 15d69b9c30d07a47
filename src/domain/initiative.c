/*
 * Initiatives: the stage table, lists with keyset pagination on the
 * (territory_id, id DESC), (territory_id, stage, id DESC) and
 * (territory_id, theme_id, id DESC) indexes, the detail page's data, and
 * creation with its links to needs and its activity row.
 */
#include "domain/initiative.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/neighbourhood.h"
#include "domain/row.h"
#include "domain/theme.h"
#include "domain/search.h"
#include "core/banned.h"

#define SUMMARY_EXCERPT_CHARS 240
#define SUMMARY_FETCHED 260 /* the substr() of the list query */
#define PAGE_MAX 100

const struct initiative_stage initiative_stages[] = {
	{ "idea", 1, "Idea", 1 },
	{ "improving", 2, "Improving", 1 },
	{ "project", 3, "Project", 1 },
	{ "supported", 4, "Supported", 1 },
	{ "realised", 5, "Realised", 1 },
	{ "archived", 6, "Archived", 0 },
	{ "merged", 7, "Merged", 0 },
};
const size_t initiative_stage_count = ARRAY_SIZE(initiative_stages);

static const struct {
	const char *code;
	const char *label;
} outcome_kinds[] = {
	{ "enterprise", "Enterprise" },
	{ "event", "Event" },
	{ "service", "Service" },
};

const struct initiative_stage *initiative_stage_find(const char *code)
{
	for (size_t i = 0; code && i < initiative_stage_count; i++)
		if (!strcmp(initiative_stages[i].code, code))
			return &initiative_stages[i];
	return NULL;
}

const char *initiative_outcome_label(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_SIZE(outcome_kinds); i++)
		if (!strcmp(outcome_kinds[i].code, code))
			return outcome_kinds[i].label;
	return NULL;
}

/* Columns read by initiative_row(), by position. */
#define INITIATIVE_COLUMNS                                                                \
	"SELECT i.id, i.title, i.summary, i.stage, i.outcome_kind,"        \
	" i.support_count, i.comment_count, i.created_at, t.slug, t.name, h.name,"         \
	" u.id, u.display_name, o.slug, o.name, i.body, i.updated_at"                      \
	" FROM initiatives i LEFT JOIN themes t ON t.id = i.theme_id"                      \
	" LEFT JOIN neighbourhoods h ON h.id = i.neighbourhood_id"                         \
	" LEFT JOIN users u ON u.id = i.author_id"                                         \
	" LEFT JOIN organisations o ON o.id = i.carrier_org_id"
/* The list leaves the body out and cuts the summary: a page never carries whole texts. */
#define INITIATIVE_LIST_COLUMNS                                                           \
	"SELECT i.id, i.title, substr(i.summary, 1, 260), i.stage, i.outcome_kind,"        \
	" i.support_count, i.comment_count, i.created_at, t.slug, t.name, h.name,"         \
	" u.id, u.display_name, o.slug, o.name"                                            \
	" FROM initiatives i LEFT JOIN themes t ON t.id = i.theme_id"                      \
	" LEFT JOIN neighbourhoods h ON h.id = i.neighbourhood_id"                         \
	" LEFT JOIN users u ON u.id = i.author_id"                                         \
	" LEFT JOIN organisations o ON o.id = i.carrier_org_id"
#define INITIATIVE_PAGE " AND i.id < ? ORDER BY i.id DESC LIMIT ?"

/* One statement per combination of filters, so each uses its index. Index: stage | theme << 1. */
static const char *const list_sql[4] = {
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ?" INITIATIVE_PAGE,
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ? AND i.stage = ?" INITIATIVE_PAGE,
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ? AND i.theme_id = ?" INITIATIVE_PAGE,
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ? AND i.stage = ? AND i.theme_id = ?"
				INITIATIVE_PAGE,
};

static const char carrier_sql[] =
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ? AND i.carrier_org_id = ?" INITIATIVE_PAGE;

/*
 * A need has a handful of ideas: look them up by need first (IN drives the
 * rowid lookups), rather than walking the newest initiatives until enough
 * answer it, which read a million rows for a need no idea answers.
 */
static const char need_sql[] =
	/* "+" keeps SQLite off the territory index, which it would otherwise prefer. */
	INITIATIVE_LIST_COLUMNS " WHERE +i.territory_id = ? AND i.id IN"
				" (SELECT initiative_id FROM initiative_needs WHERE need_id = ?)"
				INITIATIVE_PAGE;

static const char author_sql[] =
	INITIATIVE_LIST_COLUMNS " WHERE i.territory_id = ? AND i.author_id = ?" INITIATIVE_PAGE;

static json_t *initiative_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", row_int(st, 0), "title", row_string(st, 1),
			 "summary", row_excerpt(st, 2, SUMMARY_EXCERPT_CHARS, SUMMARY_FETCHED),
			 "stage", row_string(st, 3), "outcome_kind", row_string_or_null(st, 4),
			 "support_count", row_int(st, 5), "comment_count", row_int(st, 6),
			 "created_at", row_int(st, 7), "theme", row_slug_ref(st, 8, 9),
			 "neighbourhood", row_string_or_null(st, 10), "author", row_author(st, 11, 12),
			 "carrier", row_slug_ref(st, 13, 14));
}

static struct db_stmt *list_prepare(struct db *db, int64_t territory_id,
				    const struct initiative_filter *f, int limit)
{
	int which = (f->stage ? 1 : 0) | (f->theme_id ? 2 : 0);
	struct db_stmt *st = db_prepare(db, list_sql[which]);
	if (!st)
		return NULL;
	int idx = 1, rc = db_bind_int(st, idx++, territory_id);
	if (f->stage)
		rc |= db_bind_text(st, idx++, f->stage);
	if (f->theme_id)
		rc |= db_bind_int(st, idx++, f->theme_id);
	rc |= db_bind_int(st, idx++, f->before > 0 ? f->before : INT64_MAX);
	rc |= db_bind_int(st, idx, (int64_t)limit + 1);
	if (rc) {
		db_reset(st);
		return NULL;
	}
	return st;
}

static int clamp_limit(int limit)
{
	return limit < 1 ? 1 : limit > PAGE_MAX ? PAGE_MAX : limit;
}

/* Read a prepared, bound list statement into a page; one row past limit means a next page. */
static int collect_page(struct db_stmt *st, int limit, json_t **out)
{
	json_t *page = json_pack("{s:[], s:n}", "items", "next_before");
	json_t *items = json_object_get(page, "items");
	int step, n = 0;
	int64_t last_id = 0;
	for (step = db_step(st); step == DB_ROW; step = db_step(st), n++) {
		if (n == limit) {
			json_object_set_new(page, "next_before", json_integer(last_id));
			break;
		}
		last_id = db_col_int(st, 0);
		json_array_append_new(items, initiative_row(st));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(page);
		return -1;
	}
	*out = page;
	return 0;
}

int initiative_list(struct db *db, int64_t territory_id, const struct initiative_filter *f,
		    json_t **out)
{
	if (f->stage && !initiative_stage_find(f->stage))
		return error("initiative: unknown stage");
	int limit = clamp_limit(f->limit);
	struct db_stmt *st = list_prepare(db, territory_id, f, limit);
	return st ? collect_page(st, limit, out) : -1;
}

/* A page of the list statement sql, whose two parameters before the keyset are territory_id and id. */
static int list_by(struct db *db, const char *sql, int64_t territory_id, int64_t id, int limit,
		   json_t **out)
{
	limit = clamp_limit(limit);
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return -1;
	if (db_bind_int(st, 1, territory_id) || db_bind_int(st, 2, id) ||
	    db_bind_int(st, 3, INT64_MAX) || db_bind_int(st, 4, (int64_t)limit + 1)) {
		db_reset(st);
		return -1;
	}
	return collect_page(st, limit, out);
}

int initiative_list_by_carrier(struct db *db, int64_t territory_id, int64_t org_id, int limit,
			       json_t **out)
{
	return list_by(db, carrier_sql, territory_id, org_id, limit, out);
}

int initiative_list_by_need(struct db *db, int64_t territory_id, int64_t need_id, int limit,
			    json_t **out)
{
	return list_by(db, need_sql, territory_id, need_id, limit, out);
}

int initiative_list_by_author(struct db *db, int64_t territory_id, int64_t author_id, int limit,
			      json_t **out)
{
	return list_by(db, author_sql, territory_id, author_id, limit, out);
}

int initiative_stage_counts(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT stage, COUNT(*) FROM initiatives WHERE territory_id = ?"
				      " GROUP BY stage",
				      "i", territory_id);
	if (!st)
		return -1;
	json_t *counts = json_object();
	for (size_t i = 0; i < initiative_stage_count; i++)
		json_object_set_new(counts, initiative_stages[i].code, json_integer(0));
	for (; step == DB_ROW; step = db_step(st))
		if (initiative_stage_find(db_col_text(st, 0)))
			json_object_set_new(counts, db_col_text(st, 0), row_int(st, 1));
	db_reset(st);
	if (step < 0) {
		json_decref(counts);
		return -1;
	}
	*out = counts;
	return 0;
}

static int initiative_needs(struct db *db, int64_t id, json_t *needs)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT n.id, n.title FROM initiative_needs x"
				      " JOIN needs n ON n.id = x.need_id"
				      " WHERE x.initiative_id = ? ORDER BY n.id DESC LIMIT ?",
				      "ii", id, (int64_t)INITIATIVE_NEEDS_MAX);
	if (!st)
		return -1;
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(needs, json_pack("{s:o, s:o}", "id", row_int(st, 0), "title",
						       row_string(st, 1)));
	db_reset(st);
	return step < 0 ? -1 : 0;
}

int initiative_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      INITIATIVE_COLUMNS " WHERE i.id = ? AND i.territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *in = initiative_row(st);
	/* The detail shows the whole summary, not an excerpt. */
	json_object_set_new(in, "summary", row_string(st, 2));
	json_object_set_new(in, "body", row_string(st, 15));
	json_object_set_new(in, "updated_at", row_int(st, 16));
	db_reset(st);
	json_t *needs = json_array();
	json_object_set_new(in, "needs", needs);
	if (initiative_needs(db, id, needs)) {
		json_decref(in);
		return -1;
	}
	*out = in;
	return 0;
}

static int check_text(const char *what, const char *s, size_t max, int required)
{
	/* Limits count characters, as the forms state them. */
	size_t len = s ? utf8_chars(s) : 0;
	if (required && len == 0)
		return error("initiative: %s is empty", what);
	if (len > max)
		return error("initiative: %s longer than %zu characters", what, max);
	return 0;
}

static int check_refs(struct db *db, int64_t territory_id, const struct initiative_new *in)
{
	int64_t found;
	if (in->carrier_org_id &&
	    db_query_int(db, &found, "SELECT id FROM organisations WHERE id = ? AND territory_id = ?",
			 "ii", in->carrier_org_id, territory_id))
		return error("initiative: carrier %lld is not an organisation of the territory",
			     (long long)in->carrier_org_id);
	if (in->theme_id && theme_in_territory(db, territory_id, in->theme_id) != 1)
		return error("initiative: theme %lld is not the territory's", (long long)in->theme_id);
	if (in->neighbourhood_id &&
	    neighbourhood_in_territory(db, territory_id, in->neighbourhood_id) != 1)
		return error("initiative: neighbourhood %lld is not the territory's",
			     (long long)in->neighbourhood_id);
	return 0;
}

static int initiative_check(struct db *db, int64_t territory_id, const struct initiative_new *in)
{
	if (check_text("title", in->title, INITIATIVE_TITLE_MAX, 1) ||
	    check_text("summary", in->summary, INITIATIVE_SUMMARY_MAX, 0) ||
	    check_text("body", in->body, INITIATIVE_BODY_MAX, 0))
		return -1;
	if (in->stage && !initiative_stage_find(in->stage))
		return error("initiative: unknown stage \"%.32s\"", in->stage);
	if (in->outcome_kind && !initiative_outcome_label(in->outcome_kind))
		return error("initiative: unknown outcome \"%.32s\"", in->outcome_kind);
	if (in->n_needs > INITIATIVE_NEEDS_MAX)
		return error("initiative: answers more than %d needs", INITIATIVE_NEEDS_MAX);
	return check_refs(db, territory_id, in);
}

/* Link the initiative to a need of the same territory, and count it on the need. */
static int link_need(struct db *db, int64_t territory_id, int64_t id, int64_t need_id)
{
	int64_t found;
	if (db_query_int(db, &found,
			 "UPDATE needs SET idea_count = idea_count + 1"
			 " WHERE id = ? AND territory_id = ? RETURNING id",
			 "ii", need_id, territory_id))
		return error("initiative: need %lld is not the territory's", (long long)need_id);
	return db_execv(db, "INSERT INTO initiative_needs (initiative_id, need_id) VALUES (?, ?)",
			"ii", id, need_id);
}

static int record_create(struct db *db, int64_t territory_id, const struct initiative_new *in,
			 int64_t id, int64_t at)
{
	json_t *needs = json_array();
	for (size_t i = 0; i < in->n_needs; i++)
		json_array_append_new(needs, json_integer(in->need_ids[i]));
	json_t *details = json_pack("{s:s?, s:s, s:o}", "title", in->title, "stage",
				    in->stage ? in->stage : "idea", "needs", needs);
	char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
	int rc = activity_record_at(db, territory_id, in->author_id, "Create", "initiative", id,
				    NULL, 0, text, at);
	free(text);
	json_decref(details);
	return rc;
}

int initiative_insert(struct db *db, int64_t territory_id, const struct initiative_new *in,
		      int64_t *id)
{
	if (initiative_check(db, territory_id, in))
		return -1;
	int64_t at = in->created_at ? in->created_at : (int64_t)time(NULL);
	if (db_query_int(db, id,
			 "INSERT INTO initiatives (territory_id, author_id, carrier_org_id, title,"
			 " summary, body, stage, outcome_kind, theme_id, neighbourhood_id,"
			 " support_count, created_at, updated_at)"
			 " VALUES (?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?,"
			 " ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)"
			 " RETURNING id",
			 "iiitttttiiiii", territory_id, in->author_id, in->carrier_org_id, in->title,
			 in->summary ? in->summary : "", in->body ? in->body : "",
			 in->stage ? in->stage : "idea", in->outcome_kind, in->theme_id,
			 in->neighbourhood_id, in->support_count, at, at))
		return error("initiative: cannot insert \"%.60s\"", in->title);
	for (size_t i = 0; i < in->n_needs; i++)
		if (link_need(db, territory_id, *id, in->need_ids[i]))
			return -1;
	if (search_index_initiative(db, *id))
		return -1;
	return record_create(db, territory_id, in, *id, at);
}

int initiative_create(struct db *db, int64_t territory_id, const struct initiative_new *in,
		      int64_t *id)
{
	if (db_begin(db))
		return -1;
	if (initiative_insert(db, territory_id, in, id) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}
