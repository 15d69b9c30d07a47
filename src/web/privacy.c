/*
 * The export is sent as an attachment and never cached; the deletion asks
 * for the password again (a borrowed, still logged-in browser is not
 * enough), counts wrong ones against the account like failed log-ins (the
 * same 429 page as the log-in once over the limit), and ends by telling
 * the browser to forget the session cookie, whose row went with the
 * account.
 */
#include "web/privacy.h"

#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/ratelimit.h"
#include "core/mem.h"
#include "domain/privacy.h"
#include "domain/user.h"
#include "web/account.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

static void plain_page(struct request *req, struct response *res, const char *name,
		       const char *title)
{
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	page_render(req, res, 200, name, page_tr(req, title), json_object());
}

void privacy_account_page(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	response_header(res, req->arena, "Cache-Control", "no-store");
	plain_page(req, res, "privacy/account", "Your data and your account");
}

void privacy_data(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	json_t *doc;
	int rc = privacy_export(req->db, req->user->id, &doc);
	if (rc) {
		page_error(req, res, rc > 0 ? 404 : 500);
		return;
	}
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!text) {
		page_error(req, res, 500);
		return;
	}
	response_text(res, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
	response_header(res, req->arena, "Content-Disposition",
			"attachment; filename=\"tremplin-mes-donnees.json\"");
	response_header(res, req->arena, "Cache-Control", "no-store");
}

static void render_delete(struct request *req, struct response *res, int status,
			  const char *error)
{
	json_t *model = json_pack("{s:s}", "csrf", page_csrf(req, res));
	if (error) {
		json_object_set_new(model, "error", json_string(page_tr(req, error)));
		json_object_set_new(model, "has_errors", json_true());
	}
	response_header(res, req->arena, "Cache-Control", "no-store");
	page_render(req, res, status, "privacy/delete", page_tr(req, "Delete my account"), model);
}

void privacy_delete_page(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	if (!listing_query_allowed(req, NULL, 0)) {
		page_error(req, res, 400);
		return;
	}
	render_delete(req, res, 200, NULL);
}

/* 1 when the password is the account's; 0 after refusing (the form is shown again); -1 on error. */
static int check_password(struct request *req, struct response *res, const char *password)
{
	const char *email = req->user->email;
	int over = *email ? ratelimit_exceeded(req->db, RL_LOGIN_ACCOUNT, email) : 0;
	if (over < 0)
		return -1;
	if (over) {
		account_too_many(req, res, RL_LOGIN_ACCOUNT);
		return 0;
	}
	/* Longer than any password can be: not worth a hash. */
	int plausible = *password && strlen(password) <= 4 * PASSWORD_MAX_CHARS;
	int ok = plausible ? privacy_password_matches(req->db, req->user->id, password) : 0;
	if (ok < 0)
		return -1;
	if (ok)
		return 1;
	if (*email && ratelimit_hit(req->db, RL_LOGIN_ACCOUNT, email) < 0)
		return -1;
	render_delete(req, res, 422, *password ? "This password is not the right one."
					       : "Please enter your password.");
	return 0;
}

void privacy_delete_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	const char *password = params_get(&req->form, "password");
	int ok = check_password(req, res, password ? password : "");
	if (ok <= 0) {
		if (ok < 0)
			page_error(req, res, 500);
		return;
	}
	int rc = privacy_delete_account(req->db, req->user->id);
	if (rc < 0) {
		page_error(req, res, 500);
		return;
	}
	/* rc 1: deleted meanwhile by another request; the result is the same. */
	req->user = NULL;
	req->session = NULL;
	req->role = ROLE_VISITOR;
	account_clear_session_cookie(req, res);
	response_redirect(res, req->arena, "/account/deleted");
}

void privacy_deleted_page(struct request *req, struct response *res)
{
	plain_page(req, res, "privacy/deleted", "Your account has been deleted");
}
