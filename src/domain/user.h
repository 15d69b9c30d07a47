/*
 * People's accounts: one account works on every territory of an install;
 * roles are per territory. The first part is the core that every page needs
 * (the current user and their role); account operations follow.
 *
 * E-mail addresses are stored trimmed and lower-cased (the UNIQUE index on
 * users.email then means one account per address); every function taking
 * an address normalises it the same way.
 *
 * The write functions work inside the caller's transaction (db_begin ..
 * db_commit), so that a request joins them with its e-mail tokens and
 * outbox mails; each records its activity row itself.
 */
#ifndef DOMAIN_USER_H
#define DOMAIN_USER_H

#include <stdint.h>

#include <jansson.h>

#include "auth/permission.h"
#include "core/arena.h"

struct db;

/* Shown instead of the name of an account that was deleted. */
#define USER_DELETED_NAME "deleted participant"

#define USER_NAME_MAX 80
#define USER_EMAIL_MAX 254
#define USER_BIO_MAX 1000

struct user {
	int64_t id;
	const char *email;
	const char *display_name;
	const char *language; /* "fr" | "en" */
	const char *notify_frequency; /* "none" | "each" | "daily" | "weekly" */
	int confirmed; /* e-mail address confirmed */
	int terms_version; /* version of the terms accepted */
	int64_t password_changed_at;
};

/* The account with this id (arena strings). 0 with *out set, 1 if none, -1 on error. */
int user_get(struct db *db, struct arena *a, int64_t id, struct user **out);

/*
 * The person's role in a territory: ROLE_UNCONFIRMED until the address is
 * confirmed, then the roles table's role, or ROLE_MEMBER without a row.
 * -1 on a database error.
 */
int user_role(struct db *db, const struct user *u, int64_t territory_id);

/* ---- Checks (no database) ---- */

/* email trimmed of blanks and lower-cased (ASCII letters), as an arena string. */
const char *user_email_normalise(struct arena *a, const char *email);

/* 1 if email (normalised) looks like an address: one @, a dotted domain, no blanks. */
int user_email_valid(const char *email);

/* 1 if language is one people may choose ("fr", "en"). */
int user_language_valid(const char *language);

/* 1 if frequency is "none", "each", "daily" or "weekly". */
int user_notify_frequency_valid(const char *frequency);

/*
 * Check a sign-up: address, display name (1 to USER_NAME_MAX characters),
 * password (auth/password.h rules). A JSON object {field: English msgid} of
 * the problems, empty when valid; new reference. email is taken as typed.
 */
json_t *user_validate_signup(const char *email, const char *display_name, const char *password);

/* ---- Reading ---- */

/*
 * The account with this address (normalised here). 0 with *out set, 1 if
 * none, -1 on error.
 */
int user_find_by_email(struct db *db, struct arena *a, const char *email, struct user **out);

/*
 * The stored password hash of an account (arena string). 0 with *hash set,
 * 1 when the account has no password (demo people, an unknown id), -1 on error.
 */
int user_password_hash(struct db *db, struct arena *a, int64_t user_id, const char **hash);

/* ---- Writing (inside the caller's transaction; each records an activity) ---- */

/*
 * Create an unconfirmed account. email is normalised here and must be
 * valid; password_hash comes from password_hash(); language is "fr"|"en";
 * terms_version is the version of the terms accepted now (0: none).
 * Records "Create user" in territory_id. 0 with *id set, 1 when the address
 * already has an account, -1 on error.
 */
int user_create(struct db *db, int64_t territory_id, const char *email, const char *display_name,
		const char *password_hash, const char *language, int terms_version, int64_t *id);

/* Mark the address confirmed (kept when it already was). 0, 1 if no such account, -1. */
int user_confirm(struct db *db, int64_t territory_id, int64_t user_id);

/* Store a new password hash and the time of the change. 0, 1 if no such account, -1. */
int user_set_password(struct db *db, int64_t territory_id, int64_t user_id, const char *password_hash);

/*
 * Change the address to email (normalised here), confirmed now: it comes
 * from a link sent to it. 0, 1 when another account has that address, -1.
 */
int user_set_email(struct db *db, int64_t territory_id, int64_t user_id, const char *email);

/* Language ("fr"|"en") and notification frequency (see above). 0, 1 if refused, -1. */
int user_update_settings(struct db *db, int64_t territory_id, int64_t user_id,
			 const char *language, const char *notify_frequency);

/* Record that the person accepted the terms of this version now. 0, 1 if no such account, -1. */
int user_accept_terms(struct db *db, int64_t territory_id, int64_t user_id, int version);

#endif
