/*
 * Demo territories: a JSON file of db/demo/ (compiled into the binary) that
 * fills a fresh install with a living territory, so that the first thing a
 * town sees is what the platform looks like in use. The file's shape:
 *
 *   {"territory": {"slug", "name", "tagline", "welcome" (Markdown), "hosts": [host]},
 *    "themes": [{"slug", "name"}],
 *    "neighbourhoods": [name],
 *    "people": [{"key", "display_name", "bio"}],
 *    "organisations": [{"key", "slug", "name", "kind", "summary", "description",
 *                       "website", "partner": bool, "accredited": bool}],
 *    "needs": [{"key", "author", "title", "body", "theme", "neighbourhood",
 *               "lat", "lng", "metoo": int, "days_ago": int}],
 *    "initiatives": [{"key", "author", "carrier", "title", "summary", "body",
 *                     "stage", "outcome", "theme", "neighbourhood",
 *                     "needs": [need key], "supports": int, "days_ago": int}]}
 *
 * "author" names a person's key, "carrier" an organisation's key (or null),
 * "theme" a theme's slug, "neighbourhood" a neighbourhood's name. Dates are
 * "days_ago", so the demo always looks recent.
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
