/*
 * The way into an account and out of it. Three rules shape this file:
 *
 * - No answer tells whether an address has an account. Sign-up with a
 *   taken address mails its owner and shows the same "check your mail"
 *   page, and takes as long (the password is hashed either way); a wrong
 *   password and an unknown address get the same message after the same
 *   work (password_verify_dummy); "forgot password" always says "if an
 *   account exists". That is also why sign-up does not log the person in:
 *   a session for new addresses only would tell them apart. The
 *   confirmation link does not log in either (someone who signed up with
 *   another's address must not hand them an account whose password they
 *   know); the person logs in with their password.
 * - Every mail is queued in the transaction of what it announces, and the
 *   sender thread is woken after the commit.
 * - Rate limits answer 429 with a page that says when to come back;
 *   counters are hit outside transactions so a rollback keeps them.
 */
#include "web/account.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/email_token.h"
#include "domain/outbox.h"
#include "domain/terms.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "view/i18n.h"
#include "view/markdown.h"
#include "view/template.h"
#include "web/app.h"
#include "web/guard.h"
#include "web/listing.h"
#include "web/page.h"
#include "core/banned.h"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */
/* ------------------------------------------------------------------ */

const char *account_field(const struct request *req, const char *name)
{
	const char *v = params_get(&req->form, name);
	return v ? v : "";
}

json_t *account_translate_errors(const struct request *req, json_t *errors)
{
	const char *field;
	json_t *msg;
	json_t *out = json_object();
	json_object_foreach(errors, field, msg)
		json_object_set_new(out, field, json_string(page_tr(req, json_string_value(msg))));
	return out;
}

/* Put errors (msgids; borrowed) in model as "errors" and "has_errors" when there are any. */
static void set_errors(const struct request *req, json_t *model, json_t *errors)
{
	if (!errors || !json_object_size(errors))
		return;
	json_object_set_new(model, "errors", account_translate_errors(req, errors));
	json_object_set_new(model, "has_errors", json_true());
}

static const char *client_ip(const struct request *req)
{
	return req->client_ip ? req->client_ip : "";
}

static int query_is(const struct request *req, const char *name, const char *value)
{
	const char *v = params_get(&req->query, name);
	return v && !strcmp(v, value);
}

/* A query parameter that is not allowed, or given twice: 400. */
static int query_refused(struct request *req, struct response *res, const char *const *names,
			 size_t n)
{
	if (listing_query_allowed(req, names, n))
		return 0;
	page_error(req, res, 400);
	return 1;
}

/*
 * Where to go after logging in: a path of this site only. "//host" and
 * "/\host" are read by browsers as another host, and anything absolute
 * would make the log-in page an open redirect.
 */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 2000)
		return "/";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < ' ' || *p == 0x7f || *p == '\\')
			return "/";
	return next;
}

/* path?name=<value percent-encoded> (arena string). */
static const char *with_param(struct request *req, const char *path, const char *name,
			      const char *value)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s?%s=", path, name);
	buf_add_url_encoded(&b, value, strlen(value));
	const char *s = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return s;
}

static const char *session_cookie_name(void)
{
	return app_cookies_secure() ? "__Host-tremplin_session" : "tremplin_session";
}

void account_set_session_cookie(struct request *req, struct response *res, const char *token)
{
	const char *cookie = arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
					  session_cookie_name(), token,
					  app_cookies_secure() ? "; Secure" : "");
	response_header(res, req->arena, "Set-Cookie", cookie);
}

void account_clear_session_cookie(struct request *req, struct response *res)
{
	const char *cookie = arena_printf(req->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
					  session_cookie_name(), app_cookies_secure() ? "; Secure" : "");
	response_header(res, req->arena, "Set-Cookie", cookie);
}

void account_set_lang_cookie(struct request *req, struct response *res, const char *lang)
{
	if (!user_language_valid(lang))
		return;
	const char *cookie = arena_printf(req->arena, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax%s",
					  lang, app_cookies_secure() ? "; Secure" : "");
	response_header(res, req->arena, "Set-Cookie", cookie);
}

const char *account_base_url(const struct request *req)
{
	return app_public_base(req);
}

/* "15 minutes", "1 heure"... for a time to wait or a link's validity (arena string). */
static const char *wait_text(const struct request *req, int seconds)
{
	if (seconds >= 3600 && seconds % 3600 == 0) {
		int h = seconds / 3600;
		return arena_printf(req->arena, "%d %s", h, listing_plural(req, h, "hour", "hours"));
	}
	int m = (seconds + 59) / 60;
	if (m < 1)
		m = 1;
	return arena_printf(req->arena, "%d %s", m, listing_plural(req, m, "minute", "minutes"));
}

void account_too_many(struct request *req, struct response *res, enum ratelimit_rule rule)
{
	int retry = ratelimit_retry_after(rule);
	response_header(res, req->arena, "Retry-After", arena_printf(req->arena, "%d", retry));
	json_t *model = json_pack("{ss}", "wait", wait_text(req, retry));
	page_render(req, res, 429, "account/too-many", page_tr(req, "Too many attempts"), model);
}

int account_rate_limit(struct request *req, struct response *res, enum ratelimit_rule rule,
		       const char *subject)
{
	int rc = ratelimit_hit(req->db, rule, subject);
	if (rc == 0)
		return 0;
	if (rc > 0)
		account_too_many(req, res, rule);
	else
		page_error(req, res, 500);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Mails                                                               */
/* ------------------------------------------------------------------ */

static struct template_set *mails;
static pthread_once_t mails_once = PTHREAD_ONCE_INIT;

#define MAIL_FILE_MAX (64 * 1024)

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("cannot open %s: %s", path, strerror(errno));
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= MAIL_FILE_MAX)
		buf_add(out, chunk, n);
	int bad = ferror(f) || out->len > MAIL_FILE_MAX;
	fclose(f);
	return bad ? error("cannot read %s (or larger than 64 KB)", path) : 0;
}

/* Add dir/NAME.txt to set as "NAME". 0 or -1. */
static int load_mail(struct template_set *set, const char *dir, const char *file)
{
	const char *path = NULL;
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct arena *a = arena_new();
	path = arena_printf(a, "%s/%s", dir, file);
	const char *name = arena_strndup(a, file, strlen(file) - strlen(".txt"));
	int rc = read_file(path, &text);
	if (!rc && template_set_add(set, name, path, text.ptr, text.len, &err) < 0)
		rc = error("mail template: %s", err.ptr);
	buf_release(&text);
	buf_release(&err);
	arena_free(a);
	return rc;
}

static int load_mails(const char *templates_dir, struct template_set **out)
{
	struct arena *a = arena_new();
	const char *dir = arena_printf(a, "%s/mail", templates_dir);
	struct template_set *set = template_set_new();
	int rc = 0;
	DIR *d = opendir(dir);
	if (!d) {
		rc = error("cannot open the mail templates %s: %s", dir, strerror(errno));
		goto out;
	}
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > 4 && !strcmp(e->d_name + len - 4, ".txt"))
			rc = load_mail(set, dir, e->d_name);
	}
	closedir(d);
out:
	arena_free(a);
	if (rc < 0) {
		template_set_free(set);
		return -1;
	}
	*out = set;
	return 0;
}

int account_mail_init(const char *templates_dir)
{
	struct template_set *set;
	if (load_mails(templates_dir, &set) < 0)
		return -1;
	template_set_free(mails);
	mails = set;
	return 0;
}

void account_mail_free(void)
{
	template_set_free(mails);
	mails = NULL;
}

static void load_default_mails(void)
{
	if (!mails)
		(void)account_mail_init("templates");
}

/* Split "Subject: ...\n\nbody" (rendered) into its two parts (arena strings). */
static int split_mail(struct arena *a, const char *text, const char **subject, const char **body)
{
	static const char prefix[] = "Subject: ";
	if (strncmp(text, prefix, strlen(prefix)))
		return error("a mail template must start with \"Subject: \"");
	const char *s = text + strlen(prefix);
	const char *nl = strchr(s, '\n');
	if (!nl)
		return error("a mail template needs a body after its subject line");
	*subject = arena_strndup(a, s, (size_t)(nl - s));
	const char *b = nl + 1;
	while (*b == '\n' || *b == '\r')
		b++;
	*body = b;
	return 0;
}

int account_mail_queue(struct request *req, int64_t user_id, const char *to, const char *lang,
		       const char *mail, json_t *model)
{
	pthread_once(&mails_once, load_default_mails);
	const char *name = arena_printf(req->arena, "%s.%s", mail,
					user_language_valid(lang) ? lang : i18n_default());
	json_object_set_new(model, "base_url", json_string(account_base_url(req)));
	if (req->territory)
		json_object_set_new(model, "territory", territory_json(req->territory));
	struct buf out = BUF_INIT;
	const char *subject = NULL, *body = NULL;
	int rc = -1;
	if (!mails || template_render(mails, name, model, NULL, NULL, &out) < 0)
		error("cannot render the mail %s", name);
	else if (split_mail(req->arena, out.ptr, &subject, &body) == 0)
		rc = outbox_enqueue(req->db, req->territory ? req->territory->id : 0, user_id, to,
				    subject, body);
	buf_release(&out);
	json_decref(model);
	return rc;
}

/* A link of the site for a mail: base URL, path, ?token=. */
static const char *mail_link(struct request *req, const char *path, const char *token)
{
	const char *p = token ? with_param(req, path, "token", token) : path;
	return arena_printf(req->arena, "%s%s", account_base_url(req), p);
}

/* Queue a new confirmation link for user_id's address (caller's transaction). 0 or -1. */
static int queue_confirm_mail(struct request *req, int64_t user_id, const char *email,
			      const char *name, const char *lang)
{
	const char *token;
	if (email_token_create(req->db, req->arena, user_id, EMAIL_TOKEN_CONFIRM, NULL, &token) < 0)
		return -1;
	json_t *model = json_pack("{ss ss si}", "name", name, "link",
				  mail_link(req, "/confirm", token), "hours",
				  EMAIL_TOKEN_CONFIRM_TTL / 3600);
	return account_mail_queue(req, user_id, email, lang, "confirm", model);
}

/* Links that every "was it you?" mail offers. */
static json_t *help_links(struct request *req, const char *name)
{
	return json_pack("{ss ss ss}", "name", name ? name : "", "login_link",
			 mail_link(req, "/login", NULL), "forgot_link",
			 mail_link(req, "/password/forgot", NULL));
}

/* ------------------------------------------------------------------ */
/* Pages shared by several flows                                       */
/* ------------------------------------------------------------------ */

static void link_invalid(struct request *req, struct response *res)
{
	json_t *model = json_pack("{sb}", "logged_in", req->user != NULL);
	page_render(req, res, 410, "account/link-invalid",
		    page_tr(req, "This link has already been used or has expired"), model);
}

/* Log user_id in with a new session (new token, new CSRF token) and send its cookie. 0 or -1. */
static int start_session(struct request *req, struct response *res, int64_t user_id)
{
	struct session *s;
	const char *token;
	if (db_begin(req->db) < 0)
		return -1;
	if (session_login(req->db, req->arena, req->session, user_id,
			  request_header(req, "User-Agent"), client_ip(req), &s, &token) < 0 ||
	    db_commit(req->db) < 0) {
		db_rollback(req->db);
		return -1;
	}
	req->session = s;
	account_set_session_cookie(req, res, token);
	return 0;
}

/* After a log-in: accept new terms first when there are some, then go on to next. */
static void redirect_after_login(struct request *req, struct response *res, int terms_version,
				 const char *next)
{
	int must = terms_must_accept(req->db, terms_version);
	if (must > 0)
		next = with_param(req, "/terms/accept", "next", next);
	response_redirect(res, req->arena, next);
}

/* ------------------------------------------------------------------ */
/* Sign-up                                                             */
/* ------------------------------------------------------------------ */

static void signup_render(struct request *req, struct response *res, int status,
			  const char *email, const char *name, int terms, json_t *errors)
{
	int version = terms_current_version(req->db);
	json_t *model = json_pack("{ss ss sb ss si si si si}", "email", email, "display_name", name,
				  "terms", terms, "csrf", page_csrf(req, res), "name_max",
				  USER_NAME_MAX, "email_max", USER_EMAIL_MAX, "password_min",
				  PASSWORD_MIN_CHARS, "terms_version", version < 0 ? 0 : version);
	set_errors(req, model, errors);
	page_render(req, res, status, "account/signup", page_tr(req, "Create an account"), model);
}

void account_signup_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "sent" };
	if (query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	if (query_is(req, "sent", "1")) {
		json_t *model = json_pack("{ss}", "validity", wait_text(req, EMAIL_TOKEN_CONFIRM_TTL));
		page_render(req, res, 200, "account/signup-sent", page_tr(req, "Check your mail"), model);
		return;
	}
	signup_render(req, res, 200, "", "", 0, NULL);
}

/* The name as people will see it: without blanks around it (arena string). */
static const char *trimmed(struct request *req, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return arena_strndup(req->arena, s, len);
}

/* The writes of a sign-up, in the caller's transaction. 0 or -1. */
static int signup_write(struct request *req, const char *email, const char *name,
			const char *hash, int terms_version)
{
	struct user *existing;
	int64_t id;
	int rc = user_find_by_email(req->db, req->arena, email, &existing);
	if (rc == 1) {
		rc = user_create(req->db, req->territory->id, email, name, hash, req->lang,
				 terms_version, &id);
		if (rc == 0)
			return queue_confirm_mail(req, id, email, name, req->lang);
		if (rc == 1) /* created by another request a moment ago */
			rc = user_find_by_email(req->db, req->arena, email, &existing);
	}
	if (rc != 0)
		return -1;
	/* The address has an account: tell its owner, and nobody else. */
	return account_mail_queue(req, existing->id, existing->email, existing->language,
				  "signup-exists", help_links(req, existing->display_name));
}

void account_signup_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0)
		return;
	const char *email = account_field(req, "email");
	const char *name = trimmed(req, account_field(req, "display_name"));
	const char *password = account_field(req, "password");
	int terms = *account_field(req, "terms") != '\0';
	json_t *errors = user_validate_signup(email, name, password);
	if (!terms)
		json_object_set_new(errors, "terms",
				    json_string("Please accept the terms of use to create an account."));
	if (json_object_size(errors)) {
		signup_render(req, res, 422, email, name, terms, errors);
		json_decref(errors);
		return;
	}
	json_decref(errors);
	const char *addr = user_email_normalise(req->arena, email);
	if (account_rate_limit(req, res, RL_SIGNUP_IP, client_ip(req)) < 0 ||
	    account_rate_limit(req, res, RL_MAIL_ACCOUNT, addr) < 0)
		return;
	/* Hashed even when the address is taken: both answers take the same time. */
	char hash[PASSWORD_HASH_MAX];
	int version = terms_current_version(req->db);
	if (version < 0 || password_hash(password, hash) < 0 || db_begin(req->db) < 0) {
		page_error(req, res, 500);
		return;
	}
	if (signup_write(req, addr, name, hash, version) < 0 || db_commit(req->db) < 0) {
		db_rollback(req->db);
		page_error(req, res, 500);
		return;
	}
	mailer_wake();
	response_redirect(res, req->arena, "/signup?sent=1");
}

/* ------------------------------------------------------------------ */
/* Confirmation links                                                  */
/* ------------------------------------------------------------------ */

/* Use token as an address-change link. 0 done, 1 no such link, 2 address taken, -1 error. */
static int confirm_email_change(struct request *req, const char *token)
{
	struct email_token *t;
	int rc = email_token_use(req->db, req->arena, token, EMAIL_TOKEN_EMAIL_CHANGE, &t);
	if (rc != 0)
		return rc;
	if (!t->new_email)
		return 1;
	rc = user_set_email(req->db, req->territory->id, t->user_id, t->new_email);
	return rc == 1 ? 2 : rc;
}

/* Use token: 0 address confirmed, 3 address changed, or confirm_email_change()'s answers. */
static int confirm_token(struct request *req, const char *token)
{
	struct email_token *t;
	int rc = email_token_use(req->db, req->arena, token, EMAIL_TOKEN_CONFIRM, &t);
	if (rc == 0) {
		rc = user_confirm(req->db, req->territory->id, t->user_id);
		return rc; /* 1: the account is gone, the link means nothing */
	}
	if (rc < 0)
		return -1;
	rc = confirm_email_change(req, token);
	return rc == 0 ? 3 : rc;
}

void account_confirm(struct request *req, struct response *res)
{
	static const char *const params[] = { "token" };
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0 ||
	    query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	if (db_begin(req->db) < 0) {
		page_error(req, res, 500);
		return;
	}
	int rc = confirm_token(req, params_get(&req->query, "token"));
	if ((rc == 0 || rc == 3) && db_commit(req->db) < 0)
		rc = -1;
	if (rc != 0 && rc != 3)
		db_rollback(req->db);
	if (rc < 0) {
		page_error(req, res, 500);
	} else if (rc == 1) {
		link_invalid(req, res);
	} else if (rc == 2) {
		page_render(req, res, 409, "account/email-taken",
			    page_tr(req, "This address is already used"), json_object());
	} else {
		json_t *model = json_pack("{sb sb}", "logged_in", req->user != NULL, "changed", rc == 3);
		page_render(req, res, 200, "account/confirmed",
			    page_tr(req, rc == 3 ? "Your new address is confirmed"
					    : "Your address is confirmed"),
			    model);
	}
}

void account_confirm_resend_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "sent" };
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0 ||
	    query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	int sent = query_is(req, "sent", "1");
	if (req->user->confirmed && !sent) {
		response_redirect(res, req->arena, "/settings");
		return;
	}
	json_t *model = json_pack("{ss sb ss ss}", "email", req->user->email, "sent", sent, "csrf",
				  page_csrf(req, res), "validity", wait_text(req, EMAIL_TOKEN_CONFIRM_TTL));
	page_render(req, res, 200, "account/confirm-resend", page_tr(req, "Confirm your e-mail address"),
		    model);
}

void account_confirm_resend_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	const struct user *u = req->user;
	if (u->confirmed) {
		response_redirect(res, req->arena, "/settings");
		return;
	}
	if (account_rate_limit(req, res, RL_MAIL_ACCOUNT, u->email) < 0)
		return;
	if (db_begin(req->db) < 0) {
		page_error(req, res, 500);
		return;
	}
	if (queue_confirm_mail(req, u->id, u->email, u->display_name, u->language) < 0 ||
	    db_commit(req->db) < 0) {
		db_rollback(req->db);
		page_error(req, res, 500);
		return;
	}
	mailer_wake();
	response_redirect(res, req->arena, "/confirm/resend?sent=1");
}

/* ------------------------------------------------------------------ */
/* Log-in and log-out                                                  */
/* ------------------------------------------------------------------ */

static void login_render(struct request *req, struct response *res, int status, const char *email,
			 const char *next, const char *error_msgid)
{
	json_t *model = json_pack("{ss ss ss ss}", "email", email, "next", next, "csrf",
				  page_csrf(req, res), "signup_href", "/signup");
	if (error_msgid) {
		json_object_set_new(model, "error", json_string(page_tr(req, error_msgid)));
		json_object_set_new(model, "has_errors", json_true());
	}
	page_render(req, res, status, "account/login", page_tr(req, "Log in"), model);
}

void account_login_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "next" };
	if (query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	const char *next = safe_next(params_get(&req->query, "next"));
	if (req->user) {
		response_redirect(res, req->arena, next);
		return;
	}
	login_render(req, res, 200, "", next, NULL);
}

/* The account behind address and password, or NULL; the same work either way. -1 on error. */
static int check_credentials(struct request *req, const char *addr, const char *password,
			     struct user **out)
{
	struct user *u = NULL;
	const char *hash = NULL;
	*out = NULL;
	int rc = user_find_by_email(req->db, req->arena, addr, &u);
	if (rc == 0)
		rc = user_password_hash(req->db, req->arena, u->id, &hash);
	if (rc < 0)
		return -1;
	if (!hash) {
		password_verify_dummy(password);
		return 0;
	}
	if (password_verify(hash, password) == 1)
		*out = u;
	return 0;
}

/* 1 when a log-in limit is used up (the 429 page is filled), -1 on error, else 0. */
static int login_limited(struct request *req, struct response *res, const char *addr)
{
	int ip = ratelimit_exceeded(req->db, RL_LOGIN_IP, client_ip(req));
	int account = ip ? 0 : ratelimit_exceeded(req->db, RL_LOGIN_ACCOUNT, addr);
	if (ip < 0 || account < 0)
		return -1;
	if (ip || account)
		account_too_many(req, res, ip ? RL_LOGIN_IP : RL_LOGIN_ACCOUNT);
	return ip || account;
}

void account_login_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0)
		return;
	const char *email = account_field(req, "email");
	const char *password = account_field(req, "password");
	const char *next = safe_next(account_field(req, "next"));
	const char *addr = user_email_normalise(req->arena, email);
	if (!*addr || !*password) {
		login_render(req, res, 422, email, next,
			     "Please enter your e-mail address and your password.");
		return;
	}
	struct user *u;
	int rc = login_limited(req, res, addr);
	if (rc > 0)
		return;
	if (rc < 0 || check_credentials(req, addr, password, &u) < 0) {
		page_error(req, res, 500);
		return;
	}
	if (!u) {
		if (ratelimit_hit(req->db, RL_LOGIN_IP, client_ip(req)) < 0 ||
		    ratelimit_hit(req->db, RL_LOGIN_ACCOUNT, addr) < 0) {
			page_error(req, res, 500);
			return;
		}
		login_render(req, res, 422, email, next, "E-mail address or password incorrect.");
		return;
	}
	if (ratelimit_clear(req->db, RL_LOGIN_ACCOUNT, addr) < 0 || start_session(req, res, u->id) < 0) {
		page_error(req, res, 500);
		return;
	}
	account_set_lang_cookie(req, res, u->language);
	redirect_after_login(req, res, u->terms_version, next);
}

void account_logout(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0)
		return;
	if (req->session && session_destroy(req->db, req->session) < 0) {
		page_error(req, res, 500);
		return;
	}
	req->session = NULL;
	req->user = NULL;
	account_clear_session_cookie(req, res);
	response_redirect(res, req->arena, "/");
}

/* ------------------------------------------------------------------ */
/* Forgotten password                                                  */
/* ------------------------------------------------------------------ */

static void forgot_render(struct request *req, struct response *res, int status, const char *email,
			  json_t *errors)
{
	json_t *model = json_pack("{ss ss sb si ss}", "email", email, "csrf", page_csrf(req, res),
				  "sent", query_is(req, "sent", "1"), "email_max", USER_EMAIL_MAX,
				  "validity", wait_text(req, EMAIL_TOKEN_RESET_TTL));
	set_errors(req, model, errors);
	page_render(req, res, status, "account/forgot", page_tr(req, "Forgot your password?"), model);
}

void account_forgot_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "sent" };
	if (query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	forgot_render(req, res, 200, "", NULL);
}

/* Queue the reset link when addr has an account (caller's transaction). 0 or -1. */
static int forgot_write(struct request *req, const char *addr)
{
	struct user *u;
	const char *token;
	int rc = user_find_by_email(req->db, req->arena, addr, &u);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (email_token_create(req->db, req->arena, u->id, EMAIL_TOKEN_RESET, NULL, &token) < 0)
		return -1;
	json_t *model = json_pack("{ss ss si}", "name", u->display_name, "link",
				  mail_link(req, "/password/reset", token), "minutes",
				  EMAIL_TOKEN_RESET_TTL / 60);
	return account_mail_queue(req, u->id, u->email, u->language, "reset", model);
}

void account_forgot_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0)
		return;
	const char *email = account_field(req, "email");
	const char *addr = user_email_normalise(req->arena, email);
	const char *problem = !*addr			  ? "Please enter your e-mail address."
			      : !user_email_valid(addr) ? "This e-mail address does not look valid."
							  : NULL;
	if (problem) {
		json_t *errors = json_pack("{ss}", "email", problem);
		forgot_render(req, res, 422, email, errors);
		json_decref(errors);
		return;
	}
	if (account_rate_limit(req, res, RL_RESET_IP, client_ip(req)) < 0 ||
	    account_rate_limit(req, res, RL_RESET_ACCOUNT, addr) < 0 ||
	    account_rate_limit(req, res, RL_MAIL_ACCOUNT, addr) < 0)
		return;
	if (db_begin(req->db) < 0) {
		page_error(req, res, 500);
		return;
	}
	if (forgot_write(req, addr) < 0 || db_commit(req->db) < 0) {
		db_rollback(req->db);
		page_error(req, res, 500);
		return;
	}
	mailer_wake();
	response_redirect(res, req->arena, "/password/forgot?sent=1");
}

/* ------------------------------------------------------------------ */
/* Password reset                                                      */
/* ------------------------------------------------------------------ */

static void reset_render(struct request *req, struct response *res, int status, const char *token,
			 json_t *errors)
{
	json_t *model = json_pack("{ss ss si}", "token", token, "csrf", page_csrf(req, res),
				  "password_min", PASSWORD_MIN_CHARS);
	set_errors(req, model, errors);
	page_render(req, res, status, "account/reset", page_tr(req, "Choose a new password"), model);
}

/* The account a valid reset link opens: 0 with *out, 1 when the link is not valid, -1. */
static int reset_account(struct request *req, const char *token, struct user **out)
{
	struct email_token *t;
	int rc = email_token_peek(req->db, req->arena, token, EMAIL_TOKEN_RESET, &t);
	if (rc != 0)
		return rc;
	return user_get(req->db, req->arena, t->user_id, out);
}

void account_reset_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "token" };
	if (query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	const char *token = params_get(&req->query, "token");
	struct user *u;
	int rc = reset_account(req, token, &u);
	if (rc < 0)
		page_error(req, res, 500);
	else if (rc > 0)
		link_invalid(req, res);
	else
		reset_render(req, res, 200, token, NULL);
}

/*
 * The writes of a reset, in the caller's transaction: use the link, set
 * the password, confirm the address (the link reached it), end every
 * session and cancel a pending change of address (whoever knew the old
 * password may have asked for it), tell the person, and log them in anew. 0, 1 if the link was
 * used meanwhile, -1.
 */
static int reset_write(struct request *req, const struct user *u, const char *token,
		       const char *hash, const char **cookie)
{
	struct email_token *t;
	struct session *s;
	int64_t territory = req->territory->id;
	int rc = email_token_use(req->db, req->arena, token, EMAIL_TOKEN_RESET, &t);
	if (rc != 0 || t->user_id != u->id)
		return rc < 0 ? -1 : 1;
	if (user_set_password(req->db, territory, u->id, hash) != 0 ||
	    user_confirm(req->db, territory, u->id) != 0 || session_destroy_all(req->db, u->id) < 0 ||
	    email_token_revoke(req->db, u->id, EMAIL_TOKEN_EMAIL_CHANGE) < 0 ||
	    account_mail_queue(req, u->id, u->email, u->language, "password-changed",
			       help_links(req, u->display_name)) < 0 ||
	    session_login(req->db, req->arena, req->session, u->id, request_header(req, "User-Agent"),
			  client_ip(req), &s, cookie) < 0)
		return -1;
	req->session = s;
	return 0;
}

void account_reset_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_ACCESS) < 0)
		return;
	const char *token = account_field(req, "token");
	const char *password = account_field(req, "password");
	struct user *u;
	int rc = reset_account(req, token, &u);
	if (rc != 0) {
		if (rc < 0)
			page_error(req, res, 500);
		else
			link_invalid(req, res);
		return;
	}
	const char *problem = *password ? password_check(password, u->email, u->display_name)
					: "Please choose a password.";
	if (problem) {
		json_t *errors = json_pack("{ss}", "password", problem);
		reset_render(req, res, 422, token, errors);
		json_decref(errors);
		return;
	}
	char hash[PASSWORD_HASH_MAX];
	const char *cookie;
	if (password_hash(password, hash) < 0 || db_begin(req->db) < 0) {
		page_error(req, res, 500);
		return;
	}
	rc = reset_write(req, u, token, hash, &cookie);
	if (rc == 0 && db_commit(req->db) < 0)
		rc = -1;
	if (rc != 0) {
		db_rollback(req->db);
		if (rc < 0)
			page_error(req, res, 500);
		else
			link_invalid(req, res);
		return;
	}
	mailer_wake();
	(void)ratelimit_clear(req->db, RL_LOGIN_ACCOUNT, u->email);
	account_set_session_cookie(req, res, cookie);
	account_set_lang_cookie(req, res, u->language);
	redirect_after_login(req, res, u->terms_version, "/settings?done=reset");
}

/* ------------------------------------------------------------------ */
/* Terms of use                                                        */
/* ------------------------------------------------------------------ */

/* Model keys of the current terms: version, date, body_html. 0, 1 if none, -1. */
static int terms_model(struct request *req, json_t *model)
{
	struct terms *t;
	int rc = terms_current(req->db, req->arena, &t);
	if (rc != 0)
		return rc;
	struct buf html = BUF_INIT;
	if (markdown_to_html(t->body, strlen(t->body), &html) < 0) {
		buf_release(&html);
		return error("the terms of use are not valid UTF-8");
	}
	json_object_set_new(model, "version", json_integer(t->version));
	json_object_set_new(model, "body_html", json_stringn(html.ptr, html.len));
	listing_date(req, model, "date", t->published_at);
	/* The terms are written in French: say so to those who read the site in English. */
	json_object_set_new(model, "in_french", json_boolean(req->lang && !strcmp(req->lang, "en")));
	buf_release(&html);
	return 0;
}

void account_terms_show(struct request *req, struct response *res)
{
	if (query_refused(req, res, NULL, 0))
		return;
	json_t *model = json_object();
	int rc = terms_model(req, model);
	if (rc != 0) {
		json_decref(model);
		page_error(req, res, rc < 0 ? 500 : 404);
		return;
	}
	page_render(req, res, 200, "account/terms", page_tr(req, "Terms of use"), model);
}

static void terms_accept_render(struct request *req, struct response *res, int status,
				const char *next, json_t *errors)
{
	json_t *model = json_pack("{ss ss}", "next", next, "csrf", page_csrf(req, res));
	if (terms_model(req, model) != 0) {
		json_decref(model);
		page_error(req, res, 500);
		return;
	}
	set_errors(req, model, errors);
	page_render(req, res, status, "account/terms-accept", page_tr(req, "New terms of use"), model);
}

void account_terms_accept_form(struct request *req, struct response *res)
{
	static const char *const params[] = { "next" };
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0 ||
	    query_refused(req, res, params, ARRAY_SIZE(params)))
		return;
	const char *next = safe_next(params_get(&req->query, "next"));
	int must = terms_must_accept(req->db, req->user->terms_version);
	if (must < 0)
		page_error(req, res, 500);
	else if (!must)
		response_redirect(res, req->arena, next);
	else
		terms_accept_render(req, res, 200, next, NULL);
}

void account_terms_accept_post(struct request *req, struct response *res)
{
	if (guard(req, res, ACT_ACCOUNT_MANAGE) < 0)
		return;
	const char *next = safe_next(account_field(req, "next"));
	const char *v = account_field(req, "version");
	int current = terms_current_version(req->db);
	if (current < 0) {
		page_error(req, res, 500);
		return;
	}
	const char *problem = NULL;
	if (current == 0 || strtol(v, NULL, 10) != current || strspn(v, "0123456789") != strlen(v))
		problem = "The terms changed while you were reading them: please read this version.";
	else if (!*account_field(req, "accept"))
		problem = "Please tick the box to accept the terms of use.";
	if (problem) {
		json_t *errors = json_pack("{ss}", "accept", problem);
		terms_accept_render(req, res, 422, next, errors);
		json_decref(errors);
		return;
	}
	if (db_begin(req->db) < 0 ||
	    user_accept_terms(req->db, req->territory->id, req->user->id, current) != 0 ||
	    db_commit(req->db) < 0) {
		db_rollback(req->db);
		page_error(req, res, 500);
		return;
	}
	response_redirect(res, req->arena, next);
}
