/*
 * A project's funding: the goal its carrier states, what completed funding
 * and crowdfunding supports committed, and the crowdfunding campaign linked
 * to it (platform, address, goal, amount raised, end date). Tremplin handles
 * no money: these are figures people report. Every change is one
 * transaction with an "Update" activity on the initiative.
 */
#ifndef DOMAIN_FUNDING_H
#define DOMAIN_FUNDING_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define FUNDING_AMOUNT_MAX 100000000 /* euros */
#define FUNDING_PLATFORM_MAX 100
#define FUNDING_URL_MAX 500

/* Set the funding goal of initiative id (goal_eur 0: none). 0, 1 if no such initiative, -1. */
int funding_set_goal(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id, int64_t goal_eur);

struct funding_campaign {
	const char *platform, *url;
	int64_t goal_eur, raised_eur;
	int64_t ends_at; /* Unix seconds, 0 for none */
};

/* A form's fields checked: {field: English msgid}, empty when fine. New reference. */
json_t *funding_campaign_validate(const struct funding_campaign *c);

/* 1 if url is an http:// or https:// address with a host and no spaces. */
int funding_url_ok(const char *url);

/* Create or replace the campaign of initiative id. 0, 1 if no such initiative, -1. */
int funding_set_campaign(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			 const struct funding_campaign *c);

/*
 * The funding of initiative id: {goal_eur|null, supports_eur, committed_eur,
 * campaign {platform, url, goal_eur, raised_eur, ends_at|null}|null}.
 * committed = completed funding/crowdfunding supports + campaign raised.
 * New reference. 0, 1 if no such initiative, -1.
 */
int funding_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

#endif
