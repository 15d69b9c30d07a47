/*
 * Session rows and the secrets in them. Only this folder includes sodium.h:
 * random tokens, hashing and constant-time comparison come from one place.
 * Each row has two expiries: expires_at (idle; moved forward by activity,
 * never past the other) and absolute_expires_at (fixed at log-in; 0 for
 * visitor sessions). session_load() refuses a row past either.
 */
#include "auth/session.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

#define TOKEN_BYTES 32
#define IP_MAX 64
/* Characters of the user agent shown in the list of sessions. */
#define LIST_USER_AGENT_CHARS 80
/* One session_create() in CLEANUP_ONE_IN also deletes the expired sessions. */
#define CLEANUP_ONE_IN 100

static int64_t login_idle = SESSION_LOGIN_IDLE_SECONDS;
static int64_t login_absolute = SESSION_LOGIN_ABSOLUTE_SECONDS;

void auth_init(void)
{
	if (sodium_init() < 0)
		die("cannot initialise libsodium");
}

void session_set_login_lifetime(int64_t idle_seconds, int64_t absolute_seconds)
{
	if (idle_seconds <= 0 || absolute_seconds <= 0)
		BUG("session lifetimes must be positive");
	login_idle = idle_seconds;
	login_absolute = absolute_seconds;
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

const char *auth_hash_token(struct arena *a, const char *token)
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

static int64_t idle_seconds(int64_t user_id)
{
	return user_id ? login_idle : SESSION_IDLE_SECONDS;
}

/* The idle expiry from now, never past the absolute one. */
static int64_t idle_expiry(int64_t user_id, int64_t absolute, int64_t now)
{
	int64_t e = now + idle_seconds(user_id);
	return absolute && absolute < e ? absolute : e;
}

static int session_touch(struct db *db, struct session *s, int64_t now)
{
	s->expires_at = idle_expiry(s->user_id, s->absolute_expires_at, now);
	return db_execv(db, "UPDATE sessions SET seen_at = ?, expires_at = ? WHERE token_hash = ?",
			"iit", now, s->expires_at, s->token_hash);
}

static int expired(const struct session *s, int64_t now)
{
	return s->expires_at <= now || (s->absolute_expires_at && s->absolute_expires_at <= now);
}

/* Seconds between two extensions of the idle expiry. */
static int64_t touch_interval(int64_t user_id)
{
	int64_t t = idle_seconds(user_id) / 30;
	return t < 3600 ? t : 3600;
}

int session_load(struct db *db, struct arena *a, const char *token, struct session **out)
{
	*out = NULL;
	if (!token || !plausible_token(token))
		return 0;
	const char *hash = auth_hash_token(a, token);
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT csrf_token, COALESCE(user_id, 0), seen_at, expires_at, "
				      "absolute_expires_at, created_at FROM sessions WHERE token_hash = ?",
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
	s->absolute_expires_at = db_col_int(st, 4);
	s->created_at = db_col_int(st, 5);
	db_reset(st);

	int64_t now = time(NULL);
	if (expired(s, now)) {
		if (db_execv(db, "DELETE FROM sessions WHERE token_hash = ?", "t", hash) < 0)
			return -1;
		return 0;
	}
	if (now - seen_at >= touch_interval(s->user_id) && session_touch(db, s, now) < 0)
		return -1;
	*out = s;
	return 0;
}

/*
 * At most max bytes of s, printable ASCII only (others become '?'): user
 * agents and addresses come from request headers, and the list of sessions
 * must be valid UTF-8 and free of control characters (arena string).
 */
static const char *printable(struct arena *a, const char *s, size_t max)
{
	if (!s)
		return "";
	size_t len = strnlen(s, max);
	char *out = arena_strndup(a, s, len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7E)
			out[i] = '?';
	return out;
}

struct device {
	const char *user_agent;
	const char *ip;
};

static int session_insert(struct db *db, struct arena *a, int64_t user_id, struct device dev,
			  struct session **out, const char **token)
{
	struct session *s = arena_calloc(a, 1, sizeof(*s));
	const char *t = auth_random_token(a);
	int64_t now = time(NULL);
	s->token_hash = auth_hash_token(a, t);
	s->csrf = auth_random_token(a);
	s->user_id = user_id;
	s->created_at = now;
	s->absolute_expires_at = user_id ? now + login_absolute : 0;
	s->expires_at = idle_expiry(user_id, s->absolute_expires_at, now);
	static const char insert[] =
		"INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, seen_at, expires_at, "
		"absolute_expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	const char *ua = printable(a, dev.user_agent, SESSION_USER_AGENT_MAX);
	const char *ip = printable(a, dev.ip, IP_MAX);
	int rc = user_id ? db_execv(db, insert, "ttiiiiitt", s->token_hash, s->csrf, user_id, now, now,
				    s->expires_at, s->absolute_expires_at, ua, ip)
			 : db_execv(db, insert, "ttniiiitt", s->token_hash, s->csrf, now, now,
				    s->expires_at, s->absolute_expires_at, ua, ip);
	if (rc < 0)
		return -1;
	*out = s;
	*token = t;
	return 0;
}

int session_create(struct db *db, struct arena *a, int64_t user_id, struct session **out,
		   const char **token)
{
	if (randombytes_uniform(CLEANUP_ONE_IN) == 0)
		(void)session_cleanup(db); /* best effort: the next time will do */
	return session_insert(db, a, user_id, (struct device){ NULL, NULL }, out, token);
}

int session_login(struct db *db, struct arena *a, const struct session *old, int64_t user_id,
		  const char *user_agent, const char *ip, struct session **out, const char **token)
{
	if (user_id <= 0)
		BUG("session_login without a user");
	if (old && session_destroy(db, old) < 0)
		return -1;
	return session_insert(db, a, user_id, (struct device){ user_agent, ip }, out, token);
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

int session_destroy_others(struct db *db, int64_t user_id, const char *keep_hash)
{
	if (!keep_hash)
		return session_destroy_all(db, user_id);
	return db_execv(db, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "it", user_id,
			keep_hash);
}

int session_destroy_all(struct db *db, int64_t user_id)
{
	return db_execv(db, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
}

int session_cleanup(struct db *db)
{
	int64_t now = time(NULL);
	return db_execv(db,
			"DELETE FROM sessions WHERE expires_at <= ? "
			"OR (absolute_expires_at > 0 AND absolute_expires_at <= ?)",
			"ii", now, now);
}

/* s cut to max characters (UTF-8), with "…" when cut (arena string). */
static const char *shorten(struct arena *a, const char *s, size_t max)
{
	size_t chars = 0, i = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max)
			return arena_printf(a, "%.*s…", (int)i, s);
	}
	return s;
}

static json_t *session_row_json(struct arena *a, struct db_stmt *st, const char *current_hash)
{
	const char *ua = shorten(a, arena_strdup(a, db_col_text(st, 3)), LIST_USER_AGENT_CHARS);
	return json_pack("{sI sI ss ss sb}", "created_at", (json_int_t)db_col_int(st, 1), "seen_at",
			 (json_int_t)db_col_int(st, 2), "user_agent", ua, "ip", db_col_text(st, 4),
			 "is_current", current_hash && !strcmp(current_hash, db_col_text(st, 0)));
}

int session_list_for_user(struct db *db, int64_t user_id, const char *current_hash, json_t **out)
{
	int64_t now = time(NULL);
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT token_hash, created_at, seen_at, user_agent, ip FROM sessions "
				      "WHERE user_id = ? AND expires_at > ? "
				      "AND (absolute_expires_at = 0 OR absolute_expires_at > ?) "
				      "ORDER BY seen_at DESC, created_at DESC, token_hash LIMIT 50",
				      "iii", user_id, now, now);
	if (!st)
		return -1;
	struct arena *a = arena_new();
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st)) {
		json_t *row = session_row_json(a, st, current_hash);
		if (!row)
			break;
		json_array_append_new(list, row);
	}
	db_reset(st);
	arena_free(a);
	if (step != DB_DONE) {
		json_decref(list);
		return step < 0 ? -1 : error("cannot list sessions (invalid UTF-8?)");
	}
	*out = list;
	return 0;
}
