/*
 * Profiles: a person edits theirs, and everyone reads anyone's public
 * profile with what they posted in the territory (never their e-mail).
 */
#ifndef WEB_PROFILE_H
#define WEB_PROFILE_H

#include "http/request.h"

/* GET /profile[?saved=1]: the logged-in person's profile form. */
void profile_page(struct request *req, struct response *res);
/* POST /profile: save it (422 with the form and its errors when refused, else 303). */
void profile_post(struct request *req, struct response *res);
/* GET /people/{id}: a public profile; 404 for an unknown or deleted account. */
void people_show(struct request *req, struct response *res);

#endif
