/*
 * People's accounts. A deleted account's row is deleted: what it wrote
 * stays, with author_id set to NULL, and nothing personal remains.
 * Activity rows name the account and the kind of change, never the address
 * or the name: the log outlives an account's deletion.
 */
#include "domain/user.h"

#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "core/mem.h"
#include "core/smtp.h"
#include "db/db.h"
#include "domain/activity.h"
#include "core/banned.h"

static const char *const languages[] = { "fr", "en" };
static const char *const frequencies[] = { "none", "each", "daily", "weekly" };

int user_get(struct db *db, struct arena *a, int64_t id, struct user **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, COALESCE(email, ''), display_name, language, "
				      "email_confirmed_at IS NOT NULL, terms_version, "
				      "COALESCE(password_changed_at, 0), notify_frequency "
				      "FROM users WHERE id = ?",
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
	u->notify_frequency = arena_strdup(a, db_col_text(st, 7));
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

/* ---- Checks ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *user_email_normalise(struct arena *a, const char *email)
{
	if (!email)
		return arena_strdup(a, "");
	while (is_blank(*email))
		email++;
	size_t len = strlen(email);
	while (len && is_blank(email[len - 1]))
		len--;
	char *out = arena_strndup(a, email, len);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

int user_email_valid(const char *e)
{
	if (!e || !*e || strlen(e) > USER_EMAIL_MAX)
		return 0;
	/* A domain with a dot: people sign up from the Internet, not from localhost. */
	const char *at = strrchr(e, '@');
	const char *dot = at ? strrchr(at, '.') : NULL;
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return 0;
	/* And what the mail sender accepts, so a sign-up never fails at send time. */
	return smtp_address_ok(e);
}

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int user_language_valid(const char *language)
{
	return in_list(language, languages, ARRAY_SIZE(languages));
}

int user_notify_frequency_valid(const char *frequency)
{
	return in_list(frequency, frequencies, ARRAY_SIZE(frequencies));
}

/* Characters, not bytes: limits are stated to people in characters. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static const char *name_problem(const char *name)
{
	if (!name || name[strspn(name, " \t\r\n")] == '\0')
		return "Please enter the name others will see.";
	if (utf8_chars(name) > USER_NAME_MAX)
		return "This name is too long (80 characters at most).";
	if (has_control(name))
		return "This name contains characters that are not allowed.";
	return NULL;
}

json_t *user_validate_signup(const char *email, const char *display_name, const char *password)
{
	json_t *errors = json_object();
	struct arena *a = arena_new();
	const char *e = user_email_normalise(a, email);
	if (!*e)
		json_object_set_new(errors, "email", json_string("Please enter your e-mail address."));
	else if (!user_email_valid(e))
		json_object_set_new(errors, "email", json_string("This e-mail address does not look valid."));
	const char *np = name_problem(display_name);
	if (np)
		json_object_set_new(errors, "display_name", json_string(np));
	const char *pp = password && *password ? password_check(password, e, display_name)
					       : "Please choose a password.";
	if (pp)
		json_object_set_new(errors, "password", json_string(pp));
	arena_free(a);
	return errors;
}

/* ---- Reading ---- */

int user_find_by_email(struct db *db, struct arena *a, const char *email, struct user **out)
{
	const char *e = user_email_normalise(a, email);
	if (!*e)
		return 1;
	int64_t id;
	int rc = db_query_int(db, &id, "SELECT id FROM users WHERE email = ?", "t", e);
	if (rc != 0)
		return rc;
	return user_get(db, a, id, out);
}

int user_password_hash(struct db *db, struct arena *a, int64_t user_id, const char **hash)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT password_hash FROM users WHERE id = ? AND password_hash IS NOT NULL",
				      "i", user_id);
	if (!st)
		return -1;
	int rc = step == DB_ROW ? 0 : step < 0 ? -1 : 1;
	if (rc == 0)
		*hash = arena_strdup(a, db_col_text(st, 0));
	db_reset(st);
	return rc;
}

/* ---- Writing ---- */

static int record(struct db *db, int64_t territory_id, int64_t user_id, const char *verb,
		  const char *change)
{
	const char *details = NULL;
	char buf[64];
	if (change) {
		snprintf(buf, sizeof(buf), "{\"change\":\"%s\"}", change);
		details = buf;
	}
	return activity_record(db, territory_id, user_id, verb, "user", user_id, NULL, 0, details);
}

/* An UPDATE of one account's row, then its activity: 0, 1 if no such account, -1. */
static int update_then_record(struct db *db, int64_t territory_id, int64_t user_id, int rc,
			      const char *change)
{
	if (rc < 0)
		return -1;
	int64_t found;
	rc = db_query_int(db, &found, "SELECT COUNT(*) FROM users WHERE id = ?", "i", user_id);
	if (rc < 0)
		return -1;
	if (!found)
		return 1;
	return record(db, territory_id, user_id, "Update", change);
}

int user_create(struct db *db, int64_t territory_id, const char *email, const char *display_name,
		const char *password_hash, const char *language, int terms_version, int64_t *id)
{
	struct arena *a = arena_new();
	const char *e = user_email_normalise(a, email);
	int rc = -1;
	if (!user_email_valid(e) || !user_language_valid(language)) {
		error("user_create: invalid address or language");
		goto out;
	}
	int64_t now = time(NULL);
	/* ON CONFLICT keeps a transaction usable on PostgreSQL when the address is taken. */
	rc = terms_version > 0
		     ? db_query_int(db, id,
				    "INSERT INTO users (email, display_name, password_hash, language, "
				    "terms_version, terms_accepted_at, password_changed_at, created_at) "
				    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
				    "ttttiiii", e, display_name, password_hash, language,
				    (int64_t)terms_version, now, now, now)
		     : db_query_int(db, id,
				    "INSERT INTO users (email, display_name, password_hash, language, "
				    "password_changed_at, created_at) "
				    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
				    "ttttii", e, display_name, password_hash, language, now, now);
	if (rc == 0 && record(db, territory_id, *id, "Create", NULL) < 0)
		rc = -1;
out:
	arena_free(a);
	return rc;
}

int user_confirm(struct db *db, int64_t territory_id, int64_t user_id)
{
	int rc = db_execv(db,
			  "UPDATE users SET email_confirmed_at = ? WHERE id = ? AND email_confirmed_at IS NULL",
			  "ii", (int64_t)time(NULL), user_id);
	return update_then_record(db, territory_id, user_id, rc, "confirm");
}

int user_set_password(struct db *db, int64_t territory_id, int64_t user_id, const char *password_hash)
{
	int rc = db_execv(db, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
			  "tii", password_hash, (int64_t)time(NULL), user_id);
	return update_then_record(db, territory_id, user_id, rc, "password");
}

int user_set_email(struct db *db, int64_t territory_id, int64_t user_id, const char *email)
{
	struct arena *a = arena_new();
	const char *e = user_email_normalise(a, email);
	int64_t taken = 0;
	int rc = -1;
	if (!user_email_valid(e)) {
		error("user_set_email: invalid address");
		goto out;
	}
	rc = db_query_int(db, &taken, "SELECT COUNT(*) FROM users WHERE email = ? AND id <> ?", "ti", e,
			  user_id);
	if (rc < 0)
		goto out;
	if (taken) {
		rc = 1;
		goto out;
	}
	rc = db_execv(db, "UPDATE users SET email = ?, email_confirmed_at = ? WHERE id = ?", "tii", e,
		      (int64_t)time(NULL), user_id);
	rc = update_then_record(db, territory_id, user_id, rc, "email");
	if (rc > 0)
		rc = -1; /* no such account: the caller found it a moment ago */
out:
	arena_free(a);
	return rc;
}

int user_update_settings(struct db *db, int64_t territory_id, int64_t user_id,
			 const char *language, const char *notify_frequency)
{
	if (!user_language_valid(language) || !user_notify_frequency_valid(notify_frequency))
		return 1;
	int rc = db_execv(db, "UPDATE users SET language = ?, notify_frequency = ? WHERE id = ?", "tti",
			  language, notify_frequency, user_id);
	return update_then_record(db, territory_id, user_id, rc, "settings");
}

int user_accept_terms(struct db *db, int64_t territory_id, int64_t user_id, int version)
{
	int rc = db_execv(db, "UPDATE users SET terms_version = ?, terms_accepted_at = ? WHERE id = ?",
			  "iii", (int64_t)version, (int64_t)time(NULL), user_id);
	if (rc < 0)
		return -1;
	int64_t found;
	rc = db_query_int(db, &found, "SELECT COUNT(*) FROM users WHERE id = ?", "i", user_id);
	if (rc < 0)
		return -1;
	if (!found)
		return 1;
	return activity_record(db, territory_id, user_id, "Accept", "terms", version, NULL, 0, NULL);
}
