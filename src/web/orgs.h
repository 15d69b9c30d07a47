/*
 * Organisations people run: creating one (the creator becomes its owner),
 * editing it, and its members. Guarded by organisation.create (a confirmed
 * member of the territory); editing and members also need the person to be
 * an owner of that organisation, checked here after the guard (403 if not).
 */
#ifndef WEB_ORGS_H
#define WEB_ORGS_H

#include <jansson.h>

#include "http/request.h"

/* GET /organisations/new: the creation form. */
void orgs_new_form(struct request *req, struct response *res);
/* POST /organisations/new (name, kind, summary, description, website): create, 303 to its page. */
void orgs_new_post(struct request *req, struct response *res);

/* GET /organisations/{slug}/edit: the owners' page: details and members. */
void orgs_edit_form(struct request *req, struct response *res);
/* POST /organisations/{slug}/edit: save the details, 303 to the organisation's page. */
void orgs_edit_post(struct request *req, struct response *res);

/*
 * POST /organisations/{slug}/members (who = an exact e-mail address or an
 * account number, role = owner|member): add a member or change their role.
 */
void orgs_members_post(struct request *req, struct response *res);
/*
 * POST /organisations/{slug}/members/{user_id}/remove: an owner removes a
 * member, or a member leaves; the last owner stays.
 */
void orgs_member_remove(struct request *req, struct response *res);

/*
 * For GET /organisations/{slug} (web/organisations.c): add to org (an
 * organisation_get_by_slug() object) its members with links to their
 * profiles, and what the viewer may do: is_owner with edit_href, is_member
 * with leave_action. 0 or -1.
 */
int orgs_show_extras(struct request *req, json_t *org);

#endif
