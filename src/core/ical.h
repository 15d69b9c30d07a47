/*
 * An iCalendar (RFC 5545) writer for the events that realised initiatives
 * became: CRLF line ends, content lines folded at 75 octets without cutting
 * a UTF-8 character, TEXT values escaped (\ ; , and newlines), times in UTC.
 * It writes only what calendars need to import an event: VCALENDAR with
 * VERSION, PRODID and METHOD, and VEVENTs with UID, DTSTAMP, DTSTART,
 * DTEND, SUMMARY, DESCRIPTION, LOCATION and URL.
 */
#ifndef CORE_ICAL_H
#define CORE_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* The longest content line in octets, CRLF excluded (RFC 5545, 3.1). */
#define ICAL_LINE_MAX 75

/* One event; strings may be NULL (the property is left out), except uid and summary. */
struct ical_event {
	const char *uid; /* globally unique: "initiative-12@host" */
	const char *summary;
	const char *description;
	const char *location;
	const char *url;
	int64_t dtstamp; /* when this copy was made, Unix seconds */
	int64_t start; /* Unix seconds */
	int64_t end; /* Unix seconds; 0 = no DTEND */
};

/* Append "BEGIN:VCALENDAR" and its properties; prodid like "-//Tremplin//Events//FR". */
void ical_begin(struct buf *b, const char *prodid);
/* Append one VEVENT. */
void ical_add_event(struct buf *b, const struct ical_event *ev);
/* Append "END:VCALENDAR". */
void ical_end(struct buf *b);

/*
 * Append the content line "name:value" (value already in iCalendar form),
 * folded at ICAL_LINE_MAX octets, ending in CRLF.
 */
void ical_line(struct buf *b, const char *name, const char *value, size_t len);
/* Append s as an escaped TEXT value: \ ; , become \\ \; \, and newlines \n (CR dropped). */
void ical_escape_text(struct buf *b, const char *s);
/* Append t (Unix seconds) as a UTC DATE-TIME: 20261128T143000Z. */
void ical_utc(struct buf *b, int64_t t);

#endif
