/*
 * The search page (search.h). The domain finds and cuts the snippets
 * (domain/search.h); here the query is checked, each result gets its link,
 * labels and date in the request's language, and the page keeps the words
 * typed in its form. A visitor's search pages are cached like any page a
 * visitor sees (web/cache.c keys them by their query), and any write
 * makes them render again.
 */
#include "web/search.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/search.h"
#include "domain/territory.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define SEARCH_PAGE 20

static const char *const search_params[] = { "q", "kind", "after" };

/* The values of ?kind=, in the order of the form's choices. */
static const struct {
	const char *value;
	enum search_kind kind;
	const char *label;
} kinds[] = {
	{ "", SEARCH_ALL, "Everything" },
	{ "needs", SEARCH_NEEDS, "Needs" },
	{ "initiatives", SEARCH_INITIATIVES, "Ideas and projects" },
	{ "comments", SEARCH_COMMENTS, "Comments" },
};

/* What a refused query is told (search_refusal), with the HTTP status. */
static const struct {
	int refusal;
	int status;
	const char *message;
} refusals[] = {
	{ SEARCH_TOO_LONG, 400, "Your search is too long: 200 characters at most." },
	{ SEARCH_TOO_MANY_TERMS, 400, "Too many words: 8 at most. Keep the most telling ones." },
	{ SEARCH_BAD_TEXT, 400, "This search cannot be read. Type it again." },
	{ SEARCH_BAD_KEY, 400, "This page of results no longer exists. Start the search again." },
};

/* What each kind of result is called, and where it leads. */
static const struct {
	const char *kind;
	const char *label;
} result_kinds[] = {
	{ "need", "Need" },
	{ "initiative", "Initiative" },
	{ "comment", "Comment" },
};

static int kind_of(const char *value, size_t *index)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].value, value ? value : "")) {
			*index = i;
			return 0;
		}
	return -1;
}

static json_t *kind_options(const struct request *req, size_t current)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", kinds[i].value, "label",
						   page_tr(req, kinds[i].label), "selected",
						   i == current));
	return a;
}

/* /search?q=...&kind=...(&after=...), in the request's language. */
static const char *search_href(const struct request *req, const char *q, size_t kind,
			       const char *after)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "/search?q=");
	buf_add_url_encoded(&b, q, strlen(q));
	if (*kinds[kind].value)
		buf_addf(&b, "&kind=%s", kinds[kind].value);
	if (after) {
		buf_adds(&b, "&after=");
		buf_add_url_encoded(&b, after, strlen(after));
	}
	const char *href = page_link(req, arena_printf(req->arena, "%s", b.ptr));
	buf_release(&b);
	return href;
}

static const char *kind_label(const struct request *req, const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(result_kinds); i++)
		if (!strcmp(result_kinds[i].kind, kind))
			return page_tr(req, result_kinds[i].label);
	return "";
}

static void decorate(const struct request *req, json_t *item)
{
	const char *kind = json_string_value(json_object_get(item, "kind"));
	const char *link_type = json_string_value(json_object_get(item, "link_type"));
	long long link_id = (long long)json_integer_value(json_object_get(item, "link_id"));
	long long id = (long long)json_integer_value(json_object_get(item, "id"));
	const char *path = !strcmp(kind, "comment")
				   ? arena_printf(req->arena, "/%ss/%lld#comment-%lld", link_type,
						  link_id, id)
				   : arena_printf(req->arena, "/%ss/%lld", link_type, link_id);
	json_object_set_new(item, "href", json_string(page_link(req, path)));
	json_object_set_new(item, "kind_label", json_string(kind_label(req, kind)));
	const struct initiative_stage *stage =
		initiative_stage_find(json_string_value(json_object_get(item, "stage")));
	if (stage)
		json_object_set_new(item, "stage_label", json_string(page_tr(req, stage->label)));
	json_object_set_new(item, "is_comment", json_boolean(!strcmp(kind, "comment")));
	listing_date(req, item, "date", json_integer_value(json_object_get(item, "created_at")));
}

static const char *count_text(const struct request *req, const json_t *page)
{
	int64_t n = json_integer_value(json_object_get(page, "matches"));
	if (n > SEARCH_RANK_MAX)
		return page_tr(req, "More than 1000 results, newest first"); /* SEARCH_RANK_MAX */
	return arena_printf(req->arena, "%lld %s", (long long)n,
			    listing_plural(req, n, "result, by relevance", "results, by relevance"));
}

/* The results of a page into model. */
static void results_model(struct request *req, json_t *model, json_t *page, const char *q,
			  size_t kind, const char *after)
{
	json_t *items = json_object_get(page, "items");
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
		decorate(req, item);
	json_object_set(model, "results", items);
	json_object_set_new(model, "searched", json_true());
	listing_flag(model, "has_results", "results");
	if (json_array_size(items))
		json_object_set_new(model, "count_text", json_string(count_text(req, page)));
	json_t *pager = json_object();
	if (after)
		json_object_set_new(pager, "first_href", json_string(search_href(req, q, kind, NULL)));
	const char *next = json_string_value(json_object_get(page, "next"));
	if (next)
		json_object_set_new(pager, "next_href", json_string(search_href(req, q, kind, next)));
	if (json_object_size(pager))
		json_object_set_new(model, "pager", pager);
	else
		json_decref(pager);
}

static int refusal_status(struct request *req, json_t *model, int rc)
{
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		if (refusals[i].refusal == rc) {
			json_object_set_new(model, "refused",
					    json_string(page_tr(req, refusals[i].message)));
			return refusals[i].status;
		}
	return 500;
}

void search_page(struct request *req, struct response *res)
{
	size_t kind;
	const char *q = listing_param(req, "q"), *after = listing_param(req, "after");
	if (!listing_query_allowed(req, search_params, ARRAY_SIZE(search_params)) ||
	    kind_of(listing_param(req, "kind"), &kind)) {
		page_error(req, res, 400);
		return;
	}
	json_t *model = json_pack("{s:s, s:s, s:o, s:s}", "search_q", q ? q : "", "action",
				  page_link(req, "/search"), "kind_options", kind_options(req, kind),
				  "post_need_href", page_link(req, "/needs/new"));
	if (!model) /* q is not valid UTF-8: jansson refuses it */
		model = json_pack("{s:s, s:s, s:o}", "search_q", "", "action",
				  page_link(req, "/search"), "kind_options", kind_options(req, kind));
	int status = 200, rc = SEARCH_EMPTY;
	json_t *page = NULL;
	if (q) {
		struct search_query sq = { .text = q, .kind = kinds[kind].kind, .after = after,
					   .limit = SEARCH_PAGE };
		rc = search_run(req->db, req->territory->id, &sq, &page);
	}
	if (rc == 0)
		results_model(req, model, page, q, kind, after);
	else if (rc != SEARCH_EMPTY)
		status = refusal_status(req, model, rc);
	json_decref(page);
	if (status == 500) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	const char *title = q && rc == 0 ? arena_printf(req->arena, "%s%s", page_tr(req, "Search: "), q)
					 : page_tr(req, "Search");
	page_render(req, res, status, "search/results", title, model);
}
