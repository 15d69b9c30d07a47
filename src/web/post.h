/*
 * Posting: the forms through which members report a need and propose an
 * idea. Low friction by design (a title and a few lines are enough for an
 * idea), a Markdown preview before publishing, and the contact form's
 * rules: a refused form comes back (422) with what was typed and the error
 * next to the field; a published one redirects (303) to its page.
 */
#ifndef WEB_POST_H
#define WEB_POST_H

#include "http/request.h"

/* GET /needs/new: the form to report a need (members; visitors go to log in). */
void post_need_form(struct request *req, struct response *res);
/* POST /needs/new: create the need, 303 to it; 422 with the form when refused. */
void post_need_submit(struct request *req, struct response *res);

/* GET /initiatives/new[?need=ID]: the form to propose an idea, the need ticked when given. */
void post_initiative_form(struct request *req, struct response *res);
/*
 * POST /initiatives/new: with a "preview" field, the form again with the
 * Markdown shown (200, nothing saved); otherwise create the idea (stage
 * idea), 303 to it, or 422 with the form when refused.
 */
void post_initiative_submit(struct request *req, struct response *res);

#endif
