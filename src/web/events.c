/*
 * The events list and the iCalendar files. A cursor is "AT.ID" (the
 * event's start and its initiative's id), so pages hold still while events
 * are added; the two lists page independently.
 */
#include "web/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/ical.h"
#include "core/mem.h"
#include "domain/initiative.h"
#include "domain/outcome.h"
#include "domain/territory.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

#define EVENTS_PAGE 20
#define EVENTS_ICS_MAX 500

static const char *const index_params[] = { "upcoming", "past" };

/* "AT.ID" → 0 with both set (0, 0 when absent), -1 when malformed. */
static int read_cursor(const struct request *req, const char *name, int64_t *at, int64_t *id)
{
	*at = *id = 0;
	const char *v = listing_param(req, name);
	if (!v)
		return 0;
	long long a, i;
	char tail;
	if (strlen(v) > 40 || sscanf(v, "%lld.%lld%c", &a, &i, &tail) != 2 || i <= 0 || a == 0)
		return -1;
	*at = a;
	*id = i;
	return 0;
}

static void event_labels(struct request *req, json_t *items)
{
	size_t i;
	json_t *e;
	char s[32];
	json_array_foreach(items, i, e) {
		listing_href(req, e, "/initiatives/");
		int64_t start = json_integer_value(json_object_get(e, "starts_at"));
		outcome_paris_format(start, s);
		json_object_set_new(e, "start_iso", json_string(s));
		json_object_set_new(e, "start_text",
				    json_string(arena_printf(req->arena, "%.10s %s %.5s", s,
							     page_tr(req, "at"), s + 11)));
		json_object_set_new(e, "ics_href",
				    json_string(arena_printf(req->arena, "/initiatives/%lld/event.ics",
							     (long long)json_integer_value(json_object_get(e, "id")))));
	}
}

/* The link to the next page of one list, the other list's cursor kept. */
static const char *next_href(struct request *req, const char *name, const json_t *next,
			     const char *other_name, const char *other)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/events?%s=%lld.%lld", name,
		 (long long)json_integer_value(json_object_get(next, "at")),
		 (long long)json_integer_value(json_object_get(next, "id")));
	if (other) {
		buf_addf(&b, "&%s=", other_name);
		buf_add_url_encoded(&b, other, strlen(other));
	}
	const char *href = page_link(req, b.ptr);
	buf_release(&b);
	return href;
}

void events_index(struct request *req, struct response *res)
{
	int64_t up_at, up_id, past_at, past_id;
	if (!listing_query_allowed(req, index_params, ARRAY_SIZE(index_params)) ||
	    read_cursor(req, "upcoming", &up_at, &up_id) || read_cursor(req, "past", &past_at, &past_id)) {
		page_error(req, res, 400);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	json_t *up, *past;
	if (outcome_events(req->db, req->territory->id, now, 1, up_at, up_id, EVENTS_PAGE, &up)) {
		page_error(req, res, 500);
		return;
	}
	if (outcome_events(req->db, req->territory->id, now, 0, past_at, past_id, EVENTS_PAGE, &past)) {
		json_decref(up);
		page_error(req, res, 500);
		return;
	}
	json_t *up_items = json_object_get(up, "items"), *past_items = json_object_get(past, "items");
	event_labels(req, up_items);
	event_labels(req, past_items);
	json_t *model = json_pack("{s:O, s:O, s:b, s:b, s:s}", "upcoming", up_items, "past",
				  past_items, "has_upcoming", json_array_size(up_items) > 0, "has_past",
				  json_array_size(past_items) > 0, "ics_href", "/events.ics");
	const char *up_cur = listing_param(req, "upcoming"), *past_cur = listing_param(req, "past");
	if (json_is_object(json_object_get(up, "next")))
		json_object_set_new(model, "upcoming_next",
				    json_string(next_href(req, "upcoming", json_object_get(up, "next"),
							  "past", past_cur)));
	if (json_is_object(json_object_get(past, "next")))
		json_object_set_new(model, "past_next",
				    json_string(next_href(req, "past", json_object_get(past, "next"),
							  "upcoming", up_cur)));
	if (up_cur || past_cur)
		json_object_set_new(model, "first_href", json_string(page_link(req, "/events")));
	json_decref(up);
	json_decref(past);
	page_render(req, res, 200, "events/list", page_tr(req, "Events"), model);
}

/* "https://host" as the visitor reached us, for URLs inside the calendar. */
static const char *base_url(const struct request *req)
{
	const char *host = request_header(req, "host");
	if (!host || !*host || strpbrk(host, " \r\n\t/\\"))
		host = "localhost";
	return arena_printf(req->arena, "%s://%s", req->https ? "https" : "http", host);
}

static void add_event(struct request *req, struct buf *b, const json_t *e, int64_t now)
{
	int64_t id = json_integer_value(json_object_get(e, "id"));
	const char *host = req->host && *req->host ? req->host : "tremplin.invalid";
	json_t *end = json_object_get(e, "ends_at");
	struct ical_event ev = {
		.uid = arena_printf(req->arena, "initiative-%lld@%s", (long long)id, host),
		.summary = json_string_value(json_object_get(e, "title")),
		.description = json_string_value(json_object_get(e, "impact")),
		.location = json_string_value(json_object_get(e, "place")),
		.url = arena_printf(req->arena, "%s/initiatives/%lld", base_url(req), (long long)id),
		.dtstamp = now,
		.start = json_integer_value(json_object_get(e, "starts_at")),
		.end = json_is_integer(end) ? json_integer_value(end) : 0,
	};
	ical_add_event(b, &ev);
}

static void send_ics(struct request *req, struct response *res, struct buf *b, const char *name)
{
	response_text(res, 200, "text/calendar; charset=utf-8", b->ptr, b->len);
	response_header(res, req->arena, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"%s\"", name));
	buf_release(b);
}

static const char *prodid(const struct request *req)
{
	return arena_printf(req->arena, "-//Tremplin//%s//%s", req->territory->name,
			    strcmp(req->lang, "en") ? "FR" : "EN");
}

void events_ics(struct request *req, struct response *res)
{
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	json_t *page;
	if (outcome_events(req->db, req->territory->id, now, 1, 0, 0, 100, &page)) {
		page_error(req, res, 500);
		return;
	}
	struct buf b = BUF_INIT;
	ical_begin(&b, prodid(req));
	/* outcome_events() caps a page at 100: follow the cursor up to EVENTS_ICS_MAX. */
	for (int n = 0; page && n < EVENTS_ICS_MAX; ) {
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(page, "items"), i, e) {
			add_event(req, &b, e, now);
			n++;
		}
		json_t *next = json_object_get(page, "next");
		json_t *more = NULL;
		if (json_is_object(next) &&
		    outcome_events(req->db, req->territory->id, now, 1,
				   json_integer_value(json_object_get(next, "at")),
				   json_integer_value(json_object_get(next, "id")), 100, &more))
			more = NULL;
		json_decref(page);
		page = more;
	}
	json_decref(page);
	ical_end(&b);
	send_ics(req, res, &b, "events.ics");
}

void events_initiative_ics(struct request *req, struct response *res)
{
	int64_t id = page_id_param(req, "id");
	json_t *in = NULL, *o = NULL;
	int rc = id < 0 ? 1 : initiative_get(req->db, req->territory->id, id, &in);
	if (rc == 0)
		rc = outcome_get(req->db, req->territory->id, id, &o);
	if (rc == 0 && (!json_is_integer(json_object_get(o, "starts_at")) ||
			strcmp(json_string_value(json_object_get(in, "stage")), "realised")))
		rc = 1;
	if (rc) {
		json_decref(in);
		json_decref(o);
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	json_object_set(o, "id", json_object_get(in, "id"));
	json_object_set(o, "title", json_object_get(in, "title"));
	struct buf b = BUF_INIT;
	ical_begin(&b, prodid(req));
	add_event(req, &b, o, (int64_t)time(NULL));
	ical_end(&b);
	json_decref(in);
	json_decref(o);
	send_ics(req, res, &b, arena_printf(req->arena, "initiative-%lld.ics", (long long)id));
}
