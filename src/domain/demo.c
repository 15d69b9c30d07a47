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
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/neighbourhood.h"
#include "domain/organisation.h"
#include "domain/territory.h"
#include "domain/theme.h"
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
	REF_COUNT
};

static const char *const ref_names[REF_COUNT] = {
	"", "a person's key", "an organisation's key", "an organisation's slug",
	"a theme's slug", "a neighbourhood", "a need's key", "an initiative's key",
};

struct field {
	const char *key;
	enum value_type type;
	int required;
	size_t max; /* bytes of a string, largest integer, items of an array */
	enum ref defines; /* the value is a new name in this map, unique */
	enum ref names; /* the value must be a name of this map */
	const char *(*vocabulary)(const char *); /* non-NULL if only some words may be used */
	const char *words; /* those words, for the error message */
};

static const char *stage_known(const char *code)
{
	return initiative_stage_find(code) ? code : NULL;
}

static const struct field territory_fields[] = {
	{ "slug", V_SLUG, 1, 64, REF_NONE, REF_NONE, NULL, NULL },
	{ "name", V_STRING, 1, 200, REF_NONE, REF_NONE, NULL, NULL },
	{ "tagline", V_TEXT, 0, 300, REF_NONE, REF_NONE, NULL, NULL },
	{ "welcome", V_TEXT, 0, 20000, REF_NONE, REF_NONE, NULL, NULL },
	{ "hosts", V_HOSTS, 0, HOSTS_MAX, REF_NONE, REF_NONE, NULL, NULL },
};

static const struct field theme_fields[] = {
	{ "slug", V_SLUG, 1, THEME_SLUG_MAX, REF_THEME, REF_NONE, NULL, NULL },
	{ "name", V_STRING, 1, THEME_NAME_MAX, REF_NONE, REF_NONE, NULL, NULL },
};

/* A neighbourhood is a bare string: one field without a key. */
static const struct field neighbourhood_field = {
	"", V_STRING, 1, NEIGHBOURHOOD_NAME_MAX, REF_NEIGHBOURHOOD, REF_NONE, NULL, NULL
};

static const struct field person_fields[] = {
	{ "key", V_STRING, 1, 64, REF_PERSON, REF_NONE, NULL, NULL },
	{ "display_name", V_STRING, 1, 100, REF_NONE, REF_NONE, NULL, NULL },
	{ "bio", V_TEXT, 0, 2000, REF_NONE, REF_NONE, NULL, NULL },
};

static const struct field organisation_fields[] = {
	{ "key", V_STRING, 1, 64, REF_ORGANISATION, REF_NONE, NULL, NULL },
	{ "slug", V_SLUG, 1, ORGANISATION_SLUG_MAX, REF_ORGANISATION_SLUG, REF_NONE, NULL, NULL },
	{ "name", V_STRING, 1, ORGANISATION_NAME_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "kind", V_STRING, 1, 32, REF_NONE, REF_NONE, organisation_kind_label,
	  "association, social_enterprise, company, public_body, partner" },
	{ "summary", V_TEXT, 0, ORGANISATION_SUMMARY_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "description", V_TEXT, 0, ORGANISATION_DESCRIPTION_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "website", V_TEXT, 0, ORGANISATION_WEBSITE_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "partner", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL },
	{ "accredited", V_BOOL, 0, 0, REF_NONE, REF_NONE, NULL, NULL },
};

static const struct field need_fields[] = {
	{ "key", V_STRING, 1, 64, REF_NEED, REF_NONE, NULL, NULL },
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL },
	{ "title", V_STRING, 1, NEED_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "body", V_TEXT, 0, NEED_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "theme", V_NAME, 0, THEME_SLUG_MAX, REF_NONE, REF_THEME, NULL, NULL },
	{ "neighbourhood", V_NAME, 0, NEIGHBOURHOOD_NAME_MAX, REF_NONE, REF_NEIGHBOURHOOD, NULL, NULL },
	{ "lat", V_COORD, 0, 0, REF_NONE, REF_NONE, NULL, NULL },
	{ "lng", V_COORD, 0, 0, REF_NONE, REF_NONE, NULL, NULL },
	{ "metoo", V_INT, 0, COUNT_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL },
};

static const struct field initiative_fields[] = {
	{ "key", V_STRING, 1, 64, REF_INITIATIVE, REF_NONE, NULL, NULL },
	{ "author", V_NAME, 1, 64, REF_NONE, REF_PERSON, NULL, NULL },
	{ "carrier", V_NAME, 0, 64, REF_NONE, REF_ORGANISATION, NULL, NULL },
	{ "title", V_STRING, 1, INITIATIVE_TITLE_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "summary", V_TEXT, 0, INITIATIVE_SUMMARY_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "body", V_TEXT, 0, INITIATIVE_BODY_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "stage", V_STRING, 1, 32, REF_NONE, REF_NONE, stage_known,
	  "idea, improving, project, supported, realised, archived, merged" },
	{ "outcome", V_NAME, 0, 32, REF_NONE, REF_NONE, initiative_outcome_label,
	  "enterprise, event, service or null" },
	{ "theme", V_NAME, 0, THEME_SLUG_MAX, REF_NONE, REF_THEME, NULL, NULL },
	{ "neighbourhood", V_NAME, 0, NEIGHBOURHOOD_NAME_MAX, REF_NONE, REF_NEIGHBOURHOOD, NULL, NULL },
	{ "needs", V_NAMES, 0, INITIATIVE_NEEDS_MAX, REF_NONE, REF_NEED, NULL, NULL },
	{ "supports", V_INT, 0, COUNT_MAX, REF_NONE, REF_NONE, NULL, NULL },
	{ "days_ago", V_INT, 1, DAYS_AGO_MAX, REF_NONE, REF_NONE, NULL, NULL },
};

/* The sections that are arrays of objects, in the order they are checked and written. */
struct section {
	const char *name;
	const struct field *fields;
	size_t n_fields;
};

static const struct section sections[] = {
	{ "themes", theme_fields, ARRAY_SIZE(theme_fields) },
	{ "people", person_fields, ARRAY_SIZE(person_fields) },
	{ "organisations", organisation_fields, ARRAY_SIZE(organisation_fields) },
	{ "needs", need_fields, ARRAY_SIZE(need_fields) },
	{ "initiatives", initiative_fields, ARRAY_SIZE(initiative_fields) },
};

static const char *const top_keys[] = {
	"territory", "themes", "neighbourhoods", "people", "organisations", "needs", "initiatives",
};

struct loader {
	struct db *db;
	json_t *root;
	json_t *maps[REF_COUNT]; /* name → id (0 until written) */
	int64_t territory_id;
	int64_t now;
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
		.metoo_count = int_at(item, "metoo"),
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
		.stage = text_at(item, "stage"),
		.outcome_kind = text_at(item, "outcome"),
		.theme_id = id_at(l, REF_THEME, item, "theme"),
		.neighbourhood_id = id_at(l, REF_NEIGHBOURHOOD, item, "neighbourhood"),
		.need_ids = need_ids,
		.n_needs = n_needs,
		.support_count = int_at(item, "supports"),
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

static int write_all(struct loader *l)
{
	if (write_territory(l) || write_themes(l) || write_neighbourhoods(l) ||
	    write_people(l) || write_organisations(l) || write_dated(l, "needs", write_need) ||
	    write_dated(l, "initiatives", write_initiative))
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
	if (check_file(l))
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
	int rc = load(&l);
	for (size_t i = 0; i < REF_COUNT; i++)
		json_decref(l.maps[i]);
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
