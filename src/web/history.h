/*
 * Editing an initiative and its history: the edit form (authors,
 * co-authors and animators), the list of versions, and a word-level diff
 * between any two of them. Also the one place that turns a diff into HTML,
 * used by the suggestions part too.
 */
#ifndef WEB_HISTORY_H
#define WEB_HISTORY_H

#include <stdint.h>

#include "core/buf.h"
#include "http/request.h"

/* GET /initiatives/{id}/edit */
void history_edit_form(struct request *req, struct response *res);
/* POST /initiatives/{id}/edit */
void history_edit_post(struct request *req, struct response *res);
/* GET /initiatives/{id}/history */
void history_index(struct request *req, struct response *res);
/* GET /initiatives/{id}/history/diff?from=N&to=M */
void history_diff(struct request *req, struct response *res);

/*
 * Append to out the word-level diff of old_text → new_text as HTML:
 * escaped text, <del>/<ins> around changes with visually-hidden words
 * announcing them, line breaks as <br>. Safe to insert raw.
 */
void history_diff_html(const struct request *req, struct buf *out, const char *old_text,
		       const char *new_text);

/*
 * 1 if the current person may edit the initiative (an author or co-author,
 * or an animator or admin of the territory), 0 if not, -1 on error.
 */
int history_may_edit(struct request *req, int64_t initiative_id);

#endif
