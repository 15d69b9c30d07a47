/*
 * Pathological inputs with a time bound, as cmark tests its parser: what a
 * hostile client can send in one request (a 1 MB form value on one line, a
 * flood of multipart parts or cookies, a 1 MB Cookie header, a path of
 * 100,000 segments) and what a person can store for others to see (a 1 MB
 * single-line comment in Markdown, a 1 MB value through a template). Each
 * must be handled, or refused, well within TIME_LIMIT.
 *
 * Covered elsewhere, not repeated here: deeply nested Markdown
 * (test_markdown.c, test_pathological_nesting), 10,000 nested template
 * sections (test_template.c, test_deep_nesting_fails_cleanly and
 * test_many_sequential_sections), 100,000 urlencoded fields
 * (test_parse.c, test_urlencoded_flood).
 *
 * The bound is generous (the parsers take milliseconds) and counts the
 * CPU time of this thread, not the wall clock, so that a loaded machine
 * (make test runs while fuzzers or other suites run) or AddressSanitizer
 * does not make the test flaky; what it catches is quadratic behaviour,
 * which turns milliseconds into minutes.
 */
#include "testutil.h"

#include <jansson.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "http/parse.h"
#include "http/router.h"
#include "view/markdown.h"
#include "view/template.h"

#define TIME_LIMIT 2.0
#define MB (1024 * 1024)

/* CPU seconds this thread has used. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHECK_TIME(start, what)                                                       \
	do {                                                                          \
		double took_ = now() - (start);                                       \
		if (took_ > TIME_LIMIT)                                               \
			fail_msg("%s took %.2f s (limit %.1f s)", (what), took_, TIME_LIMIT); \
	} while (0)

static int setup(void **state)
{
	*state = arena_new();
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

/* b := prefix, then unit repeated until the whole is at least size bytes. */
static void fill(struct buf *b, const char *prefix, const char *unit, size_t size)
{
	buf_reset(b);
	buf_adds(b, prefix);
	while (b->len < size)
		buf_adds(b, unit);
}

/* ---- forms ---- */

static void test_form_value_1mb(void **state)
{
	struct arena *a = *state;
	struct buf b = BUF_INIT;
	struct params p = { 0 };

	/* Plain, with spaces as '+', and percent-encoded UTF-8: 1 MB on one line each. */
	static const char *const units[] = { "a", "mot+", "%C3%A9t%C3%A9+" };
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		fill(&b, "csrf=x&name=Zo%C3%A9&message=", units[i], MB);
		p.n = 0;
		double t0 = now();
		assert_int_equal(parse_urlencoded(a, b.ptr, b.len, &p), 0);
		CHECK_TIME(t0, units[i]);
		assert_int_equal(p.n, 3);
		const char *msg = params_get(&p, "message");
		assert_non_null(msg);
		assert_int_equal(strlen(msg), p.v[2].value_len);
		assert_true(p.v[2].value_len > MB / 4);
		assert_true(utf8_valid(msg, p.v[2].value_len));
	}

	/* 1 MB with one bad escape at the very end: refused, after one linear pass. */
	fill(&b, "message=", "a", MB);
	buf_adds(&b, "%E9");
	p.n = 0;
	double t0 = now();
	assert_int_equal(parse_urlencoded(a, b.ptr, b.len, &p), -1);
	CHECK_TIME(t0, "1 MB ending in %E9");
	assert_int_equal(p.n, 0);

	/* 1 MB of separators and nameless pairs: nothing kept, nothing slow. */
	fill(&b, "", "&=&", MB);
	p.n = 0;
	t0 = now();
	assert_int_equal(parse_urlencoded(a, b.ptr, b.len, &p), 0);
	CHECK_TIME(t0, "1 MB of separators");
	assert_int_equal(p.n, 0);
	buf_release(&b);
}

static void test_multipart_100000_parts(void **state)
{
	struct arena *a = *state;
	struct buf b = BUF_INIT;
	struct params fields = { 0 };
	struct uploads files = { 0 };

	for (int i = 0; i < 100000; i++)
		buf_addf(&b, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
	buf_adds(&b, "--b--\r\n");
	size_t before = arena_used(a);
	double t0 = now();
	assert_int_equal(parse_multipart(a, "multipart/form-data; boundary=b", b.ptr, b.len, &fields,
					 &files),
			 -1);
	CHECK_TIME(t0, "100,000 multipart parts");
	assert_int_equal(fields.n, 0);
	/* It stopped at PARSE_MAX_FIELDS: far less memory than the body. */
	assert_true(arena_used(a) - before < b.len / 4);
	buf_release(&b);
}

static void test_multipart_1mb_field(void **state)
{
	struct arena *a = *state;
	struct buf b = BUF_INIT;
	struct params fields = { 0 };
	struct uploads files = { 0 };

	/* One field of 1 MB that looks like boundaries but never is one. */
	fill(&b, "--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n", "\r\n-b-\r\n--", MB);
	buf_adds(&b, "x\r\n--b--\r\n");
	double t0 = now();
	assert_int_equal(parse_multipart(a, "multipart/form-data; boundary=b", b.ptr, b.len, &fields,
					 &files),
			 0);
	CHECK_TIME(t0, "a 1 MB multipart field");
	assert_int_equal(fields.n, 1);
	assert_true(fields.v[0].value_len > MB - 100);
	buf_release(&b);
}

/* ---- cookies ---- */

static void test_cookie_header_1mb(void **state)
{
	struct arena *a = *state;
	struct buf b = BUF_INIT;
	struct params p = { 0 };

	/* One cookie of 1 MB. */
	fill(&b, "lang=fr; big=", "v", MB);
	buf_adds(&b, "; tremplin_session=abc");
	double t0 = now();
	assert_int_equal(parse_cookies(a, b.ptr, &p), 0);
	CHECK_TIME(t0, "a 1 MB cookie");
	assert_int_equal(p.n, 3);
	assert_string_equal(params_get(&p, "tremplin_session"), "abc");

	/* 1 MB of malformed pairs: all skipped. */
	fill(&b, "", "bad name=1; noequals; =x; ", MB);
	p.n = 0;
	t0 = now();
	assert_int_equal(parse_cookies(a, b.ptr, &p), 0);
	CHECK_TIME(t0, "1 MB of malformed cookies");
	assert_int_equal(p.n, 0);

	/* 1 MB of small cookies: refused at PARSE_MAX_FIELDS. */
	fill(&b, "", "c=1; ", MB);
	p.n = 0;
	t0 = now();
	assert_int_equal(parse_cookies(a, b.ptr, &p), -1);
	CHECK_TIME(t0, "1 MB of small cookies");
	assert_int_equal(p.n, 0);
	buf_release(&b);
}

/* ---- paths ---- */

static void handler(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static void test_path_100000_segments(void **state)
{
	struct arena *a = *state;
	static const struct route table[] = {
		{ HTTP_GET, "/", handler, 0, 0 },
		{ HTTP_GET, "/needs/{id}", handler, 0, 0 },
		{ HTTP_GET, "/organisations/{slug}/members/{user_id}/remove", handler, 0, 0 },
		{ HTTP_GET, "/static/{file}", handler, 0, 0 },
	};
	struct buf b = BUF_INIT;
	struct params params = { 0 };
	const struct route *out;

	fill(&b, "", "/needs", 600000); /* 100,000 segments */
	double t0 = now();
	for (int i = 0; i < 10; i++)
		assert_int_equal(router_match(table, ARRAY_SIZE(table), HTTP_GET, b.ptr, a, &params,
					      &out, NULL),
				 ROUTER_NOT_FOUND);
	CHECK_TIME(t0, "10 matches of a path of 100,000 segments");

	/* 1 MB of percent-escapes in one path, decoded. */
	fill(&b, "/static/", "%C3%A9", MB);
	char *path;
	size_t len;
	t0 = now();
	assert_int_equal(url_decode(a, b.ptr, b.len, 0, &path, &len), 0);
	assert_int_equal(router_match(table, ARRAY_SIZE(table), HTTP_GET, path, a, &params, &out,
				      NULL),
			 ROUTER_MATCH);
	CHECK_TIME(t0, "decoding and matching a 1 MB path");
	assert_true(len > MB / 4);
	buf_release(&b);
}

/* ---- what people store and others see ---- */

static void test_markdown_1mb_single_line(void **state)
{
	(void)state;
	struct buf md = BUF_INIT, out = BUF_INIT;
	/* A 1 MB comment on one line: prose, and prose dense with inline syntax. */
	static const char *const units[] = {
		"Un jardin partagé rue Houdan, ",
		"*a* **b** `c` [d](/e) <f> &amp; \\* _g_ ",
		"[a](<b> \"c\") ![d](e 'f') <http://g.h> ",
		"*a _b *c _d ",
		"[[[[[[[[]]]]]]]]((((((((( ",
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		fill(&md, "", units[i], MB);
		buf_reset(&out);
		double t0 = now();
		assert_int_equal(markdown_to_html(md.ptr, md.len, &out), 0);
		CHECK_TIME(t0, units[i]);
		assert_true(out.len > MB / 2);
		assert_null(strstr(out.ptr, "<f>"));
	}
	buf_release(&md);
	buf_release(&out);
}

static void test_template_1mb_value(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf text = BUF_INIT, out = BUF_INIT;
	static const char tpl[] = "<p>{{#items}}{{body}}{{/items}}</p>";

	assert_int_equal(template_set_add(set, "t", "t.html", tpl, strlen(tpl), NULL), 0);
	fill(&text, "", "<script>&\"'", MB);
	json_t *data = json_pack("{s:[{s:s},{s:s}]}", "items", "body", text.ptr, "body", "x");
	double t0 = now();
	assert_int_equal(template_render(set, "t", data, NULL, NULL, &out), 0);
	CHECK_TIME(t0, "rendering a 1 MB value");
	assert_null(strstr(out.ptr, "<script"));
	assert_true(out.len > 2 * MB);
	json_decref(data);
	buf_release(&text);
	buf_release(&out);
	template_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_form_value_1mb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_100000_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_1mb_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookie_header_1mb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_100000_segments, setup, teardown),
		cmocka_unit_test(test_markdown_1mb_single_line),
		cmocka_unit_test(test_template_1mb_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
