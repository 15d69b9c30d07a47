/*
 * The two string types of the project: `struct buf`, an owning growable
 * buffer that is never NULL and always NUL-terminated, and `struct slice`,
 * a borrowed {ptr, len} view that owns nothing.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct slice {
	const char *ptr;
	size_t len;
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

struct buf {
	char *ptr; /* always points to a NUL-terminated string */
	size_t len;
	size_t alloc; /* 0 while ptr points to the shared empty string */
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

/* Initialise an empty buffer, with room for hint bytes. */
void buf_init(struct buf *b, size_t hint);
/* Free the memory; the buffer is empty again and may be reused. */
void buf_release(struct buf *b);
/* Make sure len + extra bytes fit. */
void buf_grow(struct buf *b, size_t extra);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Cut the buffer to len bytes (len <= b->len). */
void buf_setlen(struct buf *b, size_t len);
/* Give the caller the string (free() it); the buffer is empty again. */
char *buf_detach(struct buf *b, size_t *len);

void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addslice(struct buf *b, struct slice s);
__attribute__((format(printf, 2, 3))) void buf_addf(struct buf *b, const char *fmt, ...);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Append s with &<>"' replaced by HTML entities. */
void buf_add_html_escaped(struct buf *b, const char *s, size_t len);
/* Append s percent-encoded for a URL query value (RFC 3986 unreserved kept). */
void buf_add_url_encoded(struct buf *b, const char *s, size_t len);

/* 1 if the slice equals the NUL-terminated string s. */
int slice_eq(struct slice a, const char *s);

#endif
