/*
 * Markdown written by people, turned into HTML that is safe to insert raw:
 * cmark without CMARK_OPT_UNSAFE, so raw HTML is dropped (an HTML comment
 * "raw HTML omitted" takes its place) and javascript:, vbscript:, file: and
 * data: URLs of links and images become empty (cmark keeps data:image/png,
 * gif, jpeg and webp). No typographic quotes (CMARK_OPT_SMART is off).
 */
#ifndef VIEW_MARKDOWN_H
#define VIEW_MARKDOWN_H

#include <stddef.h>

#include "core/buf.h"

/*
 * Append the HTML of md[0..len) to out. 0, or -1 on invalid UTF-8 input
 * (overlong forms, surrogates and code points above U+10FFFF included), and
 * then out is unchanged.
 */
int markdown_to_html(const char *md, size_t len, struct buf *out);

#endif
