/*
 * Partners' offers and the ecosystem page. Publishing and editing an offer
 * is guarded by ACT_CONTRIBUTE, then checked here: the person must be a
 * member of an accredited partner organisation of the territory (403 if
 * not; offer_may_publish()).
 */
#ifndef WEB_OFFERS_H
#define WEB_OFFERS_H

#include "http/request.h"

/* GET /ecosystem?kind=&stage=&theme=&before=: partners, their offers, what they supported. 400 on a bad filter. */
void offers_ecosystem(struct request *req, struct response *res);
/* GET /offers/{id}: one offer. */
void offers_show(struct request *req, struct response *res);
/* GET /organisations/{slug}/offers/new: the form to publish an offer. */
void offers_new_form(struct request *req, struct response *res);
/* POST /organisations/{slug}/offers/new: publish, 303 to the offer; 422 with what was typed. */
void offers_new_post(struct request *req, struct response *res);
/* GET /offers/{id}/edit: the form, filled. */
void offers_edit_form(struct request *req, struct response *res);
/* POST /offers/{id}/edit: save, 303 to the offer; 422 with what was typed. */
void offers_edit_post(struct request *req, struct response *res);

#endif
