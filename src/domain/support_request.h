/*
 * Support requests: a project's carrier asks a partner for one of its
 * offers; the partner accepts or declines; accepted support is completed
 * with what was given. The states and who may move them are ONE table
 * (support_request_transitions in support_request.c); every move is one
 * transaction with its activity on the initiative (verbs Offer, Accept,
 * Reject, Undo, Update; details {request, offer, partner, state, need}),
 * so it lands in the project's activity log. Messages are never copied into
 * the activity details: only the carrier, the partner's members and the
 * animators may read them.
 */
#ifndef DOMAIN_SUPPORT_REQUEST_H
#define DOMAIN_SUPPORT_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define SUPPORT_MESSAGE_MAX 2000 /* characters */
#define SUPPORT_GIVEN_TEXT_MAX 500
#define SUPPORT_AMOUNT_MAX 100000000 /* euros */
#define SUPPORT_HOURS_MAX 100000

/* What a person is to a request; the table's `who` is a mask of these. */
enum support_who {
	SUPPORT_CARRIER = 1 << 0, /* may manage the project (journey_may_manage) */
	SUPPORT_PARTNER = 1 << 1, /* member of the offer's organisation, an accredited partner */
	SUPPORT_ANIMATOR = 1 << 2, /* animator or admin: may read, moves nothing */
};

struct support_transition {
	const char *from, *to;
	const char *verb; /* the activity's verb */
	unsigned who; /* enum support_who mask */
	int message_required;
};

extern const struct support_transition support_request_transitions[];
extern const size_t support_request_transition_count;

/* The row for from → to, or NULL. */
const struct support_transition *support_request_transition_find(const char *from, const char *to);

/* 1 if who (mask) may move a request from → to, else 0. */
int support_request_may(const char *from, const char *to, unsigned who);

enum support_result {
	SUPPORT_OK = 0,
	SUPPORT_STALE = 1, /* the state changed since it was seen, or a pending request exists: 409 */
	SUPPORT_REFUSED = 2, /* not a move of the table, or not for this person: 403 */
	SUPPORT_INVALID = 3, /* message missing or too long, bad need, offer closed, bad amounts: 422 */
	SUPPORT_NOT_FOUND = 4,
};

/* 1 if user_id acts for the organisation org_id (member of an accredited partner of the territory). 0, 1, -1. */
int support_partner_member(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id);

/*
 * What user_id is to request id: SUPPORT_PARTNER if they act for the
 * offer's organisation, SUPPORT_CARRIER if journey_may_manage() on the
 * initiative, SUPPORT_ANIMATOR if is_animator. *initiative_id is set.
 * 0, 1 if no such request in the territory, -1.
 */
int support_request_who(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
			int is_animator, unsigned *who, int64_t *initiative_id);

/* A new request as asked; need_id 0 for none. */
struct support_new {
	int64_t offer_id, initiative_id, need_id, actor_id;
	unsigned who; /* journey-derived: SUPPORT_CARRIER when the actor may manage the project */
	const char *message;
};

/*
 * Create a pending request with its "Offer" activity, in one transaction.
 * SUPPORT_REFUSED if who lacks SUPPORT_CARRIER, SUPPORT_NOT_FOUND (offer or
 * initiative not in the territory), SUPPORT_INVALID (empty or too long
 * message, offer inactive or closed, need not an open need of the project),
 * SUPPORT_STALE (a pending request for this offer and project exists), -1.
 */
int support_request_create(struct db *db, int64_t territory_id, const struct support_new *in,
			   int64_t *id);

struct support_move {
	int64_t actor_id;
	unsigned who; /* support_request_who() of the actor */
	const char *from; /* the state the person saw (NULL: the current one) */
	const char *to;
	const char *message; /* the answer (accept, decline) */
	int64_t given_amount_eur, given_hours; /* completed; -1 when not given */
	const char *given_text;
};

/*
 * Check m against the table and the current state and apply it in one
 * transaction with its activity; completing a request tied to a project
 * need marks that need met. A SUPPORT_* result, or -1.
 */
int support_request_move(struct db *db, int64_t territory_id, int64_t id, const struct support_move *m);

/*
 * The requests of initiative id, newest first: [{id, state, message, answer,
 * given_amount_eur|null, given_hours|null, given_text, created_at,
 * answered_at|null, completed_at|null, offer {id, title, kind}, partner {id,
 * slug, name}, need {id, kind, description}|null}]. New reference. 0 or -1.
 */
int support_request_list_for_initiative(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/*
 * A partner's dashboard for organisation org_id: pending (oldest first) and
 * accepted requests, as items like the list above plus initiative {id,
 * title} and requester {id, name}; totals {amount_eur, hours, count} of the
 * completed ones. New references. 0 or -1.
 */
int support_request_dashboard(struct db *db, int64_t territory_id, int64_t org_id, json_t **pending,
			      json_t **accepted, json_t **totals);

#endif
