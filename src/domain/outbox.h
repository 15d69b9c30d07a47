/*
 * E-mail goes through an outbox table: a request that sends mail only
 * inserts a row in its own transaction (so a rolled-back request sends
 * nothing), and a sender thread delivers the rows with libcurl's SMTP,
 * retrying with a growing delay. Without an SMTP URL the mails are written
 * to the log, so a local install still works (the links can be copied).
 */
#ifndef DOMAIN_OUTBOX_H
#define DOMAIN_OUTBOX_H

#include <stdint.h>

struct db;

/*
 * Queue one plain-text mail (UTF-8) to to_address, in the caller's
 * transaction. user_id (0: none) ties the row to an account so it goes when
 * the account is deleted. 0 or -1.
 */
int outbox_enqueue(struct db *db, int64_t territory_id, int64_t user_id, const char *to_address,
		   const char *subject, const char *body);

struct mailer_config {
	const char *db_url;
	const char *smtp_url; /* "smtp://localhost:2525"; NULL or "": log the mails */
	const char *from; /* "UP Sceaux <no-reply@example.org>" */
	unsigned poll_ms; /* how often the thread looks for due mail */
};

/*
 * Send the mails that are due, at most max of them. Each row is taken by
 * exactly one sender (FOR UPDATE SKIP LOCKED on PostgreSQL), so several
 * processes may run senders. Returns the number sent, or -1.
 */
int outbox_deliver_due(struct db *db, const struct mailer_config *cfg, int max);

/* Start the sender thread; 0 or -1. */
int mailer_start(const struct mailer_config *cfg);
/* Ask the thread to stop and wait for it. */
void mailer_stop(void);
/* Wake the thread now (after a request queued mail), instead of at the next poll. */
void mailer_wake(void);

#endif
