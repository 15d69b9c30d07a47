/*
 * The parsers of client input: what they accept, what they refuse, and that
 * hostile input (truncated bodies, floods of fields) neither crashes them nor
 * makes them slow.
 */
#include "testutil.h"

#include <stdio.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "http/parse.h"

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

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define UTF8(s) utf8_valid((s), sizeof(s) - 1)

/* ---- UTF-8 ---- */

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid(NULL, 0));
	assert_true(UTF8("plain ascii"));
	assert_true(UTF8("caf\xc3\xa9"));              /* U+00E9 */
	assert_true(UTF8("\xe2\x82\xac"));             /* U+20AC */
	assert_true(UTF8("\xf0\x9f\x8c\xb1"));         /* U+1F331 */
	assert_true(UTF8("\xed\x9f\xbf"));             /* U+D7FF, just below surrogates */
	assert_true(UTF8("\xee\x80\x80"));             /* U+E000, just above */
	assert_true(UTF8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF */
	assert_true(UTF8("\xc2\x80"));                 /* U+0080 */
	assert_true(UTF8("\xe0\xa0\x80"));             /* U+0800 */
	assert_true(UTF8("\xf0\x90\x80\x80"));         /* U+10000 */
	assert_true(utf8_valid("a\0b", 3));            /* NUL is valid UTF-8 */
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	assert_false(UTF8("\xc0\x80"));                /* overlong NUL */
	assert_false(UTF8("\xc1\xbf"));                /* overlong */
	assert_false(UTF8("\xe0\x80\xaf"));            /* overlong '/' */
	assert_false(UTF8("\xe0\x9f\xbf"));            /* overlong */
	assert_false(UTF8("\xf0\x8f\xbf\xbf"));        /* overlong */
	assert_false(UTF8("\xed\xa0\x80"));            /* U+D800 */
	assert_false(UTF8("\xed\xbf\xbf"));            /* U+DFFF */
	assert_false(UTF8("\xf4\x90\x80\x80"));        /* U+110000 */
	assert_false(UTF8("\xf5\x80\x80\x80"));
	assert_false(UTF8("\xff"));
	assert_false(UTF8("\x80"));                    /* lone continuation */
	assert_false(UTF8("a\xc3"));                   /* truncated */
	assert_false(UTF8("\xe2\x82"));
	assert_false(UTF8("\xf0\x9f\x8c"));
	assert_false(UTF8("\xc3(")); /* not a continuation */
	assert_false(UTF8("\xe2\x82("));
	/* Truncation is judged by len, not by a NUL. */
	assert_false(utf8_valid("\xc3\xa9", 1));
}

/* ---- url_decode ---- */

static const char *decode(struct arena *a, const char *s, int plus)
{
	char *out = NULL;
	size_t len = 0;
	if (url_decode(a, s, strlen(s), plus, &out, &len) < 0)
		return NULL;
	assert_int_equal(strlen(out), len);
	return out;
}

static void test_url_decode(void **state)
{
	struct arena *a = *state;

	assert_string_equal(decode(a, "%41", 0), "A");
	assert_string_equal(decode(a, "%4a%4A", 0), "JJ");
	assert_string_equal(decode(a, "caf%C3%A9", 0), "caf\xc3\xa9");
	assert_string_equal(decode(a, "caf%c3%a9", 0), "caf\xc3\xa9");
	assert_string_equal(decode(a, "", 0), "");
	assert_string_equal(decode(a, "a+b", 1), "a b");
	assert_string_equal(decode(a, "a+b", 0), "a+b");
	assert_string_equal(decode(a, "a%2Bb", 1), "a+b");
	assert_string_equal(decode(a, "100%25", 0), "100%");
	assert_string_equal(decode(a, "%2F..%2F", 0), "/../");
}

static void test_url_decode_refuses(void **state)
{
	struct arena *a = *state;

	assert_null(decode(a, "%e9", 0));              /* Latin-1, not UTF-8 */
	assert_null(decode(a, "caf%E9", 1));
	assert_null(decode(a, "%ZZ", 0));
	assert_null(decode(a, "%G1", 0));
	assert_null(decode(a, "abc%", 0));
	assert_null(decode(a, "%4", 0));
	assert_null(decode(a, "%00", 0));
	assert_null(decode(a, "a%00b", 1));
	assert_null(decode(a, "%C0%80", 0));           /* overlong NUL */
	assert_null(decode(a, "%ED%A0%80", 0));        /* surrogate */
	assert_null(decode(a, "\xff", 0));             /* raw invalid byte */

	/* A raw NUL inside the counted input is refused too. */
	char *out;
	assert_int_equal(url_decode(a, "a\0b", 3, 0, &out, NULL), -1);
	/* "%4" at the end of the counted input: the byte after is not read. */
	assert_int_equal(url_decode(a, "%41", 2, 0, &out, NULL), -1);
	assert_int_equal(url_decode(a, "%41", 3, 0, &out, NULL), 0);
	assert_string_equal(out, "A");
}

/* ---- urlencoded ---- */

static int urlencoded(struct arena *a, const char *s, struct params *p)
{
	*p = (struct params){ 0 };
	return parse_urlencoded(a, s, strlen(s), p);
}

static void test_urlencoded(void **state)
{
	struct arena *a = *state;
	struct params p;

	assert_int_equal(urlencoded(a, "", &p), 0);
	assert_int_equal(p.n, 0);

	assert_int_equal(urlencoded(a, "title=Jardin+partag%C3%A9&theme=ecology", &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "title"), "Jardin partag\xc3\xa9");
	assert_int_equal(p.v[0].value_len, strlen("Jardin partag\xc3\xa9"));
	assert_string_equal(params_get(&p, "theme"), "ecology");

	assert_int_equal(urlencoded(a, "a=&b", &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "a"), "");
	assert_string_equal(params_get(&p, "b"), "");
	assert_int_equal(p.v[1].value_len, 0);

	/* Empty pairs and nameless pairs are skipped. */
	assert_int_equal(urlencoded(a, "&&=b&c=1&&", &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].name, "c");

	/* Duplicates are kept, in order. */
	assert_int_equal(urlencoded(a, "tag=a&tag=b&x=1&tag=c", &p), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].value, "a");
	assert_string_equal(p.v[1].value, "b");
	assert_string_equal(p.v[3].value, "c");
	assert_string_equal(params_get(&p, "tag"), "a");

	/* '=' inside a value, and names are decoded too. */
	assert_int_equal(urlencoded(a, "q=a=b&na%6De=x+y", &p), 0);
	assert_string_equal(params_get(&p, "q"), "a=b");
	assert_string_equal(params_get(&p, "name"), "x y");
}

static void test_urlencoded_refuses(void **state)
{
	struct arena *a = *state;
	struct params p;

	assert_int_equal(urlencoded(a, "a=%ZZ", &p), -1);
	assert_int_equal(urlencoded(a, "a=1&b=%E9", &p), -1);
	assert_int_equal(p.n, 0); /* left as it was */
	assert_int_equal(urlencoded(a, "%00=1", &p), -1);
	assert_int_equal(urlencoded(a, "a=1%", &p), -1);

	/* Input counted by length, not by NUL. */
	p = (struct params){ 0 };
	assert_int_equal(parse_urlencoded(a, "a=1&b=2", 3, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].value, "1");
	p = (struct params){ 0 };
	assert_int_equal(parse_urlencoded(a, NULL, 0, &p), 0);
}

static char *many_fields(size_t n, const char *pair)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addch(&b, '&');
		buf_adds(&b, pair);
	}
	return buf_detach(&b, NULL);
}

static void test_urlencoded_limit(void **state)
{
	struct arena *a = *state;
	struct params p;
	char *s = many_fields(PARSE_MAX_FIELDS, "k=v");

	assert_int_equal(urlencoded(a, s, &p), 0);
	assert_int_equal(p.n, PARSE_MAX_FIELDS);
	free(s);

	s = many_fields(PARSE_MAX_FIELDS + 1, "k=v");
	assert_int_equal(urlencoded(a, s, &p), -1);
	assert_int_equal(p.n, 0);
	free(s);
}

/* A flood of fields fails fast: the parse stops at the limit. */
static void test_urlencoded_flood(void **state)
{
	struct arena *a = *state;
	struct params p;
	char *s = many_fields(100000, "field=value");
	size_t before = arena_used(a);
	double t0 = now();

	assert_int_equal(urlencoded(a, s, &p), -1);
	assert_true(now() - t0 < 0.5);
	/* It stopped early: far less memory than the input would take. */
	assert_true(arena_used(a) - before < strlen(s) / 10);
	free(s);

	/* Separators alone and nameless pairs cost no memory, and stay linear. */
	s = many_fields(100000, "=x");
	t0 = now();
	assert_int_equal(urlencoded(a, s, &p), 0);
	assert_int_equal(p.n, 0);
	assert_true(now() - t0 < 0.5);
	free(s);
}

/* ---- cookies ---- */

static void test_cookies(void **state)
{
	struct arena *a = *state;
	struct params p = { 0 };

	assert_int_equal(parse_cookies(a, "sid=abc123; lang=fr", &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "sid"), "abc123");
	assert_string_equal(params_get(&p, "lang"), "fr");

	p = (struct params){ 0 };
	assert_int_equal(parse_cookies(a, "  a = 1 ;b=\"quoted value\";c=\"\";d=%41", &p), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(params_get(&p, "a"), "1");
	assert_string_equal(params_get(&p, "b"), "quoted value");
	assert_int_equal(p.v[1].value_len, 12);
	assert_string_equal(params_get(&p, "c"), "");
	assert_string_equal(params_get(&p, "d"), "%41"); /* no percent-decoding */

	p = (struct params){ 0 };
	assert_int_equal(parse_cookies(a, "", &p), 0);
	assert_int_equal(parse_cookies(a, NULL, &p), 0);
	assert_int_equal(p.n, 0);
}

static void test_cookies_malformed_skipped(void **state)
{
	struct arena *a = *state;
	struct params p = { 0 };

	assert_int_equal(parse_cookies(a, "noequals; =nameless; bad name=1; ok=1; ;;"
					  "bin=\x01x; latin=caf\xe9; utf=caf\xc3\xa9; e=",
				       &p), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.v[0].name, "ok");
	assert_string_equal(p.v[1].name, "utf");
	assert_string_equal(p.v[1].value, "caf\xc3\xa9");
	assert_string_equal(p.v[2].name, "e");
	assert_string_equal(p.v[2].value, "");
}

static void test_cookies_limit(void **state)
{
	struct arena *a = *state;
	struct params p = { 0 };
	struct buf b = BUF_INIT;

	for (int i = 0; i <= PARSE_MAX_FIELDS; i++)
		buf_addf(&b, "c%d=1; ", i);
	assert_int_equal(parse_cookies(a, b.ptr, &p), -1);
	assert_int_equal(p.n, 0);
	buf_release(&b);
}

/* ---- Content-Type helpers ---- */

static void test_content_type(void **state)
{
	struct arena *a = *state;

	assert_true(content_type_is("multipart/form-data; boundary=x", "multipart/form-data"));
	assert_true(content_type_is("Multipart/Form-Data", "multipart/form-data"));
	assert_true(content_type_is(" text/html ;charset=utf-8", "text/html"));
	assert_false(content_type_is("text/htmlx", "text/html"));
	assert_false(content_type_is("text", "text"));
	assert_false(content_type_is(NULL, "text/html"));

	assert_string_equal(content_type_param(a, "multipart/form-data; boundary=abc", "boundary"), "abc");
	assert_string_equal(content_type_param(a, "multipart/form-data;BOUNDARY=\"a b\\\"c\"", "boundary"), "a b\"c");
	assert_string_equal(content_type_param(a, "text/plain; charset=utf-8; x=y", "x"), "y");
	assert_null(content_type_param(a, "text/plain; charset=utf-8", "boundary"));
	assert_null(content_type_param(a, "text/plain; boundary=\"open", "boundary"));
	assert_null(content_type_param(a, "text/plain; boundary", "boundary"));
	assert_null(content_type_param(a, "garbage; boundary=x", "boundary"));
}

/* ---- multipart ---- */

#define CT "multipart/form-data; boundary=----tremplin42"

static const char form_body[] =
	"------tremplin42\r\n"
	"Content-Disposition: form-data; name=\"title\"\r\n"
	"\r\n"
	"Jardin partag\xc3\xa9\r\n"
	"------tremplin42\r\n"
	"Content-Disposition: form-data; name=\"summary\"\r\n"
	"\r\n"
	"Line one\r\nLine two\r\n"
	"------tremplin42\r\n"
	"Content-Disposition: form-data; name=\"photo\"; filename=\"garden.png\"\r\n"
	"Content-Type: image/png\r\n"
	"\r\n"
	"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\xff"
	"\r\n"
	"------tremplin42--\r\n";

static const char png_data[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\xff";

struct form {
	struct params fields;
	struct uploads files;
};

static int multipart(struct arena *a, const char *ct, const char *body, size_t len,
		     struct form *f)
{
	*f = (struct form){ { 0 }, { 0 } };
	return parse_multipart(a, ct, body, len, &f->fields, &f->files);
}

#define MULTIPART(a, ct, lit, f) multipart((a), (ct), (lit), sizeof(lit) - 1, (f))

static void test_multipart(void **state)
{
	struct arena *a = *state;
	struct form f;

	assert_int_equal(multipart(a, CT, form_body, sizeof(form_body) - 1, &f), 0);
	assert_int_equal(f.fields.n, 2);
	assert_string_equal(params_get(&f.fields, "title"), "Jardin partag\xc3\xa9");
	assert_string_equal(params_get(&f.fields, "summary"), "Line one\r\nLine two");
	assert_int_equal(f.fields.v[1].value_len, 18);
	assert_int_equal(f.files.n, 1);
	assert_string_equal(f.files.v[0].field, "photo");
	assert_string_equal(f.files.v[0].filename, "garden.png");
	assert_string_equal(f.files.v[0].content_type, "image/png");
	/* Binary content, NUL bytes and CRLF included, kept exactly. */
	assert_int_equal(f.files.v[0].len, sizeof(png_data) - 1);
	assert_memory_equal(f.files.v[0].data, png_data, sizeof(png_data) - 1);
}

static void test_multipart_quoted_boundary(void **state)
{
	struct arena *a = *state;
	struct form f;
	static const char body[] =
		"--a b:c\r\n"
		"content-disposition: Form-Data ; name=\"x\"\r\n"
		"X-Ignored: yes\r\n"
		"\r\n"
		"1\r\n"
		"--a b:c--";

	assert_int_equal(MULTIPART(a, "multipart/form-data; boundary=\"a b:c\"", body, &f), 0);
	assert_int_equal(f.fields.n, 1);
	assert_string_equal(params_get(&f.fields, "x"), "1");
}

static void test_multipart_preamble_epilogue(void **state)
{
	struct arena *a = *state;
	struct form f;
	static const char body[] =
		"This is a preamble.\r\n"
		"--b  \r\n" /* transport padding */
		"Content-Disposition: form-data; name=\"x\"\r\n"
		"\r\n"
		"\r\n"
		"--b--\r\n"
		"epilogue, ignored";

	assert_int_equal(MULTIPART(a, "multipart/form-data; boundary=b", body, &f), 0);
	assert_int_equal(f.fields.n, 1);
	assert_string_equal(params_get(&f.fields, "x"), "");
}

static void test_multipart_filename(void **state)
{
	struct arena *a = *state;
	struct form f;
	static const char body[] =
		"--b\r\n"
		"Content-Disposition: form-data; name=\"f\"; filename=\"../../etc/passwd\"\r\n"
		"\r\n"
		"root\r\n"
		"--b\r\n"
		"Content-Disposition: form-data; name=\"g\"; filename=\"C:\\\\Users\\\\x\\\\r\\\"sum\\\"\xc3\xa9.txt\"\r\n"
		"\r\n"
		"data\r\n"
		"--b\r\n"
		"Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
		"Content-Type: application/octet-stream\r\n"
		"\r\n"
		"\r\n"
		"--b--\r\n";

	assert_int_equal(MULTIPART(a, "multipart/form-data; boundary=b", body, &f), 0);
	assert_int_equal(f.fields.n, 0);
	/* The file input left empty is skipped. */
	assert_int_equal(f.files.n, 2);
	assert_string_equal(f.files.v[0].filename, "passwd");
	assert_string_equal(f.files.v[0].content_type, "application/octet-stream");
	assert_int_equal(f.files.v[0].len, 4);
	assert_string_equal(f.files.v[1].filename, "r\"sum\"\xc3\xa9.txt");
}

static void test_multipart_duplicates_in_order(void **state)
{
	struct arena *a = *state;
	struct form f;
	static const char body[] =
		"--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\none\r\n"
		"--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\ntwo\r\n"
		"--b--";

	assert_int_equal(MULTIPART(a, "multipart/form-data; boundary=b", body, &f), 0);
	assert_int_equal(f.fields.n, 2);
	assert_string_equal(f.fields.v[0].value, "one");
	assert_string_equal(f.fields.v[1].value, "two");
}

static void expect_refused(struct arena *a, const char *ct, const char *body, size_t len,
			   const char *why)
{
	struct form f;
	if (multipart(a, ct, body, len, &f) != -1)
		fail_msg("accepted: %s", why);
	assert_int_equal(f.fields.n, 0);
	assert_int_equal(f.files.n, 0);
}

#define REFUSED(a, body, why) \
	expect_refused((a), "multipart/form-data; boundary=b", (body), sizeof(body) - 1, (why))

static void test_multipart_refuses(void **state)
{
	struct arena *a = *state;
	static const char *const bad_ct[] = {
		NULL, "text/plain; boundary=b", "multipart/form-data",
		"multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"b \"",
		"multipart/form-data; boundary=\"a<b\"",
		"multipart/form-data; boundary="
		"12345678901234567890123456789012345678901234567890123456789012345678901",
	};
	static const char ok[] = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--";
	for (size_t i = 0; i < ARRAY_SIZE(bad_ct); i++)
		expect_refused(a, bad_ct[i], ok, sizeof(ok) - 1, bad_ct[i] ? bad_ct[i] : "NULL");

	REFUSED(a, "", "empty body");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n",
		"missing final boundary");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
		"no boundary after the part");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n1\r\n--b--",
		"headers without CRLFCRLF");
	REFUSED(a, "--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--", "part without name");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--b--",
		"empty name");
	REFUSED(a, "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--", "no Content-Disposition");
	REFUSED(a, "--b\r\n\r\n1\r\n--b--", "no headers");
	REFUSED(a, "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n1\r\n--b--",
		"not form-data");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\n1\r\n--b--",
		"unterminated quoted name");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"; name=\"y\"\r\n\r\n1\r\n--b--",
		"two names");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n"
		   "Content-Disposition: form-data; name=\"y\"\r\n\r\n1\r\n--b--",
		"two Content-Disposition");
	REFUSED(a, "--b\r\nContent-Disposition form-data; name=\"x\"\r\n\r\n1\r\n--b--",
		"header without colon");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n continued\r\n\r\n1\r\n--b--",
		"folded header");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ncaf\xe9\r\n--b--",
		"field value not UTF-8");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\na\0b\r\n--b--",
		"field value with NUL");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"\xe9\"\r\n\r\n1\r\n--b--",
		"name not UTF-8");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xff.png\"\r\n\r\n1\r\n--b--",
		"filename not UTF-8");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"dir/..\"\r\n\r\n1\r\n--b--",
		"filename '..'");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--bX\r\n--b--",
		"boundary followed by garbage");
	REFUSED(a, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b-",
		"half a closing boundary");
}

static void test_multipart_limit(void **state)
{
	struct arena *a = *state;
	struct form f;
	struct buf b = BUF_INIT;

	for (int i = 0; i < PARSE_MAX_FIELDS; i++)
		buf_addf(&b, "--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
	size_t body_len = b.len;
	buf_adds(&b, "--b--\r\n");
	assert_int_equal(multipart(a, "multipart/form-data; boundary=b", b.ptr, b.len, &f), 0);
	assert_int_equal(f.fields.n, PARSE_MAX_FIELDS);

	buf_setlen(&b, body_len);
	buf_adds(&b, "--b\r\nContent-Disposition: form-data; name=\"one-too-many\"\r\n\r\nx\r\n--b--\r\n");
	assert_int_equal(multipart(a, "multipart/form-data; boundary=b", b.ptr, b.len, &f), -1);
	assert_int_equal(f.fields.n, 0);
	buf_release(&b);
}

/*
 * Every prefix of a valid body, in a buffer of exactly that size so that
 * AddressSanitizer sees any read past the end: none crashes, and only those
 * that include the closing boundary parse.
 */
static void test_multipart_truncated(void **state)
{
	(void)state;
	const size_t full = sizeof(form_body) - 1;
	/* memmem: the body holds NUL bytes, a str* search would stop at them. */
	const char *close = memmem(form_body, full, "------tremplin42--", 18);
	const size_t complete = (size_t)(close - form_body) + 18;
	size_t accepted = 0;

	for (size_t len = 0; len <= full; len++) {
		struct arena *a = arena_new();
		char *copy = xmalloc(len ? len : 1);
		struct form f;
		memcpy(copy, form_body, len);
		int r = multipart(a, CT, copy, len, &f);
		if (r == 0)
			accepted++;
		if (len < complete)
			assert_int_equal(r, -1);
		else
			assert_int_equal(r, 0);
		free(copy);
		arena_free(a);
	}
	assert_int_equal(accepted, full - complete + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test_setup_teardown(test_url_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_decode_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_malformed_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_quoted_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_preamble_epilogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_filename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_duplicates_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_limit, setup, teardown),
		cmocka_unit_test(test_multipart_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
