/*
 * Co-authors of an initiative: its authors (the person who posted it and
 * the co-authors who accepted an invitation) invite a person; the person
 * accepts or declines. Authors edit the initiative and answer suggestions.
 */
#ifndef DOMAIN_COAUTHOR_H
#define DOMAIN_COAUTHOR_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* 1 if user_id is an author of the initiative (its poster or an accepted co-author), 0 if not, -1. */
int coauthor_is_author(struct db *db, int64_t territory_id, int64_t initiative_id,
		       int64_t user_id);

enum coauthor_result {
	COAUTHOR_OK = 0,
	COAUTHOR_NOT_FOUND = 1, /* no such initiative, invitation or person */
	COAUTHOR_ALREADY = 2, /* already an author, or already invited; nothing written */
};

/*
 * Invite user_id to co-author the initiative, with the "Invite" activity,
 * in one transaction. *id (may be NULL) gets the invitation's id. An enum
 * coauthor_result, or -1.
 */
int coauthor_invite(struct db *db, int64_t territory_id, int64_t initiative_id,
		    int64_t inviter_id, int64_t user_id, int64_t *id);

/*
 * The invited person answers invitation id: accept (a "Join" activity) or
 * decline (a "Reject" activity). Only a pending invitation addressed to
 * user_id counts. *initiative_id (may be NULL) gets the initiative. An enum
 * coauthor_result (NOT_FOUND when it is not theirs or not pending), or -1.
 */
int coauthor_answer(struct db *db, int64_t territory_id, int64_t id, int64_t user_id,
		    int accept, int64_t *initiative_id);

/*
 * The initiative's co-authors and pending invitations, oldest first:
 * [{id, user {id, name, deleted}, state: "invited"|"accepted"}]. New reference. 0 or -1.
 */
int coauthor_list(struct db *db, int64_t territory_id, int64_t initiative_id, json_t **out);

#endif
