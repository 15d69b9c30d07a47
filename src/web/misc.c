/*
 * Parts of the product that are not built yet get a page that says so
 * plainly and points to what exists, instead of a link that breaks or a
 * page that pretends.
 */
#include "web/pages.h"

#include "core/mem.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* What a "coming soon" page says: English msgids, and where to go instead. */
struct coming {
	const char *title;
	const char *lead;
	const char *text;
	const char *link_href;
	const char *link_label;
};

static const struct coming map = {
	"Map",
	"The map is coming soon.",
	"Soon you will see on a map where needs are felt and where projects happen. In the "
	"meantime, each need says which neighbourhood it concerns.",
	"/needs",
	"See the needs",
};

static void coming_page(struct request *req, struct response *res, const struct coming *c)
{
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *model = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}]}",
				  "heading", page_tr(req, c->title), "lead", page_tr(req, c->lead),
				  "text", page_tr(req, c->text), "links",
				  "href", page_link(req, c->link_href), "label",
				  page_tr(req, c->link_label), "primary", 1,
				  "href", page_link(req, "/"), "label",
				  page_tr(req, "Back to the home page"), "primary", 0);
	page_render(req, res, 200, "coming", page_tr(req, c->title), model);
}

void map_coming(struct request *req, struct response *res)
{
	coming_page(req, res, &map);
}
