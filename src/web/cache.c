/*
 * A hash table of rendered pages with a least-recently-used list, behind
 * one mutex held only for pointer work: a hit takes a reference to the
 * entry and serves its bytes without copying; the request's arena drops
 * the reference when the response is done.
 */
#include "web/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "core/banned.h"

#define CACHE_BUCKETS 4096
#define CACHE_MAX_ENTRY (1024 * 1024)

struct entry {
	struct entry *next_in_bucket;
	struct entry *lru_prev, *lru_next;
	char *key;
	uint64_t hash;
	int64_t generation;
	time_t stored_at;
	int refs; /* the table's reference plus one per response being sent */
	int in_table;
	char *content_type;
	struct header *headers; /* names and values allocated with the entry */
	size_t n_headers;
	char *body;
	size_t len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[CACHE_BUCKETS];
static struct entry *lru_head, *lru_tail; /* head: most recently used */
static size_t max_bytes, used_bytes, n_entries;
static uint64_t hits, misses;

static uint64_t hash_key(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void entry_destroy(struct entry *e)
{
	for (size_t i = 0; i < e->n_headers; i++) {
		free((char *)e->headers[i].name);
		free((char *)e->headers[i].value);
	}
	free(e->headers);
	free(e->content_type);
	free(e->body);
	free(e->key);
	free(e);
}

/* Drop one reference; the caller holds the lock. */
static void entry_unref_locked(struct entry *e)
{
	if (--e->refs == 0)
		entry_destroy(e);
}

static void entry_release(void *data)
{
	pthread_mutex_lock(&lock);
	entry_unref_locked(data);
	pthread_mutex_unlock(&lock);
}

static void lru_unlink(struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct entry *e)
{
	e->lru_next = lru_head;
	e->lru_prev = NULL;
	if (lru_head)
		lru_head->lru_prev = e;
	lru_head = e;
	if (!lru_tail)
		lru_tail = e;
}

static size_t entry_cost(const struct entry *e)
{
	return e->len + strlen(e->key) + sizeof(*e);
}

/* Take e out of the table; the caller holds the lock. */
static void remove_locked(struct entry *e)
{
	struct entry **p = &buckets[e->hash % CACHE_BUCKETS];
	while (*p && *p != e)
		p = &(*p)->next_in_bucket;
	if (*p)
		*p = e->next_in_bucket;
	lru_unlink(e);
	e->in_table = 0;
	used_bytes -= entry_cost(e);
	n_entries--;
	entry_unref_locked(e);
}

static struct entry *find_locked(const char *key, uint64_t h)
{
	for (struct entry *e = buckets[h % CACHE_BUCKETS]; e; e = e->next_in_bucket)
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

void cache_init(size_t bytes)
{
	max_bytes = bytes;
}

void cache_free(void)
{
	pthread_mutex_lock(&lock);
	while (lru_head)
		remove_locked(lru_head);
	pthread_mutex_unlock(&lock);
}

int64_t cache_generation(struct db *db)
{
	int64_t gen = 0;
	int rc = db_query_int(db, &gen, "SELECT COALESCE(MAX(id), 0) FROM activities", "");
	return rc < 0 ? -1 : gen;
}

int cache_serve(const char *key, int64_t generation, struct response *res, struct arena *a,
		cache_fill_fn *fill, void *ctx)
{
	if (!max_bytes)
		return 0;
	uint64_t h = hash_key(key);
	time_t now = time(NULL);
	pthread_mutex_lock(&lock);
	struct entry *e = find_locked(key, h);
	if (!e || e->generation != generation || now - e->stored_at >= CACHE_TTL) {
		if (e)
			remove_locked(e); /* rendered from older data: never served again */
		misses++;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	e->refs++;
	lru_unlink(e);
	lru_push_front(e);
	hits++;
	pthread_mutex_unlock(&lock);

	arena_cleanup(a, entry_release, e);
	res->status = 200;
	res->content_type = e->content_type;
	if (fill) {
		buf_reset(&res->body);
		fill(ctx, e->body, e->len, &res->body);
	} else {
		res->static_body = e->body;
		res->static_len = e->len;
	}
	for (size_t i = 0; i < e->n_headers; i++)
		response_header(res, a, e->headers[i].name, e->headers[i].value);
	return 1;
}

static int cacheable(const struct response *res, unsigned flags)
{
	if (res->status != 200 || res->static_body || res->body.len > CACHE_MAX_ENTRY)
		return 0;
	for (size_t i = 0; i < res->n_headers; i++) {
		const struct header *h = &res->headers[i];
		if (!strcasecmp(h->name, "Set-Cookie"))
			return 0;
		if (!strcasecmp(h->name, "Cache-Control") && !(flags & CACHE_STORE_PRIVATE) &&
		    (strstr(h->value, "private") || strstr(h->value, "no-store")))
			return 0;
	}
	return 1;
}

static struct entry *entry_new(const char *key, int64_t generation, const struct response *res)
{
	struct entry *e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->hash = hash_key(key);
	e->generation = generation;
	e->stored_at = time(NULL);
	e->refs = 1;
	e->content_type = xstrdup(res->content_type ? res->content_type : "text/html; charset=utf-8");
	e->body = xmalloc(res->body.len ? res->body.len : 1);
	memcpy(e->body, res->body.ptr, res->body.len);
	e->len = res->body.len;
	e->headers = xcalloc(res->n_headers ? res->n_headers : 1, sizeof(*e->headers));
	for (size_t i = 0; i < res->n_headers; i++) {
		e->headers[i].name = xstrdup(res->headers[i].name);
		e->headers[i].value = xstrdup(res->headers[i].value);
	}
	e->n_headers = res->n_headers;
	return e;
}

void cache_store(const char *key, int64_t generation, const struct response *res,
		 unsigned flags)
{
	if (!max_bytes || !cacheable(res, flags))
		return;
	struct entry *e = entry_new(key, generation, res);
	pthread_mutex_lock(&lock);
	struct entry *old = find_locked(key, e->hash);
	if (old)
		remove_locked(old);
	e->next_in_bucket = buckets[e->hash % CACHE_BUCKETS];
	buckets[e->hash % CACHE_BUCKETS] = e;
	e->in_table = 1;
	lru_push_front(e);
	used_bytes += entry_cost(e);
	n_entries++;
	while (used_bytes > max_bytes && lru_tail && lru_tail != e)
		remove_locked(lru_tail);
	pthread_mutex_unlock(&lock);
}

void cache_stats(size_t *entries, size_t *bytes, uint64_t *h, uint64_t *m)
{
	pthread_mutex_lock(&lock);
	*entries = n_entries;
	*bytes = used_bytes;
	*h = hits;
	*m = misses;
	pthread_mutex_unlock(&lock);
}
