/*
 * Every URL of the site, its methods, handler, body limit and flags, in one
 * table: reading it tells what the server answers. Order matters only where
 * a literal segment and a {parameter} could both match ("/needs/new" comes
 * before "/needs/{id}").
 */
#include "web/routes.h"

#include "web/app.h"
#include "web/contact.h"
#include "web/pages.h"
#include "core/banned.h"

#define KB 1024

const struct route web_routes[] = {
	/* Infrastructure (web/app.c). */
	{ HTTP_GET, "/healthz", app_healthz, 0, ROUTE_NO_SESSION },
	{ HTTP_GET, "/static/{file}", app_static, 0, ROUTE_NO_SESSION },
	{ HTTP_GET, "/favicon.ico", app_favicon, 0, ROUTE_NO_SESSION },

	/* The contact form (web/contact.c): 64 KB is far above its 5000 characters. */
	{ HTTP_GET, "/contact", contact_form, 0, 0 },
	{ HTTP_POST, "/contact", contact_post, 64 * KB, ROUTE_FORM },

	/* Pages of the territory: their handlers are declared in web/pages.h. */
	{ HTTP_GET, "/", home_show, 0, 0 },
	{ HTTP_GET, "/needs", needs_index, 0, 0 },
	{ HTTP_GET, "/needs/{id}", needs_show, 0, 0 },
	{ HTTP_GET, "/initiatives", initiatives_index, 0, 0 },
	{ HTTP_GET, "/initiatives/{id}", initiatives_show, 0, 0 },
	{ HTTP_GET, "/partners", partners_index, 0, 0 },
	{ HTTP_GET, "/organisations", organisations_index, 0, 0 },
	{ HTTP_GET, "/organisations/{slug}", organisations_show, 0, 0 },
	{ HTTP_GET, "/events", events_coming, 0, 0 },
	{ HTTP_GET, "/map", map_coming, 0, 0 },
};

const size_t web_routes_count = sizeof(web_routes) / sizeof(web_routes[0]);
