/*
 * Request and response helpers: lists that grow in the arena, headers that
 * are copied and cannot be injected, redirects a browser can follow.
 */
#include "testutil.h"

#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"

static void test_params_get_empty(void **state)
{
	(void)state;
	struct params p = { 0 };
	assert_null(params_get(&p, "a"));
}

static void test_params_grow(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct params p = { 0 };
	char name[32];

	for (int i = 0; i < 1500; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		char *v = arena_printf(a, "v%d", i);
		params_add(a, &p, arena_strdup(a, name), v, strlen(v));
	}
	assert_int_equal(p.n, 1500);
	assert_true(p.alloc >= 1500);
	assert_string_equal(params_get(&p, "k0"), "v0");
	assert_string_equal(params_get(&p, "k999"), "v999");
	assert_string_equal(params_get(&p, "k1000"), "v1000");
	assert_string_equal(params_get(&p, "k1499"), "v1499");
	assert_int_equal(p.v[1234].value_len, 5);
	assert_null(params_get(&p, "k1500"));
	arena_free(a);
}

static void test_params_first_wins(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct params p = { 0 };

	params_add(a, &p, "tag", "one", 3);
	params_add(a, &p, "tag", "two", 3);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "tag"), "one");
	assert_string_equal(p.v[1].value, "two");
	arena_free(a);
}

static void test_uploads_grow(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct uploads u = { 0 };

	for (int i = 0; i < 20; i++) {
		struct upload up = { "photo", arena_printf(a, "f%d.png", i), "image/png", "x", 1 };
		uploads_add(a, &u, &up);
	}
	assert_int_equal(u.n, 20);
	assert_string_equal(u.v[0].filename, "f0.png");
	assert_string_equal(u.v[19].filename, "f19.png");
	assert_int_equal(u.v[19].len, 1);
	arena_free(a);
}

static const char *fake_header(void *ctx, const char *name)
{
	return !strcmp(name, "Accept") ? (const char *)ctx : NULL;
}

static void test_request_header(void **state)
{
	(void)state;
	struct request req = { 0 };

	assert_null(request_header(&req, "Accept"));
	req.header_fn = fake_header;
	static char accept[] = "text/html";
	req.header_ctx = accept;
	assert_string_equal(request_header(&req, "Accept"), "text/html");
	assert_null(request_header(&req, "Cookie"));
}

static void test_response_headers(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { .body = BUF_INIT };
	char value[] = "no-store";

	response_header(&res, a, "Cache-Control", value);
	value[0] = 'X'; /* the response holds a copy */
	for (int i = 0; i < 30; i++)
		response_header(&res, a, "Set-Cookie", arena_printf(a, "c%d=1", i));
	assert_int_equal(res.n_headers, 31);
	assert_string_equal(response_get_header(&res, "cache-control"), "no-store");
	assert_string_equal(response_get_header(&res, "CACHE-CONTROL"), "no-store");
	assert_string_equal(response_get_header(&res, "set-cookie"), "c0=1");
	assert_string_equal(res.headers[30].value, "c29=1");
	assert_null(response_get_header(&res, "Location"));
	arena_free(a);
}

static void test_response_header_injection(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { .body = BUF_INIT };

	response_header(&res, a, "X-Test", "a\r\nSet-Cookie: evil=1");
	response_header(&res, a, "X-Test", "a\nb");
	response_header(&res, a, "Bad Name", "a");
	response_header(&res, a, "", "a");
	assert_int_equal(res.n_headers, 0);
	response_header(&res, a, "X-Test", "tab\tallowed");
	assert_string_equal(response_get_header(&res, "x-test"), "tab\tallowed");
	arena_free(a);
}

static void test_response_text(void **state)
{
	(void)state;
	struct response res = { .body = BUF_INIT, .static_body = "old", .static_len = 3 };
	char text[] = "hello";

	response_text(&res, 200, "text/plain; charset=utf-8", text, 5);
	text[0] = 'J';
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/plain; charset=utf-8");
	assert_string_equal(res.body.ptr, "hello");
	assert_int_equal(res.body.len, 5);
	assert_null(res.static_body);

	/* A second call replaces the body; binary bytes are kept. */
	response_text(&res, 404, "application/octet-stream", "a\0b", 3);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.body.len, 3);
	assert_memory_equal(res.body.ptr, "a\0b", 3);

	response_text(&res, 204, "text/plain", NULL, 0);
	assert_int_equal(res.body.len, 0);
	buf_release(&res.body);
}

static void test_response_redirect(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { .body = BUF_INIT };

	response_redirect(&res, a, "/initiatives/42?tab=comments&x=1");
	assert_int_equal(res.status, 303);
	assert_string_equal(response_get_header(&res, "Location"),
			    "/initiatives/42?tab=comments&x=1");
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(res.body.ptr,
			       "<a href=\"/initiatives/42?tab=comments&amp;x=1\">"));
	buf_release(&res.body);
	arena_free(a);
}

static void test_response_redirect_encodes(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct response res = { .body = BUF_INIT };

	response_redirect(&res, a, "/a b\r\nSet-Cookie: x=1/\xc3\xa9\"<");
	assert_int_equal(res.n_headers, 1);
	assert_string_equal(response_get_header(&res, "location"),
			    "/a%20b%0D%0ASet-Cookie:%20x=1/%C3%A9\"<");
	assert_non_null(strstr(res.body.ptr, "href=\"/a%20b%0D%0ASet-Cookie:%20x=1/%C3%A9&quot;&lt;\""));
	assert_null(strchr(res.body.ptr, '\r'));
	buf_release(&res.body);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_get_empty),
		cmocka_unit_test(test_params_grow),
		cmocka_unit_test(test_params_first_wins),
		cmocka_unit_test(test_uploads_grow),
		cmocka_unit_test(test_request_header),
		cmocka_unit_test(test_response_headers),
		cmocka_unit_test(test_response_header_injection),
		cmocka_unit_test(test_response_text),
		cmocka_unit_test(test_response_redirect),
		cmocka_unit_test(test_response_redirect_encodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
