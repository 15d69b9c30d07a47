/*
 * The settings page. Every form posts to its own route and, refused,
 * comes back as the whole page with status 422, its errors next to its
 * fields and what was typed kept (never a password). Changing the password
 * or the address asks for the current password, whose wrong guesses count
 * against the same limit as log-ins (so a borrowed session cannot be used
 * to guess it), and the owner of the account is told by mail of both
 * (OWASP ASVS 4.0, 2.2.3 and 3.3.3).
 */
#include "web/settings.h"

#include <string.h>

#include "auth/password.h"
#include "auth/ratelimit.h"
#include "auth/session.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/email_token.h"
#include "domain/outbox.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "web/account.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label; /* in its own language: not translated */
} languages[] = {
	{ "fr", "Français" },
	{ "en", "English" },
};

static const struct {
	const char *code;
	const char *label;
} frequencies[] = {
	{ "none", "Never" },
	{ "each", "At each event" },
	{ "daily", "Once a day, in a digest" },
	{ "weekly", "Once a week, in a digest" },
};

/* The notice shown after each change (?done=). */
static const struct {
	const char *done;
	const char *msgid;
} notices[] = {
	{ "preferences", "Your preferences have been saved." },
	{ "password", "Your password has been changed, and your other sessions have been logged out." },
	{ "reset", "Your new password is saved and you are logged in. Every other session has been logged out." },
	{ "email", "We sent a confirmation link to the new address: your address will change once you follow it. Your current address received a notice." },
	{ "sessions", "Your other sessions have been logged out." },
};

static json_t *language_options(const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(languages); i++)
		json_array_append_new(list, json_pack("{ss ss sb}", "code", languages[i].code, "label",
						      languages[i].label, "selected",
						      chosen && !strcmp(chosen, languages[i].code)));
	return list;
}

static json_t *frequency_options(const struct request *req, const char *chosen)
{
	json_t *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(frequencies); i++)
		json_array_append_new(list, json_pack("{ss ss sb}", "code", frequencies[i].code, "label",
						      page_tr(req, frequencies[i].label), "checked",
						      chosen && !strcmp(chosen, frequencies[i].code)));
	return list;
}

/* The open sessions, dated for people; NULL on error. */
static json_t *sessions_json(struct request *req)
{
	json_t *list;
	if (session_list_for_user(req->db, req->user->id, req->session->token_hash, &list) < 0)
		return NULL;
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		listing_date(req, s, "created", json_integer_value(json_object_get(s, "created_at")));
		listing_date(req, s, "seen", json_integer_value(json_object_get(s, "seen_at")));
		const char *ua = json_string_value(json_object_get(s, "user_agent"));
		if (!ua || !*ua)
			json_object_set_new(s, "user_agent", json_string(page_tr(req, "Unknown browser")));
	}
	return list;
}

static const char *notice_for(const struct request *req)
{
	const char *done = params_get(&req->query, "done");
	for (size_t i = 0; done && i < ARRAY_SIZE(notices); i++)
		if (!strcmp(done, notices[i].done))
			return page_tr(req, notices[i].msgid);
	return NULL;
}

/*
 * The page. form (may be NULL; this function takes the reference) holds
 * the state of a refused form under its key ("preferences_form"...);
 * language and frequency are what the preferences form shows chosen.
 */
static void settings_render(struct request *req, struct response *res, int status, json_t *form,
			    const char *language, const char *frequency)
{
	const struct user *u = req->user;
	json_t *sessions = sessions_json(req);
	if (!sessions) {
		json_decref(form);
		page_error(req, res, 500);
		return;
	}
	json_t *model = json_pack("{ss sb ss so so so si si}", "email", u->email, "confirmed",
				  u->confirmed, "csrf", page_csrf(req, res), "languages",
				  language_options(language), "frequencies",
				  frequency_options(req, frequency), "sessions", sessions,
				  "password_min", PASSWORD_MIN_CHARS, "email_max", USER_EMAIL_MAX);
	json_object_set_new(model, "has_other_sessions", json_boolean(json_array_size(sessions) > 1));
	const char *notice = status == 200 ? notice_for(req) : NULL;
	if (notice)
		json_object_set_new(model, "notice", json_string(notice));
	if (form) {
		json_object_update(model, form);
		json_decref(form);
	}
	page_render(req, res, status, "account/settings", page_tr(req, "Settings"), model);
}

void settings_show(struct request *req, struct response *res)
{
	static const char *const params[] = { "done" };
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	if (!listing_query_allowed(req, params, ARRAY_SIZE(params))) {
		page_error(req, res, 400);
		return;
	}
	settings_render(req, res, 200, NULL, req->user->language, req->user->notify_frequency);
}

/* {key: {errors: {...translated}, has_errors: true, extra...}}; errors is borrowed. */
static json_t *refused_form(const struct request *req, const char *key, json_t *errors, json_t *extra)
{
	json_t *state = extra ? extra : json_object();
	json_object_set_new(state, "errors", account_translate_errors(req, errors));
	json_object_set_new(state, "has_errors", json_true());
	return json_pack("{so}", key, state);
}

/* Redirect to the page with the notice of done. */
static void done(struct request *req, struct response *res, const char *what)
{
	response_redirect(res, req->arena, arena_printf(req->arena, "/settings?done=%s", what));
}

/* Run write (the request's changes) in one transaction, then wake the mailer. 0 or -1 (500 sent). */
static int in_transaction(struct request *req, struct response *res,
			  int (*write)(struct request *req, void *ctx), void *ctx)
{
	if (db_begin(req->db) < 0 || write(req, ctx) != 0 || db_commit(req->db) < 0) {
		db_rollback(req->db);
		page_error(req, res, 500);
		return -1;
	}
	mailer_wake();
	return 0;
}

/* ---- Language and notifications ---- */

struct preferences {
	const char *language, *frequency;
};

static int preferences_write(struct request *req, void *ctx)
{
	const struct preferences *p = ctx;
	return user_update_settings(req->db, req->territory->id, req->user->id, p->language,
				    p->frequency);
}

void settings_preferences_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	struct preferences p = { account_field(req, "language"), account_field(req, "notify_frequency") };
	json_t *errors = json_object();
	if (!user_language_valid(p.language))
		json_object_set_new(errors, "language", json_string("Please choose a language from the list."));
	if (!user_notify_frequency_valid(p.frequency))
		json_object_set_new(errors, "notify_frequency", json_string("Please choose how often to receive e-mails."));
	if (json_object_size(errors)) {
		settings_render(req, res, 422, refused_form(req, "preferences_form", errors, NULL),
				p.language, p.frequency);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	if (in_transaction(req, res, preferences_write, &p) < 0)
		return;
	account_set_lang_cookie(req, res, p.language);
	done(req, res, "preferences");
}

/* ---- The current password, asked before the changes that matter ---- */

/*
 * Check the current password; a wrong one counts against the log-in limit
 * of the account. 0 right, 1 wrong (a msgid in *problem), 2 over the limit
 * (the 429 page is sent), -1 on error.
 */
static int check_current_password(struct request *req, struct response *res, const char *password,
				  const char **problem)
{
	const struct user *u = req->user;
	int over = ratelimit_exceeded(req->db, RL_LOGIN_ACCOUNT, u->email);
	if (over < 0)
		return -1;
	if (over) {
		account_too_many(req, res, RL_LOGIN_ACCOUNT);
		return 2;
	}
	if (!*password) {
		*problem = "Please enter your current password.";
		return 1;
	}
	const char *hash = NULL;
	int rc = user_password_hash(req->db, req->arena, u->id, &hash);
	if (rc < 0)
		return -1;
	if (rc == 0 && password_verify(hash, password) == 1)
		return 0;
	if (!hash)
		password_verify_dummy(password);
	if (ratelimit_hit(req->db, RL_LOGIN_ACCOUNT, u->email) < 0)
		return -1;
	*problem = "This is not your current password.";
	return 1;
}

/* ---- Password ---- */

static int password_write(struct request *req, void *ctx)
{
	const struct user *u = req->user;
	if (user_set_password(req->db, req->territory->id, u->id, ctx) != 0 ||
	    session_destroy_others(req->db, u->id, req->session->token_hash) < 0 ||
	    email_token_revoke(req->db, u->id, EMAIL_TOKEN_EMAIL_CHANGE) < 0)
		return -1;
	json_t *model = json_pack("{ss ss}", "name", u->display_name, "forgot_link",
				  arena_printf(req->arena, "%s/password/forgot", account_base_url(req)));
	return account_mail_queue(req, u->id, u->email, u->language, "password-changed", model);
}

void settings_password_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	const struct user *u = req->user;
	const char *current = account_field(req, "current_password");
	const char *fresh = account_field(req, "new_password");
	const char *problem = NULL;
	int rc = check_current_password(req, res, current, &problem);
	if (rc < 0)
		page_error(req, res, 500);
	if (rc < 0 || rc == 2)
		return;
	json_t *errors = json_object();
	if (problem)
		json_object_set_new(errors, "current_password", json_string(problem));
	const char *weak = *fresh ? password_check(fresh, u->email, u->display_name)
				  : "Please choose a new password.";
	if (weak)
		json_object_set_new(errors, "new_password", json_string(weak));
	if (json_object_size(errors)) {
		settings_render(req, res, 422, refused_form(req, "password_form", errors, NULL),
				u->language, u->notify_frequency);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	char hash[PASSWORD_HASH_MAX];
	if (password_hash(fresh, hash) < 0) {
		page_error(req, res, 500);
		return;
	}
	if (in_transaction(req, res, password_write, hash) < 0)
		return;
	done(req, res, "password");
}

/* ---- E-mail address ---- */

/*
 * Mail the new address a link (or, when it has an account already, a
 * notice to its owner: this page must not tell) and the current address a
 * notice of the request.
 */
static int email_write(struct request *req, void *ctx)
{
	const char *addr = ctx;
	const struct user *u = req->user;
	const char *base = account_base_url(req);
	const char *forgot = arena_printf(req->arena, "%s/password/forgot", base);
	struct user *other;
	int rc = user_find_by_email(req->db, req->arena, addr, &other);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		json_t *model = json_pack("{ss ss ss}", "name", other->display_name, "login_link",
					  arena_printf(req->arena, "%s/login", base), "forgot_link", forgot);
		rc = account_mail_queue(req, other->id, addr, other->language, "email-change-exists", model);
	} else {
		const char *token;
		if (email_token_create(req->db, req->arena, u->id, EMAIL_TOKEN_EMAIL_CHANGE, addr, &token) < 0)
			return -1;
		json_t *model = json_pack("{ss ss si}", "name", u->display_name, "link",
					  arena_printf(req->arena, "%s/confirm?token=%s", base, token),
					  "hours", EMAIL_TOKEN_EMAIL_CHANGE_TTL / 3600);
		rc = account_mail_queue(req, u->id, addr, u->language, "email-change", model);
	}
	if (rc < 0)
		return -1;
	json_t *notice = json_pack("{ss ss ss}", "name", u->display_name, "new_email", addr,
				   "forgot_link", forgot);
	return account_mail_queue(req, u->id, u->email, u->language, "email-change-notice", notice);
}

void settings_email_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	const struct user *u = req->user;
	const char *typed = account_field(req, "new_email");
	const char *addr = user_email_normalise(req->arena, typed);
	const char *problem = NULL;
	int rc = check_current_password(req, res, account_field(req, "current_password"), &problem);
	if (rc < 0)
		page_error(req, res, 500);
	if (rc < 0 || rc == 2)
		return;
	json_t *errors = json_object();
	if (!*addr)
		json_object_set_new(errors, "new_email", json_string("Please enter the new address."));
	else if (!user_email_valid(addr))
		json_object_set_new(errors, "new_email", json_string("This e-mail address does not look valid."));
	else if (!strcmp(addr, u->email))
		json_object_set_new(errors, "new_email", json_string("This is already your address."));
	if (problem)
		json_object_set_new(errors, "current_password", json_string(problem));
	if (json_object_size(errors)) {
		json_t *form = refused_form(req, "email_form", errors, json_pack("{ss}", "new_email", typed));
		settings_render(req, res, 422, form, u->language, u->notify_frequency);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	if (account_rate_limit(req, res, RL_MAIL_ACCOUNT, addr) < 0 ||
	    in_transaction(req, res, email_write, (void *)addr) < 0)
		return;
	done(req, res, "email");
}

/* ---- Sessions ---- */

void settings_logout_others_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	if (session_destroy_others(req->db, req->user->id, req->session->token_hash) < 0) {
		page_error(req, res, 500);
		return;
	}
	done(req, res, "sessions");
}
