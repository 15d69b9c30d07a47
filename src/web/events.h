/*
 * Events that realised initiatives became: the /events list (upcoming
 * first, then past, each paginated) and their iCalendar files, one event or
 * all upcoming ones (core/ical.h).
 */
#ifndef WEB_EVENTS_H
#define WEB_EVENTS_H

#include "http/request.h"

/* GET /events?upcoming=AT.ID&past=AT.ID: upcoming events, soonest first, then past ones. */
void events_index(struct request *req, struct response *res);
/* GET /events.ics: every upcoming event of the territory (at most 500). */
void events_ics(struct request *req, struct response *res);
/* GET /initiatives/{id}/event.ics: one realised initiative's event; 404 when it is not one. */
void events_initiative_ics(struct request *req, struct response *res);

#endif
