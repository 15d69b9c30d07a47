/*
 * Matching a method and a path against one table of routes. Patterns are
 * literal segments and {name} parameters: "/initiatives/{id}". The table
 * itself lives in the web layer (src/web/routes.c).
 */
#ifndef HTTP_ROUTER_H
#define HTTP_ROUTER_H

#include <stddef.h>

#include "core/arena.h"
#include "http/request.h"

typedef void (*route_handler)(struct request *req, struct response *res);

enum route_flags {
	ROUTE_FORM = 1 << 0, /* parses a form body */
	ROUTE_MULTIPART = 1 << 1, /* accepts multipart/form-data */
	ROUTE_NO_SESSION = 1 << 2, /* never loads a session (health, static) */
	/*
	 * For the web layer's page cache (web/cache.h); the server ignores them.
	 * CACHE_ROLE: a page's content depends on the viewer only through their
	 * role in the territory; CACHE_PERSON: it may depend on who they are.
	 */
	ROUTE_CACHE_ROLE = 1 << 3,
	ROUTE_CACHE_PERSON = 1 << 4,
};

struct route {
	unsigned methods; /* enum http_method bits; GET implies HEAD */
	const char *pattern;
	route_handler handler;
	size_t body_limit; /* bytes; 0 = no body accepted */
	unsigned flags;
};

/* Most {name} parameters in one pattern. */
#define ROUTER_MAX_PARAMS 8

enum router_result {
	ROUTER_MATCH = 0,
	ROUTER_NOT_FOUND = -1,
	ROUTER_METHOD_NOT_ALLOWED = -2,
};

/*
 * Find the route for method and path in table[0..n). On ROUTER_MATCH, *out
 * is the route and params holds the {name} values (arena strings; a value
 * never contains '/'). On ROUTER_METHOD_NOT_ALLOWED, allow is filled with
 * the Allow header value ("GET, HEAD, POST"; allow may be NULL). A path that
 * does not start with '/', or has an empty segment ("//", a trailing '/'
 * after a segment), matches nothing. params is only appended to on a match.
 */
enum router_result router_match(const struct route *table, size_t n, unsigned method,
				const char *path, struct arena *a, struct params *params,
				const struct route **out, struct buf *allow);

/*
 * Check a table once at start-up: every pattern starts with '/', has no
 * empty segment (except "/" itself), and each segment is a literal without
 * braces or a whole "{name}" (name of [A-Za-z0-9_]), at most
 * ROUTER_MAX_PARAMS of them; every route has a handler and a method.
 * 0, or -1 with the first bad route logged. router_match assumes a checked table.
 */
int router_check(const struct route *table, size_t n);

#endif
