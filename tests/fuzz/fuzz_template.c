/*
 * Fuzz target: the template engine, templates and data both fuzzed.
 * Input, in the sections of tests/unit/template_spec.txt: "--- template"
 * starts the main template, "--- partial NAME" another template of the
 * set, "--- data" the JSON root context; text before any such line is the
 * main template. Without (valid) data, a fixed context full of markup is
 * used. Templates are compiled with template_set_add and checked with
 * template_set_check, then "main" is rendered.
 *
 * Invariants:
 *  - The output is valid UTF-8 when the templates are (data from jansson
 *    always is).
 *  - Escaping: the templates are compiled a second time with every '<',
 *    '>', '"' and '\'' replaced by '_' and every "{{{" (the raw tag) turned
 *    into "{{!" (a comment). Whatever the data and the translations (which
 *    here wrap each msgid in <...>) hold, that output must then contain
 *    none of those four characters: any of them came from a value that was
 *    not escaped.
 * Templates are trusted files, so a template whose output grows
 * exponentially with the data (sections over arrays nested deep, partials
 * recursing over them) is not a finding: the target estimates an upper
 * bound of the output first and renders only below 16 MB.
 */
#include "fuzz.h"

#include <jansson.h>
#include <math.h>

#include "core/buf.h"
#include "core/mem.h"
#include "view/template.h"

#define MAX_TEMPLATES 8
#define MAX_OUTPUT_ESTIMATE (16.0 * 1024 * 1024)

struct tpl {
	char name[64];
	const char *text;
	size_t len;
	/* From a scan of the tags, for the estimate. */
	size_t sections, partials;
	int target[16]; /* template index of the first partial tags; -1 unknown */
};

struct input {
	struct tpl t[MAX_TEMPLATES];
	size_t n;
	const char *data;
	size_t data_len;
};

static const char default_data[] =
	"{\"name\": \"<script>alert('x')</script> & \\\"q\\\"\","
	" \"items\": [{\"title\": \"<b>one</b>\", \"n\": 1}, {\"title\": \"it's <two>\", \"n\": 2.5},"
	" \"<i>\", 3, true, null],"
	" \"user\": {\"name\": \"<img src=x onerror=alert(1)>\", \"admin\": true,"
	"  \"tags\": [\"<a>\", \"\\\"\"]},"
	" \"html\": \"<p>raw</p>\", \"empty\": \"\", \"zero\": 0, \"none\": [], \"obj\": {},"
	" \"replies\": [{\"body\": \"<r1>\", \"replies\": [{\"body\": \"<r2>\", \"replies\": []}]}]}";

/* ---- splitting the input ---- */

static int starts_with(const char *s, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);
	return (size_t)(end - s) >= n && !memcmp(s, prefix, n);
}

static void section_end(struct input *in, int cur, const char *at)
{
	if (cur == -2)
		in->data_len = (size_t)(at - in->data);
	else if (cur >= 0)
		in->t[cur].len = (size_t)(at - in->t[cur].text);
}

/* A "--- KIND ARG" line at line[0..eol): the section it opens, -3 for none. */
static int section_start(struct input *in, const char *line, const char *eol, const char *body)
{
	if (starts_with(line, eol, "--- template")) {
		in->t[0].text = body;
		return 0;
	}
	if (starts_with(line, eol, "--- data")) {
		in->data = body;
		return -2;
	}
	if (!starts_with(line, eol, "--- partial ") || in->n == MAX_TEMPLATES)
		return -3;
	struct tpl *t = &in->t[in->n];
	size_t len = (size_t)(eol - line) - 12;
	if (len >= sizeof(t->name))
		len = sizeof(t->name) - 1;
	memcpy(t->name, line + 12, len);
	t->name[len] = '\0';
	if (!*t->name || memchr(t->name, '\0', len) || !strcmp(t->name, "main"))
		return -3;
	t->text = body;
	return (int)in->n++;
}

static void split_input(const char *s, size_t size, struct input *in)
{
	const char *end = s + size;
	int cur = 0; /* a template index, -2 for data, -3 for ignored text */
	memset(in, 0, sizeof(*in));
	snprintf(in->t[0].name, sizeof(in->t[0].name), "main");
	in->t[0].text = s;
	in->n = 1;
	for (const char *line = s; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
		if (starts_with(line, eol, "--- ")) {
			section_end(in, cur, line);
			int opened = section_start(in, line, eol, next);
			cur = opened;
		}
		line = next;
	}
	section_end(in, cur, end);
}

/* ---- the output estimate ---- */

/* Count section and partial tags as the compiler reads them. */
static void scan_tags(struct input *in, struct tpl *t)
{
	const char *s = t->text, *end = s + t->len;
	size_t k = 0;
	for (const char *p = s; p < end;) {
		const char *open = memmem(p, (size_t)(end - p), "{{", 2);
		if (!open)
			break;
		int triple = open + 2 < end && open[2] == '{';
		const char *body = open + (triple ? 3 : 2);
		const char *close = memmem(body, (size_t)(end - body), triple ? "}}}" : "}}", triple ? 3 : 2);
		if (!close)
			break;
		while (body < close && strchr(" \t\r\n", *body))
			body++;
		if (!triple && body < close && *body == '#') {
			t->sections++;
		} else if (!triple && body < close && *body == '>') {
			const char *nb = body + 1, *ne = close;
			while (nb < ne && strchr(" \t\r\n", *nb))
				nb++;
			while (ne > nb && strchr(" \t\r\n", ne[-1]))
				ne--;
			int target = -1;
			for (size_t i = 0; i < in->n; i++)
				if (strlen(in->t[i].name) == (size_t)(ne - nb) &&
				    !memcmp(in->t[i].name, nb, (size_t)(ne - nb)))
					target = (int)i;
			if (k < ARRAY_SIZE(t->target))
				t->target[k++] = target;
			t->partials++;
		}
		p = close + (triple ? 3 : 2);
	}
}

static void json_stats(const json_t *v, size_t *max_array, size_t *values)
{
	size_t i;
	const char *key;
	json_t *item;
	++*values;
	if (json_is_array(v)) {
		if (json_array_size(v) > *max_array)
			*max_array = json_array_size(v);
		json_array_foreach(v, i, item)
			json_stats(item, max_array, values);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item)
			json_stats(item, max_array, values);
	}
}

/* Bytes rendered by template i at most, for an acyclic set; 0 for a cycle. */
static double template_cost(const struct input *in, size_t i, double fan, int *state, double *memo)
{
	if (state[i] == 2)
		return memo[i];
	if (state[i] == 1)
		return 0; /* a cycle */
	const struct tpl *t = &in->t[i];
	state[i] = 1;
	double sum = (double)t->len + 1;
	if (t->partials > ARRAY_SIZE(t->target))
		return 0; /* too many to follow: treat as a cycle */
	for (size_t k = 0; k < t->partials; k++) {
		if (t->target[k] < 0)
			continue;
		double c = template_cost(in, (size_t)t->target[k], fan, state, memo);
		if (c == 0)
			return 0;
		sum += c;
	}
	state[i] = 2;
	memo[i] = pow(fan, (double)t->sections) * sum;
	return memo[i];
}

static int small_enough(struct input *in, const json_t *data, size_t data_len)
{
	size_t max_array = 1, values = 0, sections = 0, partials = 0, total = 0;
	json_stats(data, &max_array, &values);
	for (size_t i = 0; i < in->n; i++) {
		scan_tags(in, &in->t[i]);
		sections += in->t[i].sections;
		partials += in->t[i].partials;
		total += in->t[i].len;
	}
	double fan = (double)max_array;
	int state[MAX_TEMPLATES] = { 0 };
	double memo[MAX_TEMPLATES];
	double cost = template_cost(in, 0, fan, state, memo);
	if (cost == 0) { /* recursion: at most 64 levels, or as many as data values */
		double levels = values + 2 < 64 ? (double)values + 2 : 64;
		double per_level = pow(fan, (double)sections) * (partials ? (double)partials : 1);
		cost = pow(per_level, levels) * ((double)total + 1);
	}
	return cost * (2.0 + 2.0 * (double)data_len) < MAX_OUTPUT_ESTIMATE;
}

/* ---- compiling and rendering ---- */

static struct buf tr_buf = BUF_INIT;

/* A translation with markup in it: it must come out escaped like data. */
static const char *translate(void *ctx, const char *msgid)
{
	(void)ctx;
	buf_reset(&tr_buf);
	buf_addf(&tr_buf, "<%s>", msgid);
	return tr_buf.ptr;
}

/* Compile the templates (texts[i] replacing in->t[i].text); NULL on any error. */
static struct template_set *compile(const struct input *in, char *const *texts)
{
	struct template_set *set = template_set_new();
	struct buf err = BUF_INIT;
	int ok = 1;
	for (size_t i = 0; i < in->n && ok; i++) {
		if (template_set_has(set, in->t[i].name))
			continue;
		ok = template_set_add(set, in->t[i].name, "fuzz.html", texts[i], in->t[i].len,
				      &err) == 0;
		FUZZ_CHECK(ok || err.len, "a refused template without a message");
	}
	if (ok)
		ok = template_set_check(set, &err) == 0;
	buf_release(&err);
	if (!ok) {
		template_set_free(set);
		return NULL;
	}
	return set;
}

/* The texts with markup and raw tags neutralised (see the top of the file). */
static void sanitise(const struct input *in, char **texts)
{
	for (size_t i = 0; i < in->n; i++) {
		char *s = xmalloc(in->t[i].len + 1);
		memcpy(s, in->t[i].text, in->t[i].len);
		s[in->t[i].len] = '\0';
		for (size_t k = 0; k < in->t[i].len; k++) {
			if (strchr("<>\"'", s[k]) && s[k])
				s[k] = '_';
			if (k >= 2 && s[k] == '{' && s[k - 1] == '{' && s[k - 2] == '{')
				s[k] = '!';
		}
		texts[i] = s;
	}
}

static void render_and_check(const struct input *in, char **texts, json_t *data, int sanitised)
{
	struct template_set *set = compile(in, texts);
	if (!set)
		return;
	struct buf out = BUF_INIT;
	template_render(set, "main", data, translate, NULL, &out);
	int texts_utf8 = 1;
	for (size_t i = 0; i < in->n; i++)
		texts_utf8 &= utf8_valid(texts[i], in->t[i].len);
	if (texts_utf8)
		FUZZ_CHECK(utf8_valid(out.ptr, out.len), "the output is not valid UTF-8");
	if (sanitised) {
		const char *bad = NULL;
		for (size_t k = 0; k < out.len && !bad; k++)
			if (strchr("<>\"'", out.ptr[k]) && out.ptr[k])
				bad = out.ptr + k;
		FUZZ_CHECK(!bad, "unescaped '%c' at byte %zu of the output: %.60s", *bad,
			   (size_t)(bad - out.ptr), bad);
	}
	buf_release(&out);
	template_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	struct input in;
	char *texts[MAX_TEMPLATES];
	split_input((const char *)bytes, size, &in);

	json_t *data = NULL;
	size_t data_len = in.data_len;
	if (in.data)
		data = json_loadb(in.data, in.data_len, JSON_DECODE_ANY, NULL);
	if (!data) {
		data = json_loads(default_data, 0, NULL);
		data_len = sizeof(default_data);
	}
	if (!data)
		abort();
	int render = small_enough(&in, data, data_len);

	for (size_t i = 0; i < in.n; i++)
		texts[i] = (char *)in.t[i].text;
	if (render)
		render_and_check(&in, texts, data, 0);
	else
		template_set_free(compile(&in, texts));

	sanitise(&in, texts);
	if (render)
		render_and_check(&in, texts, data, 1);
	for (size_t i = 0; i < in.n; i++)
		free(texts[i]);
	json_decref(data);
	return 0;
}
