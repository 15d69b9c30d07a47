/*
 * Fuzz target: Markdown people write, turned into HTML that templates insert
 * raw (markdown_to_html). cmark itself is the system library, not built
 * with coverage: the fuzzer is guided by this module only, and the value is
 * in the check of every output below.
 *
 * Invariants:
 *  - The input is refused exactly when it is not valid UTF-8 (compared with
 *    http/parse.h's utf8_valid, written separately), and then nothing is
 *    appended; otherwise the output is valid UTF-8.
 *  - The output is safe to insert raw: every '<' opens a tag cmark writes
 *    for Markdown (p, h1-h6, em, strong, a, img, code, pre, blockquote, ul,
 *    ol, li, hr, br) or the "raw HTML omitted" comment; the only attributes
 *    are href, src, title, alt, start and class, double-quoted, with no '<'
 *    in them; and no href or src uses javascript:, vbscript:, file: or
 *    data: (but data:image/png, gif, jpeg and webp).
 */
#include "fuzz.h"

#include <strings.h>

#include "core/buf.h"
#include "view/markdown.h"

static const char omitted[] = "<!-- raw HTML omitted -->";

static int allowed_tag(const char *name, size_t len)
{
	static const char *const tags[] = {
		"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "img",
		"code", "pre", "blockquote", "ul", "ol", "li", "hr", "br",
	};
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		if (strlen(tags[i]) == len && !memcmp(tags[i], name, len))
			return 1;
	return 0;
}

static int allowed_attribute(const char *name, size_t len)
{
	static const char *const attrs[] = { "href", "src", "title", "alt", "start", "class" };
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++)
		if (strlen(attrs[i]) == len && !memcmp(attrs[i], name, len))
			return 1;
	return 0;
}

static int dangerous_url(const char *v, size_t len)
{
	static const char *const safe_data[] = { "data:image/png", "data:image/gif",
						  "data:image/jpeg", "data:image/webp" };
	static const char *const bad[] = { "javascript:", "vbscript:", "file:", "data:" };
	for (size_t i = 0; i < ARRAY_SIZE(safe_data); i++)
		if (len >= strlen(safe_data[i]) && !strncasecmp(v, safe_data[i], strlen(safe_data[i])))
			return 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (len >= strlen(bad[i]) && !strncasecmp(v, bad[i], strlen(bad[i])))
			return 1;
	return 0;
}

static size_t name_len(const char *p, const char *end)
{
	const char *s = p;
	while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		s++;
	return (size_t)(s - p);
}

/* Check the tag at p (on its '<'); where it ends. */
static const char *check_tag(const char *html, const char *p, const char *end)
{
	if ((size_t)(end - p) >= sizeof(omitted) - 1 && !memcmp(p, omitted, sizeof(omitted) - 1))
		return p + sizeof(omitted) - 1;
	const char *s = p + 1;
	if (s < end && *s == '/')
		s++;
	size_t n = name_len(s, end);
	FUZZ_CHECK(allowed_tag(s, n), "tag '%.20s' at byte %zu", p, (size_t)(p - html));
	s += n;
	for (;;) {
		while (s < end && *s == ' ')
			s++;
		if (s < end && *s == '>')
			return s + 1;
		if (end - s >= 2 && s[0] == '/' && s[1] == '>')
			return s + 2;
		n = name_len(s, end);
		FUZZ_CHECK(allowed_attribute(s, n), "attribute '%.20s' in '%.40s'", s, p);
		s += n;
		FUZZ_CHECK(end - s >= 2 && s[0] == '=' && s[1] == '"', "unquoted attribute in '%.40s'", p);
		const char *v = s + 2, *close = memchr(v, '"', (size_t)(end - v));
		FUZZ_CHECK(close, "unterminated attribute in '%.40s'", p);
		FUZZ_CHECK(!memchr(v, '<', (size_t)(close - v)), "'<' in an attribute: '%.40s'", p);
		if (!strncmp(s - n, "href", 4) || !strncmp(s - n, "src", 3))
			FUZZ_CHECK(!dangerous_url(v, (size_t)(close - v)), "dangerous URL in '%.60s'", p);
		s = close + 1;
	}
}

static void check_html(const char *html, size_t len)
{
	const char *end = html + len;
	for (const char *p = html; p < end;) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt)
			break;
		p = check_tag(html, lt, end);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *md = (const char *)data;
	struct buf out = BUF_INIT;

	buf_adds(&out, "kept");
	int ret = markdown_to_html(md, size, &out);
	FUZZ_CHECK(ret == (utf8_valid(md, size) ? 0 : -1), "returned %d for input %s UTF-8", ret,
		   utf8_valid(md, size) ? "valid" : "invalid");
	FUZZ_CHECK(out.len >= 4 && !memcmp(out.ptr, "kept", 4), "what out held was changed");
	if (ret < 0) {
		FUZZ_CHECK(out.len == 4, "a refused input appended %zu bytes", out.len - 4);
	} else {
		FUZZ_CHECK(utf8_valid(out.ptr, out.len), "the HTML is not valid UTF-8");
		check_html(out.ptr + 4, out.len - 4);
	}
	buf_release(&out);
	return 0;
}
