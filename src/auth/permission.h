/*
 * Who may do what: one table of (action, roles) in permission.c, used by
 * every handler through web/guard.h. Roles are per territory; a person's
 * role comes from the roles table of the territory the request is on, so
 * nobody acts outside their territory whatever URL or form they send.
 */
#ifndef AUTH_PERMISSION_H
#define AUTH_PERMISSION_H

enum role {
	ROLE_VISITOR = 0, /* not logged in */
	ROLE_UNCONFIRMED, /* logged in, e-mail address not confirmed yet */
	ROLE_MEMBER, /* confirmed account (the default role once confirmed) */
	ROLE_ANIMATOR,
	ROLE_ADMIN,
};

enum action {
	ACT_CONTACT_SEND,
	ACT_ACCOUNT_MANAGE, /* own profile, settings, data, deletion */
	ACT_ACCOUNT_ACCESS, /* sign up, log in and out, confirm an address, reset a password */
	ACT_CONTRIBUTE, /* post needs and ideas, comment, support, follow */
	ACT_ORGANISATION_CREATE,
	ACT_MODERATE, /* animators: move initiatives, curate */
	ACT_DASHBOARD,
	ACT_ROLE_GRANT, /* admins: grant member/animator/admin in their territory */
	ACT_PARTNER_ACCREDIT,
	ACT_TERRITORY_CONFIGURE,
	ACT__COUNT
};

/* 1 if role may perform action, else 0. */
int permission_allows(enum role role, enum action action);

/* "visitor", "member"... (stable names for logs and tests). */
const char *role_name(enum role role);
/* The role called name ("member", "animator", "admin"), or -1. */
int role_from_name(const char *name);
/* "contact.send"... (stable names for the role-matrix test). */
const char *action_name(enum action action);

#endif
