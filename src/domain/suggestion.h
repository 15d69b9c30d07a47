/*
 * Suggestions: any member proposes a new title and/or text for an
 * initiative, with a short reason; its authors accept (the text changes, a
 * version credits the suggester) or decline with a reason. A suggestion
 * keeps the text it was made against: accepting it after the text changed
 * would silently undo that change, so it is refused (the authors edit).
 */
#ifndef DOMAIN_SUGGESTION_H
#define DOMAIN_SUGGESTION_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define SUGGESTION_REASON_MAX 500
#define SUGGESTION_ANSWER_MAX 500
#define SUGGESTION_OPEN_MAX 50 /* open suggestions shown on an initiative's page */

/*
 * Check a suggestion against the current title and body: new_title (NULL
 * or "" = unchanged) 1..VERSION_TITLE_MAX characters, new_body (NULL =
 * unchanged) within VERSION_BODY_MAX, reason within SUGGESTION_REASON_MAX,
 * and at least one of them different from the current text. A JSON object
 * {field: English msgid} ("title", "body", "reason"), empty when valid; new reference.
 */
json_t *suggestion_validate(const char *new_title, const char *new_body, const char *reason,
			    const char *cur_title, const char *cur_body);

/*
 * Record a suggestion against the initiative's current text, with its
 * "Create" activity, in one transaction. NULL title or body: unchanged.
 * 0 with *id set, 1 if no such initiative, -1.
 */
int suggestion_create(struct db *db, int64_t territory_id, int64_t initiative_id,
		      int64_t author_id, const char *title, const char *body, const char *reason,
		      int64_t *id);

/*
 * The open suggestions of an initiative, oldest first, at most
 * SUGGESTION_OPEN_MAX: [{id, author {id, name, deleted}, title|null,
 * body|null, reason, base_title, base_body, created_at}]. New reference. 0 or -1.
 */
int suggestion_list_open(struct db *db, int64_t territory_id, int64_t initiative_id,
			 json_t **out);

/*
 * One suggestion: {id, initiative_id, author, title|null, body|null, reason,
 * base_title, base_body, state, answer, created_at}. 0 with *out a new
 * reference, 1 if the territory has none with that id, -1.
 */
int suggestion_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

enum suggestion_result {
	SUGGESTION_OK = 0,
	SUGGESTION_NOT_FOUND = 1,
	SUGGESTION_ANSWERED = 2, /* no longer open: nothing written */
	SUGGESTION_STALE = 3, /* the text changed since it was made: nothing written */
};

/*
 * Accept suggestion id as actor_id (an author, checked by the caller): in
 * one transaction, mark it accepted if it is still open, apply it if its
 * base is still the current text, record a version crediting its author,
 * and the "Accept" (suggestion) and "Update" (initiative) activities.
 * Concurrent accepts have exactly one effect. *version (may be NULL) gets
 * the new version. An enum suggestion_result, or -1.
 */
int suggestion_accept(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		      int64_t *version);

/*
 * Decline suggestion id with a reason (answer), with the "Reject"
 * activity, if it is still open. An enum suggestion_result, or -1.
 */
int suggestion_decline(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		       const char *answer);

#endif
