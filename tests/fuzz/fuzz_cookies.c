/*
 * Fuzz target: the Cookie header (parse_cookies). The input is the header
 * value; libmicrohttpd hands it over as a C string, so it ends at the
 * first NUL.
 *
 * Invariants: on success every cookie has a non-empty name of RFC 9110
 * token characters and a value without control bytes that is valid UTF-8,
 * at most one cookie per '=' in the header and at most PARSE_MAX_FIELDS;
 * a well-formed "name=value" alone is always taken; on failure the list is
 * left as it was.
 */
#include "fuzz.h"

#include "core/arena.h"

static int is_token(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alnum && !strchr("!#$%&'*+-.^_`|~", c))
			return 0;
	}
	return 1;
}

static void check_cookie(const struct param *c)
{
	FUZZ_CHECK(*c->name && is_token(c->name), "cookie name '%s'", c->name);
	fuzz_check_text("cookie value", c->value, c->value_len);
	for (size_t i = 0; i < c->value_len; i++) {
		unsigned char ch = (unsigned char)c->value[i];
		FUZZ_CHECK((ch >= 0x20 && ch != 0x7f) || ch == '\t', "control byte in cookie %s",
			   c->name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = fuzz_cstring(data, size);
	struct arena *a = arena_new();
	struct params p = { 0 };
	size_t eqs = 0;

	for (const char *s = header; *s; s++)
		eqs += *s == '=';
	params_add(a, &p, "sentinel", "kept", 4);
	if (parse_cookies(a, header, &p) == 0) {
		FUZZ_CHECK(p.n - 1 <= eqs && p.n - 1 <= PARSE_MAX_FIELDS, "%zu cookies", p.n - 1);
		for (size_t i = 1; i < p.n; i++)
			check_cookie(&p.v[i]);
	} else {
		FUZZ_CHECK(p.n == 1, "a refused header left %zu cookies", p.n);
	}
	FUZZ_CHECK(!strcmp(p.v[0].value, "kept"), "the cookie already there changed");

	/* What a browser sends is always taken: the first cookie, unquoted. */
	struct params one = { 0 };
	size_t name_len = strcspn(header, "=; \t\"");
	if (name_len && header[name_len] == '=' && is_token(arena_strndup(a, header, name_len))) {
		const char *v = header + name_len + 1;
		size_t v_len = strcspn(v, "; \t\",\\");
		int plain = 1;
		for (size_t i = 0; i < v_len; i++)
			plain &= (unsigned char)v[i] > 0x20 && (unsigned char)v[i] < 0x7f;
		if (plain) {
			char *pair = arena_strndup(a, header, name_len + 1 + v_len);
			FUZZ_CHECK(parse_cookies(a, pair, &one) == 0 && one.n == 1 &&
					   one.v[0].value_len == v_len && !memcmp(one.v[0].value, v, v_len),
				   "the plain cookie '%s' was not taken as it is", pair);
		}
	}
	arena_free(a);
	free(header);
	return 0;
}
