/*
 * Messages a visitor sends to the territory's animators: the one form of
 * the foundation, and the first write that goes through the activity log.
 */
#ifndef DOMAIN_CONTACT_H
#define DOMAIN_CONTACT_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define CONTACT_NAME_MAX 100
#define CONTACT_EMAIL_MAX 254
#define CONTACT_BODY_MAX 5000

/*
 * Check a message. Returns a JSON object {field: msgid} of the problems
 * (empty when valid); new reference. Lengths are counted in characters.
 */
json_t *contact_validate(const char *name, const char *email, const char *body);

/*
 * Store a valid message and its activity in one transaction; *id gets the
 * message's id. 0 or -1.
 */
int contact_send(struct db *db, int64_t territory_id, const char *name, const char *email,
		 const char *body, int64_t *id);

/* Number of messages of a territory (tests, dashboard). -1 on error. */
int64_t contact_count(struct db *db, int64_t territory_id);

#endif
