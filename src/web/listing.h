/*
 * What the pages of a territory share, so that every list reads its query
 * the same way and every card of a need, an initiative or an organisation
 * says the same things on the home page, the lists and the detail pages:
 * query checks, translated labels, dates, links, pagers, Markdown blocks.
 */
#ifndef WEB_LISTING_H
#define WEB_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/*
 * 1 if every query parameter is one of names[0..n) or "lang", and none is
 * given twice; else 0 (the handler answers 400).
 */
int listing_query_allowed(const struct request *req, const char *const *names, size_t n);

/*
 * The ?before= keyset parameter: 0 with *before set (0 when absent), -1
 * when it is not a positive number.
 */
int listing_before(const struct request *req, int64_t *before);

/* A query parameter, or NULL when absent or empty (a form's "all" choice). */
const char *listing_param(const struct request *req, const char *name);

/* one or many (English msgids) translated, chosen by n and the request's plural rule. */
const char *listing_plural(const struct request *req, int64_t n, const char *one,
			   const char *many);

/* Set key (e.g. "date") to the day of t as people read it, and key_iso to YYYY-MM-DD. */
void listing_date(const struct request *req, json_t *obj, const char *key, int64_t t);

/* Set obj's "href" to prefix followed by obj's "id" ("/needs/" → "/needs/12"). */
void listing_href(const struct request *req, json_t *obj, const char *prefix);

/* Add to a need (need_list() item or need_get()): href, date, date_iso, idea_label, metoo_label. */
void listing_need(const struct request *req, json_t *need);
/* listing_need() on each item of an array. */
void listing_needs(const struct request *req, json_t *items);

/*
 * Add to an initiative (initiative_list() item or initiative_get()): href,
 * stage_label, outcome_label (when set), date and date_iso (when it has
 * created_at), support_label.
 */
void listing_initiative(const struct request *req, json_t *in);
/* listing_initiative() on each item of an array. */
void listing_initiatives(const struct request *req, json_t *items);

/* Add to each organisation of items (organisation_list() items): href, kind_label. */
void listing_organisations(const struct request *req, json_t *items);
/* The same for one organisation. */
void listing_organisation(const struct request *req, json_t *org);

/* Set obj's flag to true when obj's array_key is a non-empty array, else false (templates test it). */
void listing_flag(json_t *obj, const char *flag, const char *array_key);

/*
 * Set key to the HTML of Markdown md, safe to insert raw, with its headings
 * moved down so the highest is <h{top}>: the page's own h1/h2 stay the
 * only ones above. Sets key to "" if md is not valid UTF-8.
 */
void listing_markdown(json_t *model, const char *key, const char *md, int top);

/*
 * The model of a pager for a list at path (e.g. "/needs?without_idea=1"):
 * {"first_href" when the page is not the first, "next_href" when
 * next_before is an id}. NULL when there is no other page. New reference.
 */
json_t *listing_pager(const struct request *req, const char *path, int64_t before,
		      const json_t *next_before);

#endif
