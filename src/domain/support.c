/*
 * Signals as one table: each kind names its statements, so adding one
 * (a "like" on a comment, say) is a row, not a new code path. The insert is
 * INSERT ... ON CONFLICT DO NOTHING RETURNING, the delete DELETE ...
 * RETURNING: a returned row is the proof that this request changed
 * something, and only then does the counter move and the activity get
 * written. On PostgreSQL a concurrent insert of the same key waits for the
 * first to commit and then does nothing; on SQLite writers queue (BEGIN
 * IMMEDIATE). Either way one row, one increment.
 */
#include "domain/support.h"

#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "core/banned.h"

struct signal {
	const char *object_type; /* "need" | "initiative" (activities, follows) */
	const char *verb; /* ActivityStreams verb of giving it */
	const char *exists_sql; /* (id, territory_id): the object is the territory's */
	/*
	 * Scoped signals (with a counter) insert (territory_id, object_id,
	 * user_id, created_at); follows insert (user_id, object_id, created_at).
	 */
	const char *insert_sql;
	const char *delete_sql; /* (object_id, user_id) RETURNING a column */
	const char *given_sql; /* (object_id, user_id) */
	const char *count_sql; /* (object_id) */
	const char *up_sql; /* (object_id), NULL when no counter */
	const char *down_sql;
};

#define INITIATIVE_EXISTS "SELECT id FROM initiatives WHERE id = ? AND territory_id = ?"
#define NEED_EXISTS "SELECT id FROM needs WHERE id = ? AND territory_id = ?"

static const struct signal signals[SIGNAL__COUNT] = {
	[SIGNAL_SUPPORT] = {
		"initiative", "Like", INITIATIVE_EXISTS,
		"INSERT INTO supports (territory_id, initiative_id, user_id, created_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
		"DELETE FROM supports WHERE initiative_id = ? AND user_id = ? RETURNING user_id",
		"SELECT user_id FROM supports WHERE initiative_id = ? AND user_id = ?",
		"SELECT COUNT(*) FROM supports WHERE initiative_id = ?",
		"UPDATE initiatives SET support_count = support_count + 1 WHERE id = ?",
		"UPDATE initiatives SET support_count = CASE WHEN support_count > 0"
		" THEN support_count - 1 ELSE 0 END WHERE id = ?",
	},
	[SIGNAL_METOO] = {
		"need", "Like", NEED_EXISTS,
		"INSERT INTO need_metoos (territory_id, need_id, user_id, created_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
		"DELETE FROM need_metoos WHERE need_id = ? AND user_id = ? RETURNING user_id",
		"SELECT user_id FROM need_metoos WHERE need_id = ? AND user_id = ?",
		"SELECT COUNT(*) FROM need_metoos WHERE need_id = ?",
		"UPDATE needs SET metoo_count = metoo_count + 1 WHERE id = ?",
		"UPDATE needs SET metoo_count = CASE WHEN metoo_count > 0"
		" THEN metoo_count - 1 ELSE 0 END WHERE id = ?",
	},
	[SIGNAL_FOLLOW_INITIATIVE] = {
		"initiative", "Follow", INITIATIVE_EXISTS,
		"INSERT INTO follows (user_id, object_type, object_id, created_at)"
		" VALUES (?, 'initiative', ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
		"DELETE FROM follows WHERE object_type = 'initiative' AND object_id = ? AND user_id = ?"
		" RETURNING user_id",
		"SELECT user_id FROM follows WHERE object_type = 'initiative' AND object_id = ?"
		" AND user_id = ?",
		"SELECT COUNT(*) FROM follows WHERE object_type = 'initiative' AND object_id = ?",
		NULL, NULL,
	},
	[SIGNAL_FOLLOW_NEED] = {
		"need", "Follow", NEED_EXISTS,
		"INSERT INTO follows (user_id, object_type, object_id, created_at)"
		" VALUES (?, 'need', ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
		"DELETE FROM follows WHERE object_type = 'need' AND object_id = ? AND user_id = ?"
		" RETURNING user_id",
		"SELECT user_id FROM follows WHERE object_type = 'need' AND object_id = ? AND user_id = ?",
		"SELECT COUNT(*) FROM follows WHERE object_type = 'need' AND object_id = ?",
		NULL, NULL,
	},
};

/* Add or remove the row: 0 with *changed, or -1. */
static int write_row(struct db *db, const struct signal *s, int64_t territory_id,
		     int64_t object_id, int64_t user_id, int on, int *changed)
{
	int64_t who;
	int rc;
	if (!on)
		rc = db_query_int(db, &who, s->delete_sql, "ii", object_id, user_id);
	else if (s->up_sql)
		rc = db_query_int(db, &who, s->insert_sql, "iiii", territory_id, object_id, user_id,
				  (int64_t)time(NULL));
	else
		rc = db_query_int(db, &who, s->insert_sql, "iii", user_id, object_id,
				  (int64_t)time(NULL));
	if (rc < 0)
		return -1;
	*changed = rc == 0;
	return 0;
}

static int record(struct db *db, const struct signal *s, int64_t territory_id,
		  int64_t object_id, int64_t user_id, int on)
{
	if (on)
		return activity_record(db, territory_id, user_id, s->verb, s->object_type, object_id,
				       NULL, 0, NULL);
	const char *details = s->verb[0] == 'L' ? "{\"undo\":\"Like\"}" : "{\"undo\":\"Follow\"}";
	return activity_record(db, territory_id, user_id, "Undo", s->object_type, object_id, NULL,
			       0, details);
}

/* The steps inside the transaction: 0, 1 (no such object), -1. */
static int apply(struct db *db, const struct signal *s, int64_t territory_id, int64_t object_id,
		 int64_t user_id, int on, int *changed)
{
	int64_t found;
	int rc = db_query_int(db, &found, s->exists_sql, "ii", object_id, territory_id);
	if (rc)
		return rc;
	if (write_row(db, s, territory_id, object_id, user_id, on, changed))
		return -1;
	if (!*changed)
		return 0;
	if (s->up_sql && db_execv(db, on ? s->up_sql : s->down_sql, "i", object_id))
		return -1;
	return record(db, s, territory_id, object_id, user_id, on);
}

int signal_set(struct db *db, enum signal_kind kind, int64_t territory_id, int64_t object_id,
	       int64_t user_id, int on, int *changed)
{
	if ((unsigned)kind >= SIGNAL__COUNT || user_id <= 0)
		return error("signal: bad kind or person");
	int dummy;
	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (db_begin(db))
		return -1;
	int rc = apply(db, &signals[kind], territory_id, object_id, user_id, on, changed);
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	*changed = 0;
	return rc > 0 ? 1 : -1;
}

int signal_given(struct db *db, enum signal_kind kind, int64_t object_id, int64_t user_id)
{
	if ((unsigned)kind >= SIGNAL__COUNT)
		return -1;
	int64_t who;
	int rc = db_query_int(db, &who, signals[kind].given_sql, "ii", object_id, user_id);
	return rc < 0 ? -1 : rc == 0;
}

int signal_count(struct db *db, enum signal_kind kind, int64_t object_id, int64_t *n)
{
	if ((unsigned)kind >= SIGNAL__COUNT)
		return -1;
	return db_query_int(db, n, signals[kind].count_sql, "i", object_id) ? -1 : 0;
}
