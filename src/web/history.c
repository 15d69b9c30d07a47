/*
 * Every change of an initiative's text goes through version_edit(), so the
 * history is complete by construction. The diff page compares the Markdown
 * source, not the HTML: what people wrote is what they see changed.
 */
#include "web/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "core/mem.h"
#include "domain/coauthor.h"
#include "domain/initiative.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "domain/version.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* Escaped text with its newlines as <br>. */
static void add_text(struct buf *out, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		buf_add_html_escaped(out, s + start, i - start);
		buf_adds(out, "<br>\n");
		start = i + 1;
	}
	buf_add_html_escaped(out, s + start, len - start);
}

static void add_hidden(struct buf *out, const char *text)
{
	buf_adds(out, "<span class=\"visually-hidden\">");
	buf_add_html_escaped(out, text, strlen(text));
	buf_adds(out, "</span>");
}

void history_diff_html(const struct request *req, struct buf *out, const char *old_text,
		       const char *new_text)
{
	struct diff d = DIFF_INIT;
	diff_words(&d, old_text, strlen(old_text), new_text, strlen(new_text));
	for (size_t i = 0; i < d.n; i++) {
		const struct diff_op *op = &d.ops[i];
		if (op->kind == DIFF_EQUAL) {
			add_text(out, op->text, op->len);
			continue;
		}
		int ins = op->kind == DIFF_INSERT;
		buf_adds(out, ins ? "<ins>" : "<del>");
		add_hidden(out, arena_printf(req->arena, "%s ",
					     page_tr(req, ins ? "[added:" : "[removed:")));
		add_text(out, op->text, op->len);
		add_hidden(out, "]");
		buf_adds(out, ins ? "</ins>" : "</del>");
	}
	diff_release(&d);
}

int history_may_edit(struct request *req, int64_t initiative_id)
{
	if (!req->user)
		return 0;
	if (req->role >= ROLE_ANIMATOR)
		return 1;
	return coauthor_is_author(req->db, req->territory->id, initiative_id, req->user->id);
}

static const char *initiative_path(struct request *req, int64_t id, const char *rest)
{
	return page_link(req, arena_printf(req->arena, "/initiatives/%lld%s", (long long)id, rest));
}

/* The initiative of the route, or an error page: 0 with *out, else the answer is sent. */
static int load(struct request *req, struct response *res, int64_t *id, json_t **out)
{
	*id = page_id_param(req, "id");
	if (*id < 0) {
		page_error(req, res, 404);
		return -1;
	}
	int rc = initiative_get(req->db, req->territory->id, *id, out);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	return 0;
}

/* load(), then the edit right: 0, or -1 with the answer sent. */
static int load_for_edit(struct request *req, struct response *res, int64_t *id, json_t **out)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0 || load(req, res, id, out) < 0)
		return -1;
	int may = history_may_edit(req, *id);
	if (may == 1)
		return 0;
	json_decref(*out);
	page_error(req, res, may < 0 ? 500 : 403);
	return -1;
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

static void render_edit(struct request *req, struct response *res, int status, int64_t id,
			json_t *in, const char *title, const char *summary, const char *body,
			const char *note, json_t *errors)
{
	json_t *model = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i}",
				  "initiative_title",
				  json_string_value(json_object_get(in, "title")), "title", title,
				  "summary", summary, "body", body, "note", note, "csrf",
				  page_csrf(req, res), "action", initiative_path(req, id, "/edit"),
				  "back_href", initiative_path(req, id, ""), "title_max",
				  VERSION_TITLE_MAX, "summary_max", VERSION_SUMMARY_MAX, "body_max",
				  VERSION_BODY_MAX, "note_max", VERSION_NOTE_MAX);
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "initiatives/edit", page_tr(req, "Edit the initiative"),
		    model);
}

void history_edit_form(struct request *req, struct response *res)
{
	int64_t id;
	json_t *in;
	if (load_for_edit(req, res, &id, &in) < 0)
		return;
	render_edit(req, res, 200, id, in, json_string_value(json_object_get(in, "title")),
		    json_string_value(json_object_get(in, "summary")),
		    json_string_value(json_object_get(in, "body")), "", NULL);
	json_decref(in);
}

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

void history_edit_post(struct request *req, struct response *res)
{
	int64_t id;
	json_t *in;
	if (load_for_edit(req, res, &id, &in) < 0)
		return;
	struct version_change c = { .title = field(req, "title"),
				    .summary = field(req, "summary"),
				    .body = field(req, "body"),
				    .note = field(req, "note"),
				    .author_id = req->user->id };
	json_t *errors = version_validate(c.title, c.summary, c.body, c.note);
	if (json_object_size(errors)) {
		render_edit(req, res, 422, id, in, c.title, c.summary, c.body, c.note, errors);
		json_decref(errors);
		json_decref(in);
		return;
	}
	json_decref(errors);
	json_decref(in);
	int rc = version_edit(req->db, req->territory->id, id, &c, NULL);
	if (rc < 0 || rc == VERSION_STALE) {
		page_error(req, res, 500);
		return;
	}
	if (rc == VERSION_NOT_FOUND) {
		page_error(req, res, 404);
		return;
	}
	response_redirect(res, req->arena, initiative_path(req, id, ""));
}

static void decorate_versions(struct request *req, int64_t id, json_t *versions)
{
	size_t i;
	json_t *v;
	json_array_foreach(versions, i, v) {
		int64_t n = json_integer_value(json_object_get(v, "version"));
		listing_date(req, v, "date", json_integer_value(json_object_get(v, "created_at")));
		if (n > 1)
			json_object_set_new(v, "diff_href",
					    json_string(initiative_path(req, id,
									arena_printf(req->arena,
										     "/history/diff?from=%lld&to=%lld",
										     (long long)n - 1,
										     (long long)n))));
		json_object_set_new(v, "from_selected", json_boolean(n == 1 || (i == 1)));
		json_object_set_new(v, "to_selected", json_boolean(i == 0));
	}
}

void history_index(struct request *req, struct response *res)
{
	int64_t id;
	json_t *in, *versions;
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	if (load(req, res, &id, &in) < 0)
		return;
	if (version_list(req->db, req->territory->id, id, &versions)) {
		json_decref(in);
		page_error(req, res, 500);
		return;
	}
	decorate_versions(req, id, versions);
	const char *title = arena_printf(req->arena, "%s — %s", page_tr(req, "History"),
					 json_string_value(json_object_get(in, "title")));
	json_t *model = json_pack("{s:s, s:o, s:b, s:s, s:s}", "initiative_title",
				  json_string_value(json_object_get(in, "title")), "versions",
				  versions, "can_compare", json_array_size(versions) > 1, "back_href",
				  initiative_path(req, id, ""), "diff_action",
				  initiative_path(req, id, "/history/diff"));
	json_decref(in);
	page_render(req, res, 200, "history/index", title, model);
}

/* A positive version number from the query, or -1. */
static int64_t version_param(const struct request *req, const char *name)
{
	const char *v = params_get(&req->query, name);
	if (!v || !*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
		return -1;
	long n = strtol(v, NULL, 10);
	return n > 0 ? n : -1;
}

static const char *diff_of(struct request *req, json_t *a, json_t *b, const char *key)
{
	struct buf out = BUF_INIT;
	history_diff_html(req, &out, json_string_value(json_object_get(a, key)),
			  json_string_value(json_object_get(b, key)));
	const char *html = arena_strdup(req->arena, out.ptr);
	buf_release(&out);
	return html;
}

static json_t *version_side(struct request *req, json_t *v)
{
	listing_date(req, v, "date", json_integer_value(json_object_get(v, "created_at")));
	return json_pack("{s:I, s:O, s:s, s:s}", "version",
			 json_integer_value(json_object_get(v, "version")), "author",
			 json_object_get(v, "author"), "date",
			 json_string_value(json_object_get(v, "date")), "date_iso",
			 json_string_value(json_object_get(v, "date_iso")));
}

static const char *const diff_params[] = { "from", "to" };

void history_diff(struct request *req, struct response *res)
{
	int64_t id;
	json_t *in, *a = NULL, *b = NULL;
	int64_t from = version_param(req, "from"), to = version_param(req, "to");
	if (!listing_query_allowed(req, diff_params, ARRAY_SIZE(diff_params)) || from < 0 ||
	    to < 0) {
		page_error(req, res, 400);
		return;
	}
	if (load(req, res, &id, &in) < 0)
		return;
	int rc = version_get(req->db, req->territory->id, id, from, &a);
	if (!rc)
		rc = version_get(req->db, req->territory->id, id, to, &b);
	if (rc) {
		json_decref(in);
		json_decref(a);
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	json_t *model = json_pack(
		"{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "initiative_title",
		json_string_value(json_object_get(in, "title")), "from", version_side(req, a), "to",
		version_side(req, b), "title_diff", diff_of(req, a, b, "title"), "summary_diff",
		diff_of(req, a, b, "summary"), "body_diff", diff_of(req, a, b, "body"), "back_href",
		initiative_path(req, id, ""), "history_href", initiative_path(req, id, "/history"));
	const char *title = arena_printf(req->arena, "%s — %s", page_tr(req, "Changes"),
					 json_string_value(json_object_get(in, "title")));
	json_decref(in);
	json_decref(a);
	json_decref(b);
	page_render(req, res, 200, "history/diff", title, model);
}
