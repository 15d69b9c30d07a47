/*
 * The permission table. Reading it answers "who may do what"; a new action
 * is one more row, and the role-matrix test walks every route against it.
 */
#include "auth/permission.h"

#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define R(role) (1u << (role))
#define MEMBERS (R(ROLE_MEMBER) | R(ROLE_ANIMATOR) | R(ROLE_ADMIN))
#define ANYONE (R(ROLE_VISITOR) | R(ROLE_UNCONFIRMED) | MEMBERS)
#define SIGNED_IN (R(ROLE_UNCONFIRMED) | MEMBERS)

static const struct {
	enum action action;
	const char *name;
	unsigned roles;
} permissions[ACT__COUNT] = {
	{ ACT_CONTACT_SEND, "contact.send", ANYONE },
	{ ACT_ACCOUNT_MANAGE, "account.manage", SIGNED_IN },
	{ ACT_ACCOUNT_ACCESS, "account.access", ANYONE },
	{ ACT_CONTRIBUTE, "contribute", MEMBERS },
	{ ACT_ORGANISATION_CREATE, "organisation.create", MEMBERS },
	{ ACT_MODERATE, "moderate", R(ROLE_ANIMATOR) | R(ROLE_ADMIN) },
	{ ACT_DASHBOARD, "dashboard", R(ROLE_ANIMATOR) | R(ROLE_ADMIN) },
	{ ACT_ROLE_GRANT, "role.grant", R(ROLE_ADMIN) },
	{ ACT_PARTNER_ACCREDIT, "partner.accredit", R(ROLE_ADMIN) },
	{ ACT_TERRITORY_CONFIGURE, "territory.configure", R(ROLE_ADMIN) },
};

static const char *const role_names[] = {
	[ROLE_VISITOR] = "visitor",
	[ROLE_UNCONFIRMED] = "unconfirmed",
	[ROLE_MEMBER] = "member",
	[ROLE_ANIMATOR] = "animator",
	[ROLE_ADMIN] = "admin",
};

int permission_allows(enum role role, enum action action)
{
	if ((unsigned)action >= ACT__COUNT || (unsigned)role >= ARRAY_SIZE(role_names))
		return 0;
	if (permissions[action].action != action)
		BUG("permission table out of order");
	return (permissions[action].roles & R(role)) != 0;
}

const char *role_name(enum role role)
{
	return (unsigned)role < ARRAY_SIZE(role_names) ? role_names[role] : "unknown";
}

int role_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(role_names); i++)
		if (!strcmp(role_names[i], name))
			return (int)i;
	return -1;
}

const char *action_name(enum action action)
{
	return (unsigned)action < ACT__COUNT ? permissions[action].name : "unknown";
}
