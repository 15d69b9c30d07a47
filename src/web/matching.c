/*
 * Matching on the pages (see matching.h). The domain returns the reasons
 * as data (the needs answered, the stage, the theme); the sentence that
 * says why an offer fits is composed here, in the reader's language:
 * "répond à votre besoin de locaux (50 m²) · étape projet · thème Solidarité".
 */
#include "web/matching.h"

#include <string.h>

#include "auth/permission.h"
#include "core/arena.h"
#include "core/buf.h"
#include "domain/journey.h"
#include "domain/matching.h"
#include "domain/organisation.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/page.h"
#include "core/banned.h"

#define SUGGESTIONS_MAX 10 /* on a project's page */
#define PROJECTS_MAX 50 /* on a partner's page */

/* How a need reads in a reason, seen by the project and by the partner. */
static const struct {
	const char *kind;
	const char *for_project; /* English msgids */
	const char *for_partner;
} need_reasons[] = {
	{ "money", "answers your need for funding", "needs funding" },
	{ "premises", "answers your need for premises", "needs premises" },
	{ "coaching", "answers your need for coaching", "needs coaching" },
	{ "training", "answers your need for training", "needs training" },
	{ "equipment", "answers your need for equipment", "needs equipment" },
	{ "volunteers", "answers your need for volunteers", "needs volunteers" },
	{ "other", "answers another need of your project", "has another need" },
};

static const struct {
	const char *stage;
	const char *label; /* English msgid */
} stage_reasons[] = {
	{ "idea", "idea stage" },		{ "improving", "improving stage" },
	{ "project", "project stage" },		{ "supported", "supported stage" },
	{ "realised", "realised stage" },
};

static const char *need_reason(const struct request *req, const char *kind, int for_partner)
{
	for (size_t i = 0; i < sizeof(need_reasons) / sizeof(need_reasons[0]); i++)
		if (!strcmp(need_reasons[i].kind, kind))
			return page_tr(req, for_partner ? need_reasons[i].for_partner
							: need_reasons[i].for_project);
	return kind;
}

static const char *stage_reason(const struct request *req, const char *stage)
{
	for (size_t i = 0; i < sizeof(stage_reasons) / sizeof(stage_reasons[0]); i++)
		if (!strcmp(stage_reasons[i].stage, stage))
			return page_tr(req, stage_reasons[i].label);
	return stage;
}

/*
 * The reason of one match: each need answered (with its description), the
 * stage, the theme when it matches; parts joined by " · ". Arena string.
 */
static const char *reason(const struct request *req, json_t *it, const char *stage, int for_partner)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(it, "needs"), i, n) {
		const char *desc = json_string_value(json_object_get(n, "description"));
		buf_adds(&b, need_reason(req, json_string_value(json_object_get(n, "kind")), for_partner));
		if (desc && *desc) {
			buf_adds(&b, " (");
			buf_adds(&b, desc);
			buf_addch(&b, ')');
		}
		buf_adds(&b, " · ");
	}
	buf_adds(&b, stage_reason(req, stage));
	const char *theme = json_string_value(json_object_get(it, "theme"));
	if (theme) {
		buf_adds(&b, " · ");
		buf_adds(&b, page_tr(req, "theme"));
		buf_addch(&b, ' ');
		buf_adds(&b, theme);
	}
	const char *s = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return s;
}

static int is_animator(const struct request *req)
{
	return req->user && permission_allows((enum role)req->role, ACT_MODERATE);
}

int offers_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		json_t *object, json_t *model)
{
	(void)res;
	if (strcmp(object_type, "initiative") || !req->user)
		return 0;
	const char *stage = json_string_value(json_object_get(object, "stage"));
	if (!stage || (strcmp(stage, "project") && strcmp(stage, "supported")))
		return 0;
	unsigned who = 0;
	if (journey_who(req->db, req->territory->id, id, req->user->id, is_animator(req), &who) < 0)
		return -1;
	if (!journey_may_manage(who))
		return 0;
	json_t *items;
	if (matching_offers_for_project(req->db, req->territory->id, id, SUGGESTIONS_MAX, &items))
		return -1;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		int64_t oid = json_integer_value(json_object_get(it, "id"));
		json_object_set_new(it, "reason", json_string(reason(req, it, stage, 0)));
		json_object_set_new(it, "href", json_string(page_link(req, arena_printf(req->arena, "/offers/%lld", (long long)oid))));
		json_object_set_new(it, "request_href",
				    json_string(page_link(req, arena_printf(req->arena, "/offers/%lld/request?initiative=%lld",
									    (long long)oid, (long long)id))));
	}
	json_object_set_new(model, "offers_part",
			    json_pack("{s:o, s:b}", "offers", items, "has_offers", json_array_size(items) > 0));
	return 0;
}

/* 1 if the person may see the projects that fit an offer of org_id; -1 on error. */
static int may_see(struct request *req, int64_t org_id)
{
	if (is_animator(req))
		return 1;
	int role = organisation_member_role(req->db, org_id, req->user->id);
	return role < 0 ? -1 : role > ORGANISATION_NOT_MEMBER;
}

void matching_offer_projects_page(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id"), org_id = 0;
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	json_t *offer = NULL, *items = NULL;
	int rc = id < 0 ? 1 : matching_offer_head(req->db, req->territory->id, id, &org_id, &offer);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	rc = may_see(req, org_id);
	if (rc <= 0) {
		json_decref(offer);
		page_error(req, res, rc < 0 ? 500 : 403);
		return;
	}
	if (matching_projects_for_offer(req->db, req->territory->id, id, PROJECTS_MAX, &items)) {
		json_decref(offer);
		page_error(req, res, 500);
		return;
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *stage = json_string_value(json_object_get(it, "stage"));
		json_object_set_new(it, "reason", json_string(reason(req, it, stage, 1)));
		json_object_set_new(it, "href", json_string(page_link(req, arena_printf(req->arena, "/initiatives/%lld",
						(long long)json_integer_value(json_object_get(it, "id"))))));
	}
	json_object_set_new(offer, "href", json_string(page_link(req, arena_printf(req->arena, "/offers/%lld", (long long)id))));
	json_t *model = json_pack("{s:o, s:o, s:b}", "offer", offer, "projects", items, "has_projects",
				  json_array_size(items) > 0);
	page_render(req, res, 200, "matching/projects", page_tr(req, "Projects that fit this offer"), model);
}
