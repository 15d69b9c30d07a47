/*
 * Full-text search of a territory: needs, initiatives at every stage and
 * comments (db/migrations/0017_search.sql). The index is a table the domain
 * writes in the transaction of every write that changes a searched text
 * (search_index_*), so a search never misses what a committed write said.
 *
 * A query is the words a person typed: every word must match (AND), case
 * and accents aside ("velo" finds "Vélo"). The words are taken out of the
 * text here and quoted one by one, so nothing typed is ever FTS or SQL
 * syntax. Up to SEARCH_RANK_MAX matches are ranked by relevance (a word in
 * a title weighs more); beyond, ranking would cost more than the answer is
 * worth, and the matches come newest first. Pages go by key, never by
 * offset: each answer carries the key of the next page.
 */
#ifndef DOMAIN_SEARCH_H
#define DOMAIN_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define SEARCH_QUERY_MAX 200 /* characters a query may have */
#define SEARCH_TERMS_MAX 8   /* words a query may have */
#define SEARCH_TERM_BYTES 64 /* a longer word is cut (no real word is that long) */
#define SEARCH_RANK_MAX 1000 /* more matches than this: newest first, not ranked */
#define SEARCH_PAGE_MAX 50

/* What to look in; SEARCH_ALL by default. */
enum search_kind {
	SEARCH_ALL,
	SEARCH_NEEDS,
	SEARCH_INITIATIVES, /* ideas and projects, at every stage */
	SEARCH_COMMENTS,
};

/* Why a query is refused (positive, so that -1 stays "database error"). */
enum search_refusal {
	SEARCH_EMPTY = 1,      /* no word in it: the page explains how to search */
	SEARCH_TOO_LONG,       /* over SEARCH_QUERY_MAX characters */
	SEARCH_TOO_MANY_TERMS, /* over SEARCH_TERMS_MAX words */
	SEARCH_BAD_KEY,        /* the page key is not one this module wrote */
	SEARCH_BAD_TEXT,       /* not valid UTF-8 */
};

struct search_query {
	const char *text;  /* what the person typed */
	enum search_kind kind;
	const char *after; /* "next" of the page before, or NULL for the first page */
	int limit;         /* results per page, 1..SEARCH_PAGE_MAX */
};

/* The words of a query, folded (lower case, no accents) and without repeats. */
struct search_terms {
	size_t n;
	char term[SEARCH_TERMS_MAX][SEARCH_TERM_BYTES + 1];
};

/*
 * The words of text into *t: 0, or a search_refusal (SEARCH_EMPTY when
 * there is none, SEARCH_TOO_LONG, SEARCH_TOO_MANY_TERMS, SEARCH_BAD_TEXT).
 */
int search_parse(const char *text, struct search_terms *t);

/*
 * One page of results in *out (new reference) or a search_refusal, or -1:
 *   {"items": [{"kind": "need"|"initiative"|"comment", "id" (the comment's
 *     own id for a comment), "link_type", "link_id" (what the result opens),
 *     "title" (the discussion's for a comment), "stage" (initiatives, or
 *     the discussion's for a comment on one; "" else), "created_at",
 *     "title_parts" and "snippet": [{"text", "mark": true when it is a
 *     searched word}] to show, each text still to escape}],
 *    "next": the key of the next page or null, "ranked": bool,
 *    "matches": how many rows match, counted up to SEARCH_RANK_MAX + 1,
 *    "terms": [the words searched]}.
 */
int search_run(struct db *db, int64_t territory_id, const struct search_query *q, json_t **out);

/*
 * Put the current text of a need, an initiative or a comment into the
 * index (insert or replace). Call inside the write's transaction, after the
 * write. A comment that is deleted leaves the index. 0 or -1.
 */
int search_index_need(struct db *db, int64_t need_id);
int search_index_initiative(struct db *db, int64_t initiative_id);
int search_index_comment(struct db *db, int64_t comment_id);

/*
 * Fill the index from every need, initiative and comment at once (after a
 * bulk load that bypassed search_index_*: the bench seed). Inside a
 * transaction; the index must be empty. 0 or -1.
 */
int search_index_all(struct db *db);

/*
 * The snippet of text around the first of t's words, as the parts of
 * search_run()'s "snippet" (new reference): at most about max_words words,
 * with "…" where text was cut; whitespace runs become one space and
 * Markdown's marks (*, _, `, and #, >, - after a line break) go.
 */
json_t *search_snippet(const char *text, const struct search_terms *t, size_t max_words);

#endif
