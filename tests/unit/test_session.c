/*
 * Sessions on SQLite and PostgreSQL: visitor sessions, log-in renewing the
 * token and the CSRF token, log-out, idle and absolute expiry, "log out
 * everywhere else", the list of sessions, and the clean-up of expired rows.
 * Times are moved into the past with SQL, as if the hours had passed.
 */
#include "testutil.h"

#include <time.h>

#include "auth/session.h"
#include "core/mem.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	struct arena *a;
	int64_t alice, bob;
};

static int64_t add_user(struct db *db, const char *email, const char *name)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO users (email, display_name, created_at) VALUES (?, ?, ?) "
				      "RETURNING id",
				      "tti", email, name, (int64_t)time(NULL)),
			 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->a = arena_new();
	f->alice = add_user(f->db, "alice@example.org", "Alice");
	f->bob = add_user(f->db, "bob@example.org", "Bob");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->a);
	db_close(f->db);
	free(f);
	return 0;
}

static int64_t count(struct db *db, const char *sql, const char *types, ...)
{
	/* Only the forms used below: no parameter, or one user id. */
	int64_t n = -1;
	va_list ap;
	va_start(ap, types);
	if (*types)
		assert_int_equal(db_query_int(db, &n, sql, "i", va_arg(ap, int64_t)), 0);
	else
		assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	va_end(ap);
	return n;
}

static int64_t row_int(struct db *db, const char *sql, const char *hash)
{
	int64_t v = -1;
	assert_int_equal(db_query_int(db, &v, sql, "t", hash), 0);
	return v;
}

static struct session *load(struct fixture *f, const char *token)
{
	struct session *s = (struct session *)1;
	assert_int_equal(session_load(f->db, f->a, token, &s), 0);
	return s;
}

static struct session *login(struct fixture *f, struct session *old, int64_t user, const char *ua,
			     const char **token)
{
	struct session *s = NULL;
	assert_int_equal(session_login(f->db, f->a, old, user, ua, "192.0.2.10", &s, token), 0);
	assert_non_null(s);
	return s;
}

static void test_visitor_session(void **state)
{
	struct fixture *f = *state;
	struct session *s;
	const char *token;
	int64_t now = time(NULL);
	assert_int_equal(session_create(f->db, f->a, 0, &s, &token), 0);
	assert_true(strlen(token) >= 43); /* 256 bits in base64 */
	struct session *back = load(f, token);
	assert_non_null(back);
	assert_int_equal(back->user_id, 0);
	assert_string_equal(back->csrf, s->csrf);
	assert_string_equal(back->token_hash, s->token_hash);
	assert_int_equal(back->absolute_expires_at, 0);
	assert_true(back->expires_at >= now + SESSION_IDLE_SECONDS - 5);
	assert_true(session_csrf_valid(back, s->csrf));
	assert_false(session_csrf_valid(back, "x"));
	assert_false(session_csrf_valid(NULL, s->csrf));
	assert_false(session_csrf_valid(back, NULL));
	char wrong[128];
	snprintf(wrong, sizeof(wrong), "%s", s->csrf);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_false(session_csrf_valid(back, wrong));
	assert_null(load(f, NULL));
	assert_null(load(f, "short"));
	assert_null(load(f, "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy")); /* well-formed, unknown */
}

static void test_hash_token_is_the_stored_hash(void **state)
{
	struct fixture *f = *state;
	struct session *s;
	const char *token;
	assert_int_equal(session_create(f->db, f->a, 0, &s, &token), 0);
	const char *h = auth_hash_token(f->a, token);
	assert_int_equal(strlen(h), 64);
	assert_int_equal(strspn(h, "0123456789abcdef"), 64);
	assert_string_equal(h, s->token_hash);
	assert_string_equal(auth_hash_token(f->a, token), h);
	int64_t n = 0;
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", "t", h), 0);
	assert_int_equal(n, 1);
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", "t",
				      token),
			 0);
	assert_int_equal(n, 0); /* the token itself is never stored */
	assert_string_not_equal(auth_random_token(f->a), auth_random_token(f->a));
}

static void test_login_renews_token_and_csrf(void **state)
{
	struct fixture *f = *state;
	struct session *visitor;
	const char *vtoken, *token;
	assert_int_equal(session_create(f->db, f->a, 0, &visitor, &vtoken), 0);
	int64_t now = time(NULL);
	struct session *s = login(f, visitor, f->alice, "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", &token);
	assert_string_not_equal(token, vtoken);
	assert_string_not_equal(s->token_hash, visitor->token_hash);
	assert_string_not_equal(s->csrf, visitor->csrf);
	assert_int_equal(s->user_id, f->alice);

	assert_null(load(f, vtoken)); /* the visitor's token is gone */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions", ""), 1);
	struct session *back = load(f, token);
	assert_non_null(back);
	assert_int_equal(back->user_id, f->alice);
	assert_string_equal(back->csrf, s->csrf);
	assert_true(back->absolute_expires_at >= now + SESSION_LOGIN_ABSOLUTE_SECONDS - 5 &&
		    back->absolute_expires_at <= now + SESSION_LOGIN_ABSOLUTE_SECONDS + 5);
	assert_true(back->expires_at >= now + SESSION_LOGIN_IDLE_SECONDS - 5 &&
		    back->expires_at <= now + SESSION_LOGIN_IDLE_SECONDS + 5);
	assert_false(session_csrf_valid(back, visitor->csrf));

	/* Logging in without a visitor session works too. */
	const char *t2;
	struct session *s2 = login(f, NULL, f->alice, NULL, &t2);
	assert_string_not_equal(s2->token_hash, s->token_hash);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", "i", f->alice), 2);
}

static void test_device_details_are_cut_and_cleaned(void **state)
{
	struct fixture *f = *state;
	char ua[400];
	memset(ua, 'u', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	memcpy(ua, "Evil\r\nSet-Cookie: x\x01\xC3\xA9", 22);
	const char *token;
	struct session *s = login(f, NULL, f->alice, ua, &token);
	int step;
	struct db_stmt *st = db_query(f->db, &step, "SELECT user_agent, ip FROM sessions WHERE token_hash = ?", "t",
				      s->token_hash);
	assert_non_null(st);
	assert_int_equal(step, DB_ROW);
	const char *stored = db_col_text(st, 0);
	assert_int_equal(strlen(stored), SESSION_USER_AGENT_MAX);
	assert_int_equal(strncmp(stored, "Evil??Set-Cookie: x???uu", 24), 0);
	assert_string_equal(db_col_text(st, 1), "192.0.2.10");
	db_reset(st);
}

static void test_logout_ends_the_session(void **state)
{
	struct fixture *f = *state;
	const char *token;
	struct session *s = login(f, NULL, f->alice, "UA", &token);
	assert_non_null(load(f, token));
	assert_int_equal(session_destroy(f->db, s), 0);
	assert_null(load(f, token)); /* replaying the cookie fails */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions", ""), 0);
}

static void test_absolute_expiry(void **state)
{
	struct fixture *f = *state;
	const char *token;
	struct session *s = login(f, NULL, f->alice, "UA", &token);
	/* Active a minute ago, but logged in 12 hours and a second ago. */
	int64_t now = time(NULL);
	assert_int_equal(db_execv(f->db,
				  "UPDATE sessions SET created_at = ?, seen_at = ?, absolute_expires_at = ? "
				  "WHERE token_hash = ?",
				  "iiit", now - SESSION_LOGIN_ABSOLUTE_SECONDS - 1, now - 60, now - 1,
				  s->token_hash),
			 0);
	assert_null(load(f, token));
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions", ""), 0); /* deleted on sight */
}

static void test_idle_expiry(void **state)
{
	struct fixture *f = *state;
	const char *token;
	struct session *s = login(f, NULL, f->alice, "UA", &token);
	int64_t now = time(NULL);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET seen_at = ?, expires_at = ? WHERE token_hash = ?",
				  "iit", now - SESSION_LOGIN_IDLE_SECONDS - 1, now - 1, s->token_hash),
			 0);
	assert_null(load(f, token));

	/* A visitor session expires too. */
	struct session *v;
	assert_int_equal(session_create(f->db, f->a, 0, &v, &token), 0);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", "it", now,
				  v->token_hash),
			 0);
	assert_null(load(f, token));
}

static void test_activity_extends_idle_expiry_up_to_absolute(void **state)
{
	struct fixture *f = *state;
	const char *token;
	struct session *s = login(f, NULL, f->alice, "UA", &token);
	int64_t now = time(NULL);
	static const char set[] = "UPDATE sessions SET seen_at = ?, expires_at = ?, absolute_expires_at = ? "
				  "WHERE token_hash = ?";
	static const char expiry[] = "SELECT expires_at FROM sessions WHERE token_hash = ?";

	/* Seen two minutes ago, 28 minutes left: this request gives back 30. */
	assert_int_equal(db_execv(f->db, set, "iiit", now - 120, now + 1680, now + 36000, s->token_hash), 0);
	assert_non_null(load(f, token));
	int64_t e = row_int(f->db, expiry, s->token_hash);
	assert_true(e >= now + SESSION_LOGIN_IDLE_SECONDS && e <= now + SESSION_LOGIN_IDLE_SECONDS + 5);

	/* Ten minutes before the absolute end: never extended past it. */
	assert_int_equal(db_execv(f->db, set, "iiit", now - 120, now + 300, now + 600, s->token_hash), 0);
	struct session *back = load(f, token);
	assert_non_null(back);
	assert_int_equal(row_int(f->db, expiry, s->token_hash), now + 600);
	assert_int_equal(back->expires_at, now + 600);

	/* Seen a few seconds ago: no write at all (reads stay cheap). */
	assert_int_equal(db_execv(f->db, set, "iiit", now - 5, now + 1000, now + 36000, s->token_hash), 0);
	assert_non_null(load(f, token));
	assert_int_equal(row_int(f->db, expiry, s->token_hash), now + 1000);
}

static void test_destroy_others_and_all(void **state)
{
	struct fixture *f = *state;
	const char *t1, *t2, *t3, *tb;
	login(f, NULL, f->alice, "phone", &t1);
	struct session *keep = login(f, NULL, f->alice, "laptop", &t2);
	login(f, NULL, f->alice, "tablet", &t3);
	login(f, NULL, f->bob, "bob's", &tb);
	assert_int_equal(session_destroy_others(f->db, f->alice, keep->token_hash), 0);
	assert_null(load(f, t1));
	assert_null(load(f, t3));
	struct session *kept = load(f, t2);
	assert_non_null(kept);
	assert_int_equal(kept->user_id, f->alice);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", "i", f->alice), 1);
	assert_non_null(load(f, tb)); /* someone else's sessions are untouched */

	login(f, NULL, f->alice, "again", &t1);
	assert_int_equal(session_destroy_all(f->db, f->alice), 0);
	assert_null(load(f, t1));
	assert_null(load(f, t2));
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", "i", f->alice), 0);
	assert_non_null(load(f, tb));
	assert_int_equal(session_destroy_others(f->db, f->bob, NULL), 0);
	assert_null(load(f, tb));
}

static void test_list_for_user(void **state)
{
	struct fixture *f = *state;
	const char *t;
	char long_ua[300];
	memset(long_ua, 'x', sizeof(long_ua) - 1);
	long_ua[sizeof(long_ua) - 1] = '\0';
	struct session *old = login(f, NULL, f->alice, "Firefox on Linux", &t);
	struct session *cur = login(f, NULL, f->alice, long_ua, &t);
	struct session *gone = login(f, NULL, f->alice, "expired", &t);
	login(f, NULL, f->bob, "Bob's browser", &t);
	int64_t now = time(NULL);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET created_at = ?, seen_at = ? WHERE token_hash = ?",
				  "iit", now - 3000, now - 600, old->token_hash),
			 0);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET absolute_expires_at = ? WHERE token_hash = ?", "it",
				  now - 1, gone->token_hash),
			 0);

	json_t *list = NULL;
	assert_int_equal(session_list_for_user(f->db, f->alice, cur->token_hash, &list), 0);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 2);
	/* Most recent first: the current one, then the older one. */
	json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1);
	assert_true(json_is_true(json_object_get(first, "is_current")));
	assert_true(json_is_false(json_object_get(second, "is_current")));
	const char *ua = json_string_value(json_object_get(first, "user_agent"));
	assert_int_equal(strlen(ua), 80 + strlen("…"));
	assert_int_equal(strcmp(ua + 80, "…"), 0);
	assert_string_equal(json_string_value(json_object_get(second, "user_agent")), "Firefox on Linux");
	assert_string_equal(json_string_value(json_object_get(second, "ip")), "192.0.2.10");
	assert_int_equal(json_integer_value(json_object_get(second, "created_at")), now - 3000);
	assert_int_equal(json_integer_value(json_object_get(second, "seen_at")), now - 600);
	assert_null(json_object_get(first, "token_hash")); /* nothing secret-like is shown */
	json_decref(list);

	/* Without a current session, none is marked. */
	assert_int_equal(session_list_for_user(f->db, f->alice, NULL, &list), 0);
	assert_true(json_is_false(json_object_get(json_array_get(list, 0), "is_current")));
	json_decref(list);
	assert_int_equal(session_list_for_user(f->db, 999999, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

static void test_cleanup(void **state)
{
	struct fixture *f = *state;
	const char *t1, *t2, *t3, *tv;
	struct session *idle = login(f, NULL, f->alice, "a", &t1);
	struct session *absolute = login(f, NULL, f->alice, "b", &t2);
	login(f, NULL, f->alice, "live", &t3);
	struct session *v;
	assert_int_equal(session_create(f->db, f->a, 0, &v, &tv), 0);
	int64_t now = time(NULL);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", "it", now - 1,
				  idle->token_hash),
			 0);
	assert_int_equal(db_execv(f->db, "UPDATE sessions SET absolute_expires_at = ? WHERE token_hash = ?", "it",
				  now - 1, absolute->token_hash),
			 0);
	assert_int_equal(session_cleanup(f->db), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions", ""), 2);
	assert_non_null(load(f, t3));
	assert_non_null(load(f, tv));
}

static void test_user_deletion_takes_sessions(void **state)
{
	struct fixture *f = *state;
	const char *t;
	login(f, NULL, f->bob, "b", &t);
	assert_int_equal(db_execv(f->db, "DELETE FROM users WHERE id = ?", "i", f->bob), 0);
	assert_null(load(f, t));
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM sessions", ""), 0);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_visitor_session),
		DB_TEST(test_hash_token_is_the_stored_hash),
		DB_TEST(test_login_renews_token_and_csrf),
		DB_TEST(test_device_details_are_cut_and_cleaned),
		DB_TEST(test_logout_ends_the_session),
		DB_TEST(test_absolute_expiry),
		DB_TEST(test_idle_expiry),
		DB_TEST(test_activity_extends_idle_expiry_up_to_absolute),
		DB_TEST(test_destroy_others_and_all),
		DB_TEST(test_list_for_user),
		DB_TEST(test_cleanup),
		DB_TEST(test_user_deletion_takes_sessions),
	};
	int failed = 0;
	log_set_quiet(1);
	auth_init();
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
