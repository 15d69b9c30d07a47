/*
 * Organisations: the partners page and an organisation's own page, read
 * through the (territory_id, is_partner, name) index, and creation with its
 * activity row. A website is an href on every page, so only http(s) URLs
 * get in.
 */
#include "domain/organisation.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/initiative.h"
#include "domain/row.h"
#include "core/banned.h"

#define LIST_MAX 200
#define CARRIED_MAX 50

static const struct {
	const char *kind;
	const char *label;
} kinds[] = {
	{ "association", "Association" },
	{ "social_enterprise", "Social enterprise" },
	{ "company", "Company" },
	{ "public_body", "Public body" },
	{ "partner", "Support organisation" },
};

const char *organisation_kind_label(const char *kind)
{
	for (size_t i = 0; kind && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].label;
	return NULL;
}

#define ORGANISATION_COLUMNS                                                              \
	"SELECT id, slug, name, kind, summary, website,"                                   \
	" CASE WHEN accredited_at IS NULL THEN 0 ELSE 1 END,"                              \
	" description, is_partner, created_at FROM organisations"

static json_t *organisation_row(struct db_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", row_int(st, 0), "slug",
			 row_string(st, 1), "name", row_string(st, 2), "kind", row_string(st, 3),
			 "summary", row_string(st, 4), "website", row_string(st, 5), "accredited",
			 (int)db_col_int(st, 6));
}

int organisation_list(struct db *db, int64_t territory_id, enum organisation_group group,
		      json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      ORGANISATION_COLUMNS " WHERE territory_id = ? AND is_partner = ?"
							   " ORDER BY name, id LIMIT ?",
				      "iii", territory_id,
				      (int64_t)(group == ORGANISATION_PARTNERS ? 1 : 0),
				      (int64_t)LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, organisation_row(st));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int organisation_find(struct db *db, int64_t territory_id, const char *slug, int64_t *id)
{
	return db_query_int(db, id, "SELECT id FROM organisations WHERE territory_id = ? AND slug = ?",
			    "it", territory_id, slug);
}

int organisation_get_by_slug(struct db *db, int64_t territory_id, const char *slug, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      ORGANISATION_COLUMNS " WHERE territory_id = ? AND slug = ?", "it",
				      territory_id, slug);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *org = organisation_row(st);
	int64_t id = db_col_int(st, 0);
	json_object_set_new(org, "description", row_string(st, 7));
	json_object_set_new(org, "partner", json_boolean(db_col_int(st, 8)));
	json_object_set_new(org, "created_at", row_int(st, 9));
	db_reset(st);
	json_t *carried;
	if (initiative_list_by_carrier(db, territory_id, id, CARRIED_MAX, &carried)) {
		json_decref(org);
		return -1;
	}
	json_object_set(org, "initiatives", json_object_get(carried, "items"));
	json_decref(carried);
	*out = org;
	return 0;
}

/* Characters, not bytes: limits are stated to people in characters. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int text_ok(const char *s, size_t max, int required)
{
	size_t len = utf8_chars(s);
	return len <= max && (!required || len > 0);
}

static int slug_ok(const char *s)
{
	return text_ok(s, ORGANISATION_SLUG_MAX, 1) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

/* Only web addresses: anything else (javascript:, data:) would become a live href. */
static int website_ok(const char *s)
{
	if (!s || !*s)
		return 1;
	if (!text_ok(s, ORGANISATION_WEBSITE_MAX, 1) || strpbrk(s, " \t\r\n\"'<>"))
		return 0;
	return !strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7);
}

static int organisation_check(const struct organisation_new *o)
{
	if (!slug_ok(o->slug))
		return error("organisation: bad slug \"%.64s\"", o->slug ? o->slug : "");
	if (!text_ok(o->name, ORGANISATION_NAME_MAX, 1))
		return error("organisation %s: name empty or too long", o->slug);
	if (!organisation_kind_label(o->kind))
		return error("organisation %s: unknown kind", o->slug);
	if (!text_ok(o->summary, ORGANISATION_SUMMARY_MAX, 0) ||
	    !text_ok(o->description, ORGANISATION_DESCRIPTION_MAX, 0))
		return error("organisation %s: summary or description too long", o->slug);
	if (!website_ok(o->website))
		return error("organisation %s: website is not an http(s) URL", o->slug);
	return 0;
}

int organisation_insert(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id)
{
	if (organisation_check(o))
		return -1;
	int64_t at = o->created_at ? o->created_at : (int64_t)time(NULL);
	if (db_query_int(db, id,
			 "INSERT INTO organisations (territory_id, slug, name, kind, summary,"
			 " description, website, is_partner, accredited_at, created_at)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?) RETURNING id",
			 "ittttttiii", territory_id, o->slug, o->name, o->kind,
			 o->summary ? o->summary : "", o->description ? o->description : "",
			 o->website ? o->website : "", (int64_t)(o->partner ? 1 : 0),
			 (int64_t)(o->accredited ? at : 0), at))
		return error("organisation %s: cannot insert", o->slug);
	json_t *details = json_pack("{s:s, s:s}", "slug", o->slug, "kind", o->kind);
	char *text = json_dumps(details, JSON_COMPACT);
	int rc = activity_record_at(db, territory_id, o->actor_id, "Create", "organisation", *id,
				    NULL, 0, text, at);
	free(text);
	json_decref(details);
	return rc;
}

int organisation_create(struct db *db, int64_t territory_id, const struct organisation_new *o,
			int64_t *id)
{
	if (db_begin(db))
		return -1;
	if (organisation_insert(db, territory_id, o, id) || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* ---- Organisations people run ---- */

static int blank(const char *s)
{
	return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* 1 if s holds a control character (a name or a summary is one line). */
static int has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

json_t *organisation_validate(const struct organisation_new *o)
{
	json_t *errors = json_object();
	if (blank(o->name))
		json_object_set_new(errors, "name", json_string("Please give the organisation's name."));
	else if (!text_ok(o->name, ORGANISATION_NAME_MAX, 1))
		json_object_set_new(errors, "name",
				    json_string("The name is too long (200 characters at most)."));
	else if (has_control(o->name))
		json_object_set_new(errors, "name", json_string("The name must fit on one line."));
	if (!organisation_kind_label(o->kind))
		json_object_set_new(errors, "kind",
				    json_string("Please choose what kind of organisation it is."));
	if (!text_ok(o->summary, ORGANISATION_SUMMARY_MAX, 0))
		json_object_set_new(errors, "summary",
				    json_string("The summary is too long (500 characters at most)."));
	else if (has_control(o->summary))
		json_object_set_new(errors, "summary", json_string("The summary must fit on one line."));
	if (!text_ok(o->description, ORGANISATION_DESCRIPTION_MAX, 0))
		json_object_set_new(errors, "description",
				    json_string("The description is too long (20000 characters at most)."));
	if (!website_ok(o->website))
		json_object_set_new(errors, "website",
				    json_string("The website must be an address beginning with http:// or https://."));
	return errors;
}

/* Latin letters with accents, folded for a slug ("Café" → "cafe"); indexed by code point - 0xC0. */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* The ASCII letters of one UTF-8 character at *p (advanced past it), or NULL: a separator. */
static const char *fold_char(const unsigned char **p, char ascii[2])
{
	const unsigned char *s = *p;
	if (s[0] < 0x80) {
		*p = s + 1;
		if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')) {
			ascii[0] = (char)s[0];
		} else if (s[0] >= 'A' && s[0] <= 'Z') {
			ascii[0] = (char)(s[0] - 'A' + 'a');
		} else {
			return NULL;
		}
		ascii[1] = '\0';
		return ascii;
	}
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	for (size_t i = 1; i < len; i++)
		if (!s[i]) /* cut short: stop at the end */
			len = i;
	*p = s + len;
	if (len != 2)
		return NULL;
	unsigned cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1_fold[cp - 0xC0];
	if (cp == 0x152 || cp == 0x153) /* Œ œ */
		return "oe";
	return NULL;
}

/* Room left for a "-NN" suffix that makes a slug unique. */
/* Room for "-" and a number of up to 7 digits after the base. */
#define SLUG_BASE_MAX (ORGANISATION_SLUG_MAX - 8)
#define SLUG_TRIES 99

/* The slug of a name: lower-case ASCII letters and digits, words joined by '-'. */
static void slug_from_name(const char *name, char out[SLUG_BASE_MAX + 1])
{
	size_t n = 0;
	int sep = 0;
	char ascii[2];
	for (const unsigned char *p = (const unsigned char *)name; *p;) {
		const char *piece = fold_char(&p, ascii);
		if (!piece) {
			sep = n > 0;
			continue;
		}
		size_t plen = strlen(piece);
		if (n + sep + plen > SLUG_BASE_MAX)
			break;
		if (sep)
			out[n++] = '-';
		memcpy(out + n, piece, plen);
		n += plen;
		sep = 0;
	}
	out[n] = '\0';
	/* "new" is the creation form's address, not an organisation. */
	if (!n || !strcmp(out, "new"))
		memcpy(out, "organisation", sizeof("organisation"));
}

/* 0 and slug = base-n (base alone for n = 1) if no organisation of the territory has it, 1 if taken, -1. */
static int try_slug(struct db *db, int64_t territory_id, const char *base, int64_t n,
		    char slug[ORGANISATION_SLUG_MAX + 1])
{
	if (n == 1)
		snprintf(slug, ORGANISATION_SLUG_MAX + 1, "%s", base);
	else
		snprintf(slug, ORGANISATION_SLUG_MAX + 1, "%s-%lld", base, (long long)n);
	int64_t id;
	int rc = organisation_find(db, territory_id, slug, &id);
	return rc > 0 ? 0 : rc < 0 ? -1 : 1;
}

/*
 * A slug no organisation of the territory has: base, base-2, base-3...; past
 * SLUG_TRIES of them, numbers from the territory's count of organisations
 * on, which at most that many slugs can hold already. 0 or -1.
 */
static int unique_slug(struct db *db, int64_t territory_id, const char *name,
		       char slug[ORGANISATION_SLUG_MAX + 1])
{
	char base[SLUG_BASE_MAX + 1];
	slug_from_name(name, base);
	int rc = 1;
	for (int64_t i = 1; i <= SLUG_TRIES && rc > 0; i++)
		rc = try_slug(db, territory_id, base, i, slug);
	int64_t count = 0;
	if (rc > 0 && db_query_int(db, &count, "SELECT COUNT(*) FROM organisations WHERE territory_id = ?",
				   "i", territory_id) < 0)
		return -1;
	for (int64_t i = count + 2; i < count + 2 + SLUG_TRIES && rc > 0; i++)
		rc = try_slug(db, territory_id, base, i, slug);
	return rc == 0 ? 0 : rc < 0 ? -1 : error("organisation: no free slug for \"%.64s\"", base);
}

static int record_member(struct db *db, int64_t territory_id, int64_t actor, const char *verb,
			 int64_t org_id, int64_t user_id, const char *role)
{
	json_t *details = json_pack("{s:s?}", "role", role);
	char *text = json_dumps(details, JSON_COMPACT);
	int rc = activity_record(db, territory_id, actor, verb, "user", user_id, "organisation",
				 org_id, text);
	free(text);
	json_decref(details);
	return rc;
}

static int insert_member(struct db *db, int64_t org_id, int64_t user_id, const char *role)
{
	return db_execv(db,
			"INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)"
			" VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id, user_id)"
			" DO UPDATE SET role = excluded.role",
			"iiti", org_id, user_id, role, (int64_t)time(NULL));
}

int organisation_create_owned(struct db *db, int64_t territory_id, const struct organisation_new *o,
			      int64_t owner_id, int64_t *id, char slug[ORGANISATION_SLUG_MAX + 1])
{
	if (db_begin(db) < 0)
		return -1;
	struct organisation_new n = *o;
	n.partner = o->kind && !strcmp(o->kind, "partner");
	n.accredited = 0;
	n.created_at = 0;
	n.actor_id = owner_id;
	if (unique_slug(db, territory_id, o->name ? o->name : "", slug) < 0)
		goto fail;
	n.slug = slug;
	if (organisation_insert(db, territory_id, &n, id) < 0 ||
	    insert_member(db, *id, owner_id, "owner") < 0 || db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int organisation_update(struct db *db, int64_t territory_id, int64_t id, int64_t actor_id,
			const struct organisation_new *o)
{
	json_t *errors = organisation_validate(o);
	size_t bad = json_object_size(errors);
	json_decref(errors);
	if (bad)
		return error("organisation %lld: refused update", (long long)id);
	if (db_begin(db) < 0)
		return -1;
	int partner_kind = !strcmp(o->kind, "partner");
	/* Into the kind "partner": a partner. Out of it: not any more, nor accredited. */
	int64_t changed;
	int rc = db_query_int(
		db, &changed,
		"UPDATE organisations SET name = ?, summary = ?, description = ?, website = ?,"
		" is_partner = CASE WHEN ? = 'partner' THEN 1 WHEN kind = 'partner' THEN 0 ELSE is_partner END,"
		" accredited_at = CASE WHEN ? <> 'partner' AND kind = 'partner' THEN NULL ELSE accredited_at END,"
		" kind = ? WHERE territory_id = ? AND id = ? RETURNING id",
		"tttttttii", o->name, o->summary ? o->summary : "", o->description ? o->description : "",
		o->website ? o->website : "", o->kind, o->kind, o->kind, territory_id, id);
	if (rc != 0)
		goto out;
	json_t *details = json_pack("{s:s, s:b}", "kind", o->kind, "partner", partner_kind);
	char *text = json_dumps(details, JSON_COMPACT);
	rc = activity_record(db, territory_id, actor_id, "Update", "organisation", id, NULL, 0, text);
	free(text);
	json_decref(details);
	if (rc == 0)
		rc = db_commit(db);
out:
	if (rc != 0)
		db_rollback(db);
	return rc > 0 ? ORGANISATION_REFUSED_NOT_FOUND : rc;
}

int organisation_member_role(struct db *db, int64_t org_id, int64_t user_id)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT role FROM organisation_members"
				      " WHERE organisation_id = ? AND user_id = ?",
				      "ii", org_id, user_id);
	if (!st)
		return -1;
	int role = ORGANISATION_NOT_MEMBER;
	if (step == DB_ROW)
		role = strcmp(db_col_text(st, 0), "owner") ? ORGANISATION_MEMBER : ORGANISATION_OWNER;
	db_reset(st);
	return step < 0 ? -1 : role;
}

int organisation_members(struct db *db, int64_t org_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT u.id, u.display_name, m.role FROM organisation_members m"
				      " JOIN users u ON u.id = m.user_id WHERE m.organisation_id = ?"
				      " ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END,"
				      " u.display_name, u.id LIMIT ?",
				      "ii", org_id, (int64_t)ORGANISATION_MEMBERS_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "id", row_int(st, 0),
						      "display_name", row_string(st, 1), "role",
						      row_string(st, 2)));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

/*
 * Lock the organisation's owner rows (PostgreSQL; SQLite lets one writer in
 * at a time) and count them, so that two owners removing each other at once
 * cannot leave it without one. -1 on error.
 */
static int64_t lock_owners(struct db *db, int64_t org_id)
{
	const char *sql = db_kind(db) == DB_POSTGRES
				  ? "SELECT user_id FROM organisation_members WHERE organisation_id = ?"
				    " AND role = 'owner' ORDER BY user_id FOR UPDATE"
				  : "SELECT user_id FROM organisation_members WHERE organisation_id = ?"
				    " AND role = 'owner'";
	int step;
	struct db_stmt *st = db_query(db, &step, sql, "i", org_id);
	if (!st)
		return -1;
	int64_t n = 0;
	for (; step == DB_ROW; step = db_step(st))
		n++;
	db_reset(st);
	return step < 0 ? -1 : n;
}

static int org_in_territory(struct db *db, int64_t territory_id, int64_t org_id)
{
	int64_t one;
	int rc = db_query_int(db, &one, "SELECT 1 FROM organisations WHERE territory_id = ? AND id = ?",
			      "ii", territory_id, org_id);
	return rc > 0 ? ORGANISATION_REFUSED_NOT_FOUND : rc;
}

/* new_role NULL removes. 0, a positive enum organisation_refusal, or -1. */
static int member_change_in_tx(struct db *db, int64_t territory_id, int64_t org_id,
			       int64_t user_id, const char *new_role, int64_t actor_id)
{
	int rc = org_in_territory(db, territory_id, org_id);
	if (rc)
		return rc;
	int64_t owners = lock_owners(db, org_id);
	if (owners < 0)
		return -1;
	int64_t one;
	rc = db_query_int(db, &one, "SELECT 1 FROM users WHERE id = ?", "i", user_id);
	if (rc)
		return rc < 0 ? -1 : ORGANISATION_REFUSED_NO_ACCOUNT;
	int old = organisation_member_role(db, org_id, user_id);
	if (old < 0)
		return -1;
	if (!new_role && old == ORGANISATION_NOT_MEMBER)
		return ORGANISATION_REFUSED_NOT_MEMBER;
	int new_owner = new_role && !strcmp(new_role, "owner");
	if (old == ORGANISATION_OWNER && !new_owner && owners <= 1)
		return ORGANISATION_REFUSED_LAST_OWNER;
	if (new_role && old == (new_owner ? ORGANISATION_OWNER : ORGANISATION_MEMBER))
		return 0;
	if (!new_role) {
		if (db_execv(db, "DELETE FROM organisation_members WHERE organisation_id = ? AND user_id = ?",
			     "ii", org_id, user_id) < 0)
			return -1;
		return record_member(db, territory_id, actor_id, "Remove", org_id, user_id, NULL);
	}
	if (insert_member(db, org_id, user_id, new_role) < 0)
		return -1;
	return record_member(db, territory_id, actor_id, "Add", org_id, user_id, new_role);
}

static int member_change(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id,
			 const char *new_role, int64_t actor_id)
{
	if (db_begin(db) < 0)
		return -1;
	int rc = member_change_in_tx(db, territory_id, org_id, user_id, new_role, actor_id);
	if (rc != 0 || db_commit(db) < 0) {
		db_rollback(db);
		return rc > 0 ? rc : -1;
	}
	return 0;
}

int organisation_member_set(struct db *db, int64_t territory_id, int64_t org_id, int64_t user_id,
			    const char *role, int64_t actor_id)
{
	if (!role || (strcmp(role, "owner") && strcmp(role, "member")))
		return ORGANISATION_REFUSED_BAD_ROLE;
	return member_change(db, territory_id, org_id, user_id, role, actor_id);
}

int organisation_member_remove(struct db *db, int64_t territory_id, int64_t org_id,
			       int64_t user_id, int64_t actor_id)
{
	return member_change(db, territory_id, org_id, user_id, NULL, actor_id);
}

int organisation_list_for_user(struct db *db, int64_t territory_id, int64_t user_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT o.id, o.slug, o.name, o.kind, o.is_partner,"
				      " CASE WHEN o.accredited_at IS NULL THEN 0 ELSE 1 END, m.role"
				      " FROM organisation_members m JOIN organisations o"
				      " ON o.id = m.organisation_id WHERE m.user_id = ?"
				      " AND o.territory_id = ? ORDER BY o.name, o.id LIMIT ?",
				      "iii", user_id, territory_id, (int64_t)LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:b, s:b, s:o}", "id",
						      row_int(st, 0), "slug", row_string(st, 1),
						      "name", row_string(st, 2), "kind",
						      row_string(st, 3), "partner",
						      (int)db_col_int(st, 4), "accredited",
						      (int)db_col_int(st, 5), "role", row_string(st, 6)));
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int organisation_set_accredited(struct db *db, int64_t territory_id, int64_t org_id,
				int64_t actor_id, int accredited)
{
	if (db_begin(db) < 0)
		return -1;
	int step, rc = -1;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT is_partner, CASE WHEN accredited_at IS NULL THEN 0 ELSE 1 END"
				      " FROM organisations WHERE territory_id = ? AND id = ?",
				      "ii", territory_id, org_id);
	if (!st)
		goto out;
	int partner = step == DB_ROW && db_col_int(st, 0);
	int was = step == DB_ROW && db_col_int(st, 1);
	int found = step == DB_ROW;
	db_reset(st);
	if (step < 0)
		goto out;
	if (!found || !partner) {
		rc = found ? ORGANISATION_REFUSED_NOT_PARTNER : ORGANISATION_REFUSED_NOT_FOUND;
		goto out;
	}
	if (was == !!accredited) {
		rc = 0;
		goto out;
	}
	if (db_execv(db,
		     "UPDATE organisations SET accredited_at = NULLIF(CAST(? AS BIGINT), 0)"
		     " WHERE territory_id = ? AND id = ?",
		     "iii", accredited ? (int64_t)time(NULL) : (int64_t)0, territory_id, org_id) < 0 ||
	    activity_record(db, territory_id, actor_id, "Update", "organisation", org_id, NULL, 0,
			    accredited ? "{\"accredited\":true}" : "{\"accredited\":false}") < 0 ||
	    db_commit(db) < 0)
		goto out;
	return 0;
out:
	db_rollback(db);
	return rc;
}

int organisation_list_partners_admin(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, slug, name, kind, summary, website,"
				      " CASE WHEN accredited_at IS NULL THEN 0 ELSE 1 END, accredited_at"
				      " FROM organisations WHERE territory_id = ? AND is_partner = 1"
				      " ORDER BY name, id LIMIT ?",
				      "ii", territory_id, (int64_t)LIST_MAX);
	if (!st)
		return -1;
	json_t *list = json_array();
	for (; step == DB_ROW; step = db_step(st)) {
		json_t *org = organisation_row(st);
		json_object_set_new(org, "accredited_at",
				    db_col_is_null(st, 7) ? json_null() : row_int(st, 7));
		json_array_append_new(list, org);
	}
	db_reset(st);
	if (step < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}
