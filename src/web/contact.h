/*
 * The contact page: a visitor writes to the territory's animators.
 */
#ifndef WEB_CONTACT_H
#define WEB_CONTACT_H

#include "http/request.h"

void contact_form(struct request *req, struct response *res);
void contact_post(struct request *req, struct response *res);

#endif
