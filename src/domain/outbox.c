/*
 * The outbox: a request queues mail as a row in its own transaction, and
 * one sender thread per process delivers the rows, so a page never waits
 * on an SMTP server and a rolled-back request sends nothing.
 *
 * A row is taken with a lease, not a lock held across the network: in a
 * short transaction the sender picks one due row (PostgreSQL: FOR UPDATE
 * SKIP LOCKED, so concurrent senders pick different rows; SQLite: BEGIN
 * IMMEDIATE, one writer at a time), adds one to attempts and moves
 * next_attempt_at 5 minutes ahead, and commits. Then it sends, with no
 * transaction open, and records the outcome in a second short transaction
 * guarded by the attempts value it claimed. A lock held during SMTP I/O
 * (up to 30 s) would pin a PostgreSQL connection in a transaction and, on
 * SQLite, block every writer of the site; with the lease, a sender that
 * dies mid-send leaves a row that becomes due again 5 minutes later, the
 * attempt counted. Delivery is at least once: a crash between the server's
 * acceptance and the second commit sends that mail again.
 *
 * Retries wait 1 min, 5 min, 30 min, 2 h, then 12 h; after 8 attempts, or
 * at once when the server refuses the recipient or the message (5xx), the
 * row is given up (attempts = 8, last_error kept). Sent and given-up rows
 * hold addresses, so they are deleted after 30 days.
 */
#include "domain/outbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/smtp.h"
#include "db/db.h"
#include "core/banned.h"

#define MAX_ATTEMPTS 8
#define LEASE_S 300
#define KEEP_S (30 * 24 * 3600)
#define SUBJECT_MAX 500
#define BODY_MAX (256 * 1024)
#define ERROR_MAX 500
#define BATCH 50 /* mails per round of the thread, so a stop is heard between rounds */
#define PURGE_EVERY_S 3600
#define DEFAULT_FROM "Tremplin <no-reply@localhost>"

/* Delay before attempt n + 1 after n failed attempts (the last one repeats). */
static const int64_t retry_delay_s[] = { 60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600 };

/* Set by mailer_stop(): aborts a send in progress, which is then not counted. */
static atomic_int stopping;

int outbox_enqueue(struct db *db, int64_t territory_id, int64_t user_id, const char *to_address,
		   const char *subject, const char *body)
{
	/* The address and subject are not logged: they may be what the check refused. */
	if (!smtp_address_ok(to_address))
		return error("outbox: the recipient is not a plain e-mail address");
	if (!smtp_header_text_ok(subject) || strlen(subject) > SUBJECT_MAX)
		return error("outbox: the subject has a line break, a control character, "
			     "invalid UTF-8 or more than %d bytes", SUBJECT_MAX);
	if (!body || strlen(body) > BODY_MAX)
		return error("outbox: no body, or more than %d bytes", BODY_MAX);
	int64_t now = (int64_t)time(NULL);
	return db_execv(db,
			"INSERT INTO outbox (territory_id, user_id, to_address, subject, body,"
			" created_at, next_attempt_at)"
			" VALUES (NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?)",
			"iitttii", territory_id, user_id, to_address, subject, body, now, now);
}

/* A row taken by this sender. */
struct claimed {
	int64_t id;
	int64_t attempts; /* after this attempt: the lease's token */
	char *to, *subject, *body;
};

static void claimed_release(struct claimed *m)
{
	free(m->to);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

static const char claim_sql_sqlite[] =
	"SELECT id, to_address, subject, body, attempts FROM outbox"
	" WHERE sent_at IS NULL AND next_attempt_at <= ? AND attempts < ?"
	" ORDER BY next_attempt_at, id LIMIT 1";
static const char claim_sql_pg[] =
	"SELECT id, to_address, subject, body, attempts FROM outbox"
	" WHERE sent_at IS NULL AND next_attempt_at <= ? AND attempts < ?"
	" ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED";

/*
 * Take the next due row under a lease. 1 taken, 0 none due, -1 error. A
 * plain read first, so that an idle sender polling every second takes no
 * write lock (SQLite) and opens no transaction.
 */
static int claim_next(struct db *db, int64_t now, struct claimed *m)
{
	int step;
	int64_t due;
	int found = db_query_int(db, &due,
				 "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL"
				 " AND next_attempt_at <= ? AND attempts < ? LIMIT 1) due",
				 "ii", now, (int64_t)MAX_ATTEMPTS);
	if (found != 0 || !due)
		return found < 0 ? -1 : 0;
	if (db_begin(db) < 0)
		return -1;
	struct db_stmt *st = db_query(db, &step, db_kind(db) == DB_POSTGRES ? claim_sql_pg : claim_sql_sqlite,
				      "ii", now, (int64_t)MAX_ATTEMPTS);
	if (!st)
		goto fail;
	if (step != DB_ROW) {
		db_reset(st);
		db_rollback(db);
		return 0;
	}
	m->id = db_col_int(st, 0);
	m->to = xstrdup(db_col_text(st, 1));
	m->subject = xstrdup(db_col_text(st, 2));
	m->body = xstrdup(db_col_text(st, 3));
	m->attempts = db_col_int(st, 4) + 1;
	db_reset(st);
	if (db_execv(db, "UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?", "iii",
		     m->attempts, now + LEASE_S, m->id) < 0)
		goto fail;
	if (db_commit(db) < 0) {
		claimed_release(m);
		return -1;
	}
	return 1;
fail:
	db_rollback(db);
	claimed_release(m);
	return -1;
}

/*
 * Record what became of a claimed row, unless its lease was lost (another
 * sender took it again: attempts moved on). sent_at 0 means not sent.
 */
static int record_outcome(struct db *db, const struct claimed *m, int64_t attempts, int64_t next_at,
			  int64_t sent_at, const char *last_error)
{
	return db_execv(db,
			"UPDATE outbox SET attempts = ?, next_attempt_at = ?,"
			" sent_at = NULLIF(CAST(? AS BIGINT), 0), last_error = ?"
			" WHERE id = ? AND attempts = ? AND sent_at IS NULL",
			"iiitii", attempts, next_at, sent_at, last_error, m->id, m->attempts);
}

static int purge_old(struct db *db, int64_t now)
{
	return db_execv(db,
			"DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < ?)"
			" OR (sent_at IS NULL AND attempts >= ? AND created_at < ?)",
			"iii", now - KEEP_S, (int64_t)MAX_ATTEMPTS, now - KEEP_S);
}

/* No SMTP server: the log is the mailbox, so a local install's links can be copied. */
static void log_mail(const struct claimed *m)
{
	struct buf out = BUF_INIT;
	buf_addf(&out, "mail: to=%s subject=%s\n%s", m->to, m->subject, m->body);
	if (out.len && out.ptr[out.len - 1] != '\n')
		buf_addch(&out, '\n');
	buf_adds(&out, "mail: end\n");
	flockfile(stderr);
	fwrite(out.ptr, 1, out.len, stderr);
	fflush(stderr);
	funlockfile(stderr);
	buf_release(&out);
}

static int64_t retry_delay(int64_t attempts)
{
	size_t i = (size_t)attempts - 1;
	return retry_delay_s[i < ARRAY_SIZE(retry_delay_s) ? i : ARRAY_SIZE(retry_delay_s) - 1];
}

/*
 * Send one claimed row and record the outcome; enum smtp_result. A failed
 * record (logged by the db layer) leaves the lease: the row is tried again.
 */
static int deliver_one(struct db *db, const struct mailer_config *cfg, const struct claimed *m)
{
	struct buf err = BUF_INIT;
	int rc = SMTP_OK;
	if (!cfg->smtp_url || !*cfg->smtp_url) {
		log_mail(m);
	} else {
		const struct smtp_config sc = { cfg->smtp_url, cfg->from && *cfg->from ? cfg->from : DEFAULT_FROM,
						&stopping };
		rc = smtp_send(&sc, m->to, m->subject, m->body, &err);
	}
	int64_t now = (int64_t)time(NULL);
	if (err.len > ERROR_MAX) { /* cut at a character boundary: PostgreSQL refuses broken UTF-8 */
		size_t cut = ERROR_MAX;
		while (cut && ((unsigned char)err.ptr[cut] & 0xc0) == 0x80)
			cut--;
		buf_setlen(&err, cut);
	}
	if (rc == SMTP_OK) {
		record_outcome(db, m, m->attempts, now, now, NULL);
	} else if (atomic_load(&stopping)) { /* interrupted: not the mail's fault, not counted */
		record_outcome(db, m, m->attempts - 1, now, 0, err.ptr);
	} else if (rc == SMTP_PERMANENT || m->attempts >= MAX_ATTEMPTS) {
		record_outcome(db, m, MAX_ATTEMPTS, now, 0, err.ptr);
		warning("outbox: mail %lld given up after %lld attempt(s): %s", (long long)m->id,
			(long long)m->attempts, err.ptr);
	} else {
		record_outcome(db, m, m->attempts, now + retry_delay(m->attempts), 0, err.ptr);
		warning("outbox: mail %lld not sent (attempt %lld of %d), next try in %lld s: %s",
			(long long)m->id, (long long)m->attempts, MAX_ATTEMPTS,
			(long long)retry_delay(m->attempts), err.ptr);
	}
	buf_release(&err);
	if (rc == SMTP_OK || rc == SMTP_PERMANENT)
		purge_old(db, now);
	return rc;
}

int outbox_deliver_due(struct db *db, const struct mailer_config *cfg, int max)
{
	int sent = 0;
	/* max bounds the rows tried, not only those sent: a round always ends. */
	for (int tried = 0; tried < max && !atomic_load(&stopping); tried++) {
		struct claimed m = { 0 };
		int taken = claim_next(db, (int64_t)time(NULL), &m);
		if (taken <= 0)
			return taken < 0 ? -1 : sent;
		int rc = deliver_one(db, cfg, &m);
		claimed_release(&m);
		if (rc == SMTP_OK)
			sent++;
		else if (rc == SMTP_TEMPORARY) /* the server is likely down: the others wait for the next round */
			break;
	}
	return sent;
}

/* ------------------------------------------------------------------ */
/* The sender thread                                                   */
/* ------------------------------------------------------------------ */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running, stop, wake;
	struct mailer_config cfg; /* owned copies of the strings */
	struct db *db;
} mailer = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *mailer_main(void *arg)
{
	(void)arg;
	int64_t purged_at = 0;
	pthread_mutex_lock(&mailer.lock);
	while (!mailer.stop) {
		struct timespec ts;
		deadline_after(&ts, mailer.cfg.poll_ms);
		while (!mailer.wake && !mailer.stop &&
		       pthread_cond_timedwait(&mailer.cond, &mailer.lock, &ts) != ETIMEDOUT)
			; /* woken for nothing (spuriously): wait on */
		if (mailer.stop)
			break;
		mailer.wake = 0;
		pthread_mutex_unlock(&mailer.lock);
		int64_t now = (int64_t)time(NULL);
		if (now - purged_at >= PURGE_EVERY_S && purge_old(mailer.db, now) == 0)
			purged_at = now;
		int n = outbox_deliver_due(mailer.db, &mailer.cfg, BATCH);
		pthread_mutex_lock(&mailer.lock);
		if (n == BATCH) /* more may be due */
			mailer.wake = 1;
	}
	pthread_mutex_unlock(&mailer.lock);
	return NULL;
}

static void config_release(struct mailer_config *c)
{
	free((char *)c->db_url);
	free((char *)c->smtp_url);
	free((char *)c->from);
	memset(c, 0, sizeof(*c));
}

static int config_copy(struct mailer_config *dst, const struct mailer_config *src)
{
	struct buf err = BUF_INIT;
	const char *from = src->from && *src->from ? src->from : DEFAULT_FROM;
	int has_smtp = src->smtp_url && *src->smtp_url;
	if ((has_smtp && smtp_check_url(src->smtp_url, &err) < 0) || smtp_check_from(from, &err) < 0) {
		error("mail: %s", err.ptr);
		buf_release(&err);
		return -1;
	}
	dst->db_url = xstrdup(src->db_url);
	dst->smtp_url = xstrdup(has_smtp ? src->smtp_url : "");
	dst->from = xstrdup(from);
	dst->poll_ms = src->poll_ms < 10 ? 10 : src->poll_ms;
	if (has_smtp) {
		smtp_redact_url(src->smtp_url, &err);
		info("mail: sent through %s as %s", err.ptr, from);
	} else {
		info("mail: no SMTP server (--smtp-url): mails are written to this log");
	}
	buf_release(&err);
	return 0;
}

int mailer_start(const struct mailer_config *cfg)
{
	pthread_condattr_t attr;
	int rc = -1;
	pthread_mutex_lock(&mailer.lock);
	if (mailer.running) {
		rc = error("mail: the sender thread is already running");
		goto out;
	}
	if (config_copy(&mailer.cfg, cfg) < 0)
		goto out;
	smtp_global_init(); /* now, before the thread: curl_global_init is not always thread-safe */
	if (db_open(mailer.cfg.db_url, &mailer.db) < 0) {
		error("mail: cannot open the database");
		config_release(&mailer.cfg);
		goto out;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&mailer.cond, &attr);
	pthread_condattr_destroy(&attr);
	mailer.stop = 0;
	mailer.wake = 1; /* deliver what waited while no sender ran */
	atomic_store(&stopping, 0);
	if (pthread_create(&mailer.thread, NULL, mailer_main, NULL)) {
		error("mail: cannot start the sender thread");
		pthread_cond_destroy(&mailer.cond);
		db_close(mailer.db);
		mailer.db = NULL;
		config_release(&mailer.cfg);
		goto out;
	}
	mailer.running = 1;
	rc = 0;
out:
	pthread_mutex_unlock(&mailer.lock);
	return rc;
}

void mailer_stop(void)
{
	pthread_mutex_lock(&mailer.lock);
	if (!mailer.running) {
		pthread_mutex_unlock(&mailer.lock);
		return;
	}
	mailer.stop = 1;
	atomic_store(&stopping, 1);
	pthread_cond_signal(&mailer.cond);
	pthread_mutex_unlock(&mailer.lock);
	pthread_join(mailer.thread, NULL);

	pthread_mutex_lock(&mailer.lock);
	mailer.running = 0;
	pthread_cond_destroy(&mailer.cond);
	db_close(mailer.db);
	mailer.db = NULL;
	config_release(&mailer.cfg);
	atomic_store(&stopping, 0);
	pthread_mutex_unlock(&mailer.lock);
}

void mailer_wake(void)
{
	pthread_mutex_lock(&mailer.lock);
	if (mailer.running) {
		mailer.wake = 1;
		pthread_cond_signal(&mailer.cond);
	}
	pthread_mutex_unlock(&mailer.lock);
}
