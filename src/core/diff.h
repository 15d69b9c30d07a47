/*
 * A word-level diff between two texts, for the history and suggestion pages
 * of an initiative. Texts are cut into tokens (runs of letters and digits,
 * where every non-ASCII byte counts as a letter so accented words stay
 * whole; runs of whitespace; single punctuation characters) and compared
 * with Myers' algorithm. The work is bounded: past DIFF_MAX_EDITS edits the
 * changed middle is shown as one deletion and one insertion.
 */
#ifndef CORE_DIFF_H
#define CORE_DIFF_H

#include <stddef.h>

/* The most token edits searched for before giving up on a fine diff. */
#define DIFF_MAX_EDITS 1000

enum diff_kind {
	DIFF_EQUAL,
	DIFF_INSERT, /* only in the new text */
	DIFF_DELETE, /* only in the old text */
};

/* One run of text; it points into the old (DIFF_DELETE) or new text, which the caller keeps. */
struct diff_op {
	enum diff_kind kind;
	const char *text;
	size_t len;
};

struct diff {
	struct diff_op *ops; /* in reading order; adjacent ops differ in kind */
	size_t n, alloc;
	int coarse; /* 1 when the bound was reached and the middle was replaced whole */
};

#define DIFF_INIT { NULL, 0, 0, 0 }

/*
 * Diff old text a (alen bytes) against new text b into d (initialised with
 * DIFF_INIT or released). The ops point into a and b. Release with
 * diff_release().
 */
void diff_words(struct diff *d, const char *a, size_t alen, const char *b, size_t blen);

/* Free the ops; d may be reused. */
void diff_release(struct diff *d);

/* 1 if the diff holds an insertion or a deletion. */
int diff_changed(const struct diff *d);

#endif
