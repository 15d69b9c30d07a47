/*
 * What a person tells the platform about themselves: a display name, a
 * short bio, skills they can offer (free tags, "graphisme",
 * "comptabilité"), the themes of a territory they care about, and their
 * neighbourhood. The public profile shows all of it, never the e-mail.
 */
#ifndef DOMAIN_PROFILE_H
#define DOMAIN_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

/* Limits, in characters (display name and bio limits are USER_NAME_MAX and USER_BIO_MAX). */
#define PROFILE_SKILLS_MAX 20
#define PROFILE_SKILL_MAX 40
#define PROFILE_NEIGHBOURHOOD_MAX 80
/* More interests than a territory has themes (theme_list() gives 200 at most). */
#define PROFILE_INTERESTS_MAX 200
/* Bytes of the skills field as typed: 20 tags of 40 characters and their commas. */
#define PROFILE_SKILLS_INPUT_MAX 4000

/* A profile as a form sends it (strings as typed; NULL means empty). */
struct profile_form {
	const char *display_name;
	const char *bio; /* plain text or Markdown */
	const char *skills; /* comma-separated tags */
	const char *neighbourhood;
	const int64_t *interests; /* theme ids of the territory; a bad one (e.g. -1) is refused */
	size_t n_interests;
};

/*
 * Normalise skills typed as "Graphisme, comptabilité ,graphisme": split on
 * commas, blanks trimmed and runs of blanks made one space, letters made
 * lower case (those of the Latin, Greek and Cyrillic alphabets), empty
 * tags dropped, duplicates dropped, the first order kept. *out gets a new
 * JSON array of strings. NULL when the tags are acceptable, else the
 * English msgid of the problem (more than PROFILE_SKILLS_MAX tags, one
 * longer than PROFILE_SKILL_MAX characters, a control character); *out
 * is then NULL.
 */
const char *profile_skills_normalise(const char *input, json_t **out);

/*
 * Check a profile form for the territory (the interests must be its
 * themes). *errors gets {field: English msgid} (empty when valid); *clean
 * gets the values to save: {display_name, bio, neighbourhood (trimmed),
 * skills: [normalised], interests: [distinct theme ids]}, or NULL when
 * invalid. Both new references. 0, or -1 on a database error.
 */
int profile_check(struct db *db, int64_t territory_id, const struct profile_form *f,
		  json_t **errors, json_t **clean);

/*
 * Save a profile_check()ed profile of user_id: name, bio and neighbourhood,
 * the skills (replacing them), the interests among the territory's themes
 * (those of other territories are kept), and an "Update" activity on
 * "user", all in one transaction. 0, 1 if there is no such account, -1 on
 * error.
 */
int profile_save(struct db *db, int64_t territory_id, int64_t user_id, const json_t *clean);

/*
 * The profile of user_id as seen from a territory:
 *   {id, display_name, bio, neighbourhood, created_at,
 *    skills: ["..."], interests: [{id, slug, name}] (this territory's themes)}
 * Never the e-mail. 0 with *out a new reference, 1 if there is no such
 * account, -1 on error.
 */
int profile_get(struct db *db, int64_t territory_id, int64_t user_id, json_t **out);

/* The territory's neighbourhoods by name (at most 200): ["name"]. New reference. 0 or -1. */
int profile_neighbourhoods(struct db *db, int64_t territory_id, json_t **out);

#endif
