/*
 * Matching on the pages: the offers suggested on a project's page (to its
 * carrier, authors and the animators), each with why it fits, and, for a
 * partner, the projects that fit one of its offers (/offers/{id}/projects).
 */
#ifndef WEB_MATCHING_H
#define WEB_MATCHING_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/* The part of a project's page (web/parts.c): "offers_part" in the model. 0 or -1. */
int offers_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		json_t *object, json_t *model);

/* GET /offers/{id}/projects: members of the offer's partner and animators. */
void matching_offer_projects_page(struct request *req, struct response *res);

#endif
