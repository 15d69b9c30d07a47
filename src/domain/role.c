/*
 * Role changes run in one transaction that first locks the territory's
 * admin rows (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
 * lets one writer in at a time). Two admins demoting each other at the same
 * moment are thus counted one after the other, and the second is refused:
 * the "last admin" rule holds under concurrency, not only in tests.
 */
#include "domain/role.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/user.h"
#include "core/banned.h"

static int role_grantable(enum role role)
{
	return role == ROLE_MEMBER || role == ROLE_ANIMATOR || role == ROLE_ADMIN;
}

/* Lock the admin rows of the territory and count them. -1 on error. */
static int64_t lock_admins(struct db *db, int64_t territory_id)
{
	const char *sql = db_kind(db) == DB_POSTGRES
				  ? "SELECT user_id FROM roles WHERE territory_id = ? AND role = 'admin'"
				    " ORDER BY user_id FOR UPDATE"
				  : "SELECT user_id FROM roles WHERE territory_id = ? AND role = 'admin'";
	int step;
	struct db_stmt *st = db_query(db, &step, sql, "i", territory_id);
	if (!st)
		return -1;
	int64_t n = 0;
	for (; step == DB_ROW; step = db_step(st))
		n++;
	db_reset(st);
	return step < 0 ? -1 : n;
}

/* The role row of user_id in the territory: its enum role, 0 without a row, -1 on error. */
static int current_row_role(struct db *db, int64_t territory_id, int64_t user_id)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT role FROM roles WHERE territory_id = ? AND user_id = ?",
				      "ii", territory_id, user_id);
	if (!st)
		return -1;
	int role = 0;
	if (step == DB_ROW) {
		int r = role_from_name(db_col_text(st, 0));
		role = r < 0 ? ROLE_MEMBER : r;
	}
	db_reset(st);
	return step < 0 ? -1 : role;
}

static int account_exists(struct db *db, int64_t user_id)
{
	int64_t one;
	return db_query_int(db, &one, "SELECT 1 FROM users WHERE id = ?", "i", user_id);
}

static int record(struct db *db, int64_t territory_id, int64_t actor, const char *verb,
		  int64_t user_id, const char *role, const char *previous)
{
	json_t *details = json_pack("{s:s, s:s?}", "role", role, "previous", previous);
	char *text = json_dumps(details, JSON_COMPACT);
	int rc = activity_record(db, territory_id, actor, verb, "role", user_id, "user", user_id,
				 text);
	free(text);
	json_decref(details);
	return rc;
}

/*
 * The change itself, in the caller's transaction: new_role 0 removes the
 * row. 0, a positive enum role_refusal, or -1.
 */
static int change_in_tx(struct db *db, int64_t territory_id, int64_t user_id, int new_role,
			int64_t actor)
{
	int64_t admins = lock_admins(db, territory_id);
	if (admins < 0)
		return -1;
	int exists = account_exists(db, user_id);
	if (exists)
		return exists < 0 ? -1 : ROLE_REFUSED_NO_ACCOUNT;
	int old = current_row_role(db, territory_id, user_id);
	if (old < 0)
		return -1;
	if (old == new_role)
		return 0;
	if (old == ROLE_ADMIN && admins <= 1)
		return ROLE_REFUSED_LAST_ADMIN;
	const char *previous = old ? role_name(old) : NULL;
	if (!new_role) {
		if (db_execv(db, "DELETE FROM roles WHERE territory_id = ? AND user_id = ?", "ii",
			     territory_id, user_id) < 0)
			return -1;
		return record(db, territory_id, actor, "Remove", user_id, previous, NULL);
	}
	if (db_execv(db,
		     "INSERT INTO roles (territory_id, user_id, role, granted_by, granted_at)"
		     " VALUES (?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?)"
		     " ON CONFLICT (territory_id, user_id) DO UPDATE SET role = excluded.role,"
		     " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
		     "iitii", territory_id, user_id, role_name(new_role), actor,
		     (int64_t)time(NULL)) < 0)
		return -1;
	return record(db, territory_id, actor, "Add", user_id, role_name(new_role), previous);
}

/* change_in_tx() in its own transaction, committed only when it did its work. */
static int change(struct db *db, int64_t territory_id, int64_t user_id, int new_role, int64_t actor)
{
	if (db_begin(db) < 0)
		return -1;
	int rc = change_in_tx(db, territory_id, user_id, new_role, actor);
	if (rc != 0 || db_commit(db) < 0) {
		db_rollback(db);
		return rc > 0 ? rc : -1;
	}
	return 0;
}

int role_grant(struct db *db, int64_t territory_id, int64_t user_id, enum role role,
	       int64_t granted_by)
{
	if (!role_grantable(role))
		return ROLE_REFUSED_BAD_ROLE;
	return change(db, territory_id, user_id, role, granted_by);
}

int role_revoke(struct db *db, int64_t territory_id, int64_t user_id, int64_t revoked_by)
{
	return change(db, territory_id, user_id, 0, revoked_by);
}

int64_t role_admin_count(struct db *db, int64_t territory_id)
{
	int64_t n;
	if (db_query_int(db, &n, "SELECT COUNT(*) FROM roles WHERE territory_id = ? AND role = 'admin'",
			 "i", territory_id))
		return -1;
	return n;
}

static int clamp_limit(int limit)
{
	return limit <= 0 || limit > ROLE_PAGE_MAX ? ROLE_PAGE_MAX : limit;
}

/*
 * Read a page of rows whose first column is the id, into {"items",
 * "next_before"}: the query asked for limit + 1 rows, the extra one only
 * says that a next page exists. build makes one item from a row.
 */
static int read_page(struct db_stmt *st, int step, int limit, json_t *(*build)(struct db_stmt *),
		     json_t **out)
{
	if (!st)
		return -1;
	json_t *items = json_array();
	int64_t last = 0;
	int more = 0;
	for (; step == DB_ROW; step = db_step(st)) {
		if ((int)json_array_size(items) == limit) {
			more = 1;
			break;
		}
		last = db_col_int(st, 0);
		json_array_append_new(items, build(st));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(items);
		return -1;
	}
	*out = json_pack("{s:o, s:o}", "items", items, "next_before",
			 more ? json_integer(last) : json_null());
	return 0;
}

static json_t *role_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "id", row_int(st, 0), "display_name",
			 row_string(st, 1), "role", row_string(st, 2), "granted_at", row_int(st, 3));
}

int role_list(struct db *db, int64_t territory_id, const struct role_filter *f, json_t **out)
{
	int limit = clamp_limit(f->limit);
	int64_t before = f->before > 0 ? f->before : INT64_MAX;
	int step;
	struct db_stmt *st;
	if (f->role)
		st = db_query(db, &step,
			      "SELECT r.user_id, u.display_name, r.role, r.granted_at FROM roles r"
			      " JOIN users u ON u.id = r.user_id WHERE r.territory_id = ?"
			      " AND r.role = ? AND r.user_id < ? ORDER BY r.user_id DESC LIMIT ?",
			      "itii", territory_id, f->role, before, (int64_t)limit + 1);
	else
		st = db_query(db, &step,
			      "SELECT r.user_id, u.display_name, r.role, r.granted_at FROM roles r"
			      " JOIN users u ON u.id = r.user_id WHERE r.territory_id = ?"
			      " AND r.user_id < ? ORDER BY r.user_id DESC LIMIT ?",
			      "iii", territory_id, before, (int64_t)limit + 1);
	return read_page(st, step, limit, role_row, out);
}

/* ASCII lower case: what LOWER() does on both backends for the characters that matter. */
static void lower_ascii(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addch(b, *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s);
}

/* "%query%" for LIKE, query trimmed, with %, _ and the escape character itself escaped. */
static void like_pattern(struct buf *b, const char *query)
{
	struct buf low = BUF_INIT;
	lower_ascii(&low, query + strspn(query, " \t"));
	while (low.len && (low.ptr[low.len - 1] == ' ' || low.ptr[low.len - 1] == '\t'))
		buf_setlen(&low, low.len - 1);
	buf_addch(b, '%');
	for (const char *p = low.ptr; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addch(b, '\\');
		buf_addch(b, *p);
	}
	buf_addch(b, '%');
	buf_release(&low);
}

static json_t *person_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:s}", "id", row_int(st, 0), "display_name", row_string(st, 1),
			 "role", db_col_int(st, 2) ? db_col_text(st, 3) : "unconfirmed");
}

int role_search_people(struct db *db, int64_t territory_id, const char *query, int64_t before,
		       int limit, json_t **out)
{
	limit = clamp_limit(limit);
	struct buf pattern = BUF_INIT;
	like_pattern(&pattern, query);
	struct arena *a = arena_new();
	const char *email = user_email_normalise(a, query);
	int step;
	struct db_stmt *st = db_query(
		db, &step,
		"SELECT u.id, u.display_name, CASE WHEN u.email_confirmed_at IS NULL THEN 0 ELSE 1 END,"
		" COALESCE(r.role, 'member') FROM users u"
		" LEFT JOIN roles r ON r.user_id = u.id AND r.territory_id = ?"
		" WHERE (LOWER(u.display_name) LIKE ? ESCAPE '\\' OR u.email = ?)"
		" AND u.id < ? ORDER BY u.id DESC LIMIT ?",
		"ittii", territory_id, pattern.ptr, email, before > 0 ? before : INT64_MAX,
		(int64_t)limit + 1);
	int rc = read_page(st, step, limit, person_row, out);
	buf_release(&pattern);
	arena_free(a);
	return rc;
}

int role_find_account(struct db *db, const char *email, int64_t *user_id)
{
	struct arena *a = arena_new();
	const char *e = user_email_normalise(a, email);
	int rc = *e ? db_query_int(db, user_id, "SELECT id FROM users WHERE email = ?", "t", e) : 1;
	arena_free(a);
	return rc;
}

int role_bootstrap_admin(struct db *db, int64_t territory_id, const char *email,
			 const char *display_name, const char *password_hash, int64_t *user_id,
			 int *created)
{
	*created = 0;
	if (db_begin(db) < 0)
		return -1;
	int rc = role_find_account(db, email, user_id);
	if (rc > 0) {
		rc = user_create(db, territory_id, email, display_name, password_hash, "fr", 0, user_id);
		if (rc == 0)
			rc = user_confirm(db, territory_id, *user_id);
		*created = rc == 0;
	}
	if (rc == 0 && territory_id)
		rc = change_in_tx(db, territory_id, *user_id, ROLE_ADMIN, 0);
	if (rc != 0 || db_commit(db) < 0) {
		db_rollback(db);
		*created = 0;
		return -1;
	}
	return 0;
}
