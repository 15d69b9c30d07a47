/*
 * The parts of a need's or an initiative's page that belong to other
 * areas (comments, suggestions and versions, supports, the journey and the
 * team...). Each area adds one row to the table in parts.c; the show
 * handlers call parts_fill() once, so no area edits another's handler.
 */
#ifndef WEB_PARTS_H
#define WEB_PARTS_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/*
 * Add what an area shows about the object (object_type "need" or
 * "initiative", its id and its loaded JSON) to the page model. 0 or -1 on a
 * database error. May call page_csrf(req, res) for its forms.
 */
typedef int (*part_fn)(struct request *req, struct response *res, const char *object_type,
		       int64_t id, json_t *object, json_t *model);

/* Run every part that applies to object_type. 0 or -1. */
int parts_fill(struct request *req, struct response *res, const char *object_type, int64_t id,
	       json_t *object, json_t *model);

#endif
