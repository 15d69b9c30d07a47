/*
 * Allocation that never returns NULL: out of memory aborts the process, so
 * callers never check. Also the three tiers of failure (STYLE.md): die() at
 * start-up, error() to log and return -1, BUG() for what cannot happen.
 */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

/* Allocate; abort on failure. The caller owns the result and frees it. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *ptr (an array of *alloc items of size elem) to hold at least n items. */
void *xgrow(void *ptr, size_t elem, size_t n, size_t *alloc);

/* Print "fatal: ..." on stderr and exit(1). For start-up only. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Log "error: ..." and return -1, so that `return error(...)` reads well. */
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);
/* Log "warning: ...". */
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);
/* Log "info: ...". */
__attribute__((format(printf, 1, 2))) void info(const char *fmt, ...);

__attribute__((noreturn)) void bug_fl(const char *file, int line, const char *msg);
#define BUG(msg) bug_fl(__FILE__, __LINE__, (msg))

/* Quiet info() (tests, tools). */
void log_set_quiet(int quiet);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
