/*
 * The refusal a person sees depends on why they are refused: a visitor is
 * invited to log in and comes back where they were, an unconfirmed account
 * is asked to confirm its address, anyone else gets the 403 page.
 */
#include "web/guard.h"

#include <string.h>

#include "core/buf.h"
#include "web/page.h"
#include "core/banned.h"

enum role guard_role(const struct request *req)
{
	return (enum role)req->role;
}

/* The page to come back to after logging in: a local path only. */
static const char *login_url(struct request *req)
{
	struct buf url = BUF_INIT;
	buf_adds(&url, "/login?next=");
	const char *back = req->method & (HTTP_GET | HTTP_HEAD) ? req->path : "/";
	buf_add_url_encoded(&url, back, strlen(back));
	if (req->method & (HTTP_GET | HTTP_HEAD) && req->raw_query && *req->raw_query) {
		buf_add_url_encoded(&url, "?", 1);
		buf_add_url_encoded(&url, req->raw_query, strlen(req->raw_query));
	}
	const char *s = arena_strdup(req->arena, url.ptr);
	buf_release(&url);
	return s;
}

int guard(struct request *req, struct response *res, enum action action)
{
	enum role role = guard_role(req);
	if (permission_allows(role, action))
		return 0;
	/* A visitor may be someone with the right role who has not logged in yet. */
	if (role == ROLE_VISITOR && permission_allows(ROLE_ADMIN, action))
		response_redirect(res, req->arena, login_url(req));
	else if (role == ROLE_UNCONFIRMED && permission_allows(ROLE_MEMBER, action))
		page_render(req, res, 403, "account/confirm-needed",
			    page_tr(req, "Confirm your e-mail address"), json_object());
	else
		page_error(req, res, 403);
	return -1;
}
