/*
 * The RGPD pages of an account: what the person's rights are, the download
 * of everything the platform holds about them, and the deletion of their
 * account. Only for the logged-in person themselves: no bearer link ever
 * gives the data or deletes the account.
 */
#ifndef WEB_PRIVACY_H
#define WEB_PRIVACY_H

#include "http/request.h"

/* GET /account: the person's rights, with links to their data and the deletion. */
void privacy_account_page(struct request *req, struct response *res);
/* GET /account/data: the JSON export, as a file to save (tremplin-mes-donnees.json). */
void privacy_data(struct request *req, struct response *res);
/* GET /account/delete: the form that asks for the password. */
void privacy_delete_page(struct request *req, struct response *res);
/* POST /account/delete: erase the account (422 on a wrong password), then 303 to /account/deleted. */
void privacy_delete_post(struct request *req, struct response *res);
/* GET /account/deleted: the goodbye page. */
void privacy_deleted_page(struct request *req, struct response *res);

#endif
