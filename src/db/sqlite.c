/*
 * The SQLite backend: the default, so that a town can run Tremplin from one
 * file with nothing else to install. Each worker thread opens its own
 * connection (NOMUTEX); WAL lets readers run beside the one writer, and the
 * busy timeout makes writers queue instead of failing.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "db/backend.h"

#include "core/banned.h"

#define BUSY_TIMEOUT_MS 5000

struct sq_db {
	struct db base;
	sqlite3 *conn;
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static sqlite3 *conn_of(struct db *db)
{
	return ((struct sq_db *)db)->conn;
}

static sqlite3_stmt *st_of(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

/* Create every missing directory above the file (var/ on a fresh checkout). */
static int make_parent_dirs(const char *path)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			rc = error("db: cannot create directory %s: %s", dir, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

static int is_special_name(const char *path)
{
	return !strcmp(path, ":memory:") || !strncmp(path, "file:", 5);
}

/*
 * WAL and busy_timeout for concurrency, synchronous=FULL so that a commit
 * survives a power cut, and foreign keys, which SQLite leaves off by default.
 */
static const char setup_sql[] = "PRAGMA journal_mode = WAL;"
				"PRAGMA synchronous = FULL;"
				"PRAGMA foreign_keys = ON;";

static int sq_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(conn_of(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("db: %s: in: %.200s", msg ? msg : sqlite3_errmsg(conn_of(db)), sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void sq_close(struct db *db)
{
	sqlite3_close(conn_of(db));
	free(db);
}

static int sq_open(const char *path, struct db **out)
{
	struct sq_db *sq = xcalloc(1, sizeof(*sq));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	db_init_common(&sq->base, &db_sqlite_ops);
	if (!is_special_name(path) && make_parent_dirs(path))
		goto fail;
	if (sqlite3_open_v2(path, &sq->conn, flags, NULL) != SQLITE_OK) {
		error("db: cannot open %s: %s", path, sqlite3_errmsg(sq->conn));
		goto fail;
	}
	sqlite3_busy_timeout(sq->conn, BUSY_TIMEOUT_MS);
	if (sq_exec(&sq->base, setup_sql))
		goto fail;
	*out = &sq->base;
	return 0;
fail:
	free(sq->base.buckets);
	sq_close(&sq->base);
	return -1;
}

static int only_space(const char *s)
{
	return s[strspn(s, " \t\r\n;")] == '\0';
}

static struct db_stmt *sq_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *raw = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v3(conn_of(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, &tail) != SQLITE_OK) {
		error("db: %s: in: %s", sqlite3_errmsg(conn_of(db)), sql);
		return NULL;
	}
	/* db_prepare() takes one statement; the rest would be silently ignored. */
	if (!raw || !only_space(tail)) {
		sqlite3_finalize(raw);
		error("db: not exactly one statement: %s", sql);
		return NULL;
	}
	struct sq_stmt *st = xcalloc(1, sizeof(*st));
	st->st = raw;
	st->base.nparams = sqlite3_bind_parameter_count(raw);
	return &st->base;
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(st_of(st));
	free(st);
}

static int bind_result(struct db_stmt *st, int idx, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	return error("db: bind %d: %s: in: %s", idx, sqlite3_errmsg(conn_of(st->db)), st->sql);
}

static int sq_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	return bind_result(st, idx, sqlite3_bind_int64(st_of(st), idx, v));
}

static int sq_bind_textn(struct db_stmt *st, int idx, const char *text, size_t len)
{
	/* TRANSIENT: SQLite copies, so the caller's buffer may go before the step. */
	int rc = sqlite3_bind_text64(st_of(st), idx, text, len, SQLITE_TRANSIENT, SQLITE_UTF8);
	return bind_result(st, idx, rc);
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
	return bind_result(st, idx, sqlite3_bind_null(st_of(st), idx));
}

static int sq_step(struct db_stmt *st)
{
	int rc = sqlite3_step(st_of(st));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return error("db: %s: in: %s", sqlite3_errmsg(conn_of(st->db)), st->sql);
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(st_of(st));
	sqlite3_clear_bindings(st_of(st));
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(st_of(st));
}

/* Reading a column that is not there is a programming error, not data. */
static sqlite3_stmt *col_st(struct db_stmt *st, int col)
{
	if (col < 0 || col >= sqlite3_column_count(st_of(st)))
		BUG("db: column index out of range");
	return st_of(st);
}

static const char *sq_column_name(struct db_stmt *st, int col)
{
	return sqlite3_column_name(col_st(st, col), col);
}

static int sq_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(col_st(st, col), col) == SQLITE_NULL;
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(col_st(st, col), col);
	return text ? (const char *)text : "";
}

static size_t sq_col_len(struct db_stmt *st, int col)
{
	/* After column_text, so that the length is that of the text form. */
	sqlite3_column_text(col_st(st, col), col);
	return (size_t)sqlite3_column_bytes(st_of(st), col);
}

static int64_t sq_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(col_st(st, col), col);
}

static double sq_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(col_st(st, col), col);
}

/* IMMEDIATE takes the write lock now, so a busy writer waits here, not at COMMIT. */
static int sq_begin(struct db *db)
{
	return sq_exec(db, "BEGIN IMMEDIATE");
}

static int sq_rollback(struct db *db)
{
	/* SQLite may already have rolled back on its own (e.g. after SQLITE_FULL). */
	if (sqlite3_get_autocommit(conn_of(db)))
		return 0;
	return sq_exec(db, "ROLLBACK");
}

static int sq_commit(struct db *db)
{
	if (sq_exec(db, "COMMIT") == 0)
		return 0;
	/* Do not leave the connection inside a transaction nobody will end. */
	sq_rollback(db);
	return -1;
}

const struct db_ops db_sqlite_ops = {
	.kind = DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.bind_int = sq_bind_int,
	.bind_textn = sq_bind_textn,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.col_is_null = sq_col_is_null,
	.col_text = sq_col_text,
	.col_len = sq_col_len,
	.col_int = sq_col_int,
	.col_double = sq_col_double,
	.exec = sq_exec,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
};
