/*
 * Rate limits on SQLite and PostgreSQL: N hits allowed then refused, one
 * counter per rule and subject, subjects never stored in clear, windows,
 * clearing, and exact counts when two connections hit at once.
 */
#include "testutil.h"

#include <pthread.h>
#include <time.h>

#include "auth/ratelimit.h"
#include "auth/session.h"
#include "core/mem.h"

static struct test_db_urls urls;
static const char *current_url;

static int setup(void **state)
{
	*state = test_db_open_migrated(current_url);
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static int64_t count(struct db *db, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

static void test_limit_then_refused(void **state)
{
	struct db *db = *state;
	const char *who = "alice@example.org";
	assert_int_equal(ratelimit_limit(RL_RESET_ACCOUNT), 3);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, who), 0);
		assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, who), 0);
	}
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, who), 1);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, who), 1);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, who), 1);
	assert_int_equal(count(db, "SELECT SUM(hits) FROM rate_limits"), 5); /* refused hits count too */
}

/* The case: 12 wrong passwords in a row; the 11th is refused. */
static void test_login_account_eleventh_refused(void **state)
{
	struct db *db = *state;
	int first_refused = 0;
	for (int attempt = 1; attempt <= 12; attempt++) {
		if (ratelimit_exceeded(db, RL_LOGIN_ACCOUNT, "bob@example.org")) {
			if (!first_refused)
				first_refused = attempt;
			continue;
		}
		assert_int_equal(ratelimit_hit(db, RL_LOGIN_ACCOUNT, "bob@example.org"), 0); /* wrong password */
	}
	assert_int_equal(first_refused, 11);
	assert_int_equal(ratelimit_window(RL_LOGIN_ACCOUNT), 15 * 60);
}

static void test_subjects_and_rules_apart(void **state)
{
	struct db *db = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "carol@example.org"), 0);
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "carol@example.org"), 1);
	/* Same address written otherwise: the same counter. */
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "  Carol@Example.ORG "), 1);
	/* Another subject, another rule: their own counters. */
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "dave@example.org"), 0);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "dave@example.org"), 0);
	assert_int_equal(ratelimit_exceeded(db, RL_MAIL_ACCOUNT, "carol@example.org"), 0);
	assert_int_equal(ratelimit_hit(db, RL_MAIL_ACCOUNT, "carol@example.org"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rate_limits"), 3);
}

static void test_subject_not_stored_in_clear(void **state)
{
	struct db *db = *state;
	assert_int_equal(ratelimit_hit(db, RL_SIGNUP_IP, "203.0.113.7"), 0);
	assert_int_equal(ratelimit_hit(db, RL_MAIL_ACCOUNT, "erin@example.org"), 0);
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT key FROM rate_limits ORDER BY key", "");
	assert_non_null(st);
	const char *names[] = { "mail_account:", "signup_ip:" };
	for (int i = 0; i < 2; i++, step = db_step(st)) {
		assert_int_equal(step, DB_ROW);
		const char *key = db_col_text(st, 0);
		assert_int_equal(strncmp(key, names[i], strlen(names[i])), 0);
		const char *hex = key + strlen(names[i]);
		assert_int_equal(strlen(hex), 32);
		assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
		assert_null(strstr(key, "203.0.113.7"));
		assert_null(strstr(key, "erin"));
	}
	assert_int_equal(step, DB_DONE);
	db_reset(st);
}

static void test_clear(void **state)
{
	struct db *db = *state;
	for (int i = 0; i < 4; i++)
		ratelimit_hit(db, RL_RESET_ACCOUNT, "frank@example.org");
	ratelimit_hit(db, RL_RESET_ACCOUNT, "grace@example.org");
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "frank@example.org"), 1);
	assert_int_equal(ratelimit_clear(db, RL_RESET_ACCOUNT, "frank@example.org"), 0);
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "frank@example.org"), 0);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "frank@example.org"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rate_limits"), 2); /* grace kept */
}

static void test_new_window_starts_afresh(void **state)
{
	struct db *db = *state;
	for (int i = 0; i < 3; i++)
		ratelimit_hit(db, RL_RESET_ACCOUNT, "heidi@example.org");
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "heidi@example.org"), 1);
	/* Move the counted window one window back: as if an hour had passed. */
	assert_int_equal(db_exec(db, "UPDATE rate_limits SET window_start = window_start - 3600"), 0);
	assert_int_equal(ratelimit_exceeded(db, RL_RESET_ACCOUNT, "heidi@example.org"), 0);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "heidi@example.org"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rate_limits"), 2);
	assert_int_equal(count(db, "SELECT MAX(hits) FROM rate_limits"), 3);
	int64_t now = time(NULL);
	int64_t start = -1;
	assert_int_equal(db_query_int(db, &start, "SELECT MAX(window_start) FROM rate_limits", ""), 0);
	assert_int_equal(start % 3600, 0);
	assert_true(start <= now && now < start + 3600);
	int retry = ratelimit_retry_after(RL_RESET_ACCOUNT);
	assert_true(retry > 0 && retry <= 3600);
}

static void test_cleanup_old_windows(void **state)
{
	struct db *db = *state;
	int64_t now = time(NULL);
	assert_int_equal(db_execv(db, "INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 4)", "ti",
				  "login_ip:old", now - 2 * 86400),
			 0);
	ratelimit_hit(db, RL_LOGIN_IP, "192.0.2.1");
	assert_int_equal(ratelimit_cleanup(db), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rate_limits"), 1);
	assert_int_equal(ratelimit_exceeded(db, RL_LOGIN_IP, "192.0.2.1"), 0);
	/* Hits delete old windows by themselves now and then (1 in 100). */
	for (int i = 0; i < 20; i++)
		assert_int_equal(db_execv(db, "INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1)",
					  "ti", "login_ip:old", now - 2 * 86400 - i),
				 0);
	int hits = 0;
	while (count(db, "SELECT COUNT(*) FROM rate_limits WHERE key = 'login_ip:old'") > 0 && hits < 2000) {
		ratelimit_hit(db, RL_SIGNUP_IP, "192.0.2.1");
		hits++;
	}
	print_message("old windows went after %d hits\n", hits);
	assert_true(hits < 2000);
}

static void test_configure(void **state)
{
	struct db *db = *state;
	assert_int_equal(ratelimit_configure("reset_account=5,mail_account=7"), 0);
	assert_int_equal(ratelimit_limit(RL_RESET_ACCOUNT), 5);
	assert_int_equal(ratelimit_limit(RL_MAIL_ACCOUNT), 7);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "ivan@example.org"), 0);
	assert_int_equal(ratelimit_hit(db, RL_RESET_ACCOUNT, "ivan@example.org"), 1);
	const char *bad[] = { "nope=3", "reset_account=0", "reset_account=x", "reset_account", "reset_account=3x",
			      "=4" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(ratelimit_configure(bad[i]), -1);
	assert_int_equal(ratelimit_configure(""), 0);
	assert_int_equal(ratelimit_configure("reset_account=3,mail_account=5"), 0);
	assert_int_equal(ratelimit_limit(RL_RESET_ACCOUNT), 3);
	assert_int_equal(ratelimit_limit(RL_MAIL_ACCOUNT), 5);
}

#define PER_THREAD 150

struct hitter {
	int allowed;
	int errors;
};

static void *hit_thread(void *arg)
{
	struct hitter *h = arg;
	struct db *db = NULL;
	if (db_open(current_url, &db)) {
		h->errors = PER_THREAD;
		return NULL;
	}
	for (int i = 0; i < PER_THREAD; i++) {
		int rc = ratelimit_hit(db, RL_LOGIN_IP, "198.51.100.9");
		if (rc < 0)
			h->errors++;
		else if (rc == 0)
			h->allowed++;
	}
	db_close(db);
	return NULL;
}

static void test_concurrent_hits_count_exactly(void **state)
{
	struct db *db = *state;
	struct hitter h[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hit_thread, &h[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(h[0].errors + h[1].errors, 0);
	/* Every hit counted once; a window boundary may fall during the run, so the windows add up. */
	assert_int_equal(count(db, "SELECT SUM(hits) FROM rate_limits"), 2 * PER_THREAD);
	/* Exactly the limit got through in each window, whichever thread got them. */
	int64_t expected = 0;
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT hits FROM rate_limits", "");
	assert_non_null(st);
	for (; step == DB_ROW; step = db_step(st)) {
		int64_t hits = db_col_int(st, 0), limit = ratelimit_limit(RL_LOGIN_IP);
		expected += hits < limit ? hits : limit;
	}
	db_reset(st);
	assert_int_equal(h[0].allowed + h[1].allowed, expected);
	assert_int_equal(ratelimit_limit(RL_LOGIN_IP), 30);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_limit_then_refused),
		DB_TEST(test_login_account_eleventh_refused),
		DB_TEST(test_subjects_and_rules_apart),
		DB_TEST(test_subject_not_stored_in_clear),
		DB_TEST(test_clear),
		DB_TEST(test_new_window_starts_afresh),
		DB_TEST(test_cleanup_old_windows),
		DB_TEST(test_configure),
		DB_TEST(test_concurrent_hits_count_exactly),
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
