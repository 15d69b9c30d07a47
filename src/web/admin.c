/*
 * The administration of a territory. Every handler starts with its guard,
 * and every query and change names req->territory: the role an admin holds
 * is the one of the host they are on, so an admin of another territory is
 * refused here like any member. A refused change (the last admin) shows the
 * page again with the reason, as a refused form does.
 */
#include "web/admin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/organisation.h"
#include "domain/role.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* The roles an admin gives, in the order of the choice. */
static const struct {
	const char *name;
	const char *label;
} role_choices[] = {
	{ "member", "Member" },
	{ "animator", "Animator" },
	{ "admin", "Administrator" },
};

/* The label of a role as people read it; "unconfirmed" included. */
static const char *role_label(const struct request *req, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(role_choices); i++)
		if (!strcmp(role_choices[i].name, name))
			return page_tr(req, role_choices[i].label);
	return page_tr(req, "Address not confirmed");
}

/* role_label, href and the choices of the role form, added to each person. */
static void decorate_people(const struct request *req, json_t *items)
{
	size_t i;
	json_t *p;
	json_array_foreach(items, i, p) {
		const char *role = json_string_value(json_object_get(p, "role"));
		listing_href(req, p, "/people/");
		json_object_set_new(p, "role_label", json_string(role_label(req, role)));
		json_t *choices = json_array();
		for (size_t k = 0; k < ARRAY_SIZE(role_choices); k++)
			json_array_append_new(choices, json_pack("{s:s, s:s, s:b}", "value",
								 role_choices[k].name, "label",
								 page_tr(req, role_choices[k].label),
								 "selected", !strcmp(role, role_choices[k].name)));
		json_object_set_new(p, "choices", choices);
		json_object_set_new(p, "unconfirmed", json_boolean(!strcmp(role, "unconfirmed")));
	}
}

/* The notice of a change that was done (?changed=1) or refused (error, an English msgid). */
static void add_notices(const struct request *req, json_t *model, const char *error)
{
	const char *changed = params_get(&req->query, "changed");
	if (!error && changed && !strcmp(changed, "1"))
		json_object_set_new(model, "changed", json_true());
	if (error)
		json_object_set_new(model, "error", json_string(page_tr(req, error)));
}

static const char *const home_params[] = { "role", "before", "changed" };

static void render_home(struct request *req, struct response *res, int status, const char *error)
{
	int64_t before;
	const char *role = listing_param(req, "role");
	if (!listing_query_allowed(req, home_params, ARRAY_SIZE(home_params)) ||
	    listing_before(req, &before) < 0 ||
	    (role && strcmp(role, "member") && strcmp(role, "animator") && strcmp(role, "admin"))) {
		page_error(req, res, 400);
		return;
	}
	struct role_filter f = { .role = role, .before = before };
	json_t *page;
	if (role_list(req->db, req->territory->id, &f, &page) < 0) {
		page_error(req, res, 500);
		return;
	}
	json_t *people = json_object_get(page, "items");
	decorate_people(req, people);
	json_t *filter = json_array();
	json_array_append_new(filter, json_pack("{s:s, s:s, s:b}", "value", "", "label",
						page_tr(req, "Every role"), "selected", !role));
	for (size_t k = 0; k < ARRAY_SIZE(role_choices); k++)
		json_array_append_new(filter, json_pack("{s:s, s:s, s:b}", "value", role_choices[k].name,
							"label", page_tr(req, role_choices[k].label),
							"selected", role && !strcmp(role, role_choices[k].name)));
	const char *path = role ? arena_printf(req->arena, "/admin?role=%s", role) : "/admin";
	json_t *pager = listing_pager(req, path, before, json_object_get(page, "next_before"));
	json_t *model = json_pack("{s:O, s:b, s:o, s:s, s:s, s:s}", "people", people, "has_people",
				  json_array_size(people) > 0, "filter", filter, "people_href",
				  page_link(req, "/admin/people"), "partners_href",
				  page_link(req, "/admin/partners"), "action", "/admin");
	json_decref(page);
	if (pager)
		json_object_set_new(model, "pager", pager);
	add_notices(req, model, error);
	page_render(req, res, status, "admin/home", page_tr(req, "Administration"), model);
}

void admin_home(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ROLE_GRANT) < 0)
		return;
	render_home(req, res, 200, NULL);
}

static const char *const people_params[] = { "q", "before", "changed" };

/* Longest search accepted: an e-mail address. */
#define PEOPLE_QUERY_MAX 254

static void render_people(struct request *req, struct response *res, int status, const char *q,
			  const char *error)
{
	int64_t before = 0;
	if (!q) {
		if (!listing_query_allowed(req, people_params, ARRAY_SIZE(people_params)) ||
		    listing_before(req, &before) < 0) {
			page_error(req, res, 400);
			return;
		}
		q = listing_param(req, "q");
	}
	if (q && strlen(q) > PEOPLE_QUERY_MAX) {
		page_error(req, res, 400);
		return;
	}
	json_t *model = json_pack("{s:s, s:s, s:i}", "q", q ? q : "", "back_href",
				  page_link(req, "/admin"), "q_max", PEOPLE_QUERY_MAX);
	if (q && q[strspn(q, " \t")]) {
		json_t *page;
		if (role_search_people(req->db, req->territory->id, q, before, 0, &page) < 0) {
			json_decref(model);
			page_error(req, res, 500);
			return;
		}
		json_t *people = json_object_get(page, "items");
		decorate_people(req, people);
		json_object_set(model, "people", people);
		json_object_set_new(model, "searched", json_true());
		json_object_set_new(model, "has_people", json_boolean(json_array_size(people)));
		struct buf path = BUF_INIT;
		buf_adds(&path, "/admin/people?q=");
		buf_add_url_encoded(&path, q, strlen(q));
		json_t *pager = listing_pager(req, arena_strdup(req->arena, path.ptr), before,
					      json_object_get(page, "next_before"));
		buf_release(&path);
		if (pager)
			json_object_set_new(model, "pager", pager);
		json_decref(page);
	}
	add_notices(req, model, error);
	page_render(req, res, status, "admin/people", page_tr(req, "Find people"), model);
}

void admin_people(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ROLE_GRANT) < 0)
		return;
	render_people(req, res, 200, NULL, NULL);
}

/* A positive id from a form field; -1 when absent or not a number. */
static int64_t form_id(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	size_t len = v ? strlen(v) : 0;
	if (!len || len > 18 || strspn(v, "0123456789") != len)
		return -1;
	errno = 0;
	long long id = strtoll(v, NULL, 10);
	return errno || id <= 0 ? -1 : (int64_t)id;
}

static const char *role_refusal_msgid(int rc)
{
	switch (rc) {
	case ROLE_REFUSED_LAST_ADMIN:
		return "This person is the territory's only administrator: make someone else administrator first.";
	case ROLE_REFUSED_NO_ACCOUNT:
		return "This account does not exist any more.";
	default:
		return "This role cannot be given.";
	}
}

void admin_roles_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ROLE_GRANT) < 0)
		return;
	int64_t user_id = form_id(req, "user_id");
	const char *role = params_get(&req->form, "role");
	const char *q = params_get(&req->form, "q");
	int wanted = role ? role_from_name(role) : -1;
	if (user_id < 0 || !role ||
	    (strcmp(role, "none") && wanted != ROLE_MEMBER && wanted != ROLE_ANIMATOR &&
	     wanted != ROLE_ADMIN) ||
	    (q && strlen(q) > PEOPLE_QUERY_MAX)) {
		page_error(req, res, 400);
		return;
	}
	int64_t t = req->territory->id, by = req->user->id;
	int rc = strcmp(role, "none") ? role_grant(req->db, t, user_id, (enum role)wanted, by)
				      : role_revoke(req->db, t, user_id, by);
	if (rc < 0) {
		page_error(req, res, 500);
		return;
	}
	if (rc > 0) {
		if (q && *q)
			render_people(req, res, 422, q, role_refusal_msgid(rc));
		else
			render_home(req, res, 422, role_refusal_msgid(rc));
		return;
	}
	struct buf to = BUF_INIT;
	if (q && *q) {
		buf_adds(&to, "/admin/people?q=");
		buf_add_url_encoded(&to, q, strlen(q));
		buf_adds(&to, "&changed=1");
	} else {
		buf_adds(&to, "/admin?changed=1");
	}
	response_redirect(res, req->arena, arena_strdup(req->arena, to.ptr));
	buf_release(&to);
}

/* ---- Partners ---- */

static void render_partners(struct request *req, struct response *res, int status,
			    const char *error)
{
	json_t *orgs;
	if (organisation_list_partners_admin(req->db, req->territory->id, &orgs) < 0) {
		page_error(req, res, 500);
		return;
	}
	size_t i;
	json_t *org;
	json_array_foreach(orgs, i, org) {
		listing_organisation(req, org);
		const char *slug = json_string_value(json_object_get(org, "slug"));
		json_t *at = json_object_get(org, "accredited_at");
		if (json_is_integer(at))
			listing_date(req, org, "accredited_date", (int64_t)json_integer_value(at));
		json_object_set_new(org, "accredit_action",
				    json_sprintf("/admin/partners/%s/accredit", slug));
		json_object_set_new(org, "revoke_action",
				    json_sprintf("/admin/partners/%s/revoke", slug));
	}
	json_t *model = json_pack("{s:o, s:b, s:s}", "partners", orgs, "has_partners",
				  json_array_size(orgs) > 0, "back_href", page_link(req, "/admin"));
	add_notices(req, model, error);
	page_render(req, res, status, "admin/partners", page_tr(req, "Partner accreditation"), model);
}

void admin_partners(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_PARTNER_ACCREDIT) < 0)
		return;
	static const char *const params[] = { "changed" };
	if (!listing_query_allowed(req, params, ARRAY_SIZE(params))) {
		page_error(req, res, 400);
		return;
	}
	render_partners(req, res, 200, NULL);
}

static void set_accreditation(struct request *req, struct response *res, int accredited)
{
	if (guard(req, res, ACT_PARTNER_ACCREDIT) < 0)
		return;
	const char *slug = params_get(&req->route, "slug");
	int64_t org_id;
	int rc = slug && strlen(slug) <= ORGANISATION_SLUG_MAX
			 ? organisation_find(req->db, req->territory->id, slug, &org_id)
			 : 1;
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	rc = organisation_set_accredited(req->db, req->territory->id, org_id, req->user->id,
					 accredited);
	if (rc == ORGANISATION_REFUSED_NOT_FOUND) {
		page_error(req, res, 404);
	} else if (rc == ORGANISATION_REFUSED_NOT_PARTNER) {
		render_partners(req, res, 422, "Only partner organisations are accredited.");
	} else if (rc) {
		page_error(req, res, 500);
	} else {
		response_redirect(res, req->arena, "/admin/partners?changed=1");
	}
}

void admin_partner_accredit(struct request *req, struct response *res)
{
	set_accreditation(req, res, 1);
}

void admin_partner_revoke(struct request *req, struct response *res)
{
	set_accreditation(req, res, 0);
}
