/*
 * Organisations of a territory: associations, social enterprises, companies
 * and public bodies that carry initiatives, and the partners (Sceaux Valley
 * in the model) who coach, train, fund or host them.
 */
#ifndef DOMAIN_ORGANISATION_H
#define DOMAIN_ORGANISATION_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define ORGANISATION_SLUG_MAX 64
#define ORGANISATION_NAME_MAX 200
#define ORGANISATION_SUMMARY_MAX 500
#define ORGANISATION_DESCRIPTION_MAX 20000
#define ORGANISATION_WEBSITE_MAX 500

/* The msgid of a kind ("association", "social_enterprise", "company", "public_body", "partner"), or NULL. */
const char *organisation_kind_label(const char *kind);

enum organisation_group {
	ORGANISATION_PARTNERS, /* is_partner = 1 */
	ORGANISATION_OTHERS, /* everyone else */
};

/*
 * The territory's organisations of one group by name (at most 200, the
 * size of a town's network): [{id, slug, name, kind, summary, website,
 * accredited (bool)}]. *out is a new reference. 0 or -1.
 */
int organisation_list(struct db *db, int64_t territory_id, enum organisation_group group,
		      json_t **out);

/*
 * The organisation with this slug: the list fields plus description
 * (Markdown), partner (bool), created_at, and "initiatives": the 50 newest
 * it carries, as initiative_list() items. 0 with *out a new reference, 1 if
 * the territory has none, -1 on error.
 */
int organisation_get_by_slug(struct db *db, int64_t territory_id, const char *slug, json_t **out);

/* The id of the organisation with this slug: 0 with *id set, 1 if none, -1 on error. */
int organisation_find(struct db *db, int64_t territory_id, const char *slug, int64_t *id);

/* What a new organisation holds. */
struct organisation_new {
	const char *slug; /* [a-z0-9-] */
	const char *name;
	const char *kind; /* one organisation_kind_label() knows */
	const char *summary;
	const char *description; /* Markdown */
	const char *website; /* "" or NULL, or an http:// or https:// URL */
	int partner;
	int accredited;
	int64_t created_at; /* imports only; 0 = now */
	int64_t actor_id; /* who creates it, for the activity; 0 = nobody (imports) */
};

/* Create one and its "Create" activity in the caller's transaction; *id gets its id. 0 or -1. */
int organisation_insert(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id);

/* organisation_insert() in its own transaction. 0 or -1. */
int organisation_create(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id);

/* ---- Organisations people run (owners and members) ---- */

/* A person's place in an organisation. */
enum organisation_role {
	ORGANISATION_NOT_MEMBER = 0,
	ORGANISATION_MEMBER = 1,
	ORGANISATION_OWNER = 2,
};

/* What a change can answer besides 0 (done) and -1 (database error). */
enum organisation_refusal {
	ORGANISATION_REFUSED_LAST_OWNER = 1, /* the organisation would have no owner left */
	ORGANISATION_REFUSED_NO_ACCOUNT = 2, /* no account has this id */
	ORGANISATION_REFUSED_NOT_MEMBER = 3, /* the person is not a member */
	ORGANISATION_REFUSED_NOT_PARTNER = 4, /* only partners are accredited */
	ORGANISATION_REFUSED_BAD_ROLE = 5, /* not "owner" or "member" */
	ORGANISATION_REFUSED_NOT_FOUND = 6, /* the territory has no such organisation */
};

/* At most this many members are listed on a page (a town's association is smaller). */
#define ORGANISATION_MEMBERS_MAX 200

/*
 * Check what a person typed for a new or edited organisation: name, kind,
 * summary, description, website (the slug is not checked: it is derived).
 * A JSON object {field: English msgid}, empty when valid; new reference.
 * Lengths are counted in characters.
 */
json_t *organisation_validate(const struct organisation_new *o);

/*
 * Create an organisation people run: its slug is derived from the name
 * (accents folded, unique in the territory, never "new") and written to
 * slug; is_partner is set for the kind "partner" (accreditation is an
 * admin's: never here); owner_id becomes its owner. o->slug, o->partner,
 * o->accredited and o->created_at are ignored. One transaction with its
 * activity. 0 with *id set, or -1.
 */
int organisation_create_owned(struct db *db, int64_t territory_id, const struct organisation_new *o,
			      int64_t owner_id, int64_t *id, char slug[ORGANISATION_SLUG_MAX + 1]);

/*
 * Replace name, kind, summary, description and website of organisation id
 * (slug and accreditation kept), with its "Update" activity by actor_id.
 * Choosing the kind "partner" makes it a partner; leaving that kind makes
 * it an ordinary organisation again and ends its accreditation. 0,
 * ORGANISATION_REFUSED_NOT_FOUND, or -1.
 */
int organisation_update(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			const struct organisation_new *o);

/* user_id's enum organisation_role in organisation org_id, or -1 on error. */
int organisation_member_role(struct db *db, int64_t org_id, int64_t user_id);

/*
 * The members of org_id, owners first, then by name: [{id, display_name,
 * role}] (at most ORGANISATION_MEMBERS_MAX). *out is a new reference. 0 or -1.
 */
int organisation_members(struct db *db, int64_t org_id, json_t **out);

/*
 * Make user_id a member of org_id with role "owner" or "member" (a member
 * already there changes role), with its activity ("Add", object user,
 * target organisation) by actor_id. One transaction. 0, a positive enum
 * organisation_refusal, or -1.
 */
int organisation_member_set(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id,
			    const char *role, int64_t actor_id);

/*
 * Remove user_id from org_id, with its activity ("Remove") by actor_id; the
 * last owner stays. One transaction. 0, a positive enum
 * organisation_refusal, or -1.
 */
int organisation_member_remove(struct db *db, int64_t territory_id, int64_t org_id,
			       int64_t user_id, int64_t actor_id);

/*
 * The organisations of the territory user_id belongs to, by name, for "act
 * as my organisation" choices: [{id, slug, name, kind, partner (bool),
 * accredited (bool), role ("owner"|"member")}]. *out is a new reference.
 * 0 or -1.
 */
int organisation_list_for_user(struct db *db, int64_t territory_id, int64_t user_id, json_t **out);

/*
 * Accredit (accredited = 1) or stop accrediting (0) the partner org_id of
 * the territory, by an admin actor_id, with its activity ("Update" with
 * details {"accredited": bool}). Already in that state: 0, nothing
 * recorded. 0, ORGANISATION_REFUSED_NOT_FOUND,
 * ORGANISATION_REFUSED_NOT_PARTNER, or -1.
 */
int organisation_set_accredited(struct db *db, int64_t territory_id, int64_t org_id,
				int64_t actor_id, int accredited);

/*
 * The partner organisations with their accreditation, by name (at most
 * 200): [{id, slug, name, kind, summary, website, accredited (bool),
 * accredited_at (Unix seconds or null)}]. *out is a new reference. 0 or -1.
 */
int organisation_list_partners_admin(struct db *db, int64_t territory_id, json_t **out);

#endif
