/*
 * The export is one table of parts, each a query on the person's id, so
 * that adding a table that names people means adding one row here (and
 * tests/unit/test_privacy.c fails until the users row's columns are all
 * exported). Erasure leans on the schema's foreign keys and cleans what
 * they cannot reach: rows that hold the address without pointing at the
 * account.
 */
#include "domain/privacy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "auth/ratelimit.h"
#include "auth/session.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/user.h"
#include "core/banned.h"

/*
 * One part of the export. types has one letter per column: 'i' integer,
 * 'n' integer or null, 't' text, 's' text or null, 'j' JSON text (the
 * activity log's details). The column names (SQL aliases) are the keys.
 * Each query has two parameters: the user id and the row limit.
 */
struct export_part {
	const char *key;
	const char *types;
	const char *sql;
	int scalar; /* one column: an array of values rather than of objects */
};

static const struct export_part account_part = {
	"account", "istttttinnni",
	"SELECT id, email, display_name, bio, neighbourhood, language, notify_frequency,"
	" terms_version, terms_accepted_at, email_confirmed_at, password_changed_at, created_at"
	" FROM users WHERE id = ? LIMIT ?",
	0,
};

static const struct export_part parts[] = {
	{ "skills", "t", "SELECT skill FROM user_skills WHERE user_id = ? ORDER BY skill LIMIT ?", 1 },
	{ "interests", "ttt",
	  "SELECT te.slug AS territory, t.slug AS slug, t.name AS name FROM user_interests x"
	  " JOIN themes t ON t.id = x.theme_id JOIN territories te ON te.id = t.territory_id"
	  " WHERE x.user_id = ? ORDER BY te.slug, t.name LIMIT ?", 0 },
	{ "roles", "tti",
	  "SELECT te.slug AS territory, r.role AS role, r.granted_at AS granted_at FROM roles r"
	  " JOIN territories te ON te.id = r.territory_id WHERE r.user_id = ? ORDER BY te.slug LIMIT ?",
	  0 },
	{ "organisations", "tttti",
	  "SELECT te.slug AS territory, o.slug AS slug, o.name AS name, m.role AS role,"
	  " m.joined_at AS joined_at FROM organisation_members m"
	  " JOIN organisations o ON o.id = m.organisation_id"
	  " JOIN territories te ON te.id = o.territory_id"
	  " WHERE m.user_id = ? ORDER BY te.slug, o.name LIMIT ?", 0 },
	{ "sessions", "iiitt",
	  "SELECT created_at, seen_at, expires_at, user_agent, ip FROM sessions"
	  " WHERE user_id = ? ORDER BY created_at DESC LIMIT ?", 0 },
	{ "email_tokens", "tsiin",
	  "SELECT purpose, new_email, created_at, expires_at, used_at FROM email_tokens"
	  " WHERE user_id = ? ORDER BY created_at DESC LIMIT ?", 0 },
	{ "follows", "tii",
	  "SELECT object_type, object_id, created_at FROM follows WHERE user_id = ?"
	  " ORDER BY created_at DESC LIMIT ?", 0 },
	{ "notifications", "iinssn",
	  "SELECT n.id AS id, n.created_at AS created_at, n.read_at AS read_at, a.verb AS verb,"
	  " a.object_type AS object_type, a.object_id AS object_id FROM notifications n"
	  " LEFT JOIN activities a ON a.id = n.activity_id WHERE n.user_id = ?"
	  " ORDER BY n.id DESC LIMIT ?", 0 },
	{ "needs", "itttii",
	  "SELECT n.id AS id, te.slug AS territory, n.title AS title, n.body AS body,"
	  " n.created_at AS created_at,"
	  " n.updated_at AS updated_at FROM needs n JOIN territories te ON te.id = n.territory_id"
	  " WHERE n.author_id = ? ORDER BY n.id DESC LIMIT ?", 0 },
	{ "initiatives", "ittttsii",
	  "SELECT i.id AS id, te.slug AS territory, i.title AS title, i.summary AS summary,"
	  " i.body AS body, i.stage AS stage, i.created_at AS created_at, i.updated_at AS updated_at"
	  " FROM initiatives i JOIN territories te ON te.id = i.territory_id"
	  " WHERE i.author_id = ? ORDER BY i.id DESC LIMIT ?", 0 },
	{ "activities", "isttnsnji",
	  "SELECT a.id AS id, te.slug AS territory, a.verb AS verb, a.object_type AS object_type,"
	  " a.object_id AS object_id, a.target_type AS target_type, a.target_id AS target_id,"
	  " a.details AS details, a.created_at AS created_at FROM activities a"
	  " LEFT JOIN territories te ON te.id = a.territory_id WHERE a.actor_id = ?"
	  " ORDER BY a.id DESC LIMIT ?", 0 },
	{ "mails", "tin",
	  "SELECT subject, created_at, sent_at FROM outbox WHERE user_id = ?"
	  " ORDER BY id DESC LIMIT ?", 0 },
};

static json_t *details_json(struct db_stmt *st, int col)
{
	json_t *v = json_loads(db_col_text(st, col), JSON_REJECT_DUPLICATES, NULL);
	return v ? v : row_string(st, col);
}

static json_t *column_json(struct db_stmt *st, int col, char type)
{
	switch (type) {
	case 'i':
		return row_int(st, col);
	case 'n':
		return db_col_is_null(st, col) ? json_null() : row_int(st, col);
	case 't':
		return row_string(st, col);
	case 's':
		return row_string_or_null(st, col);
	case 'j':
		return details_json(st, col);
	}
	BUG("privacy: unknown column type");
}

/* The current row as an object keyed by the columns' names. */
static json_t *row_object(struct db_stmt *st, const char *types)
{
	if ((size_t)db_column_count(st) != strlen(types))
		BUG("privacy: an export part's types do not match its columns");
	json_t *obj = json_object();
	for (int col = 0; types[col]; col++)
		json_object_set_new(obj, db_column_name(st, col), column_json(st, col, types[col]));
	return obj;
}

/* Run one part into *out (a new array); 1 when it was cut at the limit. -1 on error. */
static int export_rows(struct db *db, const struct export_part *p, int64_t user_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step, p->sql, "ii", user_id,
				      (int64_t)PRIVACY_ROWS_MAX + 1);
	if (!st)
		return -1;
	json_t *rows = json_array();
	int n = 0, cut = 0;
	for (; step == DB_ROW; step = db_step(st), n++) {
		if (n == PRIVACY_ROWS_MAX) {
			cut = 1;
			break;
		}
		json_array_append_new(rows, p->scalar ? column_json(st, 0, p->types[0])
						      : row_object(st, p->types));
	}
	db_reset(st);
	if (step < 0) {
		json_decref(rows);
		return -1;
	}
	*out = rows;
	return cut;
}

int privacy_export(struct db *db, int64_t user_id, json_t **out)
{
	json_t *account;
	if (export_rows(db, &account_part, user_id, &account) < 0)
		return -1;
	if (!json_array_size(account)) {
		json_decref(account);
		return 1;
	}
	json_t *doc = json_pack("{s:s, s:i, s:I, s:O, s:[]}", "format", "tremplin-personal-data",
				"version", 1, "exported_at", (json_int_t)time(NULL), "account",
				json_array_get(account, 0), "truncated");
	json_decref(account);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		json_t *rows;
		int rc = export_rows(db, &parts[i], user_id, &rows);
		if (rc < 0) {
			json_decref(doc);
			return -1;
		}
		if (rc > 0)
			json_array_append_new(json_object_get(doc, "truncated"),
					      json_string(parts[i].key));
		json_object_set_new(doc, parts[i].key, rows);
	}
	*out = doc;
	return 0;
}

int privacy_password_matches(struct db *db, int64_t user_id, const char *password)
{
	struct arena *a = arena_new();
	const char *hash;
	int rc = user_password_hash(db, a, user_id, &hash);
	if (rc == 0) {
		rc = password_verify(hash, password);
	} else if (rc > 0) {
		password_verify_dummy(password);
		rc = 0;
	}
	arena_free(a);
	return rc;
}

/*
 * What the foreign keys cannot reach: mail queued to the address without
 * the account's id, the details of log rows about the account (written by
 * sign-up, settings, role grants: the rows stay, with ids only), and the
 * rate-limit counters kept for the address.
 */
static int erase_unlinked(struct db *db, int64_t user_id, const char *email)
{
	if (db_execv(db,
		     "UPDATE activities SET details = '{}' WHERE object_type = 'user' AND object_id = ?",
		     "i", user_id) ||
	    db_execv(db,
		     "UPDATE activities SET details = '{}' WHERE target_type = 'user' AND target_id = ?",
		     "i", user_id))
		return -1;
	if (!*email)
		return 0;
	static const enum ratelimit_rule by_address[] = { RL_LOGIN_ACCOUNT, RL_RESET_ACCOUNT,
							  RL_MAIL_ACCOUNT };
	for (size_t i = 0; i < ARRAY_SIZE(by_address); i++)
		if (ratelimit_clear(db, by_address[i], email))
			return -1;
	return db_execv(db, "DELETE FROM outbox WHERE lower(to_address) = lower(?)", "t", email);
}

/*
 * The person's supports and "me too" go with the account (ON DELETE
 * CASCADE); the counters shown everywhere must go down with them.
 */
static int withdraw_signals(struct db *db, int64_t user_id)
{
	return db_execv(db,
			"UPDATE initiatives SET support_count = support_count - 1"
			" WHERE id IN (SELECT initiative_id FROM supports WHERE user_id = ?)"
			" AND support_count > 0",
			"i", user_id) ||
	       db_execv(db,
			"UPDATE needs SET metoo_count = metoo_count - 1"
			" WHERE id IN (SELECT need_id FROM need_metoos WHERE user_id = ?)"
			" AND metoo_count > 0",
			"i", user_id);
}

static int erase(struct db *db, int64_t user_id)
{
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT COALESCE(email, '') FROM users WHERE id = ?",
				      "i", user_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	char email[256];
	snprintf(email, sizeof(email), "%s", db_col_text(st, 0));
	db_reset(st);
	/* The schema's cascade would delete the sessions too; say it where it matters. */
	if (erase_unlinked(db, user_id, email) || session_destroy_all(db, user_id) ||
	    withdraw_signals(db, user_id) ||
	    db_execv(db, "DELETE FROM users WHERE id = ?", "i", user_id))
		return -1;
	/* No territory: an account belongs to the whole install. No actor: it is gone. */
	return activity_record(db, 0, 0, "Delete", "user", user_id, NULL, 0, NULL);
}

int privacy_delete_account(struct db *db, int64_t user_id)
{
	if (db_begin(db))
		return -1;
	int rc = erase(db, user_id);
	if (rc || db_commit(db)) {
		db_rollback(db);
		return rc > 0 ? 1 : -1;
	}
	return 0;
}
