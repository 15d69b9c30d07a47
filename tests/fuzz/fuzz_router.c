/*
 * Fuzz target: the request target as the server takes it apart
 * (http/server.c parse_target): the path percent-decoded by url_decode, the
 * query parsed by parse_urlencoded, then router_match over a table shaped
 * like the site's (src/web/routes.c; copied, so that this target needs no
 * handler). Input: one byte choosing the method, then the raw target.
 *
 * Invariants: a decoded path is valid UTF-8 without NUL and no longer than
 * its encoding, and encoding it again decodes back to it; router_match
 * agrees with a naive reference matcher written here (route, parameters,
 * 404 or 405), a parameter is never empty and never holds '/', and putting
 * the parameters back into the pattern gives the path.
 */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "http/router.h"

static void handler(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

#define GET HTTP_GET
#define POST HTTP_POST

static const struct route table[] = {
	{ GET, "/healthz", handler, 0, 0 },
	{ GET, "/static/{file}", handler, 0, 0 },
	{ GET, "/favicon.ico", handler, 0, 0 },
	{ GET, "/contact", handler, 0, 0 },
	{ POST, "/contact", handler, 1, 0 },
	{ GET, "/", handler, 0, 0 },
	{ GET, "/needs", handler, 0, 0 },
	{ GET | POST, "/needs/new", handler, 1, 0 },
	{ GET, "/needs/{id}", handler, 0, 0 },
	{ GET, "/initiatives", handler, 0, 0 },
	{ GET, "/initiatives/{id}", handler, 0, 0 },
	{ POST, "/initiatives/{id}/support", handler, 1, 0 },
	{ GET, "/organisations/{slug}", handler, 0, 0 },
	{ GET | POST, "/organisations/{slug}/edit", handler, 1, 0 },
	{ POST, "/organisations/{slug}/members/{user_id}/remove", handler, 1, 0 },
	{ POST, "/admin/partners/{slug}/accredit", handler, 1, 0 },
	{ GET, "/people/{id}", handler, 0, 0 },
	{ HTTP_PUT | HTTP_DELETE, "/a/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", handler, 1, 0 },
	{ HTTP_PATCH | HTTP_OPTIONS, "/{x}", handler, 1, 0 },
};

static const unsigned methods[] = {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_PATCH, HTTP_OPTIONS, HTTP_OTHER,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (router_check(table, ARRAY_SIZE(table)) < 0)
		abort();
	return 0;
}

static unsigned allowed_methods(const struct route *r)
{
	return r->methods & HTTP_GET ? r->methods | HTTP_HEAD : r->methods;
}

/* Length of the segment at s (up to '/' or the end). */
static size_t segment_len(const char *s)
{
	return strcspn(s, "/");
}

/* The reference: does path match pattern, segment by segment? */
static int naive_match(const char *pattern, const char *path)
{
	if (!strcmp(pattern, "/") || !strcmp(path, "/"))
		return !strcmp(pattern, path);
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		size_t pl = segment_len(p), sl = segment_len(s);
		if (!sl)
			return 0;
		if (*p != '{' && (pl != sl || memcmp(p, s, sl)))
			return 0;
		p += pl;
		s += sl;
	}
	return !*p && !*s;
}

/* The pattern with its {name} segments replaced by params[from..]. */
static void rebuild(const char *pattern, const struct params *params, size_t from,
		    struct buf *out)
{
	size_t k = from;
	for (const char *p = pattern; *p;) {
		if (*p != '{') {
			buf_addch(out, *p++);
			continue;
		}
		const char *close = strchr(p, '}');
		FUZZ_CHECK(k < params->n, "fewer parameters than the pattern %s has", pattern);
		FUZZ_CHECK(!strncmp(params->v[k].name, p + 1, (size_t)(close - p - 1)),
			   "parameter %zu named %s in %s", k, params->v[k].name, pattern);
		buf_adds(out, params->v[k++].value);
		p = close + 1;
	}
	FUZZ_CHECK(k == params->n, "more parameters than the pattern %s has", pattern);
}

static void check_route(unsigned method, const char *path, struct arena *a)
{
	struct params params = { 0 };
	params_add(a, &params, "sentinel", "", 0);
	const struct route *out = NULL;
	struct buf allow = BUF_INIT;
	enum router_result r = router_match(table, ARRAY_SIZE(table), method, path, a, &params,
					    &out, &allow);

	const struct route *want = NULL;
	unsigned other = 0;
	for (size_t i = 0; i < ARRAY_SIZE(table) && !want; i++) {
		if (!naive_match(table[i].pattern, path))
			continue;
		if (allowed_methods(&table[i]) & method)
			want = &table[i];
		else
			other |= allowed_methods(&table[i]);
	}
	if (want) {
		FUZZ_CHECK(r == ROUTER_MATCH && out == want, "'%s': got %d, route %s, want %s", path,
			   (int)r, out ? out->pattern : "-", want->pattern);
		for (size_t i = 1; i < params.n; i++) {
			const char *v = params.v[i].value;
			FUZZ_CHECK(*v && !strchr(v, '/'), "parameter '%s' of '%s'", v, path);
		}
		struct buf again = BUF_INIT;
		rebuild(out->pattern, &params, 1, &again);
		FUZZ_CHECK(!strcmp(again.ptr, path), "'%s' rebuilt as '%s'", path, again.ptr);
		buf_release(&again);
	} else if (other) {
		FUZZ_CHECK(r == ROUTER_METHOD_NOT_ALLOWED && allow.len, "'%s': got %d, want 405",
			   path, (int)r);
		FUZZ_CHECK(params.n == 1, "a 405 added parameters");
	} else {
		FUZZ_CHECK(r == ROUTER_NOT_FOUND, "'%s': got %d, want 404", path, (int)r);
		FUZZ_CHECK(params.n == 1, "a 404 added parameters");
	}
	buf_release(&allow);
}

/* url_decode's promises, and that encoding the result decodes back to it. */
static void check_decoded(struct arena *a, const char *enc, size_t enc_len, int plus,
			  const char *dec, size_t dec_len)
{
	(void)enc;
	fuzz_check_text("decoded path", dec, dec_len);
	FUZZ_CHECK(dec_len <= enc_len, "decoding grew %zu bytes into %zu", enc_len, dec_len);
	struct buf re = BUF_INIT;
	buf_add_url_encoded(&re, dec, dec_len);
	char *back;
	size_t back_len;
	FUZZ_CHECK(url_decode(a, re.ptr, re.len, plus, &back, &back_len) == 0,
		   "re-encoded '%s' does not decode", re.ptr);
	FUZZ_CHECK(back_len == dec_len && !memcmp(back, dec, dec_len), "round trip changed '%s'",
		   dec);
	buf_release(&re);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned method = methods[data[0] % ARRAY_SIZE(methods)];
	char *uri = fuzz_cstring(data + 1, size - 1);
	struct arena *a = arena_new();

	/* As the server does: a target that does not start with '/' is a 400. */
	if (uri[0] == '/') {
		size_t path_len = strcspn(uri, "?#");
		char *path;
		size_t len;
		if (url_decode(a, uri, path_len, 0, &path, &len) == 0) {
			check_decoded(a, uri, path_len, 0, path, len);
			check_route(method, path, a);
		}
		const char *q = uri[path_len] == '?' ? uri + path_len + 1 : "";
		struct params query = { 0 };
		if (parse_urlencoded(a, q, strcspn(q, "#"), &query) == 0)
			fuzz_check_params(&query, 0);
	}
	/* The matcher on the raw bytes too: it must never trust them. */
	check_route(method, uri, a);
	arena_free(a);
	free(uri);
	return 0;
}
