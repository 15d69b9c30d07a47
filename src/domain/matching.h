/*
 * Matching partners' offers to projects, computed from the database on each
 * view: an offer fits a project when it is active and open now, published
 * by an accredited partner of the territory, its kind answers one of the
 * project's open needs (offer_kind_answers, data not code) and the
 * project's stage is among the offer's stages. Offers that favour the
 * project's theme rank first, then the newest. Each direction is ONE SQL
 * statement: the reasons (which needs, the stage, the theme) come back in
 * the same rows, collapsed here, so a page never runs N+1 queries.
 */
#ifndef DOMAIN_MATCHING_H
#define DOMAIN_MATCHING_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define MATCHING_LIMIT_MAX 100

/*
 * The offers that fit initiative_id of territory_id, best first, at most
 * limit (1..MATCHING_LIMIT_MAX): [{id, title, kind, amount_max_eur|null,
 * closes_at|null, organisation {id, slug, name}, stage (the project's),
 * theme_match (bool), theme (the project's theme name when it matches, or
 * null), needs [{id, kind, description}] (the open needs it answers)}].
 * Empty when the initiative is not in the territory. One statement.
 * 0 with *out a new reference, or -1.
 */
int matching_offers_for_project(struct db *db, int64_t territory_id, int64_t initiative_id,
				int limit, json_t **out);

/*
 * The projects that fit offer_id of territory_id (the same rule the other
 * way round; nothing when the offer is paused, closed or its partner not
 * accredited), best first, at most limit: [{id, title, stage, theme_match
 * (bool), theme|null, needs [{id, kind, description}]}]. One statement.
 * 0 with *out a new reference, or -1.
 */
int matching_projects_for_offer(struct db *db, int64_t territory_id, int64_t offer_id, int limit,
				json_t **out);

/*
 * The offer offer_id of territory_id as the partner's page of projects
 * needs it: {id, title, kind, organisation {id, slug, name}}. 0 with *out a
 * new reference and *org_id, 1 if there is no such offer, -1.
 */
int matching_offer_head(struct db *db, int64_t territory_id, int64_t offer_id, int64_t *org_id,
			json_t **out);

#endif
