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

#include "core/utf8.h"
#include "core/banned.h"

#if CMARK_VERSION < ((0 << 16) | (29 << 8))
#error "cmark >= 0.29 needed: older versions let raw HTML through by default"
#endif

/*
 * Typographic quotes (CMARK_OPT_SMART) stay off: they would turn French
 * text's plain quotes and apostrophes into English ones.
 */
#define MARKDOWN_OPTIONS CMARK_OPT_DEFAULT

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
