/*
 * The template engine's behaviour is written down as data, in
 * tests/unit/template_spec.txt, one named case per cmocka test (the format
 * is described at the top of that file). What data cannot say well is
 * tested in C below: pathological nesting with a time bound, a partial that
 * includes itself, loading a directory, and the API's failure modes.
 */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "view/template.h"

#define SPEC_FILE "tests/unit/template_spec.txt"

#include "spec.h"

/* ---- running a spec case ---- */

static const char *test_translate(void *ctx, const char *msgid)
{
	static const char *const table[][2] = {
		{ "Needs", "Besoins" },
		{ "Ideas", "Idées" },
		{ "Tom & Jerry", "Tom & Jerry <fr>" },
	};
	assert_string_equal((const char *)ctx, "fr");
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(msgid, table[i][0]))
			return table[i][1];
	return msgid;
}

static void strip_newlines(struct buf *b)
{
	while (b->len && b->ptr[b->len - 1] == '\n')
		buf_setlen(b, b->len - 1);
}

/* Compile the case's template as "main" and its partials, then check links. */
static int compile_case(struct template_set *set, const struct spec_case *c, struct buf *err)
{
	struct buf file = BUF_INIT;
	int ret = 0;
	for (size_t i = 0; i < c->nsecs && !ret; i++) {
		const struct spec_section *s = &c->secs[i];
		const char *name = !strcmp(s->kind, "template") ? "main"
				   : !strcmp(s->kind, "partial") ? s->arg
								 : NULL;
		if (!name)
			continue;
		buf_reset(&file);
		buf_addf(&file, "%s.html", name);
		ret = template_set_add(set, name, file.ptr, s->body.ptr, s->body.len, err);
	}
	if (!ret)
		ret = template_set_check(set, err);
	buf_release(&file);
	return ret;
}

static void check_error(const struct spec_case *c, int ret, const struct buf *err)
{
	const struct spec_section *error = spec_find(c, "error");
	struct buf want = BUF_INIT;
	buf_add(&want, error->body.ptr, error->body.len);
	strip_newlines(&want);
	if (ret == 0 || !strstr(err->ptr, want.ptr))
		fail_msg("%s:%d: case '%s': wanted an error containing\n  %s\ngot (%d)\n  %s",
			 SPEC_FILE, c->line, c->name, want.ptr, ret, err->ptr);
	buf_release(&want);
}

static json_t *case_data(const struct spec_case *c)
{
	const struct spec_section *data = spec_find(c, "data");
	if (!data)
		return json_object();
	json_error_t jerr;
	json_t *v = json_loadb(data->body.ptr, data->body.len, JSON_DECODE_ANY, &jerr);
	if (!v)
		fail_msg("%s:%d: case '%s': bad JSON: %s", SPEC_FILE, c->line, c->name, jerr.text);
	return v;
}

static void check_render(const struct spec_case *c, struct template_set *set)
{
	const struct spec_section *expect = spec_find(c, "expect");
	if (!expect)
		fail_msg("%s:%d: case '%s' has neither expect nor error", SPEC_FILE, c->line,
			 c->name);
	json_t *data = case_data(c);
	struct buf out = BUF_INIT;
	char lang[] = "fr";
	int ret = template_render(set, "main", data, test_translate, lang, &out);
	json_decref(data);
	if (ret != 0 || strcmp(out.ptr, expect->body.ptr))
		fail_msg("%s:%d: case '%s' (render %d)\nexpected:\n[%s]\ngot:\n[%s]", SPEC_FILE,
			 c->line, c->name, ret, expect->body.ptr, out.ptr);
	buf_release(&out);
}

static void run_spec_case(void **state)
{
	const struct spec_case *c = *state;
	struct template_set *set = template_set_new();
	struct buf err = BUF_INIT;
	int ret = compile_case(set, c, &err);
	if (spec_find(c, "error")) {
		check_error(c, ret, &err);
	} else {
		if (ret)
			fail_msg("%s:%d: case '%s': %s", SPEC_FILE, c->line, c->name, err.ptr);
		check_render(c, set);
	}
	buf_release(&err);
	template_set_free(set);
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
	int failed = n >= 60 ? 0 : 1;
	if (failed)
		print_error("%s: only %zu cases\n", SPEC_FILE, n);
	failed += _cmocka_run_group_tests("template_spec", tests, n, NULL, NULL);
	free(tests);
	spec_free(cases, n);
	buf_release(&text);
	return failed;
}

/* ---- C tests ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void repeat(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_adds(b, s);
}

static int add(struct template_set *set, const char *name, const char *text, struct buf *err)
{
	return template_set_add(set, name, "t.html", text, strlen(text), err);
}

static void test_deep_nesting_fails_cleanly(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf text = BUF_INIT, err = BUF_INIT;
	repeat(&text, "{{#a}}", 10000);
	buf_adds(&text, "x");
	repeat(&text, "{{/a}}", 10000);
	double start = now();
	assert_int_equal(add(set, "deep", text.ptr, &err), -1);
	assert_true(now() - start < 1.0);
	assert_non_null(strstr(err.ptr, "t.html:1: sections nested deeper than 64"));
	assert_false(template_set_has(set, "deep"));
	buf_release(&text);
	buf_release(&err);
	template_set_free(set);
}

static void test_nesting_at_the_limit_renders(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf text = BUF_INIT, out = BUF_INIT;
	repeat(&text, "{{#a}}", TEMPLATE_MAX_DEPTH);
	buf_adds(&text, "{{b}}");
	repeat(&text, "{{/a}}", TEMPLATE_MAX_DEPTH);
	assert_int_equal(add(set, "deep", text.ptr, NULL), 0);
	json_t *data = json_pack("{s:b, s:s}", "a", 1, "b", "bottom");
	assert_int_equal(template_render(set, "deep", data, NULL, NULL, &out), 0);
	assert_string_equal(out.ptr, "bottom");
	json_decref(data);
	buf_release(&text);
	buf_release(&out);
	template_set_free(set);
}

static void test_many_sequential_sections(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf text = BUF_INIT, out = BUF_INIT;
	repeat(&text, "{{#a}}{{.}}{{/a}}{{^a}}-{{/a}}", 10000);
	double start = now();
	assert_int_equal(add(set, "wide", text.ptr, NULL), 0);
	json_t *data = json_pack("{s:[i,i]}", "a", 1, 2);
	assert_int_equal(template_render(set, "wide", data, NULL, NULL, &out), 0);
	assert_true(now() - start < 1.0);
	assert_int_equal(out.len, 20000);
	assert_memory_equal(out.ptr, "1212", 4);
	json_decref(data);
	buf_release(&text);
	buf_release(&out);
	template_set_free(set);
}

static void test_many_open_braces(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf text = BUF_INIT, err = BUF_INIT;
	buf_adds(&text, "line one\n");
	repeat(&text, "{{", 50000);
	double start = now();
	assert_int_equal(add(set, "braces", text.ptr, &err), -1);
	assert_true(now() - start < 1.0);
	assert_string_equal(err.ptr, "t.html:2: unterminated tag");
	buf_release(&text);
	buf_release(&err);
	template_set_free(set);
}

static void test_recursive_partial_stops(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf out = BUF_INIT;
	assert_int_equal(add(set, "self", "a{{>self}}", NULL), 0);
	assert_int_equal(add(set, "main", "{{>self}}", NULL), 0);
	assert_int_equal(template_set_check(set, NULL), 0);
	assert_int_equal(template_render(set, "main", NULL, NULL, NULL, &out), -1);
	/* main enters level 1; self renders its "a" at levels 1..64. */
	assert_int_equal(out.len, TEMPLATE_MAX_DEPTH);
	assert_int_equal(strspn(out.ptr, "a"), TEMPLATE_MAX_DEPTH);
	/* The set is still usable after a stopped render. */
	buf_reset(&out);
	assert_int_equal(add(set, "ok", "fine", NULL), 0);
	assert_int_equal(template_render(set, "ok", NULL, NULL, NULL, &out), 0);
	assert_string_equal(out.ptr, "fine");
	buf_release(&out);
	template_set_free(set);
}

static void test_recursive_partial_in_sections_stops(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf out = BUF_INIT;
	assert_int_equal(add(set, "loop", "{{#x}}<{{>loop}}>{{/x}}", NULL), 0);
	json_t *data = json_pack("{s:[b,b]}", "x", 1, 1);
	assert_int_equal(template_render(set, "loop", data, NULL, NULL, &out), -1);
	/* Two levels per round (section, partial): stopped after 32 rounds. */
	assert_int_equal(strspn(out.ptr, "<"), TEMPLATE_MAX_DEPTH / 2);
	json_decref(data);
	buf_release(&out);
	template_set_free(set);
}

static void test_render_errors(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(template_render(set, "nothing", NULL, NULL, NULL, &out), -1);
	assert_int_equal(add(set, "main", "before {{>missing}} after", NULL), 0);
	assert_int_equal(template_set_check(set, &err), -1);
	assert_string_equal(err.ptr, "t.html:1: unknown partial 'missing'");
	assert_int_equal(template_render(set, "main", NULL, NULL, NULL, &out), -1);
	assert_string_equal(out.ptr, "before ");
	/* Adding the partial later links it. */
	assert_int_equal(add(set, "missing", "[m]", NULL), 0);
	assert_int_equal(template_set_check(set, NULL), 0);
	buf_reset(&out);
	assert_int_equal(template_render(set, "main", NULL, NULL, NULL, &out), 0);
	assert_string_equal(out.ptr, "before [m] after");
	buf_reset(&err);
	assert_int_equal(add(set, "main", "again", &err), -1);
	assert_string_equal(err.ptr, "t.html: template 'main' is already defined");
	buf_release(&out);
	buf_release(&err);
	template_set_free(set);
}

static void test_crlf_standalone(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf out = BUF_INIT;
	assert_int_equal(add(set, "crlf", "a\r\n{{#x}}\r\nb\r\n{{/x}}\r\nc\r\n", NULL), 0);
	json_t *data = json_pack("{s:b}", "x", 1);
	assert_int_equal(template_render(set, "crlf", data, NULL, NULL, &out), 0);
	assert_string_equal(out.ptr, "a\r\nb\r\nc\r\n");
	json_decref(data);
	buf_release(&out);
	template_set_free(set);
}

static void test_many_templates(void **state)
{
	(void)state;
	struct template_set *set = template_set_new();
	struct buf name = BUF_INIT, out = BUF_INIT;
	for (int i = 0; i < 500; i++) {
		buf_reset(&name);
		buf_addf(&name, "t%d", i);
		assert_int_equal(add(set, name.ptr, name.ptr, NULL), 0);
	}
	for (int i = 0; i < 500; i++) {
		buf_reset(&name);
		buf_reset(&out);
		buf_addf(&name, "t%d", i);
		assert_true(template_set_has(set, name.ptr));
		assert_int_equal(template_render(set, name.ptr, NULL, NULL, NULL, &out), 0);
		assert_string_equal(out.ptr, name.ptr);
	}
	assert_false(template_set_has(set, "t500"));
	buf_release(&name);
	buf_release(&out);
	template_set_free(set);
}

/* ---- template_set_load_dir on a temporary directory ---- */

static void write_file(const char *dir, const char *rel, const char *text)
{
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/%s", dir, rel);
	char *slash = strrchr(path.ptr, '/');
	*slash = '\0';
	mkdir(path.ptr, 0700);
	*slash = '/';
	FILE *f = fopen(path.ptr, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	buf_release(&path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_load_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/tremplin-tpl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_file(dir, "home.html", "<h1>{{title}}</h1>\n{{>partials/nav}}\n");
	write_file(dir, "notes.txt", "{{ not a template");
	write_file(dir, ".hidden.html", "{{#broken}}");
	struct template_set *set = template_set_new();
	struct buf err = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
	assert_int_equal(template_set_load_dir(set, dir, &err), -1);
	buf_addf(&want, "%s/home.html:2: unknown partial 'partials/nav'", dir);
	assert_string_equal(err.ptr, want.ptr);
	template_set_free(set);

	write_file(dir, "partials/nav.html", "<nav>{{#items}}<a>{{.}}</a>{{/items}}</nav>\n");
	set = template_set_new();
	buf_reset(&err);
	assert_int_equal(template_set_load_dir(set, dir, &err), 0);
	assert_true(template_set_has(set, "home"));
	assert_true(template_set_has(set, "partials/nav"));
	assert_false(template_set_has(set, ".hidden"));
	assert_false(template_set_has(set, "notes"));
	json_t *data = json_pack("{s:s, s:[s,s]}", "title", "T & co", "items", "a", "b");
	assert_int_equal(template_render(set, "home", data, NULL, NULL, &out), 0);
	assert_string_equal(out.ptr, "<h1>T &amp; co</h1>\n<nav><a>a</a><a>b</a></nav>\n");
	json_decref(data);
	template_set_free(set);

	write_file(dir, "partials/bad.html", "ok\n{{#x}}\n");
	set = template_set_new();
	buf_reset(&err);
	buf_reset(&want);
	assert_int_equal(template_set_load_dir(set, dir, &err), -1);
	buf_addf(&want, "%s/partials/bad.html:2: unclosed section 'x'", dir);
	assert_string_equal(err.ptr, want.ptr);
	template_set_free(set);

	set = template_set_new();
	buf_reset(&err);
	assert_int_equal(template_set_load_dir(set, "/nonexistent/tremplin", &err), -1);
	assert_non_null(strstr(err.ptr, "/nonexistent/tremplin: cannot open"));
	template_set_free(set);

	assert_int_equal(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
	buf_release(&err);
	buf_release(&out);
	buf_release(&want);
}

int main(void)
{
	log_set_quiet(1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_nesting_fails_cleanly),
		cmocka_unit_test(test_nesting_at_the_limit_renders),
		cmocka_unit_test(test_many_sequential_sections),
		cmocka_unit_test(test_many_open_braces),
		cmocka_unit_test(test_recursive_partial_stops),
		cmocka_unit_test(test_recursive_partial_in_sections_stops),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_crlf_standalone),
		cmocka_unit_test(test_many_templates),
		cmocka_unit_test(test_load_dir),
	};
	int failed = run_spec();
	failed += cmocka_run_group_tests(tests, NULL, NULL);
	return failed ? 1 : 0;
}
