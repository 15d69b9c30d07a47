/*
 * The suggestions part and its forms. Who may do what beyond the
 * permission table is a property of the initiative (its authors), so each
 * handler checks it after guard(): members suggest, authors answer and
 * invite, the invited person answers their invitation. Every form comes
 * back to the initiative's page (303, with a fragment); a refused one is
 * shown again on a page of its own with what was typed.
 */
#include "web/suggestions.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "domain/coauthor.h"
#include "domain/initiative.h"
#include "domain/suggestion.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "domain/version.h"
#include "web/guard.h"
#include "web/history.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

static const char *path_of(struct request *req, const char *prefix, int64_t id, const char *rest)
{
	return page_link(req, arena_printf(req->arena, "%s%lld%s", prefix, (long long)id, rest));
}

static const char *diff_html(struct request *req, const char *old_text, const char *new_text)
{
	struct buf out = BUF_INIT;
	history_diff_html(req, &out, old_text, new_text);
	const char *html = arena_strdup(req->arena, out.ptr);
	buf_release(&out);
	return html;
}

/* An open suggestion as the part shows it: a diff of what it changes against its base. */
static void decorate_suggestion(struct request *req, json_t *s)
{
	int64_t id = json_integer_value(json_object_get(s, "id"));
	const char *title = json_string_value(json_object_get(s, "title"));
	const char *body = json_string_value(json_object_get(s, "body"));
	if (title)
		json_object_set_new(s, "title_diff",
				    json_string(diff_html(req, json_string_value(json_object_get(s, "base_title")), title)));
	if (body)
		json_object_set_new(s, "body_diff",
				    json_string(diff_html(req, json_string_value(json_object_get(s, "base_body")), body)));
	listing_date(req, s, "date", json_integer_value(json_object_get(s, "created_at")));
	json_object_set_new(s, "accept_action", json_string(path_of(req, "/suggestions/", id, "/accept")));
	json_object_set_new(s, "decline_action", json_string(path_of(req, "/suggestions/", id, "/decline")));
	json_object_del(s, "base_body");
	json_object_del(s, "body");
}

/* The current person's pending invitation among the co-authors, marked "mine". */
static void decorate_coauthors(struct request *req, json_t *part, json_t *coauthors)
{
	size_t i;
	json_t *c;
	json_array_foreach(coauthors, i, c) {
		int64_t id = json_integer_value(json_object_get(c, "id"));
		int64_t uid = json_integer_value(json_object_get(json_object_get(c, "user"), "id"));
		int invited = !strcmp(json_string_value(json_object_get(c, "state")), "invited");
		json_object_set_new(c, "invited", json_boolean(invited));
		if (invited && req->user && uid == req->user->id)
			json_object_set_new(part, "invitation",
					    json_pack("{s:s, s:s}", "accept_action",
						      path_of(req, "/coauthors/", id, "/accept"),
						      "decline_action",
						      path_of(req, "/coauthors/", id, "/decline")));
	}
}

/* Fill part with the rights, forms and lists of initiative id. 0 or -1. */
static int fill(struct request *req, struct response *res, int64_t id, json_t *object, json_t *part)
{
	json_t *items, *coauthors;
	int is_author = req->user ? coauthor_is_author(req->db, req->territory->id, id, req->user->id) : 0;
	if (is_author < 0 || suggestion_list_open(req->db, req->territory->id, id, &items))
		return -1;
	if (coauthor_list(req->db, req->territory->id, id, &coauthors)) {
		json_decref(items);
		return -1;
	}
	size_t i;
	json_t *s;
	json_array_foreach(items, i, s)
		decorate_suggestion(req, s);
	decorate_coauthors(req, part, coauthors);
	int member = req->user && req->role >= ROLE_MEMBER;
	json_object_set_new(part, "items", items);
	json_object_set_new(part, "coauthors", coauthors);
	listing_flag(part, "has_items", "items");
	listing_flag(part, "has_coauthors", "coauthors");
	json_object_set_new(part, "can_answer", json_boolean(is_author));
	json_object_set_new(part, "can_edit", json_boolean(is_author || req->role >= ROLE_ANIMATOR));
	json_object_set_new(part, "can_suggest", json_boolean(member));
	json_object_set_new(part, "login_href", json_string(page_link(req, arena_printf(req->arena, "/login?next=/initiatives/%lld", (long long)id))));
	json_object_set_new(part, "edit_href", json_string(path_of(req, "/initiatives/", id, "/edit")));
	json_object_set_new(part, "history_href", json_string(path_of(req, "/initiatives/", id, "/history")));
	json_object_set_new(part, "suggest_action", json_string(path_of(req, "/initiatives/", id, "/suggestions")));
	json_object_set_new(part, "invite_action", json_string(path_of(req, "/initiatives/", id, "/coauthors")));
	json_object_set_new(part, "current_title", json_incref(json_object_get(object, "title")));
	json_object_set_new(part, "current_body", json_incref(json_object_get(object, "body")));
	json_object_set_new(part, "title_max", json_integer(VERSION_TITLE_MAX));
	json_object_set_new(part, "reason_max", json_integer(SUGGESTION_REASON_MAX));
	if (member || json_object_get(part, "invitation"))
		json_object_set_new(part, "csrf", json_string(page_csrf(req, res)));
	return 0;
}

int suggestions_part(struct request *req, struct response *res, const char *object_type,
		     int64_t id, json_t *object, json_t *model)
{
	(void)object_type;
	json_t *part = json_object();
	if (fill(req, res, id, object, part) < 0) {
		json_decref(part);
		return -1;
	}
	json_object_set_new(model, "suggestions", part);
	return 0;
}

/* ---- Forms ---- */

static const char *field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

static json_t *translate_errors(const struct request *req, json_t *errors)
{
	const char *f;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, f, msg)
		json_object_set_new(out, f, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

/* Render a page of this area with errors; takes model. */
static void render(struct request *req, struct response *res, int status, const char *name,
		   const char *title, json_t *model, json_t *errors)
{
	json_object_set_new(model, "csrf", json_string(page_csrf(req, res)));
	if (errors && json_object_size(errors)) {
		json_object_set_new(model, "errors", translate_errors(req, errors));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, name, title, model);
}

/* The initiative of the route {id}: 0 with *out, else the answer is sent and -1. */
static int load_initiative(struct request *req, struct response *res, int64_t *id, json_t **out)
{
	*id = page_id_param(req, "id");
	int rc = *id < 0 ? 1 : initiative_get(req->db, req->territory->id, *id, out);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	return 0;
}

void suggestions_post(struct request *req, struct response *res)
{
	int64_t id, sid;
	json_t *in;
	if (guard(req, res, ACT_CONTRIBUTE) < 0 || load_initiative(req, res, &id, &in) < 0)
		return;
	const char *cur_title = json_string_value(json_object_get(in, "title"));
	const char *cur_body = json_string_value(json_object_get(in, "body"));
	const char *title = field(req, "title"), *body = field(req, "body");
	const char *reason = field(req, "reason");
	json_t *errors = suggestion_validate(title, body, reason, cur_title, cur_body);
	if (json_object_size(errors)) {
		json_t *model = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "initiative_title",
					  cur_title, "title", title, "body", body, "reason", reason,
					  "action", path_of(req, "/initiatives/", id, "/suggestions"),
					  "back_href", path_of(req, "/initiatives/", id, ""), "title_max",
					  VERSION_TITLE_MAX, "reason_max", SUGGESTION_REASON_MAX);
		json_decref(in);
		render(req, res, 422, "suggestions/new", page_tr(req, "Suggest a change"), model, errors);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	int rc = suggestion_create(req->db, req->territory->id, id, req->user->id,
				   *title && strcmp(title, cur_title) ? title : NULL,
				   strcmp(body, cur_body) ? body : NULL, reason, &sid);
	json_decref(in);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	response_redirect(res, req->arena, path_of(req, "/initiatives/", id, "#suggestions"));
}

/* The suggestion of the route {id}, if the current person may answer it. 0, or -1 with the answer sent. */
static int load_for_answer(struct request *req, struct response *res, int64_t *id, json_t **out)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return -1;
	*id = page_id_param(req, "id");
	int rc = *id < 0 ? 1 : suggestion_get(req->db, req->territory->id, *id, out);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return -1;
	}
	int64_t iid = json_integer_value(json_object_get(*out, "initiative_id"));
	rc = coauthor_is_author(req->db, req->territory->id, iid, req->user->id);
	if (rc != 1) {
		json_decref(*out);
		page_error(req, res, rc < 0 ? 500 : 403);
		return -1;
	}
	return 0;
}

static void answered(struct request *req, struct response *res, int rc, int64_t iid)
{
	if (rc < 0 || rc == SUGGESTION_NOT_FOUND) {
		page_error(req, res, rc < 0 ? 500 : 404);
		return;
	}
	/* Answered already (another author, a double click): the page shows the outcome. */
	response_redirect(res, req->arena, path_of(req, "/initiatives/", iid, "#suggestions"));
}

void suggestions_accept_post(struct request *req, struct response *res)
{
	int64_t id;
	json_t *s;
	if (load_for_answer(req, res, &id, &s) < 0)
		return;
	int64_t iid = json_integer_value(json_object_get(s, "initiative_id"));
	int rc = suggestion_accept(req->db, req->territory->id, id, req->user->id, NULL);
	json_decref(s);
	if (rc == SUGGESTION_STALE) {
		json_t *model = json_pack("{s:s, s:s}", "edit_href",
					  path_of(req, "/initiatives/", iid, "/edit"), "back_href",
					  path_of(req, "/initiatives/", iid, "#suggestions"));
		page_render(req, res, 409, "suggestions/stale",
			    page_tr(req, "The text changed since this suggestion"), model);
		return;
	}
	answered(req, res, rc, iid);
}

/* The decline form again, with its error (a reason is required, 500 characters at most). */
static void decline_again(struct request *req, struct response *res, int64_t id, json_t *s,
			  const char *answer, const char *error_msgid)
{
	int64_t iid = json_integer_value(json_object_get(s, "initiative_id"));
	json_t *model = json_pack("{s:s, s:s, s:s, s:i}", "answer", answer, "action",
				  path_of(req, "/suggestions/", id, "/decline"), "back_href",
				  path_of(req, "/initiatives/", iid, "#suggestions"), "answer_max",
				  SUGGESTION_ANSWER_MAX);
	json_t *errors = json_pack("{s:s}", "answer", error_msgid);
	render(req, res, 422, "suggestions/decline", page_tr(req, "Decline a suggestion"), model,
	       errors);
	json_decref(errors);
}

void suggestions_decline_post(struct request *req, struct response *res)
{
	int64_t id;
	json_t *s;
	if (load_for_answer(req, res, &id, &s) < 0)
		return;
	int64_t iid = json_integer_value(json_object_get(s, "initiative_id"));
	const char *answer = field(req, "answer");
	const char *problem = NULL;
	if (!*answer)
		problem = "Please say why you decline it.";
	else if (!utf8_valid(answer, strlen(answer)) || utf8_chars(answer) > SUGGESTION_ANSWER_MAX)
		problem = "Use at most 500 characters.";
	if (problem) {
		decline_again(req, res, id, s, answer, problem);
		json_decref(s);
		return;
	}
	json_decref(s);
	int rc = suggestion_decline(req->db, req->territory->id, id, req->user->id, answer);
	answered(req, res, rc, iid);
}

/* The person named by what was typed: a profile id (digits, or ".../people/12") or an e-mail address. 0, 1 if none, -1. */
static int find_person(struct request *req, const char *who, int64_t *user_id)
{
	const char *digits = strrchr(who, '/') ? strrchr(who, '/') + 1 : who;
	size_t n = strlen(digits);
	if (n && n <= 18 && strspn(digits, "0123456789") == n) {
		*user_id = strtoll(digits, NULL, 10);
		return *user_id > 0 ? 0 : 1;
	}
	if (!strchr(who, '@') || strlen(who) > USER_EMAIL_MAX)
		return 1;
	struct user *u;
	int rc = user_find_by_email(req->db, req->arena, who, &u);
	if (rc == 0)
		*user_id = u->id;
	return rc;
}

static void invite_again(struct request *req, struct response *res, int64_t id, json_t *in,
			 const char *who, const char *error_msgid)
{
	json_t *model = json_pack("{s:s, s:s, s:s, s:s}", "initiative_title",
				  json_string_value(json_object_get(in, "title")), "person", who,
				  "action", path_of(req, "/initiatives/", id, "/coauthors"), "back_href",
				  path_of(req, "/initiatives/", id, "#coauthors"));
	json_t *errors = json_pack("{s:s}", "person", error_msgid);
	render(req, res, 422, "suggestions/invite", page_tr(req, "Invite a co-author"), model,
	       errors);
	json_decref(errors);
}

void coauthors_post(struct request *req, struct response *res)
{
	int64_t id, user_id = 0;
	json_t *in;
	if (guard(req, res, ACT_CONTRIBUTE) < 0 || load_initiative(req, res, &id, &in) < 0)
		return;
	int rc = coauthor_is_author(req->db, req->territory->id, id, req->user->id);
	if (rc != 1) {
		json_decref(in);
		page_error(req, res, rc < 0 ? 500 : 403);
		return;
	}
	const char *who = field(req, "person");
	rc = find_person(req, who, &user_id);
	if (rc == 0)
		rc = coauthor_invite(req->db, req->territory->id, id, req->user->id, user_id, NULL);
	if (rc == COAUTHOR_NOT_FOUND || rc == COAUTHOR_ALREADY) {
		invite_again(req, res, id, in, who,
			     rc == COAUTHOR_ALREADY
				     ? "This person is already an author or invited."
				     : "No one has this profile number or e-mail address.");
		json_decref(in);
		return;
	}
	json_decref(in);
	if (rc) {
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, path_of(req, "/initiatives/", id, "#coauthors"));
}

static void coauthors_answer(struct request *req, struct response *res, int accept)
{
	if (guard(req, res, ACT_CONTRIBUTE) < 0)
		return;
	int64_t id = page_id_param(req, "id"), iid = 0;
	int rc = id < 0 ? COAUTHOR_NOT_FOUND
			: coauthor_answer(req->db, req->territory->id, id, req->user->id, accept, &iid);
	if (rc) {
		page_error(req, res, rc < 0 ? 500 : 404);
		return;
	}
	response_redirect(res, req->arena, path_of(req, "/initiatives/", iid, "#coauthors"));
}

void coauthors_accept_post(struct request *req, struct response *res)
{
	coauthors_answer(req, res, 1);
}

void coauthors_decline_post(struct request *req, struct response *res)
{
	coauthors_answer(req, res, 0);
}
