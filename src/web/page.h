/*
 * What every page handler uses to answer: the site's layout around a
 * template, translations for the request's language, the CSRF token for
 * forms, and error pages. The layout's model (territory, navigation,
 * language switch, stylesheet URL) is built here once, not in each handler.
 */
#ifndef WEB_PAGE_H
#define WEB_PAGE_H

#include <jansson.h>

#include "http/request.h"

/*
 * Render template `name` with model (this function takes the reference)
 * inside templates/layout.html, as text/html with the given status.
 * title is already translated (or user content); the layout appends the
 * territory's name. The model gains the layout keys, available to the page
 * template too:
 *   lang ("fr"|"en"), territory {id, slug, name, tagline},
 *   nav [{href, label, current}], lang_switch {href, label, code},
 *   stylesheet and favicon (URLs), csrf (only once page_csrf() was called), title.
 */
void page_render(struct request *req, struct response *res, int status, const char *name,
		 const char *title, json_t *model);

/* The error page for status (400, 403, 404, 405, 413, 422, 429, 500) with a plain message. */
void page_error(struct request *req, struct response *res, int status);

/* msgid in the request's language. */
const char *page_tr(const struct request *req, const char *msgid);

/*
 * The CSRF token to put in a form as the hidden field "csrf". Creates the
 * visitor's session (and its cookie) on first need; the page then is not
 * cacheable. Returns an arena string.
 */
const char *page_csrf(struct request *req, struct response *res);

/*
 * Holes: a page kept in the cache for every person of a role, or for one
 * person across their sessions, is rendered with req->page_holes set, so
 * that the csrf token and the person's id and name come out as markers
 * (page_csrf() and the layout's "user" key); page_holes_fill() puts this
 * request's values in their place. A marker holds a random nonce drawn at
 * start-up, so no text a person typed can pass for one.
 */
void page_holes_init(void);
/* Copy body[0..len) to out with every hole filled for req (a cache_fill_fn). */
void page_holes_fill(void *req, const char *body, size_t len, struct buf *out);

/* URL of a file of static/, fingerprinted for long caching ("/static/style.1a2b3c4d.css"). */
const char *page_static_url(const char *file);

/*
 * A link to path in the request's language: adds "lang=en" when the
 * language is not the default. Arena string.
 */
const char *page_link(const struct request *req, const char *path);

/* Parse a positive id route parameter; -1 if absent or not a number. */
int64_t page_id_param(const struct request *req, const char *name);

#endif
