/*
 * What db.c shares with the two backends, and nobody else sees: the table of
 * operations each backend fills, and the parts of a connection and of a
 * statement that do not depend on the backend (the statement cache, the
 * statement counter). A backend embeds `struct db` / `struct db_stmt` as the
 * first member of its own structs and converts back with container_of-style
 * casts, so db.c never needs to know sqlite3 or libpq types.
 */
#ifndef DB_BACKEND_H
#define DB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "db/db.h"

struct db_ops;

struct db_stmt {
	struct db *db;
	char *sql; /* the cache key; owned */
	uint32_t hash;
	struct db_stmt *next; /* next in the same hash bucket */
	int nparams;          /* set by the backend's prepare */
	int running;          /* stepped since the last reset; 2 once DONE */
};

struct db {
	const struct db_ops *ops;
	struct db_stmt **buckets;
	size_t nbuckets; /* a power of two */
	size_t nstmts;
	uint64_t statements;
};

struct db_ops {
	enum db_kind kind;
	/* target is the URL without "sqlite:"; for PostgreSQL the whole URL. */
	int (*open)(const char *target, struct db **out);
	/* Called after every statement has been finalized. */
	void (*close)(struct db *db);
	/* A new statement (the caller caches it), or NULL (logged). */
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	void (*finalize)(struct db_stmt *st);

	int (*bind_int)(struct db_stmt *st, int idx, int64_t v);
	int (*bind_textn)(struct db_stmt *st, int idx, const char *text, size_t len);
	int (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);

	int (*column_count)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int col);
	int (*col_is_null)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	size_t (*col_len)(struct db_stmt *st, int col);
	int64_t (*col_int)(struct db_stmt *st, int col);
	double (*col_double)(struct db_stmt *st, int col);

	int (*exec)(struct db *db, const char *sql);
	int (*begin)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_postgres_ops;

/* The SQLite half of db_backup(): path without "sqlite:". */
int db_sqlite_backup(const char *path, const char *dest, struct db_backup_report *report);

/* Initialise the shared part of a connection a backend has just allocated. */
void db_init_common(struct db *db, const struct db_ops *ops);

/*
 * Scan sql for `?` placeholders outside string literals, quoted identifiers
 * and comments. Returns how many there are; when out is not NULL, appends
 * sql to it with each `?` replaced by `$1`, `$2`... (PostgreSQL's form).
 */
int db_sql_placeholders(const char *sql, struct buf *out);

#endif
