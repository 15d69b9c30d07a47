/*
 * Threaded comments on the pages of needs and initiatives: the thread and
 * its form as a page part (web/parts.c), and the pages that work without
 * JavaScript: a reply form for each comment, the older threads, and the
 * author's edit form during the edit window.
 */
#ifndef WEB_COMMENTS_H
#define WEB_COMMENTS_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/* The part (parts.h): model["comments"] with the newest threads and the form. 0 or -1. */
int comments_part(struct request *req, struct response *res, const char *object_type,
		  int64_t id, json_t *object, json_t *model);

/* GET /comments?object_type=&object_id=&before=: older threads of an object. */
void comments_index(struct request *req, struct response *res);
/* GET /comments/new?object_type=&object_id=&parent_id=: the form, the parent quoted. */
void comments_new_form(struct request *req, struct response *res);
/* POST /comments: post a comment or a reply; 303 to the object's page #comment-ID. */
void comments_post(struct request *req, struct response *res);
/* GET /comments/{id}/edit: the author's form while the edit window lasts. */
void comments_edit_form(struct request *req, struct response *res);
/* POST /comments/{id}/edit: save the author's change (sets the "edited" mark). */
void comments_edit_post(struct request *req, struct response *res);

#endif
