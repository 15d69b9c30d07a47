/*
 * Themes of a territory (mobility, food, solidarity...), chosen by its
 * admins: needs and initiatives are filed under one, and lists filter by it.
 */
#ifndef DOMAIN_THEME_H
#define DOMAIN_THEME_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define THEME_SLUG_MAX 64
#define THEME_NAME_MAX 100

/* The territory's themes by name (at most 200): [{id, slug, name}]. *out is a new reference. 0 or -1. */
int theme_list(struct db *db, int64_t territory_id, json_t **out);

/* The id of the theme with this slug: 0 with *id set, 1 if there is none, -1 on error. */
int theme_find(struct db *db, int64_t territory_id, const char *slug, int64_t *id);

/* 1 if theme id belongs to the territory, 0 if not, -1 on error. */
int theme_in_territory(struct db *db, int64_t territory_id, int64_t id);

/*
 * Create a theme and its activity in the caller's transaction. slug is
 * [a-z0-9-], 1..THEME_SLUG_MAX bytes. *id gets its id. 0 or -1.
 */
int theme_insert(struct db *db, int64_t territory_id, const char *slug, const char *name,
		 int64_t *id);

#endif
