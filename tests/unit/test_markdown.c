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

/* ---- the spec file (same format as template_spec.txt) ---- */

struct spec_section {
	char *kind;
	char *arg;
	struct buf body;
};

struct spec_case {
	char *name;
	int line;
	struct spec_section *secs;
	size_t nsecs, alloc;
};

static int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(s, prefix, n);
}

/* Append a body line, with → as a tab and ␣ as a space. */
static void add_body_line(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (starts_with(s + i, len - i, "→")) {
			buf_addch(b, '\t');
			i += strlen("→") - 1;
		} else if (starts_with(s + i, len - i, "␣")) {
			buf_addch(b, ' ');
			i += strlen("␣") - 1;
		} else {
			buf_addch(b, s[i]);
		}
	}
	buf_addch(b, '\n');
}

static void add_section(struct spec_case *c, const char *s, size_t len)
{
	c->secs = xgrow(c->secs, sizeof(*c->secs), c->nsecs + 1, &c->alloc);
	struct spec_section *sec = &c->secs[c->nsecs++];
	const char *sp = memchr(s, ' ', len);
	size_t kind_len = sp ? (size_t)(sp - s) : len;
	sec->kind = xstrndup(s, kind_len);
	sec->arg = sp ? xstrndup(sp + 1, len - kind_len - 1) : xstrdup("");
	buf_init(&sec->body, 0);
}

static void add_line(struct spec_case **cases, size_t *n, size_t *alloc, const char *s,
		     size_t len, int line)
{
	if (starts_with(s, len, "=== ")) {
		*cases = xgrow(*cases, sizeof(**cases), *n + 1, alloc);
		struct spec_case *c = &(*cases)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->name = xstrndup(s + 4, len - 4);
		c->line = line;
		return;
	}
	struct spec_case *c = *n ? &(*cases)[*n - 1] : NULL;
	if (c && starts_with(s, len, "--- ")) {
		add_section(c, s + 4, len - 4);
	} else if (c && c->nsecs) {
		struct buf *body = &c->secs[c->nsecs - 1].body;
		if (!starts_with(s, len, "\\ "))
			add_body_line(body, s, len);
		else if (body->len)
			buf_setlen(body, body->len - 1); /* "\ No newline at end" */
	}
}

static size_t spec_parse(const char *text, size_t len, struct spec_case **out)
{
	struct spec_case *cases = NULL;
	size_t n = 0, alloc = 0;
	int line = 1;
	for (size_t pos = 0; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		add_line(&cases, &n, &alloc, text + pos, end - pos, line);
		pos = end + 1;
	}
	*out = cases;
	return n;
}

static void spec_free(struct spec_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cases[i].nsecs; k++) {
			free(cases[i].secs[k].kind);
			free(cases[i].secs[k].arg);
			buf_release(&cases[i].secs[k].body);
		}
		free(cases[i].secs);
		free(cases[i].name);
	}
	free(cases);
}

static const struct spec_section *spec_find(const struct spec_case *c, const char *kind)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (!strcmp(c->secs[i].kind, kind))
			return &c->secs[i];
	return NULL;
}

static void read_whole_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

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
