/*
 * Versions of an initiative's title, summary and body: every change is kept
 * (issue 4, "bonification"), so the history page can show who changed what
 * and a word-level diff between any two versions. Version 1 is the text at
 * creation; for initiatives created before versions existed it is written
 * by the first change, from the text about to be replaced.
 */
#ifndef DOMAIN_VERSION_H
#define DOMAIN_VERSION_H

#include <stdint.h>

#include <jansson.h>

struct db;

#define VERSION_TITLE_MAX 200
#define VERSION_SUMMARY_MAX 500
#define VERSION_BODY_MAX 20000
#define VERSION_NOTE_MAX 300

/* A change of an initiative's text. NULL fields are kept as they are. */
struct version_change {
	const char *title;
	const char *summary;
	const char *body; /* Markdown */
	const char *note; /* why, shown in the history; NULL = "" */
	int64_t author_id; /* who wrote the change (a suggestion's author when accepted) */
	int64_t suggestion_id; /* the accepted suggestion, or 0 */
	/* When set, the change applies only if the current title / body still equal these. */
	const char *base_title;
	const char *base_body;
};

enum version_result {
	VERSION_CHANGED = 0,
	VERSION_UNCHANGED = 1, /* the text already is the new one: nothing written */
	VERSION_NOT_FOUND = 2, /* no such initiative in the territory */
	VERSION_STALE = 3, /* the base is no longer the current text: nothing written */
};

/*
 * Check an edit form: title 1..VERSION_TITLE_MAX characters, summary and
 * body within their limits, note within its limit. A JSON object
 * {field: English msgid}, empty when valid; new reference.
 */
json_t *version_validate(const char *title, const char *summary, const char *body,
			 const char *note);

/*
 * Apply a change inside the caller's transaction: locks the initiative's
 * row, writes version 1 from the old text when there is none, updates the
 * initiative and records the next version. *version (may be NULL) gets its
 * number. An enum version_result, or -1 on error. Records no activity.
 */
int version_apply(struct db *db, int64_t territory_id, int64_t initiative_id,
		  const struct version_change *c, int64_t *version);

/*
 * An author's or animator's edit in its own transaction, with its "Update"
 * activity (actor c->author_id). An enum version_result, or -1.
 */
int version_edit(struct db *db, int64_t territory_id, int64_t initiative_id,
		 const struct version_change *c, int64_t *version);

/*
 * The versions of an initiative, newest first, without their text:
 * [{version, author {id, name, deleted}, created_at, note, suggestion_id|null}].
 * An initiative never changed has one version, its text at creation.
 * 0 with *out a new reference, 1 if no such initiative, -1 on error.
 */
int version_list(struct db *db, int64_t territory_id, int64_t initiative_id, json_t **out);

/*
 * One version with its text: {version, title, summary, body, author, created_at, note}.
 * 0 with *out a new reference, 1 if there is no such version, -1 on error.
 */
int version_get(struct db *db, int64_t territory_id, int64_t initiative_id, int64_t version,
		json_t **out);

#endif
