/*
 * Fuzz target: multipart/form-data bodies (parse_multipart) and the
 * Content-Type helpers under them. Input: the Content-Type header value up
 * to the first '\n', then the body, which ends exactly where the input does
 * (AddressSanitizer sees a read past it).
 *
 * Invariants: on success every text field has a non-empty valid UTF-8 name
 * and a valid UTF-8 value without NUL; every upload points inside the body,
 * has a field name, a non-empty file name with no directory part that is
 * not "." or "..", and a content type; never more than PARSE_MAX_FIELDS
 * parts. On failure the lists are left as they were. Success implies the
 * media type is multipart/form-data with a boundary.
 */
#include "fuzz.h"

#include "core/arena.h"

static void check_upload(const struct upload *up, const char *body, size_t len)
{
	FUZZ_CHECK(up->field && *up->field, "an upload without a field name");
	fuzz_check_text("upload field", up->field, strlen(up->field));
	fuzz_check_text("file name", up->filename, strlen(up->filename));
	FUZZ_CHECK(*up->filename && strcmp(up->filename, ".") && strcmp(up->filename, ".."),
		   "file name '%s'", up->filename);
	FUZZ_CHECK(!strpbrk(up->filename, "/\\"), "file name '%s' has a directory part",
		   up->filename);
	FUZZ_CHECK(up->content_type && *up->content_type, "an upload without a content type");
	FUZZ_CHECK(up->data >= body && up->len <= len && up->data - body <= (ptrdiff_t)(len - up->len),
		   "upload data outside the body");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ct_len = nl ? (size_t)(nl - data) : size;
	char *ct = fuzz_cstring(data, ct_len);
	const char *body = nl ? (const char *)nl + 1 : (const char *)data + size;
	size_t len = nl ? size - ct_len - 1 : 0;
	struct arena *a = arena_new();
	struct params fields = { 0 };
	struct uploads files = { 0 };
	struct upload sentinel = { "s", "s", "s", "s", 1 };

	params_add(a, &fields, "sentinel", "kept", 4);
	uploads_add(a, &files, &sentinel);
	if (parse_multipart(a, ct, body, len, &fields, &files) == 0) {
		FUZZ_CHECK(content_type_is(ct, "multipart/form-data"), "'%s' is not multipart", ct);
		FUZZ_CHECK(content_type_param(a, ct, "boundary"), "'%s' has no boundary", ct);
		FUZZ_CHECK(fields.n - 1 + files.n - 1 <= PARSE_MAX_FIELDS, "%zu parts",
			   fields.n + files.n - 2);
		fuzz_check_params(&fields, 1);
		for (size_t i = 1; i < files.n; i++)
			check_upload(&files.v[i], body, len);
	} else {
		FUZZ_CHECK(fields.n == 1 && files.n == 1, "a refused body left %zu fields, %zu files",
			   fields.n, files.n);
	}
	FUZZ_CHECK(!strcmp(fields.v[0].value, "kept") && files.v[0].len == 1,
		   "what was there before changed");

	/* The helpers on their own, with a parameter that is not the boundary. */
	const char *cs = content_type_param(a, ct, "charset");
	if (cs)
		for (const char *p = cs; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\t', "control byte in a parameter");
	(void)content_type_is(ct, "application/x-www-form-urlencoded");
	arena_free(a);
	free(ct);
	return 0;
}
