/*
 * Parsers for what a client sends: percent-encoding, query strings,
 * application/x-www-form-urlencoded and multipart/form-data bodies, and the
 * Cookie header. They take raw bytes and fill lists in an arena; they never
 * trust lengths they did not count. Every decoded name and value is valid
 * UTF-8 without NUL bytes, or the parse fails (the caller answers 400).
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "http/request.h"

/* Most fields accepted in one query or form; beyond: -1 (400). */
#define PARSE_MAX_FIELDS 1000


/*
 * Decode %XX escapes (and '+' as space when plus_is_space) of s[0..len) into
 * a new NUL-terminated arena string. -1 on a bad escape, invalid UTF-8 or a
 * NUL byte in the result.
 */
int url_decode(struct arena *a, const char *s, size_t len, int plus_is_space,
	       char **out, size_t *out_len);

/*
 * Parse a query string or urlencoded body (a=1&b=2); 0 or -1. Empty pairs and
 * pairs without a name ("=b") are skipped; "a" alone has the value "".
 * Fails once out would hold more than PARSE_MAX_FIELDS pairs; on -1, out is
 * left as it was.
 */
int parse_urlencoded(struct arena *a, const char *s, size_t len, struct params *out);

/*
 * Parse a Cookie header ("a=1; b=2"); malformed pairs are skipped (no '=', a
 * name that is not a token, a value with control bytes or invalid UTF-8).
 * Values are not percent-decoded; surrounding double quotes are removed.
 * -1 past PARSE_MAX_FIELDS cookies (out left as it was); NULL header: 0.
 */
int parse_cookies(struct arena *a, const char *header, struct params *out);

/*
 * Parse a multipart/form-data body. content_type is the full header value
 * (with boundary=). Text parts go to fields, parts with a filename to files.
 * 0 or -1 on any malformation.
 * An upload's data is not copied: it points into body, which must outlive
 * files (it does: the body lives as long as the request). Its filename is
 * stripped of any directory part ('/' or '\\'); its content_type is
 * "application/octet-stream" when the part gives none. A file part with an
 * empty filename and no data (a file input left empty) is skipped. At most
 * PARSE_MAX_FIELDS parts in all. On -1, fields and files are left as they were.
 */
int parse_multipart(struct arena *a, const char *content_type, const char *body,
		    size_t len, struct params *fields, struct uploads *files);

/*
 * 1 if the media type of the Content-Type value content_type is type
 * ("multipart/form-data"), ignoring case and parameters; 0 otherwise or if
 * content_type is NULL.
 */
int content_type_is(const char *content_type, const char *type);

/*
 * Value of parameter name (case-insensitive) of a Content-Type value, quoted
 * strings unescaped, as an arena string; NULL if absent or malformed.
 */
const char *content_type_param(struct arena *a, const char *content_type, const char *name);

#endif
