/*
 * RFC 5545 output. Folding counts octets, as the RFC does, but never cuts
 * inside a UTF-8 sequence: a continuation byte is never the first of a
 * folded line, so a calendar that unfolds by deleting "CRLF SPACE" gets the
 * exact text back.
 */
#include "core/ical.h"

#include <string.h>
#include <time.h>

#include "core/banned.h"

static void add_text_prop(struct buf *b, const char *name, const char *text)
{
	if (!text)
		return;
	struct buf v = BUF_INIT;
	ical_escape_text(&v, text);
	ical_line(b, name, v.ptr, v.len);
	buf_release(&v);
}

void ical_escape_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\':
		case ';':
		case ',':
			buf_addch(b, '\\');
			buf_addch(b, *s);
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			break;
		default:
			/* Other controls are not allowed in TEXT: drop them. */
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				buf_addch(b, *s);
		}
	}
}

void ical_line(struct buf *b, const char *name, const char *value, size_t len)
{
	struct buf line = BUF_INIT;
	buf_adds(&line, name);
	buf_addch(&line, ':');
	buf_add(&line, value, len);
	size_t col = 0;
	for (size_t i = 0; i < line.len; i++) {
		unsigned char c = (unsigned char)line.ptr[i];
		/* Fold before a character that would start beyond the limit. */
		size_t clen = 1;
		if (c >= 0xC0)
			while (i + clen < line.len && ((unsigned char)line.ptr[i + clen] & 0xC0) == 0x80)
				clen++;
		if (col + clen > ICAL_LINE_MAX) {
			buf_adds(b, "\r\n ");
			col = 1;
		}
		buf_add(b, line.ptr + i, clen);
		col += clen;
		i += clen - 1;
	}
	buf_adds(b, "\r\n");
	buf_release(&line);
}

void ical_utc(struct buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char s[32];
	strftime(s, sizeof(s), "%Y%m%dT%H%M%SZ", &tm);
	buf_adds(b, s);
}

static void add_time_prop(struct buf *b, const char *name, int64_t t)
{
	struct buf v = BUF_INIT;
	ical_utc(&v, t);
	ical_line(b, name, v.ptr, v.len);
	buf_release(&v);
}

void ical_begin(struct buf *b, const char *prodid)
{
	buf_adds(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ical_line(b, "PRODID", prodid, strlen(prodid));
	buf_adds(b, "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
}

void ical_add_event(struct buf *b, const struct ical_event *ev)
{
	buf_adds(b, "BEGIN:VEVENT\r\n");
	add_text_prop(b, "UID", ev->uid);
	add_time_prop(b, "DTSTAMP", ev->dtstamp);
	add_time_prop(b, "DTSTART", ev->start);
	if (ev->end > ev->start)
		add_time_prop(b, "DTEND", ev->end);
	add_text_prop(b, "SUMMARY", ev->summary);
	add_text_prop(b, "DESCRIPTION", ev->description);
	add_text_prop(b, "LOCATION", ev->location);
	if (ev->url)
		ical_line(b, "URL", ev->url, strlen(ev->url));
	buf_adds(b, "END:VEVENT\r\n");
}

void ical_end(struct buf *b)
{
	buf_adds(b, "END:VCALENDAR\r\n");
}
