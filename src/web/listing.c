/*
 * Shared by home.c, needs.c, initiatives.c and organisations.c (see
 * listing.h). Labels are English msgids from the domain's tables, translated
 * here, at the edge, in the request's language.
 */
#include "web/listing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/organisation.h"
#include "view/markdown.h"
#include "web/page.h"
#include "core/banned.h"

/* More parameters than any page accepts: refuse before looking at each. */
#define QUERY_PARAMS_MAX 8
#define ID_DIGITS_MAX 18

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};

static int name_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return !strcmp(name, "lang");
}

int listing_query_allowed(const struct request *req, const char *const *names, size_t n)
{
	const struct params *q = &req->query;
	if (q->n > QUERY_PARAMS_MAX)
		return 0;
	for (size_t i = 0; i < q->n; i++) {
		if (!name_in(q->v[i].name, names, n))
			return 0;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(q->v[k].name, q->v[i].name))
				return 0;
	}
	return 1;
}

int listing_before(const struct request *req, int64_t *before)
{
	const char *v = params_get(&req->query, "before");
	*before = 0;
	if (!v)
		return 0;
	size_t len = strlen(v);
	if (!len || len > ID_DIGITS_MAX || strspn(v, "0123456789") != len)
		return -1;
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno || n <= 0)
		return -1;
	*before = (int64_t)n;
	return 0;
}

const char *listing_param(const struct request *req, const char *name)
{
	const char *v = params_get(&req->query, name);
	return v && *v ? v : NULL;
}

const char *listing_plural(const struct request *req, int64_t n, const char *one,
			   const char *many)
{
	/* French counts 0 as singular ("0 idée"); English does not ("0 ideas"). */
	int singular = req->lang && !strcmp(req->lang, "en") ? n == 1 : n <= 1;
	return page_tr(req, singular ? one : many);
}

void listing_date(const struct request *req, json_t *obj, const char *key, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return;
	int fr = !req->lang || strcmp(req->lang, "en");
	json_object_set_new(obj, key,
			    json_sprintf("%d%s %s %d", tm.tm_mday, fr && tm.tm_mday == 1 ? "er" : "",
					 page_tr(req, month_names[tm.tm_mon]), tm.tm_year + 1900));
	char iso_key[64];
	snprintf(iso_key, sizeof(iso_key), "%s_iso", key);
	json_object_set_new(obj, iso_key, json_sprintf("%04d-%02d-%02d", tm.tm_year + 1900,
						       tm.tm_mon + 1, tm.tm_mday));
}

static void set_href(const struct request *req, json_t *obj, const char *prefix, const char *tail)
{
	const char *path = arena_printf(req->arena, "%s%s", prefix, tail);
	json_object_set_new(obj, "href", json_string(page_link(req, path)));
}

void listing_href(const struct request *req, json_t *obj, const char *prefix)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(obj, "id")));
	set_href(req, obj, prefix, id);
}

static int64_t int_of(json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

static void set_plural(const struct request *req, json_t *obj, const char *key,
		       const char *count_key, const char *one, const char *many)
{
	json_object_set_new(obj, key,
			    json_string(listing_plural(req, int_of(obj, count_key), one, many)));
}

void listing_need(const struct request *req, json_t *need)
{
	listing_href(req, need, "/needs/");
	listing_date(req, need, "date", int_of(need, "created_at"));
	set_plural(req, need, "idea_label", "idea_count", "idea", "ideas");
	set_plural(req, need, "metoo_label", "metoo_count", "person concerned", "people concerned");
}

void listing_needs(const struct request *req, json_t *items)
{
	size_t i;
	json_t *need;
	json_array_foreach(items, i, need)
		listing_need(req, need);
}

static const char *string_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void listing_initiative(const struct request *req, json_t *in)
{
	listing_href(req, in, "/initiatives/");
	const struct initiative_stage *stage = initiative_stage_find(string_of(in, "stage"));
	json_object_set_new(in, "stage_label", json_string(stage ? page_tr(req, stage->label) : ""));
	const char *outcome = initiative_outcome_label(string_of(in, "outcome_kind"));
	if (outcome)
		json_object_set_new(in, "outcome_label", json_string(page_tr(req, outcome)));
	if (json_object_get(in, "created_at"))
		listing_date(req, in, "date", int_of(in, "created_at"));
	set_plural(req, in, "support_label", "support_count", "supporter", "supporters");
	json_t *carrier = json_object_get(in, "carrier");
	if (json_is_object(carrier))
		set_href(req, carrier, "/organisations/", string_of(carrier, "slug"));
}

void listing_initiatives(const struct request *req, json_t *items)
{
	size_t i;
	json_t *in;
	json_array_foreach(items, i, in)
		listing_initiative(req, in);
}

void listing_organisation(const struct request *req, json_t *org)
{
	set_href(req, org, "/organisations/", string_of(org, "slug"));
	const char *kind = organisation_kind_label(string_of(org, "kind"));
	json_object_set_new(org, "kind_label", json_string(kind ? page_tr(req, kind) : ""));
}

void listing_organisations(const struct request *req, json_t *items)
{
	size_t i;
	json_t *org;
	json_array_foreach(items, i, org)
		listing_organisation(req, org);
}

void listing_flag(json_t *obj, const char *flag, const char *array_key)
{
	json_object_set_new(obj, flag, json_boolean(json_array_size(json_object_get(obj, array_key))));
}

/*
 * Move every <hN> and </hN> of cmark's output down by shift levels (at most
 * h6). Text cannot fake a tag: cmark escapes '<' in text as &lt;.
 */
static void demote_headings(struct buf *html, int shift)
{
	for (char *p = strchr(html->ptr, '<'); p; p = strchr(p + 1, '<')) {
		char *h = p + 1 + (p[1] == '/');
		if (h[0] != 'h' || h[1] < '1' || h[1] > '6' || (h[2] != '>' && h[2] != ' '))
			continue;
		int level = h[1] - '0' + shift;
		h[1] = (char)('0' + (level > 6 ? 6 : level));
	}
}

void listing_markdown(json_t *model, const char *key, const char *md, int top)
{
	struct buf html = BUF_INIT;
	if (markdown_to_html(md ? md : "", md ? strlen(md) : 0, &html) < 0)
		buf_reset(&html);
	if (top > 1)
		demote_headings(&html, top - 1);
	json_object_set_new(model, key, json_stringn(html.ptr, html.len));
	buf_release(&html);
}

json_t *listing_pager(const struct request *req, const char *path, int64_t before,
		      const json_t *next_before)
{
	if (!before && !json_is_integer(next_before))
		return NULL;
	json_t *pager = json_object();
	if (before)
		json_object_set_new(pager, "first_href", json_string(page_link(req, path)));
	if (json_is_integer(next_before)) {
		const char *next = arena_printf(req->arena, "%s%cbefore=%lld", path,
						strchr(path, '?') ? '&' : '?',
						(long long)json_integer_value(next_before));
		json_object_set_new(pager, "next_href", json_string(page_link(req, next)));
	}
	return pager;
}
