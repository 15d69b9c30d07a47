/*
 * Demo territories: a JSON file of db/demo/ (compiled into the binary) that
 * fills a fresh install with a living territory, so that the first thing a
 * town sees is what the platform looks like in use. The file's shape:
 *
 *   {"territory": {"slug", "name", "tagline", "welcome" (Markdown), "hosts": [host]},
 *    "themes": [{"slug", "name"}],
 *    "neighbourhoods": [name],
 *    "people": [{"key", "display_name", "bio", "role": "animator"|"admin"}],
 *    "organisations": [{"key", "slug", "name", "kind", "summary", "description",
 *                       "website", "partner": bool, "accredited": bool}],
 *    "needs": [{"key", "author", "title", "body", "theme", "neighbourhood",
 *               "lat", "lng", "metoo": int, "days_ago": int, "comments": [comment]}],
 *    "initiatives": [{"key", "author", "carrier", "title", "summary", "body",
 *                     "stage", "outcome", "theme", "neighbourhood",
 *                     "needs": [need key], "supports": int, "days_ago": int,
 *                     "coauthors": [person key],
 *                     "changes": [{"author", "title", "summary", "body", "note",
 *                                  "suggested": bool, "days_ago"}],
 *                     "suggestions": [{"author", "title", "body", "reason", "days_ago"}],
 *                     "moves": [{"to", "by", "note", "days_ago"}], "merged_into",
 *                     "outcome_detail": {"legal_form", "founded_days_ago",
 *                         "starts_in_days" | "starts_days_ago", "start_hour",
 *                         "duration_hours", "place", "description", "impact"},
 *                     "skills_sought": [skill],
 *                     "team": [{"person", "skills", "message",
 *                               "state": "accepted"|"offered", "days_ago"}],
 *                     "project_needs": [{"kind", "description", "amount_eur",
 *                                        "surface_m2", "duration_months", "state"}],
 *                     "comments": [comment]}]}
 *   comment: {"author", "body", "days_ago", "replies": [comment]}
 *
 * "author" names a person's key, "carrier" an organisation's key (or null),
 * "theme" a theme's slug, "neighbourhood" a neighbourhood's name. Dates are
 * "days_ago", so the demo always looks recent; a reply, a change or a move
 * is placed after what it follows even when its days_ago says otherwise.
 *
 * Counters are rows: "metoo" and "supports" give that many people of the
 * file (never the author) a "me too" or a support row with its activity,
 * and the counter is then read from the rows (so there must be enough
 * people). The title, summary and body of an initiative are its text at
 * creation (version 1); "changes" are applied in order through
 * version_apply(), a "suggested" one as an accepted suggestion crediting
 * its author; "suggestions" stay open, against the text after the changes.
 * An initiative with "moves" is created as an idea and moved, each move
 * checked against the journey's table (domain/journey.h: "by" must be
 * allowed, a person with "role": "animator" for most moves) and recorded
 * as a "Move" activity, so the timeline shows it; the last move's "to" is
 * its "stage", a move to "realised" records "outcome_detail".
 */
#ifndef DOMAIN_DEMO_H
#define DOMAIN_DEMO_H

#include <stddef.h>

struct db;

/*
 * Load db/demo/NAME.json (from the binary) as a new territory, in one
 * transaction. 0, or -1 with a message naming the file's bad key (nothing
 * is written then).
 */
int demo_load(struct db *db, const char *name);

/* Load a demo given as JSON text (what demo_load() does once it has the file). 0 or -1. */
int demo_load_json(struct db *db, const char *text, size_t len);

/* 1 if a territory with this slug exists, 0 if not, -1 on error. */
int demo_is_loaded(struct db *db, const char *slug);

#endif
