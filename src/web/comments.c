/*
 * Comments as people see them: the thread under a need or an initiative,
 * a "Reply" link on each comment to a page of its own (so replying needs no
 * JavaScript), the older threads on /comments, and the author's short edit
 * window. Every node of the tree gets every key the recursive template
 * reads, because a missing name would be found in an outer comment.
 */
#include "web/comments.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "domain/comment.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* A positive decimal id, or -1. */
static int64_t parse_id(const char *v)
{
	if (!v || !*v || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
		return -1;
	errno = 0;
	long long id = strtoll(v, NULL, 10);
	return errno || id <= 0 ? -1 : (int64_t)id;
}

static const char *object_path(const struct request *req, const char *type, int64_t id)
{
	return page_link(req, arena_printf(req->arena, "%s/%lld",
					   strcmp(type, "need") ? "/initiatives" : "/needs",
					   (long long)id));
}

/* key: "28 novembre 2026, 14:05" (UTC), key_iso: the machine-readable time. */
static void set_when(const struct request *req, json_t *obj, const char *key, int64_t t)
{
	json_t *tmp = json_object();
	listing_date(req, tmp, "d", t);
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !json_string_value(json_object_get(tmp, "d"))) {
		json_decref(tmp);
		json_object_set_new(obj, key, json_string(""));
		return;
	}
	json_object_set_new(obj, key, json_sprintf("%s, %02d:%02d", json_string_value(json_object_get(tmp, "d")),
						  tm.tm_hour, tm.tm_min));
	char iso_key[64];
	snprintf(iso_key, sizeof(iso_key), "%s_iso", key);
	json_object_set_new(obj, iso_key, json_sprintf("%sT%02d:%02dZ",
						       json_string_value(json_object_get(tmp, "d_iso")),
						       tm.tm_hour, tm.tm_min));
	json_decref(tmp);
}

/* An author object's name as shown: the deleted account's words translated. */
static const char *author_name(const struct request *req, json_t *author)
{
	if (json_is_true(json_object_get(author, "deleted")))
		return page_tr(req, USER_DELETED_NAME);
	return json_string_value(json_object_get(author, "name"));
}

/* What the thread's templates need of one comment, and of its replies. */
static void decorate(struct request *req, json_t *node, const char *type, int64_t object_id,
		     int64_t now)
{
	int64_t id = json_integer_value(json_object_get(node, "id"));
	int64_t created = json_integer_value(json_object_get(node, "created_at"));
	json_t *edited = json_object_get(node, "edited_at");
	json_t *author_id = json_object_get(node, "author_id");
	json_t *to = json_object_get(node, "in_reply_to");
	int can_edit = req->user && json_is_integer(author_id) &&
		       comment_editable(json_integer_value(author_id), created, req->user->id, now);
	listing_markdown(node, "body_html", json_string_value(json_object_get(node, "body")), 3);
	set_when(req, node, "when", created);
	if (json_is_integer(edited))
		set_when(req, node, "edited_when", json_integer_value(edited));
	json_object_set_new(node, "edited", json_boolean(json_is_integer(edited)));
	json_object_set_new(node, "reply_to_name",
			    json_is_object(to) ? json_string(author_name(req, to)) : json_false());
	json_object_set_new(node, "can_edit", json_boolean(can_edit));
	json_object_set_new(node, "edit_href",
			    json_string(page_link(req, arena_printf(req->arena, "/comments/%lld/edit",
								    (long long)id))));
	const char *reply_path = arena_printf(req->arena,
					 "/comments/new?object_type=%s&object_id=%lld&parent_id=%lld", type,
					 (long long)object_id, (long long)id);
	if (!req->user) { /* a visitor logs in first, then comes back to the reply form */
		struct buf login = BUF_INIT;
		buf_adds(&login, "/login?next=");
		buf_add_url_encoded(&login, reply_path, strlen(reply_path));
		reply_path = arena_strdup(req->arena, login.ptr);
		buf_release(&login);
	}
	json_object_set_new(node, "reply_href", json_string(page_link(req, reply_path)));
	json_t *replies = json_object_get(node, "replies");
	json_object_set_new(node, "has_replies", json_boolean(json_array_size(replies) > 0));
	size_t i;
	json_t *reply;
	json_array_foreach(replies, i, reply)
		decorate(req, reply, type, object_id, now);
}

/* The thread's model: comments, count, older link, the form or the log-in link. */
static int thread_model(struct request *req, struct response *res, const char *type,
			int64_t object_id, int64_t before, json_t **out)
{
	json_t *page;
	int64_t count = 0;
	if (comment_thread(req->db, req->territory->id, type, object_id, before, &page) < 0 ||
	    comment_count(req->db, req->territory->id, type, object_id, &count) != 0)
		return -1;
	int64_t now = time(NULL);
	json_t *items = json_object_get(page, "comments");
	size_t i;
	json_t *node;
	json_array_foreach(items, i, node)
		decorate(req, node, type, object_id, now);
	json_t *m = json_pack("{s:O, s:b, s:I, s:s, s:I, s:s, s:I}", "items", items, "has_items",
			      json_array_size(items) > 0, "count", (json_int_t)count, "object_type", type,
			      "object_id", (json_int_t)object_id, "object_href",
			      object_path(req, type, object_id), "body_max", (json_int_t)COMMENT_BODY_MAX);
	/* Set even when empty: a missing name would be found in the page's model. */
	json_object_set_new(m, "older_href", json_false());
	json_object_set_new(m, "csrf", json_false());
	json_object_set_new(m, "login_href", json_false());
	json_t *next = json_object_get(page, "next_before");
	if (json_is_integer(next))
		json_object_set_new(m, "older_href",
				    json_string(page_link(req, arena_printf(req->arena,
									    "/comments?object_type=%s&object_id=%lld&before=%lld",
									    type, (long long)object_id,
									    (long long)json_integer_value(next)))));
	json_decref(page);
	if (req->user)
		json_object_set_new(m, "csrf", json_string(page_csrf(req, res)));
	else
		json_object_set_new(m, "login_href",
				    json_string(arena_printf(req->arena, "/login?next=%s",
							     object_path(req, type, object_id))));
	*out = m;
	return 0;
}

int comments_part(struct request *req, struct response *res, const char *object_type,
		  int64_t id, json_t *object, json_t *model)
{
	(void)object;
	json_t *m;
	if (thread_model(req, res, object_type, id, 0, &m) < 0)
		return -1;
	json_object_set_new(model, "comments", m);
	return 0;
}

/* The object named by a query or form: 0 with its type, id and title; else the status to answer. */
static int read_object(struct request *req, const struct params *p, const char **type,
		       int64_t *id, json_t **title)
{
	*type = params_get(p, "object_type");
	*id = parse_id(params_get(p, "object_id"));
	if (!comment_object_type_valid(*type) || *id < 0)
		return 404;
	int rc = comment_object_find(req->db, req->territory->id, *type, *id, title);
	return rc < 0 ? 500 : rc > 0 ? 404 : 0;
}

void comments_index(struct request *req, struct response *res)
{
	static const char *const names[] = { "object_type", "object_id", "before" };
	const char *type;
	int64_t id, before;
	json_t *title = NULL, *m;
	if (!listing_query_allowed(req, names, ARRAY_SIZE(names)) || listing_before(req, &before)) {
		page_error(req, res, 400);
		return;
	}
	int status = read_object(req, &req->query, &type, &id, &title);
	if (status || thread_model(req, res, type, id, before, &m) < 0) {
		json_decref(title);
		page_error(req, res, status ? status : 500);
		return;
	}
	json_object_set_new(m, "object_title", title);
	json_t *model = json_pack("{s:o}", "comments", m);
	page_render(req, res, 200, "comments/index",
		    arena_printf(req->arena, "%s — %s", page_tr(req, "Comments"),
				 json_string_value(title)),
		    model);
}

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

/*
 * The page with the form to comment an object or answer parent (a
 * comment_get() object, or NULL), body as typed, errors from comment_validate().
 */
static void render_new(struct request *req, struct response *res, int status, const char *type,
		       int64_t object_id, json_t *title, json_t *parent, const char *body,
		       json_t *errors)
{
	json_t *model = json_pack("{s:s, s:I, s:O, s:s, s:s, s:s, s:I}", "object_type", type,
				  "object_id", (json_int_t)object_id, "object_title", title,
				  "object_href", object_path(req, type, object_id), "body", body,
				  "csrf", page_csrf(req, res), "body_max", (json_int_t)COMMENT_BODY_MAX);
	if (parent) {
		listing_markdown(parent, "body_html", json_string_value(json_object_get(parent, "body")), 3);
		set_when(req, parent, "when", json_integer_value(json_object_get(parent, "created_at")));
		json_object_set(model, "parent", parent);
	}
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "comments/new",
		    page_tr(req, parent ? "Reply to a comment" : "Add a comment"), model);
}

/* The parent named by p, checked against the object: 0, or the status to answer. */
static int read_parent(struct request *req, const struct params *p, const char *type,
		       int64_t object_id, json_t **parent)
{
	*parent = NULL;
	const char *v = params_get(p, "parent_id");
	if (!v || !*v)
		return 0;
	int64_t pid = parse_id(v);
	if (pid < 0)
		return 400;
	int rc = comment_get(req->db, req->territory->id, pid, parent);
	if (rc)
		return rc < 0 ? 500 : 404;
	if (strcmp(json_string_value(json_object_get(*parent, "object_type")), type) ||
	    json_integer_value(json_object_get(*parent, "object_id")) != object_id) {
		json_decref(*parent);
		*parent = NULL;
		return 400;
	}
	return 0;
}

void comments_new_form(struct request *req, struct response *res)
{
	static const char *const names[] = { "object_type", "object_id", "parent_id" };
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	if (!listing_query_allowed(req, names, ARRAY_SIZE(names))) {
		page_error(req, res, 400);
		return;
	}
	const char *type;
	int64_t id;
	json_t *title = NULL, *parent = NULL;
	int status = read_object(req, &req->query, &type, &id, &title);
	if (!status)
		status = read_parent(req, &req->query, type, id, &parent);
	if (status)
		page_error(req, res, status);
	else
		render_new(req, res, 200, type, id, title, parent, "", NULL);
	json_decref(title);
	json_decref(parent);
}

static const char *form_field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

void comments_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	const char *type, *body = form_field(req, "body");
	int64_t object_id, id = 0;
	json_t *title = NULL, *parent = NULL, *errors = NULL;
	int status = read_object(req, &req->form, &type, &object_id, &title);
	if (!status)
		status = read_parent(req, &req->form, type, object_id, &parent);
	if (status) {
		page_error(req, res, status);
		goto out;
	}
	errors = comment_validate(body);
	if (json_object_size(errors)) {
		render_new(req, res, 422, type, object_id, title, parent, body, errors);
		goto out;
	}
	struct comment_new c = {
		.territory_id = req->territory->id, .object_type = type, .object_id = object_id,
		.parent_id = parent ? json_integer_value(json_object_get(parent, "id")) : 0,
		.author_id = req->user->id, .body = body,
	};
	int rc = comment_create(req->db, &c, &id);
	if (rc) {
		page_error(req, res, rc < 0 ? 500 : rc == COMMENT_NO_OBJECT ? 404 : 400);
		goto out;
	}
	response_redirect(res, req->arena,
			  arena_printf(req->arena, "%s#comment-%lld", object_path(req, type, object_id),
				       (long long)id));
out:
	json_decref(title);
	json_decref(parent);
	json_decref(errors);
}

/* The edit form (or its refusal) for comment c, body as typed. */
static void render_edit(struct request *req, struct response *res, int status, json_t *c,
			const char *body, json_t *errors)
{
	int64_t id = json_integer_value(json_object_get(c, "id"));
	int64_t created = json_integer_value(json_object_get(c, "created_at"));
	const char *type = json_string_value(json_object_get(c, "object_type"));
	int64_t object_id = json_integer_value(json_object_get(c, "object_id"));
	json_t *model = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)id, "body", body,
				  "csrf", page_csrf(req, res), "back_href",
				  arena_printf(req->arena, "%s#comment-%lld",
					       object_path(req, type, object_id), (long long)id),
				  "body_max", (json_int_t)COMMENT_BODY_MAX);
	set_when(req, model, "until", created + COMMENT_EDIT_WINDOW);
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "comments/edit", page_tr(req, "Edit your comment"), model);
}

static void render_too_late(struct request *req, struct response *res, json_t *c)
{
	const char *type = json_string_value(json_object_get(c, "object_type"));
	int64_t object_id = json_integer_value(json_object_get(c, "object_id"));
	int64_t id = json_integer_value(json_object_get(c, "id"));
	json_t *model = json_pack("{s:s}", "back_href",
				  arena_printf(req->arena, "%s#comment-%lld",
					       object_path(req, type, object_id), (long long)id));
	page_render(req, res, 403, "comments/too-late",
		    page_tr(req, "This comment can no longer be edited"), model);
}

/*
 * The comment of the route, when the current person may edit it now: 0 with
 * *c set; otherwise the answer is sent and -1 is returned.
 */
static int editable_comment(struct request *req, struct response *res, json_t **c)
{
	int64_t id = page_id_param(req, "id");
	int rc = id < 0 ? 1 : comment_get(req->db, req->territory->id, id, c);
	if (rc) {
		page_error(req, res, rc < 0 ? 500 : 404);
		return -1;
	}
	json_t *author = json_object_get(*c, "author_id");
	int64_t created = json_integer_value(json_object_get(*c, "created_at"));
	if (!json_is_integer(author) || json_integer_value(author) != req->user->id ||
	    json_is_true(json_object_get(*c, "deleted")))
		page_error(req, res, 403);
	else if (!comment_editable(json_integer_value(author), created, req->user->id, time(NULL)))
		render_too_late(req, res, *c);
	else
		return 0;
	json_decref(*c);
	return -1;
}

void comments_edit_form(struct request *req, struct response *res)
{
	json_t *c;
	if (guard(req, res, ACT_CONTRIBUTE) < 0 || editable_comment(req, res, &c) < 0)
		return;
	render_edit(req, res, 200, c, json_string_value(json_object_get(c, "body")), NULL);
	json_decref(c);
}

void comments_edit_post(struct request *req, struct response *res)
{
	json_t *c;
	if (guard(req, res, ACT_CONTRIBUTE) < 0 || editable_comment(req, res, &c) < 0)
		return;
	const char *body = form_field(req, "body");
	json_t *errors = comment_validate(body);
	if (json_object_size(errors)) {
		render_edit(req, res, 422, c, body, errors);
		goto out;
	}
	int64_t id = json_integer_value(json_object_get(c, "id"));
	int rc = comment_edit(req->db, req->territory->id, id, req->user->id, body, time(NULL));
	if (rc == COMMENT_TOO_LATE)
		render_too_late(req, res, c);
	else if (rc)
		page_error(req, res, rc < 0 ? 500 : rc == COMMENT_NOT_FOUND ? 404 : 403);
	else
		response_redirect(res, req->arena,
				  arena_printf(req->arena, "%s#comment-%lld",
					       object_path(req, json_string_value(json_object_get(c, "object_type")),
							   json_integer_value(json_object_get(c, "object_id"))),
					       (long long)id));
out:
	json_decref(errors);
	json_decref(c);
}
