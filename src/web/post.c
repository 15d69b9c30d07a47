/*
 * Posting needs and ideas. Each form is read into one struct, checked field
 * by field into a JSON object of English messages (the contact form's way),
 * and either written through the domain (need_create, initiative_create:
 * one transaction with its activity) or shown again with what was typed.
 * Limits count characters, and are the ones the forms state.
 */
#include "web/post.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/neighbourhood.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define POST_TITLE_MAX 200 /* need and idea, as need.h and initiative.h allow */
#define POST_BODY_MAX 10000 /* description of a need, text of an idea */
#define POST_SUMMARY_MAX INITIATIVE_SUMMARY_MAX
#define NEED_CHOICES 100 /* the newest needs offered as checkboxes */

/* What the need form holds, as typed. */
struct need_form {
	const char *title, *body, *theme, *neighbourhood, *lat, *lng;
};

/* What the idea form holds, as typed, and the needs it ticks. */
struct idea_form {
	const char *title, *summary, *body, *theme, *neighbourhood;
	int64_t needs[INITIATIVE_NEEDS_MAX];
	size_t n_needs;
};

static const char *form_value(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

static int blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* "" is 0 (none), a positive number its value; -1 for anything else. */
static int64_t choice_id(const char *v)
{
	if (!*v)
		return 0;
	if (strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
		return -1;
	long long id = strtoll(v, NULL, 10);
	return id > 0 ? (int64_t)id : -1;
}

/* Check one text field; the first error of a field wins. */
static void check_text(json_t *errors, const char *field, const char *v, size_t max,
		       const char *empty_msg, const char *long_msg)
{
	if (!utf8_valid(v, strlen(v)))
		json_object_set_new(errors, field, json_string("This text contains invalid characters."));
	else if (empty_msg && blank(v))
		json_object_set_new(errors, field, json_string(empty_msg));
	else if (utf8_chars(v) > max)
		json_object_set_new(errors, field, json_string(long_msg));
}

/* A theme or neighbourhood choice: none, or one of the territory's. 0 with *id, -1 refused. */
static int check_choice(struct request *req, json_t *errors, const char *field, const char *v,
			int (*in_territory)(struct db *, int64_t, int64_t), int64_t *id)
{
	*id = choice_id(v);
	if (*id == 0)
		return 0;
	if (*id > 0 && in_territory(req->db, req->territory->id, *id) == 1)
		return 0;
	json_object_set_new(errors, field, json_string("Choose from the list."));
	*id = 0;
	return -1;
}

/* A decimal number in [min, max], with a point or a comma. */
static int parse_coord(const char *s, double min, double max, double *out)
{
	char text[32];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, s, n + 1);
	char *comma = strchr(text, ',');
	if (comma)
		*comma = '.';
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

/* Mark the option whose id is selected. */
static void select_option(json_t *options, int64_t selected, const char *flag)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) {
		int64_t id = json_integer_value(json_object_get(o, "id"));
		json_object_set_new(o, flag, json_boolean(selected > 0 && id == selected));
	}
}

/* The theme and neighbourhood lists of the territory, the chosen ones selected. 0 or -1. */
static int add_choices(struct request *req, json_t *model, const char *theme,
		       const char *neighbourhood)
{
	json_t *themes, *places;
	if (theme_list(req->db, req->territory->id, &themes))
		return -1;
	if (neighbourhood_list(req->db, req->territory->id, &places)) {
		json_decref(themes);
		return -1;
	}
	select_option(themes, choice_id(theme), "selected");
	select_option(places, choice_id(neighbourhood), "selected");
	json_object_set_new(model, "theme_options", themes);
	json_object_set_new(model, "neighbourhood_options", places);
	listing_flag(model, "has_themes", "theme_options");
	listing_flag(model, "has_neighbourhoods", "neighbourhood_options");
	return 0;
}

static void add_errors(const struct request *req, json_t *model, json_t *errors)
{
	if (!errors || !json_object_size(errors))
		return;
	json_object_set_new(model, "errors", translate_errors(req, errors));
	json_object_set_new(model, "has_errors", json_true());
}

/* ------------------------------------------------------------------ */
/* Needs                                                               */
/* ------------------------------------------------------------------ */

static void render_need_form(struct request *req, struct response *res, int status,
			     const struct need_form *f, json_t *errors)
{
	/* Under "form": the layout's own "title" key would hide a top-level one. */
	json_t *model = json_pack("{s{ss ss ss ss} ss si si}", "form", "title", f->title, "body",
				  f->body, "lat", f->lat, "lng", f->lng, "csrf", page_csrf(req, res),
				  "title_max", POST_TITLE_MAX, "body_max", POST_BODY_MAX);
	if (add_choices(req, model, f->theme, f->neighbourhood)) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	add_errors(req, model, errors);
	page_render(req, res, status, "post/need", page_tr(req, "Report a need"), model);
}

void post_need_form(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	struct need_form f = { "", "", "", "", "", "" };
	render_need_form(req, res, 200, &f, NULL);
}

static void check_place(json_t *errors, const struct need_form *f, struct need_new *n)
{
	int has_lat = !blank(f->lat), has_lng = !blank(f->lng);
	if (!has_lat && !has_lng)
		return;
	if (has_lat != has_lng) {
		json_object_set_new(errors, has_lat ? "lng" : "lat",
				    json_string("Give both the latitude and the longitude, or neither."));
		return;
	}
	if (parse_coord(f->lat, -90, 90, &n->lat))
		json_object_set_new(errors, "lat",
				    json_string("A latitude is a number between -90 and 90, such as 48.7784."));
	if (parse_coord(f->lng, -180, 180, &n->lng))
		json_object_set_new(errors, "lng",
				    json_string("A longitude is a number between -180 and 180, such as 2.2915."));
	n->has_location = !json_object_get(errors, "lat") && !json_object_get(errors, "lng");
}

static json_t *check_need(struct request *req, const struct need_form *f, struct need_new *n)
{
	json_t *errors = json_object();
	check_text(errors, "title", f->title, POST_TITLE_MAX, "Give your need a title.",
		   "The title is 200 characters at most.");
	check_text(errors, "body", f->body, POST_BODY_MAX, NULL,
		   "The description is 10,000 characters at most.");
	check_choice(req, errors, "theme", f->theme, theme_in_territory, &n->theme_id);
	check_choice(req, errors, "neighbourhood", f->neighbourhood, neighbourhood_in_territory,
		     &n->neighbourhood_id);
	check_place(errors, f, n);
	return errors;
}

void post_need_submit(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	struct need_form f = {
		form_value(req, "title"), form_value(req, "body"),
		form_value(req, "theme"), form_value(req, "neighbourhood"),
		form_value(req, "lat"), form_value(req, "lng"),
	};
	struct need_new n = { .author_id = req->user->id, .title = f.title, .body = f.body };
	json_t *errors = check_need(req, &f, &n);
	if (json_object_size(errors)) {
		render_need_form(req, res, 422, &f, errors);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	int64_t id;
	if (need_create(req->db, req->territory->id, &n, &id)) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, page_link(req, arena_printf(req->arena, "/needs/%lld",
								       (long long)id)));
}

/* ------------------------------------------------------------------ */
/* Ideas                                                               */
/* ------------------------------------------------------------------ */

static int ticked(const struct idea_form *f, int64_t id)
{
	for (size_t i = 0; i < f->n_needs; i++)
		if (f->needs[i] == id)
			return 1;
	return 0;
}

/* Add need id to the options when the newest needs do not hold it (an older need, ticked). */
static int ensure_need_option(struct request *req, json_t *options, int64_t id)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o)
		if (json_integer_value(json_object_get(o, "id")) == id)
			return 0;
	json_t *need;
	int rc = need_get(req->db, req->territory->id, id, &need);
	if (rc)
		return rc > 0 ? 0 : -1;
	json_array_insert_new(options, 0, json_pack("{s:O, s:O}", "id", json_object_get(need, "id"),
						    "title", json_object_get(need, "title")));
	json_decref(need);
	return 0;
}

/* The needs to tick: the newest of the territory, and any already ticked. */
static int need_options(struct request *req, const struct idea_form *f, json_t **out)
{
	struct need_filter nf = { .limit = NEED_CHOICES };
	json_t *page;
	if (need_list(req->db, req->territory->id, &nf, &page))
		return -1;
	json_t *options = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(page, "items"), i, item)
		json_array_append_new(options, json_pack("{s:O, s:O}", "id", json_object_get(item, "id"),
							 "title", json_object_get(item, "title")));
	json_decref(page);
	for (i = 0; i < f->n_needs; i++)
		if (ensure_need_option(req, options, f->needs[i])) {
			json_decref(options);
			return -1;
		}
	json_array_foreach(options, i, item) {
		int64_t id = json_integer_value(json_object_get(item, "id"));
		json_object_set_new(item, "checked", json_boolean(ticked(f, id)));
	}
	*out = options;
	return 0;
}

static void render_idea_form(struct request *req, struct response *res, int status,
			     const struct idea_form *f, json_t *errors, int preview)
{
	json_t *model = json_pack("{s{ss ss ss} ss si si si si}", "form", "title", f->title,
				  "summary", f->summary, "body", f->body, "csrf", page_csrf(req, res),
				  "title_max", POST_TITLE_MAX, "summary_max", POST_SUMMARY_MAX,
				  "body_max", POST_BODY_MAX, "needs_max", INITIATIVE_NEEDS_MAX);
	json_t *needs;
	if (add_choices(req, model, f->theme, f->neighbourhood) || need_options(req, f, &needs)) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	json_object_set_new(model, "need_options", needs);
	listing_flag(model, "has_need_options", "need_options");
	if (preview) {
		json_t *p = json_pack("{ss ss}", "title", f->title, "summary", f->summary);
		/* Under the preview's h2, the text's headings start at h3. */
		listing_markdown(p, "body_html", f->body, 3);
		json_object_set_new(model, "preview", p);
	}
	add_errors(req, model, errors);
	page_render(req, res, status, "post/initiative", page_tr(req, "Propose an idea"), model);
}

void post_initiative_form(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	struct idea_form f = { "", "", "", "", "", { 0 }, 0 };
	const char *need = params_get(&req->query, "need");
	if (need) {
		int64_t id = choice_id(need);
		if (id > 0 && need_in_territory(req->db, req->territory->id, id) == 1)
			f.needs[f.n_needs++] = id;
	}
	render_idea_form(req, res, 200, &f, NULL, 0);
}

/* Read the ticked needs; an error when one is not the territory's or too many are ticked. */
static void read_needs(struct request *req, struct idea_form *f, json_t *errors)
{
	for (size_t i = 0; i < req->form.n; i++) {
		const struct param *p = &req->form.v[i];
		if (strcmp(p->name, "needs"))
			continue;
		int64_t id = choice_id(p->value);
		if (id <= 0 || need_in_territory(req->db, req->territory->id, id) != 1) {
			json_object_set_new(errors, "needs", json_string("Choose from the list."));
			continue;
		}
		if (ticked(f, id))
			continue;
		if (f->n_needs == INITIATIVE_NEEDS_MAX) {
			json_object_set_new(errors, "needs",
					    json_string("An idea answers 20 needs at most."));
			return;
		}
		f->needs[f->n_needs++] = id;
	}
}

static json_t *check_idea(struct request *req, struct idea_form *f, struct initiative_new *in)
{
	json_t *errors = json_object();
	check_text(errors, "title", f->title, POST_TITLE_MAX, "Give your idea a title.",
		   "The title is 200 characters at most.");
	check_text(errors, "summary", f->summary, POST_SUMMARY_MAX, NULL,
		   "The summary is 500 characters at most.");
	check_text(errors, "body", f->body, POST_BODY_MAX, NULL,
		   "The text is 10,000 characters at most.");
	check_choice(req, errors, "theme", f->theme, theme_in_territory, &in->theme_id);
	check_choice(req, errors, "neighbourhood", f->neighbourhood, neighbourhood_in_territory,
		     &in->neighbourhood_id);
	read_needs(req, f, errors);
	in->need_ids = f->needs;
	in->n_needs = f->n_needs;
	return errors;
}

void post_initiative_submit(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	struct idea_form f = {
		form_value(req, "title"), form_value(req, "summary"), form_value(req, "body"),
		form_value(req, "theme"), form_value(req, "neighbourhood"), { 0 }, 0,
	};
	struct initiative_new in = {
		.author_id = req->user->id, .title = f.title, .summary = f.summary, .body = f.body,
		.stage = "idea",
	};
	json_t *errors = check_idea(req, &f, &in);
	if (params_get(&req->form, "preview")) {
		render_idea_form(req, res, 200, &f, errors, 1);
		json_decref(errors);
		return;
	}
	if (json_object_size(errors)) {
		render_idea_form(req, res, 422, &f, errors, 0);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	int64_t id;
	if (initiative_create(req->db, req->territory->id, &in, &id)) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena,
			  page_link(req, arena_printf(req->arena, "/initiatives/%lld", (long long)id)));
}
