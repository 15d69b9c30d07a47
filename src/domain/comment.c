/*
 * Comments are stored with their thread's root id and a materialised path
 * (comments.sql explains it), so an object's discussion is one indexed
 * query in reading order; the tree is built here from that order with a
 * stack of the last comment seen at each level. The table name of the
 * object is chosen among literals, never pasted from input.
 */
#include "domain/comment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/search.h"
#include "core/banned.h"

#define PATH_SEGMENT "%012lld"

int comment_object_type_valid(const char *type)
{
	return type && (!strcmp(type, "need") || !strcmp(type, "initiative"));
}

static int blank(const char *s)
{
	return !s || s[strspn(s, " \t\r\n")] == '\0';
}

json_t *comment_validate(const char *body)
{
	json_t *errors = json_object();
	if (blank(body))
		json_object_set_new(errors, "body", json_string("Please write a comment."));
	else if (!utf8_valid(body, strlen(body)))
		json_object_set_new(errors, "body", json_string("This text is not valid UTF-8."));
	else if (utf8_chars(body) > COMMENT_BODY_MAX)
		json_object_set_new(errors, "body",
				    json_string("Your comment is too long (5000 characters at most)."));
	return errors;
}

int comment_object_find(struct db *db, int64_t territory_id, const char *object_type,
			int64_t object_id, json_t **title)
{
	if (!comment_object_type_valid(object_type))
		return 1;
	const char *sql = !strcmp(object_type, "need")
				  ? "SELECT title FROM needs WHERE id = ? AND territory_id = ?"
				  : "SELECT title FROM initiatives WHERE id = ? AND territory_id = ?";
	int step;
	struct db_stmt *st = db_query(db, &step, sql, "ii", object_id, territory_id);
	if (!st)
		return -1;
	if (step == DB_ROW && title)
		*title = row_string(st, 0);
	db_reset(st);
	return step < 0 ? -1 : step == DB_ROW ? 0 : 1;
}

/* Where a new comment goes in its thread. */
struct place {
	int64_t parent_id, root_id;
	int depth;
	char path[COMMENT_DEPTH_STORED * 13 + 16];
};

/*
 * Read the parent: it must be a comment of the same object. Past the
 * stored depth the reply goes beside its parent (same parent, same level).
 */
static int parent_place(struct db *db, const struct comment_new *c, struct place *p)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT object_type, object_id, parent_id, root_id, depth, path"
				      " FROM comments WHERE id = ? AND territory_id = ?",
				      "ii", c->parent_id, c->territory_id);
	if (!st)
		return -1;
	int rc = COMMENT_BAD_PARENT;
	if (step == DB_ROW && !strcmp(db_col_text(st, 0), c->object_type) &&
	    db_col_int(st, 1) == c->object_id && db_col_len(st, 5) < sizeof(p->path)) {
		p->parent_id = c->parent_id;
		p->root_id = db_col_int(st, 3);
		p->depth = (int)db_col_int(st, 4) + 1;
		snprintf(p->path, sizeof(p->path), "%s", db_col_text(st, 5));
		if (p->depth >= COMMENT_DEPTH_STORED) {
			p->parent_id = db_col_int(st, 2);
			p->depth--;
			char *dot = strrchr(p->path, '.');
			if (dot)
				*dot = '\0';
		}
		rc = 0;
	}
	db_reset(st);
	return step < 0 ? -1 : rc;
}

static int bump_count(struct db *db, const struct comment_new *c)
{
	const char *sql = !strcmp(c->object_type, "need")
				  ? "UPDATE needs SET comment_count = comment_count + 1"
				    " WHERE id = ? AND territory_id = ?"
				  : "UPDATE initiatives SET comment_count = comment_count + 1"
				    " WHERE id = ? AND territory_id = ?";
	return db_execv(db, sql, "ii", c->object_id, c->territory_id);
}

/* Insert the row, then give it its root and path, which hold its own id. */
static int store(struct db *db, const struct comment_new *c, struct place *p, int64_t *id)
{
	int64_t now = c->created_at ? c->created_at : (int64_t)time(NULL);
	if (db_query_int(db, id,
			 "INSERT INTO comments (territory_id, object_type, object_id, parent_id, depth,"
			 " author_id, body, created_at)"
			 " VALUES (?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?) RETURNING id",
			 "itiiiiti", c->territory_id, c->object_type, c->object_id, p->parent_id,
			 (int64_t)p->depth, c->author_id, c->body, now) != 0)
		return -1;
	char path[sizeof(p->path) + 16];
	if (p->parent_id)
		snprintf(path, sizeof(path), "%s." PATH_SEGMENT, p->path, (long long)*id);
	else
		snprintf(path, sizeof(path), PATH_SEGMENT, (long long)*id);
	if (db_execv(db, "UPDATE comments SET root_id = ?, path = ? WHERE id = ?", "iti",
		     p->parent_id ? p->root_id : *id, path, *id))
		return -1;
	return search_index_comment(db, *id);
}

int comment_insert(struct db *db, const struct comment_new *c, int64_t *id)
{
	int rc = comment_object_find(db, c->territory_id, c->object_type, c->object_id, NULL);
	if (rc)
		return rc > 0 ? COMMENT_NO_OBJECT : -1;
	struct place p = { 0 };
	if (c->parent_id && (rc = parent_place(db, c, &p)) != 0)
		return rc;
	if (store(db, c, &p, id) < 0 || bump_count(db, c) < 0)
		return -1;
	return activity_record(db, c->territory_id, c->author_id, "Create", "comment", *id,
			       c->object_type, c->object_id, NULL);
}

int comment_create(struct db *db, const struct comment_new *c, int64_t *id)
{
	if (db_begin(db) < 0)
		return -1;
	int rc = comment_insert(db, c, id);
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return rc > 0 ? rc : error("cannot store comment");
}

#define COMMENT_COLUMNS                                                                   \
	"SELECT c.id, c.parent_id, c.root_id, c.depth, u.id, u.display_name, c.body,"      \
	" c.created_at, c.edited_at, c.deleted_at, c.object_type, c.object_id"             \
	" FROM comments c LEFT JOIN users u ON u.id = c.author_id"

static json_t *comment_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", row_int(st, 0),
			 "parent_id", db_col_is_null(st, 1) ? json_null() : row_int(st, 1),
			 "author", row_author(st, 4, 5), "author_id",
			 db_col_is_null(st, 4) ? json_null() : row_int(st, 4), "body",
			 row_string(st, 6), "created_at", row_int(st, 7), "edited_at",
			 db_col_is_null(st, 8) ? json_null() : row_int(st, 8), "depth",
			 row_int(st, 3), "deleted", !db_col_is_null(st, 9));
}

int comment_get(struct db *db, int64_t territory_id, int64_t id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step, COMMENT_COLUMNS " WHERE c.id = ? AND c.territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	if (step == DB_ROW) {
		*out = comment_row(st);
		json_object_set_new(*out, "object_type", row_string(st, 10));
		json_object_set_new(*out, "object_id", row_int(st, 11));
	}
	db_reset(st);
	return step < 0 ? -1 : step == DB_ROW ? 0 : 1;
}

int comment_editable(int64_t author_id, int64_t created_at, int64_t user_id, int64_t now)
{
	return author_id > 0 && author_id == user_id && now - created_at <= COMMENT_EDIT_WINDOW;
}

/* 0 if user_id may edit comment id at now, else the refusal; -1 on error. */
static int check_edit(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
		      int64_t now)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT author_id, created_at, deleted_at FROM comments"
				      " WHERE id = ? AND territory_id = ?",
				      "ii", id, territory_id);
	if (!st)
		return -1;
	int rc = COMMENT_NOT_FOUND;
	if (step == DB_ROW && db_col_is_null(st, 2)) {
		int64_t author = db_col_is_null(st, 0) ? 0 : db_col_int(st, 0);
		if (author == 0 || author != user_id)
			rc = COMMENT_NOT_AUTHOR;
		else
			rc = comment_editable(author, db_col_int(st, 1), user_id, now) ? 0
										: COMMENT_TOO_LATE;
	}
	db_reset(st);
	return step < 0 ? -1 : rc;
}

int comment_edit(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
		 const char *body, int64_t now)
{
	if (db_begin(db) < 0)
		return -1;
	int rc = check_edit(db, territory_id, id, user_id, now);
	if (rc == 0 &&
	    (db_execv(db, "UPDATE comments SET body = ?, edited_at = ? WHERE id = ?", "tii", body,
		      now, id) < 0 ||
	     search_index_comment(db, id) < 0 ||
	     activity_record(db, territory_id, user_id, "Update", "comment", id, NULL, 0, NULL) < 0))
		rc = -1;
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return rc > 0 ? rc : error("cannot edit comment");
}

/* Building the tree of one page: the last node seen at each shown level. */
struct tree {
	json_t *roots; /* newest thread first while reading */
	json_t *by_id; /* id → node (borrowed), for "in reply to" */
	json_t *stack[COMMENT_DEPTH_SHOWN];
};

static void tree_add(struct tree *t, json_t *node, int64_t parent_id)
{
	int depth = (int)json_integer_value(json_object_get(node, "depth"));
	int shown = depth < COMMENT_DEPTH_SHOWN ? depth : COMMENT_DEPTH_SHOWN - 1;
	json_t *parent = shown > 0 ? t->stack[shown - 1] : NULL;
	json_object_set_new(node, "in_reply_to", json_null());
	if (depth > shown) {
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)parent_id);
		json_t *to = json_object_get(t->by_id, key);
		if (to)
			json_object_set(node, "in_reply_to", json_object_get(to, "author"));
	}
	if (!parent)
		shown = 0; /* a reply whose thread start is not on the page: shown alone */
	json_object_set_new(node, "depth", json_integer(shown));
	json_object_set_new(node, "replies", json_array());
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(node, "id")));
	json_object_set(t->by_id, key, node);
	if (depth == shown) {
		/* In its true place: it may have replies; deeper levels start afresh. */
		t->stack[shown] = node;
		for (int d = shown + 1; d < COMMENT_DEPTH_SHOWN; d++)
			t->stack[d] = NULL;
	}
	json_array_append_new(parent ? json_object_get(parent, "replies") : t->roots, node);
}

/* Read the rows of one page into t; *next_before gets the root id to go on from, or 0. */
static int read_page(struct db_stmt *st, int step, struct tree *t, int64_t *next_before)
{
	int shown = 0;
	int64_t root = 0, prev_root = 0;
	*next_before = 0;
	for (; step == DB_ROW; step = db_step(st)) {
		int64_t r = db_col_int(st, 2);
		if (shown == COMMENT_PAGE_MAX) {
			/* A thread cut in the middle goes to the next page, unless it is the only one. */
			if (r == root && prev_root) {
				json_array_remove(t->roots, json_array_size(t->roots) - 1);
				*next_before = prev_root;
			} else {
				*next_before = root;
			}
			break;
		}
		if (r != root) {
			prev_root = root;
			root = r;
		}
		json_t *node = comment_row(st);
		tree_add(t, node, db_col_is_null(st, 1) ? 0 : db_col_int(st, 1));
		shown++;
	}
	db_reset(st);
	return step < 0 ? -1 : 0;
}

static json_t *reversed(json_t *a)
{
	json_t *out = json_array();
	for (size_t i = json_array_size(a); i > 0; i--)
		json_array_append(out, json_array_get(a, i - 1));
	return out;
}

static size_t count_nodes(json_t *nodes)
{
	size_t n = 0, i;
	json_t *node;
	json_array_foreach(nodes, i, node)
		n += 1 + count_nodes(json_object_get(node, "replies"));
	return n;
}

int comment_thread(struct db *db, int64_t territory_id, const char *object_type,
		   int64_t object_id, int64_t before, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      COMMENT_COLUMNS " WHERE c.territory_id = ? AND c.object_type = ?"
				      " AND c.object_id = ? AND c.root_id < ?"
				      " ORDER BY c.root_id DESC, c.path LIMIT ?",
				      "itiii", territory_id, object_type, object_id,
				      before > 0 ? before : INT64_MAX, (int64_t)COMMENT_PAGE_MAX + 1);
	if (!st)
		return -1;
	struct tree t = { .roots = json_array(), .by_id = json_object() };
	int64_t next_before;
	int rc = read_page(st, step, &t, &next_before);
	json_decref(t.by_id);
	if (rc < 0) {
		json_decref(t.roots);
		return -1;
	}
	json_t *comments = reversed(t.roots);
	json_decref(t.roots);
	*out = json_pack("{s:o, s:I, s:o}", "comments", comments, "shown",
			 (json_int_t)count_nodes(comments), "next_before",
			 next_before ? json_integer(next_before) : json_null());
	return 0;
}

int comment_count(struct db *db, int64_t territory_id, const char *object_type,
		  int64_t object_id, int64_t *n)
{
	if (!comment_object_type_valid(object_type))
		return 1;
	const char *sql = !strcmp(object_type, "need")
				  ? "SELECT comment_count FROM needs WHERE id = ? AND territory_id = ?"
				  : "SELECT comment_count FROM initiatives WHERE id = ? AND territory_id = ?";
	int rc = db_query_int(db, n, sql, "ii", object_id, territory_id);
	return rc;
}
