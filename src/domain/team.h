/*
 * A project's team: people offer to join with the skills they bring, the
 * carrier (or the authors, or an animator) accepts or declines each offer;
 * the project lists the skills it seeks ("appel à compétences"), and people
 * whose profile has one of them are shown the project as a suggestion.
 */
#ifndef DOMAIN_TEAM_H
#define DOMAIN_TEAM_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define TEAM_SKILLS_MAX 300 /* characters of the skills a person brings */
#define TEAM_MESSAGE_MAX 1000

/*
 * user_id offers to join the team of initiative id (at stage project or
 * supported), with a "Join" activity, in one transaction. 0, 1 if they
 * already offered (nothing written), 2 if the initiative takes no team now
 * (or does not exist), -1.
 */
int team_offer(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
	       const char *skills, const char *message);

/*
 * The initiative and state of offer member_id: 0 with *initiative_id and
 * *user_id set, 1 if the territory has no such offer, -1.
 */
int team_offer_find(struct db *db, int64_t territory_id, int64_t member_id, int64_t *initiative_id,
		    int64_t *user_id);

/*
 * Accept (accept=1) or decline an offer still waiting, with an "Accept" or
 * "Reject" activity, in one transaction. 0, 1 if it was already decided
 * or is unknown, -1.
 */
int team_decide(struct db *db, int64_t territory_id, int64_t member_id, int64_t actor_id,
		int accept);

/*
 * The team of initiative id, oldest first: [{id, person {id, name, deleted},
 * skills, message, state, created_at}] (declined offers left out). New
 * reference in *out. 0 or -1.
 */
int team_list(struct db *db, int64_t id, json_t **out);

/* Replace the skills initiative id seeks (a JSON array of normalised strings), with an "Update" activity; caller's transaction not needed. 0 or -1. */
int team_skills_set(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
		    const json_t *skills);
/* The skills initiative id seeks, by name: a new JSON array of strings. 0 or -1. */
int team_skills(struct db *db, int64_t id, json_t **out);

/*
 * Projects of the territory (stage project or supported) seeking a skill
 * user_id's profile lists, that they do not author or carry and have not
 * offered to join, newest first, at most limit: [{id, title, skills [..]}].
 * For the home page or the profile ("Projets qui cherchent vos
 * compétences"). New reference. 0 or -1.
 */
int team_suggested_for_user(struct db *db, int64_t territory_id, int64_t user_id, int limit,
			    json_t **out);

#endif
