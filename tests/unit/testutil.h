/*
 * What every unit test includes: cmocka with its required headers, and the
 * database URLs the db tests run against (SQLite always; PostgreSQL when
 * TREMPLIN_TEST_PG names a database).
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "db/db.h"

/*
 * The databases the db-backed tests run on: a SQLite file in a fresh
 * temporary directory, always, and the PostgreSQL database named by
 * TREMPLIN_TEST_PG, when set (tools/pg-cluster.sh starts one).
 *
 * WARNING: test_db_open_clean() WIPES that PostgreSQL database (DROP SCHEMA
 * public CASCADE) before each test. Point TREMPLIN_TEST_PG only at a
 * throw-away database. Test programs must not run in parallel against it.
 */
struct test_db_urls {
	int count;
	const char *url[2];
	char dir[64];         /* the SQLite file's temporary directory */
	char sqlite_url[128]; /* "sqlite:DIR/test.db" */
};

static inline void test_db_urls_init(struct test_db_urls *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->dir, sizeof(u->dir), "/tmp/tremplin-test-XXXXXX");
	if (!mkdtemp(u->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(u->sqlite_url, sizeof(u->sqlite_url), "sqlite:%s/test.db", u->dir);
	u->url[u->count++] = u->sqlite_url;
	const char *pg = getenv("TREMPLIN_TEST_PG");
	if (pg && *pg)
		u->url[u->count++] = pg;
}

static inline int test_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the temporary directory and everything the tests left in it. */
static inline void test_db_urls_release(struct test_db_urls *u)
{
	nftw(u->dir, test_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* "sqlite" or "postgres", to name a cmocka group. */
static inline const char *test_db_name(const char *url)
{
	return strncmp(url, "sqlite:", 7) ? "postgres" : "sqlite";
}

/* Remove a SQLite database file and its WAL companions. */
static inline void test_db_remove_sqlite(const char *path)
{
	char name[PATH_MAX];
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

/*
 * A connection to an empty database: the SQLite file is deleted first; the
 * PostgreSQL schema `public` is dropped and created again. Fails the test on
 * error. The caller closes it with db_close().
 */
static inline struct db *test_db_open_clean(const char *url)
{
	struct db *db = NULL;
	if (!strncmp(url, "sqlite:", 7))
		test_db_remove_sqlite(url + 7);
	assert_int_equal(db_open(url, &db), 0);
	if (db_kind(db) == DB_POSTGRES)
		assert_int_equal(db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"), 0);
	return db;
}

/* The same, with every migration applied. */
static inline struct db *test_db_open_migrated(const char *url)
{
	struct db *db = test_db_open_clean(url);
	assert_int_equal(db_migrate(db), 0);
	return db;
}

#endif
