/*
 * A small logic-less template engine in the manner of Mustache, over
 * jansson values:
 *   {{name}}         value, HTML-escaped; dotted names (a.b.c); {{.}} is the current item
 *   {{{name}}}       value unescaped: only for HTML sanitised by construction
 *   {{#name}}..{{/name}}  section: repeated for each array item, entered for an
 *                    object, shown once for any other truthy value
 *   {{^name}}..{{/name}}  inverted section: shown when missing, false, null,
 *                    0, "" or an empty array
 *   {{>partial}}     another template of the set, rendered with the same context
 *   {{_ Some text}}  text (trimmed) translated by template_render()'s tr, escaped
 *   {{! comment}}
 * Names are resolved up the context stack. Templates are compiled once at
 * start-up; a syntax error names the file and line.
 *
 * Values: strings as they are, integers in decimal, reals in the shortest of
 * %.15g / %.17g that reads back the same, true as "true"; false, null,
 * objects and arrays render nothing. Names are [A-Za-z0-9_-] parts joined by
 * dots; the first part is looked up from the innermost context outwards, the
 * others inside what it found (no further search). A leading "_" is always
 * the translation tag, never a name.
 * Truthiness (sections, inverted sections): missing, null, false, 0, 0.0, ""
 * and [] are false; everything else, an empty object included, is true.
 * A section over a scalar pushes it, so {{.}} inside shows it.
 * Whitespace: a section, inverted, closing, comment or partial tag alone on
 * its line (only blanks around it) removes the whole line, newline
 * included. Partials are not re-indented.
 * Limits: sections nest at most TEMPLATE_MAX_DEPTH deep in one template
 * (a compile error beyond); at render, sections, inverted sections and
 * partials together nest at most TEMPLATE_MAX_DEPTH levels: deeper, the
 * render stops, is logged and fails (a partial including itself ends there).
 * Mind that a name missing from an item is looked up in the outer contexts:
 * a recursive partial over {{#replies}} needs "replies": [] on every leaf.
 * A compiled set is only read by template_render(), so once loaded it may be
 * shared by any number of threads.
 */
#ifndef VIEW_TEMPLATE_H
#define VIEW_TEMPLATE_H

#include <jansson.h>

#include "core/buf.h"

struct template_set;

#define TEMPLATE_MAX_DEPTH 64

/* Translate msgid for the context given to template_render(); never NULL. */
typedef const char *(*template_translate_fn)(void *ctx, const char *msgid);

/* An empty set. Free with template_set_free(). */
struct template_set *template_set_new(void);
void template_set_free(struct template_set *set);

/*
 * Compile text as the template called name (e.g. "home" or "partials/nav").
 * file is used in error messages. 0, or -1 with "file:line: message"
 * appended to err (logged instead when err is NULL). A name may be added
 * once. text is copied: the caller keeps it.
 */
int template_set_add(struct template_set *set, const char *name, const char *file,
		     const char *text, size_t len, struct buf *err);

/*
 * Compile every *.html file under dir (recursively; names starting with "."
 * are skipped); the name is the path below dir without ".html". Also checks
 * that every partial exists. 0, or -1 with err set.
 */
int template_set_load_dir(struct template_set *set, const char *dir, struct buf *err);

/*
 * Check that every {{>partial}} of every template names a template of the
 * set (for sets built with template_set_add()). 0, or -1 with
 * "file:line: unknown partial 'x'" appended to err (logged if err is NULL).
 */
int template_set_check(const struct template_set *set, struct buf *err);

/* 1 if the set has a template called name. */
int template_set_has(const struct template_set *set, const char *name);

/*
 * Render the template called name with data as the root context into out.
 * tr/tctx translate {{_ }} tags (tr NULL: msgid as is). data is only read
 * (NULL: an empty context). 0, or -1 (logged) if there is no such template,
 * a partial is missing or the depth limit is hit; out then holds what was
 * rendered before the failure.
 */
int template_render(const struct template_set *set, const char *name, json_t *data,
		    template_translate_fn tr, void *tctx, struct buf *out);

#endif
