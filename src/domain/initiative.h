/*
 * Initiatives: one entity that travels the journey idea → improving →
 * project → supported → realised (or leaves it: archived, merged). The
 * stages are one table, read by the lists, the badges and the journey strip.
 */
#ifndef DOMAIN_INITIATIVE_H
#define DOMAIN_INITIATIVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define INITIATIVE_TITLE_MAX 200
#define INITIATIVE_SUMMARY_MAX 500
#define INITIATIVE_BODY_MAX 50000
#define INITIATIVE_NEEDS_MAX 20

struct initiative_stage {
	const char *code; /* as stored in initiatives.stage */
	int position; /* order along the journey, from 1 */
	const char *label; /* English msgid, translated by the web layer */
	int on_journey; /* 1 for the five stages of the journey; 0 for archived, merged */
};

/* Every stage, by position. */
extern const struct initiative_stage initiative_stages[];
extern const size_t initiative_stage_count;

/* The stage called code, or NULL if there is none. */
const struct initiative_stage *initiative_stage_find(const char *code);

/* The msgid of an outcome kind ("enterprise", "event", "service"), or NULL if unknown. */
const char *initiative_outcome_label(const char *code);

/* A page of initiatives: newest first, before an id, optionally one stage and one theme. */
struct initiative_filter {
	int64_t before; /* keyset: only ids below this; 0 = from the newest */
	int limit; /* page size, 1..100 */
	const char *stage; /* a stage code, or NULL for all */
	int64_t theme_id; /* 0 for all */
};

/*
 * Initiatives matching f, newest first, in one query:
 *   {"items": [{id, title, summary, stage, outcome_kind|null,
 *               theme {slug, name}|null, neighbourhood|null,
 *               author {id, name, deleted}, carrier {slug, name}|null,
 *               support_count, comment_count, created_at}],
 *    "next_before": id of the last item when there is another page, else null}
 * author is {id: null, name: USER_DELETED_NAME, deleted: true} once the
 * account is deleted (row.h, row_author()).
 * *out is a new reference. 0 or -1 (also for an unknown stage).
 */
int initiative_list(struct db *db, int64_t territory_id, const struct initiative_filter *f,
		    json_t **out);

/*
 * Initiatives carried by an organisation, newest first, at most limit
 * (1..100): {"items": [...], "next_before"} as initiative_list() gives.
 * *out is a new reference. 0 or -1.
 */
int initiative_list_by_carrier(struct db *db, int64_t territory_id, int64_t org_id, int limit,
			       json_t **out);

/*
 * Initiatives answering a need, newest first, at most limit (1..100):
 * {"items": [...], "next_before"} as initiative_list() gives. *out is a new
 * reference. 0 or -1.
 */
int initiative_list_by_need(struct db *db, int64_t territory_id, int64_t need_id, int limit,
			    json_t **out);

/*
 * Initiatives a person proposed in the territory, newest first, at most
 * limit (1..100): {"items": [...], "next_before"} as initiative_list()
 * gives. *out is a new reference. 0 or -1.
 */
int initiative_list_by_author(struct db *db, int64_t territory_id, int64_t author_id, int limit,
			      json_t **out);

/* {"idea": n, "improving": n, ...} with every stage code, 0 when none. New reference. 0 or -1. */
int initiative_stage_counts(struct db *db, int64_t territory_id, json_t **out);

/*
 * One initiative: the list fields plus body, updated_at and the needs it
 * answers: "needs": [{id, title}] (at most INITIATIVE_NEEDS_MAX).
 * 0 with *out a new reference, 1 if the territory has no such initiative, -1 on error.
 */
int initiative_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/* What a new initiative holds; 0 ids and NULL strings mean none. */
struct initiative_new {
	int64_t author_id;
	int64_t carrier_org_id;
	const char *title;
	const char *summary;
	const char *body; /* Markdown */
	const char *stage; /* NULL = "idea" */
	const char *outcome_kind; /* NULL, or a kind initiative_outcome_label() knows */
	int64_t theme_id;
	int64_t neighbourhood_id;
	const int64_t *need_ids; /* needs of the same territory it answers */
	size_t n_needs;
	int64_t support_count; /* imports only */
	int64_t created_at; /* imports only; 0 = now */
};

/*
 * Create an initiative, link the needs it answers (their idea_count goes up)
 * and record its "Create" activity, in the caller's transaction. *id gets
 * its id. 0 or -1.
 */
int initiative_insert(struct db *db, int64_t territory_id, const struct initiative_new *in,
		      int64_t *id);

/* initiative_insert() in its own transaction: all written, or nothing. 0 or -1. */
int initiative_create(struct db *db, int64_t territory_id, const struct initiative_new *in,
		      int64_t *id);

#endif
