/*
 * Everything between the server and a page handler happens here, in one
 * place with no opt-out: the CSRF check of every state-changing request in
 * particular.
 */
#include "web/app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/ratelimit.h"
#include "auth/session.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "http/static.h"
#include "view/i18n.h"
#include "view/template.h"
#include "web/account.h"
#include "web/cache.h"
#include "web/page.h"
#include "web/routes.h"
#include "core/banned.h"

static struct app_config config;
static struct template_set *templates;
static pthread_key_t db_key;
static int db_key_ready; /* app_shutdown() may run after a failed start */

static void close_thread_db(void *db)
{
	db_close(db);
}

struct db *app_thread_db(void)
{
	struct db *db = pthread_getspecific(db_key);
	if (db)
		return db;
	if (db_open(config.db_url, &db) < 0)
		return NULL;
	pthread_setspecific(db_key, db);
	return db;
}

const struct template_set *app_templates(void)
{
	return templates;
}

int app_cookies_secure(void)
{
	return config.public_url && !strncmp(config.public_url, "https://", 8);
}

static int host_trusted(const char *host_header)
{
	if (!host_header || !*host_header || strlen(host_header) > 255)
		return 0;
	const char *colon = strrchr(host_header, ':');
	const char *bracket = strrchr(host_header, ']');
	size_t name_len = colon && (!bracket || colon > bracket) ? (size_t)(colon - host_header)
							       : strlen(host_header);
	if (colon && name_len < strlen(host_header)) {
		const char *port = colon + 1;
		if (!*port || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))
			return 0;
	}
	char name[256];
	for (size_t i = 0; i < name_len; i++)
		name[i] = (char)(host_header[i] >= 'A' && host_header[i] <= 'Z' ? host_header[i] + 32
										   : host_header[i]);
	name[name_len] = '\0';
	return !strcmp(name, "localhost") || !strcmp(name, "127.0.0.1") || !strcmp(name, "[::1]") ||
	       territory_host_known(name);
}

const char *app_public_base(const struct request *req)
{
	if (config.public_url && *config.public_url) {
		size_t len = strlen(config.public_url);
		while (len && config.public_url[len - 1] == '/')
			len--;
		return arena_strndup(req->arena, config.public_url, len);
	}
	const char *host = request_header(req, "Host");
	return arena_printf(req->arena, "http://%s", host_trusted(host) ? host : "localhost");
}

int app_init(const struct app_config *cfg)
{
	config = *cfg;
	if (pthread_key_create(&db_key, close_thread_db))
		return error("cannot create thread key");
	db_key_ready = 1;
	auth_init();
	cache_init(cfg->page_cache_bytes);
	page_holes_init();
	if (password_load_common(cfg->common_passwords) < 0)
		return -1;
	if (cfg->rate_limits && *cfg->rate_limits && ratelimit_configure(cfg->rate_limits) < 0)
		return error("invalid --rate-limits '%s'", cfg->rate_limits);
	struct buf err = BUF_INIT;
	templates = template_set_new();
	if (template_set_load_dir(templates, cfg->templates_dir, &err) < 0) {
		error("templates: %s", err.ptr);
		buf_release(&err);
		return -1;
	}
	buf_release(&err);
	if (!template_set_has(templates, "layout") || !template_set_has(templates, "error"))
		return error("templates: layout.html and error.html are required");
	if (account_mail_init(cfg->templates_dir) < 0)
		return -1;
	if (i18n_load(cfg->locale_dir) < 0 || static_load(cfg->static_dir) < 0)
		return -1;
	struct db *db = app_thread_db();
	if (!db)
		return -1;
	if (territory_load_all(db) < 0)
		return -1;
	if (!territory_for_host(""))
		return error("no territory yet: run 'tremplin demo' or 'tremplin territory create'");
	return 0;
}

void app_shutdown(void)
{
	struct db *db = db_key_ready ? pthread_getspecific(db_key) : NULL;
	if (db) {
		pthread_setspecific(db_key, NULL);
		db_close(db);
	}
	template_set_free(templates);
	templates = NULL;
	account_mail_free();
	cache_free();
	territory_free_all();
	password_free_common();
	static_free();
	i18n_free();
}

/*
 * Language: ?lang= (remembered in a cookie), then the cookie, then the
 * logged-in person's setting (applied in load_user), then French.
 * Returns 1 when the request or cookie chose it.
 */
static int choose_language(struct request *req, struct response *res)
{
	const char *q = params_get(&req->query, "lang");
	if (q && i18n_supported(q)) {
		req->lang = q;
		const char *cookie = arena_printf(req->arena, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax%s",
						  q, app_cookies_secure() ? "; Secure" : "");
		response_header(res, req->arena, "Set-Cookie", cookie);
		return 1;
	}
	const char *c = params_get(&req->cookies, "lang");
	req->lang = c && i18n_supported(c) ? c : i18n_default();
	return c && i18n_supported(c);
}

static const char *session_cookie_name(void)
{
	return app_cookies_secure() ? "__Host-tremplin_session" : "tremplin_session";
}

static int state_changing(const struct request *req)
{
	return req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

/* The person behind the session, and their role in this territory. */
static int load_user(struct request *req, int lang_chosen)
{
	req->role = ROLE_VISITOR;
	if (!req->session || !req->session->user_id)
		return 0;
	int rc = user_get(req->db, req->arena, req->session->user_id, &req->user);
	if (rc < 0)
		return -1;
	if (rc > 0) { /* the account is gone: the session means nothing */
		req->user = NULL;
		return 0;
	}
	if (!lang_chosen && i18n_supported(req->user->language))
		req->lang = req->user->language;
	int role = user_role(req->db, req->user, req->territory->id);
	if (role < 0)
		return -1;
	req->role = role;
	return 0;
}

static int app_prepare(struct request *req, struct response *res, const struct route *route)
{
	req->territory = territory_for_host(req->host);
	int lang_chosen = choose_language(req, res);
	req->https = app_cookies_secure();
	if (route->flags & ROUTE_NO_SESSION)
		return 0;
	req->db = app_thread_db();
	if (!req->db)
		return 500;
	const char *token = params_get(&req->cookies, session_cookie_name());
	if (session_load(req->db, req->arena, token, &req->session) < 0)
		return 500;
	if (load_user(req, lang_chosen) < 0)
		return 500;
	if (state_changing(req) &&
	    !session_csrf_valid(req->session, params_get(&req->form, "csrf")))
		return 403;
	return 0;
}

static void app_error(struct request *req, struct response *res, int status, const char *allow)
{
	(void)allow; /* the server has set the Allow header already */
	if (!req->territory)
		req->territory = territory_for_host(req->host);
	if (!req->lang)
		req->lang = i18n_default();
	page_error(req, res, status);
}

/*
 * Whose page a GET answers, for the page cache (web/cache.h):
 * - SHARED: a visitor without a session: the same page for every such visitor;
 * - ROLE: on routes whose content depends on the viewer only through their
 *   role here (and on routes of the next kind, for a visitor with a session):
 *   the same page for everyone of that role, their csrf token, id and name
 *   left as holes (web/page.h) that each answer fills;
 * - PERSON: on routes whose content may depend on who is looking: kept for
 *   that one person, holes filled for each of their sessions.
 * Every entry is checked against the data generation and lives at most
 * CACHE_TTL seconds; anything else (settings, forms, dashboards) is never kept.
 */
enum cache_scope { SCOPE_NONE, SCOPE_SHARED, SCOPE_ROLE, SCOPE_PERSON };

static enum cache_scope cache_scope(const struct request *req, const struct response *res,
				    const struct route *route)
{
	if (!(req->method & (HTTP_GET | HTTP_HEAD)) || (route->flags & ROUTE_NO_SESSION) ||
	    res->n_headers)
		return SCOPE_NONE;
	if (!req->session && !req->user)
		return SCOPE_SHARED;
	if (route->flags & ROUTE_CACHE_ROLE)
		return SCOPE_ROLE;
	if (route->flags & ROUTE_CACHE_PERSON)
		return req->user ? SCOPE_PERSON : SCOPE_ROLE;
	return SCOPE_NONE;
}

static const char *cache_key(const struct request *req, enum cache_scope scope)
{
	const char *page = arena_printf(req->arena, "%lld %s %s?%s", (long long)req->territory->id,
					req->lang, req->path, req->raw_query);
	if (scope == SCOPE_SHARED)
		return page;
	if (scope == SCOPE_ROLE)
		return arena_printf(req->arena, "role %d %s", req->role, page);
	return arena_printf(req->arena, "person %lld %d %s", (long long)req->user->id, req->role,
			    page);
}

static void app_dispatch(struct request *req, struct response *res, const struct route *route)
{
	enum cache_scope scope = cache_scope(req, res, route);
	int64_t generation = scope == SCOPE_NONE ? -1 : cache_generation(req->db);
	if (generation < 0) {
		route->handler(req, res);
		return;
	}
	const char *key = cache_key(req, scope);
	int holes = scope != SCOPE_SHARED;
	if (cache_serve(key, generation, res, req->arena, holes ? page_holes_fill : NULL, req))
		return;
	req->page_holes = holes;
	route->handler(req, res);
	req->page_holes = 0;
	cache_store(key, generation, res, holes ? CACHE_STORE_PRIVATE : 0);
	if (holes && res->body.len) {
		struct buf filled = BUF_INIT;
		page_holes_fill(req, res->body.ptr, res->body.len, &filled);
		buf_release(&res->body);
		res->body = filled;
	}
}

static const struct server_app server_app = {
	.routes = web_routes,
	.prepare = app_prepare,
	.error = app_error,
	.dispatch = app_dispatch,
};

const struct server_app *app_server(void)
{
	static struct server_app app;
	app = server_app;
	app.n_routes = web_routes_count;
	return &app;
}

void app_healthz(struct request *req, struct response *res)
{
	struct db *db = app_thread_db();
	if (db && db_ping(db) == 0)
		response_text(res, 200, "text/plain; charset=utf-8", "ok\n", 3);
	else
		response_text(res, 503, "text/plain; charset=utf-8", "database unavailable\n", 21);
	response_header(res, req->arena, "Cache-Control", "no-store");
}

static void serve_static(struct request *req, struct response *res, const char *name)
{
	int immutable;
	const struct static_file *f = static_find(name, &immutable);
	if (!f) {
		res->status = 404;
		return;
	}
	response_header(res, req->arena, "ETag", f->etag);
	response_header(res, req->arena, "Cache-Control",
			immutable ? "public, max-age=31536000, immutable" : "public, no-cache");
	res->content_type = f->content_type;
	const char *inm = request_header(req, "If-None-Match");
	if (inm && !strcmp(inm, f->etag)) {
		res->status = 304;
		return;
	}
	res->status = 200;
	res->static_body = f->data;
	res->static_len = f->len;
}

void app_static(struct request *req, struct response *res)
{
	serve_static(req, res, params_get(&req->route, "file"));
}

void app_favicon(struct request *req, struct response *res)
{
	serve_static(req, res, "favicon.svg");
}
