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
	RL_LOGIN_IP, /* log-in attempts per client address */
	RL_LOGIN_ACCOUNT, /* failed log-ins per e-mail address */
	RL_SIGNUP_IP, /* sign-ups per client address */
	RL_RESET_IP, /* reset requests per client address */
	RL_RESET_ACCOUNT, /* reset requests per e-mail address */
	RL_MAIL_ACCOUNT, /* e-mails sent to one address (confirm, reset, change) */
};

/*
 * Count one hit of rule for subject (an IP, an e-mail address: hashed
 * before it is stored). 0 when allowed, 1 when over the limit (the hit is
 * still counted), -1 on a database error. Runs in its own statement, not in
 * the caller's transaction.
 */
int ratelimit_hit(struct db *db, enum ratelimit_rule rule, const char *subject);

/* 1 if subject is over the limit of rule now, without counting a hit; -1 on error. */
int ratelimit_exceeded(struct db *db, enum ratelimit_rule rule, const char *subject);

/* Forget the hits of rule for subject (after a successful log-in). 0 or -1. */
int ratelimit_clear(struct db *db, enum ratelimit_rule rule, const char *subject);

/* Seconds of the rule's window (for the "try again in N minutes" message). */
int ratelimit_window(enum ratelimit_rule rule);

#endif
