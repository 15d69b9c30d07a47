/*
 * A project's funding goal and crowdfunding campaign forms (the bar itself
 * is drawn by the "support received" part, web/requests.c).
 */
#ifndef WEB_FUNDING_H
#define WEB_FUNDING_H

#include "http/request.h"

/* POST /initiatives/{id}/funding (goal): the carrier. */
void funding_goal_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/campaign (platform, url, goal, raised, ends): the carrier or an involved partner. */
void funding_campaign_post(struct request *req, struct response *res);

#endif
