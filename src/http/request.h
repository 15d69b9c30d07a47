/*
 * What a handler sees of an HTTP request and what it fills in for the
 * response. Plain structs, filled by server.c (the only file that knows
 * libmicrohttpd), so that handlers and parsers can be tested without a socket.
 * Everything a request points to lives in its arena.
 */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

/* One name=value pair (query, form field, cookie, route parameter). */
struct param {
	const char *name;
	const char *value; /* NUL-terminated; value_len excludes the NUL */
	size_t value_len;
};

/* A list of pairs, allocated in the request's arena. */
struct params {
	struct param *v;
	size_t n, alloc;
};

/* A file field of a multipart/form-data body. */
struct upload {
	const char *field;
	const char *filename;
	const char *content_type;
	const char *data;
	size_t len;
};

struct uploads {
	struct upload *v;
	size_t n, alloc;
};

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

struct session;
struct territory;
struct user;
struct db;

struct request {
	struct arena *arena;
	enum http_method method;
	const char *method_name;
	const char *path; /* percent-decoded, valid UTF-8, starts with '/' */
	const char *raw_query; /* as received, without '?', or "" */
	struct params query;
	struct params form; /* urlencoded or multipart text fields */
	struct uploads uploads;
	struct params cookies;
	struct params route; /* {name} parameters of the matched pattern */
	const char *content_type; /* NULL when absent */
	const char *body;
	size_t body_len;
	const char *host; /* Host header without port, lower case, or "" */
	const char *client_ip;
	const char *lang; /* "fr" or "en" */
	int https; /* served over TLS as seen by the client (trusted proxy) */

	/* Set by the web layer before the handler runs. */
	struct db *db;
	const struct territory *territory;
	struct session *session; /* NULL until loaded or created */
	struct user *user; /* the logged-in person, or NULL */
	int role; /* their enum role (auth/permission.h) in this territory; 0: visitor */
	int page_holes; /* render the person's own values as holes (web/page.h) */

	/* Header lookup, provided by the server (case-insensitive name). */
	const char *(*header_fn)(void *ctx, const char *name);
	void *header_ctx;
};

/* One response header; both strings live in the request's arena. */
struct header {
	const char *name;
	const char *value;
};

struct response {
	int status;
	const char *content_type;
	struct buf body; /* freed by the server after sending */
	const void *static_body; /* if set, sent instead of body; not freed */
	size_t static_len;
	struct header *headers;
	size_t n_headers, alloc_headers;
};

/* Look up a request header (case-insensitive), or NULL. */
const char *request_header(const struct request *req, const char *name);
/* Value of the first pair called name, or NULL. */
const char *params_get(const struct params *p, const char *name);
/* Append a pair; strings must outlive the list (arena). */
void params_add(struct arena *a, struct params *p, const char *name,
		const char *value, size_t value_len);
/* Append an upload (strings owned by the arena). */
void uploads_add(struct arena *a, struct uploads *u, const struct upload *up);

/*
 * Add a response header (copied into arena a). A name that is not a token,
 * or a value holding CR, LF or another control byte, is refused with a
 * warning: it could otherwise inject headers.
 */
void response_header(struct response *res, struct arena *a, const char *name,
		     const char *value);
/* Value of a response header already set, or NULL. */
const char *response_get_header(const struct response *res, const char *name);
/*
 * Set status, content type and body from text (copied; replaces any body).
 * content_type is not copied: pass a literal or an arena string.
 */
void response_text(struct response *res, int status, const char *content_type,
		   const char *body, size_t len);
/*
 * 303 See Other to location (a path or absolute URL), with a small HTML body
 * linking to it. Controls, spaces and non-ASCII bytes of location are
 * percent-encoded. The caller checks where it points (no open redirects).
 */
void response_redirect(struct response *res, struct arena *a, const char *location);

#endif
