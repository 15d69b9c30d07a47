/*
 * Needs: lists with keyset pagination on the (territory_id, id DESC) index,
 * names joined in the list query so a page costs one statement, and
 * creation with its activity row.
 */
#include "domain/need.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/initiative.h"
#include "domain/neighbourhood.h"
#include "domain/row.h"
#include "domain/theme.h"
#include "domain/search.h"
#include "core/banned.h"

#define NEED_EXCERPT_CHARS 180
#define NEED_EXCERPT_FETCHED 240 /* the substr() of the list query */
#define NEED_IDEAS_MAX 50
#define PAGE_MAX 100

/* Columns shared by the list and detail queries; row_to_json() reads them by position. */
#define NEED_COLUMNS                                                                      \
	"SELECT n.id, n.title, n.body, n.metoo_count, n.idea_count, n.created_at,"         \
	" t.slug, t.name, h.name, u.id, u.display_name, n.lat, n.lng, n.updated_at"        \
	" FROM needs n LEFT JOIN themes t ON t.id = n.theme_id"                            \
	" LEFT JOIN neighbourhoods h ON h.id = n.neighbourhood_id"                         \
	" LEFT JOIN users u ON u.id = n.author_id"
/* The list reads only the start of each body: a page never carries whole texts. */
#define NEED_LIST_COLUMNS                                                                 \
	"SELECT n.id, n.title, substr(n.body, 1, 240), n.metoo_count, n.idea_count,"       \
	" n.created_at, t.slug, t.name, h.name, u.id, u.display_name"                      \
	" FROM needs n LEFT JOIN themes t ON t.id = n.theme_id"                            \
	" LEFT JOIN neighbourhoods h ON h.id = n.neighbourhood_id"                         \
	" LEFT JOIN users u ON u.id = n.author_id"
#define NEED_PAGE " AND n.id < ? ORDER BY n.id DESC LIMIT ?"

/* The fields a list item and the detail share. */
static json_t *need_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", row_int(st, 0), "title", row_string(st, 1),
			 "metoo_count", row_int(st, 3), "idea_count", row_int(st, 4),
			 "created_at", row_int(st, 5), "theme", row_slug_ref(st, 6, 7),
			 "neighbourhood", row_string_or_null(st, 8), "author", row_author(st, 9, 10),
			 "excerpt", row_excerpt(st, 2, NEED_EXCERPT_CHARS, NEED_EXCERPT_FETCHED));
}

/* Read rows into items; keep one more than limit only to learn there is a next page. */
static int collect_page(struct db_stmt *st, int step, int limit, json_t *page)
{
	json_t *items = json_object_get(page, "items");
	int64_t last_id = 0;
	int n = 0;
	for (; step == DB_ROW; step = db_step(st), n++) {
		if (n == limit) {
			json_object_set_new(page, "next_before", json_integer(last_id));
			break;
		}
		last_id = db_col_int(st, 0);
		json_array_append_new(items, need_row(st));
	}
	db_reset(st);
	return step < 0 ? -1 : 0;
}

int need_list(struct db *db, int64_t territory_id, const struct need_filter *f, json_t **out)
{
	int limit = f->limit < 1 ? 1 : f->limit > PAGE_MAX ? PAGE_MAX : f->limit;
	int64_t before = f->before > 0 ? f->before : INT64_MAX;
	int step;
	struct db_stmt *st;
	if (f->without_idea)
		st = db_query(db, &step,
			      NEED_LIST_COLUMNS " WHERE n.territory_id = ? AND n.idea_count = 0" NEED_PAGE,
			      "iii", territory_id, before, (int64_t)limit + 1);
	else
		st = db_query(db, &step, NEED_LIST_COLUMNS " WHERE n.territory_id = ?" NEED_PAGE,
			      "iii", territory_id, before, (int64_t)limit + 1);
	if (!st)
		return -1;
	json_t *page = json_pack("{s:[], s:n}", "items", "next_before");
	if (collect_page(st, step, limit, page)) {
		json_decref(page);
		return -1;
	}
	*out = page;
	return 0;
}

int need_list_by_author(struct db *db, int64_t territory_id, int64_t author_id, int limit,
			json_t **out)
{
	limit = limit < 1 ? 1 : limit > PAGE_MAX ? PAGE_MAX : limit;
	int step;
	struct db_stmt *st = db_query(db, &step,
				      NEED_LIST_COLUMNS " WHERE n.territory_id = ? AND n.author_id = ?"
				      NEED_PAGE,
				      "iiii", territory_id, author_id, INT64_MAX, (int64_t)limit + 1);
	if (!st)
		return -1;
	json_t *page = json_pack("{s:[], s:n}", "items", "next_before");
	if (collect_page(st, step, limit, page)) {
		json_decref(page);
		return -1;
	}
	*out = page;
	return 0;
}

int need_counts(struct db *db, int64_t territory_id, int64_t *total, int64_t *without_idea)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT COUNT(*),"
				      " COALESCE(SUM(CASE WHEN idea_count = 0 THEN 1 ELSE 0 END), 0)"
				      " FROM needs WHERE territory_id = ?",
				      "i", territory_id);
	if (!st)
		return -1;
	if (step == DB_ROW) {
		*total = db_col_int(st, 0);
		*without_idea = db_col_int(st, 1);
	}
	db_reset(st);
	return step == DB_ROW ? 0 : -1;
}

int need_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      NEED_COLUMNS " WHERE n.id = ? AND n.territory_id = ?", "ii",
				      id, territory_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *need = need_row(st);
	json_object_del(need, "excerpt");
	json_object_set_new(need, "body", row_string(st, 2));
	json_object_set_new(need, "lat", row_real_or_null(st, 11));
	json_object_set_new(need, "lng", row_real_or_null(st, 12));
	json_object_set_new(need, "updated_at", row_int(st, 13));
	db_reset(st);
	json_t *ideas;
	if (initiative_list_by_need(db, territory_id, id, NEED_IDEAS_MAX, &ideas)) {
		json_decref(need);
		return -1;
	}
	json_object_set(need, "ideas", json_object_get(ideas, "items"));
	json_decref(ideas);
	*out = need;
	return 0;
}

int need_in_territory(struct db *db, int64_t territory_id, int64_t id)
{
	int64_t found;
	int rc = db_query_int(db, &found, "SELECT id FROM needs WHERE id = ? AND territory_id = ?",
			      "ii", id, territory_id);
	return rc < 0 ? -1 : rc == 0;
}

static int need_check(struct db *db, int64_t territory_id, const struct need_new *n)
{
	/* Limits count characters, as the forms state them; the web layer checked UTF-8. */
	size_t title_len = n->title ? utf8_chars(n->title) : 0;
	if (title_len == 0 || title_len > NEED_TITLE_MAX)
		return error("need: title empty or longer than %d characters", NEED_TITLE_MAX);
	if (n->body && utf8_chars(n->body) > NEED_BODY_MAX)
		return error("need: body longer than %d characters", NEED_BODY_MAX);
	if (n->has_location && (n->lat < -90 || n->lat > 90 || n->lng < -180 || n->lng > 180))
		return error("need: location out of range");
	if (n->theme_id && theme_in_territory(db, territory_id, n->theme_id) != 1)
		return error("need: theme %lld is not the territory's", (long long)n->theme_id);
	if (n->neighbourhood_id &&
	    neighbourhood_in_territory(db, territory_id, n->neighbourhood_id) != 1)
		return error("need: neighbourhood %lld is not the territory's",
			     (long long)n->neighbourhood_id);
	return 0;
}

/*
 * Coordinates travel as text cast in SQL (db.h binds no doubles); "%.7f" is
 * about a centimetre, and the C locale is kept, so the decimal point is '.'.
 */
static void coord_text(char *out, size_t size, int has, double v)
{
	if (has)
		snprintf(out, size, "%.7f", v);
	else
		out[0] = '\0';
}

int need_insert(struct db *db, int64_t territory_id, const struct need_new *n, int64_t *id)
{
	if (need_check(db, territory_id, n))
		return -1;
	int64_t at = n->created_at ? n->created_at : (int64_t)time(NULL);
	char lat[32], lng[32];
	coord_text(lat, sizeof(lat), n->has_location, n->lat);
	coord_text(lng, sizeof(lng), n->has_location, n->lng);
	if (db_query_int(db, id,
			 "INSERT INTO needs (territory_id, author_id, title, body, theme_id,"
			 " neighbourhood_id, lat, lng, metoo_count, created_at, updated_at)"
			 " VALUES (?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
			 " NULLIF(CAST(? AS BIGINT), 0), CAST(NULLIF(?, '') AS DOUBLE PRECISION),"
			 " CAST(NULLIF(?, '') AS DOUBLE PRECISION), ?, ?, ?) RETURNING id",
			 "iittiittiii", territory_id, n->author_id, n->title, n->body ? n->body : "",
			 n->theme_id, n->neighbourhood_id, lat, lng, n->metoo_count, at, at))
		return error("need: cannot insert \"%.60s\"", n->title);
	if (search_index_need(db, *id))
		return -1;
	json_t *details = json_pack("{s:s}", "title", n->title);
	char *text = json_dumps(details, JSON_COMPACT);
	int rc = activity_record_at(db, territory_id, n->author_id, "Create", "need", *id, NULL, 0,
				    text, at);
	free(text);
	json_decref(details);
	return rc;
}

int need_create(struct db *db, int64_t territory_id, const struct need_new *n, int64_t *id)
{
	if (db_begin(db))
		return -1;
	if (need_insert(db, territory_id, n, id) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}
