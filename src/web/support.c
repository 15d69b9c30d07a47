/*
 * Signals and sharing. The handlers are one function, given the kind of
 * signal and whether it is given or withdrawn: guard, give or withdraw
 * (domain/support.c: once per person, counter and activity in the same
 * transaction), 303 back to the page's #support. Repeating a request
 * changes nothing, so a double click or 50 copies at once are harmless.
 *
 * A visitor's page gets no form (and so no session): a link to log in.
 */
#include "web/support.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/support.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/app.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define DESCRIPTION_CHARS 200 /* of the text, when the sharing description comes from it */

static void signal_post(struct request *req, struct response *res, enum signal_kind kind,
			int on, const char *prefix)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	int64_t id = page_id_param(req, "id");
	if (id < 0) {
		page_error(req, res, 404);
		return;
	}
	int rc = signal_set(req->db, kind, req->territory->id, id, req->user->id, on, NULL);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	const char *back = arena_printf(req->arena, "%s%lld#support", prefix, (long long)id);
	response_redirect(res, req->arena, page_link(req, back));
}

void support_initiative_give(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_SUPPORT, 1, "/initiatives/");
}

void support_initiative_withdraw(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_SUPPORT, 0, "/initiatives/");
}

void support_initiative_follow(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_FOLLOW_INITIATIVE, 1, "/initiatives/");
}

void support_initiative_unfollow(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_FOLLOW_INITIATIVE, 0, "/initiatives/");
}

void support_need_metoo(struct request *req, struct response *res)
{
	const char *withdraw = params_get(&req->form, "withdraw");
	signal_post(req, res, SIGNAL_METOO, !(withdraw && !strcmp(withdraw, "1")), "/needs/");
}

void support_need_follow(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_FOLLOW_NEED, 1, "/needs/");
}

void support_need_unfollow(struct request *req, struct response *res)
{
	signal_post(req, res, SIGNAL_FOLLOW_NEED, 0, "/needs/");
}

/* ------------------------------------------------------------------ */
/* Sharing                                                             */
/* ------------------------------------------------------------------ */

/* At most max characters of s on one line: runs of white space become one space. */
static const char *one_line(struct request *req, const char *s, size_t max)
{
	struct buf b = BUF_INIT;
	size_t chars = 0;
	int space = 0;
	for (const char *p = s; *p; p++) {
		int lead = ((unsigned char)*p & 0xC0) != 0x80;
		if (lead && chars == max)
			break; /* only ever cut before a character, never inside one */
		if (strchr(" \t\r\n", *p)) {
			space = b.len > 0;
			continue;
		}
		if (space && chars + 1 < max) {
			buf_addch(&b, ' ');
			chars++;
		}
		space = 0;
		chars += lead;
		buf_addch(&b, *p);
	}
	const char *out = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return out;
}

static void add_encoded(struct buf *b, const char *s)
{
	buf_add_url_encoded(b, s, strlen(s));
}

/* mailto: with the title as subject and the address in the body. */
static const char *mailto(struct request *req, const char *title, const char *url)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "mailto:?subject=");
	add_encoded(&b, title);
	buf_adds(&b, "&body=");
	add_encoded(&b, title);
	add_encoded(&b, "\n");
	add_encoded(&b, url);
	const char *out = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return out;
}

/* The description: the summary when there is one, else the start of the text. */
static const char *description(struct request *req, json_t *object)
{
	const char *summary = json_string_value(json_object_get(object, "summary"));
	if (summary && *summary)
		return one_line(req, summary, DESCRIPTION_CHARS);
	const char *body = json_string_value(json_object_get(object, "body"));
	return one_line(req, body ? body : "", DESCRIPTION_CHARS);
}

/* model["meta"] for the layout's <head>, and the share links of the part. */
static json_t *sharing(struct request *req, const char *path, json_t *object, json_t *model)
{
	const char *url = arena_printf(req->arena, "%s%s", app_public_base(req), path);
	const char *title = json_string_value(json_object_get(object, "title"));
	if (!title)
		title = "";
	json_object_set_new(model, "meta",
			    json_pack("{ss ss ss ss ss}", "canonical", url, "title", title,
				      "description", description(req, object), "site_name",
				      req->territory->name, "locale",
				      strcmp(req->lang, "en") ? "fr_FR" : "en_GB"));
	return json_pack("{ss ss}", "url", url, "mailto", mailto(req, title, url));
}

/* ------------------------------------------------------------------ */
/* The part                                                            */
/* ------------------------------------------------------------------ */

/* The signals of one object type: given, count, followed. */
struct part_kind {
	const char *type; /* "need" | "initiative" */
	const char *prefix; /* "/needs/" */
	enum signal_kind give, follow;
	const char *count_key; /* in the object's JSON */
	const char *one, *many; /* the count's label */
};

static const struct part_kind part_kinds[] = {
	{ "initiative", "/initiatives/", SIGNAL_SUPPORT, SIGNAL_FOLLOW_INITIATIVE, "support_count",
	  "person supports this idea", "people support this idea" },
	{ "need", "/needs/", SIGNAL_METOO, SIGNAL_FOLLOW_NEED, "metoo_count",
	  "person has this need too", "people have this need too" },
};

static const struct part_kind *part_kind_find(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(part_kinds); i++)
		if (!strcmp(part_kinds[i].type, type))
			return &part_kinds[i];
	return NULL;
}

/* "/login?next=PATH": log in, then come back to path. Arena string. */
static const char *login_link(struct request *req, const char *path)
{
	struct buf login = BUF_INIT;
	buf_adds(&login, "/login?next=");
	add_encoded(&login, path);
	const char *out = page_link(req, login.ptr);
	buf_release(&login);
	return out;
}

/* The person's state: given and following. 0 or -1. */
static int person_state(struct request *req, const struct part_kind *k, int64_t id, json_t *part)
{
	int given = signal_given(req->db, k->give, id, req->user->id);
	int following = signal_given(req->db, k->follow, id, req->user->id);
	if (given < 0 || following < 0)
		return -1;
	json_object_set_new(part, "given", json_boolean(given));
	json_object_set_new(part, "following", json_boolean(following));
	json_object_set_new(part, "signed_in", json_true());
	return 0;
}

int support_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		 json_t *object, json_t *model)
{
	(void)res; /* a signed-in person's page already carries the csrf token (page.c) */
	const struct part_kind *k = part_kind_find(object_type);
	if (!k)
		return 0;
	const char *path = arena_printf(req->arena, "%s%lld", k->prefix, (long long)id);
	int64_t count = json_integer_value(json_object_get(object, k->count_key));
	int64_t followers;
	if (signal_count(req->db, k->follow, id, &followers))
		return -1;
	json_t *part = json_pack("{ss sb sb sI ss sI ss so}", "path", path, "is_initiative",
				 !strcmp(k->type, "initiative"), "is_need", !strcmp(k->type, "need"),
				 "count", (json_int_t)count, "count_label",
				 listing_plural(req, count, k->one, k->many), "followers",
				 (json_int_t)followers, "followers_label",
				 listing_plural(req, followers, "follower", "followers"), "share",
				 sharing(req, path, object, model));
	const char *propose = arena_printf(req->arena, "/initiatives/new?need=%lld", (long long)id);
	if (req->user && person_state(req, k, id, part)) {
		json_decref(part);
		return -1;
	}
	if (!req->user) {
		json_object_set_new(part, "login_href", json_string(login_link(req, path)));
		/* Posting needs an account: a visitor logs in first and comes back to the form. */
		propose = login_link(req, propose);
	}
	if (!strcmp(k->type, "need"))
		json_object_set_new(part, "propose_href", json_string(page_link(req, propose)));
	json_object_set_new(model, "support", part);
	return 0;
}
