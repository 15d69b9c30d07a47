/*
 * One database interface, two backends: SQLite (the embedded default) and
 * PostgreSQL (the same product at scale). SQL is written once with `?`
 * placeholders and typed binding; the PostgreSQL backend rewrites `?` to
 * `$n`. Nothing is ever built by pasting values into SQL.
 *
 * A `struct db` is one connection and is used by one thread at a time.
 * Prepared statements are cached per connection, keyed by the SQL text.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum db_kind {
	DB_SQLITE,
	DB_POSTGRES,
};

enum db_step_result {
	DB_DONE = 0,
	DB_ROW = 1,
};

/*
 * Open a connection. url is "sqlite:PATH" or "postgres://..." (also
 * "postgresql://..."). A plain path is taken as SQLite. 0 or -1 (logged).
 * The caller owns *out and closes it with db_close().
 */
int db_open(const char *url, struct db **out);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/*
 * The cached prepared statement for sql (a string that outlives the
 * connection: a literal). NULL on error (logged). The statement stays owned
 * by the connection; call db_reset() when done with it.
 */
struct db_stmt *db_prepare(struct db *db, const char *sql);

/* Bind parameter idx (1-based). 0 or -1. text NULL binds SQL NULL. */
int db_bind_int(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *text);
int db_bind_textn(struct db_stmt *st, int idx, const char *text, size_t len);
int db_bind_null(struct db_stmt *st, int idx);

/* Run or advance: DB_ROW, DB_DONE, or -1 on error (logged). */
int db_step(struct db_stmt *st);

/* Columns of the current row (0-based). Text stays valid until the next step or reset. */
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int col);
int db_col_is_null(struct db_stmt *st, int col);
int64_t db_col_int(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col); /* "" for NULL */
size_t db_col_len(struct db_stmt *st, int col);

/* Finish with a statement: clear results and bindings. */
void db_reset(struct db_stmt *st);

/*
 * Prepare, bind and run in one call. types has one letter per `?`:
 *   'i' int64_t, 't' const char * (NULL = SQL NULL), 'n' SQL NULL (no arg).
 * The statement is returned after the first db_step() with *step set to
 * DB_ROW or DB_DONE; call db_reset() when done. NULL on error.
 */
struct db_stmt *db_query(struct db *db, int *step, const char *sql, const char *types, ...);

/* Run a statement that returns no rows of interest; 0 or -1. */
int db_execv(struct db *db, const char *sql, const char *types, ...);

/*
 * Run a statement whose first row's first column is an integer (COUNT,
 * RETURNING id...). 0 with *out set, 1 when there is no row, -1 on error.
 */
int db_query_int(struct db *db, int64_t *out, const char *sql, const char *types, ...);

/* Run SQL text without parameters, possibly several statements; 0 or -1. */
int db_exec(struct db *db, const char *sql);

/*
 * Transactions. db_begin() starts a write transaction (SQLite: BEGIN
 * IMMEDIATE, so writers queue instead of failing at commit). 0 or -1.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* 0 if the database answers a trivial query. */
int db_ping(struct db *db);

/* Apply the migrations not yet recorded, each in its own transaction. 0 or -1. */
int db_migrate(struct db *db);
/* Highest applied migration number, 0 if none yet, or -1 on error. */
int db_schema_version(struct db *db);

/* What db_backup() did, for its one line of report. */
struct db_backup_report {
	int64_t pages; /* pages copied */
	int64_t bytes; /* size of the copy */
	int steps; /* sqlite3_backup_step() calls */
};

/*
 * Copy the SQLite database of url ("sqlite:PATH" or a plain path) to the
 * file dest while other connections keep reading and writing it: SQLite's
 * online backup, a few pages per step, from one read snapshot taken at the
 * start (WAL: readers never block writers), so the copy holds every write
 * committed before the call and none half-done. The copy is written to
 * "dest.tmp", checked with PRAGMA integrity_check, synced, then renamed
 * over dest, so dest is either the old file or a complete new one. 0 with
 * *report filled, or -1 (logged). A PostgreSQL URL is refused: pg_dump is
 * the tool for that.
 */
int db_backup(const char *url, const char *dest, struct db_backup_report *report);

/*
 * Number of statements run on this connection (tests count queries per
 * page): each execution of a prepared statement and each db_exec() call;
 * db_begin/commit/rollback are not counted.
 */
uint64_t db_statement_count(const struct db *db);

#endif
