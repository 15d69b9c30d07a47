/*
 * The small operations handlers use on requests and responses. Lists grow
 * inside the request's arena rather than on the heap, so that nothing a
 * request built needs freeing one by one: the arena goes, and all of it with.
 */
#include "http/request.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/banned.h"

/*
 * Make room for item n of an arena array of elem-sized items. The old array
 * stays behind in the arena until it is freed: doubling keeps that waste
 * under the final size, and saves tracking blocks to free.
 */
static void *arena_array_grow(struct arena *a, void *v, size_t elem, size_t n,
			      size_t *alloc)
{
	if (n < *alloc)
		return v;
	size_t want = *alloc ? *alloc * 2 : 8;
	if (want < *alloc || want > SIZE_MAX / elem)
		BUG("arena array size overflow");
	void *fresh = arena_alloc(a, want * elem);
	if (n)
		memcpy(fresh, v, n * elem);
	*alloc = want;
	return fresh;
}

const char *request_header(const struct request *req, const char *name)
{
	if (!req->header_fn)
		return NULL;
	return req->header_fn(req->header_ctx, name);
}

const char *params_get(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return p->v[i].value;
	return NULL;
}

void params_add(struct arena *a, struct params *p, const char *name,
		const char *value, size_t value_len)
{
	p->v = arena_array_grow(a, p->v, sizeof(*p->v), p->n, &p->alloc);
	p->v[p->n++] = (struct param){ name, value, value_len };
}

void uploads_add(struct arena *a, struct uploads *u, const struct upload *up)
{
	u->v = arena_array_grow(a, u->v, sizeof(*u->v), u->n, &u->alloc);
	u->v[u->n++] = *up;
}

/* RFC 9110 token characters, the only ones a header name may hold. */
static int is_token_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A CR or LF in a header would let its value write headers of its own. */
static int header_safe(const char *name, const char *value)
{
	if (!*name)
		return 0;
	for (const char *p = name; *p; p++)
		if (!is_token_char((unsigned char)*p))
			return 0;
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

void response_header(struct response *res, struct arena *a, const char *name,
		     const char *value)
{
	if (!header_safe(name, value)) {
		warning("refusing unsafe response header '%s'", name);
		return;
	}
	res->headers = arena_array_grow(a, res->headers, sizeof(*res->headers),
					res->n_headers, &res->alloc_headers);
	res->headers[res->n_headers++] =
		(struct header){ arena_strdup(a, name), arena_strdup(a, value) };
}

const char *response_get_header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++)
		if (!strcasecmp(res->headers[i].name, name))
			return res->headers[i].value;
	return NULL;
}

void response_text(struct response *res, int status, const char *content_type,
		   const char *body, size_t len)
{
	res->status = status;
	res->content_type = content_type;
	res->static_body = NULL;
	res->static_len = 0;
	buf_reset(&res->body);
	buf_add(&res->body, body, len);
}

/*
 * Bytes a URL may not hold raw (controls, space, non-ASCII) are
 * percent-encoded, so that a location built from user input stays one
 * well-formed header value; '%' is kept, the location may be encoded already.
 */
static void add_location_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c > 0x20 && c < 0x7f) {
			buf_addch(b, (char)c);
			continue;
		}
		buf_addch(b, '%');
		buf_addch(b, hex[c >> 4]);
		buf_addch(b, hex[c & 0xf]);
	}
}

void response_redirect(struct response *res, struct arena *a, const char *location)
{
	struct buf loc = BUF_INIT;
	add_location_encoded(&loc, location);
	response_header(res, a, "Location", loc.ptr);

	/* For clients that do not follow redirects: a link, and no words to translate. */
	struct buf html = BUF_INIT;
	buf_adds(&html, "<!DOCTYPE html>\n<title>");
	buf_add_html_escaped(&html, loc.ptr, loc.len);
	buf_adds(&html, "</title>\n<p><a href=\"");
	buf_add_html_escaped(&html, loc.ptr, loc.len);
	buf_adds(&html, "\">");
	buf_add_html_escaped(&html, loc.ptr, loc.len);
	buf_adds(&html, "</a></p>\n");
	response_text(res, 303, "text/html; charset=utf-8", html.ptr, html.len);

	buf_release(&html);
	buf_release(&loc);
}
