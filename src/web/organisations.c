/*
 * The network of a territory: the partners who help projects happen (the
 * "Sceaux Valley" of the model), the other organisations that carry
 * initiatives, and an organisation's own page.
 */
#include "web/pages.h"

#include <string.h>

#include "core/mem.h"
#include "domain/organisation.h"
#include "domain/territory.h"
#include "web/listing.h"
#include "web/orgs.h"
#include "web/page.h"
#include "core/banned.h"

/* One group of organisations as a page: template `name`, title msgid `title`. */
static void group_page(struct request *req, struct response *res, enum organisation_group group,
		       const char *name, const char *title)
{
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *orgs;
	if (organisation_list(req->db, req->territory->id, group, &orgs)) {
		page_error(req, res, 500);
		return;
	}
	listing_organisations(req, orgs);
	json_t *model = json_pack("{s:o, s:s, s:s}", "organisations", orgs, "partners_href",
				  page_link(req, "/partners"), "others_href",
				  page_link(req, "/organisations"));
	listing_flag(model, "has_organisations", "organisations");
	page_render(req, res, 200, name, page_tr(req, title), model);
}

void partners_index(struct request *req, struct response *res)
{
	group_page(req, res, ORGANISATION_PARTNERS, "partners/list", "Partners");
}

void organisations_index(struct request *req, struct response *res)
{
	group_page(req, res, ORGANISATION_OTHERS, "organisations/list", "Organisations carrying projects");
}

/* A slug as organisations have them; anything else cannot name one. */
static int slug_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	return len && len <= ORGANISATION_SLUG_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

void organisations_show(struct request *req, struct response *res)
{
	const char *slug = params_get(&req->route, "slug");
	if (!slug_ok(slug)) {
		page_error(req, res, 404);
		return;
	}
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *org;
	int rc = organisation_get_by_slug(req->db, req->territory->id, slug, &org);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	listing_organisation(req, org);
	if (orgs_show_extras(req, org) < 0) { /* members, and what the viewer may do (web/orgs.c) */
		json_decref(org);
		page_error(req, res, 500);
		return;
	}
	listing_initiatives(req, json_object_get(org, "initiatives"));
	listing_flag(org, "has_initiatives", "initiatives");
	listing_markdown(org, "description_html",
			 json_string_value(json_object_get(org, "description")), 2);
	const char *title = arena_strdup(req->arena, json_string_value(json_object_get(org, "name")));
	int partner = json_is_true(json_object_get(org, "partner"));
	json_t *model = json_pack("{s:o, s:s, s:s}", "organisation", org, "back_href",
				  page_link(req, partner ? "/partners" : "/organisations"), "back_label",
				  page_tr(req, partner ? "All partners" : "All organisations carrying projects"));
	page_render(req, res, 200, "organisations/show", title, model);
}
