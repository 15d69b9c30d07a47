/*
 * What a realised initiative became: an enterprise (legal form, date of
 * creation), an event (start, end, place: listed at /events and given as
 * iCalendar) or a lasting service (what it offers), and in every case a
 * short text on what it changed. Times typed in a form are read as
 * Europe/Paris wall-clock time and stored as Unix seconds.
 */
#ifndef DOMAIN_OUTCOME_H
#define DOMAIN_OUTCOME_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define OUTCOME_LEGAL_FORM_MAX 100
#define OUTCOME_PLACE_MAX 200
#define OUTCOME_DESCRIPTION_MAX 2000
#define OUTCOME_IMPACT_MAX 1000

/* A checked outcome, ready to save. Strings are borrowed. */
struct outcome_new {
	const char *kind; /* "enterprise" | "event" | "service" */
	const char *legal_form;
	const char *founded_on; /* YYYY-MM-DD */
	int64_t starts_at, ends_at; /* Unix seconds; ends_at 0 = none */
	const char *place;
	const char *description;
	const char *impact;
};

/* The outcome form as typed (each field may be NULL). */
struct outcome_form {
	const char *kind, *legal_form, *founded_on, *starts_at, *ends_at, *place, *description,
		*impact;
};

/*
 * Check a typed form and fill *out (borrowing its strings). Returns a new
 * JSON object {field: English msgid} of the problems, empty when none.
 */
json_t *outcome_validate(const struct outcome_form *in, struct outcome_new *out);

/*
 * Record (or replace) the outcome of initiative id and set its outcome
 * kind, in the caller's transaction, with an "Update" activity when it
 * replaces one. 0 or -1.
 */
int outcome_save(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		 const struct outcome_new *o);

/* outcome_save() in its own transaction. 0 or -1. */
int outcome_record(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		   const struct outcome_new *o);

/*
 * The outcome of initiative id: {kind, legal_form, founded_on, starts_at|null,
 * ends_at|null, place, description, impact}. 0 with *out a new reference,
 * 1 if none, -1.
 */
int outcome_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/*
 * A page of the territory's events: upcoming (still running at now, soonest
 * first, after the cursor (starts_at, id)) or past (latest first, before the
 * cursor). cursor_at 0 = from the start. {"items": [{id (initiative), title,
 * starts_at, ends_at|null, place, impact}], "next": {at, id}|null}. New
 * reference. 0 or -1.
 */
int outcome_events(struct db *db, int64_t territory_id, int64_t now, int upcoming,
		   int64_t cursor_at, int64_t cursor_id, int limit, json_t **out);

/* Europe/Paris wall-clock time (EU summer time rules) to Unix seconds, and back. */
int64_t outcome_paris_to_utc(int year, int month, int day, int hour, int minute);
/* Fill *tm-like fields of t in Europe/Paris: "YYYY-MM-DDTHH:MM" into s (17 bytes + NUL). */
void outcome_paris_format(int64_t t, char s[32]);

#endif
