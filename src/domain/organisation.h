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
};

/* Create one and its "Create" activity in the caller's transaction; *id gets its id. 0 or -1. */
int organisation_insert(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id);

/* organisation_insert() in its own transaction. 0 or -1. */
int organisation_create(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id);

#endif
