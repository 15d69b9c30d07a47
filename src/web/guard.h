/*
 * The one permission check every handler calls before acting
 * (auth/permission.c holds the table): the current person's role in the
 * request's territory against the action.
 */
#ifndef WEB_GUARD_H
#define WEB_GUARD_H

#include "auth/permission.h"
#include "http/request.h"

/*
 * 0 if the request may perform action. Otherwise the response is filled:
 * a visitor is sent to the log-in page (303, coming back afterwards), an
 * unconfirmed account gets a page asking to confirm the address (403), any
 * other refusal the 403 page; and -1 is returned: the handler just returns.
 */
int guard(struct request *req, struct response *res, enum action action);

/* The current person's role in the request's territory (ROLE_VISITOR when logged out). */
enum role guard_role(const struct request *req);

#endif
