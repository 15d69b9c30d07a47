/*
 * Support requests on the web. Messages (the carrier's and the partner's
 * answer) are shown only to the project's carrier and authors, the members
 * of the offer's partner and the animators; a visitor sees the completed
 * supports (partner, kind, what was given) and the funding bar only.
 */
#include "web/requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/permission.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/funding.h"
#include "domain/journey.h"
#include "domain/organisation.h"
#include "domain/project_need.h"
#include "domain/row.h"
#include "domain/support_request.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

static int is_animator(const struct request *req)
{
	return req->user && permission_allows((enum role)req->role, ACT_MODERATE);
}

static const char *const offer_kinds[][2] = {
	{ "coaching", "Coaching" },	    { "training", "Training" },
	{ "funding", "Funding" },	    { "crowdfunding", "Crowdfunding" },
	{ "premises", "Premises" },	    { "equipment", "Equipment" },
	{ "logistics", "Logistics" },	    { "expertise", "Expertise" },
	{ "communication", "Communication" }, { "other", "Other" },
};

static const char *kind_label(const struct request *req, const char *code)
{
	for (size_t i = 0; i < sizeof(offer_kinds) / sizeof(offer_kinds[0]); i++)
		if (code && !strcmp(code, offer_kinds[i][0]))
			return page_tr(req, offer_kinds[i][1]);
	return code ? code : "";
}

static const char *state_label(const struct request *req, const char *s)
{
	if (!strcmp(s, "pending"))
		return page_tr(req, "Waiting for an answer");
	if (!strcmp(s, "accepted"))
		return page_tr(req, "Accepted");
	if (!strcmp(s, "declined"))
		return page_tr(req, "Declined");
	if (!strcmp(s, "withdrawn"))
		return page_tr(req, "Withdrawn");
	return page_tr(req, "Completed");
}

static const char *age(const struct request *req, int64_t t)
{
	int64_t days = ((int64_t)time(NULL) - t) / 86400;
	if (days <= 0)
		return page_tr(req, "today");
	if (days == 1)
		return page_tr(req, "1 day ago");
	return arena_printf(req->arena, page_tr(req, "%lld days ago"), (long long)days);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int64_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* What was given, as one line: "3000 € · 12 h · un local de 30 m²". */
static const char *given_line(const struct request *req, json_t *it)
{
	const char *s = "";
	json_t *a = json_object_get(it, "given_amount_eur"), *h = json_object_get(it, "given_hours");
	if (json_is_integer(a))
		s = arena_printf(req->arena, "%lld €", (long long)json_integer_value(a));
	if (json_is_integer(h))
		s = arena_printf(req->arena, "%s%s%lld %s", s, *s ? " · " : "",
				 (long long)json_integer_value(h), page_tr(req, "hours"));
	if (*str(it, "given_text"))
		s = arena_printf(req->arena, "%s%s%s", s, *s ? " · " : "", str(it, "given_text"));
	return s;
}

static void decorate(struct request *req, json_t *it)
{
	json_t *offer = json_object_get(it, "offer");
	json_object_set_new(offer, "kind_label", json_string(kind_label(req, str(offer, "kind"))));
	json_t *partner = json_object_get(it, "partner");
	json_object_set_new(partner, "href",
			    json_string(page_link(req, arena_printf(req->arena, "/organisations/%s",
								    str(partner, "slug")))));
	json_t *in = json_object_get(it, "initiative");
	listing_href(req, in, "/initiatives/");
	const char *state = str(it, "state");
	json_object_set_new(it, "state_label", json_string(state_label(req, state)));
	json_object_set_new(it, "age", json_string(age(req, num(it, "created_at"))));
	listing_date(req, it, "date", num(it, "created_at"));
	json_object_set_new(it, "given", json_string(given_line(req, it)));
	json_t *need = json_object_get(it, "need");
	if (json_is_object(need)) {
		const struct project_need_kind *k = project_need_kind_find(str(need, "kind"));
		json_object_set_new(need, "kind_label", json_string(k ? page_tr(req, k->label) : ""));
	}
	const char *base = arena_printf(req->arena, "/requests/%lld/", (long long)num(it, "id"));
	json_object_set_new(it, "accept_action", json_string(page_link(req, arena_printf(req->arena, "%saccept", base))));
	json_object_set_new(it, "decline_action", json_string(page_link(req, arena_printf(req->arena, "%sdecline", base))));
	json_object_set_new(it, "withdraw_action", json_string(page_link(req, arena_printf(req->arena, "%swithdraw", base))));
	json_object_set_new(it, "complete_action", json_string(page_link(req, arena_printf(req->arena, "%scomplete", base))));
	json_object_set_new(it, "is_pending", json_boolean(!strcmp(state, "pending")));
	json_object_set_new(it, "is_accepted", json_boolean(!strcmp(state, "accepted")));
}

static const char *initiative_path(struct request *req, int64_t id, const char *fragment)
{
	return page_link(req, arena_printf(req->arena, "/initiatives/%lld%s", (long long)id, fragment));
}

int requests_partner_involved(struct request *req, int64_t id)
{
	int64_t n = 0;
	if (!req->user)
		return 0;
	if (db_query_int(req->db, &n,
			 "SELECT COUNT(*) FROM support_requests r JOIN offers o ON o.id = r.offer_id"
			 " JOIN organisations g ON g.id = o.organisation_id"
			 " JOIN organisation_members m ON m.organisation_id = g.id"
			 " WHERE r.initiative_id = ? AND r.territory_id = ? AND m.user_id = ?"
			 " AND g.is_partner = 1 AND g.accredited_at IS NOT NULL"
			 " AND r.state IN ('pending', 'accepted', 'completed')",
			 "iii", id, req->territory->id, req->user->id) < 0)
		return -1;
	return n > 0;
}

/* The funding bar: goal, committed, percent; the campaign with its end date. */
static json_t *funding_model(struct request *req, int64_t id)
{
	json_t *f;
	if (funding_get(req->db, req->territory->id, id, &f))
		return NULL;
	json_t *goal = json_object_get(f, "goal_eur");
	int64_t committed = num(f, "committed_eur");
	if (json_is_integer(goal) && json_integer_value(goal) > 0) {
		int64_t g = json_integer_value(goal);
		int64_t pct = committed >= g ? 100 : committed * 100 / g;
		json_object_set_new(f, "has_goal", json_true());
		json_object_set_new(f, "bar_value", json_integer(committed > g ? g : committed));
		json_object_set_new(f, "percent", json_integer(pct));
	}
	json_t *c = json_object_get(f, "campaign");
	if (json_is_object(c) && json_is_integer(json_object_get(c, "ends_at"))) {
		listing_date(req, c, "ends", num(c, "ends_at"));
		time_t t = (time_t)num(c, "ends_at");
		struct tm tm;
		char buf[16] = "";
		if (gmtime_r(&t, &tm))
			strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		json_object_set_new(c, "ends_value", json_string(buf));
	}
	return f;
}

int requests_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		  json_t *object, json_t *model)
{
	(void)object;
	if (strcmp(object_type, "initiative"))
		return 0;
	json_t *items;
	if (support_request_list_for_initiative(req->db, req->territory->id, id, &items))
		return -1;
	json_t *funding = funding_model(req, id);
	if (!funding) {
		json_decref(items);
		return -1;
	}
	unsigned who = 0;
	if (req->user && journey_who(req->db, req->territory->id, id, req->user->id, is_animator(req), &who) < 0)
		goto fail;
	int manage = req->user && journey_may_manage(who);
	int animator = is_animator(req);
	json_t *received = json_array(), *mine = json_array();
	int partner_here = 0;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		decorate(req, it);
		const char *state = str(it, "state");
		if (!strcmp(state, "completed"))
			json_array_append_new(received,
					      json_pack("{s:O, s:O, s:O}", "partner", json_object_get(it, "partner"),
							"offer", json_object_get(it, "offer"), "given",
							json_object_get(it, "given")));
		int member = 0;
		if (req->user) {
			member = support_partner_member(req->db, req->territory->id,
							num(json_object_get(it, "partner"), "id"), req->user->id);
			if (member < 0) {
				json_decref(received);
				json_decref(mine);
				goto fail;
			}
		}
		if (member && strcmp(state, "declined") && strcmp(state, "withdrawn"))
			partner_here = 1;
		if (manage || animator || member) {
			json_object_set_new(it, "may_withdraw", json_boolean(manage && !strcmp(state, "pending")));
			json_object_set_new(it, "may_answer", json_boolean(member && !strcmp(state, "pending")));
			json_object_set_new(it, "may_complete", json_boolean(member && !strcmp(state, "accepted")));
			json_array_append(mine, it);
		}
	}
	int has_goal = json_is_true(json_object_get(funding, "has_goal"));
	int has_campaign = json_is_object(json_object_get(funding, "campaign"));
	if (!json_array_size(received) && !json_array_size(mine) && !has_goal && !has_campaign && !manage) {
		json_decref(received);
		json_decref(mine);
		json_decref(items);
		json_decref(funding);
		return 0;
	}
	json_t *part = json_pack("{s:I, s:o, s:b, s:o, s:b, s:o}", "id", (json_int_t)id, "received", received,
				 "has_received", json_array_size(received) > 0, "requests", mine,
				 "has_requests", json_array_size(mine) > 0, "funding", funding);
	funding = NULL;
	if (manage || partner_here) {
		json_object_set_new(part, "csrf", json_string(page_csrf(req, res)));
		json_object_set_new(part, "campaign_action",
				    json_string(page_link(req, arena_printf(req->arena, "/initiatives/%lld/campaign",
									    (long long)id))));
		json_object_set_new(part, "may_campaign", json_true());
	}
	if (manage) {
		json_object_set_new(part, "may_goal", json_true());
		json_object_set_new(part, "goal_action",
				    json_string(page_link(req, arena_printf(req->arena, "/initiatives/%lld/funding",
									    (long long)id))));
	}
	json_object_set_new(model, "received_part", part);
	json_decref(items);
	return 0;
fail:
	json_decref(items);
	json_decref(funding);
	return -1;
}

/* ---- Asking for an offer ------------------------------------------------ */

/* The offer as the form shows it: {id, title, kind, kind_label, partner {name, slug}}. 0, 1, -1. */
static int load_offer(struct request *req, int64_t offer_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(req->db, &step,
				      "SELECT o.id, o.title, o.kind, g.name, g.slug FROM offers o"
				      " JOIN organisations g ON g.id = o.organisation_id"
				      " WHERE o.id = ? AND o.territory_id = ?",
				      "ii", offer_id, req->territory->id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	*out = json_pack("{s:o, s:o, s:o, s:{s:o, s:o}}", "id", row_int(st, 0), "title", row_string(st, 1),
			 "kind", row_string(st, 2), "partner", "name", row_string(st, 3), "slug",
			 row_string(st, 4));
	db_reset(st);
	json_object_set_new(*out, "kind_label", json_string(kind_label(req, str(*out, "kind"))));
	return 0;
}

static int64_t parse_id(const char *s)
{
	if (!s || !*s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	return *end || v <= 0 ? -1 : (int64_t)v;
}

/* The initiative asked about: ?initiative=ID, or the form's field. */
static int64_t asked_initiative(const struct request *req)
{
	const char *v = params_get(&req->form, "initiative");
	if (!v)
		v = params_get(&req->query, "initiative");
	return parse_id(v);
}

static void render_new(struct request *req, struct response *res, int status, json_t *offer,
		       int64_t id, const char *title, const char *message, int64_t need_id,
		       const char *error, const char *notice)
{
	json_t *needs = NULL, *open = json_array();
	if (project_need_list(req->db, id, &needs) == 0) {
		size_t i;
		json_t *n;
		json_array_foreach(needs, i, n) {
			if (strcmp(str(n, "state"), "open"))
				continue;
			const struct project_need_kind *k = project_need_kind_find(str(n, "kind"));
			json_array_append_new(open, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)num(n, "id"),
							      "kind_label", k ? page_tr(req, k->label) : "",
							      "description", str(n, "description"), "selected",
							      num(n, "id") == need_id));
		}
		json_decref(needs);
	}
	json_t *model = json_pack("{s:o, s:I, s:s, s:s, s:s, s:o, s:b, s:I, s:s}", "offer", offer,
				  "initiative_id", (json_int_t)id, "initiative_title", title, "message",
				  message, "back_href", initiative_path(req, id, ""), "needs", open,
				  "has_needs", json_array_size(open) > 0, "message_max",
				  (json_int_t)SUPPORT_MESSAGE_MAX, "csrf", page_csrf(req, res));
	json_object_set_new(model, "action",
			    json_string(page_link(req, arena_printf(req->arena, "/offers/%lld/request?initiative=%lld",
								    (long long)num(offer, "id"), (long long)id))));
	if (error)
		json_object_set_new(model, "errors", json_pack("{s:s}", "message", page_tr(req, error)));
	if (error || notice) {
		json_object_set_new(model, "has_errors", json_true());
		json_object_set_new(model, "notice", json_string(page_tr(req, notice ? notice
									    : "Your request could not be sent. Please correct the field marked below.")));
	}
	page_render(req, res, status, "requests/new", page_tr(req, "Ask for support"), model);
}

/* Common start: guard, offer, initiative, and the person must run the project. 0 or -1 (answered). */
static int begin_ask(struct request *req, struct response *res, json_t **offer, int64_t *id,
		     const char **title)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	int64_t offer_id = page_id_param(req, "id");
	*id = asked_initiative(req);
	int rc = offer_id < 0 || *id < 0 ? 1 : load_offer(req, offer_id, offer);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	unsigned who = 0;
	rc = journey_who(req->db, req->territory->id, *id, req->user->id, is_animator(req), &who);
	if (rc == 0 && !journey_may_manage(who))
		rc = 403;
	if (rc == 0) {
		int step;
		struct db_stmt *st = db_query(req->db, &step, "SELECT title FROM initiatives WHERE id = ?", "i", *id);
		if (!st)
			rc = -1;
		else {
			*title = arena_printf(req->arena, "%s", step == DB_ROW ? db_col_text(st, 0) : "");
			db_reset(st);
		}
	}
	if (rc) {
		json_decref(*offer);
		page_error(req, res, rc == 403 ? 403 : rc > 0 ? 404 : 500);
		return -1;
	}
	return 0;
}

void requests_new_form(struct request *req, struct response *res)
{
	json_t *offer;
	int64_t id;
	const char *title;
	if (begin_ask(req, res, &offer, &id, &title))
		return;
	render_new(req, res, 200, offer, id, title, "", 0, NULL, NULL);
}

void requests_new_post(struct request *req, struct response *res)
{
	json_t *offer;
	int64_t id;
	const char *title;
	if (begin_ask(req, res, &offer, &id, &title))
		return;
	const char *message = field(req, "message");
	const char *need_s = field(req, "need");
	int64_t need = *need_s ? parse_id(need_s) : 0;
	if (need < 0) {
		render_new(req, res, 422, offer, id, title, message, 0, NULL, "Choose one of the project's open needs.");
		return;
	}
	struct support_new in = { num(offer, "id"), id, need, req->user->id, SUPPORT_CARRIER, message };
	int64_t rid;
	int rc = support_request_create(req->db, req->territory->id, &in, &rid);
	if (rc == SUPPORT_OK) {
		json_decref(offer);
		response_redirect(res, req->arena, initiative_path(req, id, "#received"));
	} else if (rc == SUPPORT_STALE)
		render_new(req, res, 409, offer, id, title, message, need, NULL,
			   "A request for this offer is already waiting for the partner's answer.");
	else if (rc == SUPPORT_INVALID && !*message)
		render_new(req, res, 422, offer, id, title, message, need, "Write a message to the partner.", NULL);
	else if (rc == SUPPORT_INVALID && strlen(message) > SUPPORT_MESSAGE_MAX)
		render_new(req, res, 422, offer, id, title, message, need, "At most 2000 characters.", NULL);
	else if (rc == SUPPORT_INVALID)
		render_new(req, res, 422, offer, id, title, message, need, NULL,
			   "This offer is closed, or the need chosen is no longer open.");
	else {
		json_decref(offer);
		page_error(req, res, rc == SUPPORT_REFUSED ? 403 : rc == SUPPORT_NOT_FOUND ? 404 : 500);
	}
}

/* ---- Answering, completing, withdrawing ------------------------------------ */

static int64_t parse_amount(const char *s, int *bad)
{
	if (!s || !*s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || v < 0) {
		*bad = 1;
		return -1;
	}
	return (int64_t)v;
}

static void render_move(struct request *req, struct response *res, int status, int64_t rid,
			const char *to, const char *notice, json_t *errors)
{
	json_t *model = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "notice",
				  page_tr(req, notice), "message", field(req, "message"), "amount",
				  field(req, "amount"), "hours", field(req, "hours"), "given", field(req, "given"),
				  "from", field(req, "from"), "action",
				  page_link(req, arena_printf(req->arena, "/requests/%lld/%s", (long long)rid, to)),
				  "csrf", page_csrf(req, res), "is_complete", !strcmp(to, "complete"),
				  "is_answer", !strcmp(to, "accept") || !strcmp(to, "decline"));
	json_object_set_new(model, "back_href", json_string(page_link(req, "/dashboard/partner")));
	json_object_set_new(model, "errors", errors ? errors : json_object());
	json_object_set_new(model, "submit", json_string(page_tr(req, !strcmp(to, "accept") ? "Accept"
							     : !strcmp(to, "decline")     ? "Decline"
							     : !strcmp(to, "withdraw")    ? "Withdraw"
											  : "Mark as completed")));
	page_render(req, res, status, "requests/answer", page_tr(req, "Support request"), model);
}

static void move_post(struct request *req, struct response *res, const char *action, const char *to)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	int64_t rid = page_id_param(req, "id"), iid = 0;
	unsigned who = 0;
	int rc = rid < 0 ? 1 : support_request_who(req->db, req->territory->id, rid, req->user->id,
						   is_animator(req), &who, &iid);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	int bad = 0;
	struct support_move m = { req->user->id, who, *field(req, "from") ? field(req, "from") : NULL, to,
				  field(req, "message"), parse_amount(field(req, "amount"), &bad),
				  parse_amount(field(req, "hours"), &bad), field(req, "given") };
	if (bad) {
		render_move(req, res, 422, rid, action, "Please correct the fields marked below.",
			    json_pack("{s:s}", "amount", page_tr(req, "Give whole numbers of euros and hours.")));
		return;
	}
	rc = support_request_move(req->db, req->territory->id, rid, &m);
	if (rc == SUPPORT_OK) {
		const char *back = (who & SUPPORT_PARTNER) && strcmp(to, "withdrawn")
					   ? page_link(req, "/dashboard/partner")
					   : initiative_path(req, iid, "#received");
		response_redirect(res, req->arena, back);
	} else if (rc == SUPPORT_REFUSED)
		page_error(req, res, 403);
	else if (rc == SUPPORT_NOT_FOUND)
		page_error(req, res, 404);
	else if (rc == SUPPORT_STALE)
		render_move(req, res, 409, rid, action,
			    "This request was answered or changed in the meantime.", NULL);
	else if (rc == SUPPORT_INVALID) {
		json_t *err = json_object();
		if (!strcmp(to, "declined"))
			json_object_set_new(err, "message", json_string(page_tr(req, "Say why, in a few words (2000 characters at most).")));
		else if (!strcmp(to, "completed"))
			json_object_set_new(err, "given", json_string(page_tr(req, "Say what was given: an amount, hours or a description (500 characters at most).")));
		else
			json_object_set_new(err, "message", json_string(page_tr(req, "At most 2000 characters.")));
		render_move(req, res, 422, rid, action, "Please correct the fields marked below.", err);
	} else
		page_error(req, res, 500);
}

void requests_accept_post(struct request *req, struct response *res)
{
	move_post(req, res, "accept", "accepted");
}

void requests_decline_post(struct request *req, struct response *res)
{
	move_post(req, res, "decline", "declined");
}

void requests_withdraw_post(struct request *req, struct response *res)
{
	move_post(req, res, "withdraw", "withdrawn");
}

void requests_complete_post(struct request *req, struct response *res)
{
	move_post(req, res, "complete", "completed");
}

/* ---- The partner's dashboard ------------------------------------------------ */

void requests_dashboard_partner(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	json_t *orgs;
	if (organisation_list_for_user(req->db, req->territory->id, req->user->id, &orgs)) {
		page_error(req, res, 500);
		return;
	}
	const char *want = params_get(&req->query, "org");
	json_t *partners = json_array(), *chosen = NULL;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (!json_is_true(json_object_get(o, "partner")) || !json_is_true(json_object_get(o, "accredited")))
			continue;
		int sel = want ? !strcmp(want, str(o, "slug")) : chosen == NULL;
		if (sel && !chosen)
			chosen = o;
		json_array_append_new(partners,
				      json_pack("{s:s, s:s, s:b, s:s}", "slug", str(o, "slug"), "name", str(o, "name"),
						"selected", chosen == o,
						"href", page_link(req, arena_printf(req->arena, "/dashboard/partner?org=%s",
										    str(o, "slug")))));
	}
	if (!chosen) {
		json_decref(partners);
		json_decref(orgs);
		page_error(req, res, json_array_size(partners) || want ? 404 : 403);
		return;
	}
	json_t *pending, *accepted, *totals;
	int64_t org_id = num(chosen, "id");
	if (support_request_dashboard(req->db, req->territory->id, org_id, &pending, &accepted, &totals)) {
		json_decref(partners);
		json_decref(orgs);
		page_error(req, res, 500);
		return;
	}
	json_array_foreach(pending, i, o)
		decorate(req, o);
	json_array_foreach(accepted, i, o)
		decorate(req, o);
	json_t *model = json_pack("{s:s, s:s, s:o, s:b, s:o, s:b, s:o, s:o, s:b, s:s}", "org_name",
				  str(chosen, "name"), "org_slug", str(chosen, "slug"), "pending", pending,
				  "has_pending", json_array_size(pending) > 0, "accepted", accepted,
				  "has_accepted", json_array_size(accepted) > 0, "totals", totals, "partners",
				  partners, "several", json_array_size(partners) > 1, "csrf", page_csrf(req, res));
	json_decref(orgs);
	page_render(req, res, 200, "dashboard/partner", page_tr(req, "Partner dashboard"), model);
}
