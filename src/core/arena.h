/*
 * A per-request memory arena: many small allocations, one free when the
 * request completes. Cleanups registered on the arena run (last registered
 * first) before its memory goes, so statements and JSON values tied to a
 * request are released in the same place.
 */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new empty arena; free it with arena_free(). */
struct arena *arena_new(void);
/* Run the cleanups, then free every allocation and the arena itself. */
void arena_free(struct arena *a);
/* size bytes aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed nmemb * size bytes, owned by the arena. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);
/* Copy n bytes of s and add a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) char *arena_printf(struct arena *a, const char *fmt, ...);
/* Call fn(data) when the arena is freed. */
void arena_cleanup(struct arena *a, void (*fn)(void *), void *data);
/* Bytes handed out so far (for limits and tests). */
size_t arena_used(const struct arena *a);

#endif
