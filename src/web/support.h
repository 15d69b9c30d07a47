/*
 * The community's signals on a need's or an initiative's page: "me too",
 * support (+1), follow, each given or withdrawn by a plain form, and the
 * ways to share the page (canonical URL, Open Graph and Twitter Card tags,
 * an e-mail link, a link to copy). No script, no third party.
 */
#ifndef WEB_SUPPORT_H
#define WEB_SUPPORT_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/*
 * The page part (web/parts.c): model["support"] with the counts, the
 * person's current state and the forms; model["meta"] with the sharing
 * tags the layout puts in <head>. 0 or -1.
 */
int support_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		 json_t *object, json_t *model);

/* POST /initiatives/{id}/support and /unsupport: give or withdraw one's support; 303 back. */
void support_initiative_give(struct request *req, struct response *res);
void support_initiative_withdraw(struct request *req, struct response *res);
/* POST /initiatives/{id}/follow and /unfollow. */
void support_initiative_follow(struct request *req, struct response *res);
void support_initiative_unfollow(struct request *req, struct response *res);

/*
 * POST /needs/{id}/metoo: say "me too" on a need; with the field
 * withdraw=1, take it back. Saying it twice is still once.
 */
void support_need_metoo(struct request *req, struct response *res);
/* POST /needs/{id}/follow and /unfollow. */
void support_need_follow(struct request *req, struct response *res);
void support_need_unfollow(struct request *req, struct response *res);

#endif
