/*
 * E-mail links. Using a link is one UPDATE ... WHERE used_at IS NULL AND
 * expires_at > now RETURNING: whichever request marks the row first wins,
 * on SQLite and PostgreSQL alike, and an expired or used link is simply
 * not found, so the pages need not tell apart why a link fails.
 */
#include "domain/email_token.h"

#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

static const char *const purpose_names[] = {
	[EMAIL_TOKEN_CONFIRM] = "confirm",
	[EMAIL_TOKEN_RESET] = "reset",
	[EMAIL_TOKEN_EMAIL_CHANGE] = "email_change",
};

static const int purpose_ttls[] = {
	[EMAIL_TOKEN_CONFIRM] = EMAIL_TOKEN_CONFIRM_TTL,
	[EMAIL_TOKEN_RESET] = EMAIL_TOKEN_RESET_TTL,
	[EMAIL_TOKEN_EMAIL_CHANGE] = EMAIL_TOKEN_EMAIL_CHANGE_TTL,
};

const char *email_token_purpose_name(enum email_token_purpose purpose)
{
	if ((unsigned)purpose >= ARRAY_SIZE(purpose_names))
		BUG("unknown e-mail token purpose");
	return purpose_names[purpose];
}

int email_token_ttl(enum email_token_purpose purpose)
{
	if ((unsigned)purpose >= ARRAY_SIZE(purpose_ttls))
		BUG("unknown e-mail token purpose");
	return purpose_ttls[purpose];
}

/* What auth_random_token() makes: base64url, 43 characters. Anything else is not looked up. */
static int plausible_token(const char *token)
{
	size_t len = token ? strlen(token) : 0;
	if (len < 40 || len > 64)
		return 0;
	return strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == len;
}

int email_token_create(struct db *db, struct arena *a, int64_t user_id,
		       enum email_token_purpose purpose, const char *new_email, const char **token)
{
	const char *name = email_token_purpose_name(purpose);
	int64_t now = time(NULL);
	if (email_token_revoke(db, user_id, purpose) < 0)
		return -1;
	const char *t = auth_random_token(a);
	const char *hash = auth_hash_token(a, t);
	if (db_execv(db,
		     "INSERT INTO email_tokens (token_hash, user_id, purpose, new_email, created_at, "
		     "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
		     "tittii", hash, user_id, name,
		     purpose == EMAIL_TOKEN_EMAIL_CHANGE ? new_email : NULL, now,
		     now + email_token_ttl(purpose)) < 0)
		return -1;
	*token = t;
	return 0;
}

static struct email_token *token_from_row(struct arena *a, struct db_stmt *st,
					  enum email_token_purpose purpose)
{
	struct email_token *t = arena_calloc(a, 1, sizeof(*t));
	t->user_id = db_col_int(st, 0);
	t->purpose = purpose;
	t->new_email = db_col_is_null(st, 1) ? NULL : arena_strdup(a, db_col_text(st, 1));
	t->expires_at = db_col_int(st, 2);
	return t;
}

static const char peek_sql[] =
	"SELECT user_id, new_email, expires_at FROM email_tokens "
	"WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?";
static const char use_sql[] =
	"UPDATE email_tokens SET used_at = ? "
	"WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? "
	"RETURNING user_id, new_email, expires_at";

/* Look the link up (use: 0) or mark it used (use: 1); one statement either way. */
static int find(struct db *db, struct arena *a, int use, const char *token,
		enum email_token_purpose purpose, struct email_token **out)
{
	if (!plausible_token(token))
		return 1;
	int64_t now = time(NULL);
	const char *hash = auth_hash_token(a, token);
	const char *name = email_token_purpose_name(purpose);
	int step;
	struct db_stmt *st = use ? db_query(db, &step, use_sql, "itti", now, hash, name, now)
				 : db_query(db, &step, peek_sql, "tti", hash, name, now);
	if (!st)
		return -1;
	int rc = step == DB_ROW ? 0 : step < 0 ? -1 : 1;
	if (rc == 0)
		*out = token_from_row(a, st, purpose);
	db_reset(st);
	return rc;
}

int email_token_peek(struct db *db, struct arena *a, const char *token,
		     enum email_token_purpose purpose, struct email_token **out)
{
	return find(db, a, 0, token, purpose, out);
}

int email_token_use(struct db *db, struct arena *a, const char *token,
		    enum email_token_purpose purpose, struct email_token **out)
{
	return find(db, a, 1, token, purpose, out);
}

int email_token_revoke(struct db *db, int64_t user_id, enum email_token_purpose purpose)
{
	return db_execv(db, "DELETE FROM email_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
			"it", user_id, email_token_purpose_name(purpose));
}

int email_token_purge(struct db *db, int64_t keep_seconds)
{
	return db_execv(db, "DELETE FROM email_tokens WHERE expires_at < ?", "i",
			(int64_t)time(NULL) - keep_seconds);
}
