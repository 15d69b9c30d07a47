/*
 * Pages that are the same for every visitor, kept in memory (DESIGN.md).
 * An entry remembers the generation of the data it was rendered from: the
 * id of the newest row of the activity log, which every write records in
 * its own transaction. A lookup reads that id (one indexed query, shared by
 * every process on the same database), so a page is never served stale
 * after a write, on this process or another.
 */
#ifndef WEB_CACHE_H
#define WEB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

struct db;

/* Keep at most max_bytes of pages (0 turns the cache off). Call at start-up. */
void cache_init(size_t max_bytes);
/* Free every entry. */
void cache_free(void);

/* The data generation now (newest activity id), or -1 on a database error. */
int64_t cache_generation(struct db *db);

/*
 * Fill res from the entry for key if it was rendered at generation.
 * 1 when served (the body is shared, held until a is freed), 0 when not.
 */
int cache_serve(const char *key, int64_t generation, struct response *res, struct arena *a);

/*
 * Keep res under key for generation when it is cacheable: 200, no
 * Set-Cookie, no private or no-store Cache-Control.
 */
void cache_store(const char *key, int64_t generation, const struct response *res);

/* Entries, bytes, hits and misses (for tests and the bench). */
void cache_stats(size_t *entries, size_t *bytes, uint64_t *hits, uint64_t *misses);

#endif
