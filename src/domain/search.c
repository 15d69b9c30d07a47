/*
 * Search (search.h). The words of a query are found here, by the same
 * rule the indexes use to split text (letters and digits; punctuation and
 * symbols separate), folded here for the snippets, and handed to each
 * backend quoted: FTS5 gets phrases in double quotes, PostgreSQL gets
 * plainto_tsquery(), which reads no operator at all. Each result page is
 * one statement: a first part counts the matches up to SEARCH_RANK_MAX + 1
 * (cheap: the index stops there), and only one of the two parts after it
 * runs, ranked when that count is small, newest first when it is not.
 */
#include "domain/search.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/row.h"
#include "core/banned.h"

#define SNIPPET_BEFORE 8 /* words shown before the first match */
#define KEY_MAX 64

/* ---- Words ---- */

/*
 * The letters FTS5's unicode61 tokenizer with remove_diacritics 2 maps to
 * another (read from SQLite itself, U+00C0 to U+024F); the PostgreSQL
 * migration's search_fold() gives the same by decomposing the text and
 * dropping its combining accents. Sorted by the first column.
 */
static const struct {
	unsigned from, to;
} folds[] = {
	{ 0x00C0, 0x0061 }, { 0x00C1, 0x0061 }, { 0x00C2, 0x0061 }, { 0x00C3, 0x0061 },
	{ 0x00C4, 0x0061 }, { 0x00C5, 0x0061 }, { 0x00C6, 0x00E6 }, { 0x00C7, 0x0063 },
	{ 0x00C8, 0x0065 }, { 0x00C9, 0x0065 }, { 0x00CA, 0x0065 }, { 0x00CB, 0x0065 },
	{ 0x00CC, 0x0069 }, { 0x00CD, 0x0069 }, { 0x00CE, 0x0069 }, { 0x00CF, 0x0069 },
	{ 0x00D0, 0x00F0 }, { 0x00D1, 0x006E }, { 0x00D2, 0x006F }, { 0x00D3, 0x006F },
	{ 0x00D4, 0x006F }, { 0x00D5, 0x006F }, { 0x00D6, 0x006F }, { 0x00D8, 0x00F8 },
	{ 0x00D9, 0x0075 }, { 0x00DA, 0x0075 }, { 0x00DB, 0x0075 }, { 0x00DC, 0x0075 },
	{ 0x00DD, 0x0079 }, { 0x00DE, 0x00FE }, { 0x00E0, 0x0061 }, { 0x00E1, 0x0061 },
	{ 0x00E2, 0x0061 }, { 0x00E3, 0x0061 }, { 0x00E4, 0x0061 }, { 0x00E5, 0x0061 },
	{ 0x00E7, 0x0063 }, { 0x00E8, 0x0065 }, { 0x00E9, 0x0065 }, { 0x00EA, 0x0065 },
	{ 0x00EB, 0x0065 }, { 0x00EC, 0x0069 }, { 0x00ED, 0x0069 }, { 0x00EE, 0x0069 },
	{ 0x00EF, 0x0069 }, { 0x00F1, 0x006E }, { 0x00F2, 0x006F }, { 0x00F3, 0x006F },
	{ 0x00F4, 0x006F }, { 0x00F5, 0x006F }, { 0x00F6, 0x006F }, { 0x00F9, 0x0075 },
	{ 0x00FA, 0x0075 }, { 0x00FB, 0x0075 }, { 0x00FC, 0x0075 }, { 0x00FD, 0x0079 },
	{ 0x00FF, 0x0079 }, { 0x0100, 0x0061 }, { 0x0101, 0x0061 }, { 0x0102, 0x0061 },
	{ 0x0103, 0x0061 }, { 0x0104, 0x0061 }, { 0x0105, 0x0061 }, { 0x0106, 0x0063 },
	{ 0x0107, 0x0063 }, { 0x0108, 0x0063 }, { 0x0109, 0x0063 }, { 0x010A, 0x0063 },
	{ 0x010B, 0x0063 }, { 0x010C, 0x0063 }, { 0x010D, 0x0063 }, { 0x010E, 0x0064 },
	{ 0x010F, 0x0064 }, { 0x0110, 0x0111 }, { 0x0112, 0x0065 }, { 0x0113, 0x0065 },
	{ 0x0114, 0x0065 }, { 0x0115, 0x0065 }, { 0x0116, 0x0065 }, { 0x0117, 0x0065 },
	{ 0x0118, 0x0065 }, { 0x0119, 0x0065 }, { 0x011A, 0x0065 }, { 0x011B, 0x0065 },
	{ 0x011C, 0x0067 }, { 0x011D, 0x0067 }, { 0x011E, 0x0067 }, { 0x011F, 0x0067 },
	{ 0x0120, 0x0067 }, { 0x0121, 0x0067 }, { 0x0122, 0x0067 }, { 0x0123, 0x0067 },
	{ 0x0124, 0x0068 }, { 0x0125, 0x0068 }, { 0x0126, 0x0127 }, { 0x0128, 0x0069 },
	{ 0x0129, 0x0069 }, { 0x012A, 0x0069 }, { 0x012B, 0x0069 }, { 0x012C, 0x0069 },
	{ 0x012D, 0x0069 }, { 0x012E, 0x0069 }, { 0x012F, 0x0069 }, { 0x0130, 0x0069 },
	{ 0x0132, 0x0133 }, { 0x0134, 0x006A }, { 0x0135, 0x006A }, { 0x0136, 0x006B },
	{ 0x0137, 0x006B }, { 0x0139, 0x006C }, { 0x013A, 0x006C }, { 0x013B, 0x006C },
	{ 0x013C, 0x006C }, { 0x013D, 0x006C }, { 0x013E, 0x006C }, { 0x013F, 0x0140 },
	{ 0x0141, 0x0142 }, { 0x0143, 0x006E }, { 0x0144, 0x006E }, { 0x0145, 0x006E },
	{ 0x0146, 0x006E }, { 0x0147, 0x006E }, { 0x0148, 0x006E }, { 0x014A, 0x014B },
	{ 0x014C, 0x006F }, { 0x014D, 0x006F }, { 0x014E, 0x006F }, { 0x014F, 0x006F },
	{ 0x0150, 0x006F }, { 0x0151, 0x006F }, { 0x0152, 0x0153 }, { 0x0154, 0x0072 },
	{ 0x0155, 0x0072 }, { 0x0156, 0x0072 }, { 0x0157, 0x0072 }, { 0x0158, 0x0072 },
	{ 0x0159, 0x0072 }, { 0x015A, 0x0073 }, { 0x015B, 0x0073 }, { 0x015C, 0x0073 },
	{ 0x015D, 0x0073 }, { 0x015E, 0x0073 }, { 0x015F, 0x0073 }, { 0x0160, 0x0073 },
	{ 0x0161, 0x0073 }, { 0x0162, 0x0074 }, { 0x0163, 0x0074 }, { 0x0164, 0x0074 },
	{ 0x0165, 0x0074 }, { 0x0166, 0x0167 }, { 0x0168, 0x0075 }, { 0x0169, 0x0075 },
	{ 0x016A, 0x0075 }, { 0x016B, 0x0075 }, { 0x016C, 0x0075 }, { 0x016D, 0x0075 },
	{ 0x016E, 0x0075 }, { 0x016F, 0x0075 }, { 0x0170, 0x0075 }, { 0x0171, 0x0075 },
	{ 0x0172, 0x0075 }, { 0x0173, 0x0075 }, { 0x0174, 0x0077 }, { 0x0175, 0x0077 },
	{ 0x0176, 0x0079 }, { 0x0177, 0x0079 }, { 0x0178, 0x0079 }, { 0x0179, 0x007A },
	{ 0x017A, 0x007A }, { 0x017B, 0x007A }, { 0x017C, 0x007A }, { 0x017D, 0x007A },
	{ 0x017E, 0x007A }, { 0x017F, 0x0073 }, { 0x0181, 0x0253 }, { 0x0182, 0x0183 },
	{ 0x0184, 0x0185 }, { 0x0186, 0x0254 }, { 0x0187, 0x0188 }, { 0x0189, 0x0256 },
	{ 0x018A, 0x0257 }, { 0x018B, 0x018C }, { 0x018E, 0x01DD }, { 0x018F, 0x0259 },
	{ 0x0190, 0x025B }, { 0x0191, 0x0192 }, { 0x0193, 0x0260 }, { 0x0194, 0x0263 },
	{ 0x0196, 0x0269 }, { 0x0197, 0x0268 }, { 0x0198, 0x0199 }, { 0x019C, 0x026F },
	{ 0x019D, 0x0272 }, { 0x019F, 0x0275 }, { 0x01A0, 0x006F }, { 0x01A1, 0x006F },
	{ 0x01A2, 0x01A3 }, { 0x01A4, 0x01A5 }, { 0x01A6, 0x0280 }, { 0x01A7, 0x01A8 },
	{ 0x01A9, 0x0283 }, { 0x01AC, 0x01AD }, { 0x01AE, 0x0288 }, { 0x01AF, 0x0075 },
	{ 0x01B0, 0x0075 }, { 0x01B1, 0x028A }, { 0x01B2, 0x028B }, { 0x01B3, 0x01B4 },
	{ 0x01B5, 0x01B6 }, { 0x01B7, 0x0292 }, { 0x01B8, 0x01B9 }, { 0x01BC, 0x01BD },
	{ 0x01C4, 0x01C6 }, { 0x01C5, 0x01C6 }, { 0x01C7, 0x01C9 }, { 0x01C8, 0x01C9 },
	{ 0x01CA, 0x01CC }, { 0x01CB, 0x01CC }, { 0x01CD, 0x0061 }, { 0x01CE, 0x0061 },
	{ 0x01CF, 0x0069 }, { 0x01D0, 0x0069 }, { 0x01D1, 0x006F }, { 0x01D2, 0x006F },
	{ 0x01D3, 0x0075 }, { 0x01D4, 0x0075 }, { 0x01D5, 0x0075 }, { 0x01D6, 0x0075 },
	{ 0x01D7, 0x0075 }, { 0x01D8, 0x0075 }, { 0x01D9, 0x0075 }, { 0x01DA, 0x0075 },
	{ 0x01DB, 0x0075 }, { 0x01DC, 0x0075 }, { 0x01DE, 0x0061 }, { 0x01DF, 0x0061 },
	{ 0x01E0, 0x01E1 }, { 0x01E2, 0x01E3 }, { 0x01E4, 0x01E5 }, { 0x01E6, 0x0067 },
	{ 0x01E7, 0x0067 }, { 0x01E8, 0x006B }, { 0x01E9, 0x006B }, { 0x01EA, 0x006F },
	{ 0x01EB, 0x006F }, { 0x01EC, 0x006F }, { 0x01ED, 0x006F }, { 0x01EE, 0x01EF },
	{ 0x01F0, 0x006A }, { 0x01F1, 0x01F3 }, { 0x01F2, 0x01F3 }, { 0x01F4, 0x0067 },
	{ 0x01F5, 0x0067 }, { 0x01F6, 0x0195 }, { 0x01F7, 0x01BF }, { 0x01F8, 0x006E },
	{ 0x01F9, 0x006E }, { 0x01FA, 0x0061 }, { 0x01FB, 0x0061 }, { 0x01FC, 0x01FD },
	{ 0x01FE, 0x01FF }, { 0x0200, 0x0061 }, { 0x0201, 0x0061 }, { 0x0202, 0x0061 },
	{ 0x0203, 0x0061 }, { 0x0204, 0x0065 }, { 0x0205, 0x0065 }, { 0x0206, 0x0065 },
	{ 0x0207, 0x0065 }, { 0x0208, 0x0069 }, { 0x0209, 0x0069 }, { 0x020A, 0x0069 },
	{ 0x020B, 0x0069 }, { 0x020C, 0x006F }, { 0x020D, 0x006F }, { 0x020E, 0x006F },
	{ 0x020F, 0x006F }, { 0x0210, 0x0072 }, { 0x0211, 0x0072 }, { 0x0212, 0x0072 },
	{ 0x0213, 0x0072 }, { 0x0214, 0x0075 }, { 0x0215, 0x0075 }, { 0x0216, 0x0075 },
	{ 0x0217, 0x0075 }, { 0x0218, 0x0073 }, { 0x0219, 0x0073 }, { 0x021A, 0x0074 },
	{ 0x021B, 0x0074 }, { 0x021C, 0x021D }, { 0x021E, 0x0068 }, { 0x021F, 0x0068 },
	{ 0x0220, 0x019E }, { 0x0222, 0x0223 }, { 0x0224, 0x0225 }, { 0x0226, 0x0061 },
	{ 0x0227, 0x0061 }, { 0x0228, 0x0065 }, { 0x0229, 0x0065 }, { 0x022A, 0x006F },
	{ 0x022B, 0x006F }, { 0x022C, 0x006F }, { 0x022D, 0x006F }, { 0x022E, 0x006F },
	{ 0x022F, 0x006F }, { 0x0230, 0x006F }, { 0x0231, 0x006F }, { 0x0232, 0x0079 },
	{ 0x0233, 0x0079 }, { 0x023A, 0x2C65 }, { 0x023B, 0x023C }, { 0x023D, 0x019A },
	{ 0x023E, 0x2C66 }, { 0x0241, 0x0242 }, { 0x0243, 0x0180 }, { 0x0244, 0x0289 },
	{ 0x0245, 0x028C }, { 0x0246, 0x0247 }, { 0x0248, 0x0249 }, { 0x024A, 0x024B },
	{ 0x024C, 0x024D }, { 0x024E, 0x024F },
};

static unsigned fold_cp(unsigned cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	size_t lo = 0, hi = ARRAY_SIZE(folds);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (folds[mid].from == cp)
			return folds[mid].to;
		if (folds[mid].from < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

/* Ranges of punctuation, spaces and symbols above ASCII: they separate words. */
static const struct {
	unsigned lo, hi;
} separators[] = {
	{ 0x0080, 0x00A9 }, { 0x00AB, 0x00B4 }, { 0x00B6, 0x00B9 }, { 0x00BB, 0x00BF },
	{ 0x00D7, 0x00D7 }, { 0x00F7, 0x00F7 }, { 0x2000, 0x206F }, { 0x20A0, 0x20CF },
	{ 0x2100, 0x214F }, { 0x2190, 0x2BFF }, { 0x3000, 0x303F }, { 0xFE10, 0xFE6F },
	{ 0xFF00, 0xFF0F }, { 0x1F000, 0x1FAFF },
};

static int is_word_cp(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	for (size_t i = 0; i < ARRAY_SIZE(separators); i++)
		if (cp >= separators[i].lo && cp <= separators[i].hi)
			return 0;
	return 1;
}

/* The code point at s[*i] (valid UTF-8 assumed; a stray byte reads as itself), *i moved past it. */
static unsigned next_cp(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (*i + n > len || (c < 0xC0 && c >= 0x80))
		n = 1;
	unsigned cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | ((unsigned char)s[*i + k] & 0x3F);
	*i += n;
	return cp;
}

static void put_cp(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n = 0;
	if (cp < 0x80) {
		u[n++] = (char)cp;
	} else if (cp < 0x800) {
		u[n++] = (char)(0xC0 | cp >> 6);
		u[n++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		u[n++] = (char)(0xE0 | cp >> 12);
		u[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[n++] = (char)(0x80 | (cp & 0x3F));
	} else {
		u[n++] = (char)(0xF0 | cp >> 18);
		u[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[n++] = (char)(0x80 | (cp & 0x3F));
	}
	buf_add(b, u, n);
}

/* The next word of s[*pos..len): 1 with [*start, *end), or 0 at the end. */
static int next_word(const char *s, size_t len, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos;
	while (i < len) {
		size_t at = i;
		if (is_word_cp(next_cp(s, len, &i))) {
			*start = at;
			*end = i;
			while (*end < len) {
				size_t j = *end;
				if (!is_word_cp(next_cp(s, len, &j)))
					break;
				*end = j;
			}
			*pos = *end;
			return 1;
		}
	}
	*pos = len;
	return 0;
}

/* s[0..len) folded into out (cut, on a character, at SEARCH_TERM_BYTES). */
static void fold_word(struct buf *out, const char *s, size_t len)
{
	buf_reset(out);
	for (size_t i = 0; i < len;) {
		size_t before = out->len;
		put_cp(out, fold_cp(next_cp(s, len, &i)));
		if (out->len > SEARCH_TERM_BYTES) {
			out->len = before;
			out->ptr[before] = '\0';
			break;
		}
	}
}

static int has_term(const struct search_terms *t, const char *w)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->term[i], w))
			return 1;
	return 0;
}

int search_parse(const char *text, struct search_terms *t)
{
	size_t len = text ? strlen(text) : 0, pos = 0, start, end;
	struct buf w = BUF_INIT;
	int rc = 0;
	t->n = 0;
	if (!utf8_valid(text ? text : "", len))
		return SEARCH_BAD_TEXT;
	if (len && utf8_chars(text) > SEARCH_QUERY_MAX)
		return SEARCH_TOO_LONG;
	while (next_word(text, len, &pos, &start, &end)) {
		fold_word(&w, text + start, end - start);
		if (has_term(t, w.ptr))
			continue;
		if (t->n == SEARCH_TERMS_MAX) {
			rc = SEARCH_TOO_MANY_TERMS;
			break;
		}
		snprintf(t->term[t->n++], sizeof(t->term[0]), "%s", w.ptr);
	}
	buf_release(&w);
	return rc ? rc : t->n ? 0 : SEARCH_EMPTY;
}

/* ---- Snippets ---- */

static void add_part(json_t *parts, const char *s, size_t len, int mark)
{
	size_t n = json_array_size(parts);
	json_t *last = n ? json_array_get(parts, n - 1) : NULL;
	if (!len)
		return;
	if (last && !mark && !json_is_true(json_object_get(last, "mark"))) {
		json_t *text = json_object_get(last, "text");
		struct buf b = BUF_INIT;
		buf_add(&b, json_string_value(text), json_string_length(text));
		buf_add(&b, s, len);
		json_object_set_new(last, "text", json_stringn(b.ptr, b.len));
		buf_release(&b);
		return;
	}
	json_array_append_new(parts, json_pack("{s:s%, s:b}", "text", s, len, "mark", mark));
}

/*
 * What lies between two words, as shown: one space for any run of spaces,
 * no emphasis marks, no heading, quote or list marks after a line break.
 */
static void add_gap(json_t *parts, const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	int space = 0, newline = memchr(s, '\n', len) != NULL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = 1;
			continue;
		}
		if (strchr("*_`", c) || (strchr("#>-", c) && newline))
			continue;
		if (space)
			buf_addch(&b, ' ');
		space = 0;
		buf_addch(&b, c);
	}
	if (space || !b.len)
		buf_addch(&b, ' ');
	add_part(parts, b.ptr, b.len, 0);
	buf_release(&b);
}

/* Index of the first word of s that is a term (0 when none), and the count of words. */
static size_t first_hit(const char *s, size_t len, const struct search_terms *t, size_t *words)
{
	size_t pos = 0, start, end, i = 0, hit = (size_t)-1;
	struct buf w = BUF_INIT;
	for (; next_word(s, len, &pos, &start, &end); i++) {
		if (hit != (size_t)-1)
			continue;
		fold_word(&w, s + start, end - start);
		if (has_term(t, w.ptr))
			hit = i;
	}
	buf_release(&w);
	*words = i;
	return hit == (size_t)-1 ? 0 : hit;
}

json_t *search_snippet(const char *text, const struct search_terms *t, size_t max_words)
{
	size_t len = strlen(text), words, pos = 0, start, end, prev_end = 0, i = 0;
	size_t hit = first_hit(text, len, t, &words);
	size_t from = hit > SNIPPET_BEFORE && words > max_words ? hit - SNIPPET_BEFORE : 0;
	if (from && from + max_words > words)
		from = words - max_words;
	json_t *parts = json_array();
	struct buf w = BUF_INIT;
	if (from)
		add_part(parts, "… ", strlen("… "), 0);
	for (; next_word(text, len, &pos, &start, &end) && i < from + max_words; i++) {
		if (i >= from) {
			if (i > from)
				add_gap(parts, text + prev_end, start - prev_end);
			fold_word(&w, text + start, end - start);
			add_part(parts, text + start, end - start, has_term(t, w.ptr));
		}
		prev_end = end;
	}
	if (words > from + max_words)
		add_part(parts, " …", strlen(" …"), 0);
	buf_release(&w);
	return parts;
}

/* A title whole, as parts with its searched words marked. */
static json_t *title_parts(const char *text, const struct search_terms *t)
{
	size_t len = strlen(text), pos = 0, start, end, prev_end = 0;
	json_t *parts = json_array();
	struct buf w = BUF_INIT;
	while (next_word(text, len, &pos, &start, &end)) {
		add_part(parts, text + prev_end, start - prev_end, 0);
		fold_word(&w, text + start, end - start);
		add_part(parts, text + start, end - start, has_term(t, w.ptr));
		prev_end = end;
	}
	add_part(parts, text + prev_end, len - prev_end, 0);
	buf_release(&w);
	return parts;
}

/* ---- Page keys ---- */

/*
 * "r<rank>_<id>" after a ranked page (the rank as C prints a double
 * exactly), "n<id>" after a newest-first one.
 */
struct page_key {
	int newest;
	double rank;
	int64_t id;
};

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	if (*s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*id = (int64_t)v;
	return 0;
}

static int parse_key(const char *after, struct page_key *k)
{
	char rank[KEY_MAX], *end;
	*k = (struct page_key){ .newest = 0, .rank = -1e308, .id = 0 };
	if (!after)
		return 0;
	if (strlen(after) >= KEY_MAX)
		return -1;
	if (after[0] == 'n') {
		k->newest = 1;
		return parse_id(after + 1, &k->id);
	}
	const char *sep = strchr(after, '_');
	if (after[0] != 'r' || !sep || sep == after + 1)
		return -1;
	snprintf(rank, sizeof(rank), "%.*s", (int)(sep - after - 1), after + 1);
	errno = 0;
	k->rank = strtod(rank, &end);
	if (errno || *end || !isfinite(k->rank))
		return -1;
	return parse_id(sep + 1, &k->id);
}

static json_t *key_json(int ranked, double rank, int64_t id)
{
	if (ranked)
		return json_sprintf("r%.17g_%lld", rank, (long long)id);
	return json_sprintf("n%lld", (long long)id);
}

/* ---- Queries ---- */

static const char *const kind_names[] = {
	[SEARCH_ALL] = "", [SEARCH_NEEDS] = "need", [SEARCH_INITIATIVES] = "initiative",
	[SEARCH_COMMENTS] = "comment",
};

/* What every page shows of a hit: the document, and live, its discussion's title and stage. */
#define HIT_COLUMNS                                                                      \
	" SELECT d.id, d.kind, d.object_id, d.link_type, d.link_id, d.title, d.body,"     \
	" d.created_at, h.r, h.ranked, COALESCE(i.title, n.title, ''),"                   \
	" COALESCE(i.stage, ''), (SELECT c FROM m)"                                       \
	" FROM hits h JOIN search_docs d ON d.id = h.id"                                  \
	" LEFT JOIN initiatives i ON d.link_type = 'initiative' AND i.id = d.link_id"     \
	" LEFT JOIN needs n ON d.link_type = 'need' AND n.id = d.link_id"                 \
	" ORDER BY h.ranked DESC, h.r, CASE WHEN h.ranked = 1 THEN d.id ELSE -d.id END"

/*
 * SQLite: the territory and the kind are terms of the scope column (see
 * the migration), so the count and both orders walk only this territory's
 * matches. The part not chosen must not even start: a condition on the
 * count would be tested row by row, after FTS5 has found (and, for the
 * ranked part, scored) the matches, and a bound on rowid is tested only
 * once a match is found, so the choice is made in what is matched: the
 * part not chosen matches a term no row has (NO_ROW). No match at all
 * runs neither part: the count has already walked the words' rows.
 */
#define NO_ROW "'scope : \"none\"'"
static const char sqlite_page_sql[] =
	"WITH m(c) AS (SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ?"
	" LIMIT ?)),"
	" hits(id, r, ranked) AS ("
	" SELECT * FROM (SELECT rowid, rank, 1 FROM search_fts WHERE search_fts MATCH"
	" CASE WHEN (SELECT c FROM m) BETWEEN 1 AND ? AND ? = 0 THEN ? ELSE " NO_ROW " END"
	" AND (rank > CAST(? AS REAL) OR (rank = CAST(? AS REAL) AND rowid > ?))"
	" ORDER BY rank, rowid LIMIT ?)"
	" UNION ALL"
	" SELECT * FROM (SELECT rowid, 0.0, 0 FROM search_fts WHERE search_fts MATCH"
	" CASE WHEN (SELECT c FROM m) > ? OR ? = 1 THEN ? ELSE " NO_ROW " END"
	" AND rowid < ? ORDER BY rowid DESC LIMIT ?))"
	HIT_COLUMNS;

/*
 * PostgreSQL: the GIN index finds the words and the scope words (see the
 * migration: "~t12", "~need"), so rows of another territory or kind are
 * never read; ts_rank is negated so that both backends sort ranks
 * ascending. GIN cannot stop at SEARCH_RANK_MAX + 1 matches: it builds the
 * set of every match first (gin_fuzzy_search_limit would not do: it samples
 * each word's rows apart, so a pair of common words could count too few);
 * the table is read for SEARCH_RANK_MAX + 1 of them only. The statement is
 * prepared once and soon runs on a
 * generic plan, made without the words: the way each part must go is
 * written into it. The count and the ranked part take the GIN index only
 * ("+ 0": no bitmap of the whole territory besides); the newest part walks
 * the territory's rows newest first, testing each ("IS TRUE": not the GIN
 * index), and stops at the page's end; it runs only when the matches are
 * many, so they are close together.
 */
#define PG_WHERE " d.territory_id + 0 = ? AND d.tsv @@ (SELECT q FROM q)"
#define PG_WHERE_NEWEST                                                                 \
	" d.territory_id = ? AND (? = '' OR d.kind = ?) AND (d.tsv @@ (SELECT q FROM q)) IS TRUE"
static const char pg_page_sql[] =
	"WITH q AS MATERIALIZED (SELECT plainto_tsquery('simple', search_fold(?))"
	" && CAST('''~t' || CAST(? AS BIGINT) || '''' AS tsquery)"
	" && CAST('''~' || CASE WHEN ? = '' THEN 't' || CAST(? AS BIGINT) ELSE ? END || ''''"
	" AS tsquery) AS q),"
	" m AS MATERIALIZED (SELECT count(*) AS c FROM (SELECT 1 FROM search_docs d WHERE" PG_WHERE
	" LIMIT ?) x),"
	" hits AS ("
	"(SELECT id, r, 1 AS ranked FROM (SELECT d.id, -CAST(ts_rank(d.tsv, (SELECT q FROM q))"
	" AS DOUBLE PRECISION) AS r FROM search_docs d WHERE" PG_WHERE
	" AND (SELECT c FROM m) BETWEEN 1 AND ? AND ? = 0) s"
	" WHERE r > CAST(? AS DOUBLE PRECISION) OR (r = CAST(? AS DOUBLE PRECISION) AND id > ?)"
	" ORDER BY r, id LIMIT ?)"
	" UNION ALL"
	" (SELECT d.id, CAST(0 AS DOUBLE PRECISION), 0 FROM search_docs d WHERE" PG_WHERE_NEWEST
	" AND ((SELECT c FROM m) > ? OR ? = 1) AND d.id < ? ORDER BY d.id DESC LIMIT ?))"
	HIT_COLUMNS;

/* A term as an FTS5 string: in double quotes, a double quote doubled. */
static void fts_string(struct buf *b, const char *s)
{
	buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addch(b, '"');
		buf_addch(b, *s);
	}
	buf_addch(b, '"');
}

/* scope : ("t12" "need") AND {title body} : ("velo" "cargo") */
static void fts_match(struct buf *b, int64_t territory_id, enum search_kind kind,
		      const struct search_terms *t)
{
	buf_addf(b, "scope : (\"t%lld\"", (long long)territory_id);
	if (kind != SEARCH_ALL)
		buf_addf(b, " \"%s\"", kind_names[kind]);
	buf_adds(b, ") AND {title body} : (");
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			buf_adds(b, " AND ");
		fts_string(b, t->term[i]);
	}
	buf_addch(b, ')');
}

static struct db_stmt *query_sqlite(struct db *db, int *step, int64_t territory_id,
				    const struct search_query *q, const struct search_terms *t,
				    const struct page_key *k)
{
	struct buf match = BUF_INIT;
	char rank[40];
	fts_match(&match, territory_id, q->kind, t);
	snprintf(rank, sizeof(rank), "%.17g", k->newest ? -1e308 : k->rank);
	int64_t before = k->newest ? k->id : INT64_MAX, limit = q->limit + 1;
	struct db_stmt *st = db_query(db, step, sqlite_page_sql, "tiiitttiiiitii", match.ptr,
				      (int64_t)SEARCH_RANK_MAX + 1, (int64_t)SEARCH_RANK_MAX,
				      (int64_t)k->newest, match.ptr, rank, rank, k->newest ? 0 : k->id,
				      limit, (int64_t)SEARCH_RANK_MAX, (int64_t)k->newest, match.ptr,
				      before, limit);
	buf_release(&match);
	return st;
}

static struct db_stmt *query_postgres(struct db *db, int *step, int64_t territory_id,
				      const struct search_query *q, const struct search_terms *t,
				      const struct page_key *k)
{
	struct buf words = BUF_INIT;
	char rank[40];
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			buf_addch(&words, ' ');
		buf_adds(&words, t->term[i]);
	}
	snprintf(rank, sizeof(rank), "%.17g", k->newest ? -1e308 : k->rank);
	const char *kind = kind_names[q->kind];
	int64_t before = k->newest ? k->id : INT64_MAX, limit = q->limit + 1;
	struct db_stmt *st = db_query(
		db, step, pg_page_sql, "tititiiiiittiiittiiii", words.ptr, territory_id, kind,
		territory_id, kind, territory_id, (int64_t)SEARCH_RANK_MAX + 1, territory_id,
		(int64_t)SEARCH_RANK_MAX, (int64_t)k->newest, rank, rank, k->newest ? 0 : k->id, limit,
		territory_id, kind, kind, (int64_t)SEARCH_RANK_MAX, (int64_t)k->newest, before, limit);
	buf_release(&words);
	return st;
}

#define SNIPPET_WORDS 30

static json_t *hit_json(struct db_stmt *st, const struct search_terms *t)
{
	const char *kind = db_col_text(st, 1);
	int comment = !strcmp(kind, "comment");
	json_t *title = comment ? row_string(st, 10) : row_string(st, 5);
	json_t *body = row_string(st, 6);
	json_t *item = json_pack(
		"{s:s, s:I, s:o, s:I, s:O, s:o, s:I, s:o, s:o}", "kind", kind, "id",
		(json_int_t)db_col_int(st, 2), "link_type", row_string(st, 3), "link_id",
		(json_int_t)db_col_int(st, 4), "title", title, "stage", row_string(st, 11),
		"created_at", (json_int_t)db_col_int(st, 7), "title_parts",
		title_parts(json_string_value(title), t), "snippet",
		search_snippet(json_string_value(body), t, SNIPPET_WORDS));
	json_decref(body);
	return item;
}

static json_t *terms_json(const struct search_terms *t)
{
	json_t *a = json_array();
	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(a, json_string(t->term[i]));
	return a;
}

/* The rows of one page into a new result (search.h); -1 on a database error. */
static int read_page(struct db_stmt *st, int step, const struct search_query *q,
		     const struct search_terms *t, json_t **out)
{
	json_t *items = json_array(), *next = json_null();
	int64_t matches = 0;
	int ranked = 0, n = 0;
	for (; step == DB_ROW; step = db_step(st)) {
		matches = db_col_int(st, 12);
		ranked = db_col_int(st, 9) == 1;
		if (n++ == q->limit) {
			json_t *last = json_array_get(items, (size_t)q->limit - 1);
			json_decref(next);
			next = key_json(ranked, json_real_value(json_object_get(last, "_rank")),
					json_integer_value(json_object_get(last, "_doc")));
			break;
		}
		json_t *item = hit_json(st, t);
		json_object_set_new(item, "_rank", json_real(db_col_double(st, 8)));
		json_object_set_new(item, "_doc", json_integer((json_int_t)db_col_int(st, 0)));
		json_array_append_new(items, item);
	}
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		json_object_del(item, "_rank");
		json_object_del(item, "_doc");
	}
	*out = json_pack("{s:o, s:o, s:b, s:I, s:o}", "items", items, "next", next, "ranked",
			 ranked, "matches", (json_int_t)matches, "terms", terms_json(t));
	return step < 0 ? -1 : 0;
}

int search_run(struct db *db, int64_t territory_id, const struct search_query *q, json_t **out)
{
	struct search_terms t;
	struct page_key k;
	int step, rc = search_parse(q->text, &t);
	if (rc)
		return rc;
	if (parse_key(q->after, &k) || q->limit < 1 || q->limit > SEARCH_PAGE_MAX ||
	    (unsigned)q->kind >= ARRAY_SIZE(kind_names))
		return SEARCH_BAD_KEY;
	struct db_stmt *st = db_kind(db) == DB_POSTGRES
				     ? query_postgres(db, &step, territory_id, q, &t, &k)
				     : query_sqlite(db, &step, territory_id, q, &t, &k);
	if (!st)
		return -1;
	rc = read_page(st, step, q, &t, out);
	db_reset(st);
	if (rc) {
		json_decref(*out);
		return error("search: cannot read the results of \"%.60s\"", q->text);
	}
	return 0;
}

/* ---- The index ---- */

/*
 * Each puts one row of search_docs from the row it indexes: insert, or
 * replace the text while the row keeps its id (its place in "newest first").
 */
#define UPSERT                                                                            \
	"INSERT INTO search_docs (territory_id, kind, object_id, link_type, link_id, title,"  \
	" body, created_at) "
#define ON_CONFLICT                                                                       \
	" ON CONFLICT (kind, object_id) DO UPDATE SET title = excluded.title,"               \
	" body = excluded.body"
#define NEED_DOC                                                                          \
	"SELECT territory_id, 'need' AS kind, id AS object_id, 'need' AS link_type,"         \
	" id AS link_id, title, body, created_at FROM needs"
#define INITIATIVE_DOC                                                                    \
	"SELECT territory_id, 'initiative', id, 'initiative', id, title,"                    \
	" CASE WHEN summary = '' THEN body ELSE summary || '\n\n' || body END, created_at"   \
	" FROM initiatives"
#define COMMENT_DOC                                                                       \
	"SELECT territory_id, 'comment', id, object_type, object_id, '', body, created_at"   \
	" FROM comments"

int search_index_need(struct db *db, int64_t need_id)
{
	if (db_execv(db, UPSERT NEED_DOC " WHERE id = ?" ON_CONFLICT, "i", need_id))
		return error("search: cannot index need %lld", (long long)need_id);
	return 0;
}

int search_index_initiative(struct db *db, int64_t initiative_id)
{
	if (db_execv(db, UPSERT INITIATIVE_DOC " WHERE id = ?" ON_CONFLICT, "i", initiative_id))
		return error("search: cannot index initiative %lld", (long long)initiative_id);
	return 0;
}

int search_index_comment(struct db *db, int64_t comment_id)
{
	if (db_execv(db,
		     "DELETE FROM search_docs WHERE kind = 'comment' AND object_id = ? AND"
		     " EXISTS (SELECT 1 FROM comments WHERE id = ? AND deleted_at IS NOT NULL)",
		     "ii", comment_id, comment_id) ||
	    db_execv(db, UPSERT COMMENT_DOC " WHERE id = ? AND deleted_at IS NULL" ON_CONFLICT, "i",
		     comment_id))
		return error("search: cannot index comment %lld", (long long)comment_id);
	return 0;
}

int search_index_all(struct db *db)
{
	static const char sql[] = UPSERT
		"SELECT territory_id, kind, object_id, link_type, link_id, title, body, created_at"
		" FROM (" NEED_DOC " UNION ALL " INITIATIVE_DOC " UNION ALL " COMMENT_DOC
		" WHERE deleted_at IS NULL) s ORDER BY created_at, kind, object_id";
	if (db_execv(db, sql, ""))
		return error("search: cannot fill the index");
	return 0;
}
