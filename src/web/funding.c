/*
 * The funding goal (the carrier) and the crowdfunding campaign (the carrier
 * or a partner with a live request on the project). Success goes back to
 * the project page's "support received" part (303); a refused form is shown
 * again on a page of its own (422) with what was typed.
 */
#include "web/funding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/permission.h"
#include "core/mem.h"
#include "domain/funding.h"
#include "domain/journey.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/page.h"
#include "web/requests.h"
#include "core/banned.h"

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

/* A whole number of euros, or -1 when empty, -2 when not one. */
static int64_t euros(const char *s)
{
	if (!*s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	return *end || v < 0 || v > FUNDING_AMOUNT_MAX ? -2 : (int64_t)v;
}

/* guard, the initiative, what the person is to it. 0, or -1 (answered). */
static int begin(struct request *req, struct response *res, int64_t *id, int *manage)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	*id = page_id_param(req, "id");
	unsigned who = 0;
	int rc = *id < 0 ? 1 : journey_who(req->db, req->territory->id, *id, req->user->id,
					   permission_allows((enum role)req->role, ACT_MODERATE), &who);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	*manage = journey_may_manage(who);
	return 0;
}

static void render(struct request *req, struct response *res, int64_t id, json_t *errors, int goal_form)
{
	const char *key;
	json_t *msg;
	json_t *tr = json_object();
	json_object_foreach(errors, key, msg)
		json_object_set_new(tr, key, json_string(page_tr(req, json_string_value(msg))));
	json_decref(errors);
	json_t *model = json_pack("{s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "goal_form", goal_form,
				  "campaign_form", !goal_form, "goal", field(req, "goal"), "platform",
				  field(req, "platform"), "url", field(req, "url"), "campaign_goal",
				  field(req, "campaign_goal"), "raised", field(req, "raised"), "ends",
				  field(req, "ends"), "csrf", page_csrf(req, res), "errors", tr, "action",
				  page_link(req, arena_printf(req->arena, "/initiatives/%lld/%s", (long long)id,
							      goal_form ? "funding" : "campaign")),
				  "back_href",
				  page_link(req, arena_printf(req->arena, "/initiatives/%lld#received", (long long)id)));
	page_render(req, res, 422, "requests/funding", page_tr(req, "Funding"), model);
}

static void back(struct request *req, struct response *res, int64_t id)
{
	response_redirect(res, req->arena,
			  page_link(req, arena_printf(req->arena, "/initiatives/%lld#received", (long long)id)));
}

void funding_goal_post(struct request *req, struct response *res)
{
	int64_t id;
	int manage;
	if (begin(req, res, &id, &manage))
		return;
	if (!manage) {
		page_error(req, res, 403);
		return;
	}
	int64_t goal = euros(field(req, "goal"));
	if (goal == -2) {
		render(req, res, id, json_pack("{s:s}", "goal", "Give an amount in euros, a whole number."), 1);
		return;
	}
	if (funding_set_goal(req->db, req->territory->id, id, req->user->id, goal < 0 ? 0 : goal))
		page_error(req, res, 500);
	else
		back(req, res, id);
}

/* YYYY-MM-DD as the end of that day, Paris time being close enough: 23:59 UTC. 0 empty, -1 bad. */
static int64_t end_date(const char *s)
{
	if (!*s)
		return 0;
	int y, m, d;
	char extra;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 2000 || y > 2200 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 23, .tm_min = 59 };
	return (int64_t)timegm(&tm);
}

void funding_campaign_post(struct request *req, struct response *res)
{
	int64_t id;
	int manage;
	if (begin(req, res, &id, &manage))
		return;
	int involved = manage ? 1 : requests_partner_involved(req, id);
	if (involved < 0) {
		page_error(req, res, 500);
		return;
	}
	if (!involved) {
		page_error(req, res, 403);
		return;
	}
	struct funding_campaign c = { field(req, "platform"), field(req, "url"),
				      euros(field(req, "campaign_goal")), euros(field(req, "raised")),
				      end_date(field(req, "ends")) };
	if (c.raised_eur == -1)
		c.raised_eur = 0;
	json_t *errors = funding_campaign_validate(&c);
	if (c.ends_at < 0)
		json_object_set_new(errors, "ends", json_string("Give a date as YYYY-MM-DD."));
	if (json_object_size(errors)) {
		render(req, res, id, errors, 0);
		return;
	}
	json_decref(errors);
	if (funding_set_campaign(req->db, req->territory->id, id, req->user->id, &c))
		page_error(req, res, 500);
	else
		back(req, res, id);
}
