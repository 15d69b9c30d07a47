/*
 * Terms of use: a short table read at every log-in and sign-up. The
 * version is its primary key, so two admins publishing at once cannot both
 * get the same number (the second INSERT fails and rolls back).
 */
#include "domain/terms.h"

#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "core/banned.h"

int terms_current_version(struct db *db)
{
	int64_t v;
	int rc = db_query_int(db, &v, "SELECT COALESCE(MAX(version), 0) FROM terms", "");
	return rc < 0 ? -1 : rc > 0 ? 0 : (int)v;
}

int terms_current(struct db *db, struct arena *a, struct terms **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT version, body, published_at FROM terms "
				      "ORDER BY version DESC LIMIT 1",
				      "");
	if (!st)
		return -1;
	int rc = step == DB_ROW ? 0 : step < 0 ? -1 : 1;
	if (rc == 0) {
		struct terms *t = arena_calloc(a, 1, sizeof(*t));
		t->version = (int)db_col_int(st, 0);
		t->body = arena_strdup(a, db_col_text(st, 1));
		t->published_at = db_col_int(st, 2);
		*out = t;
	}
	db_reset(st);
	return rc;
}

int terms_publish(struct db *db, int64_t territory_id, int64_t actor_id, const char *body,
		  int *version)
{
	if (!body || !*body)
		return error("terms_publish: empty terms");
	int current = terms_current_version(db);
	if (current < 0)
		return -1;
	if (db_execv(db, "INSERT INTO terms (version, body, published_at) VALUES (?, ?, ?)", "iti",
		     (int64_t)current + 1, body, (int64_t)time(NULL)) < 0)
		return -1;
	if (activity_record(db, territory_id, actor_id, "Create", "terms", current + 1, NULL, 0,
			    NULL) < 0)
		return -1;
	*version = current + 1;
	return 0;
}

int terms_must_accept(struct db *db, int accepted)
{
	int current = terms_current_version(db);
	if (current < 0)
		return -1;
	return accepted < current;
}
