/*
 * The reader of the data-driven spec files (template_spec.txt,
 * markdown_spec.txt; the format is described at the top of each): cases
 * of named sections, read whole and parsed once. Shared by the unit tests
 * that run them; static functions, as each test is its own program.
 * Include after testutil.h (it uses cmocka).
 */
#ifndef TESTS_SPEC_H
#define TESTS_SPEC_H

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

struct spec_section {
	char *kind;
	char *arg;
	struct buf body;
};

struct spec_case {
	char *name;
	int line;
	struct spec_section *secs;
	size_t nsecs, alloc;
};

static int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(s, prefix, n);
}

/* Append a body line, with → as a tab and ␣ as a space. */
static void add_body_line(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (starts_with(s + i, len - i, "→")) {
			buf_addch(b, '\t');
			i += strlen("→") - 1;
		} else if (starts_with(s + i, len - i, "␣")) {
			buf_addch(b, ' ');
			i += strlen("␣") - 1;
		} else {
			buf_addch(b, s[i]);
		}
	}
	buf_addch(b, '\n');
}

static void add_section(struct spec_case *c, const char *s, size_t len)
{
	c->secs = xgrow(c->secs, sizeof(*c->secs), c->nsecs + 1, &c->alloc);
	struct spec_section *sec = &c->secs[c->nsecs++];
	const char *sp = memchr(s, ' ', len);
	size_t kind_len = sp ? (size_t)(sp - s) : len;
	sec->kind = xstrndup(s, kind_len);
	sec->arg = sp ? xstrndup(sp + 1, len - kind_len - 1) : xstrdup("");
	buf_init(&sec->body, 0);
}

static void add_line(struct spec_case **cases, size_t *n, size_t *alloc, const char *s,
		     size_t len, int line)
{
	if (starts_with(s, len, "=== ")) {
		*cases = xgrow(*cases, sizeof(**cases), *n + 1, alloc);
		struct spec_case *c = &(*cases)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->name = xstrndup(s + 4, len - 4);
		c->line = line;
		return;
	}
	struct spec_case *c = *n ? &(*cases)[*n - 1] : NULL;
	if (c && starts_with(s, len, "--- ")) {
		add_section(c, s + 4, len - 4);
	} else if (c && c->nsecs) {
		struct buf *body = &c->secs[c->nsecs - 1].body;
		if (!starts_with(s, len, "\\ "))
			add_body_line(body, s, len);
		else if (body->len)
			buf_setlen(body, body->len - 1); /* "\ No newline at end" */
	}
}

static size_t spec_parse(const char *text, size_t len, struct spec_case **out)
{
	struct spec_case *cases = NULL;
	size_t n = 0, alloc = 0;
	int line = 1;
	for (size_t pos = 0; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		add_line(&cases, &n, &alloc, text + pos, end - pos, line);
		pos = end + 1;
	}
	*out = cases;
	return n;
}

static void spec_free(struct spec_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cases[i].nsecs; k++) {
			free(cases[i].secs[k].kind);
			free(cases[i].secs[k].arg);
			buf_release(&cases[i].secs[k].body);
		}
		free(cases[i].secs);
		free(cases[i].name);
	}
	free(cases);
}

static const struct spec_section *spec_find(const struct spec_case *c, const char *kind)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (!strcmp(c->secs[i].kind, kind))
			return &c->secs[i];
	return NULL;
}

static void read_whole_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

#endif
