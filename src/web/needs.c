/*
 * The needs of a territory: the list (newest first, keyset pages, the
 * "waiting for an idea" filter in a form that works without JavaScript)
 * and a need's page with the ideas that answer it.
 */
#include "web/pages.h"

#include <string.h>

#include "core/mem.h"
#include "domain/need.h"
#include "domain/territory.h"
#include "web/listing.h"
#include "web/page.h"
#include "web/parts.h"
#include "core/banned.h"

#define NEEDS_PAGE 20

static const char *const index_params[] = { "before", "without_idea" };

/* The choices of the filter form, the current one selected. */
static json_t *filter_options(const struct request *req, int without_idea)
{
	return json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]",
			 "value", "", "label", page_tr(req, "All needs"), "selected", !without_idea,
			 "value", "1", "label", page_tr(req, "Needs waiting for an idea"), "selected",
			 without_idea);
}

static json_t *index_model(struct request *req, json_t *page, int64_t before, int without_idea)
{
	json_t *items = json_object_get(page, "items");
	listing_needs(req, items);
	const char *path = without_idea ? "/needs?without_idea=1" : "/needs";
	json_t *model = json_pack("{s:O, s:o, s:b, s:s}", "needs", items, "filter_options",
				  filter_options(req, without_idea), "without_idea", without_idea,
				  "action", page_link(req, "/needs"));
	listing_flag(model, "has_needs", "needs");
	json_t *pager = listing_pager(req, path, before, json_object_get(page, "next_before"));
	if (pager)
		json_object_set_new(model, "pager", pager);
	return model;
}

void needs_index(struct request *req, struct response *res)
{
	int64_t before;
	const char *without = listing_param(req, "without_idea");
	if (!listing_query_allowed(req, index_params, ARRAY_SIZE(index_params)) ||
	    listing_before(req, &before) || (without && strcmp(without, "1"))) {
		page_error(req, res, 400);
		return;
	}
	struct need_filter f = { .before = before, .limit = NEEDS_PAGE, .without_idea = !!without };
	json_t *page;
	if (need_list(req->db, req->territory->id, &f, &page)) {
		page_error(req, res, 500);
		return;
	}
	json_t *model = index_model(req, page, before, f.without_idea);
	json_decref(page);
	page_render(req, res, 200, "needs/list", page_tr(req, "Needs"), model);
}

void needs_show(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	if (id < 0) {
		page_error(req, res, 404);
		return;
	}
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *need;
	int rc = need_get(req->db, req->territory->id, id, &need);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	listing_need(req, need);
	listing_initiatives(req, json_object_get(need, "ideas"));
	listing_flag(need, "has_ideas", "ideas");
	/* Under the need's h1, its Markdown headings start at h2. */
	listing_markdown(need, "body_html", json_string_value(json_object_get(need, "body")), 2);
	const char *title = arena_strdup(req->arena, json_string_value(json_object_get(need, "title")));
	json_t *model = json_pack("{s:O, s:s}", "need", need, "back_href", page_link(req, "/needs"));
	rc = parts_fill(req, res, "need", id, need, model);
	json_decref(need);
	if (rc < 0) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	page_render(req, res, 200, "needs/show", title, model);
}
