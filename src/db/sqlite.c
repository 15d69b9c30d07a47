/*
 * The SQLite backend: the default, so that a town can run Tremplin from one
 * file with nothing else to install. Each worker thread opens its own
 * connection (NOMUTEX); WAL lets readers run beside the one writer, and the
 * busy timeout makes writers queue instead of failing.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* sqlite3_exec on a bare handle (the backup works on two of them); 0 or -1 (logged). */
static int sq_exec_raw(sqlite3 *conn, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("db: %s: in: %.200s", msg ? msg : sqlite3_errmsg(conn), sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int sq_exec(struct db *db, const char *sql)
{
	return sq_exec_raw(conn_of(db), sql);
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

/* ---- online backup (db_backup in db.h) ---- */

/*
 * Pages copied per sqlite3_backup_step(): each step holds the copy's write
 * lock only, and the source's read snapshot stays open between steps, so
 * writers on the source are never blocked (WAL) and the copy never restarts.
 */
#define BACKUP_STEP_PAGES 256

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Remove path+suffix if it exists; 0 or -1 (logged). */
static int remove_with_suffix(const char *path, const char *suffix)
{
	struct buf name = BUF_INIT;
	buf_addf(&name, "%s%s", path, suffix);
	int rc = unlink(name.ptr) && errno != ENOENT ? error("backup: cannot remove %s: %s", name.ptr, strerror(errno)) : 0;
	buf_release(&name);
	return rc;
}

static int exists_with_suffix(const char *path, const char *suffix)
{
	struct buf name = BUF_INIT;
	buf_addf(&name, "%s%s", path, suffix);
	int rc = access(name.ptr, F_OK) == 0;
	buf_release(&name);
	return rc;
}

/* fsync a file, or the directory holding it (dir != 0), so a rename survives a power cut. */
static int sync_path(const char *path, int dir)
{
	char *copy = xstrdup(path);
	const char *target = copy;
	if (dir) {
		char *slash = strrchr(copy, '/');
		if (!slash)
			target = ".";
		else if (slash == copy)
			target = "/";
		else
			*slash = '\0';
	}
	int fd = open(target, O_RDONLY | (dir ? O_DIRECTORY : 0));
	int rc = fd < 0 || fsync(fd) ? error("backup: cannot sync %s: %s", target, strerror(errno)) : 0;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

/* Copy src into dst step by step; the number of pages, or -1 (logged). */
static int64_t backup_copy(sqlite3 *src, sqlite3 *dst, int *steps)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b)
		return error("backup: %s", sqlite3_errmsg(dst));
	int rc;
	do {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		(*steps)++;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	int64_t pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return error("backup: copy failed: %s", sqlite3_errstr(rc));
	return pages;
}

/* PRAGMA integrity_check on the copy answers exactly "ok"; 0 or -1 (logged). */
static int backup_check(sqlite3 *dst, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		error("backup: %s: %s", name, sqlite3_errmsg(dst));
	} else if (sqlite3_step(st) != SQLITE_ROW) {
		error("backup: integrity_check of %s gave no answer: %s", name, sqlite3_errmsg(dst));
	} else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		error("backup: integrity_check of %s failed: %s", name, sqlite3_column_text(st, 0));
	} else {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int backup_open(const char *path, int flags, sqlite3 **out)
{
	if (sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return error("backup: cannot open %s: %s", path, sqlite3_errmsg(*out));
	sqlite3_busy_timeout(*out, BUSY_TIMEOUT_MS);
	return 0;
}

/*
 * Into tmp: the snapshot of path as of the first read, as one
 * self-contained file (journal_mode DELETE: no -wal beside it), checked.
 */
static int backup_to_tmp(const char *path, const char *tmp, struct db_backup_report *report)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;
	/* Never SQLITE_OPEN_CREATE: a mistyped path must not back up a new empty database. */
	if (backup_open(path, SQLITE_OPEN_READWRITE, &src) < 0 ||
	    sq_exec_raw(src, "BEGIN; SELECT COUNT(*) FROM sqlite_schema;") < 0 ||
	    backup_open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst) < 0)
		goto out;
	int64_t pages = backup_copy(src, dst, &report->steps);
	if (pages < 0)
		goto out;
	report->pages = pages;
	sq_exec_raw(src, "COMMIT");
	if (sq_exec_raw(dst, "PRAGMA journal_mode = DELETE;") < 0 || backup_check(dst, tmp) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(src);
	if (dst && sqlite3_close(dst) != SQLITE_OK && !rc)
		rc = error("backup: cannot close %s", tmp);
	return rc;
}

int db_sqlite_backup(const char *path, const char *dest, struct db_backup_report *report)
{
	struct buf tmp = BUF_INIT;
	buf_addf(&tmp, "%s.tmp", dest);
	int rc = -1;
	struct stat st;
	if (stat(path, &st)) {
		error("backup: no database at %s: %s", path, strerror(errno));
	} else if (same_file(path, dest)) {
		error("backup: %s is the database itself", dest);
	} else if (exists_with_suffix(dest, "-wal") || exists_with_suffix(dest, "-journal")) {
		error("backup: %s is in use (%s-wal or -journal exists): stop what has it open", dest, dest);
	} else if (!remove_with_suffix(tmp.ptr, "") && !remove_with_suffix(tmp.ptr, "-journal") &&
		   !remove_with_suffix(tmp.ptr, "-wal") && !remove_with_suffix(tmp.ptr, "-shm") &&
		   !backup_to_tmp(path, tmp.ptr, report) && !sync_path(tmp.ptr, 0)) {
		if (rename(tmp.ptr, dest))
			error("backup: cannot rename %s to %s: %s", tmp.ptr, dest, strerror(errno));
		else if (!sync_path(dest, 1) && !stat(dest, &st))
			rc = 0;
		report->bytes = (int64_t)st.st_size;
	}
	if (rc)
		remove_with_suffix(tmp.ptr, "");
	buf_release(&tmp);
	return rc;
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
