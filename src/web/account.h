/*
 * The way into an account and out of it: sign-up, the confirmation link,
 * log-in and log-out, the forgotten password, and the terms of use. Also
 * what settings.c shares with it: the mails these pages send, the 429
 * page, and the session cookie.
 *
 * None of these answers tells whether an address has an account: sign-up,
 * log-in and the forgotten password answer the same either way (OWASP
 * ASVS 4.0, V2 and V3, level 2).
 */
#ifndef WEB_ACCOUNT_H
#define WEB_ACCOUNT_H

#include <stdint.h>

#include <jansson.h>

#include "auth/ratelimit.h"
#include "http/request.h"

/* GET /signup: the form; ?sent=1: "check your mail". */
void account_signup_form(struct request *req, struct response *res);
/* POST /signup: email, display_name, password, terms. */
void account_signup_post(struct request *req, struct response *res);

/* GET /confirm?token=: confirms the sign-up address, or sets the new one of an address change. */
void account_confirm(struct request *req, struct response *res);
/* GET /confirm/resend: a button to get the confirmation link again; ?sent=1 when sent. */
void account_confirm_resend_form(struct request *req, struct response *res);
/* POST /confirm/resend. */
void account_confirm_resend_post(struct request *req, struct response *res);

/* GET /login?next=: the form. */
void account_login_form(struct request *req, struct response *res);
/* POST /login: email, password, next (a local path). */
void account_login_post(struct request *req, struct response *res);
/* POST /logout: ends the session, clears the cookie. */
void account_logout(struct request *req, struct response *res);

/* GET /password/forgot: the form; ?sent=1: the answer. */
void account_forgot_form(struct request *req, struct response *res);
/* POST /password/forgot: email. */
void account_forgot_post(struct request *req, struct response *res);
/* GET /password/reset?token=: the new-password form. */
void account_reset_form(struct request *req, struct response *res);
/* POST /password/reset: token, password. */
void account_reset_post(struct request *req, struct response *res);

/* GET /terms: the current terms of use. */
void account_terms_show(struct request *req, struct response *res);
/* GET /terms/accept?next=: accept a new version (or delete the account). */
void account_terms_accept_form(struct request *req, struct response *res);
/* POST /terms/accept: version, accept, next. */
void account_terms_accept_post(struct request *req, struct response *res);

/* ---- Shared with web/settings.c ---- */

/*
 * Load the mail templates, templates_dir/mail/NAME.LANG.txt (first line
 * "Subject: ...", a blank line, then the body; values with {{{x}}}). Call
 * once at start-up, before the worker threads; 0, or -1 (logged). Without
 * the call, the first mail loads them from "templates".
 */
int account_mail_init(const char *templates_dir);
/* Free what account_mail_init() loaded. */
void account_mail_free(void);

/*
 * Render mail NAME in lang ("fr"|"en"; another: French) with model (this
 * function takes the reference; it gains "territory" {name...} and
 * "base_url") and queue it to `to` in the caller's transaction
 * (domain/outbox.h). Call mailer_wake() after the commit. 0 or -1.
 */
int account_mail_queue(struct request *req, int64_t user_id, const char *to, const char *lang,
		       const char *mail, json_t *model);

/*
 * The address links in mails start with ("https://host[:port]"), with no
 * trailing slash (arena string).
 */
const char *account_base_url(const struct request *req);

/* Answer 429 with a page saying to try again later (and Retry-After) for rule. */
void account_too_many(struct request *req, struct response *res, enum ratelimit_rule rule);

/*
 * Count a hit of rule for subject: 0 if allowed; otherwise the response is
 * filled (429 page, or 500 on a database error) and -1 is returned.
 */
int account_rate_limit(struct request *req, struct response *res, enum ratelimit_rule rule,
		       const char *subject);

/* Send the cookie of a new session token / remove it (Max-Age=0). */
void account_set_session_cookie(struct request *req, struct response *res, const char *token);
void account_clear_session_cookie(struct request *req, struct response *res);

/* Remember lang ("fr"|"en") as the browser's language (the lang cookie of web/app.c). */
void account_set_lang_cookie(struct request *req, struct response *res, const char *lang);

/* {field: msgid} → {field: text in the request's language}; new reference. */
json_t *account_translate_errors(const struct request *req, json_t *errors);

/* A form field, or "" when absent. */
const char *account_field(const struct request *req, const char *name);

#endif
