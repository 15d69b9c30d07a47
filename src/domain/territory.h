/*
 * Territories: each a town or district with its own host names, its own
 * people's ideas, and its own partners. Every other domain query takes a
 * territory id; nothing crosses from one to another.
 */
#ifndef DOMAIN_TERRITORY_H
#define DOMAIN_TERRITORY_H

#include <stdint.h>

#include <jansson.h>

struct db;

struct territory {
	int64_t id;
	const char *slug;
	const char *name;
	const char *tagline;
	const char *welcome; /* Markdown */
};

/*
 * Load every territory and its host names into memory (at start-up and after
 * an admin changes them). 0 or -1.
 */
int territory_load_all(struct db *db);
/* Free what territory_load_all() loaded. */
void territory_free_all(void);
/*
 * The territory served on host (lower case, without port). An unknown host
 * (localhost, an IP) gets the first territory created. NULL if there is none.
 */
const struct territory *territory_for_host(const char *host);
/* 1 if host (lower case, without port) is a host name of some territory. */
int territory_host_known(const char *host);
/* The territory with this slug, or NULL. */
const struct territory *territory_by_slug(const char *slug);

/* Create a territory with its host names (NULL-terminated); *id gets its id. 0 or -1. */
int territory_create(struct db *db, const char *slug, const char *name, const char *tagline,
		     const char *welcome, const char *const *hosts, int64_t *id);

/* {id, slug, name, tagline} for a view model; new reference. */
json_t *territory_json(const struct territory *t);

#endif
