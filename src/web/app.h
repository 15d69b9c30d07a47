/*
 * The application behind the HTTP server: what is loaded at start-up
 * (templates, translations, static files, territories), what runs before
 * every handler (database connection of the thread, territory from the host
 * name, language, session, the one CSRF check), and the error pages.
 */
#ifndef WEB_APP_H
#define WEB_APP_H

#include "http/request.h"
#include "http/server.h"

struct app_config {
	const char *db_url;
	const char *templates_dir;
	const char *static_dir;
	const char *locale_dir;
	const char *public_url; /* "https://..." makes cookies Secure */
	const char *common_passwords; /* list of passwords refused as too common */
	const char *rate_limits; /* overrides of the rate-limit table, "rule=N,..." */
	size_t page_cache_bytes; /* memory for pages shared by visitors; 0: no cache */
};

/* Load everything the pages need; 0, or -1 (logged). */
int app_init(const struct app_config *cfg);
/* Free what app_init() loaded. */
void app_shutdown(void);
/* The routes and hooks for server_run(). */
const struct server_app *app_server(void);

/* The calling thread's database connection, opened on first use; NULL on failure. */
struct db *app_thread_db(void);

/* Infrastructure routes. */
void app_healthz(struct request *req, struct response *res);
void app_static(struct request *req, struct response *res);
void app_favicon(struct request *req, struct response *res);

/*
 * "https://participer.example.fr": the address to put in links that leave
 * the site (mails). --public-url when set; otherwise the request's Host
 * header, but only when it names a territory's host or the local machine,
 * so a forged Host cannot send a reset link to someone else's site.
 */
const char *app_public_base(const struct request *req);

/* Used by page.c: the loaded templates, and whether cookies must be Secure. */
const struct template_set *app_templates(void);
int app_cookies_secure(void);

#endif
