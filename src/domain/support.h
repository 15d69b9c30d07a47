/*
 * The community's signals: "me too" on a need, support (+1) on an
 * initiative, and following either. Each is once per person and can be
 * withdrawn; the database enforces "once" (primary keys), and the counters
 * shown everywhere (needs.metoo_count, initiatives.support_count) change
 * in the same transaction as the row, only when a row was really added or
 * removed, so any number of identical requests at once leave one signal
 * and a counter that matches it.
 */
#ifndef DOMAIN_SUPPORT_H
#define DOMAIN_SUPPORT_H

#include <stdint.h>

struct db;

/* The kinds of signal: one row each in the table of support.c. */
enum signal_kind {
	SIGNAL_SUPPORT, /* support an initiative (+1): supports, initiatives.support_count */
	SIGNAL_METOO, /* "me too" on a need: need_metoos, needs.metoo_count */
	SIGNAL_FOLLOW_INITIATIVE, /* follows (object_type 'initiative') */
	SIGNAL_FOLLOW_NEED, /* follows (object_type 'need') */
	SIGNAL__COUNT
};

/*
 * Give (on = 1) or withdraw (on = 0) user_id's signal of this kind on the
 * object of the territory, with its counter and its activity ("Like",
 * "Follow", or "Undo" with {"undo": verb}), in one transaction of its own.
 * *changed (may be NULL) is 1 when a row was added or removed, 0 when the
 * signal already was as asked (nothing written, no activity).
 * 0, 1 if the territory has no such object, -1 on error.
 */
int signal_set(struct db *db, enum signal_kind kind, int64_t territory_id, int64_t object_id,
	       int64_t user_id, int on, int *changed);

/* 1 if user_id gives this signal on the object, 0 if not, -1 on error. */
int signal_given(struct db *db, enum signal_kind kind, int64_t object_id, int64_t user_id);

/* How many people give this signal on the object: 0 with *n set, or -1. */
int signal_count(struct db *db, enum signal_kind kind, int64_t object_id, int64_t *n);

#endif
