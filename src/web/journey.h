/*
 * The journey on an initiative's page and its forms: stage moves checked
 * against the transitions table (domain/journey.h), the timeline, the
 * request to become a project, the project's carrier, team, skills sought
 * and needs, and the outcome once realised. Every form posts to its own
 * route and comes back to the initiative's page (303); a refused form is
 * shown again on a page of its own (422) with what was typed.
 */
#ifndef WEB_JOURNEY_H
#define WEB_JOURNEY_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"

/* Page parts (web/parts.c): model["journey"] and model["team"] for an initiative. */
int journey_part(struct request *req, struct response *res, const char *object_type, int64_t id,
		 json_t *object, json_t *model);
int team_part(struct request *req, struct response *res, const char *object_type, int64_t id,
	      json_t *object, json_t *model);

/* GET /initiatives/{id}/timeline: every stage move, with who, when, from, to and why. */
void journey_timeline_page(struct request *req, struct response *res);
/* POST /initiatives/{id}/move (from, to, note; carrier; merged_into; outcome fields). */
void journey_move_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/request-project: an author asks the animators. */
void journey_request_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/team/join (skills, message). */
void journey_join_post(struct request *req, struct response *res);
/* POST /team/{id}/accept and /team/{id}/decline: the carrier, authors or an animator decide. */
void journey_team_accept(struct request *req, struct response *res);
void journey_team_decline(struct request *req, struct response *res);
/* POST /initiatives/{id}/skills (skills): the skills the project seeks. */
void journey_skills_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/project-needs: add a need; POST /project-needs/{id}: change one. */
void journey_need_add_post(struct request *req, struct response *res);
void journey_need_edit_post(struct request *req, struct response *res);
/* POST /initiatives/{id}/outcome: correct the outcome of a realised initiative. */
void journey_outcome_post(struct request *req, struct response *res);

/*
 * "Projets qui cherchent vos compétences": for a logged-in person, the
 * projects seeking a skill of their profile, as a model the home page (or
 * the profile) can show: [{id, title, href, skills: "a, b"}]. NULL for a
 * visitor or when there is none. New reference. For the lead to wire in.
 */
json_t *journey_suggested_projects(struct request *req, int limit);

#endif
