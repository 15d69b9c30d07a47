/*
 * The database interface, run on every backend the machine offers (SQLite
 * always, PostgreSQL when TREMPLIN_TEST_PG is set): each case starts from an
 * empty, migrated database and checks what the database then holds.
 */
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/embedded.h"
#include "core/mem.h"

static struct test_db_urls urls;
static const char *current_url; /* the backend the running group tests */

static const char utf8_name[] = "Épicerie solidaire – l’été";
static const char evil[] = "'; DROP TABLE territories; --";

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

static int is_pg(struct db *db)
{
	return db_kind(db) == DB_POSTGRES;
}

static int64_t count_rows(struct db *db, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

static int64_t add_territory(struct db *db, const char *slug, const char *name)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO territories (slug, name, created_at) "
				      "VALUES (?, ?, ?) RETURNING id",
				      "tti", slug, name, (int64_t)1700000000),
			 0);
	assert_true(id > 0);
	return id;
}

static int highest_migration(int *count)
{
	int highest = 0;
	*count = 0;
	for (const struct embedded_file *f = embedded_migrations; f->name; f++, (*count)++)
		highest = atoi(f->name);
	return highest;
}

static void test_migrate_from_scratch(void **state)
{
	(void)state;
	int files, highest = highest_migration(&files);
	struct db *db = test_db_open_clean(current_url);
	assert_int_equal(db_schema_version(db), 0);
	assert_int_equal(db_migrate(db), 0);
	assert_int_equal(db_schema_version(db), highest);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"), files);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 0);
	db_close(db);
}

static void test_migrate_twice_is_noop(void **state)
{
	struct db *db = *state;
	int files, highest = highest_migration(&files);
	int64_t id = add_territory(db, "sceaux", "Sceaux");
	/* Re-running 0001 would fail on CREATE TABLE: success means nothing ran. */
	assert_int_equal(db_migrate(db), 0);
	assert_int_equal(db_schema_version(db), highest);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"), files);
	assert_int_equal(count_rows(db, "SELECT MAX(id) FROM territories"), id);
}

static void *migrate_thread(void *arg)
{
	(void)arg;
	struct db *db = NULL;
	intptr_t rc = db_open(current_url, &db);
	if (!rc)
		rc = db_migrate(db);
	db_close(db);
	return (void *)rc;
}

static void test_concurrent_migrate(void **state)
{
	(void)state;
	int files;
	highest_migration(&files);
	db_close(test_db_open_clean(current_url));
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, NULL), 0);
	for (int i = 0; i < 3; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_int_equal((intptr_t)rc, 0);
	}
	struct db *db = NULL;
	assert_int_equal(db_open(current_url, &db), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM schema_migrations"), files);
	db_close(db);
}

static void test_insert_returning_and_select(void **state)
{
	struct db *db = *state;
	const int64_t big = INT64_C(5000000000123); /* beyond 2^32 */
	int64_t id = 0;
	int step = -1;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO territories (slug, name, created_at) VALUES (?, ?, ?) RETURNING id",
				      "tti", "sceaux", utf8_name, big),
			 0);
	struct db_stmt *st = db_query(db, &step, "SELECT name, tagline, created_at FROM territories WHERE id = ?",
				      "i", id);
	assert_non_null(st);
	assert_int_equal(step, DB_ROW);
	assert_int_equal(db_column_count(st), 3);
	assert_string_equal(db_column_name(st, 0), "name");
	assert_string_equal(db_col_text(st, 0), utf8_name);
	assert_int_equal(db_col_len(st, 0), strlen(utf8_name));
	assert_false(db_col_is_null(st, 1));
	assert_string_equal(db_col_text(st, 1), "");
	assert_true(db_col_int(st, 2) == big);
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
}

static void test_null_and_int64(void **state)
{
	struct db *db = *state;
	const int64_t neg = -(INT64_C(1) << 40), max = INT64_MAX;
	int64_t a = 0, b = 0;
	int step;
	const char *sql = "INSERT INTO users (email, display_name, created_at) VALUES (?, ?, ?) RETURNING id";
	assert_int_equal(db_query_int(db, &a, sql, "tti", NULL, "Zoé", neg), 0);
	assert_int_equal(db_query_int(db, &b, sql, "nti", "Lou", max), 0);
	struct db_stmt *st = db_query(db, &step, "SELECT email, created_at FROM users ORDER BY id", "");
	assert_int_equal(step, DB_ROW);
	assert_true(db_col_is_null(st, 0));
	assert_string_equal(db_col_text(st, 0), "");
	assert_int_equal(db_col_len(st, 0), 0);
	assert_true(db_col_int(st, 1) == neg);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_is_null(st, 0));
	assert_true(db_col_int(st, 1) == max);
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
}

static void test_bool_and_double(void **state)
{
	struct db *db = *state;
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT 1 = 1, 1 = 0, 2.5, ?", "i", (int64_t)-7);
	assert_int_equal(step, DB_ROW);
	assert_int_equal(db_col_int(st, 0), 1);
	assert_int_equal(db_col_int(st, 1), 0);
	assert_true(db_col_double(st, 2) == 2.5);
	assert_true(db_col_int(st, 3) == -7);
	db_reset(st);
}

static void test_injection_stays_data(void **state)
{
	struct db *db = *state;
	int64_t id = add_territory(db, evil, evil), found = 0;
	assert_int_equal(db_query_int(db, &found, "SELECT id FROM territories WHERE name = ?", "t", evil), 0);
	assert_true(found == id);
	int step;
	struct db_stmt *st = db_query(db, &step, "SELECT slug FROM territories WHERE id = ?", "i", id);
	assert_int_equal(step, DB_ROW);
	assert_string_equal(db_col_text(st, 0), evil);
	db_reset(st);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 1);
}

static void test_transactions(void **state)
{
	struct db *db = *state;
	assert_int_equal(db_begin(db), 0);
	add_territory(db, "gone", "Gone");
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 1);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 0);

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_begin(db), -1); /* no nesting */
	add_territory(db, "kept", "Kept");
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories WHERE slug = 'kept'"), 1);
}

static void test_foreign_keys(void **state)
{
	struct db *db = *state;
	assert_int_equal(db_execv(db,
				  "INSERT INTO needs (territory_id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
				  "itii", (int64_t)999999, "Orphan", (int64_t)1, (int64_t)1),
			 -1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM needs"), 0);
	int64_t t = add_territory(db, "sceaux", "Sceaux");
	assert_int_equal(db_execv(db,
				  "INSERT INTO needs (territory_id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
				  "itii", t, "Fine", (int64_t)1, (int64_t)1),
			 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM needs"), 1);
}

static void test_statement_cache(void **state)
{
	struct db *db = *state;
	static const char sql[] = "SELECT COUNT(*) FROM territories WHERE slug = ?";
	char copy[sizeof(sql)];
	memcpy(copy, sql, sizeof(sql));
	struct db_stmt *a = db_prepare(db, sql);
	assert_non_null(a);
	assert_ptr_equal(db_prepare(db, sql), a);
	assert_ptr_equal(db_prepare(db, copy), a); /* keyed by text, not address */

	uint64_t before = db_statement_count(db);
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "t", "x"), 0);
	assert_int_equal(db_query_int(db, &n, sql, "t", "y"), 0);
	assert_int_equal(db_exec(db, "SELECT 1"), 0);
	assert_int_equal(db_statement_count(db), before + 3);

	/* A forgotten reset does not wedge the statement. */
	int step;
	assert_non_null(db_query(db, &step, sql, "t", "x"));
	assert_int_equal(db_query_int(db, &n, sql, "t", "x"), 0);
	assert_int_equal(n, 0);

	/* Many statements: the cache grows and still finds each one. */
	struct db_stmt *many[100];
	char text[100][32];
	for (int i = 0; i < 100; i++) {
		snprintf(text[i], sizeof(text[i]), "SELECT %d", i);
		many[i] = db_prepare(db, text[i]);
		assert_non_null(many[i]);
	}
	for (int i = 0; i < 100; i++) {
		assert_ptr_equal(db_prepare(db, text[i]), many[i]);
		assert_int_equal(db_step(many[i]), DB_ROW);
		assert_int_equal(db_col_int(many[i], 0), i);
		db_reset(many[i]);
	}

	/* A bad statement is refused, every time, and not cached. */
	assert_null(db_prepare(db, "SELEC nonsense"));
	assert_null(db_prepare(db, "SELEC nonsense"));
	assert_int_equal(db_ping(db), 0);
}

static void test_direct_binding(void **state)
{
	struct db *db = *state;
	struct db_stmt *st = db_prepare(db, "SELECT ?, ?, ?, ?");
	assert_non_null(st);
	assert_int_equal(db_bind_int(st, 1, INT64_MIN + 1), 0);
	assert_int_equal(db_bind_textn(st, 2, "Sceaux-les-Bains", 6), 0);
	assert_int_equal(db_bind_text(st, 3, NULL), 0);
	assert_int_equal(db_bind_text(st, 4, "x"), 0);
	assert_int_equal(db_bind_null(st, 4), 0); /* the last binding wins */
	assert_int_equal(db_bind_int(st, 5, 1), -1);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_int(st, 0) == INT64_MIN + 1);
	assert_string_equal(db_col_text(st, 1), "Sceaux");
	assert_true(db_col_is_null(st, 2));
	assert_true(db_col_is_null(st, 3));
	assert_int_equal(db_bind_int(st, 1, 2), -1); /* running: reset first */
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_step(st), DB_DONE); /* not run again */
	db_reset(st);
	/* Bindings do not survive a reset. */
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_col_is_null(st, 0));
	db_reset(st);
}

static void test_question_mark_in_literals(void **state)
{
	struct db *db = *state;
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT 'a?b' AS \"q?\", ?, 'it''s ?' /* ? */ -- ?\n, ?",
				      "it", (int64_t)7, "?");
	assert_non_null(st);
	assert_int_equal(step, DB_ROW);
	assert_string_equal(db_column_name(st, 0), "q?");
	assert_string_equal(db_col_text(st, 0), "a?b");
	assert_int_equal(db_col_int(st, 1), 7);
	assert_string_equal(db_col_text(st, 2), "it's ?");
	assert_string_equal(db_col_text(st, 3), "?");
	db_reset(st);
	if (!is_pg(db))
		return;
	/* E'' strings take backslash escapes: \' does not end them. */
	st = db_query(db, &step, "SELECT E'x\\'?', ?", "i", (int64_t)8);
	assert_non_null(st);
	assert_string_equal(db_col_text(st, 0), "x'?");
	assert_int_equal(db_col_int(st, 1), 8);
	db_reset(st);
}

static void test_bad_urls(void **state)
{
	(void)state;
	struct db *db = NULL;
	assert_int_equal(db_open("", &db), -1);
	assert_int_equal(db_open("mysql://localhost/x", &db), -1);
	assert_int_equal(db_open("postgres://127.0.0.1:1/none?connect_timeout=2", &db), -1);
	assert_null(db);
}

static void test_sqlite_settings(void **state)
{
	(void)state;
	if (strncmp(current_url, "sqlite:", 7))
		skip();
	char url[256];
	snprintf(url, sizeof(url), "sqlite:%s/var/deep/x.db", urls.dir);
	struct db *db = NULL;
	assert_int_equal(db_open(url, &db), 0); /* creates var/deep/ */
	int step;
	struct db_stmt *st = db_query(db, &step, "PRAGMA journal_mode", "");
	assert_string_equal(db_col_text(st, 0), "wal");
	db_reset(st);
	int64_t v = 0;
	assert_int_equal(db_query_int(db, &v, "PRAGMA foreign_keys", ""), 0);
	assert_int_equal(v, 1);
	assert_int_equal(db_query_int(db, &v, "PRAGMA synchronous", ""), 0);
	assert_int_equal(v, 2); /* FULL */
	db_close(db);
}

/* Run fn in a child process and report whether it died of a BUG(). */
static int dies_of_bug(void (*fn)(struct db *))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db *db = NULL;
		if (!freopen("/dev/null", "w", stderr) || db_open("sqlite::memory:", &db))
			_exit(2);
		fn(db);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void too_few_letters(struct db *db)
{
	db_execv(db, "SELECT ?, ?", "i", (int64_t)1);
}

static void too_many_letters(struct db *db)
{
	db_execv(db, "SELECT ?", "ii", (int64_t)1, (int64_t)2);
}

static void unknown_letter(struct db *db)
{
	db_execv(db, "SELECT ?", "x", (int64_t)1);
}

static void right_letters(struct db *db)
{
	db_execv(db, "SELECT ?, ?", "in", (int64_t)1);
}

static void test_type_letters_mismatch_is_bug(void **state)
{
	(void)state;
	if (strncmp(current_url, "sqlite:", 7))
		skip(); /* the check is backend-independent */
	assert_true(dies_of_bug(too_few_letters));
	assert_true(dies_of_bug(too_many_letters));
	assert_true(dies_of_bug(unknown_letter));
	assert_false(dies_of_bug(right_letters));
}

static int64_t backend_pid(struct db *db)
{
	int64_t pid = 0;
	assert_int_equal(db_query_int(db, &pid, "SELECT pg_backend_pid()", ""), 0);
	return pid;
}

/* From a second connection, so the victim is idle when it dies. */
static void terminate(int64_t pid)
{
	struct db *killer = NULL;
	int64_t done = 0;
	assert_int_equal(db_open(current_url, &killer), 0);
	/* With a timeout, the call waits until the backend has gone. */
	assert_int_equal(db_query_int(killer, &done, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)",
				      "i", pid),
			 0);
	assert_int_equal(done, 1);
	db_close(killer);
}

static void test_reconnect_after_self_kill(void **state)
{
	struct db *db = *state;
	if (!is_pg(db))
		skip();
	int64_t pid = backend_pid(db);
	add_territory(db, "before", "Before");
	int64_t ignored;
	db_query_int(db, &ignored, "SELECT pg_terminate_backend(pg_backend_pid())", "");
	/* The next query reconnects; statements prepared before still work. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 1);
	assert_true(backend_pid(db) != pid);
	add_territory(db, "after", "After");
}

static void test_reconnect_after_remote_kill(void **state)
{
	struct db *db = *state;
	if (!is_pg(db))
		skip();
	int64_t pid = backend_pid(db);
	add_territory(db, "before", "Before");
	terminate(pid);
	/* A write too: the connection is found dead before anything is sent. */
	add_territory(db, "after", "After");
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 2);
	assert_true(backend_pid(db) != pid);
	/* The session settings came back with the new session. */
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT current_setting('client_encoding'), "
				      "current_setting('synchronous_commit')",
				      "");
	assert_string_equal(db_col_text(st, 0), "UTF8");
	assert_string_equal(db_col_text(st, 1), "on");
	db_reset(st);
}

static void test_no_reconnect_inside_transaction(void **state)
{
	struct db *db = *state;
	if (!is_pg(db))
		skip();
	assert_int_equal(db_begin(db), 0);
	add_territory(db, "lost", "Lost");
	terminate(backend_pid(db));
	int64_t n;
	assert_int_equal(db_query_int(db, &n, "SELECT COUNT(*) FROM territories", ""), -1);
	assert_int_equal(db_commit(db), -1);
	/* The transaction is over; the connection works again. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 0);

	assert_int_equal(db_begin(db), 0);
	terminate(backend_pid(db));
	assert_int_equal(db_rollback(db), 0); /* the server rolled back already */
	assert_int_equal(db_ping(db), 0);
}

struct writer {
	int id;
	int failures;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	struct db *db = NULL;
	if (db_open(current_url, &db)) {
		w->failures = 500;
		return NULL;
	}
	for (int i = 0; i < 500; i++) {
		char slug[32];
		snprintf(slug, sizeof(slug), "w%d-%d", w->id, i);
		if (db_execv(db, "INSERT INTO territories (slug, name, created_at) VALUES (?, ?, ?)", "tti", slug,
			     slug, (int64_t)i))
			w->failures++;
	}
	db_close(db);
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct db *db = *state;
	struct writer w[2] = { { .id = 1 }, { .id = 2 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].failures + w[1].failures, 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 1000);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_from_scratch),
		DB_TEST(test_migrate_twice_is_noop),
		cmocka_unit_test(test_concurrent_migrate),
		DB_TEST(test_insert_returning_and_select),
		DB_TEST(test_null_and_int64),
		DB_TEST(test_bool_and_double),
		DB_TEST(test_injection_stays_data),
		DB_TEST(test_transactions),
		DB_TEST(test_foreign_keys),
		DB_TEST(test_statement_cache),
		DB_TEST(test_direct_binding),
		DB_TEST(test_question_mark_in_literals),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_sqlite_settings),
		cmocka_unit_test(test_type_letters_mismatch_is_bug),
		DB_TEST(test_reconnect_after_self_kill),
		DB_TEST(test_reconnect_after_remote_kill),
		DB_TEST(test_no_reconnect_inside_transaction),
		DB_TEST(test_concurrent_writers),
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
