/*
 * Session rows and the secrets in them. Only this folder includes sodium.h:
 * random tokens, hashing and constant-time comparison come from one place.
 */
#include "auth/session.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

#define TOKEN_BYTES 32

void auth_init(void)
{
	if (sodium_init() < 0)
		die("cannot initialise libsodium");
}

const char *auth_random_token(struct arena *a)
{
	unsigned char raw[TOKEN_BYTES];
	randombytes_buf(raw, sizeof(raw));
	size_t len = sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);
	sodium_bin2base64(out, len, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return out;
}

static const char *token_hash(struct arena *a, const char *token)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	char *hex = arena_alloc(a, sizeof(h) * 2 + 1);
	sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
	return hex;
}

static int plausible_token(const char *token)
{
	size_t len = strlen(token);
	if (len < 40 || len > 64)
		return 0;
	return strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == len;
}

static int session_touch(struct db *db, struct session *s, int64_t now)
{
	s->expires_at = now + SESSION_IDLE_SECONDS;
	return db_execv(db, "UPDATE sessions SET seen_at = ?, expires_at = ? WHERE token_hash = ?",
			"iit", now, s->expires_at, s->token_hash);
}

int session_load(struct db *db, struct arena *a, const char *token, struct session **out)
{
	*out = NULL;
	if (!token || !plausible_token(token))
		return 0;
	const char *hash = token_hash(a, token);
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT csrf_token, COALESCE(user_id, 0), seen_at, expires_at "
				      "FROM sessions WHERE token_hash = ?",
				      "t", hash);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return 0;
	}
	struct session *s = arena_calloc(a, 1, sizeof(*s));
	s->token_hash = hash;
	s->csrf = arena_strdup(a, db_col_text(st, 0));
	s->user_id = db_col_int(st, 1);
	int64_t seen_at = db_col_int(st, 2);
	s->expires_at = db_col_int(st, 3);
	db_reset(st);

	int64_t now = time(NULL);
	if (s->expires_at <= now) {
		db_execv(db, "DELETE FROM sessions WHERE token_hash = ?", "t", hash);
		return 0;
	}
	if (now - seen_at > 3600 && session_touch(db, s, now) < 0)
		return -1;
	*out = s;
	return 0;
}

int session_create(struct db *db, struct arena *a, int64_t user_id, struct session **out,
		   const char **token)
{
	struct session *s = arena_calloc(a, 1, sizeof(*s));
	const char *t = auth_random_token(a);
	int64_t now = time(NULL);
	s->token_hash = token_hash(a, t);
	s->csrf = auth_random_token(a);
	s->user_id = user_id;
	s->expires_at = now + SESSION_IDLE_SECONDS;
	static const char insert[] =
		"INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, seen_at, expires_at) "
		"VALUES (?, ?, ?, ?, ?, ?)";
	int rc = user_id ? db_execv(db, insert, "ttiiii", s->token_hash, s->csrf, user_id, now, now,
				    s->expires_at)
			 : db_execv(db, insert, "ttniii", s->token_hash, s->csrf, now, now,
				    s->expires_at);
	if (rc < 0)
		return -1;
	*out = s;
	*token = t;
	return 0;
}

int session_destroy(struct db *db, const struct session *s)
{
	return db_execv(db, "DELETE FROM sessions WHERE token_hash = ?", "t", s->token_hash);
}

int session_csrf_valid(const struct session *s, const char *token)
{
	if (!s || !token)
		return 0;
	size_t len = strlen(s->csrf);
	if (strlen(token) != len)
		return 0;
	return sodium_memcmp(s->csrf, token, len) == 0;
}
