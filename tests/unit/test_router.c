/*
 * The router: which route a method and path reach, the {name} values it
 * hands the handler, and the exact 404/405 answers (with Allow).
 */
#include "testutil.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "http/router.h"

static void h_home(struct request *req, struct response *res) { (void)req; (void)res; }
static void h_list(struct request *req, struct response *res) { (void)req; (void)res; }
static void h_show(struct request *req, struct response *res) { (void)req; (void)res; }
static void h_comment(struct request *req, struct response *res) { (void)req; (void)res; }
static void h_need_new(struct request *req, struct response *res) { (void)req; (void)res; }
static void h_need(struct request *req, struct response *res) { (void)req; (void)res; }

static const struct route table[] = {
	{ HTTP_GET, "/", h_home, 0, 0 },
	{ HTTP_GET, "/initiatives", h_list, 0, 0 },
	{ HTTP_GET, "/initiatives/{id}", h_show, 0, 0 },
	{ HTTP_POST, "/initiatives/{id}/comments", h_comment, 4096, ROUTE_FORM },
	{ HTTP_GET | HTTP_POST, "/needs/new", h_need_new, 4096, ROUTE_FORM },
	{ HTTP_GET, "/needs/{id}", h_need, 0, 0 },
};

struct result {
	enum router_result r;
	const struct route *route;
	struct params params;
	struct buf allow;
	struct arena *arena;
};

static int setup(void **state)
{
	struct result *res = xcalloc(1, sizeof(*res));
	res->arena = arena_new();
	buf_init(&res->allow, 0);
	*state = res;
	return 0;
}

static int teardown(void **state)
{
	struct result *res = *state;
	buf_release(&res->allow);
	arena_free(res->arena);
	free(res);
	return 0;
}

static struct result *match(void **state, unsigned method, const char *path)
{
	struct result *res = *state;
	res->route = NULL;
	res->params = (struct params){ 0 };
	buf_reset(&res->allow);
	res->r = router_match(table, ARRAY_SIZE(table), method, path, res->arena,
			      &res->params, &res->route, &res->allow);
	return res;
}

static void test_table_is_valid(void **state)
{
	(void)state;
	assert_int_equal(router_check(table, ARRAY_SIZE(table)), 0);
}

static void test_root(void **state)
{
	struct result *res = match(state, HTTP_GET, "/");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[0]);
	assert_int_equal(res->params.n, 0);
}

static void test_literal(void **state)
{
	struct result *res = match(state, HTTP_GET, "/initiatives");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[1]);
}

static void test_param(void **state)
{
	struct result *res = match(state, HTTP_GET, "/initiatives/42");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[2]);
	assert_int_equal(res->params.n, 1);
	assert_string_equal(res->params.v[0].name, "id");
	assert_string_equal(params_get(&res->params, "id"), "42");
	assert_int_equal(res->params.v[0].value_len, 2);

	res = match(state, HTTP_GET, "/initiatives/caf\xc3\xa9");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_string_equal(params_get(&res->params, "id"), "caf\xc3\xa9");
}

static void test_param_then_literal(void **state)
{
	struct result *res = match(state, HTTP_POST, "/initiatives/7/comments");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[3]);
	assert_string_equal(params_get(&res->params, "id"), "7");
}

static void test_table_order_decides(void **state)
{
	struct result *res = match(state, HTTP_POST, "/needs/new");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[4]);
	assert_int_equal(res->params.n, 0);

	/* GET /needs/new is the form, not the need called "new". */
	res = match(state, HTTP_GET, "/needs/new");
	assert_ptr_equal(res->route, &table[4]);
	res = match(state, HTTP_GET, "/needs/5");
	assert_ptr_equal(res->route, &table[5]);
	assert_string_equal(params_get(&res->params, "id"), "5");
}

static void test_head_matches_get(void **state)
{
	struct result *res = match(state, HTTP_HEAD, "/initiatives/3");
	assert_int_equal(res->r, ROUTER_MATCH);
	assert_ptr_equal(res->route, &table[2]);
	res = match(state, HTTP_HEAD, "/");
	assert_int_equal(res->r, ROUTER_MATCH);
}

static void test_not_found(void **state)
{
	static const char *const paths[] = {
		"/nope", "/initiatives/", "//initiatives", "/initiatives//3",
		"/initiatives/3/", "/initiatives/3/comments/x", "/initiative",
		"/initiativesx", "/Initiatives", "initiatives", "", "//", "/needs",
		"/initiatives/3/comment",
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct result *res = match(state, HTTP_GET, paths[i]);
		if (res->r != ROUTER_NOT_FOUND)
			fail_msg("%s: expected 404, got %d", paths[i], res->r);
		assert_null(res->route);
		assert_int_equal(res->params.n, 0);
		assert_int_equal(res->allow.len, 0);
	}
	assert_int_equal(match(state, HTTP_GET, NULL)->r, ROUTER_NOT_FOUND);
}

static void test_method_not_allowed(void **state)
{
	struct result *res = match(state, HTTP_DELETE, "/initiatives/3");
	assert_int_equal(res->r, ROUTER_METHOD_NOT_ALLOWED);
	assert_null(res->route);
	assert_int_equal(res->params.n, 0);
	assert_string_equal(res->allow.ptr, "GET, HEAD");

	res = match(state, HTTP_POST, "/");
	assert_int_equal(res->r, ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(res->allow.ptr, "GET, HEAD");

	res = match(state, HTTP_GET, "/initiatives/3/comments");
	assert_int_equal(res->r, ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(res->allow.ptr, "POST");

	res = match(state, HTTP_PUT, "/needs/new");
	assert_int_equal(res->r, ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(res->allow.ptr, "GET, HEAD, POST");

	res = match(state, HTTP_OTHER, "/initiatives");
	assert_int_equal(res->r, ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(res->allow.ptr, "GET, HEAD");
}

/* Allow gathers every route whose pattern matches, in a fixed order. */
static void test_allow_union_order(void **state)
{
	static const struct route t[] = {
		{ HTTP_OPTIONS | HTTP_DELETE, "/x/{id}", h_show, 0, 0 },
		{ HTTP_PATCH, "/x/{name}", h_show, 0, 0 },
		{ HTTP_PUT | HTTP_POST, "/x/1", h_show, 0, 0 },
		{ HTTP_GET, "/y/{id}", h_show, 0, 0 },
	};
	struct result *res = *state;
	const struct route *out = NULL;
	struct params params = { 0 };

	enum router_result r = router_match(t, ARRAY_SIZE(t), HTTP_GET, "/x/1", res->arena,
					    &params, &out, &res->allow);
	assert_int_equal(r, ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(res->allow.ptr, "POST, PUT, PATCH, DELETE, OPTIONS");

	/* The first matching route wins, and gives its own parameter names. */
	r = router_match(t, ARRAY_SIZE(t), HTTP_PATCH, "/x/1", res->arena, &params, &out, NULL);
	assert_int_equal(r, ROUTER_MATCH);
	assert_ptr_equal(out, &t[1]);
	assert_string_equal(params_get(&params, "name"), "1");
	assert_null(params_get(&params, "id"));

	r = router_match(t, ARRAY_SIZE(t), HTTP_POST, "/x/2", res->arena, &params, &out, NULL);
	assert_int_equal(r, ROUTER_METHOD_NOT_ALLOWED);
}

static void test_many_params(void **state)
{
	static const struct route t[] = {
		{ HTTP_GET, "/t/{territory}/i/{id}/v/{version}", h_show, 0, 0 },
	};
	struct result *res = *state;
	const struct route *out = NULL;
	struct params params = { 0 };

	assert_int_equal(router_check(t, 1), 0);
	assert_int_equal(router_match(t, 1, HTTP_GET, "/t/sceaux/i/12/v/3", res->arena,
				      &params, &out, NULL), ROUTER_MATCH);
	assert_int_equal(params.n, 3);
	assert_string_equal(params.v[0].name, "territory");
	assert_string_equal(params.v[0].value, "sceaux");
	assert_string_equal(params.v[1].value, "12");
	assert_string_equal(params.v[2].name, "version");
	assert_string_equal(params.v[2].value, "3");
}

static void test_router_check_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "x", "//", "/a/", "/a//b", "/{", "/{}", "/{id", "/a{id}", "/{id}x",
		"/{i d}", "/}", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct route r = { HTTP_GET, bad[i], h_home, 0, 0 };
		if (router_check(&r, 1) != -1)
			fail_msg("pattern '%s' accepted", bad[i]);
	}
	struct route none = { 0, "/a", h_home, 0, 0 };
	assert_int_equal(router_check(&none, 1), -1);
	struct route nohandler = { HTTP_GET, "/a", NULL, 0, 0 };
	assert_int_equal(router_check(&nohandler, 1), -1);
	struct route eight = { HTTP_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_home, 0, 0 };
	assert_int_equal(router_check(&eight, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_valid),
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_then_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_order_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_matches_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_union_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_params, setup, teardown),
		cmocka_unit_test(test_router_check_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
