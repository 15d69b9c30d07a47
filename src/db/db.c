/*
 * The backend-independent half of the database interface: choosing a backend
 * from the URL, the per-connection statement cache (so each SQL text is
 * prepared once per connection), the statement counter, and the varargs
 * helpers that keep the domain code to one line per query.
 */
#include "db/db.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "db/backend.h"

#include "core/banned.h"

#define INITIAL_BUCKETS 32

enum { STMT_IDLE, STMT_RUNNING, STMT_DONE }; /* values of db_stmt.running */

void db_init_common(struct db *db, const struct db_ops *ops)
{
	db->ops = ops;
	db->nbuckets = INITIAL_BUCKETS;
	db->buckets = xcalloc(db->nbuckets, sizeof(*db->buckets));
	db->nstmts = 0;
	db->statements = 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The file of a SQLite URL ("sqlite:PATH" or a plain PATH), or NULL (logged). */
static const char *sqlite_path(const char *url)
{
	if (has_prefix(url, "sqlite:"))
		url += strlen("sqlite:");
	else if (strstr(url, "://"))
		return error("db: unknown database URL scheme: %s", url), NULL;
	if (!*url)
		return error("db: no SQLite file name"), NULL;
	return url;
}

int db_open(const char *url, struct db **out)
{
	*out = NULL;
	if (!url || !*url)
		return error("db: no database URL");
	if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://"))
		return db_postgres_ops.open(url, out);
	if (!(url = sqlite_path(url)))
		return -1;
	return db_sqlite_ops.open(url, out);
}

int db_backup(const char *url, const char *dest, struct db_backup_report *report)
{
	memset(report, 0, sizeof(*report));
	if (!url || !*url || !dest || !*dest)
		return error("backup: a database URL and a destination file are needed");
	if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://"))
		return error("backup: this database is on PostgreSQL, which has its own tools: "
			     "pg_dump --format=custom --file=FILE DATABASE, or pg_basebackup with WAL "
			     "archiving (docs/deploy.md)");
	if (!(url = sqlite_path(url)))
		return -1;
	return db_sqlite_backup(url, dest, report);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nbuckets; i++) {
		struct db_stmt *st = db->buckets[i];
		while (st) {
			struct db_stmt *next = st->next;
			char *sql = st->sql;
			db->ops->finalize(st);
			free(sql);
			st = next;
		}
	}
	free(db->buckets);
	db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->ops->kind;
}

/* FNV-1a: short SQL keys, a handful of statements; quality is enough. */
static uint32_t hash_sql(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct db_stmt *cache_find(struct db *db, const char *sql, uint32_t hash)
{
	struct db_stmt *st = db->buckets[hash & (db->nbuckets - 1)];
	for (; st; st = st->next)
		if (st->hash == hash && !strcmp(st->sql, sql))
			return st;
	return NULL;
}

static void cache_grow(struct db *db)
{
	size_t n = db->nbuckets * 2;
	struct db_stmt **buckets = xcalloc(n, sizeof(*buckets));
	for (size_t i = 0; i < db->nbuckets; i++) {
		struct db_stmt *st = db->buckets[i];
		while (st) {
			struct db_stmt *next = st->next;
			st->next = buckets[st->hash & (n - 1)];
			buckets[st->hash & (n - 1)] = st;
			st = next;
		}
	}
	free(db->buckets);
	db->buckets = buckets;
	db->nbuckets = n;
}

static void cache_add(struct db *db, struct db_stmt *st)
{
	if (db->nstmts >= db->nbuckets)
		cache_grow(db);
	struct db_stmt **bucket = &db->buckets[st->hash & (db->nbuckets - 1)];
	st->next = *bucket;
	*bucket = st;
	db->nstmts++;
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	uint32_t hash = hash_sql(sql);
	struct db_stmt *st = cache_find(db, sql, hash);
	if (st) {
		/*
		 * A forgotten db_reset() (or a nested use of the same SQL) must
		 * not wedge the connection for the rest of its life: say so and
		 * start afresh.
		 */
		if (st->running) {
			warning("db: statement reused before db_reset(): %s", sql);
			db_reset(st);
		}
		return st;
	}
	st = db->ops->prepare(db, sql);
	if (!st)
		return NULL;
	st->db = db;
	st->sql = xstrdup(sql);
	st->hash = hash;
	st->running = STMT_IDLE;
	cache_add(db, st);
	return st;
}

/* Binding while rows are pending would silently apply to the next run. */
static int check_idle(struct db_stmt *st)
{
	if (st->running)
		return error("db: bind on a running statement (missing db_reset): %s", st->sql);
	return 0;
}

int db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	if (check_idle(st))
		return -1;
	return st->db->ops->bind_int(st, idx, v);
}

int db_bind_textn(struct db_stmt *st, int idx, const char *text, size_t len)
{
	if (check_idle(st))
		return -1;
	if (!text)
		return st->db->ops->bind_null(st, idx);
	return st->db->ops->bind_textn(st, idx, text, len);
}

int db_bind_text(struct db_stmt *st, int idx, const char *text)
{
	return db_bind_textn(st, idx, text, text ? strlen(text) : 0);
}

int db_bind_null(struct db_stmt *st, int idx)
{
	if (check_idle(st))
		return -1;
	return st->db->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
	/* SQLite would silently run a finished statement again; say DONE on both. */
	if (st->running == STMT_DONE)
		return DB_DONE;
	if (!st->running) {
		st->running = STMT_RUNNING;
		st->db->statements++;
	}
	int rc = st->db->ops->step(st);
	if (rc == DB_DONE)
		st->running = STMT_DONE;
	return rc;
}

int db_column_count(struct db_stmt *st)
{
	return st->db->ops->column_count(st);
}

const char *db_column_name(struct db_stmt *st, int col)
{
	return st->db->ops->column_name(st, col);
}

int db_col_is_null(struct db_stmt *st, int col)
{
	return st->db->ops->col_is_null(st, col);
}

int64_t db_col_int(struct db_stmt *st, int col)
{
	return st->db->ops->col_int(st, col);
}

double db_col_double(struct db_stmt *st, int col)
{
	return st->db->ops->col_double(st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}

size_t db_col_len(struct db_stmt *st, int col)
{
	return st->db->ops->col_len(st, col);
}

void db_reset(struct db_stmt *st)
{
	if (!st)
		return;
	st->db->ops->reset(st);
	st->running = STMT_IDLE;
}

static int bind_one(struct db_stmt *st, int idx, char type, va_list *ap)
{
	switch (type) {
	case 'i':
		return db_bind_int(st, idx, va_arg(*ap, int64_t));
	case 't':
		return db_bind_text(st, idx, va_arg(*ap, const char *));
	case 'n':
		return db_bind_null(st, idx);
	default:
		error("db: unknown type letter '%c' for: %s", type, st->sql);
		BUG("db: bad type letter");
	}
}

/*
 * The letters and the placeholders disagree only through a programming
 * error, and guessing would bind values to the wrong columns: stop.
 */
static struct db_stmt *prepare_bound(struct db *db, const char *sql, const char *types, va_list *ap)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	int n = (int)strlen(types);
	if (n != st->nparams) {
		error("db: %d type letters for %d placeholders in: %s", n, st->nparams, sql);
		BUG("db: type letters do not match the placeholders");
	}
	for (int i = 0; i < n; i++) {
		if (bind_one(st, i + 1, types[i], ap)) {
			db_reset(st);
			return NULL;
		}
	}
	return st;
}

static struct db_stmt *query_va(struct db *db, int *step, const char *sql, const char *types,
				va_list *ap)
{
	struct db_stmt *st = prepare_bound(db, sql, types, ap);
	if (!st)
		return NULL;
	int rc = db_step(st);
	if (rc < 0) {
		db_reset(st);
		return NULL;
	}
	*step = rc;
	return st;
}

struct db_stmt *db_query(struct db *db, int *step, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = query_va(db, step, sql, types, &ap);
	va_end(ap);
	return st;
}

int db_execv(struct db *db, const char *sql, const char *types, ...)
{
	int step;
	va_list ap;
	va_start(ap, types);
	/* One step is enough: writes, RETURNING included, happen on the first. */
	struct db_stmt *st = query_va(db, &step, sql, types, &ap);
	va_end(ap);
	if (!st)
		return -1;
	db_reset(st);
	return 0;
}

int db_query_int(struct db *db, int64_t *out, const char *sql, const char *types, ...)
{
	int step, rc = 1;
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = query_va(db, &step, sql, types, &ap);
	va_end(ap);
	if (!st)
		return -1;
	if (step == DB_ROW) {
		*out = db_col_int(st, 0);
		rc = 0;
	}
	db_reset(st);
	return rc;
}

int db_exec(struct db *db, const char *sql)
{
	db->statements++;
	return db->ops->exec(db, sql);
}

int db_begin(struct db *db)
{
	return db->ops->begin(db);
}

int db_commit(struct db *db)
{
	return db->ops->commit(db);
}

int db_rollback(struct db *db)
{
	return db->ops->rollback(db);
}

int db_ping(struct db *db)
{
	int64_t one = 0;
	if (db_query_int(db, &one, "SELECT 1", "") || one != 1)
		return -1;
	return 0;
}

uint64_t db_statement_count(const struct db *db)
{
	return db->statements;
}

/* Length of the quoted text starting at p (quote included), '' escapes a quote. */
static size_t quoted_len(const char *p, int backslash_escapes)
{
	char q = *p;
	size_t i = 1;
	for (; p[i]; i++) {
		if (backslash_escapes && p[i] == '\\' && p[i + 1]) {
			i++;
		} else if (p[i] == q) {
			if (p[i + 1] != q)
				return i + 1;
			i++;
		}
	}
	return i; /* unterminated: the server will say so */
}

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/*
 * How many bytes at p belong to a literal, quoted identifier or comment, in
 * which `?` is not a placeholder; 0 if none starts at p. PostgreSQL's
 * E'...' strings take backslash escapes. Dollar-quoted strings are not
 * recognised: SQL shared by both backends cannot use them.
 */
static size_t skip_len(const char *sql, const char *p)
{
	if (*p == '\'') {
		int e = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			(p - 1 == sql || !is_ident_char(p[-2]));
		return quoted_len(p, e);
	}
	if (*p == '"')
		return quoted_len(p, 0);
	if (p[0] == '-' && p[1] == '-')
		return strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		const char *end = strstr(p + 2, "*/");
		return end ? (size_t)(end + 2 - p) : strlen(p);
	}
	return 0;
}

int db_sql_placeholders(const char *sql, struct buf *out)
{
	int n = 0;
	const char *p = sql;
	while (*p) {
		size_t len = skip_len(sql, p);
		if (len) {
			if (out)
				buf_add(out, p, len);
			p += len;
		} else if (*p == '?') {
			n++;
			if (out)
				buf_addf(out, "$%d", n);
			p++;
		} else {
			if (out)
				buf_addch(out, *p);
			p++;
		}
	}
	return n;
}
