/*
 * Threaded comments on needs and initiatives: posting (a reply always
 * belongs to the same object as the comment it answers), the thread of an
 * object read in one query and built into a tree here, and the author's
 * short window to correct what they wrote. The object's comment_count
 * changes in the same transaction as the comment.
 */
#ifndef DOMAIN_COMMENT_H
#define DOMAIN_COMMENT_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* Characters a comment may hold. */
#define COMMENT_BODY_MAX 5000
/* Seconds after posting during which the author may edit (15 minutes). */
#define COMMENT_EDIT_WINDOW 900
/* Levels of nesting shown: deeper replies are shown at the last level. */
#define COMMENT_DEPTH_SHOWN 6
/* Levels stored: a reply to a comment this deep becomes its sibling. */
#define COMMENT_DEPTH_STORED 40
/* Comments on one page of a thread at most. */
#define COMMENT_PAGE_MAX 200

/* Why a write was refused (positive: not an error of the system). */
enum comment_refusal {
	COMMENT_NO_OBJECT = 1, /* no such need or initiative in the territory */
	COMMENT_BAD_PARENT, /* the parent is not a comment of the same object */
	COMMENT_NOT_FOUND, /* no such comment in the territory */
	COMMENT_NOT_AUTHOR, /* only its author edits a comment */
	COMMENT_TOO_LATE, /* the edit window is over */
};

/* 1 if type is "need" or "initiative". */
int comment_object_type_valid(const char *type);

/*
 * Check a body: {"body": English msgid} when it is empty (blanks only),
 * too long or not UTF-8; {} when it is fine. New reference.
 */
json_t *comment_validate(const char *body);

/*
 * Whether the territory has the object: 0 yes, 1 no, -1 on error. When it
 * exists and title is not NULL, *title gets a new reference to its title.
 */
int comment_object_find(struct db *db, int64_t territory_id, const char *object_type,
			int64_t object_id, json_t **title);

struct comment_new {
	int64_t territory_id;
	const char *object_type; /* "need" or "initiative" */
	int64_t object_id;
	int64_t parent_id; /* 0: a new thread */
	int64_t author_id;
	const char *body; /* checked with comment_validate() */
	int64_t created_at; /* 0: now (imports set it) */
};

/*
 * Store a comment, bump the object's comment_count and record the Create
 * activity (target: the object), in the caller's transaction. *id gets its
 * id. 0, COMMENT_NO_OBJECT, COMMENT_BAD_PARENT, or -1 on error.
 */
int comment_insert(struct db *db, const struct comment_new *c, int64_t *id);

/* comment_insert() in its own transaction: all written or nothing. Same returns. */
int comment_create(struct db *db, const struct comment_new *c, int64_t *id);

/*
 * One comment: {id, object_type, object_id, parent_id|null, depth,
 * author {id, name, deleted}, body, created_at, edited_at|null}.
 * 0 with *out a new reference, 1 if the territory has no such comment, -1.
 */
int comment_get(struct db *db, int64_t territory_id, int64_t id, json_t **out);

/*
 * Replace the body of comment id by its author (user_id) at time now, if
 * now is within COMMENT_EDIT_WINDOW of its creation; sets edited_at and
 * records an Update activity. Own transaction. 0, COMMENT_NOT_FOUND,
 * COMMENT_NOT_AUTHOR, COMMENT_TOO_LATE, or -1.
 */
int comment_edit(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
		 const char *body, int64_t now);

/* 1 if a comment posted at created_at by author_id may be edited by user_id at now. */
int comment_editable(int64_t author_id, int64_t created_at, int64_t user_id, int64_t now);

/*
 * A page of an object's discussion, in one query: the threads whose root id
 * is below before (0: from the newest), newest threads first until
 * COMMENT_PAGE_MAX comments, then shown oldest first:
 *   {"comments": [node], "shown": n, "next_before": root id for older
 *    threads | null}
 * node: {id, parent_id|null, depth (as shown, < COMMENT_DEPTH_SHOWN),
 *        author {id, name, deleted}, author_id|null, body, created_at,
 *        edited_at|null, deleted (bool), "replies": [node]} — every node has
 * "replies", empty or not, for recursive templates. Replies deeper than
 * COMMENT_DEPTH_SHOWN - 1 are listed, in order, under their ancestor of the
 * last shown level. 0 with *out a new reference, or -1.
 */
int comment_thread(struct db *db, int64_t territory_id, const char *object_type,
		   int64_t object_id, int64_t before, json_t **out);

/* The object's comment_count in *n: 0, 1 if there is no such object, -1. */
int comment_count(struct db *db, int64_t territory_id, const char *object_type,
		  int64_t object_id, int64_t *n);

#endif
