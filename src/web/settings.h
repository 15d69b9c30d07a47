/*
 * A person's settings: language and notifications, password, e-mail
 * address, and the sessions open on their devices. One page, and one
 * small form and POST route per change, each asking for what it needs
 * (the current password to change the password or the address).
 */
#ifndef WEB_SETTINGS_H
#define WEB_SETTINGS_H

#include "http/request.h"

/* GET /settings?done=: the page; done names the change just made, for its notice. */
void settings_show(struct request *req, struct response *res);
/* POST /settings/preferences: language, notify_frequency. */
void settings_preferences_post(struct request *req, struct response *res);
/* POST /settings/password: current_password, new_password; logs out the other sessions. */
void settings_password_post(struct request *req, struct response *res);
/* POST /settings/email: new_email, current_password; mails a link to the new address. */
void settings_email_post(struct request *req, struct response *res);
/* POST /settings/sessions/logout-others: ends every session but this one. */
void settings_logout_others_post(struct request *req, struct response *res);

#endif
