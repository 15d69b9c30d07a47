/*
 * Ideas and projects: the list, filtered by stage and theme in a plain GET
 * form, and an initiative's page with its place on the journey. Filter
 * values are checked against the stage table and the territory's themes:
 * anything else is a 400, never echoed back.
 */
#include "web/pages.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "web/listing.h"
#include "web/page.h"
#include "web/parts.h"
#include "core/banned.h"

#define INITIATIVES_PAGE 20

static const char *const index_params[] = { "before", "stage", "theme" };

/* The filters a request asked for, once checked. */
struct filters {
	const char *stage; /* a stage code, or NULL */
	const char *theme; /* a theme slug of the territory, or NULL */
	int64_t theme_id;
	int64_t before;
};

/* 0, or the status to answer: 400 for a bad parameter, 500 on error. */
static int read_filters(struct request *req, struct filters *f)
{
	memset(f, 0, sizeof(*f));
	if (!listing_query_allowed(req, index_params, ARRAY_SIZE(index_params)) ||
	    listing_before(req, &f->before))
		return 400;
	f->stage = listing_param(req, "stage");
	if (f->stage && !initiative_stage_find(f->stage))
		return 400;
	f->theme = listing_param(req, "theme");
	if (!f->theme)
		return 0;
	if (strlen(f->theme) > THEME_SLUG_MAX)
		return 400;
	int rc = theme_find(req->db, req->territory->id, f->theme, &f->theme_id);
	return rc < 0 ? 500 : rc > 0 ? 400 : 0;
}

static json_t *stage_options(const struct request *req, const char *current)
{
	json_t *options = json_array();
	for (size_t i = 0; i < initiative_stage_count; i++) {
		const struct initiative_stage *s = &initiative_stages[i];
		json_array_append_new(options, json_pack("{s:s, s:s, s:b}", "value", s->code, "label",
							 page_tr(req, s->label), "selected",
							 current && !strcmp(current, s->code)));
	}
	return options;
}

/* The territory's themes as options, the current one selected. */
static int theme_options(struct request *req, const char *current, json_t **out)
{
	if (theme_list(req->db, req->territory->id, out))
		return -1;
	size_t i;
	json_t *theme;
	json_array_foreach(*out, i, theme) {
		const char *slug = json_string_value(json_object_get(theme, "slug"));
		json_object_set_new(theme, "selected", json_boolean(current && !strcmp(current, slug)));
	}
	return 0;
}

/* "/initiatives" with the filters, for the pager's links. */
static const char *list_path(struct request *req, const struct filters *f)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "/initiatives");
	char sep = '?';
	if (f->stage) {
		buf_addf(&b, "%cstage=", sep);
		buf_add_url_encoded(&b, f->stage, strlen(f->stage));
		sep = '&';
	}
	if (f->theme) {
		buf_addf(&b, "%ctheme=", sep);
		buf_add_url_encoded(&b, f->theme, strlen(f->theme));
	}
	const char *path = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return path;
}

static json_t *index_model(struct request *req, const struct filters *f, json_t *page,
			   json_t *themes)
{
	json_t *items = json_object_get(page, "items");
	listing_initiatives(req, items);
	json_t *model = json_pack("{s:O, s:o, s:o, s:b, s:s}", "initiatives", items,
				  "stage_options", stage_options(req, f->stage), "theme_options", themes,
				  "filtered", f->stage || f->theme, "action", page_link(req, "/initiatives"));
	listing_flag(model, "has_initiatives", "initiatives");
	json_t *pager = listing_pager(req, list_path(req, f), f->before,
				      json_object_get(page, "next_before"));
	if (pager)
		json_object_set_new(model, "pager", pager);
	return model;
}

void initiatives_index(struct request *req, struct response *res)
{
	struct filters f;
	int status = read_filters(req, &f);
	if (status) {
		page_error(req, res, status);
		return;
	}
	struct initiative_filter q = {
		.before = f.before, .limit = INITIATIVES_PAGE, .stage = f.stage, .theme_id = f.theme_id
	};
	json_t *page, *themes;
	if (initiative_list(req->db, req->territory->id, &q, &page)) {
		page_error(req, res, 500);
		return;
	}
	if (theme_options(req, f.theme, &themes)) {
		json_decref(page);
		page_error(req, res, 500);
		return;
	}
	json_t *model = index_model(req, &f, page, themes);
	json_decref(page);
	page_render(req, res, 200, "initiatives/list", page_tr(req, "Ideas and projects"), model);
}

/* The five stages of the journey, the ones passed marked done, this one current. */
static json_t *journey(const struct request *req, const struct initiative_stage *at)
{
	json_t *steps = json_array();
	for (size_t i = 0; i < initiative_stage_count; i++) {
		const struct initiative_stage *s = &initiative_stages[i];
		if (!s->on_journey)
			continue;
		json_array_append_new(steps, json_pack("{s:s, s:b, s:b}", "label",
						       page_tr(req, s->label), "done",
						       at->on_journey && s->position < at->position,
						       "current", s == at));
	}
	return steps;
}

/* Why an initiative left the journey, said plainly; NULL while it is on it. */
static const char *off_journey(const struct initiative_stage *at)
{
	if (at->on_journey)
		return NULL;
	return strcmp(at->code, "merged") ? "This initiative is archived: it is no longer being worked on."
					  : "This initiative was merged into another one.";
}

static void show_model(struct request *req, json_t *in)
{
	listing_initiative(req, in);
	/* The body sits under its own h2: its Markdown headings start at h3. */
	listing_markdown(in, "body_html", json_string_value(json_object_get(in, "body")), 3);
	listing_flag(in, "has_needs", "needs");
	size_t i;
	json_t *need;
	json_array_foreach(json_object_get(in, "needs"), i, need)
		listing_href(req, need, "/needs/");
	json_t *theme = json_object_get(in, "theme");
	if (json_is_object(theme)) {
		const char *slug = json_string_value(json_object_get(theme, "slug"));
		const char *href = arena_printf(req->arena, "/initiatives?theme=%s", slug);
		json_object_set_new(theme, "href", json_string(page_link(req, href)));
	}
	const struct initiative_stage *at =
		initiative_stage_find(json_string_value(json_object_get(in, "stage")));
	if (!at)
		return;
	json_object_set_new(in, "journey", journey(req, at));
	const char *notice = off_journey(at);
	if (notice)
		json_object_set_new(in, "off_journey", json_string(page_tr(req, notice)));
}

void initiatives_show(struct request *req, struct response *res)
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
	json_t *in;
	int rc = initiative_get(req->db, req->territory->id, id, &in);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	show_model(req, in);
	const char *title = arena_strdup(req->arena, json_string_value(json_object_get(in, "title")));
	json_t *model = json_pack("{s:O, s:s}", "initiative", in, "back_href",
				  page_link(req, "/initiatives"));
	rc = parts_fill(req, res, "initiative", id, in, model);
	json_decref(in);
	if (rc < 0) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	page_render(req, res, 200, "initiatives/show", title, model);
}
