/*
 * Support requests on the web: the carrier asks for an offer, the partner
 * answers and completes, the carrier withdraws; the project page's "support
 * received" part with the funding bar; the partner's dashboard. Who may do
 * what is the table of domain/support_request.c, checked again on every post.
 */
#ifndef WEB_REQUESTS_H
#define WEB_REQUESTS_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/* Page part (web/parts.c): model["received_part"] for an initiative. */
int requests_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		  json_t *object, json_t *model);

/* GET and POST /offers/{id}/request?initiative=ID (message, need). */
void requests_new_form(struct request *req, struct response *res);
void requests_new_post(struct request *req, struct response *res);
/* POST /requests/{id}/accept|decline|withdraw|complete (from, message; amount, hours, given). */
void requests_accept_post(struct request *req, struct response *res);
void requests_decline_post(struct request *req, struct response *res);
void requests_withdraw_post(struct request *req, struct response *res);
void requests_complete_post(struct request *req, struct response *res);
/* GET /dashboard/partner[?org=slug]. */
void requests_dashboard_partner(struct request *req, struct response *res);

/* For web/funding.c: 1 if the person acts for a partner with a live request on initiative id. */
int requests_partner_involved(struct request *req, int64_t id);

#endif
