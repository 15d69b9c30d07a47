/*
 * The PostgreSQL backend, for installs that outgrow one SQLite file or run
 * several processes. SQL arrives with `?` placeholders and leaves with `$n`;
 * statements are prepared once per connection ("s1", "s2"...) and run with
 * text parameters and text results, which keeps the code small and the
 * behaviour the same as SQLite's from the caller's side.
 *
 * A connection lost while idle (server restart, pg_terminate_backend) is
 * re-established transparently. A statement whose connection died in flight
 * is sent again only when that cannot apply a write twice: never inside a
 * transaction, and outside one only for reads (BEGIN included, so a
 * request's transaction recovers).
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"
#include "db/backend.h"

#include "core/banned.h"

struct pg_db {
	struct db base;
	PGconn *conn;
	uint64_t generation; /* bumped on reconnect: server-side statements are gone */
	unsigned next_name;
	int in_tx; /* last known transaction state; survives a dead connection */
};

struct pg_stmt {
	struct db_stmt base;
	char name[24];
	char *pg_sql;        /* with $n placeholders */
	uint64_t generation; /* of the session it was prepared in */
	char **params;       /* base.nparams values; NULL is SQL NULL */
	int read_only;       /* may be sent again after a lost connection */
	PGresult *res;
	int row, nrows;
};

/* One round trip, possibly repeated after a reconnect. */
struct pg_call {
	PGresult *(*send)(struct pg_db *pg, void *arg);
	void *arg;
	const char *sql; /* for messages */
	int resend_ok;
};

static struct pg_db *pg_of(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *ps_of(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* libpq's messages end with a newline; ours are one line each. */
static int pg_error(const char *msg, const char *sql)
{
	int len = (int)strcspn(msg, "\n");
	return error("db: %.*s: in: %.300s", len, msg, sql);
}

/* A NULL res was logged by run() already. */
static int result_error(PGresult *res, const char *sql)
{
	if (!res)
		return -1;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!msg)
		return pg_error(PQresultErrorMessage(res), sql);
	return error("db: %s (%s): in: %.300s", msg, code ? code : "?", sql);
}

/* NOTICEs ("relation already exists, skipping") are expected chatter. */
static void notice_receiver(void *arg, const PGresult *res)
{
	(void)arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (severity && (!strcmp(severity, "NOTICE") || !strcmp(severity, "INFO") ||
			 !strcmp(severity, "LOG") || !strcmp(severity, "DEBUG")))
		return;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	warning("db: postgres %s: %s", severity ? severity : "message", msg ? msg : "?");
}

static void track_tx(struct pg_db *pg)
{
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(pg->conn);
	pg->in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
}

static int reconnect(struct pg_db *pg)
{
	PQreset(pg->conn);
	pg->generation++;
	pg->in_tx = 0;
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return pg_error(PQerrorMessage(pg->conn), "(reconnect)");
	warning("db: reconnected to PostgreSQL");
	return 0;
}

static int socket_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/*
 * An idle connection receives nothing unless the server is closing it: then
 * its last words and the end of the stream wait on the socket. Reading them
 * now tells a dead connection from a live one before anything is sent, so
 * reconnecting is safe even for a write.
 */
static void drain_idle_socket(struct pg_db *pg)
{
	for (int i = 0; i < 4 && PQstatus(pg->conn) == CONNECTION_OK; i++) {
		if (!socket_readable(PQsocket(pg->conn)) || !PQconsumeInput(pg->conn))
			break;
		PQisBusy(pg->conn); /* parses what came: hands the FATAL to the notice receiver */
	}
}

static int ensure_alive(struct pg_db *pg)
{
	drain_idle_socket(pg);
	if (PQstatus(pg->conn) == CONNECTION_OK)
		return 0;
	if (pg->in_tx)
		return error("db: connection to PostgreSQL lost inside a transaction");
	return reconnect(pg);
}

static PGresult *run(struct pg_db *pg, const struct pg_call *call)
{
	if (ensure_alive(pg))
		return NULL;
	int was_in_tx = pg->in_tx;
	PGresult *res = call->send(pg, call->arg);
	if (PQstatus(pg->conn) != CONNECTION_OK && !was_in_tx) {
		PQclear(res);
		res = NULL;
		if (reconnect(pg))
			return NULL;
		if (!call->resend_ok) {
			error("db: connection to PostgreSQL lost; not sent again, it may have been applied: %.300s",
			      call->sql);
			return NULL;
		}
		res = call->send(pg, call->arg);
	}
	if (!res)
		pg_error(PQerrorMessage(pg->conn), call->sql);
	track_tx(pg);
	return res;
}

static PGresult *send_exec(struct pg_db *pg, void *sql)
{
	return PQexec(pg->conn, sql);
}

/* Run SQL text; 0 if it succeeded, -1 (logged) otherwise. */
static int command(struct pg_db *pg, const char *sql, int resend_ok)
{
	struct pg_call call = { send_exec, (void *)sql, sql, resend_ok };
	PGresult *res = run(pg, &call);
	ExecStatusType s = PQresultStatus(res);
	int rc = 0;
	if (!res || (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK))
		rc = result_error(res, sql);
	PQclear(res);
	return rc;
}

static void pg_close(struct db *db)
{
	PQfinish(pg_of(db)->conn);
	free(db);
}

/*
 * Session settings go in as connection parameters, not SET commands, so that
 * PQreset() restores them. dbname (the URL) comes last: what the URL says wins.
 */
static int pg_open(const char *url, struct db **out)
{
	static const char *const keys[] = { "client_encoding", "options", "fallback_application_name",
					    "connect_timeout", "dbname", NULL };
	const char *const values[] = { "UTF8", "-c synchronous_commit=on", "tremplin", "10", url, NULL };
	struct pg_db *pg = xcalloc(1, sizeof(*pg));
	db_init_common(&pg->base, &db_postgres_ops);
	pg->conn = PQconnectdbParams(keys, values, 1);
	if (!pg->conn)
		die("out of memory connecting to PostgreSQL");
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_error(PQerrorMessage(pg->conn), "(connect)");
		free(pg->base.buckets);
		pg_close(&pg->base);
		return -1;
	}
	PQsetNoticeReceiver(pg->conn, notice_receiver, NULL);
	*out = &pg->base;
	return 0;
}

/* Plain reads are safe to send twice; anything else might write twice. */
static int is_read_only(const char *sql)
{
	sql += strspn(sql, " \t\r\n(");
	if (strncasecmp(sql, "SELECT", 6))
		return 0;
	char next = sql[6];
	return !(next == '_' || (next >= '0' && next <= '9') || ((next | 0x20) >= 'a' && (next | 0x20) <= 'z'));
}

static PGresult *send_prepare(struct pg_db *pg, void *arg)
{
	struct pg_stmt *ps = arg;
	PGresult *res = PQprepare(pg->conn, ps->name, ps->pg_sql, 0, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		ps->generation = pg->generation;
	return res;
}

static void free_stmt(struct pg_stmt *ps)
{
	for (int i = 0; i < ps->base.nparams; i++)
		free(ps->params[i]);
	free(ps->params);
	PQclear(ps->res);
	free(ps->pg_sql);
	free(ps);
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
	struct pg_db *pg = pg_of(db);
	struct pg_stmt *ps = xcalloc(1, sizeof(*ps));
	struct buf b = BUF_INIT;
	ps->base.nparams = db_sql_placeholders(sql, &b);
	ps->pg_sql = buf_detach(&b, NULL);
	ps->params = xcalloc((size_t)ps->base.nparams, sizeof(*ps->params));
	ps->read_only = is_read_only(sql);
	snprintf(ps->name, sizeof(ps->name), "s%u", ++pg->next_name);

	/* Preparing twice is harmless: always safe to send again. */
	struct pg_call call = { send_prepare, ps, sql, 1 };
	PGresult *res = run(pg, &call);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		result_error(res, sql);
		PQclear(res);
		free_stmt(ps);
		return NULL;
	}
	PQclear(res);
	return &ps->base;
}

static void pg_finalize(struct db_stmt *st)
{
	/* Only at close: the server forgets prepared statements with the session. */
	free_stmt(ps_of(st));
}

static int set_param(struct db_stmt *st, int idx, char *value)
{
	struct pg_stmt *ps = ps_of(st);
	if (idx < 1 || idx > st->nparams) {
		free(value);
		return error("db: bind %d: no such parameter in: %s", idx, st->sql);
	}
	free(ps->params[idx - 1]);
	ps->params[idx - 1] = value;
	return 0;
}

static int pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRId64, v);
	return set_param(st, idx, xstrdup(text));
}

static int pg_bind_textn(struct db_stmt *st, int idx, const char *text, size_t len)
{
	/* PostgreSQL text cannot hold NUL; truncating silently would lose data. */
	if (memchr(text, '\0', len))
		return error("db: bind %d: text contains a NUL byte in: %s", idx, st->sql);
	return set_param(st, idx, xstrndup(text, len));
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
	return set_param(st, idx, NULL);
}

static PGresult *send_execute(struct pg_db *pg, void *arg)
{
	struct pg_stmt *ps = arg;
	if (ps->generation != pg->generation) {
		PGresult *res = send_prepare(pg, ps);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
	}
	return PQexecPrepared(pg->conn, ps->name, ps->base.nparams, (const char *const *)ps->params,
			      NULL, NULL, 0);
}

static int execute(struct pg_stmt *ps)
{
	struct pg_db *pg = pg_of(ps->base.db);
	struct pg_call call = { send_execute, ps, ps->base.sql, ps->read_only };
	PGresult *res = run(pg, &call);
	ExecStatusType s = PQresultStatus(res);
	if (!res || (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)) {
		result_error(res, ps->base.sql);
		PQclear(res);
		return -1;
	}
	ps->res = res;
	ps->nrows = PQntuples(res);
	ps->row = -1;
	return 0;
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *ps = ps_of(st);
	if (!ps->res && execute(ps))
		return -1;
	if (ps->row < ps->nrows)
		ps->row++;
	return ps->row < ps->nrows ? DB_ROW : DB_DONE;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *ps = ps_of(st);
	PQclear(ps->res);
	ps->res = NULL;
	ps->row = ps->nrows = 0;
	for (int i = 0; i < st->nparams; i++) {
		free(ps->params[i]);
		ps->params[i] = NULL;
	}
}

static int pg_column_count(struct db_stmt *st)
{
	struct pg_stmt *ps = ps_of(st);
	return ps->res ? PQnfields(ps->res) : 0;
}

/* Reading a column that is not there is a programming error, not data. */
static PGresult *col_res(struct db_stmt *st, int col)
{
	struct pg_stmt *ps = ps_of(st);
	if (!ps->res || col < 0 || col >= PQnfields(ps->res))
		BUG("db: column index out of range");
	return ps->res;
}

static int cur_row(struct db_stmt *st)
{
	struct pg_stmt *ps = ps_of(st);
	if (ps->row < 0 || ps->row >= ps->nrows)
		BUG("db: column read without a current row");
	return ps->row;
}

static const char *pg_column_name(struct db_stmt *st, int col)
{
	return PQfname(col_res(st, col), col);
}

static int pg_col_is_null(struct db_stmt *st, int col)
{
	return PQgetisnull(col_res(st, col), cur_row(st), col);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	return PQgetvalue(col_res(st, col), cur_row(st), col); /* "" for NULL */
}

static size_t pg_col_len(struct db_stmt *st, int col)
{
	return (size_t)PQgetlength(col_res(st, col), cur_row(st), col);
}

/* Booleans come back as t/f; SQLite's are 1/0, and callers read both alike. */
static int64_t pg_col_int(struct db_stmt *st, int col)
{
	const char *text = pg_col_text(st, col);
	if (!strcmp(text, "t"))
		return 1;
	return strtoll(text, NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int col)
{
	return strtod(pg_col_text(st, col), NULL);
}

static int pg_exec(struct db *db, const char *sql)
{
	/* Several statements may be in flight: never sent twice. */
	return command(pg_of(db), sql, 0);
}

static int pg_begin(struct db *db)
{
	struct pg_db *pg = pg_of(db);
	if (pg->in_tx)
		return error("db: BEGIN inside a transaction");
	return command(pg, "BEGIN", 1);
}

/* The transaction is over, whatever happened: leave a usable connection. */
static void end_tx(struct pg_db *pg)
{
	pg->in_tx = 0;
	if (PQstatus(pg->conn) != CONNECTION_OK)
		reconnect(pg);
}

static int pg_commit(struct db *db)
{
	struct pg_db *pg = pg_of(db);
	if (!pg->in_tx)
		return error("db: COMMIT without a transaction");
	struct pg_call call = { send_exec, (void *)"COMMIT", "COMMIT", 0 };
	PGresult *res = run(pg, &call);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = result_error(res, "COMMIT");
	else if (strcmp(PQcmdStatus(res), "COMMIT")) /* an aborted transaction "commits" as ROLLBACK */
		rc = error("db: transaction had failed and was rolled back");
	PQclear(res);
	end_tx(pg);
	return rc;
}

static int pg_rollback(struct db *db)
{
	struct pg_db *pg = pg_of(db);
	int rc = 0;
	drain_idle_socket(pg);
	if (pg->in_tx && PQstatus(pg->conn) == CONNECTION_OK)
		rc = command(pg, "ROLLBACK", 0);
	/* A dead session has no transaction left to roll back: the server did it. */
	if (PQstatus(pg->conn) != CONNECTION_OK)
		rc = 0;
	end_tx(pg);
	return rc;
}

const struct db_ops db_postgres_ops = {
	.kind = DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int = pg_bind_int,
	.bind_textn = pg_bind_textn,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.col_is_null = pg_col_is_null,
	.col_text = pg_col_text,
	.col_len = pg_col_len,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
};
