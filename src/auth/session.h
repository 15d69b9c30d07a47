/*
 * Sessions, stored in the database so that every process of an install
 * shares them, and the CSRF token bound to each. A visitor gets a session
 * only when a page with a form needs one; pages without per-visitor
 * content stay cacheable. The cookie carries a random token; the database
 * keeps only its hash, so a leaked table cannot be replayed.
 *
 * Lifetimes (OWASP ASVS 4.0 V3.3.2, level 2: "12 hours or 30 minutes of
 * inactivity"): a logged-in session ends 30 minutes after its last request
 * and 12 hours after the log-in, whichever comes first; then the person
 * logs in again. A visitor session holds only a CSRF token (no identity,
 * nothing to steal), so it lives 30 days without activity and has no
 * absolute end. Log-in always starts a new session (new token, new CSRF
 * token: ASVS 3.2.1), log-out and password change end them (3.3.1, 3.3.3).
 */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"

struct db;

struct session {
	int64_t user_id; /* 0 for a visitor */
	const char *token_hash; /* hex; the row's key */
	const char *csrf; /* the form token bound to this session */
	int64_t expires_at; /* idle expiry, never after absolute_expires_at */
	int64_t absolute_expires_at; /* 0: none (visitor sessions) */
	int64_t created_at;
};

/* Lifetime of a visitor session without activity, in seconds. */
#define SESSION_IDLE_SECONDS (30 * 24 * 3600)
/* A logged-in session: lifetime without activity, and from the log-in at most. */
#define SESSION_LOGIN_IDLE_SECONDS (30 * 60)
#define SESSION_LOGIN_ABSOLUTE_SECONDS (12 * 3600)
/* The user agent kept for the list of sessions is cut to this many bytes. */
#define SESSION_USER_AGENT_MAX 200

/* Initialise libsodium; die() if it cannot. Call once at start-up. */
void auth_init(void);

/*
 * Change the lifetimes of logged-in sessions (seconds; both > 0), for an
 * install that chooses otherwise than ASVS level 2. Start-up only.
 */
void session_set_login_lifetime(int64_t idle_seconds, int64_t absolute_seconds);

/*
 * The session whose cookie token is token, if it exists and has neither
 * passed its idle expiry nor its absolute one (an expired row is deleted).
 * 0 with *out set (NULL when there is none), -1 on a database error.
 * Extends the idle expiry (never past the absolute one) when a thirtieth
 * of the idle lifetime has passed since the last extension, at most once
 * an hour, to keep reads cheap.
 */
int session_load(struct db *db, struct arena *a, const char *token, struct session **out);

/*
 * A new visitor session (user_id 0), or a logged-in one without device
 * details (prefer session_login() for a log-in). *token receives the value
 * to send in the cookie (arena string). Now and then also deletes expired
 * sessions (session_cleanup()). 0 or -1.
 */
int session_create(struct db *db, struct arena *a, int64_t user_id, struct session **out,
		   const char **token);

/*
 * Log-in: delete old (the visitor session the log-in form came with, or
 * NULL) and create a session for user_id (> 0) with a new token and a new
 * CSRF token, the logged-in lifetimes, and the device details shown in the
 * list of sessions (user_agent cut to SESSION_USER_AGENT_MAX bytes, ip;
 * either may be NULL; bytes outside printable ASCII are stored as '?').
 * *token receives the new cookie value (arena string). Two statements: run
 * it inside the transaction that records the log-in. 0 or -1.
 */
int session_login(struct db *db, struct arena *a, const struct session *old, int64_t user_id,
		  const char *user_agent, const char *ip, struct session **out, const char **token);

/* Delete the session (log-out). 0 or -1. */
int session_destroy(struct db *db, const struct session *s);

/*
 * Delete every session of user_id except the one whose hash is keep_hash
 * ("log out everywhere else", password change); keep_hash NULL deletes
 * them all. 0 or -1.
 */
int session_destroy_others(struct db *db, int64_t user_id, const char *keep_hash);

/* Delete every session of user_id (account deletion, password reset). 0 or -1. */
int session_destroy_all(struct db *db, int64_t user_id);

/*
 * The live sessions of user_id for the settings page, most recent first
 * (50 at most): a JSON array of objects { "created_at", "seen_at" (Unix
 * seconds), "user_agent" (cut to 80 characters, "…" added), "ip",
 * "is_current" (true for the session whose hash is current_hash) }.
 * 0 with *out set (the caller owns it: json_decref), or -1.
 */
int session_list_for_user(struct db *db, int64_t user_id, const char *current_hash, json_t **out);

/* Delete every expired session. 0 or -1. Called now and then by session_create(). */
int session_cleanup(struct db *db);

/* 1 if token equals the session's CSRF token, compared in constant time. */
int session_csrf_valid(const struct session *s, const char *token);

/* A random URL-safe token of 256 bits (arena string). */
const char *auth_random_token(struct arena *a);

/*
 * The hex hash under which a token is stored (BLAKE2b-256; arena string):
 * sessions, and the single-use e-mail tokens, keep only this.
 */
const char *auth_hash_token(struct arena *a, const char *token);

#endif
