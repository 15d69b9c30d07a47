/*
 * People's accounts: one account works on every territory of an install;
 * roles are per territory. This header is the core that every page needs
 * (the current user and their role); account operations are declared
 * further down.
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

#endif
