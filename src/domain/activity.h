/*
 * The activity log: every write records one row saying who did what to
 * which object, in the same transaction as the write itself (DESIGN.md,
 * "Every change is an activity"). Timelines, feeds, notifications and the
 * animators' dashboard read this one log instead of each keeping its own.
 */
#ifndef DOMAIN_ACTIVITY_H
#define DOMAIN_ACTIVITY_H

#include <stdint.h>

struct db;

/*
 * Record one activity now. verb is an ActivityStreams verb ("Create",
 * "Update", "Move"...); object_type names a table's entity ("need",
 * "initiative", "organisation"). An id of 0 (territory, actor, target),
 * target_type NULL (target_id then ignored) and details_json NULL ("{}")
 * mean none. details_json must be
 * a JSON object. The caller holds the transaction of the write it records.
 * 0 or -1 (logged).
 */
int activity_record(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		    const char *object_type, int64_t object_id, const char *target_type,
		    int64_t target_id, const char *details_json);

/* The same, dated `at` (Unix seconds) instead of now: imports and demo data. */
int activity_record_at(struct db *db, int64_t territory_id, int64_t actor_id, const char *verb,
		       const char *object_type, int64_t object_id, const char *target_type,
		       int64_t target_id, const char *details_json, int64_t at);

#endif
