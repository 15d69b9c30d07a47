/*
 * Sessions, stored in the database so that every process of an install
 * shares them, and the CSRF token bound to each. A visitor gets a session
 * only when a page with a form needs one; pages without per-visitor
 * content stay cacheable. The cookie carries a random token; the database
 * keeps only its hash, so a leaked table cannot be replayed.
 */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <stdint.h>

#include "core/arena.h"

struct db;

struct session {
	int64_t user_id; /* 0 for a visitor */
	const char *token_hash; /* hex; the row's key */
	const char *csrf; /* the form token bound to this session */
	int64_t expires_at;
};

/* Lifetime of a session without activity, in seconds. */
#define SESSION_IDLE_SECONDS (30 * 24 * 3600)

/* Initialise libsodium; die() if it cannot. Call once at start-up. */
void auth_init(void);

/*
 * The session whose cookie token is token, if it exists and has not expired.
 * 0 with *out set (NULL when there is none), -1 on a database error.
 * Extends the session's life at most once an hour, to keep reads cheap.
 */
int session_load(struct db *db, struct arena *a, const char *token, struct session **out);

/*
 * A new session for user_id (0: a visitor). *token receives the value to
 * send in the cookie (arena string). 0 or -1.
 */
int session_create(struct db *db, struct arena *a, int64_t user_id, struct session **out,
		   const char **token);

/* Delete the session (log-out). 0 or -1. */
int session_destroy(struct db *db, const struct session *s);

/* 1 if token equals the session's CSRF token, compared in constant time. */
int session_csrf_valid(const struct session *s, const char *token);

/* A random URL-safe token of 256 bits (arena string). */
const char *auth_random_token(struct arena *a);

#endif
