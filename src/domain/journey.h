/*
 * The journey of an initiative as one table: from which stage to which, who
 * may make the move (its authors, the territory's animators), and whether a
 * public note must say why. Every move is checked against the table and the
 * stage the person saw, and recorded as a "Move" activity in the same
 * transaction: the timeline is read back from the activity log.
 */
#ifndef DOMAIN_JOURNEY_H
#define DOMAIN_JOURNEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;
struct outcome_new;

#define JOURNEY_NOTE_MAX 500 /* characters */

/* What a person is to an initiative; the table's `who` is a mask of these. */
enum journey_who {
	JOURNEY_AUTHOR = 1 << 0, /* wrote it */
	JOURNEY_ANIMATOR = 1 << 1, /* animator or admin of the territory */
	JOURNEY_CARRIER = 1 << 2, /* carries the project, in person or through an organisation */
};

struct journey_transition {
	const char *from; /* a stage code, or "*" for every stage on the journey */
	const char *to;
	unsigned who; /* enum journey_who mask */
	int note_required;
};

extern const struct journey_transition journey_transitions[];
extern const size_t journey_transition_count;

/* The row for from → to, or NULL when the journey has no such move. */
const struct journey_transition *journey_transition_find(const char *from, const char *to);

/* 1 if someone who is `who` (mask) may move an initiative from → to, else 0. */
int journey_may_move(const char *from, const char *to, unsigned who);

/*
 * What user_id is to initiative id (mask of enum journey_who); is_animator
 * says whether their role in the territory is animator or admin. *who is 0
 * for a visitor (user_id 0). 0, 1 if the territory has no such initiative, -1.
 */
int journey_who(struct db *db, int64_t territory_id, int64_t id, int64_t user_id, int is_animator,
		unsigned *who);

/* 1 if who may run the project: its team, needs, skills (authors, carrier, animators). */
int journey_may_manage(unsigned who);

/* A move as asked; NULL / 0 for what does not apply. */
struct journey_move {
	int64_t actor_id;
	unsigned who; /* journey_who() of the actor */
	const char *from; /* the stage the person saw */
	const char *to;
	const char *note;
	int64_t merged_into; /* to "merged": the initiative it joins */
	int64_t carrier_user_id; /* to "project": the carrier, a person... */
	int64_t carrier_org_id; /* ...or one of their organisations */
	const struct outcome_new *outcome; /* to "realised": what it became */
};

enum journey_result {
	JOURNEY_OK = 0,
	JOURNEY_STALE = 1, /* the stage changed since the person saw it: 409 */
	JOURNEY_REFUSED = 2, /* not a move of the table, or not for this person: 403 */
	JOURNEY_INVALID = 3, /* note missing or too long, bad merge target or carrier: 422 */
	JOURNEY_NOT_FOUND = 4,
};

/*
 * Check m against the table and the current stage and apply it in one
 * transaction with its "Move" activity (details {from, to, note}), the
 * carrier, the merge target or the outcome. A JOURNEY_* result, or -1 on
 * a database error.
 */
int journey_move(struct db *db, int64_t territory_id, int64_t id, const struct journey_move *m);

/*
 * An author asks the animators to make the initiative a project: records
 * an "Offer" activity and the time of the request. JOURNEY_OK,
 * JOURNEY_REFUSED (not an author, or not at idea/improving), -1.
 */
int journey_request_project(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			    unsigned who);

/*
 * The journey facts of an initiative: {author_id (0 once deleted), stage, stage_note, project_requested_at|null,
 * carrier_user {id, name}|null, carrier_org {id, slug, name}|null,
 * merged_into {id, title}|null}. 0 with *out a new reference, 1 if none, -1.
 */
int journey_state(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/*
 * The initiative's timeline, oldest first, at most limit entries (the
 * newest kept when cut): [{verb ("Create"|"Move"|"Offer"), from, to, note,
 * at, actor {id, name, deleted}}]. *out is a new reference. 0 or -1.
 */
int journey_timeline(struct db *db, int64_t territory_id, int64_t id, int limit, json_t **out);

#endif
