/*
 * The rights the RGPD gives a person over their data: to get a copy of
 * everything the platform holds about them, in a format a machine reads
 * (articles 15 and 20), and to have it erased (article 17). Erasure
 * deletes the users row; the schema's ON DELETE CASCADE removes what is
 * personal (skills, interests, roles, memberships, follows,
 * notifications, e-mail tokens, mails, sessions) and ON DELETE SET NULL
 * keeps what the person gave the community (needs, initiatives, the
 * activity log), shown as from a deleted participant.
 */
#ifndef DOMAIN_PRIVACY_H
#define DOMAIN_PRIVACY_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* Rows read per part of the export at most (a part cut there says so in "truncated"). */
#define PRIVACY_ROWS_MAX 10000

/*
 * Everything about user_id, as one JSON object:
 *   {format: "tremplin-personal-data", version: 1, exported_at,
 *    account: {the users row without its password hash},
 *    skills: [..], interests: [{territory, slug, name}],
 *    roles: [{territory, role, granted_at}],
 *    organisations: [{territory, slug, name, role, joined_at}],
 *    sessions: [{created_at, seen_at, expires_at, user_agent, ip}],
 *    email_tokens: [{purpose, new_email, created_at, expires_at, used_at}],
 *    follows: [{object_type, object_id, created_at}],
 *    notifications: [{id, created_at, read_at, verb, object_type, object_id}],
 *    needs: [{id, territory, title, body, created_at, updated_at}],
 *    initiatives: [{id, territory, title, summary, body, stage, created_at, updated_at}],
 *    activities: [{id, territory, verb, object_type, object_id, target_type,
 *                  target_id, details, created_at}] (where they are the actor),
 *    mails: [{subject, created_at, sent_at}] (mails to them in the outbox),
 *    truncated: [names of the parts cut at PRIVACY_ROWS_MAX]}
 * Never a password hash, a session or e-mail token hash, a CSRF token or a
 * mail's body (they hold single-use links). 0 with *out a new reference,
 * 1 if there is no such account, -1 on error.
 */
int privacy_export(struct db *db, int64_t user_id, json_t **out);

/*
 * 1 if password is user_id's, 0 if not (or the account has no password),
 * -1 on error. Takes as long for an account without a password.
 */
int privacy_password_matches(struct db *db, int64_t user_id, const char *password);

/*
 * Erase the account user_id, in one transaction: the mails queued to its
 * address, the details of the activities about the account (the log rows
 * stay, holding ids only), the rate-limit counters of its address, the
 * users row (and by the schema everything that hangs on it), and a
 * "Delete" activity on "user" without an actor. 0, 1 if there is no such
 * account, -1 on error (nothing changed).
 */
int privacy_delete_account(struct db *db, int64_t user_id);

#endif
