/*
 * People's accounts. A deleted account's row is deleted: what it wrote
 * stays, with author_id set to NULL, and nothing personal remains.
 */
#include "domain/user.h"

#include <string.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

int user_get(struct db *db, struct arena *a, int64_t id, struct user **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, COALESCE(email, ''), display_name, language, "
				      "email_confirmed_at IS NOT NULL, terms_version, "
				      "COALESCE(password_changed_at, 0) FROM users WHERE id = ?",
				      "i", id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step < 0 ? -1 : 1;
	}
	struct user *u = arena_calloc(a, 1, sizeof(*u));
	u->id = db_col_int(st, 0);
	u->email = arena_strdup(a, db_col_text(st, 1));
	u->display_name = arena_strdup(a, db_col_text(st, 2));
	u->language = arena_strdup(a, db_col_text(st, 3));
	u->confirmed = (int)db_col_int(st, 4);
	u->terms_version = (int)db_col_int(st, 5);
	u->password_changed_at = db_col_int(st, 6);
	db_reset(st);
	*out = u;
	return 0;
}

int user_role(struct db *db, const struct user *u, int64_t territory_id)
{
	if (!u->confirmed)
		return ROLE_UNCONFIRMED;
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT role FROM roles WHERE territory_id = ? AND user_id = ?",
				      "ii", territory_id, u->id);
	if (!st)
		return -1;
	int role = ROLE_MEMBER;
	if (step == DB_ROW) {
		int r = role_from_name(db_col_text(st, 0));
		role = r < 0 ? ROLE_MEMBER : r;
	}
	db_reset(st);
	return step < 0 ? -1 : role;
}
