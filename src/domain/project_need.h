/*
 * What a project states it needs, as structured items a partner can match
 * an offer against: money (an amount in euros), premises (surface in m²,
 * duration in months), coaching, training, equipment, volunteers, other;
 * each open or met.
 */
#ifndef DOMAIN_PROJECT_NEED_H
#define DOMAIN_PROJECT_NEED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define PROJECT_NEED_DESCRIPTION_MAX 500
#define PROJECT_NEEDS_MAX 50 /* items per project */

struct project_need_kind {
	const char *code;
	const char *label; /* English msgid */
};
extern const struct project_need_kind project_need_kinds[];
extern const size_t project_need_kind_count;

/* The kind called code, or NULL. */
const struct project_need_kind *project_need_kind_find(const char *code);

/* A need as typed in the form (any field NULL). */
struct project_need_form {
	const char *kind, *description, *amount, *surface, *duration, *state;
};

/* A checked need; amounts 0 when not given or not for that kind. */
struct project_need_input {
	const char *kind;
	const char *description;
	int64_t amount_eur, surface_m2, duration_months;
	const char *state; /* "open" | "met" */
};

/* Check a form, fill *out. A new JSON object {field: English msgid}, empty when fine. */
json_t *project_need_validate(const struct project_need_form *in, struct project_need_input *out);

/* Add a need to initiative id with an "Add" activity, in one transaction. 0, 1 when the project has PROJECT_NEEDS_MAX, -1. */
int project_need_add(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		     const struct project_need_input *in, int64_t *need_id);

/* The initiative of need need_id: 0 with *initiative_id, 1 if none in the territory, -1. */
int project_need_find(struct db *db, int64_t territory_id, int64_t need_id, int64_t *initiative_id);

/* Replace need need_id with an "Update" activity, in one transaction. 0 or -1. */
int project_need_update(struct db *db, int64_t territory_id, int64_t need_id, int64_t actor_id,
			const struct project_need_input *in);

/*
 * The needs of initiative id, in the order given: [{id, kind, description,
 * amount_eur|null, surface_m2|null, duration_months|null, state}]. New
 * reference. 0 or -1.
 */
int project_need_list(struct db *db, int64_t id, json_t **out);

#endif
