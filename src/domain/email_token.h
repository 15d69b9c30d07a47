/*
 * Single-use links sent by e-mail: confirm an address after sign-up, reset
 * a forgotten password, confirm a new address. The link carries a random
 * token; the database keeps only its hash, so a leaked table opens nothing.
 * A token is used at most once (an atomic UPDATE marks it) and expires.
 */
#ifndef DOMAIN_EMAIL_TOKEN_H
#define DOMAIN_EMAIL_TOKEN_H

#include <stdint.h>

#include "core/arena.h"

struct db;

enum email_token_purpose {
	EMAIL_TOKEN_CONFIRM, /* "confirm": the sign-up address */
	EMAIL_TOKEN_RESET, /* "reset": a forgotten password */
	EMAIL_TOKEN_EMAIL_CHANGE, /* "email_change": a new address, set when confirmed */
};

/* How long each link is valid, in seconds. */
#define EMAIL_TOKEN_CONFIRM_TTL (48 * 3600)
#define EMAIL_TOKEN_RESET_TTL 3600
#define EMAIL_TOKEN_EMAIL_CHANGE_TTL (48 * 3600)

struct email_token {
	int64_t user_id;
	enum email_token_purpose purpose;
	const char *new_email; /* the address to set (email_change), else NULL */
	int64_t expires_at;
};

/* The stored name of a purpose ("confirm", "reset", "email_change"). */
const char *email_token_purpose_name(enum email_token_purpose purpose);

/* Seconds a link of this purpose stays valid. */
int email_token_ttl(enum email_token_purpose purpose);

/*
 * A new link for user_id, in the caller's transaction: the links of the
 * same purpose not used yet stop working (only the newest mail counts).
 * new_email (normalised address) only for EMAIL_TOKEN_EMAIL_CHANGE, else
 * NULL. *token receives the value to put in the link (arena string).
 * 0 or -1.
 */
int email_token_create(struct db *db, struct arena *a, int64_t user_id,
		       enum email_token_purpose purpose, const char *new_email, const char **token);

/*
 * The link behind token if it has this purpose, is unused and has not
 * expired, without using it (to show the form a link opens). 0 with *out
 * set (arena), 1 if there is no such valid link, -1 on error.
 */
int email_token_peek(struct db *db, struct arena *a, const char *token,
		     enum email_token_purpose purpose, struct email_token **out);

/*
 * Use the link: marks it used only if it has this purpose, is unused and
 * has not expired, in one statement, so two requests racing with the same
 * link cannot both succeed. Same results as email_token_peek(). Call it in
 * the transaction of what the link does, so that a failure leaves it unused.
 */
int email_token_use(struct db *db, struct arena *a, const char *token,
		    enum email_token_purpose purpose, struct email_token **out);

/*
 * Make the unused links of this purpose of user_id stop working (a new
 * password cancels a pending change of address), in the caller's
 * transaction. 0 or -1.
 */
int email_token_revoke(struct db *db, int64_t user_id, enum email_token_purpose purpose);

/* Delete the links that expired more than keep_seconds ago (housekeeping). 0 or -1. */
int email_token_purge(struct db *db, int64_t keep_seconds);

#endif
