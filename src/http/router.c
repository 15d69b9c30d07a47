/*
 * A linear walk over the route table, comparing segments in place: with some
 * fifty routes that differ early, this beats building a tree, needs no
 * set-up, and keeps "first matching route wins" obvious. Nothing is
 * allocated unless a route matches and has parameters.
 */
#include "http/router.h"

#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

/* A {name} segment of a pattern and the path segment it matched. */
struct capture {
	struct slice name;
	struct slice value;
};

/*
 * Paths with an empty segment ("//", or a trailing '/' after a segment) match
 * no route, so that each page has one address.
 */
static int path_routable(const char *path)
{
	if (!path || path[0] != '/')
		return 0;
	if (!path[1])
		return 1;
	return !strstr(path, "//") && path[strlen(path) - 1] != '/';
}

/* Match the {name} segment at *pat against the path segment at *path. */
static int match_param(const char **pat, const char **path, struct capture *cap)
{
	const char *close = strchr(*pat, '}');
	size_t len = strcspn(*path, "/");

	if (!close)
		BUG("route pattern with '{' and no '}'");
	if (!len)
		return 0;
	cap->name = (struct slice){ *pat + 1, (size_t)(close - *pat - 1) };
	cap->value = (struct slice){ *path, len };
	*pat = close + 1;
	*path += len;
	return 1;
}

/* Match a literal segment: the path segment must equal it exactly. */
static int match_literal(const char **pat, const char **path)
{
	const char *p = *pat, *s = *path;

	while (*p && *p != '/' && *p == *s) {
		p++;
		s++;
	}
	if ((*p && *p != '/') || (*s && *s != '/'))
		return 0;
	*pat = p;
	*path = s;
	return 1;
}

/* 1 if path matches pattern, with its {name} segments in cap[0..*ncap). */
static int pattern_match(const char *pat, const char *path, struct capture *cap, size_t *ncap)
{
	size_t n = 0;

	while (*pat == '/' && *path == '/') {
		pat++;
		path++;
		if (*pat != '{') {
			if (!match_literal(&pat, &path))
				return 0;
			continue;
		}
		if (n == ROUTER_MAX_PARAMS)
			BUG("route pattern with too many parameters");
		if (!match_param(&pat, &path, &cap[n++]))
			return 0;
	}
	*ncap = n;
	return !*pat && !*path;
}

static unsigned route_methods(const struct route *r)
{
	return r->methods & HTTP_GET ? r->methods | HTTP_HEAD : r->methods;
}

/* The Allow header lists methods in this order (RFC 9110 sets none). */
static const struct {
	unsigned bit;
	const char *name;
} allow_order[] = {
	{ HTTP_GET, "GET" },     { HTTP_HEAD, "HEAD" },     { HTTP_POST, "POST" },
	{ HTTP_PUT, "PUT" },     { HTTP_PATCH, "PATCH" },   { HTTP_DELETE, "DELETE" },
	{ HTTP_OPTIONS, "OPTIONS" },
};

static void allow_format(struct buf *allow, unsigned methods)
{
	buf_reset(allow);
	for (size_t i = 0; i < ARRAY_SIZE(allow_order); i++) {
		if (!(methods & allow_order[i].bit))
			continue;
		if (allow->len)
			buf_adds(allow, ", ");
		buf_adds(allow, allow_order[i].name);
	}
}

static void add_captures(struct arena *a, struct params *params, const struct capture *cap,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		params_add(a, params, arena_strndup(a, cap[i].name.ptr, cap[i].name.len),
			   arena_strndup(a, cap[i].value.ptr, cap[i].value.len), cap[i].value.len);
}

enum router_result router_match(const struct route *table, size_t n, unsigned method,
				const char *path, struct arena *a, struct params *params,
				const struct route **out, struct buf *allow)
{
	struct capture cap[ROUTER_MAX_PARAMS];
	unsigned allowed = 0;
	size_t ncap;

	if (!path_routable(path))
		return ROUTER_NOT_FOUND;
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(table[i].pattern, path, cap, &ncap))
			continue;
		if (route_methods(&table[i]) & method) {
			add_captures(a, params, cap, ncap);
			*out = &table[i];
			return ROUTER_MATCH;
		}
		allowed |= route_methods(&table[i]);
	}
	if (!allowed)
		return ROUTER_NOT_FOUND;
	if (allow)
		allow_format(allow, allowed);
	return ROUTER_METHOD_NOT_ALLOWED;
}

/* Check the segment at s[0..len): a literal, or {name} with a name of [A-Za-z0-9_]. */
static int segment_valid(const char *s, size_t len, size_t *nparams)
{
	if (!len)
		return 0;
	if (s[0] != '{')
		return !memchr(s, '{', len) && !memchr(s, '}', len);
	if (len < 3 || s[len - 1] != '}' || ++*nparams > ROUTER_MAX_PARAMS)
		return 0;
	for (size_t i = 1; i < len - 1; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

static int pattern_valid(const char *pattern)
{
	size_t nparams = 0;

	if (!pattern || pattern[0] != '/')
		return 0;
	if (!pattern[1])
		return 1;
	for (const char *p = pattern + 1;; p++) {
		size_t len = strcspn(p, "/");
		if (!segment_valid(p, len, &nparams))
			return 0;
		p += len;
		if (!*p)
			return 1;
	}
}

int router_check(const struct route *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!pattern_valid(table[i].pattern))
			return error("route %zu: bad pattern '%s'", i,
				     table[i].pattern ? table[i].pattern : "(null)");
		if (!table[i].handler || !table[i].methods)
			return error("route %zu (%s): no handler or no method", i,
				     table[i].pattern);
	}
	return 0;
}
