/*
 * Needs (besoins): problems or wishes observed on a territory, the start of
 * the journey. Ideas answer needs; a need that no idea answers yet is what
 * the home page invites people to work on.
 */
#ifndef DOMAIN_NEED_H
#define DOMAIN_NEED_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* Limits on what a need may hold (characters). */
#define NEED_TITLE_MAX 200
#define NEED_BODY_MAX 20000

/* A page of needs: newest first, before an id, at most `limit` items. */
struct need_filter {
	int64_t before; /* keyset: only ids below this; 0 = from the newest */
	int limit; /* page size, 1..100 */
	int without_idea; /* 1: only needs no idea answers yet */
};

/*
 * Needs of the territory matching f, newest first, in one query:
 *   {"items": [{id, title, excerpt, theme {slug, name}|null,
 *               neighbourhood|null, author {id, name, deleted},
 *               metoo_count, idea_count, created_at}],
 *    "next_before": id of the last item when there is another page, else null}
 * author is {id: null, name: USER_DELETED_NAME, deleted: true} once the
 * account is deleted (row.h, row_author()).
 * *out is a new reference. 0 or -1.
 */
int need_list(struct db *db, int64_t territory_id, const struct need_filter *f, json_t **out);

/*
 * The needs a person posted in the territory, newest first, at most limit
 * (1..100): {"items", "next_before"} as need_list() gives. *out is a new
 * reference. 0 or -1.
 */
int need_list_by_author(struct db *db, int64_t territory_id, int64_t author_id, int limit,
			json_t **out);

/* How many needs the territory has, and how many of them no idea answers. 0 or -1. */
int need_counts(struct db *db, int64_t territory_id, int64_t *total, int64_t *without_idea);

/*
 * One need with its names joined, and the initiatives answering it
 * (newest first, at most 50):
 *   {id, title, body, theme|null, neighbourhood|null, author, lat|null,
 *    lng|null, metoo_count, idea_count, created_at, updated_at,
 *    "ideas": [initiative_list() items]}
 * 0 with *out a new reference, 1 if the territory has no such need, -1 on error.
 */
int need_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/* 1 if need id belongs to the territory, 0 if not, -1 on error. */
int need_in_territory(struct db *db, int64_t territory_id, int64_t id);

/* What a new need holds; 0 ids mean none. */
struct need_new {
	int64_t author_id;
	const char *title;
	const char *body; /* Markdown; NULL = "" */
	int64_t theme_id;
	int64_t neighbourhood_id;
	int has_location;
	double lat, lng;
	int64_t metoo_count; /* imports only; 0 for a new need */
	int64_t created_at; /* imports only; 0 = now */
};

/*
 * Create a need and its "Create" activity in the caller's transaction (for
 * loaders and writes made of several steps). *id gets its id. 0 or -1.
 */
int need_insert(struct db *db, int64_t territory_id, const struct need_new *n, int64_t *id);

/* need_insert() in its own transaction: all written, or nothing. 0 or -1. */
int need_create(struct db *db, int64_t territory_id, const struct need_new *n, int64_t *id);

#endif
