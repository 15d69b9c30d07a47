/*
 * The profile form follows web/contact.c: a refused form comes back (422)
 * with what the person typed and each error next to its field; a saved one
 * redirects (303) so that a reload does not post it again. The public
 * profile is the same data read by anyone, with the person's contributions
 * in this territory.
 */
#include "web/profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/profile.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* Contributions shown on a public profile, of each kind (newest first). */
#define PEOPLE_ITEMS_MAX 20

static const char *const form_params[] = { "saved" };

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

static int id_in(const json_t *ids, int64_t id)
{
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
		if (json_integer_value(v) == id)
			return 1;
	return 0;
}

/* The territory's themes as checkboxes, those whose id is in checked ticked. */
static json_t *theme_choices(const json_t *themes, const json_t *checked)
{
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(themes, i, t) {
		int64_t id = json_integer_value(json_object_get(t, "id"));
		json_array_append_new(out, json_pack("{s:I, s:O, s:b}", "id", (json_int_t)id, "name",
						     json_object_get(t, "name"), "checked",
						     id_in(checked, id)));
	}
	return out;
}

/*
 * The form's model: values is {display_name, bio, skills (text),
 * neighbourhood, interests: [ids]}, taken by this function.
 */
static void render_form(struct request *req, struct response *res, int status, json_t *values,
			json_t *errors)
{
	json_t *themes, *places;
	if (theme_list(req->db, req->territory->id, &themes)) {
		json_decref(values);
		page_error(req, res, 500);
		return;
	}
	if (profile_neighbourhoods(req->db, req->territory->id, &places)) {
		json_decref(themes);
		json_decref(values);
		page_error(req, res, 500);
		return;
	}
	json_t *model = values;
	json_object_set_new(model, "themes", theme_choices(themes, json_object_get(values, "interests")));
	json_decref(themes);
	json_object_set_new(model, "neighbourhoods", places);
	listing_flag(model, "has_themes", "themes");
	json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	json_object_set_new(model, "id", json_integer(req->user->id));
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	const char *saved = params_get(&req->query, "saved");
	if (status == 200 && saved && !strcmp(saved, "1"))
		json_object_set_new(model, "saved", json_true());
	page_render(req, res, status, "profile/edit", page_tr(req, "Your profile"), model);
}

/* The skills as one line to edit: "graphisme, comptabilité". */
static json_t *skills_text(const json_t *skills)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(skills, i, v) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, json_string_value(v));
	}
	json_t *s = json_stringn(b.ptr, b.len);
	buf_release(&b);
	return s;
}

void profile_page(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	if (!listing_query_allowed(req, form_params, ARRAY_SIZE(form_params))) {
		page_error(req, res, 400);
		return;
	}
	json_t *p;
	int rc = profile_get(req->db, req->territory->id, req->user->id, &p);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	json_t *ids = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(p, "interests"), i, t)
		json_array_append(ids, json_object_get(t, "id"));
	json_t *values = json_pack("{s:O, s:O, s:o, s:O, s:o}", "display_name",
				   json_object_get(p, "display_name"), "bio", json_object_get(p, "bio"),
				   "skills", skills_text(json_object_get(p, "skills")), "neighbourhood",
				   json_object_get(p, "neighbourhood"), "interests", ids);
	json_decref(p);
	render_form(req, res, 200, values, NULL);
}

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

/* A theme id as a form sends it; -1 when it is not one (the domain refuses it). */
static int64_t parse_id(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > 18 || strspn(s, "0123456789") != len)
		return -1;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	return errno || v <= 0 ? -1 : (int64_t)v;
}

/* The ticked "interest" boxes, at most one more than the domain accepts (it then refuses). */
static size_t form_interests(const struct request *req, int64_t *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < req->form.n && n < max; i++)
		if (!strcmp(req->form.v[i].name, "interest"))
			ids[n++] = parse_id(req->form.v[i].value);
	return n;
}

static json_t *ids_json(const int64_t *ids, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

void profile_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	int64_t ids[PROFILE_INTERESTS_MAX + 1];
	struct profile_form f = {
		.display_name = field(req, "display_name"),
		.bio = field(req, "bio"),
		.skills = field(req, "skills"),
		.neighbourhood = field(req, "neighbourhood"),
		.interests = ids,
		.n_interests = form_interests(req, ids, ARRAY_SIZE(ids)),
	};
	json_t *errors, *clean;
	if (profile_check(req->db, req->territory->id, &f, &errors, &clean)) {
		page_error(req, res, 500);
		return;
	}
	if (json_object_size(errors)) {
		json_t *values = json_pack("{s:s, s:s, s:s, s:s, s:o}", "display_name", f.display_name,
					   "bio", f.bio, "skills", f.skills, "neighbourhood",
					   f.neighbourhood, "interests", ids_json(ids, f.n_interests));
		render_form(req, res, 422, values, errors);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	int rc = profile_save(req->db, req->territory->id, req->user->id, clean);
	json_decref(clean);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	response_redirect(res, req->arena, "/profile?saved=1");
}

/* The person's needs and initiatives in this territory, ready for the cards. */
static int add_contributions(struct request *req, int64_t id, json_t *model)
{
	json_t *needs, *initiatives;
	if (need_list_by_author(req->db, req->territory->id, id, PEOPLE_ITEMS_MAX, &needs))
		return -1;
	if (initiative_list_by_author(req->db, req->territory->id, id, PEOPLE_ITEMS_MAX,
				      &initiatives)) {
		json_decref(needs);
		return -1;
	}
	json_object_set(model, "needs", json_object_get(needs, "items"));
	json_object_set(model, "initiatives", json_object_get(initiatives, "items"));
	json_decref(needs);
	json_decref(initiatives);
	listing_needs(req, json_object_get(model, "needs"));
	listing_initiatives(req, json_object_get(model, "initiatives"));
	listing_flag(model, "has_needs", "needs");
	listing_flag(model, "has_initiatives", "initiatives");
	return 0;
}

void people_show(struct request *req, struct response *res)
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
	json_t *person;
	int rc = profile_get(req->db, req->territory->id, id, &person);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	/* The bio sits in a section under an h2: its Markdown headings start at h3. */
	listing_markdown(person, "bio_html", json_string_value(json_object_get(person, "bio")), 3);
	listing_date(req, person, "joined", json_integer_value(json_object_get(person, "created_at")));
	listing_flag(person, "has_skills", "skills");
	listing_flag(person, "has_interests", "interests");
	const char *title = arena_strdup(req->arena,
					 json_string_value(json_object_get(person, "display_name")));
	json_t *model = json_pack("{s:o, s:b}", "person", person, "is_me",
				  req->user && req->user->id == id);
	if (add_contributions(req, id, model)) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	page_render(req, res, 200, "profile/show", title, model);
}
