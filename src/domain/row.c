/*
 * Shared by need.c, initiative.c and organisation.c so that every list and
 * detail query builds its JSON in one way (see row.h for why).
 */
#include "domain/row.h"

#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "domain/user.h"
#include "core/banned.h"

/* When cutting an excerpt, look back this far for a space to cut at. */
#define EXCERPT_WORD_SLACK 24

static json_t *string_or_empty(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	return v ? v : json_string("");
}

json_t *row_string(struct db_stmt *st, int col)
{
	return string_or_empty(db_col_text(st, col), db_col_len(st, col));
}

json_t *row_string_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : row_string(st, col);
}

json_t *row_int(struct db_stmt *st, int col)
{
	return json_integer((json_int_t)db_col_int(st, col));
}

json_t *row_real_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : json_real(db_col_double(st, col));
}

json_t *row_ref(struct db_stmt *st, int col_id, int col_name)
{
	if (db_col_is_null(st, col_id))
		return json_null();
	return json_pack("{s:I, s:o}", "id", (json_int_t)db_col_int(st, col_id), "name",
			 row_string(st, col_name));
}

json_t *row_author(struct db_stmt *st, int col_id, int col_name)
{
	if (db_col_is_null(st, col_id))
		return json_pack("{s:n, s:s, s:b}", "id", "name", USER_DELETED_NAME, "deleted", 1);
	return json_pack("{s:I, s:o, s:b}", "id", (json_int_t)db_col_int(st, col_id), "name",
			 row_string(st, col_name), "deleted", 0);
}

json_t *row_slug_ref(struct db_stmt *st, int col_slug, int col_name)
{
	if (db_col_is_null(st, col_slug))
		return json_null();
	return json_pack("{s:o, s:o}", "slug", row_string(st, col_slug), "name",
			 row_string(st, col_name));
}

/* Byte offset of the end of the first max_chars UTF-8 characters of s, and their count. */
static size_t utf8_prefix(const char *s, size_t len, size_t max_chars, size_t *chars)
{
	size_t i = 0;
	*chars = 0;
	for (; i < len; i++) {
		int lead = ((unsigned char)s[i] & 0xC0) != 0x80;
		if (lead && (*chars)++ == max_chars) {
			(*chars)--;
			break;
		}
	}
	return i;
}

/* Skip the Markdown marks that open a line: "## ", "> ", "- ", "* ", "+ ". */
static const char *skip_line_marks(const char *p, const char *end)
{
	while (p < end && (*p == '#' || *p == '>' || *p == ' '))
		p++;
	if (end - p >= 2 && strchr("-*+", *p) && p[1] == ' ')
		p += 2;
	return p;
}

/* s[0..len) as one line of plain text in out. */
static void plain_text(const char *s, size_t len, struct buf *out)
{
	const char *p = s, *end = s + len;
	int space = 0;
	p = skip_line_marks(p, end);
	for (; p < end; p++) {
		if (*p == '\n') {
			space = 1;
			p = skip_line_marks(p + 1, end) - 1;
		} else if (strchr(" \t\r", *p)) {
			space = 1;
		} else if (*p != '*' && *p != '`') {
			if (space && out->len)
				buf_addch(out, ' ');
			space = 0;
			buf_addch(out, *p);
		}
	}
}

json_t *row_excerpt(struct db_stmt *st, int col, size_t max_chars, size_t fetched)
{
	const char *raw = db_col_text(st, col);
	size_t raw_len = db_col_len(st, col), raw_chars;
	utf8_prefix(raw, raw_len, fetched, &raw_chars);
	struct buf text = BUF_INIT;
	plain_text(raw, raw_len, &text);
	size_t chars, cut = utf8_prefix(text.ptr, text.len, max_chars, &chars);
	int more = cut < text.len || raw_chars >= fetched;
	if (cut < text.len) {
		size_t space = cut;
		while (space > 0 && cut - space < EXCERPT_WORD_SLACK && text.ptr[space] != ' ')
			space--;
		if (text.ptr[space] == ' ')
			cut = space;
	}
	while (more && cut > 0 && strchr(" .,;:", text.ptr[cut - 1]))
		cut--;
	buf_setlen(&text, cut);
	if (more)
		buf_adds(&text, "…");
	json_t *v = string_or_empty(text.ptr, text.len);
	buf_release(&text);
	return v;
}
