/*
 * Neighbourhoods (quartiers) of a territory: where a need is felt or an
 * initiative happens, named by the territory's admins.
 */
#ifndef DOMAIN_NEIGHBOURHOOD_H
#define DOMAIN_NEIGHBOURHOOD_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define NEIGHBOURHOOD_NAME_MAX 100

/* The territory's neighbourhoods by name (at most 200): [{id, name}]. *out is a new reference. 0 or -1. */
int neighbourhood_list(struct db *db, int64_t territory_id, json_t **out);

/* The id of the neighbourhood with this name: 0 with *id set, 1 if none, -1 on error. */
int neighbourhood_find(struct db *db, int64_t territory_id, const char *name, int64_t *id);

/* 1 if neighbourhood id belongs to the territory, 0 if not, -1 on error. */
int neighbourhood_in_territory(struct db *db, int64_t territory_id, int64_t id);

/* Create one and its activity in the caller's transaction; *id gets its id. 0 or -1. */
int neighbourhood_insert(struct db *db, int64_t territory_id, const char *name, int64_t *id);

#endif
