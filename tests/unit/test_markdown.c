/*
 * Markdown to safe HTML. The cases live in tests/unit/markdown_spec.txt
 * (format at its top), one cmocka test each; every output is also checked
 * for what must never appear. C tests below cover what a text file cannot
 * hold well: invalid UTF-8 and pathological nesting with a time bound.
 */
#include "testutil.h"

#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "view/markdown.h"

#define SPEC_FILE "tests/unit/markdown_spec.txt"

#include "spec.h"

/* ---- what no output may contain ---- */

/* Inside every tag, outside quoted values: no attribute named on... */
static const char *event_attribute(const char *html)
{
	for (const char *p = strchr(html, '<'); p; p = strchr(p, '<')) {
		char quote = 0;
		for (p++; *p && (quote || *p != '>'); p++) {
			if (quote) {
				quote = *p == quote ? 0 : quote;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if ((*p == ' ' || *p == '\t' || *p == '\n' || *p == '/') &&
				   !strncasecmp(p + 1, "on", 2)) {
				return p + 1;
			}
		}
	}
	return NULL;
}

static void check_never(const char *where, const char *html)
{
	static const char *const never[] = {
		"<script", "=\"javascript:", "=\"vbscript:", "=\"data:text", "=\"file:",
		"<iframe", "<svg", "<style", "<img src=x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(never); i++)
		if (strcasestr(html, never[i]))
			fail_msg("%s: output contains %s:\n%s", where, never[i], html);
	const char *ev = event_attribute(html);
	if (ev)
		fail_msg("%s: event attribute at '%.20s' in:\n%s", where, ev, html);
}

/* ---- running a spec case ---- */

static void check_absent(const struct spec_case *c, const char *html)
{
	const struct spec_section *absent = spec_find(c, "absent");
	if (!absent)
		return;
	const char *line = absent->body.ptr;
	while (*line) {
		const char *nl = strchrnul(line, '\n');
		char *text = xstrndup(line, (size_t)(nl - line));
		if (*text && strcasestr(html, text))
			fail_msg("%s:%d: case '%s': output contains '%s':\n%s", SPEC_FILE, c->line,
				 c->name, text, html);
		free(text);
		line = *nl ? nl + 1 : nl;
	}
}

static void run_spec_case(void **state)
{
	const struct spec_case *c = *state;
	const struct spec_section *md = spec_find(c, "markdown");
	const struct spec_section *html = spec_find(c, "html");
	if (!md || (!html && !spec_find(c, "absent")))
		fail_msg("%s:%d: case '%s' needs markdown and html or absent", SPEC_FILE, c->line,
			 c->name);
	struct buf out = BUF_INIT;
	int ret = markdown_to_html(md->body.ptr, md->body.len, &out);
	if (ret != 0 || (html && strcmp(out.ptr, html->body.ptr)))
		fail_msg("%s:%d: case '%s' (%d)\nexpected:\n[%s]\ngot:\n[%s]", SPEC_FILE, c->line,
			 c->name, ret, html ? html->body.ptr : "", out.ptr);
	check_absent(c, out.ptr);
	check_never(c->name, out.ptr);
	buf_release(&out);
}

static int run_spec(void)
{
	struct buf text = BUF_INIT;
	struct spec_case *cases;
	read_whole_file(SPEC_FILE, &text);
	size_t n = spec_parse(text.ptr, text.len, &cases);
	struct CMUnitTest *tests = xcalloc(n, sizeof(*tests));
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name,
						.test_func = run_spec_case,
						.initial_state = &cases[i] };
	/* A spec file that lost its cases must not pass quietly. */
	int failed = n >= 40 ? 0 : 1;
	if (failed)
		print_error("%s: only %zu cases\n", SPEC_FILE, n);
	failed += _cmocka_run_group_tests("markdown_spec", tests, n, NULL, NULL);
	free(tests);
	spec_free(cases, n);
	buf_release(&text);
	return failed;
}

/* ---- C tests ---- */

static void test_invalid_utf8_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xff",             /* never in UTF-8 */
		"a\x80z",           /* lone continuation byte */
		"\xc0\x80",         /* overlong NUL */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong '/' */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xf5\x80\x80\x80", /* never in UTF-8 */
		"caf\xc3",          /* cut at the end */
		"\xe2\x82",         /* cut euro sign */
		"\xe2\x82\x41",     /* bad continuation */
		"**\xe9t\xe9**",    /* Latin-1 text */
	};
	struct buf out = BUF_INIT;
	buf_adds(&out, "kept");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(markdown_to_html(bad[i], strlen(bad[i]), &out), -1);
		assert_string_equal(out.ptr, "kept");
	}
	buf_release(&out);
}

static void test_valid_utf8_accepted(void **state)
{
	(void)state;
	static const char text[] = "\x7f \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 "
				   "\xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf été € 𝄞";
	struct buf out = BUF_INIT;
	buf_adds(&out, "<x>");
	assert_int_equal(markdown_to_html(text, strlen(text), &out), 0);
	assert_true(!strncmp(out.ptr, "<x><p>", 6));
	assert_non_null(strstr(out.ptr, "été € 𝄞</p>\n"));
	buf_reset(&out);
	/* A NUL byte is valid UTF-8; cmark turns it into U+FFFD. */
	assert_int_equal(markdown_to_html("a\0b", 3, &out), 0);
	assert_string_equal(out.ptr, "<p>a\xef\xbf\xbd"
				     "b</p>\n");
	buf_release(&out);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Render unit repeated n times (then tail) within a time bound. */
static void check_pathological(const char *unit, const char *tail, size_t n)
{
	struct buf md = BUF_INIT, out = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_adds(&md, unit);
	buf_adds(&md, tail);
	double start = now();
	assert_int_equal(markdown_to_html(md.ptr, md.len, &out), 0);
	double took = now() - start;
	if (took > 2.0)
		fail_msg("%zu x '%s' took %.2f s", n, unit, took);
	assert_true(out.len > 0);
	check_never(unit, out.ptr);
	buf_release(&md);
	buf_release(&out);
}

static void test_pathological_nesting(void **state)
{
	(void)state;
	check_pathological(">", " deep\n", 10000);
	check_pathological("> ", "deep\n", 10000);
	check_pathological("[", "x\n", 10000);
	check_pathological("[a](", "x\n", 10000);
	check_pathological("*a ", "x\n", 10000);
	check_pathological("**", "x\n", 10000);
	check_pathological("<", "x\n", 10000);
	check_pathological("`", "x\n", 10000);
	check_pathological("- ", "x\n", 10000);
	check_pathological("![", "x\n", 10000);
	check_pathological("<script>", "x\n", 10000);
}

static void test_appends(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	buf_adds(&out, "<div>");
	assert_int_equal(markdown_to_html("*a*", 3, &out), 0);
	assert_string_equal(out.ptr, "<div><p><em>a</em></p>\n");
	assert_int_equal(markdown_to_html("", 0, &out), 0);
	assert_string_equal(out.ptr, "<div><p><em>a</em></p>\n");
	/* Only len bytes are read. */
	assert_int_equal(markdown_to_html("# T<script>", 3, &out), 0);
	assert_string_equal(out.ptr, "<div><p><em>a</em></p>\n<h1>T</h1>\n");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_utf8_refused),
		cmocka_unit_test(test_valid_utf8_accepted),
		cmocka_unit_test(test_pathological_nesting),
		cmocka_unit_test(test_appends),
	};
	int failed = run_spec();
	failed += cmocka_run_group_tests(tests, NULL, NULL);
	return failed ? 1 : 0;
}
