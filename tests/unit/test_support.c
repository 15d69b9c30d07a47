/*
 * Signals (domain/support.c): once per person whatever the concurrency,
 * withdrawable, counters that always equal the rows, one activity per real
 * change, and nothing across territories. The races run real threads, each
 * with its own connection, on SQLite and on PostgreSQL.
 */
#include "testutil.h"

#include <pthread.h>

#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/support.h"
#include "domain/territory.h"
#include "core/banned.h"

#define THREADS 12
#define ROUNDS 5

static struct test_db_urls urls;
static const char *current_url;

struct world {
	struct db *db;
	int64_t t, t2, user, initiative, need;
};

static int64_t scalar(struct db *db, const char *sql, int64_t a)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", a), 0);
	return n;
}

static int64_t make_user(struct db *db, const char *email)
{
	int64_t id;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO users (email, display_name, created_at, email_confirmed_at)"
				      " VALUES (?, ?, 0, 0) RETURNING id",
				      "tt", email, email),
			 0);
	return id;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	w->db = test_db_open_migrated(current_url);
	const char *h1[] = { "un.localhost", NULL }, *h2[] = { "deux.localhost", NULL };
	assert_int_equal(territory_create(w->db, "un", "Un", "", "", h1, &w->t), 0);
	assert_int_equal(territory_create(w->db, "deux", "Deux", "", "", h2, &w->t2), 0);
	w->user = make_user(w->db, "ana@example.org");
	struct need_new n = { .author_id = w->user, .title = "Des bancs" };
	assert_int_equal(need_create(w->db, w->t, &n, &w->need), 0);
	struct initiative_new in = { .author_id = w->user, .title = "Un banc partagé" };
	assert_int_equal(initiative_create(w->db, w->t, &in, &w->initiative), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	db_close(w->db);
	free(w);
	return 0;
}

static int64_t support_count(struct world *w)
{
	return scalar(w->db, "SELECT support_count FROM initiatives WHERE id = ?", w->initiative);
}

static int64_t support_rows(struct world *w)
{
	return scalar(w->db, "SELECT COUNT(*) FROM supports WHERE initiative_id = ?", w->initiative);
}

static int64_t activities(struct world *w, const char *verb_sql)
{
	return scalar(w->db, verb_sql, w->initiative);
}

static void test_support_once_and_withdraw(void **state)
{
	struct world *w = *state;
	int changed = -1;
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, w->initiative, w->user, 1, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, w->initiative, w->user, 1, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(support_count(w), 1);
	assert_int_equal(support_rows(w), 1);
	assert_int_equal(signal_given(w->db, SIGNAL_SUPPORT, w->initiative, w->user), 1);
	assert_int_equal(activities(w, "SELECT COUNT(*) FROM activities WHERE verb = 'Like'"
				       " AND object_type = 'initiative' AND object_id = ?"), 1);

	int64_t other = make_user(w->db, "bea@example.org");
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, w->initiative, other, 1, NULL), 0);
	assert_int_equal(support_count(w), 2);

	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, w->initiative, w->user, 0, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, w->initiative, w->user, 0, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(support_count(w), 1);
	assert_int_equal(support_rows(w), 1);
	assert_int_equal(signal_given(w->db, SIGNAL_SUPPORT, w->initiative, w->user), 0);
	assert_int_equal(activities(w, "SELECT COUNT(*) FROM activities WHERE verb = 'Undo'"
				       " AND object_type = 'initiative' AND object_id = ?"), 1);
	int64_t n;
	assert_int_equal(signal_count(w->db, SIGNAL_SUPPORT, w->initiative, &n), 0);
	assert_int_equal(n, 1);
}

static void test_metoo_and_follow(void **state)
{
	struct world *w = *state;
	assert_int_equal(signal_set(w->db, SIGNAL_METOO, w->t, w->need, w->user, 1, NULL), 0);
	assert_int_equal(signal_set(w->db, SIGNAL_METOO, w->t, w->need, w->user, 1, NULL), 0);
	assert_int_equal(scalar(w->db, "SELECT metoo_count FROM needs WHERE id = ?", w->need), 1);
	assert_int_equal(signal_set(w->db, SIGNAL_METOO, w->t, w->need, w->user, 0, NULL), 0);
	assert_int_equal(scalar(w->db, "SELECT metoo_count FROM needs WHERE id = ?", w->need), 0);
	/* Withdrawing what was never given leaves the counter at 0, not -1. */
	assert_int_equal(signal_set(w->db, SIGNAL_METOO, w->t, w->need, w->user, 0, NULL), 0);
	assert_int_equal(scalar(w->db, "SELECT metoo_count FROM needs WHERE id = ?", w->need), 0);

	int changed;
	assert_int_equal(signal_set(w->db, SIGNAL_FOLLOW_NEED, w->t, w->need, w->user, 1, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(signal_set(w->db, SIGNAL_FOLLOW_INITIATIVE, w->t, w->initiative, w->user, 1,
				    NULL), 0);
	assert_int_equal(signal_given(w->db, SIGNAL_FOLLOW_NEED, w->need, w->user), 1);
	/* A need and an initiative may share an id: follows tell them apart by type. */
	assert_int_equal(scalar(w->db, "SELECT COUNT(*) FROM follows WHERE user_id = ?", w->user), 2);
	assert_int_equal(signal_set(w->db, SIGNAL_FOLLOW_NEED, w->t, w->need, w->user, 0, NULL), 0);
	assert_int_equal(signal_given(w->db, SIGNAL_FOLLOW_NEED, w->need, w->user), 0);
	assert_int_equal(signal_given(w->db, SIGNAL_FOLLOW_INITIATIVE, w->initiative, w->user), 1);
}

static void test_other_territory_and_unknown(void **state)
{
	struct world *w = *state;
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t2, w->initiative, w->user, 1, NULL), 1);
	assert_int_equal(signal_set(w->db, SIGNAL_METOO, w->t2, w->need, w->user, 1, NULL), 1);
	assert_int_equal(signal_set(w->db, SIGNAL_FOLLOW_NEED, w->t2, w->need, w->user, 1, NULL), 1);
	assert_int_equal(signal_set(w->db, SIGNAL_SUPPORT, w->t, 999999, w->user, 1, NULL), 1);
	assert_int_equal(support_count(w), 0);
	assert_int_equal(support_rows(w), 0);
	assert_int_equal(scalar(w->db, "SELECT COUNT(*) FROM follows WHERE user_id = ?", w->user), 0);
}

/* One racing thread: its own connection, ROUNDS tries of the same signal. */
struct racer {
	struct world *w;
	int64_t user;
	int on;
	int changed; /* how many of its tries changed something */
	int failed;
	pthread_barrier_t *start;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct db *db = NULL;
	if (db_open(current_url, &db)) {
		r->failed = 1;
		pthread_barrier_wait(r->start);
		return NULL;
	}
	pthread_barrier_wait(r->start);
	for (int i = 0; i < ROUNDS; i++) {
		int changed = 0;
		if (signal_set(db, SIGNAL_SUPPORT, r->w->t, r->w->initiative, r->user, r->on, &changed))
			r->failed = 1;
		r->changed += changed;
	}
	db_close(db);
	return NULL;
}

/* THREADS threads at once; users[i] is thread i's person. Returns how many changes they saw. */
static int run_race(struct world *w, const int64_t *users, int on)
{
	pthread_t th[THREADS];
	struct racer r[THREADS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .w = w, .user = users[i], .on = on, .start = &start };
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	int changes = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].failed, 0);
		changes += r[i].changed;
	}
	pthread_barrier_destroy(&start);
	return changes;
}

static void test_one_person_racing_is_one_support(void **state)
{
	struct world *w = *state;
	int64_t users[THREADS];
	for (int i = 0; i < THREADS; i++)
		users[i] = w->user;
	assert_int_equal(run_race(w, users, 1), 1);
	assert_int_equal(support_rows(w), 1);
	assert_int_equal(support_count(w), 1);
	assert_int_equal(activities(w, "SELECT COUNT(*) FROM activities WHERE verb = 'Like'"
				       " AND object_id = ?"), 1);
	assert_int_equal(run_race(w, users, 0), 1);
	assert_int_equal(support_rows(w), 0);
	assert_int_equal(support_count(w), 0);
}

static void test_many_people_racing_are_counted(void **state)
{
	struct world *w = *state;
	int64_t users[THREADS];
	for (int i = 0; i < THREADS; i++) {
		char email[64];
		snprintf(email, sizeof(email), "p%d@example.org", i);
		users[i] = make_user(w->db, email);
	}
	assert_int_equal(run_race(w, users, 1), THREADS);
	assert_int_equal(support_rows(w), THREADS);
	assert_int_equal(support_count(w), THREADS);
	/* All withdraw at once: each once, and the counter still equals the rows. */
	assert_int_equal(run_race(w, users, 0), THREADS);
	assert_int_equal(support_count(w), support_rows(w));
	assert_int_equal(support_count(w), 0);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_support_once_and_withdraw),
		DB_TEST(test_metoo_and_follow),
		DB_TEST(test_other_territory_and_unknown),
		DB_TEST(test_one_person_racing_is_one_support),
		DB_TEST(test_many_people_racing_are_counted),
	};
	int failed = 0;
	log_set_quiet(1);
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL,
						  NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
