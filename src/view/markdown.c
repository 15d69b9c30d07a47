/*
 * People write descriptions, comments and offers in Markdown; this turns
 * them into HTML that templates may insert raw. Safety is cmark's: from
 * 0.29 on, unless CMARK_OPT_UNSAFE is given, raw HTML becomes a comment and
 * links or images to javascript:, vbscript:, file: and data: (but
 * data:image/png|gif|jpeg|webp) get an empty URL. Invalid UTF-8 is refused
 * here rather than patched with U+FFFD, so that what is stored is what the
 * person typed.
 */
#include "view/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#if CMARK_VERSION < ((0 << 16) | (29 << 8))
#error "cmark >= 0.29 needed: older versions let raw HTML through by default"
#endif

/*
 * Typographic quotes (CMARK_OPT_SMART) stay off: they would turn French
 * text's plain quotes and apostrophes into English ones.
 */
#define MARKDOWN_OPTIONS CMARK_OPT_DEFAULT

/* Length of the UTF-8 sequence at s[0..len), or 0 if it is not well formed. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence(u + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int markdown_to_html(const char *md, size_t len, struct buf *out)
{
	if (!len)
		return 0;
	if (!utf8_valid(md, len))
		return -1;
	char *html = cmark_markdown_to_html(md, len, MARKDOWN_OPTIONS);
	buf_adds(out, html);
	cmark_get_default_mem_allocator()->free(html);
	return 0;
}
