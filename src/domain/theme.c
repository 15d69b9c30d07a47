/*
 * Themes: a short list per territory, read by every filter form, so the
 * queries here are small and use the (territory_id, slug) unique index.
 */
#include "domain/theme.h"

#include <string.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

#define THEME_LIST_MAX 200

static int slug_valid(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int theme_list(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, slug, name FROM themes WHERE territory_id = ?"
				      " ORDER BY name, id LIMIT ?",
				      "ii", territory_id, (int64_t)THEME_LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "id", row_int(st, 0),
						      "slug", row_string(st, 1), "name",
						      row_string(st, 2)));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int theme_find(struct db *db, int64_t territory_id, const char *slug, int64_t *id)
{
	return db_query_int(db, id, "SELECT id FROM themes WHERE territory_id = ? AND slug = ?",
			    "it", territory_id, slug);
}

int theme_in_territory(struct db *db, int64_t territory_id, int64_t id)
{
	int64_t found;
	int rc = db_query_int(db, &found, "SELECT id FROM themes WHERE id = ? AND territory_id = ?",
			      "ii", id, territory_id);
	return rc < 0 ? -1 : rc == 0;
}

int theme_insert(struct db *db, int64_t territory_id, const char *slug, const char *name,
		 int64_t *id)
{
	if (!slug_valid(slug, THEME_SLUG_MAX))
		return error("theme: bad slug \"%.64s\"", slug);
	if (!*name || strlen(name) > THEME_NAME_MAX)
		return error("theme %s: name empty or too long", slug);
	if (db_query_int(db, id,
			 "INSERT INTO themes (territory_id, slug, name) VALUES (?, ?, ?) RETURNING id",
			 "itt", territory_id, slug, name))
		return error("theme %s: cannot insert", slug);
	return activity_record(db, territory_id, 0, "Create", "theme", *id, NULL, 0, NULL);
}
