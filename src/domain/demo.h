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
 *                       "website", "partner": bool, "accredited": bool,
 *                       "members": [person key] (the first is the owner)}],
 *    "offers": [{"key", "partner" (an accredited partner's key), "kind", "title",
 *                "description", "conditions", "amount_max_eur", "capacity",
 *                "stages": [stage], "themes": [theme slug], "closes_in_days",
 *                "active": bool, "days_ago"}],
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
 *                     "support_requests": [{"offer" (an offer's key), "need" (index
 *                         in project_needs), "by", "message", "days_ago",
 *                         "state": "pending"|"accepted"|"declined"|"completed",
 *                         "answer", "answered_by", "answered_days_ago",
 *                         "given_amount_eur", "given_hours", "given_text",
 *                         "completed_days_ago"}],
 *                     "funding_goal_eur": int,
 *                     "crowdfunding": {"platform", "url", "goal_eur", "raised_eur",
 *                                      "ends_in_days", "days_ago"},
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
 *
 * Offers belong to accredited partners; their "Create" activity is made by
 * the partner's first member. A support request is asked by the author or
 * a co-author and answered by a member of the offer's partner, each step
 * (Offer, Accept or Reject, Update when completed) an activity of the
 * initiative with the details support_request.c records, dated after what
 * it follows; completing a request tied to a need marks the need met. The
 * funding goal and the campaign are set by the author ("Update" activities
 * {"funding": "goal"|"campaign"}); only a campaign's end may be ahead.
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
