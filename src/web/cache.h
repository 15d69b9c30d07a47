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

/* An entry is served for at most this many seconds, whatever the writes:
 * it bounds what a page shows of the clock (an offer's closing date, the
 * events still to come, the minutes a comment can be edited). */
#define CACHE_TTL 60

/* Writes the body of a kept page into out, holes filled for this request. */
typedef void cache_fill_fn(void *ctx, const char *body, size_t len, struct buf *out);

/*
 * Fill res from the entry for key if it was rendered at generation less
 * than CACHE_TTL seconds ago. Without fill, the body is shared (held until
 * a is freed); with fill, fill(ctx, ...) writes res->body from it.
 * 1 when served, 0 when not.
 */
int cache_serve(const char *key, int64_t generation, struct response *res, struct arena *a,
		cache_fill_fn *fill, void *ctx);

enum cache_store_flags {
	/* The page is kept for the one person or role its key names, so a
	 * private Cache-Control (meant for shared HTTP caches) does not stop it. */
	CACHE_STORE_PRIVATE = 1 << 0,
};

/*
 * Keep res under key for generation when it is cacheable: 200, no
 * Set-Cookie, and unless flags say otherwise no private or no-store
 * Cache-Control.
 */
void cache_store(const char *key, int64_t generation, const struct response *res,
		 unsigned flags);

/* Entries, bytes, hits and misses (for tests and the bench). */
void cache_stats(size_t *entries, size_t *bytes, uint64_t *hits, uint64_t *misses);

#endif
