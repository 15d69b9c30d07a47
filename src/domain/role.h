/*
 * Roles in a territory, as admins grant them. A confirmed account is a
 * member everywhere without a row (domain/user.c, user_role()); the roles
 * table holds animators and admins, and members recorded explicitly. A
 * territory never loses its last admin through these functions, so it can
 * always be administered from the web; the command line
 * (`tremplin user create --admin`) makes the first one.
 */
#ifndef DOMAIN_ROLE_H
#define DOMAIN_ROLE_H

#include <stdint.h>

#include <jansson.h>

#include "auth/permission.h"

struct db;

/* What a role change can answer besides 0 (done) and -1 (database error). */
enum role_refusal {
	ROLE_REFUSED_LAST_ADMIN = 1, /* it would leave the territory without an admin */
	ROLE_REFUSED_NO_ACCOUNT = 2, /* no account has this id */
	ROLE_REFUSED_BAD_ROLE = 3, /* not member, animator or admin */
};

#define ROLE_PAGE_MAX 50
#define ROLE_SEARCH_MAX 100 /* characters of a people search */

/*
 * Give user_id the role (ROLE_MEMBER, ROLE_ANIMATOR or ROLE_ADMIN) in the
 * territory, replacing the one they had, with its activity (verb "Add",
 * object "role", target the user; actor granted_by, 0 for the command
 * line). One transaction. 0, a positive enum role_refusal, or -1.
 */
int role_grant(struct db *db, int64_t territory_id, int64_t user_id, enum role role,
	       int64_t granted_by);

/*
 * Remove user_id's row in the territory's roles (they are a member again),
 * with its activity (verb "Remove", object "role"). Nothing to remove is a
 * success that records nothing. 0, ROLE_REFUSED_LAST_ADMIN, or -1.
 */
int role_revoke(struct db *db, int64_t territory_id, int64_t user_id, int64_t revoked_by);

struct role_filter {
	const char *role; /* "member", "animator", "admin", or NULL for every row */
	int64_t before; /* keyset: only user ids below this; 0 for the first page */
	int limit; /* 1..ROLE_PAGE_MAX; 0 means ROLE_PAGE_MAX */
};

/*
 * The people holding a row in the territory's roles, newest account first:
 * {"items": [{id, display_name, role, granted_at}], "next_before": id or
 * null}. *out is a new reference. 0 or -1.
 */
int role_list(struct db *db, int64_t territory_id, const struct role_filter *f, json_t **out);

/* Number of admins of the territory, or -1. */
int64_t role_admin_count(struct db *db, int64_t territory_id);

/*
 * Accounts of the install whose display name contains query (any case) or
 * whose e-mail address is exactly query, with their role in the territory
 * ("unconfirmed", "member", "animator", "admin"), newest first, keyset by
 * id like role_list(): {"items": [{id, display_name, role}], "next_before"}.
 * The e-mail address itself is never returned. 0 or -1.
 */
int role_search_people(struct db *db, int64_t territory_id, const char *query, int64_t before,
		       int limit, json_t **out);

/*
 * The command line's first admin. The account using email (compared
 * without regard to case) is created, confirmed, with display_name and
 * password_hash when there is none (*created = 1); when territory_id is not
 * 0, it becomes admin there. One transaction with its activities. 0 with
 * *user_id set, or -1.
 */
int role_bootstrap_admin(struct db *db, int64_t territory_id, const char *email,
			 const char *display_name, const char *password_hash, int64_t *user_id,
			 int *created);

/* The id of the account using email (any case): 0 with *user_id set, 1 if none, -1 on error. */
int role_find_account(struct db *db, const char *email, int64_t *user_id);

#endif
