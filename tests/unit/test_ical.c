/*
 * The iCalendar writer: CRLF everywhere, no line over 75 octets, folding
 * that never cuts a UTF-8 character and unfolds to the exact text, TEXT
 * escaping of \ ; , and newlines, UTC times.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/ical.h"

/* Every line ends in CRLF, no bare LF or CR, none longer than 75 octets. */
static void assert_lines_ok(const struct buf *b)
{
	size_t start = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (b->ptr[i] == '\r') {
			assert_true(i + 1 < b->len && b->ptr[i + 1] == '\n');
			assert_true(i - start <= ICAL_LINE_MAX);
			start = i + 2;
			i++;
		} else {
			assert_int_not_equal(b->ptr[i], '\n');
		}
	}
	assert_int_equal(start, b->len); /* ends with CRLF */
}

/* Unfold (delete CRLF + one space) into a new malloc'd string. */
static char *unfold(const struct buf *b)
{
	char *out = malloc(b->len + 1);
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (b->ptr[i] == '\r' && i + 2 < b->len && b->ptr[i + 1] == '\n' && b->ptr[i + 2] == ' ') {
			i += 2;
			continue;
		}
		out[n++] = b->ptr[i];
	}
	out[n] = '\0';
	return out;
}

static void test_escaping(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	ical_escape_text(&b, "a\\b;c,d\ne\r\nf");
	assert_string_equal(b.ptr, "a\\\\b\\;c\\,d\\ne\\nf");
	buf_release(&b);
}

static void test_folding_ascii_and_utf8(void **state)
{
	(void)state;
	char value[600];
	/* 3-octet characters (€) where a fold at octet 75 would cut one. */
	size_t n = 0;
	for (int i = 0; i < 100; i++) {
		memcpy(value + n, "é€", 5);
		n += 5;
	}
	value[n] = '\0';
	struct buf b = BUF_INIT;
	ical_line(&b, "DESCRIPTION", value, n);
	assert_lines_ok(&b);
	/* Each continuation line starts with a space followed by a character start. */
	for (size_t i = 0; i + 3 < b.len; i++)
		if (b.ptr[i] == '\n' && i + 1 < b.len)
			assert_int_not_equal((unsigned char)b.ptr[i + 2] & 0xC0, 0x80);
	char *u = unfold(&b);
	char expect[700];
	snprintf(expect, sizeof(expect), "DESCRIPTION:%s\r\n", value);
	assert_string_equal(u, expect);
	free(u);
	buf_release(&b);

	/* Exactly 75 octets: not folded. 76: folded once. */
	char s[80];
	memset(s, 'x', 75 - 4);
	buf_init(&b, 0);
	ical_line(&b, "UID", s, 75 - 4);
	assert_int_equal(b.len, 77);
	buf_release(&b);
	memset(s, 'x', 76 - 4);
	buf_init(&b, 0);
	ical_line(&b, "UID", s, 76 - 4);
	assert_int_equal(b.len, 76 + 2 + 3);
	assert_memory_equal(b.ptr + 75, "\r\n x\r\n", 6);
	buf_release(&b);
}

static void test_calendar(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct ical_event ev = {
		.uid = "initiative-12@sceaux.example",
		.summary = "Fête des voisins; repas, musique",
		.description = "Ligne 1\nLigne 2",
		.location = "Place du Général-de-Gaulle, Sceaux",
		.url = "https://sceaux.example/initiatives/12",
		.dtstamp = 1795824000, /* 2026-11-28T00:00:00Z */
		.start = 1798106400, /* 2026-12-24T10:00:00Z */
		.end = 1798113600,
	};
	ical_begin(&b, "-//Tremplin//Test//FR");
	ical_add_event(&b, &ev);
	ical_end(&b);
	assert_lines_ok(&b);
	char *u = unfold(&b);
	assert_non_null(strstr(u, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tremplin//Test//FR\r\n"));
	assert_non_null(strstr(u, "BEGIN:VEVENT\r\nUID:initiative-12@sceaux.example\r\n"));
	assert_non_null(strstr(u, "DTSTAMP:20261128T000000Z\r\n"));
	assert_non_null(strstr(u, "DTSTART:20261224T100000Z\r\n"));
	assert_non_null(strstr(u, "DTEND:20261224T120000Z\r\n"));
	assert_non_null(strstr(u, "SUMMARY:Fête des voisins\\; repas\\, musique\r\n"));
	assert_non_null(strstr(u, "DESCRIPTION:Ligne 1\\nLigne 2\r\n"));
	assert_non_null(strstr(u, "LOCATION:Place du Général-de-Gaulle\\, Sceaux\r\n"));
	assert_non_null(strstr(u, "END:VEVENT\r\nEND:VCALENDAR\r\n"));
	free(u);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_folding_ascii_and_utf8),
		cmocka_unit_test(test_calendar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
