/*
 * Organisations people run. The forms follow web/contact.c: a refused form
 * comes back (422) with what was typed and the error next to the field; a
 * success redirects (303). Who may act is decided twice, in this order: the
 * guard (organisation.create: a confirmed member of this territory), then
 * the person's place in the organisation (owner), read from the database
 * for the organisation of this territory only.
 */
#include "web/orgs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "domain/organisation.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

static const char *const kinds[] = { "association", "social_enterprise", "company", "public_body",
				     "partner" };

static const struct {
	const char *value;
	const char *label;
} member_roles[] = {
	{ "member", "Member" },
	{ "owner", "Owner" },
};

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *key;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, key, msg)
		json_object_set_new(out, key, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

/* Set errors_key (translated) and flag_key when errors has any; takes errors' reference. */
static void set_errors(const struct request *req, json_t *model, const char *errors_key,
		       const char *flag_key, json_t *errors)
{
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, errors_key, translate_errors(req, errors));
		json_object_set_new(model, flag_key, json_true());
	}
	json_decref(errors);
}

/* The form's values: what was typed, or what the organisation holds. */
static json_t *form_model(const struct request *req, const struct organisation_new *o)
{
	json_t *options = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		json_array_append_new(options,
				      json_pack("{s:s, s:s, s:b}", "value", kinds[i], "label",
						page_tr(req, organisation_kind_label(kinds[i])),
						"selected", o->kind && !strcmp(o->kind, kinds[i])));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:i, s:i, s:i, s:i}", "name", o->name,
			 "summary", o->summary, "description", o->description, "website",
			 o->website, "kinds", options, "no_kind", !o->kind || !*o->kind, "name_max",
			 ORGANISATION_NAME_MAX, "summary_max", ORGANISATION_SUMMARY_MAX,
			 "description_max", ORGANISATION_DESCRIPTION_MAX, "website_max",
			 ORGANISATION_WEBSITE_MAX);
}

static struct organisation_new typed(const struct request *req)
{
	struct organisation_new o = {
		.name = field(req, "name"),
		.kind = field(req, "kind"),
		.summary = field(req, "summary"),
		.description = field(req, "description"),
		.website = field(req, "website"),
	};
	return o;
}

/* ---- Creation ---- */

static void render_new(struct request *req, struct response *res, int status,
		       const struct organisation_new *o, json_t *errors)
{
	json_t *model = form_model(req, o);
	json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	set_errors(req, model, "errors", "has_errors", errors);
	page_render(req, res, status, "orgs/new", page_tr(req, "Create an organisation"), model);
}

void orgs_new_form(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ORGANISATION_CREATE) < 0)
		return;
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	struct organisation_new o = { .name = "", .kind = "", .summary = "", .description = "",
				      .website = "" };
	render_new(req, res, 200, &o, NULL);
}

void orgs_new_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ORGANISATION_CREATE) < 0)
		return;
	struct organisation_new o = typed(req);
	json_t *errors = organisation_validate(&o);
	if (json_object_size(errors)) {
		render_new(req, res, 422, &o, errors);
		return;
	}
	json_decref(errors);
	int64_t id;
	char slug[ORGANISATION_SLUG_MAX + 1];
	if (organisation_create_owned(req->db, req->territory->id, &o, req->user->id, &id, slug) < 0) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, arena_printf(req->arena, "/organisations/%s", slug));
}

/* ---- One organisation: the owners' page ---- */

struct org_ctx {
	int64_t id;
	const char *slug;
	int role; /* the person's enum organisation_role in it */
};

/* A slug as organisations have them; anything else cannot name one. */
static int slug_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	return len && len <= ORGANISATION_SLUG_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/*
 * The guard, then the organisation of the route's slug in this territory
 * and the person's place in it; need_owner refuses anyone but an owner
 * (403). 0, or -1 with the response filled.
 */
static int load_org(struct request *req, struct response *res, struct org_ctx *c, int need_owner)
{
	if (guard(req, res, ACT_ORGANISATION_CREATE) < 0)
		return -1;
	c->slug = params_get(&req->route, "slug");
	int rc = slug_ok(c->slug) ? organisation_find(req->db, req->territory->id, c->slug, &c->id) : 1;
	if (rc == 0)
		c->role = organisation_member_role(req->db, c->id, req->user->id);
	if (rc || c->role < 0) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	if (need_owner && c->role != ORGANISATION_OWNER) {
		page_error(req, res, 403);
		return -1;
	}
	return 0;
}

static const char *member_role_label(const struct request *req, const char *role)
{
	for (size_t i = 0; i < ARRAY_SIZE(member_roles); i++)
		if (!strcmp(member_roles[i].value, role))
			return page_tr(req, member_roles[i].label);
	return role;
}

/* The members with their links, labels and removal forms. NULL on error. */
static json_t *members_model(const struct request *req, const struct org_ctx *c)
{
	json_t *members;
	if (organisation_members(req->db, c->id, &members) < 0)
		return NULL;
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		int64_t uid = (int64_t)json_integer_value(json_object_get(m, "id"));
		listing_href(req, m, "/people/");
		json_object_set_new(m, "role_label",
				    json_string(member_role_label(
					    req, json_string_value(json_object_get(m, "role")))));
		json_object_set_new(m, "remove_action",
				    json_sprintf("/organisations/%s/members/%lld/remove", c->slug,
						 (long long)uid));
		json_object_set_new(m, "is_self", json_boolean(uid == req->user->id));
	}
	return members;
}

/* What the member form holds: who was typed and the role chosen. */
struct member_form {
	const char *who;
	const char *role;
	json_t *errors; /* {field: msgid}, or NULL; the render takes it */
	const char *notice; /* a refusal that concerns no one field (msgid), or NULL */
};

static void render_edit(struct request *req, struct response *res, int status,
			const struct org_ctx *c, const struct organisation_new *typed_values,
			json_t *errors, struct member_form *mf)
{
	json_t *org;
	int rc = organisation_get_by_slug(req->db, req->territory->id, c->slug, &org);
	json_t *members = rc == 0 ? members_model(req, c) : NULL;
	if (rc || !members) {
		if (!rc)
			json_decref(org);
		json_decref(errors);
		if (mf)
			json_decref(mf->errors);
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	struct organisation_new stored = {
		.name = json_string_value(json_object_get(org, "name")),
		.kind = json_string_value(json_object_get(org, "kind")),
		.summary = json_string_value(json_object_get(org, "summary")),
		.description = json_string_value(json_object_get(org, "description")),
		.website = json_string_value(json_object_get(org, "website")),
	};
	json_t *model = form_model(req, typed_values ? typed_values : &stored);
	const char *role = mf && mf->role ? mf->role : "member";
	json_t *roles = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(member_roles); i++)
		json_array_append_new(roles, json_pack("{s:s, s:s, s:b}", "value", member_roles[i].value,
						       "label", page_tr(req, member_roles[i].label),
						       "selected", !strcmp(role, member_roles[i].value)));
	json_object_set_new(model, "organisation_name", json_string(stored.name));
	json_object_set_new(model, "show_href",
			    json_string(page_link(req, arena_printf(req->arena, "/organisations/%s",
								    c->slug))));
	json_object_set_new(model, "action", json_sprintf("/organisations/%s/edit", c->slug));
	json_object_set_new(model, "members_action",
			    json_sprintf("/organisations/%s/members", c->slug));
	json_object_set_new(model, "members", members);
	json_object_set_new(model, "member_roles", roles);
	json_object_set_new(model, "who", json_string(mf && mf->who ? mf->who : ""));
	json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	set_errors(req, model, "errors", "has_errors", errors);
	if (mf) {
		set_errors(req, model, "member_errors", "has_member_errors", mf->errors);
		if (mf->notice)
			json_object_set_new(model, "member_notice", json_string(page_tr(req, mf->notice)));
	}
	const char *done = params_get(&req->query, "member");
	if (status == 200 && done && !strcmp(done, "changed"))
		json_object_set_new(model, "member_changed", json_true());
	const char *title = arena_printf(req->arena, "%s — %s", page_tr(req, "Edit"), stored.name);
	json_decref(org);
	page_render(req, res, status, "orgs/edit", title, model);
}

void orgs_edit_form(struct request *req, struct response *res)
{
	struct org_ctx c;
	if (load_org(req, res, &c, 1) < 0)
		return;
	static const char *const params[] = { "member" };
	if (!listing_query_allowed(req, params, ARRAY_SIZE(params))) {
		page_error(req, res, 400);
		return;
	}
	render_edit(req, res, 200, &c, NULL, NULL, NULL);
}

void orgs_edit_post(struct request *req, struct response *res)
{
	struct org_ctx c;
	if (load_org(req, res, &c, 1) < 0)
		return;
	struct organisation_new o = typed(req);
	json_t *errors = organisation_validate(&o);
	if (json_object_size(errors)) {
		render_edit(req, res, 422, &c, &o, errors, NULL);
		return;
	}
	json_decref(errors);
	int rc = organisation_update(req->db, req->territory->id, c.id, req->user->id, &o);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	response_redirect(res, req->arena, arena_printf(req->arena, "/organisations/%s", c.slug));
}

/* An account number as typed ("42"); -1 when who is not one. */
static int64_t account_number(const char *who)
{
	size_t len = strlen(who);
	if (!len || len > 18 || strspn(who, "0123456789") != len)
		return -1;
	errno = 0;
	long long id = strtoll(who, NULL, 10);
	return errno || id <= 0 ? -1 : (int64_t)id;
}

static const char *member_refusal(int rc)
{
	switch (rc) {
	case ORGANISATION_REFUSED_LAST_OWNER:
		return "An organisation keeps at least one owner: make someone else owner first.";
	case ORGANISATION_REFUSED_NO_ACCOUNT:
		return "No account uses this e-mail address or number.";
	case ORGANISATION_REFUSED_NOT_MEMBER:
		return "This person is not a member of the organisation.";
	default:
		return "This change cannot be made.";
	}
}

/* The account named by who (an e-mail address or a number): 0 with *id, 1 if none, -1. */
static int find_person(struct request *req, const char *who, int64_t *id)
{
	*id = account_number(who);
	if (*id > 0)
		return 0;
	if (!strchr(who, '@'))
		return 1;
	struct user *u;
	int rc = user_find_by_email(req->db, req->arena, who, &u);
	if (rc == 0)
		*id = u->id;
	return rc;
}

void orgs_members_post(struct request *req, struct response *res)
{
	struct org_ctx c;
	if (load_org(req, res, &c, 1) < 0)
		return;
	struct member_form mf = { .who = field(req, "who"), .role = field(req, "role") };
	if (strcmp(mf.role, "owner") && strcmp(mf.role, "member")) {
		page_error(req, res, 400);
		return;
	}
	int64_t user_id = 0;
	int rc = 1;
	if (!mf.who[strspn(mf.who, " \t")]) {
		mf.errors = json_pack("{s:s}", "who",
				      "Please give the person's e-mail address or account number.");
	} else if (strlen(mf.who) > USER_EMAIL_MAX) {
		mf.errors = json_pack("{s:s}", "who", "This is too long for an e-mail address.");
	} else {
		rc = find_person(req, mf.who, &user_id);
		if (rc == 0)
			rc = organisation_member_set(req->db, req->territory->id, c.id, user_id, mf.role,
						     req->user->id);
		else if (rc > 0)
			rc = ORGANISATION_REFUSED_NO_ACCOUNT;
		if (rc == ORGANISATION_REFUSED_NO_ACCOUNT)
			mf.errors = json_pack("{s:s}", "who", member_refusal(rc));
		else if (rc > 0)
			mf.notice = member_refusal(rc);
	}
	if (rc < 0) {
		page_error(req, res, 500);
	} else if (rc > 0) {
		render_edit(req, res, 422, &c, NULL, NULL, &mf);
	} else {
		response_redirect(res, req->arena,
				  arena_printf(req->arena, "/organisations/%s/edit?member=changed#members",
					       c.slug));
	}
}

void orgs_member_remove(struct request *req, struct response *res)
{
	struct org_ctx c;
	if (load_org(req, res, &c, 0) < 0)
		return;
	int64_t user_id = page_id_param(req, "user_id");
	if (user_id < 0) {
		page_error(req, res, 404);
		return;
	}
	int self = user_id == req->user->id;
	/* An owner removes anyone; a member only leaves. */
	if (c.role != ORGANISATION_OWNER && !(self && c.role == ORGANISATION_MEMBER)) {
		page_error(req, res, 403);
		return;
	}
	int rc = organisation_member_remove(req->db, req->territory->id, c.id, user_id, req->user->id);
	if (rc < 0) {
		page_error(req, res, 500);
	} else if (rc == ORGANISATION_REFUSED_NOT_MEMBER) {
		page_error(req, res, 404);
	} else if (rc > 0) {
		struct member_form mf = { .notice = member_refusal(rc) };
		render_edit(req, res, 422, &c, NULL, NULL, &mf);
	} else if (self) {
		response_redirect(res, req->arena, arena_printf(req->arena, "/organisations/%s", c.slug));
	} else {
		response_redirect(res, req->arena,
				  arena_printf(req->arena, "/organisations/%s/edit?member=changed#members",
					       c.slug));
	}
}

/* ---- The public page's part ---- */

int orgs_show_extras(struct request *req, json_t *org)
{
	struct org_ctx c = {
		.id = (int64_t)json_integer_value(json_object_get(org, "id")),
		.slug = json_string_value(json_object_get(org, "slug")),
	};
	json_t *members;
	if (organisation_members(req->db, c.id, &members) < 0)
		return -1;
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		listing_href(req, m, "/people/");
		json_object_set_new(m, "role_label",
				    json_string(member_role_label(
					    req, json_string_value(json_object_get(m, "role")))));
	}
	json_object_set_new(org, "members", members);
	json_object_set_new(org, "has_members", json_boolean(json_array_size(members)));
	if (!req->user)
		return 0;
	int role = organisation_member_role(req->db, c.id, req->user->id);
	if (role < 0)
		return -1;
	if (role == ORGANISATION_OWNER)
		json_object_set_new(org, "edit_href",
				    json_string(page_link(req, arena_printf(req->arena,
									    "/organisations/%s/edit",
									    c.slug))));
	if (role == ORGANISATION_MEMBER)
		json_object_set_new(org, "leave_action",
				    json_sprintf("/organisations/%s/members/%lld/remove", c.slug,
						 (long long)req->user->id));
	return 0;
}
