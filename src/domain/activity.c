/*
 * One INSERT per write, kept apart so that every domain module records its
 * changes the same way and the log's shape is decided in one place.
 */
#include "domain/activity.h"

#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

/*
 * Verbs and types come from code, not from visitors: a bad one is a bug to
 * log, not a 400. Ids of 0 are stored as NULL (no actor, no target).
 */
#define NAME_MAX_LEN 64
#define DETAILS_MAX_LEN 8192

static int name_ok(const char *s)
{
	return s && *s && strlen(s) <= NAME_MAX_LEN;
}

int activity_record_at(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		       const char *object_type, int64_t object_id, const char *target_type,
		       int64_t target_id, const char *details_json, int64_t at)
{
	if (!name_ok(verb) || !name_ok(object_type) || (target_type && !name_ok(target_type)))
		return error("activity: bad verb or object type");
	if (!details_json)
		details_json = "{}";
	if (details_json[0] != '{' || strlen(details_json) > DETAILS_MAX_LEN)
		return error("activity: details must be a JSON object of at most %d bytes",
			     DETAILS_MAX_LEN);
	return db_execv(db,
			"INSERT INTO activities (territory_id, actor_id, verb, object_type, object_id,"
			" target_type, target_id, details, created_at)"
			" VALUES (NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?,"
			" NULLIF(CAST(? AS BIGINT), 0), ?, ?)",
			"iittititi", territory_id, actor_id,
			verb, object_type, object_id,
			target_type, target_type ? target_id : (int64_t)0, details_json, at);
}

int activity_record(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		    const char *object_type, int64_t object_id, const char *target_type,
		    int64_t target_id, const char *details_json)
{
	return activity_record_at(db, territory_id, actor_id, verb, object_type, object_id,
				  target_type, target_id, details_json, (int64_t)time(NULL));
}
