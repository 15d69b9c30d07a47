/*
 * Partners' offers: the ecosystem page (partners, their offers, filterable
 * by kind, stage and theme, and the projects each has supported), an
 * offer's page, and the forms partners' members publish and edit offers
 * with (the contact form's pattern: 422 keeps what was typed).
 */
#include "web/offers.h"

#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/offer.h"
#include "domain/organisation.h"
#include "domain/outcome.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define ECOSYSTEM_PAGE 50

static const char *kind_label(const struct request *req, const char *code)
{
	const struct offer_kind *k = offer_kind_find(code);
	return k ? page_tr(req, k->label) : "";
}

static const char *stage_label(const struct request *req, const char *code)
{
	const struct initiative_stage *s = initiative_stage_find(code);
	return s ? page_tr(req, s->label) : "";
}

/* The day of t in Paris as YYYY-MM-DD (arena string), "" for 0. */
static const char *day_of(const struct request *req, int64_t t)
{
	if (!t)
		return "";
	char s[32];
	outcome_paris_format(t, s);
	return arena_strndup(req->arena, s, 10);
}

/* Labels, links, dates and state for an offer item or offer_get() object. */
static void decorate(const struct request *req, json_t *o)
{
	json_object_set_new(o, "kind_label",
			    json_string(kind_label(req, json_string_value(json_object_get(o, "kind")))));
	listing_href(req, o, "/offers/");
	json_t *labels = json_array(), *s;
	size_t i;
	json_array_foreach(json_object_get(o, "stages"), i, s)
		json_array_append_new(labels, json_string(stage_label(req, json_string_value(s))));
	json_object_set_new(o, "stage_labels", labels);
	int64_t opens = json_integer_value(json_object_get(o, "opens_at"));
	int64_t closes = json_integer_value(json_object_get(o, "closes_at"));
	if (opens)
		listing_date(req, o, "opens", opens + 3 * 3600); /* midnight in Paris is still the day before in UTC */
	if (closes)
		listing_date(req, o, "closes", closes);
	const char *state = offer_state(json_is_true(json_object_get(o, "active")), opens, closes,
					(int64_t)time(NULL));
	static const struct {
		const char *code, *label;
	} states[] = { { "open", "Open" }, { "closed", "Closed" }, { "paused", "Paused" } };
	for (size_t k = 0; k < ARRAY_SIZE(states); k++)
		if (!strcmp(states[k].code, state))
			json_object_set_new(o, "state_label", json_string(page_tr(req, states[k].label)));
	json_t *org = json_object_get(o, "organisation");
	json_object_set_new(org, "href",
			    json_string(page_link(req, arena_printf(req->arena, "/organisations/%s",
								    json_string_value(json_object_get(org, "slug"))))));
}

/* ---- The ecosystem page ---- */

struct eco_query {
	const char *kind, *stage, *theme;
	int64_t theme_id, before;
};

/* Read and check the filters: 0, 1 when one is invalid (400), -1 on error. */
static int eco_query_read(struct request *req, struct eco_query *q)
{
	static const char *const names[] = { "kind", "stage", "theme", "before" };
	memset(q, 0, sizeof(*q));
	if (!listing_query_allowed(req, names, ARRAY_SIZE(names)) || listing_before(req, &q->before))
		return 1;
	q->kind = listing_param(req, "kind");
	q->stage = listing_param(req, "stage");
	q->theme = listing_param(req, "theme");
	if ((q->kind && !offer_kind_find(q->kind)) || (q->stage && offer_stage_index(q->stage) < 0))
		return 1;
	if (q->theme) {
		int rc = theme_find(req->db, req->territory->id, q->theme, &q->theme_id);
		if (rc)
			return rc;
	}
	return 0;
}

/* The filter form's options, with the current choice selected. */
static void eco_options(struct request *req, const struct eco_query *q, json_t *themes, json_t *model)
{
	json_t *kinds = json_array(), *stages = json_array(), *t;
	for (size_t i = 0; i < offer_kind_count; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "value", offer_kinds[i].code,
						       "label", page_tr(req, offer_kinds[i].label), "selected",
						       q->kind && !strcmp(q->kind, offer_kinds[i].code)));
	for (size_t i = 0; i < offer_stage_count; i++)
		json_array_append_new(stages,
				      json_pack("{s:s, s:s, s:b}", "value", offer_stage_codes[i], "label",
						stage_label(req, offer_stage_codes[i]), "selected",
						q->stage && !strcmp(q->stage, offer_stage_codes[i])));
	size_t i;
	json_array_foreach(themes, i, t)
		json_object_set_new(t, "selected",
				    json_boolean(q->theme && !strcmp(q->theme, json_string_value(
									      json_object_get(t, "slug")))));
	json_object_set_new(model, "kind_options", kinds);
	json_object_set_new(model, "stage_options", stages);
	json_object_set_new(model, "theme_options", themes);
}

/* The page's partners: accredited ones, each with its offers of the page and what it supported. */
static json_t *eco_partners(struct request *req, json_t *orgs, json_t *offers, json_t *supported,
			    int filtered)
{
	json_t *out = json_array(), *org, *offer;
	size_t i, j;
	json_array_foreach(orgs, i, org) {
		if (!json_is_true(json_object_get(org, "accredited")))
			continue;
		json_int_t id = json_integer_value(json_object_get(org, "id"));
		json_t *mine = json_array();
		json_array_foreach(offers, j, offer)
			if (json_integer_value(json_object_get(json_object_get(offer, "organisation"), "id")) == id)
				json_array_append(mine, offer);
		if (filtered && !json_array_size(mine)) {
			json_decref(mine);
			continue;
		}
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)id);
		json_t *projects = json_object_get(supported, key);
		projects = projects ? json_incref(projects) : json_array();
		json_t *p;
		json_array_foreach(projects, j, p)
			listing_href(req, p, "/initiatives/");
		json_object_set_new(org, "offers", mine);
		listing_flag(org, "has_offers", "offers");
		json_object_set_new(org, "supported", projects);
		listing_flag(org, "has_supported", "supported");
		json_array_append(out, org);
	}
	return out;
}

/* The ecosystem path with the current filters, for the pager. */
static const char *eco_path(struct request *req, const struct eco_query *q)
{
	const char *p = arena_printf(req->arena, "/ecosystem?kind=%s&stage=%s&theme=%s",
				     q->kind ? q->kind : "", q->stage ? q->stage : "", q->theme ? q->theme : "");
	return q->kind || q->stage || q->theme ? p : "/ecosystem";
}

void offers_ecosystem(struct request *req, struct response *res)
{
	struct eco_query q;
	int rc = eco_query_read(req, &q);
	if (rc) {
		page_error(req, res, rc > 0 ? 400 : 500);
		return;
	}
	struct offer_filter f = { q.kind, q.stage, q.theme_id, q.before, ECOSYSTEM_PAGE };
	json_t *list = NULL, *orgs = NULL, *supported = NULL, *themes = NULL;
	if (offer_list(req->db, req->territory->id, &f, &list) ||
	    organisation_list(req->db, req->territory->id, ORGANISATION_PARTNERS, &orgs) ||
	    offer_supported_projects(req->db, req->territory->id, &supported) ||
	    theme_list(req->db, req->territory->id, &themes)) {
		json_decref(list);
		json_decref(orgs);
		json_decref(supported);
		json_decref(themes);
		page_error(req, res, 500);
		return;
	}
	int filtered = q.kind || q.stage || q.theme || q.before;
	json_t *offers = json_object_get(list, "items"), *o;
	size_t i;
	json_array_foreach(offers, i, o)
		decorate(req, o);
	listing_organisations(req, orgs);
	json_t *model = json_pack("{s:o, s:b, s:s}", "partners",
				  eco_partners(req, orgs, offers, supported, filtered), "filtered",
				  q.kind || q.stage || q.theme, "action", page_link(req, "/ecosystem"));
	listing_flag(model, "has_partners", "partners");
	eco_options(req, &q, themes, model);
	json_t *pager = listing_pager(req, eco_path(req, &q), q.before, json_object_get(list, "next_before"));
	if (pager)
		json_object_set_new(model, "pager", pager);
	json_decref(list);
	json_decref(orgs);
	json_decref(supported);
	page_render(req, res, 200, "ecosystem/index", page_tr(req, "Ecosystem"), model);
}

/* ---- One offer ---- */

/* 1 if the current person may edit offers of org_id, 0 if not, -1 on error. */
static int viewer_may_publish(struct request *req, int64_t org_id)
{
	if (!req->user)
		return 0;
	return offer_may_publish(req->db, req->territory->id, org_id, req->user->id);
}

void offers_show(struct request *req, struct response *res)
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
	json_t *offer;
	int rc = offer_get(req->db, req->territory->id, id, &offer);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	decorate(req, offer);
	listing_markdown(offer, "description_html", json_string_value(json_object_get(offer, "description")), 2);
	listing_flag(offer, "has_themes", "themes");
	int64_t org_id = json_integer_value(json_object_get(json_object_get(offer, "organisation"), "id"));
	int may = viewer_may_publish(req, org_id);
	if (may < 0) {
		json_decref(offer);
		page_error(req, res, 500);
		return;
	}
	if (may)
		json_object_set_new(offer, "edit_href",
				    json_string(page_link(req, arena_printf(req->arena, "/offers/%lld/edit",
									    (long long)id))));
	const char *title = arena_strdup(req->arena, json_string_value(json_object_get(offer, "title")));
	json_t *model = json_pack("{s:o, s:s}", "offer", offer, "back_href", page_link(req, "/ecosystem"));
	page_render(req, res, 200, "offers/show", title, model);
}

/* ---- The forms ---- */

/* What the form shows: typed or stored values. */
struct offer_values {
	struct offer_form f;
	const char *action, *heading;
};

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

static int listed(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* Kinds, stages and themes as options, with what is chosen. NULL on a database error. */
static json_t *form_options(struct request *req, const struct offer_values *v)
{
	json_t *themes;
	if (theme_list(req->db, req->territory->id, &themes))
		return NULL;
	json_t *kinds = json_array(), *stages = json_array(), *t;
	for (size_t i = 0; i < offer_kind_count; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "value", offer_kinds[i].code, "label",
						       page_tr(req, offer_kinds[i].label), "selected",
						       v->f.kind && !strcmp(v->f.kind, offer_kinds[i].code)));
	for (size_t i = 0; i < offer_stage_count; i++)
		json_array_append_new(stages, json_pack("{s:s, s:s, s:b}", "value", offer_stage_codes[i], "label",
							stage_label(req, offer_stage_codes[i]), "checked",
							listed(v->f.stages, v->f.stage_count, offer_stage_codes[i])));
	size_t i;
	json_array_foreach(themes, i, t)
		json_object_set_new(t, "checked", json_boolean(listed(v->f.themes, v->f.theme_count,
								       json_string_value(json_object_get(t, "slug")))));
	json_t *o = json_pack("{s:o, s:o, s:o}", "kind_options", kinds, "stage_options", stages,
			      "theme_options", themes);
	listing_flag(o, "has_themes", "theme_options");
	return o;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void render_form(struct request *req, struct response *res, int status,
			const struct offer_values *v, json_t *errors)
{
	json_t *model = form_options(req, v);
	if (!model) {
		page_error(req, res, 500);
		return;
	}
	int paused = v->f.active && !strcmp(v->f.active, "0");
	json_t *vals = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title", or_empty(v->f.title),
				 "description", or_empty(v->f.description), "conditions",
				 or_empty(v->f.conditions), "amount", or_empty(v->f.amount), "capacity",
				 or_empty(v->f.capacity), "opens", or_empty(v->f.opens), "closes",
				 or_empty(v->f.closes));
	json_object_set_new(model, "values", vals); /* not at the top: the layout owns "title" */
	json_object_set_new(model, "paused", json_boolean(paused));
	json_object_set_new(model, "action", json_string(v->action));
	json_object_set_new(model, "heading", json_string(v->heading));
	json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	json_object_set_new(model, "title_max", json_integer(OFFER_TITLE_MAX));
	json_object_set_new(model, "description_max", json_integer(OFFER_DESCRIPTION_MAX));
	json_object_set_new(model, "conditions_max", json_integer(OFFER_CONDITIONS_MAX));
	json_object_set_new(model, "capacity_max", json_integer(OFFER_CAPACITY_MAX));
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "offers/form", v->heading, model);
}

/* Every value of the form field name, in an arena array; *n gets their count. */
static const char *const *form_all(struct request *req, const char *name, size_t *n)
{
	const char **v = arena_calloc(req->arena, req->form.n + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < req->form.n; i++)
		if (!strcmp(req->form.v[i].name, name))
			v[(*n)++] = req->form.v[i].value;
	return v;
}

static void values_from_form(struct request *req, struct offer_values *v)
{
	const struct params *p = &req->form;
	v->f.kind = params_get(p, "kind");
	v->f.title = params_get(p, "title");
	v->f.description = params_get(p, "description");
	v->f.conditions = params_get(p, "conditions");
	v->f.amount = params_get(p, "amount");
	v->f.capacity = params_get(p, "capacity");
	v->f.opens = params_get(p, "opens");
	v->f.closes = params_get(p, "closes");
	v->f.active = params_get(p, "active");
	v->f.stages = form_all(req, "stages", &v->f.stage_count);
	v->f.themes = form_all(req, "themes", &v->f.theme_count);
}

/* The values of a stored offer (offer_get()), copied into the arena. */
static void values_from_offer(struct request *req, json_t *o, struct offer_values *v)
{
#define S(key) arena_strdup(req->arena, or_empty(json_string_value(json_object_get(o, key))))
	v->f.kind = S("kind");
	v->f.title = S("title");
	v->f.description = S("description");
	v->f.conditions = S("conditions");
	v->f.capacity = S("capacity");
#undef S
	json_int_t amount = json_integer_value(json_object_get(o, "amount_max_eur"));
	v->f.amount = amount ? arena_printf(req->arena, "%lld", (long long)amount) : "";
	v->f.opens = day_of(req, json_integer_value(json_object_get(o, "opens_at")));
	v->f.closes = day_of(req, json_integer_value(json_object_get(o, "closes_at")));
	v->f.active = json_is_true(json_object_get(o, "active")) ? "1" : "0";
	json_t *stages = json_object_get(o, "stages"), *themes = json_object_get(o, "themes"), *x;
	const char **s = arena_calloc(req->arena, json_array_size(stages) + 1, sizeof(*s));
	const char **t = arena_calloc(req->arena, json_array_size(themes) + 1, sizeof(*t));
	size_t i;
	json_array_foreach(stages, i, x)
		s[i] = arena_strdup(req->arena, json_string_value(x));
	json_array_foreach(themes, i, x)
		t[i] = arena_strdup(req->arena, json_string_value(json_object_get(x, "slug")));
	v->f.stages = s;
	v->f.stage_count = json_array_size(stages);
	v->f.themes = t;
	v->f.theme_count = json_array_size(themes);
}

/*
 * The guard, then the organisation of the URL and the person's right to
 * publish for it: 0 with *org_id, or -1 with the response filled (login,
 * 403, 404).
 */
static int publisher_of_slug(struct request *req, struct response *res, int64_t *org_id)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	const char *slug = params_get(&req->route, "slug");
	int rc = slug && strlen(slug) <= ORGANISATION_SLUG_MAX
			 ? organisation_find(req->db, req->territory->id, slug, org_id)
			 : 1;
	if (rc == 0) {
		int may = offer_may_publish(req->db, req->territory->id, *org_id, req->user->id);
		rc = may < 0 ? -1 : may ? 0 : 2;
	}
	if (rc)
		page_error(req, res, rc == 1 ? 404 : rc == 2 ? 403 : 500);
	return rc ? -1 : 0;
}

/* The same for the offer of the URL: 0 with *id and *org_id, or -1 with the response filled. */
static int publisher_of_offer(struct request *req, struct response *res, int64_t *id, int64_t *org_id)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	*id = page_id_param(req, "id");
	int rc = *id > 0 ? offer_organisation(req->db, req->territory->id, *id, org_id) : 1;
	if (rc == 0) {
		int may = offer_may_publish(req->db, req->territory->id, *org_id, req->user->id);
		rc = may < 0 ? -1 : may ? 0 : 2;
	}
	if (rc)
		page_error(req, res, rc == 1 ? 404 : rc == 2 ? 403 : 500);
	return rc ? -1 : 0;
}

void offers_new_form(struct request *req, struct response *res)
{
	int64_t org_id;
	if (publisher_of_slug(req, res, &org_id) < 0)
		return;
	struct offer_values v = { 0 };
	v.action = arena_printf(req->arena, "/organisations/%s/offers/new", params_get(&req->route, "slug"));
	v.heading = page_tr(req, "Publish an offer");
	v.f.active = "1";
	render_form(req, res, 200, &v, NULL);
}

/* Validate what was typed: 0 with *in, or -1 with the response filled (422 or 500). */
static int checked_input(struct request *req, struct response *res, struct offer_values *v,
			 struct offer_input *in)
{
	values_from_form(req, v);
	json_t *errors = offer_validate(req->db, req->territory->id, &v->f, in);
	if (!errors) {
		page_error(req, res, 500);
		return -1;
	}
	int bad = json_object_size(errors) > 0;
	if (bad)
		render_form(req, res, 422, v, errors);
	json_decref(errors);
	return bad ? -1 : 0;
}

void offers_new_post(struct request *req, struct response *res)
{
	int64_t org_id, id;
	if (publisher_of_slug(req, res, &org_id) < 0)
		return;
	struct offer_values v = { 0 };
	v.action = arena_printf(req->arena, "/organisations/%s/offers/new", params_get(&req->route, "slug"));
	v.heading = page_tr(req, "Publish an offer");
	struct offer_input in;
	if (checked_input(req, res, &v, &in) < 0)
		return;
	if (offer_create(req->db, req->territory->id, org_id, req->user->id, &in, &id)) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, page_link(req, arena_printf(req->arena, "/offers/%lld", (long long)id)));
}

void offers_edit_form(struct request *req, struct response *res)
{
	int64_t id, org_id;
	if (publisher_of_offer(req, res, &id, &org_id) < 0)
		return;
	json_t *offer;
	int rc = offer_get(req->db, req->territory->id, id, &offer);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	struct offer_values v = { 0 };
	values_from_offer(req, offer, &v);
	json_decref(offer);
	v.action = arena_printf(req->arena, "/offers/%lld/edit", (long long)id);
	v.heading = page_tr(req, "Edit the offer");
	render_form(req, res, 200, &v, NULL);
}

void offers_edit_post(struct request *req, struct response *res)
{
	int64_t id, org_id;
	if (publisher_of_offer(req, res, &id, &org_id) < 0)
		return;
	struct offer_values v = { 0 };
	v.action = arena_printf(req->arena, "/offers/%lld/edit", (long long)id);
	v.heading = page_tr(req, "Edit the offer");
	struct offer_input in;
	if (checked_input(req, res, &v, &in) < 0)
		return;
	int rc = offer_update(req->db, req->territory->id, id, req->user->id, &in);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	response_redirect(res, req->arena, page_link(req, arena_printf(req->arena, "/offers/%lld", (long long)id)));
}
