/*
 * Myers' O((N+M)·D) diff over word tokens, with the common prefix and
 * suffix taken off first (edits to long texts are usually local) and the
 * number of edits bounded, so a request never spends more than a few
 * megabytes and milliseconds whatever two texts it compares.
 */
#include "core/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

struct token {
	const char *p;
	size_t len;
	uint32_t hash;
};

struct tokens {
	struct token *v;
	size_t n, alloc;
};

enum char_class { CC_WORD, CC_SPACE, CC_PUNCT };

/* The code point at s[0..len) and its length in bytes; a stray byte is taken alone. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
	if (n == 0 || n > len) {
		*cp = 0xFFFD;
		return 1;
	}
	uint32_t c = n == 1 ? s[0] : s[0] & (0x3F >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return n;
}

/* Letters and digits make words; spaces (no-break ones too) and each punctuation mark stand apart. */
static enum char_class classify(uint32_t c)
{
	if (c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) ||
	    c == 0x202F || c == 0x205F || c == 0x3000)
		return CC_SPACE;
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return CC_WORD;
	if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == 0xFFFD || (c >= 0x2000 && c <= 0x2BFF) ||
	    (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F))
		return CC_PUNCT;
	return CC_WORD;
}

static uint32_t hash_bytes(const char *p, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static void tokenise(const char *s, size_t len, struct tokens *t)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t j = i + decode(u + i, len - i, &cp);
		enum char_class cls = classify(cp);
		while (cls != CC_PUNCT && j < len) {
			size_t step = decode(u + j, len - j, &cp);
			if (classify(cp) != cls)
				break;
			j += step;
		}
		t->v = xgrow(t->v, sizeof(*t->v), t->n + 1, &t->alloc);
		t->v[t->n++] = (struct token){ s + i, j - i, hash_bytes(s + i, j - i) };
		i = j;
	}
}

static int token_eq(const struct token *x, const struct token *y)
{
	return x->hash == y->hash && x->len == y->len && !memcmp(x->p, y->p, x->len);
}

/* Append a run of tokens, merged with the last op when of the same kind and contiguous. */
static void emit(struct diff *d, enum diff_kind kind, const struct token *t, size_t n)
{
	if (!n)
		return;
	const char *p = t[0].p;
	size_t len = (size_t)(t[n - 1].p + t[n - 1].len - p);
	if (d->n && d->ops[d->n - 1].kind == kind &&
	    d->ops[d->n - 1].text + d->ops[d->n - 1].len == p) {
		d->ops[d->n - 1].len += len;
		return;
	}
	d->ops = xgrow(d->ops, sizeof(*d->ops), d->n + 1, &d->alloc);
	d->ops[d->n++] = (struct diff_op){ kind, p, len };
}

/* One edit script step, found backwards. */
struct step {
	enum diff_kind kind;
	size_t a, b; /* token index in a (EQUAL, DELETE) or b (INSERT) */
};

struct steps {
	struct step *v;
	size_t n, alloc;
};

static void push(struct steps *s, enum diff_kind kind, size_t a, size_t b)
{
	s->v = xgrow(s->v, sizeof(*s->v), s->n + 1, &s->alloc);
	s->v[s->n++] = (struct step){ kind, a, b };
}

/*
 * The forward pass: trace gets V after each round d (2d+1 entries at d*d).
 * The number of edits, or -1 past max_d.
 */
static long forward(const struct token *a, long n, const struct token *b, long m, long max_d,
		    long **trace_out)
{
	long off = max_d + 1;
	long *v = xcalloc((size_t)(2 * max_d + 3), sizeof(*v));
	long *trace = NULL;
	size_t alloc = 0;
	long found = -1;
	for (long d = 0; d <= max_d && found < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
					 ? v[off + k + 1]
					 : v[off + k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && token_eq(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m)
				found = d;
		}
		trace = xgrow(trace, sizeof(*trace), (size_t)((d + 1) * (d + 1)), &alloc);
		memcpy(trace + d * d, v + off - d, (size_t)(2 * d + 1) * sizeof(*v));
	}
	free(v);
	*trace_out = trace;
	return found;
}

/* Walk the trace back from (n, m), pushing steps in reverse order. */
static void backtrack(const long *trace, long dmax, long n, long m, struct steps *s)
{
	long x = n, y = m;
	for (long d = dmax; d > 0; d--) {
		const long *prev = trace + (d - 1) * (d - 1); /* V of round d-1, index k+(d-1) */
		long k = x - y;
		int down = k == -d || (k != d && prev[k - 1 + (d - 1)] < prev[k + 1 + (d - 1)]);
		long pk = down ? k + 1 : k - 1;
		long px = prev[pk + (d - 1)], py = px - pk;
		long sx = down ? px : px + 1; /* where the snake of round d starts */
		while (x > sx)
			push(s, DIFF_EQUAL, (size_t)--x, (size_t)--y);
		if (down)
			push(s, DIFF_INSERT, (size_t)px, (size_t)py);
		else
			push(s, DIFF_DELETE, (size_t)px, (size_t)py);
		x = px, y = py;
	}
	while (x > 0)
		push(s, DIFF_EQUAL, (size_t)--x, (size_t)--y);
}

/* Diff the middles a[0..n) and b[0..m); 0, or -1 past the bound. */
static int diff_middle(struct diff *d, const struct token *a, long n, const struct token *b,
		       long m)
{
	long max_d = n + m < DIFF_MAX_EDITS ? n + m : DIFF_MAX_EDITS;
	long *trace;
	long found = forward(a, n, b, m, max_d, &trace);
	if (found < 0) {
		free(trace);
		return -1;
	}
	struct steps s = { NULL, 0, 0 };
	backtrack(trace, found, n, m, &s);
	free(trace);
	for (size_t i = s.n; i-- > 0;) {
		const struct step *st = &s.v[i];
		if (st->kind == DIFF_INSERT)
			emit(d, DIFF_INSERT, &b[st->b], 1);
		else
			emit(d, st->kind, &a[st->a], 1);
	}
	free(s.v);
	return 0;
}

void diff_words(struct diff *d, const char *a, size_t alen, const char *b, size_t blen)
{
	struct tokens ta = { NULL, 0, 0 }, tb = { NULL, 0, 0 };
	d->n = 0;
	d->coarse = 0;
	tokenise(a, alen, &ta);
	tokenise(b, blen, &tb);
	size_t pre = 0, suf = 0;
	while (pre < ta.n && pre < tb.n && token_eq(&ta.v[pre], &tb.v[pre]))
		pre++;
	while (suf < ta.n - pre && suf < tb.n - pre &&
	       token_eq(&ta.v[ta.n - 1 - suf], &tb.v[tb.n - 1 - suf]))
		suf++;
	emit(d, DIFF_EQUAL, ta.v, pre);
	long n = (long)(ta.n - pre - suf), m = (long)(tb.n - pre - suf);
	if (diff_middle(d, ta.v + pre, n, tb.v + pre, m) < 0) {
		d->coarse = 1;
		emit(d, DIFF_DELETE, ta.v + pre, (size_t)n);
		emit(d, DIFF_INSERT, tb.v + pre, (size_t)m);
	}
	/* Equal runs always point into the old text, so that adjacent ones merge. */
	emit(d, DIFF_EQUAL, ta.v + ta.n - suf, suf);
	free(ta.v);
	free(tb.v);
}

void diff_release(struct diff *d)
{
	free(d->ops);
	d->ops = NULL;
	d->n = d->alloc = 0;
	d->coarse = 0;
}

int diff_changed(const struct diff *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->ops[i].kind != DIFF_EQUAL)
			return 1;
	return 0;
}
