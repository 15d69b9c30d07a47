/*
 * Turning the columns of a result row into jansson values for view models,
 * the same way in every domain module: text that is not valid UTF-8 never
 * makes a value vanish, SQL NULL becomes JSON null, excerpts are cut on a
 * character boundary.
 */
#ifndef DOMAIN_ROW_H
#define DOMAIN_ROW_H

#include <stddef.h>

#include <jansson.h>

struct db_stmt;

/* Column col as a JSON string ("" if it is not valid UTF-8). New reference. */
json_t *row_string(struct db_stmt *st, int col);
/* The same, or JSON null when the column is SQL NULL. New reference. */
json_t *row_string_or_null(struct db_stmt *st, int col);
/* Column col as a JSON integer (0 for NULL). New reference. */
json_t *row_int(struct db_stmt *st, int col);
/* Column col as a JSON real, or null when SQL NULL. New reference. */
json_t *row_real_or_null(struct db_stmt *st, int col);
/*
 * {"id": col_id, "name": col_name} or null when col_id is SQL NULL (a
 * LEFT JOIN that found nothing). New reference.
 */
json_t *row_ref(struct db_stmt *st, int col_id, int col_name);
/*
 * The author of a contribution: {"id", "name", "deleted": false}, or, when
 * col_id is SQL NULL (the account was deleted; the schema sets author_id
 * to NULL), {"id": null, "name": USER_DELETED_NAME, "deleted": true}: the
 * web layer shows the msgid translated, and links no profile. New reference.
 */
json_t *row_author(struct db_stmt *st, int col_id, int col_name);
/* {"slug": col_slug, "name": col_name} or null when col_slug is SQL NULL. New reference. */
json_t *row_slug_ref(struct db_stmt *st, int col_slug, int col_name);
/*
 * Column col (Markdown, of which the query fetched at most `fetched`
 * characters) as a plain-text excerpt: whitespace runs become one space,
 * heading, quote and list marks and emphasis stars go, and the text is cut
 * to at most max_chars characters, at a space when one is near, with "…"
 * added when anything was cut. New reference.
 */
json_t *row_excerpt(struct db_stmt *st, int col, size_t max_chars, size_t fetched);

#endif
