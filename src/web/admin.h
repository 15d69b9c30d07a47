/*
 * A territory's administration: who holds which role, finding people to
 * give one, and the accreditation of partners. Everything acts on the
 * request's territory only: an admin of another territory has no role here
 * beyond member, so the guard refuses them.
 */
#ifndef WEB_ADMIN_H
#define WEB_ADMIN_H

#include "http/request.h"

/* GET /admin?role=&before=: the people holding a role, 50 a page. Guard: role.grant. */
void admin_home(struct request *req, struct response *res);

/* GET /admin/people?q=&before=: accounts by display name or exact e-mail address. Guard: role.grant. */
void admin_people(struct request *req, struct response *res);

/* POST /admin/roles (user_id, role = member|animator|admin|none, q): change a role. Guard: role.grant. */
void admin_roles_post(struct request *req, struct response *res);

/* GET /admin/partners: partner organisations and their accreditation. Guard: partner.accredit. */
void admin_partners(struct request *req, struct response *res);

/* POST /admin/partners/{slug}/accredit. Guard: partner.accredit. */
void admin_partner_accredit(struct request *req, struct response *res);

/* POST /admin/partners/{slug}/revoke. Guard: partner.accredit. */
void admin_partner_revoke(struct request *req, struct response *res);

#endif
