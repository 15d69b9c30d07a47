/*
 * The frame every page shares. Handlers build the model of their own
 * content; this file adds what the layout needs and renders both.
 */
#include "web/page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "auth/session.h"
#include "core/mem.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "http/static.h"
#include "view/i18n.h"
#include "view/template.h"
#include "web/app.h"
#include "core/banned.h"

static const struct {
	const char *href;
	const char *label;
} nav_items[] = {
	{ "/needs", "Needs" },
	{ "/initiatives", "Ideas and projects" },
	{ "/partners", "Partners" },
	{ "/ecosystem", "Ecosystem" },
	{ "/events", "Events" },
	{ "/map", "Map" },
};

static const struct {
	int status;
	const char *title;
	const char *message;
} error_texts[] = {
	{ 400, "Bad request", "The request could not be understood." },
	{ 403, "Forbidden", "You are not allowed to do this. If you sent a form, reload the page and try again." },
	{ 404, "Page not found", "This page does not exist or has moved." },
	{ 405, "Method not allowed", "This address does not accept this method." },
	{ 413, "Request too large", "What you sent is too large." },
	{ 415, "Bad request", "The request could not be understood." },
	{ 422, "Unprocessable request", "The request could not be understood." },
	{ 429, "Too many requests", "Too many requests" },
	{ 500, "Server error", "Something went wrong on our side. Please try again in a moment." },
	{ 503, "Server error", "Something went wrong on our side. Please try again in a moment." },
};

/* "\x1e" "tremplin:" NONCE KIND "\x1e": KIND is one of hole_kinds. */
#define HOLE_NONCE 16
#define HOLE_PREFIX (1 + 9 + HOLE_NONCE)
#define HOLE_LEN (HOLE_PREFIX + 2)
static char hole_prefix[HOLE_PREFIX + 1];
enum hole_kind { HOLE_CSRF = 'c', HOLE_USER_ID = 'i', HOLE_USER_NAME = 'n' };
static __thread char hole_text[3][HOLE_LEN + 1];

void page_holes_init(void)
{
	unsigned char r[HOLE_NONCE / 2];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		die("cannot draw the page cache's nonce");
	static const char hex[] = "0123456789abcdef";
	size_t n = (size_t)snprintf(hole_prefix, sizeof(hole_prefix), "\x1etremplin:");
	for (size_t i = 0; i < sizeof(r); i++) {
		hole_prefix[n++] = hex[r[i] >> 4];
		hole_prefix[n++] = hex[r[i] & 15];
	}
	hole_prefix[n] = '\0';
}

/* The marker of kind k (a thread-local string, the same at every call). */
static const char *hole(enum hole_kind k)
{
	int slot = k == HOLE_CSRF ? 0 : k == HOLE_USER_ID ? 1 : 2;
	char *t = hole_text[slot];
	if (!t[0])
		snprintf(t, HOLE_LEN + 1, "%s%c\x1e", hole_prefix, (char)k);
	return t;
}

void page_holes_fill(void *ctx, const char *body, size_t len, struct buf *out)
{
	const struct request *req = ctx;
	const char *p = body, *end = body + len;
	for (;;) {
		const char *m = memchr(p, '\x1e', (size_t)(end - p));
		if (!m || end - m < HOLE_LEN) {
			buf_add(out, p, (size_t)(end - p));
			return;
		}
		if (memcmp(m, hole_prefix, HOLE_PREFIX) || m[HOLE_LEN - 1] != '\x1e') {
			buf_add(out, p, (size_t)(m + 1 - p));
			p = m + 1;
			continue;
		}
		buf_add(out, p, (size_t)(m - p));
		char kind = m[HOLE_PREFIX];
		if (kind == HOLE_CSRF && req->session)
			buf_adds(out, req->session->csrf); /* URL-safe base64: nothing to escape */
		else if (kind == HOLE_USER_ID && req->user)
			buf_addf(out, "%lld", (long long)req->user->id);
		else if (kind == HOLE_USER_NAME && req->user)
			buf_add_html_escaped(out, req->user->display_name, strlen(req->user->display_name));
		p = m + HOLE_LEN;
	}
}

const char *page_tr(const struct request *req, const char *msgid)
{
	return i18n_gettext(req->lang ? req->lang : i18n_default(), msgid);
}

static const char *translate(void *ctx, const char *msgid)
{
	return i18n_gettext(ctx, msgid);
}

const char *page_static_url(const char *file)
{
	int immutable;
	const struct static_file *f = static_find(file, &immutable);
	/* A missing file is a deployment error; the plain name at least 404s visibly. */
	static __thread char url[256];
	snprintf(url, sizeof(url), "/static/%s", f ? f->fingerprinted : file);
	return url;
}

const char *page_link(const struct request *req, const char *path)
{
	/* The language lives in a cookie once chosen, so links need no parameter. */
	return arena_strdup(req->arena, path);
}

int64_t page_id_param(const struct request *req, const char *name)
{
	const char *v = params_get(&req->route, name);
	if (!v || !*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
		return -1;
	errno = 0;
	long long id = strtoll(v, NULL, 10);
	return errno || id <= 0 ? -1 : (int64_t)id;
}

static json_t *nav_json(const struct request *req)
{
	json_t *nav = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(nav_items); i++) {
		size_t n = strlen(nav_items[i].href);
		int current = req->path && !strncmp(req->path, nav_items[i].href, n) &&
			      (req->path[n] == '\0' || req->path[n] == '/');
		json_array_append_new(nav, json_pack("{ss ss sb}", "href", nav_items[i].href, "label",
						     page_tr(req, nav_items[i].label), "current",
						     current));
	}
	return nav;
}

/* The same page in the other language: the query kept, lang replaced. */
static json_t *lang_switch_json(const struct request *req)
{
	int to_en = strcmp(req->lang, "en") != 0;
	const char *code = to_en ? "en" : "fr";
	struct buf href = BUF_INIT;
	buf_adds(&href, req->path ? req->path : "/");
	buf_addch(&href, '?');
	for (size_t i = 0; i < req->query.n; i++) {
		const struct param *p = &req->query.v[i];
		if (!strcmp(p->name, "lang"))
			continue;
		buf_add_url_encoded(&href, p->name, strlen(p->name));
		buf_addch(&href, '=');
		buf_add_url_encoded(&href, p->value, p->value_len);
		buf_addch(&href, '&');
	}
	buf_addf(&href, "lang=%s", code);
	json_t *j = json_pack("{ss ss ss}", "href", href.ptr, "label", to_en ? "English" : "Français",
			      "code", code);
	buf_release(&href);
	return j;
}

static void add_layout_keys(struct request *req, json_t *model, const char *title)
{
	json_object_set_new(model, "lang", json_string(req->lang));
	json_object_set_new(model, "title", json_string(title ? title : ""));
	if (req->territory)
		json_object_set_new(model, "territory", territory_json(req->territory));
	json_object_set_new(model, "nav", nav_json(req));
	json_object_set_new(model, "lang_switch", lang_switch_json(req));
	json_object_set_new(model, "stylesheet", json_string(page_static_url("style.css")));
	json_object_set_new(model, "favicon", json_string(page_static_url("favicon.svg")));
	if (req->user && req->page_holes)
		json_object_set_new(model, "user", json_pack("{ss ss}", "id", hole(HOLE_USER_ID),
							     "display_name", hole(HOLE_USER_NAME)));
	else if (req->user)
		json_object_set_new(model, "user", json_pack("{sI ss}", "id", (json_int_t)req->user->id,
							     "display_name", req->user->display_name));
}

static void render_failed(struct response *res)
{
	buf_reset(&res->body);
	res->status = 500;
	res->content_type = "text/plain; charset=utf-8";
	buf_adds(&res->body, "500 Internal Server Error\n");
}

void page_render(struct request *req, struct response *res, int status, const char *name,
		 const char *title, json_t *model)
{
	const struct template_set *set = app_templates();
	/* A logged-in person's pages carry the log-out form, which needs the token. */
	if (req->user && !json_object_get(model, "csrf"))
		json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	add_layout_keys(req, model, title);
	struct buf content = BUF_INIT;
	int rc = template_render(set, name, model, translate, (void *)req->lang, &content);
	if (rc == 0) {
		json_object_set_new(model, "content", json_stringn(content.ptr, content.len));
		buf_reset(&res->body);
		rc = template_render(set, "layout", model, translate, (void *)req->lang, &res->body);
	}
	buf_release(&content);
	json_decref(model);
	if (rc < 0) {
		render_failed(res);
		return;
	}
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	if (!response_get_header(res, "Cache-Control"))
		response_header(res, req->arena, "Cache-Control", "no-cache");
}

void page_error(struct request *req, struct response *res, int status)
{
	const char *title = "Server error", *message = error_texts[ARRAY_SIZE(error_texts) - 1].message;
	for (size_t i = 0; i < ARRAY_SIZE(error_texts); i++) {
		if (error_texts[i].status == status) {
			title = error_texts[i].title;
			message = error_texts[i].message;
		}
	}
	json_t *model = json_pack("{si ss ss}", "status", status, "message", page_tr(req, message),
				  "home_href", "/");
	page_render(req, res, status, "error", page_tr(req, title), model);
}

const char *page_csrf(struct request *req, struct response *res)
{
	if (!req->session) {
		const char *token;
		if (!req->db || session_create(req->db, req->arena, 0, &req->session, &token) < 0)
			return "";
		int secure = app_cookies_secure();
		const char *cookie = arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
						  secure ? "__Host-tremplin_session" : "tremplin_session",
						  token, secure ? "; Secure" : "");
		response_header(res, req->arena, "Set-Cookie", cookie);
	}
	/* A page with a per-visitor token must not be stored by any shared cache. */
	response_header(res, req->arena, "Cache-Control", "private, no-store");
	return req->page_holes ? hole(HOLE_CSRF) : arena_strdup(req->arena, req->session->csrf);
}
