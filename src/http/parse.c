/*
 * Everything a client sends is hostile until counted. These parsers work on
 * (pointer, length) input, never read past the length (bodies are not
 * NUL-terminated, so no str* function touches them), stay linear in the
 * input, and hand handlers only valid UTF-8 without NUL bytes.
 */
#include "http/parse.h"

#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "core/banned.h"

/* ---- UTF-8 and percent-encoding ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(struct arena *a, const char *s, size_t len, int plus_is_space,
	       char **out, size_t *out_len)
{
	/* Decoding only shrinks, so len + 1 bytes always suffice. */
	char *d = arena_alloc(a, len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (len - i < 3)
				return -1;
			int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		d[n++] = c;
	}
	d[n] = '\0';
	if (memchr(d, '\0', n) || !utf8_valid(d, n))
		return -1;
	*out = d;
	if (out_len)
		*out_len = n;
	return 0;
}

/* ---- application/x-www-form-urlencoded ---- */

/* Decode one "name=value" and append it; a pair without a name is skipped. */
static int urlencoded_pair(struct arena *a, const char *s, size_t len, struct params *out)
{
	const char *eq = memchr(s, '=', len);
	size_t name_len = eq ? (size_t)(eq - s) : len;
	const char *value = "";
	size_t value_len = 0;
	char *name, *decoded;

	/* "=b" names nothing a handler can ask for; skipped before any work. */
	if (!name_len)
		return 0;
	if (out->n >= PARSE_MAX_FIELDS)
		return -1;
	if (url_decode(a, s, name_len, 1, &name, NULL) < 0)
		return -1;
	if (eq) {
		if (url_decode(a, eq + 1, len - name_len - 1, 1, &decoded, &value_len) < 0)
			return -1;
		value = decoded;
	}
	params_add(a, out, name, value, value_len);
	return 0;
}

int parse_urlencoded(struct arena *a, const char *s, size_t len, struct params *out)
{
	size_t n0 = out->n;
	size_t i = 0;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (urlencoded_pair(a, s + i, end - i, out) < 0) {
			out->n = n0;
			return -1;
		}
		i = end + 1;
	}
	return 0;
}

/* ---- Header values: tokens, parameters, quoted strings ---- */

/* RFC 9110 token characters. */
static int is_token_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *trim_ows_end(const char *start, const char *end)
{
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

static const char *skip_token(const char *p, const char *end)
{
	while (p < end && is_token_char((unsigned char)*p))
		p++;
	return p;
}

/* 1 if the slice equals s, ignoring ASCII case. */
static int slice_ieq(struct slice a, const char *s)
{
	return strlen(s) == a.len && !strncasecmp(a.ptr, s, a.len);
}

/*
 * Unescape the quoted-string that opens at *pp (on its '"') into a
 * NUL-terminated arena string; *pp moves past the closing quote.
 */
static int quoted_string(struct arena *a, const char **pp, const char *end, struct slice *out)
{
	const char *p = *pp + 1;
	char *d = arena_alloc(a, (size_t)(end - p) + 1);
	size_t n = 0;

	for (; p < end && *p != '"'; p++) {
		if (*p == '\\' && ++p == end)
			return -1;
		if (is_ctl((unsigned char)*p))
			return -1;
		d[n++] = *p;
	}
	if (p == end)
		return -1;
	d[n] = '\0';
	*pp = p + 1;
	*out = (struct slice){ d, n };
	return 0;
}

/* One "; name=value" of a header value; the value is a NUL-terminated arena string. */
struct header_param {
	struct slice name;
	struct slice value;
};

/* Read the next parameter at *pp: 1 with one in *hp, 0 at the end, -1 if malformed. */
static int header_param_next(struct arena *a, const char **pp, const char *end,
			     struct header_param *hp)
{
	const char *p = skip_ows(*pp, end), *t;

	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	p = skip_ows(p + 1, end);
	if (p == end) /* a trailing ';' */
		return 0;
	t = skip_token(p, end);
	if (t == p)
		return -1;
	hp->name = (struct slice){ p, (size_t)(t - p) };
	p = skip_ows(t, end);
	if (p == end || *p != '=')
		return -1;
	p = skip_ows(p + 1, end);
	if (p < end && *p == '"') {
		if (quoted_string(a, &p, end, &hp->value) < 0)
			return -1;
	} else {
		t = skip_token(p, end);
		if (t == p)
			return -1;
		hp->value = (struct slice){ arena_strndup(a, p, (size_t)(t - p)), (size_t)(t - p) };
		p = t;
	}
	*pp = p;
	return 1;
}

/* The "type/subtype" opening a Content-Type value; *rest is what follows. */
static struct slice media_type(const char *ct, const char *end, const char **rest)
{
	const char *p = skip_ows(ct, end);
	const char *slash = skip_token(p, end);
	struct slice none = { NULL, 0 };

	if (slash == p || slash == end || *slash != '/')
		return none;
	const char *stop = skip_token(slash + 1, end);
	if (stop == slash + 1)
		return none;
	*rest = stop;
	return (struct slice){ p, (size_t)(stop - p) };
}

int content_type_is(const char *content_type, const char *type)
{
	const char *end, *rest;

	if (!content_type)
		return 0;
	end = content_type + strlen(content_type);
	struct slice mt = media_type(content_type, end, &rest);
	if (!mt.len || !slice_ieq(mt, type))
		return 0;
	rest = skip_ows(rest, end);
	return rest == end || *rest == ';';
}

const char *content_type_param(struct arena *a, const char *content_type, const char *name)
{
	const char *end, *p;
	struct header_param hp;

	if (!content_type)
		return NULL;
	end = content_type + strlen(content_type);
	if (!media_type(content_type, end, &p).len)
		return NULL;
	while (header_param_next(a, &p, end, &hp) > 0)
		if (slice_ieq(hp.name, name))
			return hp.value.ptr;
	return NULL;
}

/* ---- Cookie header (RFC 6265, section 5.4 as sent by browsers) ---- */

static int cookie_value_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_ctl((unsigned char)s[i]))
			return 0;
	return utf8_valid(s, len);
}

/* Append the pair s[0..len) if well-formed; a malformed one is skipped. */
static int cookie_pair(struct arena *a, const char *s, size_t len, struct params *out)
{
	const char *end = s + len;
	const char *eq = memchr(s, '=', len);

	if (!eq)
		return 0;
	const char *name = skip_ows(s, eq), *name_end = trim_ows_end(name, eq);
	const char *value = skip_ows(eq + 1, end), *value_end = trim_ows_end(value, end);
	if (name == name_end || skip_token(name, name_end) != name_end)
		return 0;
	if (value_end - value >= 2 && *value == '"' && value_end[-1] == '"') {
		value++;
		value_end--;
	}
	size_t value_len = (size_t)(value_end - value);
	if (!cookie_value_valid(value, value_len))
		return 0;
	if (out->n >= PARSE_MAX_FIELDS)
		return -1;
	params_add(a, out, arena_strndup(a, name, (size_t)(name_end - name)),
		   arena_strndup(a, value, value_len), value_len);
	return 0;
}

int parse_cookies(struct arena *a, const char *header, struct params *out)
{
	size_t n0 = out->n;

	if (!header)
		return 0;
	for (const char *p = header;; p++) {
		size_t len = strcspn(p, ";");
		if (cookie_pair(a, p, len, out) < 0) {
			out->n = n0;
			return -1;
		}
		p += len;
		if (!*p)
			break;
	}
	return 0;
}

/* ---- multipart/form-data (RFC 7578 over RFC 2046) ---- */

struct multipart {
	struct arena *a;
	const char *end; /* of the body */
	char *delim; /* "\r\n--" boundary: what ends each part */
	size_t delim_len;
	struct params *fields;
	struct uploads *files;
};

/* What the headers of one part say. */
struct part_headers {
	int has_disposition;
	struct slice name; /* ptr NULL when absent */
	struct slice filename;
	const char *content_type;
};

/* RFC 2046 bchars, 1 to 70 of them, not ending in a space. */
static int boundary_valid(const char *b, size_t len)
{
	if (len < 1 || len > 70 || b[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)b[i];
		int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z');
		if (!alnum && !strchr("'()+_,-./:=? ", c))
			return 0;
	}
	return 1;
}

static int multipart_init(struct multipart *mp, struct arena *a, const char *content_type,
			  const char *body, size_t len)
{
	if (!content_type_is(content_type, "multipart/form-data"))
		return -1;
	const char *boundary = content_type_param(a, content_type, "boundary");
	if (!boundary || !boundary_valid(boundary, strlen(boundary)))
		return -1;
	mp->a = a;
	mp->end = body + len;
	mp->delim = arena_printf(a, "\r\n--%s", boundary);
	mp->delim_len = strlen(mp->delim);
	return 0;
}

/*
 * Where the first boundary ends. Clients start the body with it; RFC 2046
 * allows a preamble before, which is skipped.
 */
static const char *multipart_first(const struct multipart *mp, const char *body)
{
	size_t len = (size_t)(mp->end - body), dash_len = mp->delim_len - 2;

	if (len >= dash_len && !memcmp(body, mp->delim + 2, dash_len))
		return body + dash_len;
	const char *d = memmem(body, len, mp->delim, mp->delim_len);
	return d ? d + mp->delim_len : NULL;
}

/*
 * After a boundary: 1 if it is the closing one (what follows is the
 * epilogue, ignored), 0 with *pp at the next part's headers, -1 otherwise.
 */
static int multipart_after_boundary(const struct multipart *mp, const char **pp)
{
	const char *p = *pp;

	if (mp->end - p >= 2 && p[0] == '-' && p[1] == '-')
		return 1;
	p = skip_ows(p, mp->end);
	if (mp->end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return -1;
	*pp = p + 2;
	return 0;
}

static int disposition_parse(struct arena *a, const char *v, const char *end,
			     struct part_headers *h)
{
	const char *p = skip_token(v, end);
	struct header_param hp;
	int r;

	if (!slice_ieq((struct slice){ v, (size_t)(p - v) }, "form-data"))
		return -1;
	while ((r = header_param_next(a, &p, end, &hp)) > 0) {
		struct slice *dst = NULL;
		if (slice_ieq(hp.name, "name"))
			dst = &h->name;
		else if (slice_ieq(hp.name, "filename"))
			dst = &h->filename;
		if (!dst)
			continue;
		if (dst->ptr)
			return -1;
		*dst = hp.value;
	}
	h->has_disposition = 1;
	return r;
}

/* One "Name: value" line of a part's headers; unknown headers are ignored. */
static int part_header_line(struct arena *a, const char *s, size_t len, struct part_headers *h)
{
	const char *end = s + len;

	for (size_t i = 0; i < len; i++)
		if (is_ctl((unsigned char)s[i]))
			return -1;
	if (!utf8_valid(s, len))
		return -1;
	const char *colon = memchr(s, ':', len);
	if (!colon || colon == s || skip_token(s, colon) != colon)
		return -1;
	struct slice name = { s, (size_t)(colon - s) };
	const char *v = skip_ows(colon + 1, end), *v_end = trim_ows_end(v, end);
	if (slice_ieq(name, "Content-Disposition")) {
		if (h->has_disposition)
			return -1;
		return disposition_parse(a, v, v_end, h);
	}
	if (slice_ieq(name, "Content-Type")) {
		if (h->content_type || v == v_end)
			return -1;
		h->content_type = arena_strndup(a, v, (size_t)(v_end - v));
	}
	return 0;
}

/* Parse the header lines of s[0..len), the block before the blank line. */
static int part_headers_parse(struct arena *a, const char *s, size_t len, struct part_headers *h)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (!eol)
			eol = end;
		if (part_header_line(a, p, (size_t)(eol - p), h) < 0)
			return -1;
		if (eol == end)
			break;
		p = eol + 2;
	}
	return 0;
}

/* The name a file had on the client, without any directory part. */
static const char *filename_base(const struct slice *f)
{
	const char *base = f->ptr;

	for (size_t i = 0; i < f->len; i++)
		if (f->ptr[i] == '/' || f->ptr[i] == '\\')
			base = f->ptr + i + 1;
	return base;
}

/*
 * A browser sends an empty filename and no data for a file input left empty:
 * that part is skipped. The data is not copied: it points into the body.
 */
static int part_store_file(struct multipart *mp, const struct part_headers *h,
			   const char *data, size_t len)
{
	const char *base = filename_base(&h->filename);

	if (!utf8_valid(h->filename.ptr, h->filename.len))
		return -1;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return len ? -1 : 0;
	struct upload up = {
		.field = h->name.ptr,
		.filename = base,
		.content_type = h->content_type ? h->content_type : "application/octet-stream",
		.data = data,
		.len = len,
	};
	uploads_add(mp->a, mp->files, &up);
	return 0;
}

/* Parse the part s[0..len) (headers, blank line, data) and store it. */
static int part_parse(struct multipart *mp, const char *s, size_t len)
{
	struct part_headers h = { 0 };

	/* No headers at all: then no Content-Disposition either. */
	if (len < 2 || (s[0] == '\r' && s[1] == '\n'))
		return -1;
	const char *blank = memmem(s, len, "\r\n\r\n", 4);
	if (!blank || part_headers_parse(mp->a, s, (size_t)(blank - s), &h) < 0)
		return -1;
	if (!h.has_disposition || !h.name.len || !utf8_valid(h.name.ptr, h.name.len))
		return -1;
	const char *data = blank + 4;
	size_t data_len = len - (size_t)(data - s);
	if (h.filename.ptr)
		return part_store_file(mp, &h, data, data_len);
	if (memchr(data, '\0', data_len) || !utf8_valid(data, data_len))
		return -1;
	params_add(mp->a, mp->fields, h.name.ptr, arena_strndup(mp->a, data, data_len), data_len);
	return 0;
}

/* Parse every part after the first boundary, which ends at p. */
static int multipart_parts(struct multipart *mp, const char *p)
{
	for (size_t parts = 0;; parts++) {
		int r = multipart_after_boundary(mp, &p);
		if (r)
			return r > 0 ? 0 : -1;
		if (parts == PARSE_MAX_FIELDS)
			return -1;
		const char *next = memmem(p, (size_t)(mp->end - p), mp->delim, mp->delim_len);
		if (!next || part_parse(mp, p, (size_t)(next - p)) < 0)
			return -1;
		p = next + mp->delim_len;
	}
}

int parse_multipart(struct arena *a, const char *content_type, const char *body,
		    size_t len, struct params *fields, struct uploads *files)
{
	struct multipart mp = { .fields = fields, .files = files };
	size_t fields_n0 = fields->n, files_n0 = files->n;
	const char *p;
	int ret = -1;

	if (!body) /* no arithmetic or mem* calls on a null pointer, even for 0 bytes */
		body = "";
	if (multipart_init(&mp, a, content_type, body, len) < 0)
		goto out;
	p = multipart_first(&mp, body);
	if (!p)
		goto out;
	ret = multipart_parts(&mp, p);
out:
	if (ret < 0) {
		fields->n = fields_n0;
		files->n = files_n0;
	}
	return ret;
}
