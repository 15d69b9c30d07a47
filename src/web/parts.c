/*
 * One row per area: which objects it appears on and the function that adds
 * its part of the page model. Rows are independent; their order is the
 * order in which they run, not where they show (the template decides).
 */
#include "web/parts.h"

#include <string.h>

#include "web/support.h"
#include "web/comments.h"
#include "web/journey.h"
#include "web/matching.h"
#include "web/requests.h"
#include "web/suggestions.h"
#include "core/banned.h"

struct part {
	const char *name;
	const char *object_types; /* "need initiative" */
	part_fn fill;
};

static const struct part parts[] = {
	/* Areas add their row here: { "comments", "need initiative", comments_part }, */
	{ "support", "need initiative", support_part },
	{ "comments", "need initiative", comments_part },
	{ "journey", "initiative", journey_part },
	{ "team", "initiative", team_part },
	{ "offers", "initiative", offers_part },
	{ "received", "initiative", requests_part },
	{ "suggestions", "initiative", suggestions_part },
	{ NULL, NULL, NULL },
};

static int applies(const char *types, const char *type)
{
	size_t n = strlen(type);
	for (const char *p = strstr(types, type); p; p = strstr(p + 1, type))
		if ((p == types || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

int parts_fill(struct request *req, struct response *res, const char *object_type, int64_t id,
	       json_t *object, json_t *model)
{
	for (const struct part *p = parts; p->name; p++)
		if (applies(p->object_types, object_type) &&
		    p->fill(req, res, object_type, id, object, model) < 0)
			return -1;
	return 0;
}
