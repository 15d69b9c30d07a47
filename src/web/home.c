/*
 * The home page of a territory: what the platform is for here (the
 * welcome), how far the journey has come (needs → ideas → projects →
 * realised), what is new, and the invitation to answer needs no idea
 * answers yet. Four bounded queries, whatever the territory's size.
 */
#include "web/pages.h"

#include <string.h>

#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/territory.h"
#include "web/listing.h"
#include "web/journey.h"
#include "web/page.h"
#include "core/banned.h"

#define HOME_LATEST 6

/* The figures of the journey after the needs: one per stage, with its plural forms. */
static const struct {
	const char *stage;
	const char *one;
	const char *many;
} figures[] = {
	{ "idea", "idea", "ideas" },
	{ "improving", "idea being improved", "ideas being improved" },
	{ "project", "project", "projects" },
	{ "supported", "supported project", "supported projects" },
	{ "realised", "realised initiative", "realised initiatives" },
};

static json_t *figure(const struct request *req, int64_t n, const char *one, const char *many,
		      const char *href)
{
	return json_pack("{s:I, s:s, s:s}", "count", (json_int_t)n, "label",
			 listing_plural(req, n, one, many), "href", page_link(req, href));
}

/* The funnel, and the needs still waiting for an idea. */
static int add_figures(struct request *req, json_t *model)
{
	int64_t total, waiting;
	json_t *counts;
	if (need_counts(req->db, req->territory->id, &total, &waiting) ||
	    initiative_stage_counts(req->db, req->territory->id, &counts))
		return -1;
	json_t *stats = json_array();
	json_array_append_new(stats, figure(req, total, "need", "needs", "/needs"));
	for (size_t i = 0; i < ARRAY_SIZE(figures); i++) {
		int64_t n = json_integer_value(json_object_get(counts, figures[i].stage));
		const char *href = arena_printf(req->arena, "/initiatives?stage=%s", figures[i].stage);
		json_array_append_new(stats, figure(req, n, figures[i].one, figures[i].many, href));
	}
	json_decref(counts);
	json_object_set_new(model, "stats", stats);
	if (waiting)
		json_object_set_new(model, "waiting",
				    figure(req, waiting, "need is still waiting for an idea",
					   "needs are still waiting for an idea",
					   "/needs?without_idea=1"));
	else if (total)
		json_object_set_new(model, "all_answered", json_true());
	return 0;
}

static int add_latest(struct request *req, json_t *model)
{
	struct need_filter nf = { .limit = HOME_LATEST };
	struct initiative_filter inf = { .limit = HOME_LATEST };
	json_t *needs, *initiatives;
	if (need_list(req->db, req->territory->id, &nf, &needs))
		return -1;
	if (initiative_list(req->db, req->territory->id, &inf, &initiatives)) {
		json_decref(needs);
		return -1;
	}
	listing_needs(req, json_object_get(needs, "items"));
	listing_initiatives(req, json_object_get(initiatives, "items"));
	json_object_set(model, "needs", json_object_get(needs, "items"));
	json_object_set(model, "initiatives", json_object_get(initiatives, "items"));
	listing_flag(model, "has_needs", "needs");
	listing_flag(model, "has_initiatives", "initiatives");
	json_decref(needs);
	json_decref(initiatives);
	json_object_set_new(model, "needs_href", json_string(page_link(req, "/needs")));
	json_object_set_new(model, "initiatives_href", json_string(page_link(req, "/initiatives")));
	return 0;
}

void home_show(struct request *req, struct response *res)
{
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *model = json_object();
	if (add_figures(req, model) || add_latest(req, model)) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	/* The page's h1 is the territory's name: the welcome's own headings start at h2. */
	listing_markdown(model, "welcome_html", req->territory->welcome, 2);
	/* "Appel à compétences": projects seeking what the person said they can do. */
	json_t *suggested = journey_suggested_projects(req, 5);
	if (suggested && json_array_size(suggested)) {
		json_object_set_new(model, "suggested", suggested);
		json_object_set_new(model, "has_suggested", json_true());
	} else {
		json_decref(suggested);
	}
	page_render(req, res, 200, "home", page_tr(req, "Home"), model);
}
