/*
 * Neighbourhoods: a name per row, unique in its territory; kept apart from
 * themes because admins manage them apart and the map will group by them.
 */
#include "domain/neighbourhood.h"

#include <string.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "core/banned.h"

#define NEIGHBOURHOOD_LIST_MAX 200

int neighbourhood_list(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, name FROM neighbourhoods WHERE territory_id = ?"
				      " ORDER BY name, id LIMIT ?",
				      "ii", territory_id, (int64_t)NEIGHBOURHOOD_LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, json_pack("{s:o, s:o}", "id", row_int(st, 0), "name",
						      row_string(st, 1)));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int neighbourhood_find(struct db *db, int64_t territory_id, const char *name, int64_t *id)
{
	return db_query_int(db, id,
			    "SELECT id FROM neighbourhoods WHERE territory_id = ? AND name = ?", "it",
			    territory_id, name);
}

int neighbourhood_in_territory(struct db *db, int64_t territory_id, int64_t id)
{
	int64_t found;
	int rc = db_query_int(db, &found,
			      "SELECT id FROM neighbourhoods WHERE id = ? AND territory_id = ?", "ii",
			      id, territory_id);
	return rc < 0 ? -1 : rc == 0;
}

int neighbourhood_insert(struct db *db, int64_t territory_id, const char *name, int64_t *id)
{
	if (!*name || strlen(name) > NEIGHBOURHOOD_NAME_MAX)
		return error("neighbourhood: name empty or too long");
	if (db_query_int(db, id,
			 "INSERT INTO neighbourhoods (territory_id, name) VALUES (?, ?) RETURNING id",
			 "it", territory_id, name))
		return error("neighbourhood \"%s\": cannot insert", name);
	return activity_record(db, territory_id, 0, "Create", "neighbourhood", *id, NULL, 0, NULL);
}
