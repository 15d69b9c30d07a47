/*
 * The terms of use. Each version is a row of `terms` (Markdown); the
 * current one is the highest. People record the version they accepted
 * (users.terms_version): when a newer one is published they accept again on
 * their next log-in, or delete their account. Migration 0006 publishes
 * version 1.
 */
#ifndef DOMAIN_TERMS_H
#define DOMAIN_TERMS_H

#include <stdint.h>

#include "core/arena.h"

struct db;

struct terms {
	int version;
	const char *body; /* Markdown */
	int64_t published_at;
};

/* The current version number: 0 when none was published, -1 on error. */
int terms_current_version(struct db *db);

/* The current terms (arena strings). 0 with *out set, 1 when none was published, -1 on error. */
int terms_current(struct db *db, struct arena *a, struct terms **out);

/*
 * Publish body (Markdown, not empty) as the next version, in the caller's
 * transaction, with its activity ("Create terms") in territory_id (0: the
 * install) by actor_id (0: the system). 0 with *version set, or -1.
 */
int terms_publish(struct db *db, int64_t territory_id, int64_t actor_id, const char *body,
		  int *version);

/* 1 if a person who accepted `accepted` must accept the current version, 0 if not, -1 on error. */
int terms_must_accept(struct db *db, int accepted);

#endif
