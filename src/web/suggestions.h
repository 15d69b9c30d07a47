/*
 * Suggestions and co-authors on an initiative's page: the page part
 * (open suggestions with their diff, the form to suggest, the authors'
 * answers, co-authors and invitations) and the routes its forms post to.
 */
#ifndef WEB_SUGGESTIONS_H
#define WEB_SUGGESTIONS_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/* The "suggestions" part of an initiative's page (web/parts.c): model["suggestions"]. */
int suggestions_part(struct request *req, struct response *res, const char *object_type,
		     int64_t id, json_t *object, json_t *model);

/* POST /initiatives/{id}/suggestions: any member proposes a new title and/or text. */
void suggestions_post(struct request *req, struct response *res);
/* POST /suggestions/{id}/accept: an author applies it (409 when the text changed since). */
void suggestions_accept_post(struct request *req, struct response *res);
/* POST /suggestions/{id}/decline: an author declines it with a reason. */
void suggestions_decline_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/coauthors: an author invites a person (profile id or e-mail). */
void coauthors_post(struct request *req, struct response *res);
/* POST /coauthors/{id}/accept and /coauthors/{id}/decline: the invited person answers. */
void coauthors_accept_post(struct request *req, struct response *res);
void coauthors_decline_post(struct request *req, struct response *res);

#endif
