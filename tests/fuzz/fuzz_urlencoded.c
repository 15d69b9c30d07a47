/*
 * Fuzz target: query strings and application/x-www-form-urlencoded bodies
 * (parse_urlencoded), and url_decode on its own. The input is the body as
 * the server holds it: exactly size bytes, no NUL after them, so that
 * AddressSanitizer sees any read past the end.
 *
 * Invariants: on success every pair has a non-empty valid UTF-8 name and a
 * valid UTF-8 value without NUL, there are no more pairs than '&'-separated
 * pieces nor than PARSE_MAX_FIELDS, and encoding the pairs again parses
 * back to the same pairs; on failure the list is left as it was.
 */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"

static size_t pieces(const uint8_t *data, size_t size)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '&';
	return n;
}

/* Encode the pairs from index from on, parse that, and compare. */
static void check_round_trip(struct arena *a, const struct params *p, size_t from)
{
	struct buf enc = BUF_INIT;
	for (size_t i = from; i < p->n; i++) {
		if (i > from)
			buf_addch(&enc, '&');
		buf_add_url_encoded(&enc, p->v[i].name, strlen(p->v[i].name));
		buf_addch(&enc, '=');
		buf_add_url_encoded(&enc, p->v[i].value, p->v[i].value_len);
	}
	struct params again = { 0 };
	FUZZ_CHECK(parse_urlencoded(a, enc.ptr, enc.len, &again) == 0, "re-encoded pairs refused");
	FUZZ_CHECK(again.n == p->n - from, "%zu pairs came back as %zu", p->n - from, again.n);
	for (size_t i = 0; i < again.n; i++) {
		const struct param *x = &p->v[from + i], *y = &again.v[i];
		FUZZ_CHECK(!strcmp(x->name, y->name), "name '%s' came back as '%s'", x->name, y->name);
		FUZZ_CHECK(x->value_len == y->value_len && !memcmp(x->value, y->value, x->value_len),
			   "the value of '%s' changed", x->name);
	}
	buf_release(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct arena *a = arena_new();
	struct params p = { 0 };

	params_add(a, &p, "sentinel", "kept", 4);
	if (parse_urlencoded(a, s, size, &p) == 0) {
		FUZZ_CHECK(p.n - 1 <= pieces(data, size), "%zu pairs from %zu pieces", p.n - 1,
			   pieces(data, size));
		FUZZ_CHECK(p.n - 1 <= PARSE_MAX_FIELDS, "%zu pairs", p.n - 1);
		fuzz_check_params(&p, 1);
		check_round_trip(a, &p, 1);
	} else {
		FUZZ_CHECK(p.n == 1, "a refused parse left %zu pairs", p.n);
	}
	FUZZ_CHECK(!strcmp(p.v[0].name, "sentinel") && !strcmp(p.v[0].value, "kept"),
		   "the pair already there was changed");

	for (int plus = 0; plus <= 1; plus++) {
		char *out;
		size_t len;
		if (url_decode(a, s, size, plus, &out, &len) < 0)
			continue;
		fuzz_check_text("decoded", out, len);
		FUZZ_CHECK(len <= size, "decoding grew");
		if (plus)
			FUZZ_CHECK(!memchr(out, '+', len) || memchr(s, '%', size),
				   "a '+' survived without a %%2B");
	}
	arena_free(a);
	return 0;
}
