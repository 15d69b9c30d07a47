/*
 * The demo loader. The whole file is checked first, against one table of
 * fields per section, so that a mistake in the content is named (section,
 * index, key) before anything is written; then everything goes through the
 * domain modules in one transaction. Needs and initiatives are written
 * oldest first, so ids grow with dates and "newest first" lists agree with
 * the dates they show.
 */
#include "domain/demo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/comment.h"
#include "domain/initiative.h"
#include "domain/journey.h"
#include "domain/funding.h"
#include "domain/need.h"
#include "domain/neighbourhood.h"
#include "domain/offer.h"
#include "domain/organisation.h"
#include "domain/outcome.h"
#include "domain/profile.h"
#include "domain/project_need.h"
#include "domain/suggestion.h"
#include "domain/support_request.h"
#include "domain/team.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "domain/version.h"
#include "core/banned.h"

#define DAY 86400
#define DAYS_AGO_MAX 3650
#define COUNT_MAX 1000000
#define HOSTS_MAX 16
#define LIST_MAX 1000
#define ITEM_MAX 253 /* bytes of one string of an array: a host name's limit */
#define DEMO_NAME_MAX 64
/* Items of one day are spread over the hours before now - days_ago, the same way at each load. */
#define JITTER_STEP 7919
#define JITTER_SPAN (10 * 3600)
/* Lists inside an item (comments, replies, team...), and amounts. */
#define SUB_MAX 100
#define AMOUNT_MAX 100000000
#define DAYS_AHEAD_MAX 365
#define WHERE_MAX 192

enum value_type {
	V_SLUG, /* [a-z0-9-], not empty */
	V_STRING, /* a string, not empty */
	V_TEXT, /* a string, may be empty */
	V_NAME, /* a string naming something of another section, or null */
	V_INT, /* an integer, 0..max */
	V_COORD, /* a number, or null */
	V_BOOL,
	V_NAMES, /* an array of strings naming things of another section */
	V_HOSTS, /* an array of host names */
	V_OBJECTS, /* an array of objects, each checked against field->sub */
	V_OBJECT, /* an object checked against field->sub */
};

/* What a field can define or name: each is a name → id map of the loader. */
enum ref {
	REF_NONE,
	REF_PERSON,
	REF_ORGANISATION,
	REF_ORGANISATION_SLUG,
	REF_THEME,
	REF_NEIGHBOURHOOD,
	REF_NEED,
	REF_INITIATIVE,
	REF_OFFER,
	REF_COUNT
};

static const char *const ref_names[REF_COUNT] = {
	"", "a person's key", "an organisation's key", "an organisation's slug",
	"a theme's slug", "a neighbourhood", "a need's key", "an initiative's key", "an offer's key",
};

struct section;

struct field {
	const char *key;
	enum value_type type;
	int required;
	size_t max; /* bytes of a string, largest integer, items of an array */
	enum ref defines; /* the value is a new name in this map, unique */
	enum ref names; /* the value must be a name of this map */
	const char *(*vocabulary)(const char *); /* non-NULL if only some words may be used */
	const char *words; /* those words, for the error message */
	const struct section *sub; /* V_OBJECTS, V_OBJECT: the fields of the objects */
};

static const char *stage_known(const char *code)
{
	return initiative_stage_find(code) ? code : NULL;
}

static const char *word_in(const char *word, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(*words, word))
			return word;
	return NULL;
}

static const char *role_known(const char *code)
{
	static const char *const roles[] = { "animator", "admin", NULL };
	return word_in(code, roles);
}

static const char *team_state_known(const char *code)
{
	static const char *const states[] = { "accepted", "offered", NULL };
	return word_in(code, states);
}

static const char *need_state_known(const char *code)
{
	static const char *const states[] = { "open", "met", NULL };
	return word_in(code, states);
}

static const char *project_need_kind_known(const char *code)
{
	return project_need_kind_find(code) ? code : NULL;
}

static const char *offer_kind_known(const char *code)
{
	return offer_kind_find(code) ? code : NULL;
}

static const char *offer_stage_known(const char *code)
{
	return offer_stage_index(code) >= 0 ? code : NULL;
}

static const char *request_state_known(const char *code)
{
	static const char *const states[] = { "pending", "accepted", "declined", "completed", NULL };
	return word_in(code, states);
}

/* The sections that are arrays of objects, in the order they are checked and written. */
struct section {
	const char *name;
	const struct field *fields;
	size_t n_fields;
};

/* A comment and its replies (recursive: the section is defined after its fields). */
static const struct section comment_section;

static const struct field comment_fields[] = {
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "body", V_STRING, 1, COMMENT_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "replies", V_OBJECTS, 0, SUB_MAX, REF_NONE, REF_NONE, NULL, NULL, &comment_section },
};

static const struct section comment_section = { "comments", comment_fields,
						ARRAY_SIZE(comment_fields) };

/* A change of an initiative's text, oldest first; "suggested": it came from an accepted suggestion. */
static const struct field change_fields[] = {
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "title", V_STRING, 0, VERSION_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "summary", V_TEXT, 0, VERSION_SUMMARY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "body", V_TEXT, 0, VERSION_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "note", V_TEXT, 0, VERSION_NOTE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "suggested", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section change_section = { "changes", change_fields, ARRAY_SIZE(change_fields) };

/* A suggestion still open, made against the text after the changes. */
static const struct field suggestion_fields[] = {
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "title", V_STRING, 0, VERSION_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "body", V_TEXT, 0, VERSION_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "reason", V_TEXT, 0, SUGGESTION_REASON_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section suggestion_section = { "suggestions", suggestion_fields,
						   ARRAY_SIZE(suggestion_fields) };

/* A stage move of the timeline, from the stage before (an initiative with moves starts as an idea). */
static const struct field move_fields[] = {
	{ "to", V_STRING, 1, 32, REF_NONE, REF_NONE, stage_known,
	  "idea, improving, project, supported, realised, archived, merged", NULL },
	{ "by", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "note", V_TEXT, 0, JOURNEY_NOTE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section move_section = { "moves", move_fields, ARRAY_SIZE(move_fields) };

/* What a realised initiative became (its kind is the initiative's "outcome"). */
static const struct field outcome_fields[] = {
	{ "legal_form", V_TEXT, 0, OUTCOME_LEGAL_FORM_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "founded_days_ago", V_INT, 0, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "starts_in_days", V_INT, 0, DAYS_AHEAD_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "starts_days_ago", V_INT, 0, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "start_hour", V_INT, 0, 23, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "duration_hours", V_INT, 0, 72, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "place", V_TEXT, 0, OUTCOME_PLACE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "description", V_TEXT, 0, OUTCOME_DESCRIPTION_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "impact", V_TEXT, 0, OUTCOME_IMPACT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section outcome_section = { "outcome_detail", outcome_fields,
						ARRAY_SIZE(outcome_fields) };

/* Someone who offered to join a project's team. */
static const struct field team_fields[] = {
	{ "person", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "skills", V_TEXT, 0, TEAM_SKILLS_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "message", V_TEXT, 0, TEAM_MESSAGE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "state", V_STRING, 1, 16, REF_NONE, REF_NONE, team_state_known, "accepted, offered", NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section team_section = { "team", team_fields, ARRAY_SIZE(team_fields) };

/* What a project needs, as structured items. */
static const struct field project_need_fields[] = {
	{ "kind", V_STRING, 1, 16, REF_NONE, REF_NONE, project_need_kind_known,
	  "money, premises, coaching, training, equipment, volunteers, other", NULL },
	{ "description", V_TEXT, 0, PROJECT_NEED_DESCRIPTION_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "amount_eur", V_INT, 0, AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "surface_m2", V_INT, 0, AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "duration_months", V_INT, 0, 600, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "state", V_STRING, 0, 8, REF_NONE, REF_NONE, need_state_known, "open, met", NULL },
};
static const struct section project_need_section = { "project_needs", project_need_fields,
						      ARRAY_SIZE(project_need_fields) };

/* A request of the project's carrier for a partner's offer, and what became of it. */
static const struct field support_request_fields[] = {
	{ "offer", V_NAME, 1, 64, REF_NONE, REF_OFFER, NULL, NULL, NULL },
	{ "need", V_INT, 0, PROJECT_NEEDS_MAX - 1, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "by", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "message", V_STRING, 1, SUPPORT_MESSAGE_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "state", V_STRING, 1, 16, REF_NONE, REF_NONE, request_state_known,
	  "pending, accepted, declined, completed", NULL },
	{ "answer", V_TEXT, 0, SUPPORT_MESSAGE_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "answered_by", V_NAME, 0, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "answered_days_ago", V_INT, 0, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "given_amount_eur", V_INT, 0, SUPPORT_AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "given_hours", V_INT, 0, SUPPORT_HOURS_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "given_text", V_TEXT, 0, SUPPORT_GIVEN_TEXT_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "completed_days_ago", V_INT, 0, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section support_request_section = { "support_requests", support_request_fields,
							 ARRAY_SIZE(support_request_fields) };

/* A crowdfunding campaign linked to the project by its author (Tremplin handles no money). */
static const struct field crowdfunding_fields[] = {
	{ "platform", V_STRING, 1, FUNDING_PLATFORM_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "url", V_STRING, 1, FUNDING_URL_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "goal_eur", V_INT, 1, FUNDING_AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "raised_eur", V_INT, 0, FUNDING_AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "ends_in_days", V_INT, 0, DAYS_AHEAD_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};
static const struct section crowdfunding_section = { "crowdfunding", crowdfunding_fields,
						      ARRAY_SIZE(crowdfunding_fields) };

static const struct field territory_fields[] = {
	{ "slug", V_SLUG, 1, 64, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "name", V_STRING, 1, 200, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "tagline", V_TEXT, 0, 300, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "welcome", V_TEXT, 0, 20000, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "hosts", V_HOSTS, 0, HOSTS_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};

static const struct field theme_fields[] = {
	{ "slug", V_SLUG, 1, THEME_SLUG_MAX, REF_THEME, REF_NONE, NULL, NULL, NULL },
	{ "name", V_STRING, 1, THEME_NAME_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};

/* A neighbourhood is a bare string: one field without a key. */
static const struct field neighbourhood_field = {
	"", V_STRING, 1, NEIGHBOURHOOD_NAME_MAX, REF_NEIGHBOURHOOD, REF_NONE, NULL, NULL, NULL
};

static const struct field person_fields[] = {
	{ "key", V_STRING, 1, 64, REF_PERSON, REF_NONE, NULL, NULL, NULL },
	{ "display_name", V_STRING, 1, 100, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "bio", V_TEXT, 0, 2000, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "role", V_STRING, 0, 16, REF_NONE, REF_NONE, role_known, "animator, admin", NULL },
};

static const struct field organisation_fields[] = {
	{ "key", V_STRING, 1, 64, REF_ORGANISATION, REF_NONE, NULL, NULL, NULL },
	{ "slug", V_SLUG, 1, ORGANISATION_SLUG_MAX, REF_ORGANISATION_SLUG, REF_NONE, NULL, NULL, NULL },
	{ "name", V_STRING, 1, ORGANISATION_NAME_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "kind", V_STRING, 1, 32, REF_NONE, REF_NONE, organisation_kind_label,
	  "association, social_enterprise, company, public_body, partner", NULL },
	{ "summary", V_TEXT, 0, ORGANISATION_SUMMARY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "description", V_TEXT, 0, ORGANISATION_DESCRIPTION_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "website", V_TEXT, 0, ORGANISATION_WEBSITE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "partner", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "accredited", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "members", V_NAMES, 0, 20, REF_NONE, REF_PERSON, NULL, NULL, NULL },
};

/* What an accredited partner puts at the projects' disposal. */
static const struct field offer_fields[] = {
	{ "key", V_STRING, 1, 64, REF_OFFER, REF_NONE, NULL, NULL, NULL },
	{ "partner", V_NAME, 1, 64, REF_NONE, REF_ORGANISATION, NULL, NULL, NULL },
	{ "kind", V_STRING, 1, 16, REF_NONE, REF_NONE, offer_kind_known,
	  "coaching, training, funding, crowdfunding, premises, equipment, logistics, expertise,"
	  " communication, other", NULL },
	{ "title", V_STRING, 1, OFFER_TITLE_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "description", V_TEXT, 0, OFFER_DESCRIPTION_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "conditions", V_TEXT, 0, OFFER_CONDITIONS_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "amount_max_eur", V_INT, 0, OFFER_AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "capacity", V_TEXT, 0, OFFER_CAPACITY_MAX * 4, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "stages", V_NAMES, 1, 5, REF_NONE, REF_NONE, offer_stage_known,
	  "idea, improving, project, supported, realised", NULL },
	{ "themes", V_NAMES, 0, OFFER_THEMES_MAX, REF_NONE, REF_THEME, NULL, NULL, NULL },
	{ "closes_in_days", V_INT, 0, DAYS_AHEAD_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "active", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
};

static const struct field need_fields[] = {
	{ "key", V_STRING, 1, 64, REF_NEED, REF_NONE, NULL, NULL, NULL },
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "title", V_STRING, 1, NEED_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "body", V_TEXT, 0, NEED_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "theme", V_NAME, 0, THEME_SLUG_MAX, REF_NONE, REF_THEME, NULL, NULL, NULL },
	{ "neighbourhood", V_NAME, 0, NEIGHBOURHOOD_NAME_MAX, REF_NONE, REF_NEIGHBOURHOOD, NULL, NULL, NULL },
	{ "lat", V_COORD, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "lng", V_COORD, 0, 0, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "metoo", V_INT, 0, COUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "comments", V_OBJECTS, 0, SUB_MAX, REF_NONE, REF_NONE, NULL, NULL, &comment_section },
};

static const struct field initiative_fields[] = {
	{ "key", V_STRING, 1, 64, REF_INITIATIVE, REF_NONE, NULL, NULL, NULL },
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "carrier", V_NAME, 0, 64, REF_NONE, REF_ORGANISATION, NULL, NULL, NULL },
	{ "title", V_STRING, 1, INITIATIVE_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "summary", V_TEXT, 0, INITIATIVE_SUMMARY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "body", V_TEXT, 0, INITIATIVE_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "stage", V_STRING, 1, 32, REF_NONE, REF_NONE, stage_known,
	  "idea, improving, project, supported, realised, archived, merged", NULL },
	{ "outcome", V_NAME, 0, 32, REF_NONE, REF_NONE, initiative_outcome_label,
	  "enterprise, event, service or null", NULL },
	{ "theme", V_NAME, 0, THEME_SLUG_MAX, REF_NONE, REF_THEME, NULL, NULL, NULL },
	{ "neighbourhood", V_NAME, 0, NEIGHBOURHOOD_NAME_MAX, REF_NONE, REF_NEIGHBOURHOOD, NULL, NULL, NULL },
	{ "needs", V_NAMES, 0, INITIATIVE_NEEDS_MAX, REF_NONE, REF_NEED, NULL, NULL, NULL },
	{ "supports", V_INT, 0, COUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "coauthors", V_NAMES, 0, 10, REF_NONE, REF_PERSON, NULL, NULL, NULL },
	{ "changes", V_OBJECTS, 0, 20, REF_NONE, REF_NONE, NULL, NULL, &change_section },
	{ "suggestions", V_OBJECTS, 0, 20, REF_NONE, REF_NONE, NULL, NULL, &suggestion_section },
	{ "moves", V_OBJECTS, 0, 10, REF_NONE, REF_NONE, NULL, NULL, &move_section },
	{ "merged_into", V_NAME, 0, 64, REF_NONE, REF_INITIATIVE, NULL, NULL, NULL },
	{ "outcome_detail", V_OBJECT, 0, 0, REF_NONE, REF_NONE, NULL, NULL, &outcome_section },
	{ "skills_sought", V_NAMES, 0, PROFILE_SKILLS_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "team", V_OBJECTS, 0, SUB_MAX, REF_NONE, REF_NONE, NULL, NULL, &team_section },
	{ "project_needs", V_OBJECTS, 0, PROJECT_NEEDS_MAX, REF_NONE, REF_NONE, NULL, NULL,
	  &project_need_section },
	{ "support_requests", V_OBJECTS, 0, SUB_MAX, REF_NONE, REF_NONE, NULL, NULL,
	  &support_request_section },
	{ "funding_goal_eur", V_INT, 0, FUNDING_AMOUNT_MAX, REF_NONE, REF_NONE, NULL, NULL, NULL },
	{ "crowdfunding", V_OBJECT, 0, 0, REF_NONE, REF_NONE, NULL, NULL, &crowdfunding_section },
	{ "comments", V_OBJECTS, 0, SUB_MAX, REF_NONE, REF_NONE, NULL, NULL, &comment_section },
};

static const struct section sections[] = {
	{ "themes", theme_fields, ARRAY_SIZE(theme_fields) },
	{ "people", person_fields, ARRAY_SIZE(person_fields) },
	{ "organisations", organisation_fields, ARRAY_SIZE(organisation_fields) },
	{ "offers", offer_fields, ARRAY_SIZE(offer_fields) },
	{ "needs", need_fields, ARRAY_SIZE(need_fields) },
	{ "initiatives", initiative_fields, ARRAY_SIZE(initiative_fields) },
};

static const char *const top_keys[] = {
	"territory", "themes", "neighbourhoods", "people", "organisations", "offers", "needs",
	"initiatives",
};

struct loader {
	struct db *db;
	json_t *root;
	json_t *maps[REF_COUNT]; /* name → id (0 until written) */
	int64_t territory_id;
	int64_t now;
	json_t *animators; /* person key → role, for the moves they make */
	size_t n_people;
	size_t salt; /* spreads the times of one day */
};

/* Log "demo: WHERE.KEY: message" and return -1. */
__attribute__((format(printf, 3, 4))) static int bad(const char *where, const char *key,
						     const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error("demo: %s%s%s: %s", where, *key ? "." : "", key, msg.ptr);
	buf_release(&msg);
	return -1;
}

static int slug_chars(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

static int host_chars(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(s);
}

/* A string value against its field: length, characters, vocabulary, names. */
static int check_string(struct loader *l, const char *where, const struct field *f,
			const char *s)
{
	size_t len = strlen(s);
	size_t max = f->type == V_NAMES || f->type == V_HOSTS ? ITEM_MAX : f->max;
	if (len > max)
		return bad(where, f->key, "longer than %zu bytes", max);
	if (!len && f->type != V_TEXT)
		return bad(where, f->key, "is empty");
	if ((f->type == V_SLUG && !slug_chars(s)) || (f->type == V_HOSTS && !host_chars(s)))
		return bad(where, f->key, "\"%s\" may only hold a-z, 0-9, '-'%s", s,
			   f->type == V_HOSTS ? " and '.'" : "");
	if (f->vocabulary && !f->vocabulary(s))
		return bad(where, f->key, "\"%s\" is not one of: %s", s, f->words);
	if (f->names && !json_object_get(l->maps[f->names], s))
		return bad(where, f->key, "\"%s\" is not %s of the file (or comes after this item)",
			   s, ref_names[f->names]);
	if (f->defines && json_object_get(l->maps[f->defines], s))
		return bad(where, f->key, "\"%s\" is already %s", s, ref_names[f->defines]);
	if (f->defines)
		json_object_set_new(l->maps[f->defines], s, json_integer(0));
	return 0;
}

/* An array of strings: each checked as the field's string, none twice. */
static int check_strings(struct loader *l, const char *where, const struct field *f, json_t *v)
{
	if (!json_is_array(v))
		return bad(where, f->key, "must be an array of strings");
	if (json_array_size(v) > f->max)
		return bad(where, f->key, "has more than %zu items", f->max);
	json_t *seen = json_object();
	size_t i;
	json_t *item;
	int rc = 0;
	json_array_foreach(v, i, item) {
		const char *s = json_string_value(item);
		if (!s)
			rc = bad(where, f->key, "item %zu is not a string", i);
		else if (json_object_get(seen, s))
			rc = bad(where, f->key, "\"%s\" is listed twice", s);
		else
			rc = check_string(l, where, f, s);
		if (rc)
			break;
		json_object_set_new(seen, s, json_true());
	}
	json_decref(seen);
	return rc;
}

static int check_object(struct loader *l, const char *where, json_t *obj,
			const struct field *fields, size_t n);

/* An array of objects, each against the field's sub-section: where becomes "where.key[i]". */
static int check_objects(struct loader *l, const char *where, const struct field *f, json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) > f->max)
		return bad(where, f->key, "must be an array of at most %zu objects", f->max);
	size_t i;
	json_t *item;
	char inner[WHERE_MAX];
	json_array_foreach(v, i, item) {
		snprintf(inner, sizeof(inner), "%s.%s[%zu]", where, f->key, i);
		if (check_object(l, inner, item, f->sub->fields, f->sub->n_fields))
			return -1;
	}
	return 0;
}

static int check_value(struct loader *l, const char *where, const struct field *f, json_t *v)
{
	switch (f->type) {
	case V_NAME:
		if (json_is_null(v))
			return 0;
		/* fall through */
	case V_SLUG:
	case V_STRING:
	case V_TEXT:
		if (!json_is_string(v))
			return bad(where, f->key, "must be a string%s", f->type == V_NAME ? " or null" : "");
		return check_string(l, where, f, json_string_value(v));
	case V_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    (size_t)json_integer_value(v) > f->max)
			return bad(where, f->key, "must be an integer from 0 to %zu", f->max);
		return 0;
	case V_COORD:
		return json_is_null(v) || json_is_number(v) ? 0 :
							      bad(where, f->key, "must be a number or null");
	case V_BOOL:
		return json_is_boolean(v) ? 0 : bad(where, f->key, "must be true or false");
	case V_NAMES:
	case V_HOSTS:
		return check_strings(l, where, f, v);
	case V_OBJECTS:
		return check_objects(l, where, f, v);
	case V_OBJECT: {
		char inner[WHERE_MAX];
		snprintf(inner, sizeof(inner), "%s.%s", where, f->key);
		return check_object(l, inner, v, f->sub->fields, f->sub->n_fields);
	}
	}
	BUG("unknown value type");
}

static const struct field *field_find(const struct field *fields, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

/* An object against its fields: no unknown key, every required key, each value checked. */
static int check_object(struct loader *l, const char *where, json_t *obj,
			const struct field *fields, size_t n)
{
	if (!json_is_object(obj))
		return bad(where, "", "must be an object");
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
		if (!field_find(fields, n, key))
			return bad(where, key, "unknown key");
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, fields[i].key);
		if (!v && fields[i].required)
			return bad(where, fields[i].key, "missing");
		if (v && check_value(l, where, &fields[i], v))
			return -1;
	}
	return 0;
}

/* A need has both coordinates or neither. */
static int check_need_place(const char *where, json_t *need)
{
	json_t *lat = json_object_get(need, "lat"), *lng = json_object_get(need, "lng");
	int has_lat = lat && !json_is_null(lat), has_lng = lng && !json_is_null(lng);
	if (has_lat != has_lng)
		return bad(where, has_lat ? "lng" : "lat", "missing while the other coordinate is set");
	double y = has_lat ? json_number_value(lat) : 0, x = has_lng ? json_number_value(lng) : 0;
	if (y < -90 || y > 90 || x < -180 || x > 180)
		return bad(where, "lat", "coordinates out of range");
	return 0;
}

static int check_section(struct loader *l, const struct section *s)
{
	json_t *items = json_object_get(l->root, s->name);
	if (!items)
		return 0;
	if (!json_is_array(items) || json_array_size(items) > LIST_MAX)
		return bad(s->name, "", "must be an array of at most %d objects", LIST_MAX);
	size_t i;
	json_t *item;
	char where[64];
	json_array_foreach(items, i, item) {
		snprintf(where, sizeof(where), "%s[%zu]", s->name, i);
		if (check_object(l, where, item, s->fields, s->n_fields))
			return -1;
		if (s->fields == need_fields && check_need_place(where, item))
			return -1;
	}
	return 0;
}

static int check_neighbourhoods(struct loader *l)
{
	json_t *names = json_object_get(l->root, "neighbourhoods");
	if (!names)
		return 0;
	if (!json_is_array(names) || json_array_size(names) > LIST_MAX)
		return bad("neighbourhoods", "", "must be an array of at most %d strings", LIST_MAX);
	size_t i;
	json_t *name;
	char where[64];
	json_array_foreach(names, i, name) {
		snprintf(where, sizeof(where), "neighbourhoods[%zu]", i);
		if (check_value(l, where, &neighbourhood_field, name))
			return -1;
	}
	return 0;
}

static int check_file(struct loader *l)
{
	if (!json_is_object(l->root))
		return bad("file", "", "must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach(l->root, key, v) {
		size_t i = 0;
		while (i < ARRAY_SIZE(top_keys) && strcmp(top_keys[i], key))
			i++;
		if (i == ARRAY_SIZE(top_keys))
			return bad("file", key, "unknown key");
	}
	json_t *territory = json_object_get(l->root, "territory");
	if (!territory)
		return bad("file", "territory", "missing");
	if (check_object(l, "territory", territory, territory_fields, ARRAY_SIZE(territory_fields)))
		return -1;
	/* Themes first, then the neighbourhoods a need may name, then the rest in order. */
	if (check_section(l, &sections[0]) || check_neighbourhoods(l))
		return -1;
	for (size_t i = 1; i < ARRAY_SIZE(sections); i++)
		if (check_section(l, &sections[i]))
			return -1;
	return 0;
}

/* The string at key, or NULL when it is missing or null. */
static const char *text_at(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int64_t int_at(json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* The id written for the name at key of obj (0 when the key is missing or null). */
static int64_t id_at(struct loader *l, enum ref r, json_t *obj, const char *key)
{
	const char *name = text_at(obj, key);
	return name ? (int64_t)json_integer_value(json_object_get(l->maps[r], name)) : 0;
}

static void remember(struct loader *l, enum ref r, const char *name, int64_t id)
{
	json_object_set_new(l->maps[r], name, json_integer(id));
}

/* The string at key, or "" when it is missing or null. */
static const char *text_or(json_t *obj, const char *key)
{
	const char *s = text_at(obj, key);
	return s ? s : "";
}

static int listed(json_t *names, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/*
 * Counters are rows: "metoo" and "supports" give that many people of the
 * file (never the author) a "me too" or a support, so there must be enough.
 */
static int check_count(struct loader *l, const char *where, json_t *item, const char *key)
{
	int64_t n = int_at(item, key);
	if (n > 0 && (size_t)n > l->n_people - 1)
		return bad(where, key,
			   "%lld is more than the %zu people of the file other than the author "
			   "(the loader writes one row per person)",
			   (long long)n, l->n_people - 1);
	return 0;
}

/* The stage moves: from "idea" through the journey's table, by someone allowed, to "stage". */
static int check_moves(struct loader *l, const char *where, json_t *item)
{
	json_t *moves = json_object_get(item, "moves");
	const char *author = text_at(item, "author"), *stage = text_at(item, "stage");
	const char *from = "idea", *merged = text_at(item, "merged_into");
	char w[WHERE_MAX + 64];
	size_t i;
	json_t *m;
	if (merged && !strcmp(merged, text_at(item, "key")))
		return bad(where, "merged_into", "an initiative cannot be merged into itself");
	json_array_foreach(moves, i, m) {
		snprintf(w, sizeof(w), "%s.moves[%zu]", where, i);
		const char *to = text_at(m, "to"), *by = text_at(m, "by"), *note = text_at(m, "note");
		const struct journey_transition *t = journey_transition_find(from, to);
		if (!t)
			return bad(w, "to", "%s → %s is not a move of the journey", from, to);
		unsigned who = 0;
		if (!strcmp(by, author) || listed(json_object_get(item, "coauthors"), by))
			who |= JOURNEY_AUTHOR;
		if (json_object_get(l->animators, by))
			who |= JOURNEY_ANIMATOR;
		if (!journey_may_move(from, to, who))
			return bad(w, "by", "\"%s\" may not move %s → %s (give an animator's key, "
				   "a person with \"role\": \"animator\")", by, from, to);
		if (t->note_required && (!note || !*note))
			return bad(w, "note", "missing: a move %s → %s says why", from, to);
		if (!strcmp(to, "merged") && !merged)
			return bad(where, "merged_into", "missing for a move to merged");
		if (!strcmp(to, "realised") && !json_object_get(item, "outcome_detail"))
			return bad(where, "outcome_detail", "missing for a move to realised");
		from = to;
	}
	if (json_array_size(moves) && strcmp(from, stage))
		return bad(where, "stage", "\"%s\" is not the stage the moves end at (\"%s\")", stage,
			   from);
	return 0;
}

static int check_outcome(const char *where, json_t *item)
{
	json_t *o = json_object_get(item, "outcome_detail");
	const char *kind = text_at(item, "outcome");
	if (!o)
		return 0;
	if (!kind)
		return bad(where, "outcome", "missing: outcome_detail describes an outcome");
	int ahead = json_object_get(o, "starts_in_days") != NULL;
	int past = json_object_get(o, "starts_days_ago") != NULL;
	if (!strcmp(kind, "event") && ahead == past)
		return bad(where, "outcome_detail",
			   "an event has one of starts_in_days and starts_days_ago");
	return 0;
}

/* Changes change something; a suggestion changes the title or the text only. */
static int check_changes(const char *where, json_t *item)
{
	char w[WHERE_MAX + 64];
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(item, "changes"), i, c) {
		snprintf(w, sizeof(w), "%s.changes[%zu]", where, i);
		int suggested = json_is_true(json_object_get(c, "suggested"));
		if (!text_at(c, "title") && !text_at(c, "body") && !text_at(c, "summary"))
			return bad(w, "", "changes neither title, summary nor body");
		if (suggested && text_at(c, "summary"))
			return bad(w, "summary", "a suggestion changes the title or the body only");
	}
	json_array_foreach(json_object_get(item, "suggestions"), i, c) {
		snprintf(w, sizeof(w), "%s.suggestions[%zu]", where, i);
		if (!text_at(c, "title") && !text_at(c, "body"))
			return bad(w, "", "suggests neither a title nor a body");
	}
	return 0;
}

/* The skills a project seeks, as the profile normalises them. *out (may be NULL): new reference. */
static const char *skills_sought(json_t *item, json_t **out)
{
	struct buf typed = BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(item, "skills_sought"), i, v)
		buf_addf(&typed, "%s%s", i ? ", " : "", json_string_value(v));
	json_t *skills = NULL;
	const char *problem = profile_skills_normalise(typed.len ? typed.ptr : "", &skills);
	buf_release(&typed);
	if (out)
		*out = skills;
	else
		json_decref(skills);
	return problem;
}

/* The organisation named at key of obj in the file, or NULL. */
static json_t *organisation_item(struct loader *l, json_t *obj, const char *key)
{
	const char *name = text_at(obj, key);
	size_t i;
	json_t *org;
	json_array_foreach(json_object_get(l->root, "organisations"), i, org)
		if (name && !strcmp(text_or(org, "key"), name))
			return org;
	return NULL;
}

static json_t *offer_item(struct loader *l, const char *key)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(l->root, "offers"), i, o)
		if (key && !strcmp(text_or(o, "key"), key))
			return o;
	return NULL;
}

/* Offers are published by accredited partners: anything else would never be shown. */
static int check_offers(struct loader *l)
{
	size_t i;
	json_t *o;
	char where[WHERE_MAX];
	json_array_foreach(json_object_get(l->root, "offers"), i, o) {
		snprintf(where, sizeof(where), "offers[%zu]", i);
		json_t *org = organisation_item(l, o, "partner");
		if (!json_is_true(json_object_get(org, "partner")) ||
		    !json_is_true(json_object_get(org, "accredited")))
			return bad(where, "partner", "\"%s\" is not an accredited partner",
				   text_at(o, "partner"));
	}
	return 0;
}

/*
 * A support request: asked by the author (or a co-author) for one of the
 * project's needs, answered by a member of the offer's partner as the
 * table of support_request.c allows (pending → accepted | declined,
 * accepted → completed); what was given only on a completed one.
 */
static int check_support_requests(struct loader *l, const char *where, json_t *item)
{
	char w[WHERE_MAX + 64];
	size_t i;
	json_t *r;
	json_t *needs = json_object_get(item, "project_needs");
	json_array_foreach(json_object_get(item, "support_requests"), i, r) {
		snprintf(w, sizeof(w), "%s.support_requests[%zu]", where, i);
		const char *by = text_at(r, "by"), *state = text_at(r, "state");
		const char *answerer = text_at(r, "answered_by");
		json_t *need = json_object_get(r, "need");
		if (strcmp(by, text_at(item, "author")) && !listed(json_object_get(item, "coauthors"), by))
			return bad(w, "by", "\"%s\" is not the project's author or a co-author", by);
		if (need && (size_t)json_integer_value(need) >= json_array_size(needs))
			return bad(w, "need", "%lld is not the index of one of the project's needs",
				   (long long)json_integer_value(need));
		if (need && text_at(json_array_get(needs, (size_t)json_integer_value(need)), "state") &&
		    strcmp(text_at(json_array_get(needs, (size_t)json_integer_value(need)), "state"),
			   "open"))
			return bad(w, "need", "asks for a need that is not open");
		int answered = strcmp(state, "pending") != 0;
		int completed = !strcmp(state, "completed");
		if (answered != (answerer != NULL))
			return bad(w, "answered_by", answered ? "missing for a request %s" :
								"set on a request still %s", state);
		if (answered != (json_object_get(r, "answered_days_ago") != NULL))
			return bad(w, "answered_days_ago", answered ? "missing for a request %s" :
								      "set on a request still %s", state);
		if (!strcmp(state, "declined") && !*text_or(r, "answer"))
			return bad(w, "answer", "missing: declining says why");
		if (completed != (json_object_get(r, "completed_days_ago") != NULL))
			return bad(w, "completed_days_ago", completed ? "missing for a completed request" :
									"set on a request %s", state);
		if (!completed && (json_object_get(r, "given_amount_eur") ||
				   json_object_get(r, "given_hours") || text_at(r, "given_text")))
			return bad(w, "given_text", "what was given is for a completed request only");
		if (answerer) {
			json_t *org = organisation_item(l, offer_item(l, text_at(r, "offer")), "partner");
			if (!listed(json_object_get(org, "members"), answerer))
				return bad(w, "answered_by", "\"%s\" is not a member of the offer's partner",
					   answerer);
		}
	}
	json_t *c = json_object_get(item, "crowdfunding");
	if (c && !funding_url_ok(text_at(c, "url")))
		return bad(where, "crowdfunding.url", "\"%s\" is not an http(s) address", text_at(c, "url"));
	return 0;
}

/* What the field tables cannot say: counts, the journey, outcomes, changes. */
static int check_rules(struct loader *l)
{
	json_t *people = json_object_get(l->root, "people");
	size_t i;
	json_t *item;
	char where[WHERE_MAX];
	l->n_people = json_array_size(people);
	json_array_foreach(people, i, item)
		if (text_at(item, "role"))
			json_object_set_new(l->animators, text_at(item, "key"),
					    json_string(text_at(item, "role")));
	json_array_foreach(json_object_get(l->root, "needs"), i, item) {
		snprintf(where, sizeof(where), "needs[%zu]", i);
		if (check_count(l, where, item, "metoo"))
			return -1;
	}
	json_array_foreach(json_object_get(l->root, "initiatives"), i, item) {
		snprintf(where, sizeof(where), "initiatives[%zu]", i);
		const char *problem = skills_sought(item, NULL);
		if (problem)
			return bad(where, "skills_sought", "%s", problem);
		if (check_count(l, where, item, "supports") || check_moves(l, where, item) ||
		    check_outcome(where, item) || check_changes(where, item) ||
		    check_support_requests(l, where, item))
			return -1;
	}
	return check_offers(l);
}

static int write_territory(struct loader *l)
{
	json_t *t = json_object_get(l->root, "territory");
	json_t *hosts = json_object_get(t, "hosts");
	const char *names[HOSTS_MAX + 1];
	size_t i, n = 0;
	json_t *host;
	json_array_foreach(hosts, i, host)
		names[n++] = json_string_value(host);
	names[n] = NULL;
	const char *tagline = text_at(t, "tagline"), *welcome = text_at(t, "welcome");
	return territory_create(l->db, text_at(t, "slug"), text_at(t, "name"),
				tagline ? tagline : "", welcome ? welcome : "", names,
				&l->territory_id);
}

static int write_themes(struct loader *l)
{
	size_t i;
	json_t *theme;
	json_array_foreach(json_object_get(l->root, "themes"), i, theme) {
		int64_t id;
		const char *slug = text_at(theme, "slug");
		if (theme_insert(l->db, l->territory_id, slug, text_at(theme, "name"), &id))
			return -1;
		remember(l, REF_THEME, slug, id);
	}
	return 0;
}

static int write_neighbourhoods(struct loader *l)
{
	size_t i;
	json_t *name;
	json_array_foreach(json_object_get(l->root, "neighbourhoods"), i, name) {
		int64_t id;
		if (neighbourhood_insert(l->db, l->territory_id, json_string_value(name), &id))
			return -1;
		remember(l, REF_NEIGHBOURHOOD, json_string_value(name), id);
	}
	return 0;
}

/* People are accounts without e-mail: they can be shown, not signed in as. */
static int write_people(struct loader *l)
{
	int64_t joined = l->now - (DAYS_AGO_MAX + 30) * (int64_t)DAY;
	size_t i;
	json_t *person;
	json_array_foreach(json_object_get(l->root, "people"), i, person) {
		int64_t id;
		const char *bio = text_at(person, "bio");
		if (db_query_int(l->db, &id,
				 "INSERT INTO users (display_name, bio, created_at) VALUES (?, ?, ?)"
				 " RETURNING id",
				 "tti", text_at(person, "display_name"), bio ? bio : "", joined) ||
		    activity_record_at(l->db, l->territory_id, id, "Create", "user", id, NULL, 0,
				       NULL, joined))
			return error("demo: people[%zu]: cannot write", i);
		const char *role = text_at(person, "role");
		char details[64];
		snprintf(details, sizeof(details), "{\"role\": \"%s\"}", role ? role : "");
		if (role && (db_execv(l->db,
				      "INSERT INTO roles (territory_id, user_id, role, granted_by, granted_at)"
				      " VALUES (?, ?, ?, NULL, ?)",
				      "iiti", l->territory_id, id, role, joined) ||
			     activity_record_at(l->db, l->territory_id, 0, "Add", "role", id, "user", id,
						details, joined)))
			return error("demo: people[%zu]: cannot write its role", i);
		remember(l, REF_PERSON, text_at(person, "key"), id);
	}
	return 0;
}

static int write_organisations(struct loader *l)
{
	size_t i;
	json_t *org;
	json_array_foreach(json_object_get(l->root, "organisations"), i, org) {
		struct organisation_new o = {
			.slug = text_at(org, "slug"),
			.name = text_at(org, "name"),
			.kind = text_at(org, "kind"),
			.summary = text_at(org, "summary"),
			.description = text_at(org, "description"),
			.website = text_at(org, "website"),
			.partner = json_is_true(json_object_get(org, "partner")),
			.accredited = json_is_true(json_object_get(org, "accredited")),
			.created_at = l->now - (DAYS_AGO_MAX + 30) * (int64_t)DAY,
		};
		int64_t id;
		if (organisation_insert(l->db, l->territory_id, &o, &id))
			return error("demo: organisations[%zu]: cannot write", i);
		remember(l, REF_ORGANISATION, text_at(org, "key"), id);
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(org, "members"), k, m)
			if (db_execv(l->db,
				     "INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)"
				     " VALUES (?, ?, ?, ?)",
				     "iiti", id,
				     (int64_t)json_integer_value(json_object_get(l->maps[REF_PERSON],
										  json_string_value(m))),
				     k ? "member" : "owner", o.created_at))
				return error("demo: organisations[%zu].members[%zu]: cannot write", i, k);
	}
	return 0;
}

/* An item of a dated section, with the time it is given. */
struct dated {
	json_t *item;
	size_t index;
	int64_t at;
};

static int dated_cmp(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The items of a section, oldest first; free() the result. */
static struct dated *by_date(struct loader *l, json_t *items, size_t *n)
{
	*n = json_array_size(items);
	struct dated *d = xcalloc(*n ? *n : 1, sizeof(*d));
	for (size_t i = 0; i < *n; i++) {
		d[i].item = json_array_get(items, i);
		d[i].index = i;
		d[i].at = l->now - int_at(d[i].item, "days_ago") * DAY -
			  (int64_t)((i * JITTER_STEP) % JITTER_SPAN) - 60;
	}
	qsort(d, *n, sizeof(*d), dated_cmp);
	return d;
}

static int write_need(struct loader *l, const struct dated *d)
{
	json_t *item = d->item;
	json_t *lat = json_object_get(item, "lat"), *lng = json_object_get(item, "lng");
	struct need_new n = {
		.author_id = id_at(l, REF_PERSON, item, "author"),
		.title = text_at(item, "title"),
		.body = text_at(item, "body"),
		.theme_id = id_at(l, REF_THEME, item, "theme"),
		.neighbourhood_id = id_at(l, REF_NEIGHBOURHOOD, item, "neighbourhood"),
		.has_location = json_is_number(lat) && json_is_number(lng),
		.lat = json_number_value(lat),
		.lng = json_number_value(lng),
		.metoo_count = 0, /* the rows, written later, set it */
		.created_at = d->at,
	};
	int64_t id;
	if (need_insert(l->db, l->territory_id, &n, &id))
		return error("demo: needs[%zu]: cannot write", d->index);
	remember(l, REF_NEED, text_at(item, "key"), id);
	return 0;
}

static int write_initiative(struct loader *l, const struct dated *d)
{
	json_t *item = d->item, *needs = json_object_get(item, "needs");
	int64_t need_ids[INITIATIVE_NEEDS_MAX];
	/* With a timeline, it starts as an idea and its moves take it to its stage. */
	int moves = json_array_size(json_object_get(item, "moves")) > 0;
	size_t i, n_needs = 0;
	json_t *key;
	json_array_foreach(needs, i, key)
		need_ids[n_needs++] = json_integer_value(json_object_get(l->maps[REF_NEED],
									 json_string_value(key)));
	struct initiative_new in = {
		.author_id = id_at(l, REF_PERSON, item, "author"),
		.carrier_org_id = id_at(l, REF_ORGANISATION, item, "carrier"),
		.title = text_at(item, "title"),
		.summary = text_at(item, "summary"),
		.body = text_at(item, "body"),
		.stage = moves ? "idea" : text_at(item, "stage"),
		.outcome_kind = moves ? NULL : text_at(item, "outcome"),
		.theme_id = id_at(l, REF_THEME, item, "theme"),
		.neighbourhood_id = id_at(l, REF_NEIGHBOURHOOD, item, "neighbourhood"),
		.need_ids = need_ids,
		.n_needs = n_needs,
		.support_count = 0, /* the rows, written later, set it */
		.created_at = d->at,
	};
	int64_t id;
	if (initiative_insert(l->db, l->territory_id, &in, &id))
		return error("demo: initiatives[%zu]: cannot write", d->index);
	remember(l, REF_INITIATIVE, text_at(item, "key"), id);
	return 0;
}

/* Write a dated section oldest first, so ids grow with dates. */
static int write_dated(struct loader *l, const char *section,
		       int (*write)(struct loader *, const struct dated *))
{
	size_t n;
	struct dated *d = by_date(l, json_object_get(l->root, section), &n);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = write(l, &d[i]);
	free(d);
	return rc;
}


/* The first member of organisation org (of the file), who acts for it; 0 if none. */
static int64_t first_member(struct loader *l, json_t *org)
{
	const char *key = json_string_value(json_array_get(json_object_get(org, "members"), 0));
	return key ? (int64_t)json_integer_value(json_object_get(l->maps[REF_PERSON], key)) : 0;
}

/* One partner's offer, with its stages, themes and "Create" activity by the partner's first member. */
static int write_offer(struct loader *l, const struct dated *dd)
{
	json_t *o = dd->item;
	size_t i = dd->index;
	{
		int64_t org = id_at(l, REF_ORGANISATION, o, "partner"), id;
		int64_t actor = first_member(l, organisation_item(l, o, "partner"));
		int64_t at = dd->at;
		int64_t closes = json_object_get(o, "closes_in_days") ?
					 l->now + int_at(o, "closes_in_days") * DAY : 0;
		json_t *active = json_object_get(o, "active");
		int on = !active || json_is_true(active);
		if (db_query_int(l->db, &id,
				 "INSERT INTO offers (territory_id, organisation_id, kind, title, description,"
				 " conditions, amount_max_eur, capacity, closes_at, active, created_by,"
				 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?,"
				 " NULLIF(CAST(? AS BIGINT), 0), ?, NULLIF(CAST(? AS BIGINT), 0), ?,"
				 " NULLIF(CAST(? AS BIGINT), 0), ?, ?) RETURNING id",
				 "iitttt" "iti" "iiii", l->territory_id, org, text_at(o, "kind"),
				 text_at(o, "title"), text_or(o, "description"), text_or(o, "conditions"),
				 int_at(o, "amount_max_eur"), text_or(o, "capacity"), closes, (int64_t)on,
				 actor, at, at))
			return error("demo: offers[%zu]: cannot write", i);
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(o, "stages"), k, v)
			if (db_execv(l->db, "INSERT INTO offer_stages (offer_id, stage) VALUES (?, ?)", "it",
				     id, json_string_value(v)))
				return error("demo: offers[%zu]: cannot write its stages", i);
		json_array_foreach(json_object_get(o, "themes"), k, v)
			if (db_execv(l->db, "INSERT INTO offer_themes (offer_id, theme_id) VALUES (?, ?)",
				     "ii", id,
				     (int64_t)json_integer_value(json_object_get(l->maps[REF_THEME],
										  json_string_value(v)))))
				return error("demo: offers[%zu]: cannot write its themes", i);
		json_t *d = json_pack("{s:s, s:s, s:b}", "kind", text_at(o, "kind"), "title",
				      text_at(o, "title"), "active", on);
		char *text = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		int rc = activity_record_at(l->db, l->territory_id, actor, "Create", "offer", id,
					    "organisation", org, text, at);
		free(text);
		if (rc)
			return error("demo: offers[%zu]: cannot write its activity", i);
		remember(l, REF_OFFER, text_at(o, "key"), id);
	}
	return 0;
}

/*
 * The time of something said to be days_ago, after `after` (what it
 * follows: the initiative, the parent comment, the previous move) and
 * before now, so that a thread or a timeline always reads in order.
 */
static int64_t later(struct loader *l, int64_t days_ago, int64_t after)
{
	int64_t at = l->now - days_ago * DAY - (int64_t)((l->salt++ * JITTER_STEP) % JITTER_SPAN) - 60;
	if (at <= after)
		at = after + 600;
	if (at >= l->now)
		at = after + (l->now - after) / 2;
	return at;
}

/* A fixed step after `after`, before now. */
static int64_t soon_after(struct loader *l, int64_t after, int64_t step)
{
	return after + step < l->now ? after + step : after + (l->now - after) / 2;
}

/* The signals with a counter, as the demo writes them: rows first, then the counter from the rows. */
struct demo_signal {
	const char *object_type;
	const char *insert_sql; /* (territory_id, object_id, user_id, created_at) */
	const char *count_sql; /* (object_id, object_id) */
};

static const struct demo_signal metoo_signal = {
	"need",
	"INSERT INTO need_metoos (territory_id, need_id, user_id, created_at) VALUES (?, ?, ?, ?)",
	"UPDATE needs SET metoo_count = (SELECT COUNT(*) FROM need_metoos WHERE need_id = ?)"
	" WHERE id = ?",
};

static const struct demo_signal support_signal = {
	"initiative",
	"INSERT INTO supports (territory_id, initiative_id, user_id, created_at) VALUES (?, ?, ?, ?)",
	"UPDATE initiatives SET support_count = (SELECT COUNT(*) FROM supports"
	" WHERE initiative_id = ?) WHERE id = ?",
};

/*
 * n people of the file other than the author give the signal, each with its
 * "Like" activity, spread between the object's creation and now; then the
 * counter is set from the rows, so the two always agree.
 */
static int write_signals(struct loader *l, const struct demo_signal *s, int64_t object_id,
			 int64_t author, int64_t n, int64_t created)
{
	json_t *people = json_object_get(l->root, "people");
	size_t np = json_array_size(people), start = np ? (size_t)(object_id * 5) % np : 0;
	int64_t given = 0;
	for (size_t k = 0; given < n && k < np; k++) {
		int64_t uid = id_at(l, REF_PERSON, json_array_get(people, (start + k) % np), "key");
		if (uid == author)
			continue;
		int64_t at = created + (l->now - created) * (given + 1) / (n + 2);
		if (db_execv(l->db, s->insert_sql, "iiii", l->territory_id, object_id, uid, at) ||
		    activity_record_at(l->db, l->territory_id, uid, "Like", s->object_type, object_id,
				       NULL, 0, NULL, at))
			return -1;
		given++;
	}
	return db_execv(l->db, s->count_sql, "ii", object_id, object_id);
}

/* A list of comments and, under each, its replies: comment_insert() keeps the object's count. */
static int write_comments(struct loader *l, const char *type, int64_t object_id, json_t *list,
			  int64_t parent_id, int64_t after)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		struct comment_new cn = {
			.territory_id = l->territory_id,
			.object_type = type,
			.object_id = object_id,
			.parent_id = parent_id,
			.author_id = id_at(l, REF_PERSON, c, "author"),
			.body = text_at(c, "body"),
			.created_at = later(l, int_at(c, "days_ago"), after),
		};
		int64_t id;
		int rc = comment_insert(l->db, &cn, &id);
		if (rc)
			return rc < 0 ? -1 : error("demo: a comment on %s %lld was refused (%d)", type,
						   (long long)object_id, rc);
		if (write_comments(l, type, object_id, json_object_get(c, "replies"), id,
				   cn.created_at))
			return -1;
	}
	return 0;
}

static int write_need_extras(struct loader *l, const struct dated *d)
{
	int64_t id = id_at(l, REF_NEED, d->item, "key");
	if (write_signals(l, &metoo_signal, id, id_at(l, REF_PERSON, d->item, "author"),
			  int_at(d->item, "metoo"), d->at) ||
	    write_comments(l, "need", id, json_object_get(d->item, "comments"), 0, d->at))
		return error("demo: needs[%zu]: cannot write its signals or comments", d->index);
	return 0;
}

/* What one initiative is being written with. */
struct demo_initiative {
	json_t *item;
	int64_t id, author, created;
	int64_t last; /* the time of its latest change */
	int64_t need_ids[PROJECT_NEEDS_MAX]; /* its project needs, in the file's order */
};

/* Co-authors invited by the author soon after posting, each having accepted. */
static int write_coauthors(struct loader *l, struct demo_initiative *in)
{
	size_t i;
	json_t *key;
	json_array_foreach(json_object_get(in->item, "coauthors"), i, key) {
		int64_t uid = json_integer_value(json_object_get(l->maps[REF_PERSON],
								 json_string_value(key)));
		int64_t invited = soon_after(l, in->created, (int64_t)(i + 1) * 3600);
		int64_t joined = soon_after(l, invited, 5 * 3600), cid;
		char details[64];
		snprintf(details, sizeof(details), "{\"user_id\": %lld}", (long long)uid);
		if (db_query_int(l->db, &cid,
				 "INSERT INTO coauthors (territory_id, initiative_id, user_id, invited_by,"
				 " state, created_at, answered_at) VALUES (?, ?, ?, ?, 'accepted', ?, ?)"
				 " RETURNING id",
				 "iiiiii", l->territory_id, in->id, uid, in->author, invited, joined) ||
		    activity_record_at(l->db, l->territory_id, in->author, "Invite", "coauthor", cid,
				       "initiative", in->id, details, invited) ||
		    activity_record_at(l->db, l->territory_id, uid, "Join", "coauthor", cid,
				       "initiative", in->id, NULL, joined))
			return -1;
	}
	return 0;
}

/*
 * The changes of the text, oldest first, through version_apply() (version 1
 * is the text at creation); a "suggested" change is a suggestion made a few
 * hours before and accepted by the author, the version crediting its author.
 */
static int write_changes(struct loader *l, struct demo_initiative *in)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(in->item, "changes"), i, c) {
		int64_t who = id_at(l, REF_PERSON, c, "author"), sid = 0, v = 0;
		int64_t made = later(l, int_at(c, "days_ago"), in->last);
		int64_t at = soon_after(l, made, 3 * 3600);
		struct version_change vc = {
			.title = text_at(c, "title"),
			.summary = text_at(c, "summary"),
			.body = text_at(c, "body"),
			.note = text_or(c, "note"),
			.author_id = who,
		};
		if (json_is_true(json_object_get(c, "suggested"))) {
			if (db_query_int(l->db, &sid,
					 "INSERT INTO suggestions (territory_id, initiative_id, author_id,"
					 " title, body, reason, base_title, base_body, state, answered_by,"
					 " answered_at, created_at) SELECT territory_id, id,"
					 " CAST(? AS BIGINT), ?, ?, ?, title, body, 'accepted',"
					 " CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)"
					 " FROM initiatives WHERE id = ? RETURNING id",
					 "ittti" "iii", who, vc.title, vc.body, vc.note, in->author, at, made,
					 in->id) ||
			    activity_record_at(l->db, l->territory_id, who, "Create", "suggestion", sid,
					       "initiative", in->id, NULL, made) ||
			    activity_record_at(l->db, l->territory_id, in->author, "Accept",
					       "suggestion", sid, "initiative", in->id, NULL, at))
				return -1;
			vc.suggestion_id = sid;
		}
		int rc = version_apply(l->db, l->territory_id, in->id, &vc, &v);
		if (rc != VERSION_CHANGED)
			return rc < 0 ? -1 : error("demo: change %zu of initiative %lld changes nothing",
						   i, (long long)in->id);
		char details[96];
		snprintf(details, sizeof(details), sid ? "{\"version\": %lld, \"suggestion\": %lld}" :
							 "{\"version\": %lld}",
			 (long long)v, (long long)sid);
		if (db_execv(l->db,
			     "UPDATE initiative_versions SET created_at = ? WHERE initiative_id = ?"
			     " AND version = ?",
			     "iii", at, in->id, v) ||
		    activity_record_at(l->db, l->territory_id, sid ? in->author : who, "Update",
				       "initiative", in->id, NULL, 0, details, at))
			return -1;
		in->last = at;
	}
	return 0;
}

/* Suggestions still waiting for the authors, against the text as it now is. */
static int write_open_suggestions(struct loader *l, struct demo_initiative *in)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(in->item, "suggestions"), i, s) {
		int64_t who = id_at(l, REF_PERSON, s, "author"), sid;
		int64_t at = later(l, int_at(s, "days_ago"), in->last);
		if (db_query_int(l->db, &sid,
				 "INSERT INTO suggestions (territory_id, initiative_id, author_id, title,"
				 " body, reason, base_title, base_body, state, created_at)"
				 " SELECT territory_id, id, CAST(? AS BIGINT), ?, ?, ?, title, body, 'open',"
				 " CAST(? AS BIGINT) FROM initiatives WHERE id = ? RETURNING id",
				 "itttii", who, text_at(s, "title"), text_at(s, "body"), text_or(s, "reason"),
				 at, in->id) ||
		    activity_record_at(l->db, l->territory_id, who, "Create", "suggestion", sid,
				       "initiative", in->id, NULL, at))
			return -1;
	}
	return 0;
}

/* "YYYY-MM-DD" of t in Paris (near enough: UTC + 1 hour). */
static void paris_date(int64_t t, char out[32])
{
	time_t tt = (time_t)(t + 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Its outcome, recorded by actor at `at`: an event days ahead or ago, an enterprise, a service. */
static int write_outcome(struct loader *l, struct demo_initiative *in, int64_t actor, int64_t at)
{
	json_t *o = json_object_get(in->item, "outcome_detail");
	if (!o)
		return 0;
	char founded[32] = "";
	struct outcome_new on = {
		.kind = text_at(in->item, "outcome"),
		.legal_form = text_or(o, "legal_form"),
		.founded_on = founded,
		.place = text_or(o, "place"),
		.description = text_or(o, "description"),
		.impact = text_or(o, "impact"),
	};
	if (!strcmp(on.kind, "enterprise"))
		paris_date(json_object_get(o, "founded_days_ago") ?
				   l->now - int_at(o, "founded_days_ago") * DAY : at,
			   founded);
	if (!strcmp(on.kind, "event")) {
		int64_t day = json_object_get(o, "starts_in_days") ?
				      l->now + int_at(o, "starts_in_days") * DAY :
				      l->now - int_at(o, "starts_days_ago") * DAY;
		time_t tt = (time_t)day;
		struct tm tm;
		gmtime_r(&tt, &tm);
		int hour = json_object_get(o, "start_hour") ? (int)int_at(o, "start_hour") : 10;
		on.starts_at = outcome_paris_to_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hour, 0);
		on.ends_at = int_at(o, "duration_hours") ? on.starts_at + int_at(o, "duration_hours") * 3600 : 0;
	}
	if (outcome_save(l->db, l->territory_id, in->id, actor, &on))
		return -1;
	return db_execv(l->db, "UPDATE outcomes SET created_at = ?, updated_at = ? WHERE initiative_id = ?",
			"iii", at, at, in->id);
}

/*
 * The timeline: from "idea", each move as journey_move() writes it (stage,
 * note, carrier, merge target, outcome, and the "Move" activity), dated.
 */
static int write_moves(struct loader *l, struct demo_initiative *in)
{
	const char *from = "idea";
	size_t i;
	json_t *m;
	int64_t org = id_at(l, REF_ORGANISATION, in->item, "carrier");
	json_array_foreach(json_object_get(in->item, "moves"), i, m) {
		const char *to = text_at(m, "to"), *note = text_or(m, "note");
		int64_t by = id_at(l, REF_PERSON, m, "by");
		int64_t at = later(l, int_at(m, "days_ago"), in->last);
		int is_project = !strcmp(to, "project"), is_merged = !strcmp(to, "merged");
		int64_t merged = is_merged ? id_at(l, REF_INITIATIVE, in->item, "merged_into") : 0;
		if (db_execv(l->db,
			     "UPDATE initiatives SET stage = ?, stage_note = ?, updated_at = ?,"
			     " merged_into_id = NULLIF(CAST(? AS BIGINT), 0),"
			     " carrier_user_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN author_id"
			     " ELSE carrier_user_id END WHERE id = ?",
			     "ttiiii", to, note, at, merged, (int64_t)is_project, in->id))
			return -1;
		/* The carrier of an organisation's project is one of its members. */
		if (is_project && org &&
		    db_execv(l->db,
			     "INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)"
			     " VALUES (?, ?, 'owner', ?) ON CONFLICT DO NOTHING",
			     "iii", org, in->author, in->created))
			return -1;
		json_t *d = json_pack("{s:s, s:s, s:s}", "from", from, "to", to, "note", note);
		if (is_merged)
			json_object_set_new(d, "merged_into", json_integer(merged));
		if (is_project) {
			json_object_set_new(d, "carrier_user", json_integer(in->author));
			if (org)
				json_object_set_new(d, "carrier_org", json_integer(org));
		}
		if (!strcmp(to, "realised")) {
			json_object_set_new(d, "outcome", json_string(text_at(in->item, "outcome")));
			if (write_outcome(l, in, by, at)) {
				json_decref(d);
				return -1;
			}
		}
		char *text = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		int rc = activity_record_at(l->db, l->territory_id, by, "Move", "initiative", in->id,
					    is_merged ? "initiative" : NULL, merged, text, at);
		free(text);
		if (rc)
			return -1;
		from = to;
		in->last = at;
	}
	/* Realised without a timeline: its outcome is recorded by its author. */
	if (!json_array_size(json_object_get(in->item, "moves")))
		return write_outcome(l, in, in->author, in->created);
	return 0;
}

/* The skills it seeks, then the team: offers, accepted or waiting for the author's answer. */
static int write_team(struct loader *l, struct demo_initiative *in)
{
	json_t *skills = NULL;
	skills_sought(in->item, &skills);
	if (json_array_size(skills)) {
		size_t i;
		json_t *v;
		int rc = 0;
		json_array_foreach(skills, i, v)
			if (!rc)
				rc = db_execv(l->db,
					      "INSERT INTO initiative_skills (territory_id, initiative_id, skill)"
					      " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
					      "iit", l->territory_id, in->id, json_string_value(v));
		json_t *d = json_pack("{s:O}", "skills_sought", skills);
		char *text = json_dumps(d, JSON_COMPACT);
		if (!rc)
			rc = activity_record_at(l->db, l->territory_id, in->author, "Update",
						"initiative", in->id, NULL, 0, text,
						soon_after(l, in->last, 3600));
		free(text);
		json_decref(d);
		if (rc) {
			json_decref(skills);
			return -1;
		}
	}
	json_decref(skills);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(in->item, "team"), i, t) {
		int64_t uid = id_at(l, REF_PERSON, t, "person"), mid;
		int accepted = !strcmp(text_at(t, "state"), "accepted");
		int64_t at = later(l, int_at(t, "days_ago"), in->created);
		int64_t decided = soon_after(l, at, DAY);
		if (db_query_int(l->db, &mid,
				 "INSERT INTO team_members (territory_id, initiative_id, user_id, skills,"
				 " message, state, decided_by, created_at, decided_at)"
				 " VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?,"
				 " NULLIF(CAST(? AS BIGINT), 0)) RETURNING id",
				 "iiittti" "ii", l->territory_id, in->id, uid, text_or(t, "skills"),
				 text_or(t, "message"), accepted ? "accepted" : "offered",
				 accepted ? in->author : 0, at, accepted ? decided : 0) ||
		    activity_record_at(l->db, l->territory_id, uid, "Join", "team_member", mid,
				       "initiative", in->id, NULL, at) ||
		    (accepted && activity_record_at(l->db, l->territory_id, in->author, "Accept",
						    "team_member", mid, "initiative", in->id, NULL,
						    decided)))
			return -1;
	}
	return 0;
}

/* What the project needs, stated by its author after it became a project. */
static int write_project_needs(struct loader *l, struct demo_initiative *in)
{
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(in->item, "project_needs"), i, n) {
		const char *kind = text_at(n, "kind"), *state = text_at(n, "state");
		int64_t at = soon_after(l, in->last, (int64_t)(i + 2) * 3600), nid;
		char details[96];
		if (!state)
			state = "open";
		snprintf(details, sizeof(details), "{\"kind\": \"%s\", \"state\": \"%s\"}", kind, state);
		if (db_query_int(l->db, &nid,
				 "INSERT INTO project_needs (territory_id, initiative_id, kind, description,"
				 " amount_eur, surface_m2, duration_months, state, created_at, updated_at)"
				 " VALUES (?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
				 " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)"
				 " RETURNING id",
				 "iitt" "iiit" "ii", l->territory_id, in->id, kind, text_or(n, "description"),
				 int_at(n, "amount_eur"), int_at(n, "surface_m2"),
				 int_at(n, "duration_months"), state, at, at) ||
		    activity_record_at(l->db, l->territory_id, in->author, "Add", "project_need", nid,
				       "initiative", in->id, details, at))
			return -1;
		if (i < PROJECT_NEEDS_MAX)
			in->need_ids[i] = nid;
	}
	return 0;
}

/* One move of a support request as support_request.c records it: the activity on the initiative. */
static int support_activity(struct loader *l, struct demo_initiative *in, int64_t actor,
			    const char *verb, int64_t rid, int64_t offer, int64_t org,
			    const char *state, int64_t need, int64_t at)
{
	json_t *d = json_pack("{s:I, s:I, s:I, s:s}", "request", (json_int_t)rid, "offer",
			      (json_int_t)offer, "partner", (json_int_t)org, "state", state);
	if (need)
		json_object_set_new(d, "need", json_integer(need));
	char *text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	int rc = activity_record_at(l->db, l->territory_id, actor, verb, "initiative", in->id,
				    "support_request", rid, text, at);
	free(text);
	return rc;
}

/*
 * The support requests, each written as its moves would have been: asked
 * (Offer), answered (Accept or Reject), completed (Update, the need it was
 * for marked met), every step dated in the past.
 */
static int write_support_requests(struct loader *l, struct demo_initiative *in)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(in->item, "support_requests"), i, r) {
		const char *state = text_at(r, "state");
		int64_t offer = id_at(l, REF_OFFER, r, "offer"), org = 0, rid;
		int64_t by = id_at(l, REF_PERSON, r, "by");
		int64_t answerer = id_at(l, REF_PERSON, r, "answered_by");
		json_t *ni = json_object_get(r, "need");
		int64_t need = ni ? in->need_ids[json_integer_value(ni)] : 0;
		int64_t asked = later(l, int_at(r, "days_ago"), in->last);
		int64_t answered = answerer ? later(l, int_at(r, "answered_days_ago"), asked) : 0;
		int64_t done = !strcmp(state, "completed") ?
				       later(l, int_at(r, "completed_days_ago"), answered) : 0;
		int64_t updated = done ? done : answered ? answered : asked;
		if (db_query_int(l->db, &org, "SELECT organisation_id FROM offers WHERE id = ?", "i",
				 offer) ||
		    db_query_int(l->db, &rid,
				 "INSERT INTO support_requests (territory_id, offer_id, initiative_id,"
				 " project_need_id, requester_id, state, message, answer, given_amount_eur,"
				 " given_hours, given_text, created_at, updated_at, answered_at, completed_at)"
				 " VALUES (?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?,"
				 " CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?,"
				 " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0)) RETURNING id",
				 "iiiiittt" "nnt" "iiii", l->territory_id, offer, in->id, need, by, state,
				 text_at(r, "message"), text_or(r, "answer"), text_or(r, "given_text"),
				 asked, updated, answered, done) ||
		    (json_object_get(r, "given_amount_eur") &&
		     db_execv(l->db, "UPDATE support_requests SET given_amount_eur = ? WHERE id = ?",
			      "ii", int_at(r, "given_amount_eur"), rid)) ||
		    (json_object_get(r, "given_hours") &&
		     db_execv(l->db, "UPDATE support_requests SET given_hours = ? WHERE id = ?", "ii",
			      int_at(r, "given_hours"), rid)) ||
		    support_activity(l, in, by, "Offer", rid, offer, org, "pending", need, asked))
			return -1;
		if (answered &&
		    support_activity(l, in, answerer, strcmp(state, "declined") ? "Accept" : "Reject",
				     rid, offer, org, strcmp(state, "declined") ? "accepted" : "declined",
				     need, answered))
			return -1;
		if (done && (support_activity(l, in, answerer, "Update", rid, offer, org, "completed",
					      need, done) ||
			     (need && db_execv(l->db,
					       "UPDATE project_needs SET state = 'met', updated_at = ?"
					       " WHERE id = ?",
					       "ii", done, need))))
			return -1;
		in->last = updated;
	}
	return 0;
}

/* The funding goal and the crowdfunding campaign, set by the author, as funding.c records them. */
static int write_funding(struct loader *l, struct demo_initiative *in)
{
	json_t *c = json_object_get(in->item, "crowdfunding");
	int64_t goal = int_at(in->item, "funding_goal_eur");
	int64_t at = c ? later(l, int_at(c, "days_ago"), in->created) : soon_after(l, in->last, 3600);
	if (goal && (db_execv(l->db, "UPDATE initiatives SET funding_goal_eur = ? WHERE id = ?", "ii",
			      goal, in->id) ||
		     activity_record_at(l->db, l->territory_id, in->author, "Update", "initiative",
					in->id, NULL, 0, "{\"funding\":\"goal\"}", at)))
		return -1;
	if (!c)
		return 0;
	int64_t ends = json_object_get(c, "ends_in_days") ? l->now + int_at(c, "ends_in_days") * DAY : 0;
	int64_t set = soon_after(l, at, 1800);
	if (db_execv(l->db,
		     "INSERT INTO crowdfunding_campaigns (territory_id, initiative_id, platform, url,"
		     " goal_eur, raised_eur, ends_at, updated_by, updated_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?)",
		     "iittiiiii", l->territory_id, in->id, text_at(c, "platform"), text_at(c, "url"),
		     int_at(c, "goal_eur"), int_at(c, "raised_eur"), ends, in->author, set) ||
	    activity_record_at(l->db, l->territory_id, in->author, "Update", "initiative", in->id,
			       NULL, 0, "{\"funding\":\"campaign\"}", set))
		return -1;
	return 0;
}

/* Everything an initiative lived after its creation, in the order it happened. */
static int write_initiative_extras(struct loader *l, const struct dated *d)
{
	struct demo_initiative in = {
		.item = d->item,
		.id = id_at(l, REF_INITIATIVE, d->item, "key"),
		.author = id_at(l, REF_PERSON, d->item, "author"),
		.created = d->at,
		.last = d->at,
	};
	if (write_coauthors(l, &in) || write_changes(l, &in) || write_open_suggestions(l, &in) ||
	    write_moves(l, &in) || write_team(l, &in) || write_project_needs(l, &in) ||
	    write_support_requests(l, &in) || write_funding(l, &in) ||
	    write_signals(l, &support_signal, in.id, in.author, int_at(d->item, "supports"),
			  d->at) ||
	    write_comments(l, "initiative", in.id, json_object_get(d->item, "comments"), 0, d->at) ||
	    db_execv(l->db, "UPDATE initiatives SET updated_at = ? WHERE id = ?", "ii", in.last, in.id))
		return error("demo: initiatives[%zu]: cannot write its history, team or signals",
			     d->index);
	return 0;
}

/* Needs and initiatives first (ids grow with dates), then what happened to them. */
static int write_all(struct loader *l)
{
	if (write_territory(l) || write_themes(l) || write_neighbourhoods(l) ||
	    write_people(l) || write_organisations(l) ||
	    write_dated(l, "offers", write_offer) || write_dated(l, "needs", write_need) ||
	    write_dated(l, "initiatives", write_initiative) ||
	    write_dated(l, "needs", write_need_extras) ||
	    write_dated(l, "initiatives", write_initiative_extras))
		return -1;
	return 0;
}

int demo_is_loaded(struct db *db, const char *slug)
{
	int64_t id;
	int rc = db_query_int(db, &id, "SELECT id FROM territories WHERE slug = ?", "t", slug);
	return rc < 0 ? -1 : rc == 0;
}

/* Check the file, then write it all in one transaction, or nothing. */
static int load(struct loader *l)
{
	if (check_file(l) || check_rules(l))
		return -1;
	const char *slug = text_at(json_object_get(l->root, "territory"), "slug");
	int loaded = demo_is_loaded(l->db, slug);
	if (loaded)
		return loaded < 0 ? -1 : error("demo: a territory called \"%s\" already exists", slug);
	if (db_begin(l->db))
		return -1;
	if (write_all(l) || db_commit(l->db)) {
		db_rollback(l->db);
		return error("demo: nothing was written");
	}
	return 0;
}

int demo_load_json(struct db *db, const char *text, size_t len)
{
	json_error_t jerr;
	struct loader l = { .db = db, .now = (int64_t)time(NULL) };
	l.root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!l.root)
		return error("demo: line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	for (size_t i = 0; i < REF_COUNT; i++)
		l.maps[i] = json_object();
	l.animators = json_object();
	int rc = load(&l);
	for (size_t i = 0; i < REF_COUNT; i++)
		json_decref(l.maps[i]);
	json_decref(l.animators);
	json_decref(l.root);
	return rc;
}

int demo_load(struct db *db, const char *name)
{
	struct buf file = BUF_INIT;
	int rc = -1;
	if (!*name || strlen(name) > DEMO_NAME_MAX || !slug_chars(name)) {
		error("demo: bad demo name \"%.64s\"", name);
		goto out;
	}
	buf_addf(&file, "%s.json", name);
	for (const struct embedded_file *f = embedded_demo; f->name; f++)
		if (!strcmp(f->name, file.ptr)) {
			rc = demo_load_json(db, f->data, f->len);
			goto out;
		}
	error("demo: no demo called \"%s\" (db/demo/%s is not in this build)", name, file.ptr);
out:
	buf_release(&file);
	return rc;
}
