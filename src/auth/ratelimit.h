/*
 * Rate limits on what attackers repeat: log-in, sign-up, password reset,
 * e-mail sending. Counters live in the database (fixed windows), so every
 * process of an install shares them. The rules are one table in
 * ratelimit.c.
 */
#ifndef AUTH_RATELIMIT_H
#define AUTH_RATELIMIT_H

struct db;

enum ratelimit_rule {
	RL_LOGIN_IP, /* log-in attempts per client address: 30 per 15 minutes */
	RL_LOGIN_ACCOUNT, /* failed log-ins per e-mail address: 10 per 15 minutes */
	RL_SIGNUP_IP, /* sign-ups per client address: 10 per hour */
	RL_RESET_IP, /* reset requests per client address: 10 per hour */
	RL_RESET_ACCOUNT, /* reset requests per e-mail address: 3 per hour */
	RL_MAIL_ACCOUNT, /* e-mails sent to one address (confirm, reset, change): 5 per hour */
};

/*
 * Count one hit of rule for subject (an IP, an e-mail address: trimmed,
 * compared without ASCII case, and hashed before it is stored). 0 while
 * the hits of the current window are within the rule's limit, 1 once they
 * are over it (limit + 1 and after: the hit is still counted), -1 on a
 * database error. Call it outside the caller's transaction, so that a
 * rollback does not take the hit back.
 */
int ratelimit_hit(struct db *db, enum ratelimit_rule rule, const char *subject);

/*
 * 1 if the limit of rule is used up for subject in the current window (the
 * next hit would be refused), 0 if not, -1 on error. Counts nothing: check
 * it before the work (a log-in checks RL_LOGIN_ACCOUNT before verifying the
 * password, and hits it when the password is wrong).
 */
int ratelimit_exceeded(struct db *db, enum ratelimit_rule rule, const char *subject);

/* Forget the hits of rule for subject (after a successful log-in). 0 or -1. */
int ratelimit_clear(struct db *db, enum ratelimit_rule rule, const char *subject);

/* Delete the counters of windows over a day old. 0 or -1. One hit in 100 calls it. */
int ratelimit_cleanup(struct db *db);

/* Seconds of the rule's window (for the "try again in N minutes" message). */
int ratelimit_window(enum ratelimit_rule rule);

/* Seconds until the current window of rule ends (a Retry-After header). */
int ratelimit_retry_after(enum ratelimit_rule rule);

/* Hits allowed per window for rule. */
int ratelimit_limit(enum ratelimit_rule rule);

/*
 * Change limits at start-up, before the worker threads: spec is
 * "NAME=LIMIT,NAME=LIMIT" with the rule names login_ip, login_account,
 * signup_ip, reset_ip, reset_account, mail_account (e.g. a test install
 * where every request comes from 127.0.0.1). 0, or -1 (logged) on an
 * unknown name or a bad number; the limits read before the error stay set.
 */
int ratelimit_configure(const char *spec);

#endif
