/*
 * Offers: what an accredited partner organisation puts at the disposal of
 * the territory's projects (coaching, premises, funding...), for some
 * stages of the journey and, optionally, some themes. The matching and the
 * support requests read these rows; this module writes them, each write
 * with its activity, and lists them for the ecosystem page.
 */
#ifndef DOMAIN_OFFER_H
#define DOMAIN_OFFER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define OFFER_TITLE_MAX 200
#define OFFER_DESCRIPTION_MAX 10000
#define OFFER_CONDITIONS_MAX 2000
#define OFFER_CAPACITY_MAX 200
#define OFFER_AMOUNT_MAX 100000000 /* euros */
#define OFFER_THEMES_MAX 50
#define OFFER_PAGE_MAX 100

struct offer_kind {
	const char *code;
	const char *label; /* English msgid */
};
extern const struct offer_kind offer_kinds[];
extern const size_t offer_kind_count;

/* The kind called code, or NULL. */
const struct offer_kind *offer_kind_find(const char *code);

/* The stages an offer may apply to, in journey order: idea, improving, project, supported, realised. */
extern const char *const offer_stage_codes[];
extern const size_t offer_stage_count;

/* The index of stage code in offer_stage_codes, or -1. */
int offer_stage_index(const char *code);

/* An offer as typed in the form (strings may be NULL; stages and themes as checked). */
struct offer_form {
	const char *kind, *title, *description, *conditions, *amount, *capacity;
	const char *opens, *closes; /* "YYYY-MM-DD" or empty */
	const char *active;	    /* "1" active, "0" paused; NULL/empty = active */
	const char *const *stages;  /* stage codes checked */
	size_t stage_count;
	const char *const *themes; /* theme slugs checked */
	size_t theme_count;
};

/* A checked offer. */
struct offer_input {
	const char *kind, *title, *description, *conditions, *capacity;
	int64_t amount_max_eur;	     /* 0: none */
	int64_t opens_at, closes_at; /* Unix seconds, 0: none; closes_at is the last second of its day (Paris) */
	int active;
	unsigned stages; /* bit i = offer_stage_codes[i] */
	int64_t theme_ids[OFFER_THEMES_MAX];
	size_t theme_count;
};

/*
 * Check a form against the territory's themes, fill *out (its strings
 * point into in). A new JSON object {field: English msgid}, empty when
 * fine; NULL on a database error.
 */
json_t *offer_validate(struct db *db, int64_t territory_id, const struct offer_form *in,
		       struct offer_input *out);

/*
 * 1 if user_id may publish and edit offers for org_id: an owner or member
 * of it, and it is an accredited partner organisation of the territory.
 * 0 if not, -1 on error.
 */
int offer_may_publish(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id);

/* Create an offer of org_id with its "Create" activity, in one transaction. 0 with *id, or -1. */
int offer_create(struct db *db, int64_t territory_id, int64_t org_id, int64_t actor_id,
		 const struct offer_input *in, int64_t *id);

/* Replace offer id (stages and themes too) with its "Update" activity, in one transaction. 0, 1 if none in the territory, -1. */
int offer_update(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		 const struct offer_input *in);

/* The organisation of offer id: 0 with *org_id, 1 if none in the territory, -1. */
int offer_organisation(struct db *db, int64_t territory_id, int64_t id, int64_t *org_id);

/*
 * Offer id: {id, kind, title, description, conditions, amount_max_eur|null,
 * capacity, opens_at|null, closes_at|null, active (bool), created_at,
 * updated_at, stages [codes in journey order], themes [{id, slug, name}],
 * organisation {id, slug, name, accredited (bool)}}. 0 with *out a new
 * reference, 1 if none in the territory, -1.
 */
int offer_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/* "paused" (not active), "closed" (outside its dates at now) or "open". */
const char *offer_state(int active, int64_t opens_at, int64_t closes_at, int64_t now);

/* What offer_list() selects. */
struct offer_filter {
	const char *kind;  /* a kind code, or NULL */
	const char *stage; /* a stage code, or NULL */
	int64_t theme_id;  /* 0: any */
	int64_t before;	   /* keyset: ids below this; 0: from the newest */
	size_t limit;	   /* 1..OFFER_PAGE_MAX */
};

/*
 * The active offers of the territory's accredited partners, newest first:
 * {"items": [{id, kind, title, capacity, amount_max_eur|null, opens_at|null,
 * closes_at|null, active, stages [codes], organisation {id, slug, name}}],
 * "next_before": id|null}. One query. *out a new reference. 0 or -1.
 */
int offer_list(struct db *db, int64_t territory_id, const struct offer_filter *f, json_t **out);

/* Every offer of org_id (paused too), newest first, at most OFFER_PAGE_MAX, as offer_list() items. 0 or -1. */
int offer_list_by_organisation(struct db *db, int64_t territory_id, int64_t org_id, json_t **out);

/*
 * What each partner has supported: the projects with an accepted or
 * completed support request for one of its offers, at most 20 per partner,
 * newest first, in one bounded query: {"ORG_ID": [{id, title}]}. 0 or -1.
 */
int offer_supported_projects(struct db *db, int64_t territory_id, json_t **out);

#endif
