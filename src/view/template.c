/*
 * The template engine. Pages are rendered per request, tens of thousands a
 * second, so a template is parsed once into a flat array of nodes and all
 * that can be decided before rendering is: dotted names are split, msgids
 * trimmed, partials linked to their template. Rendering then only walks the
 * array, looks names up in jansson objects and appends to a buffer.
 *
 * A section's body is the run of nodes after it, up to its `end` index, so
 * the tree needs no pointers and compiling needs no recursion: deep nesting
 * in the source costs an explicit stack, never the C stack.
 */
#include "view/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/banned.h"

/* Directories deeper than this under a template root are a symlink loop. */
#define MAX_DIR_DEPTH 16

enum node_type {
	NODE_TEXT,
	NODE_VAR,
	NODE_RAW,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL,
	NODE_TRANSLATE,
};

struct node {
	enum node_type type;
	int line;
	/* TEXT: the text; TRANSLATE: the msgid; others: the name as written. */
	const char *text;
	size_t len;
	/* VAR, RAW, SECTION, INVERTED: the name split at dots; none for ".". */
	const char **parts;
	size_t nparts;
	/* SECTION, INVERTED: index of the first node after the body. */
	size_t end;
	/* PARTIAL: the template, linked once both are in the set. */
	const struct template *partial;
};

struct template {
	char *name;
	char *file;
	struct node *nodes;
	size_t n, alloc;
	struct arena *arena; /* the strings and name parts of the nodes */
};

struct template_set {
	struct template **list; /* in the order added, so errors come in order */
	size_t n, alloc;
	size_t *slots; /* open-addressing hash of names: index in list + 1, 0 free */
	size_t nslots;
};

/* ---- the set ---- */

static size_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static const struct template *set_find(const struct template_set *set, const char *name)
{
	if (!set->nslots)
		return NULL;
	size_t mask = set->nslots - 1;
	for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
		size_t slot = set->slots[i];
		if (!slot)
			return NULL;
		if (!strcmp(set->list[slot - 1]->name, name))
			return set->list[slot - 1];
	}
}

static void set_index(struct template_set *set, size_t idx)
{
	size_t mask = set->nslots - 1;
	size_t i = hash_name(set->list[idx]->name) & mask;
	while (set->slots[i])
		i = (i + 1) & mask;
	set->slots[i] = idx + 1;
}

/* Double the hash table and index every template again. */
static void set_rehash(struct template_set *set)
{
	free(set->slots);
	set->nslots = set->nslots ? set->nslots * 2 : 64;
	set->slots = xcalloc(set->nslots, sizeof(*set->slots));
	for (size_t i = 0; i < set->n; i++)
		set_index(set, i);
}

struct template_set *template_set_new(void)
{
	return xcalloc(1, sizeof(struct template_set));
}

static void template_free(struct template *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t->nodes);
	free(t->name);
	free(t->file);
	free(t);
}

void template_set_free(struct template_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		template_free(set->list[i]);
	free(set->list);
	free(set->slots);
	free(set);
}

int template_set_has(const struct template_set *set, const char *name)
{
	return set_find(set, name) != NULL;
}

/* ---- compiling ---- */

struct compiler {
	struct template *t;
	const char *src;
	size_t len;
	size_t text_start; /* start of the text not yet made a node */
	int line;          /* line number of src[line_pos] */
	size_t line_pos;
	size_t *open; /* indices of the sections not yet closed */
	size_t nopen, open_alloc;
	struct buf *err;
};

__attribute__((format(printf, 3, 4))) static int fail(struct compiler *c, int line,
						      const char *fmt, ...)
{
	va_list ap;
	buf_addf(c->err, "%s:%d: ", c->t->file, line);
	va_start(ap, fmt);
	buf_vaddf(c->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Line of src[pos]; pos never goes backwards, so counting is linear overall. */
static int line_at(struct compiler *c, size_t pos)
{
	for (; c->line_pos < pos; c->line_pos++)
		if (c->src[c->line_pos] == '\n')
			c->line++;
	return c->line;
}

static size_t add_node(struct compiler *c, enum node_type type, int line)
{
	struct template *t = c->t;
	t->nodes = xgrow(t->nodes, sizeof(*t->nodes), t->n + 1, &t->alloc);
	struct node *n = &t->nodes[t->n];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	return t->n++;
}

static void add_text(struct compiler *c, size_t from, size_t to)
{
	if (from >= to)
		return;
	size_t i = add_node(c, NODE_TEXT, 0);
	struct node *n = &c->t->nodes[i];
	n->text = arena_strndup(c->t->arena, c->src + from, to - from);
	n->len = to - from;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static struct slice trim(const char *s, size_t len)
{
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	return (struct slice){ s, len };
}

/* Check name and split it at dots into the node, so rendering never parses. */
static int set_name(struct compiler *c, size_t idx, struct slice name, int line)
{
	struct node *n = &c->t->nodes[idx];
	n->text = arena_strndup(c->t->arena, name.ptr, name.len);
	n->len = name.len;
	if (slice_eq(name, "."))
		return 0;
	size_t parts = 1;
	for (size_t i = 0; i < name.len; i++) {
		char ch = name.ptr[i];
		if (ch == '.' && i > 0 && i + 1 < name.len && name.ptr[i - 1] != '.')
			parts++;
		else if (!is_name_char(ch))
			return fail(c, line, "invalid name '%s'", n->text);
	}
	n->parts = arena_alloc(c->t->arena, parts * sizeof(*n->parts));
	char *part = arena_strndup(c->t->arena, name.ptr, name.len);
	for (size_t k = 0; k < parts; k++) {
		n->parts[k] = part;
		part = strchrnul(part, '.');
		*part++ = '\0';
	}
	n->nparts = parts;
	return 0;
}

static int set_partial_name(struct compiler *c, size_t idx, struct slice name, int line)
{
	struct node *n = &c->t->nodes[idx];
	n->text = arena_strndup(c->t->arena, name.ptr, name.len);
	n->len = name.len;
	for (size_t i = 0; i < name.len; i++)
		if (!is_name_char(name.ptr[i]) && name.ptr[i] != '/' && name.ptr[i] != '.')
			return fail(c, line, "invalid partial name '%s'", n->text);
	return 0;
}

static int open_section(struct compiler *c, enum node_type type, struct slice name, int line)
{
	if (c->nopen >= TEMPLATE_MAX_DEPTH)
		return fail(c, line, "sections nested deeper than %d", TEMPLATE_MAX_DEPTH);
	size_t idx = add_node(c, type, line);
	if (set_name(c, idx, name, line) < 0)
		return -1;
	c->open = xgrow(c->open, sizeof(*c->open), c->nopen + 1, &c->open_alloc);
	c->open[c->nopen++] = idx;
	return 0;
}

static int close_section(struct compiler *c, struct slice name, int line)
{
	if (!c->nopen)
		return fail(c, line, "unexpected {{/%.*s}}, no section is open", (int)name.len,
			    name.ptr);
	struct node *open = &c->t->nodes[c->open[c->nopen - 1]];
	if (open->len != name.len || memcmp(open->text, name.ptr, name.len))
		return fail(c, line, "mismatched {{/%.*s}}, expected {{/%s}}", (int)name.len,
			    name.ptr, open->text);
	open->end = c->t->n;
	c->nopen--;
	return 0;
}

/*
 * If the tag src[start..end) is alone on its line (blanks around it), widen
 * it to the whole line, newline included: a section or comment on its own
 * line must not leave an empty line in the HTML.
 */
static void take_standalone_line(const struct compiler *c, size_t *start, size_t *end)
{
	const char *s = c->src;
	size_t b = *start, e = *end;
	while (b > c->text_start && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b > 0 && s[b - 1] != '\n')
		return;
	while (e < c->len && (s[e] == ' ' || s[e] == '\t'))
		e++;
	if (e + 1 < c->len && s[e] == '\r' && s[e + 1] == '\n')
		e += 2;
	else if (e < c->len && s[e] == '\n')
		e++;
	else if (e < c->len)
		return;
	*start = b;
	*end = e;
}

static int add_tag(struct compiler *c, char sigil, struct slice body, int line)
{
	size_t idx;
	switch (sigil) {
	case '!':
		return 0;
	case '#':
		return open_section(c, NODE_SECTION, body, line);
	case '^':
		return open_section(c, NODE_INVERTED, body, line);
	case '/':
		return close_section(c, body, line);
	case '>':
		idx = add_node(c, NODE_PARTIAL, line);
		return set_partial_name(c, idx, body, line);
	case '_':
		idx = add_node(c, NODE_TRANSLATE, line);
		c->t->nodes[idx].text = arena_strndup(c->t->arena, body.ptr, body.len);
		c->t->nodes[idx].len = body.len;
		return 0;
	case '{':
		idx = add_node(c, NODE_RAW, line);
		return set_name(c, idx, body, line);
	case '=':
		return fail(c, line, "set-delimiter tags are not supported");
	default:
		idx = add_node(c, NODE_VAR, line);
		return set_name(c, idx, body, line);
	}
}

/* Compile the tag opening at src[start] ("{{"); *next is where text resumes. */
static int compile_tag(struct compiler *c, size_t start, size_t *next)
{
	int line = line_at(c, start);
	int triple = start + 2 < c->len && c->src[start + 2] == '{';
	const char *close_mark = triple ? "}}}" : "}}";
	size_t from = start + (triple ? 3 : 2), mark_len = triple ? 3 : 2;
	const char *close = memmem(c->src + from, c->len - from, close_mark, mark_len);
	if (!close)
		return fail(c, line, "unterminated tag");
	size_t end = (size_t)(close - c->src) + mark_len;
	struct slice body = trim(c->src + from, (size_t)(close - c->src) - from);
	char sigil = triple ? '{' : 0;
	if (!triple && body.len && strchr("!#^/>_=", body.ptr[0])) {
		sigil = body.ptr[0];
		body = trim(body.ptr + 1, body.len - 1);
	}
	if (!body.len && sigil != '!')
		return fail(c, line, "empty tag");
	size_t text_end = start;
	if (sigil && strchr("!#^/>", sigil))
		take_standalone_line(c, &text_end, &end);
	add_text(c, c->text_start, text_end);
	*next = end;
	return add_tag(c, sigil, body, line);
}

static int compile(struct compiler *c)
{
	size_t pos = 0;
	for (;;) {
		const char *open = pos < c->len ? memmem(c->src + pos, c->len - pos, "{{", 2) : NULL;
		if (!open)
			break;
		if (compile_tag(c, (size_t)(open - c->src), &pos) < 0)
			return -1;
		c->text_start = pos;
	}
	add_text(c, c->text_start, c->len);
	if (c->nopen) {
		const struct node *n = &c->t->nodes[c->open[c->nopen - 1]];
		return fail(c, n->line, "unclosed section '%s'", n->text);
	}
	return 0;
}

/* Point the set's partial nodes named like t at t, and t's at the set's. */
static void link_partials(struct template_set *set, struct template *t)
{
	for (size_t i = 0; i < set->n; i++) {
		struct template *u = set->list[i];
		for (size_t k = 0; k < u->n; k++) {
			struct node *n = &u->nodes[k];
			if (n->type != NODE_PARTIAL)
				continue;
			if (u == t)
				n->partial = set_find(set, n->text);
			else if (!strcmp(n->text, t->name))
				n->partial = t;
		}
	}
}

static void set_insert(struct template_set *set, struct template *t)
{
	set->list = xgrow(set->list, sizeof(*set->list), set->n + 1, &set->alloc);
	set->list[set->n++] = t;
	/* At most half full, so that probes stay short and always end. */
	if (set->n * 2 > set->nslots)
		set_rehash(set);
	else
		set_index(set, set->n - 1);
	link_partials(set, t);
}

static int add_compiled(struct template_set *set, const char *name, const char *file,
			const char *text, size_t len, struct buf *err)
{
	struct template *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->file = xstrdup(file);
	t->arena = arena_new();
	struct compiler c = { .t = t, .src = text, .len = len, .line = 1, .err = err };
	int ret = -1;
	if (set_find(set, name)) {
		buf_addf(err, "%s: template '%s' is already defined", file, name);
		goto out;
	}
	if (compile(&c) < 0)
		goto out;
	set_insert(set, t);
	t = NULL;
	ret = 0;
out:
	free(c.open);
	template_free(t);
	return ret;
}

int template_set_add(struct template_set *set, const char *name, const char *file,
		     const char *text, size_t len, struct buf *err)
{
	if (err)
		return add_compiled(set, name, file, text, len, err);
	struct buf local = BUF_INIT;
	int ret = add_compiled(set, name, file, text, len, &local);
	if (ret < 0)
		error("%s", local.ptr);
	buf_release(&local);
	return ret;
}

static const struct node *first_unlinked_partial(const struct template_set *set,
						  const struct template **in)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct template *t = set->list[i];
		for (size_t k = 0; k < t->n; k++) {
			if (t->nodes[k].type == NODE_PARTIAL && !t->nodes[k].partial) {
				*in = t;
				return &t->nodes[k];
			}
		}
	}
	return NULL;
}

int template_set_check(const struct template_set *set, struct buf *err)
{
	const struct template *t;
	const struct node *n = first_unlinked_partial(set, &t);
	if (!n)
		return 0;
	if (!err)
		return error("%s:%d: unknown partial '%s'", t->file, n->line, n->text);
	buf_addf(err, "%s:%d: unknown partial '%s'", t->file, n->line, n->text);
	return -1;
}

/* ---- loading a directory ---- */

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	int ret = ferror(f) ? -1 : 0;
	fclose(f);
	return ret;
}

static int load_file(struct template_set *set, const char *path, size_t root_len,
		     struct buf *err)
{
	struct buf text = BUF_INIT;
	const char *rel = path + root_len + 1;
	char *name = xstrndup(rel, strlen(rel) - strlen(".html"));
	int ret = -1;
	if (read_file(path, &text) < 0) {
		buf_addf(err, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	ret = template_set_add(set, name, path, text.ptr, text.len, err);
out:
	free(name);
	buf_release(&text);
	return ret;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int ends_with_html(const char *s)
{
	size_t n = strlen(s);
	return n > 5 && !strcmp(s + n - 5, ".html");
}

static int load_entry(struct template_set *set, struct buf *path, size_t root_len, int depth,
		      struct buf *err);

/* Load the directory path->ptr; entries in name order, so errors are stable. */
static int load_tree(struct template_set *set, struct buf *path, size_t root_len, int depth,
		     struct buf *err)
{
	struct dirent **list = NULL;
	int n = scandir(path->ptr, &list, not_hidden, alphasort);
	if (n < 0) {
		buf_addf(err, "%s: cannot open: %s", path->ptr, strerror(errno));
		return -1;
	}
	size_t base = path->len;
	int ret = 0;
	for (int i = 0; i < n; i++) {
		if (!ret) {
			buf_setlen(path, base);
			buf_addch(path, '/');
			buf_adds(path, list[i]->d_name);
			ret = load_entry(set, path, root_len, depth, err);
		}
		free(list[i]);
	}
	free(list);
	buf_setlen(path, base);
	return ret;
}

static int load_entry(struct template_set *set, struct buf *path, size_t root_len, int depth,
		      struct buf *err)
{
	struct stat st;
	if (stat(path->ptr, &st) < 0) {
		buf_addf(err, "%s: %s", path->ptr, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MAX_DIR_DEPTH) {
			buf_addf(err, "%s: directories nested too deep", path->ptr);
			return -1;
		}
		return load_tree(set, path, root_len, depth + 1, err);
	}
	if (S_ISREG(st.st_mode) && ends_with_html(path->ptr))
		return load_file(set, path->ptr, root_len, err);
	return 0;
}

int template_set_load_dir(struct template_set *set, const char *dir, struct buf *err)
{
	struct buf local = BUF_INIT, path = BUF_INIT;
	struct buf *e = err ? err : &local;
	buf_adds(&path, dir);
	while (path.len > 1 && path.ptr[path.len - 1] == '/')
		buf_setlen(&path, path.len - 1);
	int ret = load_tree(set, &path, path.len, 0, e);
	if (!ret)
		ret = template_set_check(set, e);
	if (ret < 0 && !err)
		error("%s", local.ptr);
	buf_release(&path);
	buf_release(&local);
	return ret;
}

/* ---- rendering ---- */

struct render {
	template_translate_fn tr;
	void *tctx;
	struct buf *out;
	int depth;  /* sections, inverted sections and partials entered */
	int failed; /* stop rendering: logged once */
	size_t sp;
	/* Contexts: the root, then one per section entered; depth bounds it. */
	json_t *stack[TEMPLATE_MAX_DEPTH + 1];
};

static json_t *resolve(const struct render *r, const struct node *n)
{
	if (!n->nparts)
		return r->stack[r->sp - 1];
	json_t *v = NULL;
	for (size_t i = r->sp; i-- > 0 && !v;)
		if (json_is_object(r->stack[i]))
			v = json_object_get(r->stack[i], n->parts[0]);
	for (size_t k = 1; v && k < n->nparts; k++)
		v = json_is_object(v) ? json_object_get(v, n->parts[k]) : NULL;
	return v;
}

static int truthy(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return 1;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return 0;
	}
}

/* The shortest of %.15g and %.17g that reads back as d. */
static size_t format_real(char *out, size_t size, double d)
{
	int n = snprintf(out, size, "%.15g", d);
	if (strtod(out, NULL) != d)
		n = snprintf(out, size, "%.17g", d);
	return n > 0 ? (size_t)n : 0;
}

static void render_value(struct render *r, const json_t *v, int escape)
{
	char num[40];
	const char *s;
	size_t len;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
				       json_integer_value(v));
		s = num;
		break;
	case JSON_REAL:
		len = format_real(num, sizeof(num), json_real_value(v));
		s = num;
		break;
	case JSON_TRUE:
		s = "true";
		len = 4;
		break;
	default:
		return;
	}
	if (escape)
		buf_add_html_escaped(r->out, s, len);
	else
		buf_add(r->out, s, len);
}

static void render_nodes(struct render *r, const struct template *t, size_t from, size_t to);

/* Go one level deeper, or stop the whole render at the limit. */
static int enter(struct render *r, const struct template *t, const struct node *n)
{
	if (r->depth < TEMPLATE_MAX_DEPTH) {
		r->depth++;
		return 1;
	}
	error("%s:%d: sections and partials nested deeper than %d; render stopped", t->file,
	      n->line, TEMPLATE_MAX_DEPTH);
	r->failed = 1;
	return 0;
}

static void render_body(struct render *r, const struct template *t, size_t i, json_t *ctx)
{
	r->stack[r->sp++] = ctx;
	render_nodes(r, t, i + 1, t->nodes[i].end);
	r->sp--;
}

static void render_section(struct render *r, const struct template *t, size_t i)
{
	const struct node *n = &t->nodes[i];
	json_t *v = resolve(r, n);
	if (!truthy(v) || !enter(r, t, n))
		return;
	if (json_is_array(v)) {
		size_t k;
		json_t *item;
		json_array_foreach(v, k, item) {
			if (r->failed)
				break;
			render_body(r, t, i, item);
		}
	} else {
		render_body(r, t, i, v);
	}
	r->depth--;
}

static void render_inverted(struct render *r, const struct template *t, size_t i)
{
	const struct node *n = &t->nodes[i];
	if (truthy(resolve(r, n)) || !enter(r, t, n))
		return;
	render_nodes(r, t, i + 1, n->end);
	r->depth--;
}

static void render_partial(struct render *r, const struct template *t, const struct node *n)
{
	if (!n->partial) {
		error("%s:%d: unknown partial '%s'", t->file, n->line, n->text);
		r->failed = 1;
		return;
	}
	if (!enter(r, t, n))
		return;
	render_nodes(r, n->partial, 0, n->partial->n);
	r->depth--;
}

static void render_translation(struct render *r, const struct node *n)
{
	const char *s = r->tr ? r->tr(r->tctx, n->text) : n->text;
	if (!s)
		s = n->text;
	buf_add_html_escaped(r->out, s, strlen(s));
}

static void render_nodes(struct render *r, const struct template *t, size_t from, size_t to)
{
	for (size_t i = from; i < to && !r->failed; i++) {
		const struct node *n = &t->nodes[i];
		switch (n->type) {
		case NODE_TEXT:
			buf_add(r->out, n->text, n->len);
			break;
		case NODE_VAR:
		case NODE_RAW:
			render_value(r, resolve(r, n), n->type == NODE_VAR);
			break;
		case NODE_SECTION:
			render_section(r, t, i);
			i = n->end - 1;
			break;
		case NODE_INVERTED:
			render_inverted(r, t, i);
			i = n->end - 1;
			break;
		case NODE_PARTIAL:
			render_partial(r, t, n);
			break;
		case NODE_TRANSLATE:
			render_translation(r, n);
			break;
		}
	}
}

int template_render(const struct template_set *set, const char *name, json_t *data,
		    template_translate_fn tr, void *tctx, struct buf *out)
{
	const struct template *t = set_find(set, name);
	if (!t)
		return error("no template called '%s'", name);
	struct render r = { .tr = tr, .tctx = tctx, .out = out, .sp = 1 };
	r.stack[0] = data;
	render_nodes(&r, t, 0, t->n);
	return r.failed ? -1 : 0;
}
