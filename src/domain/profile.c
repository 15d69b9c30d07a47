/*
 * Profiles: validation and normalisation live here, not in the handler, so
 * that the form today and an API later apply the same rules; a save is one
 * transaction with its activity row.
 */
#include "domain/profile.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/activity.h"
#include "domain/row.h"
#include "domain/theme.h"
#include "domain/user.h"
#include "core/banned.h"

#define NEIGHBOURHOODS_MAX 200

/*
 * The code point of the UTF-8 sequence at s (at most len bytes), its
 * length in *n; -1 for a malformed, overlong or surrogate sequence.
 */
static int32_t utf8_decode(const unsigned char *s, size_t len, size_t *n)
{
	static const int32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t need = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
		    : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!need || need > len)
		return -1;
	int32_t cp = need == 1 ? s[0] : s[0] & (0x7F >> need);
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*n = need;
	return cp;
}

static void utf8_encode(struct buf *b, int32_t cp)
{
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addch(b, (char)(0xC0 | (cp >> 6)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_addch(b, (char)(0xE0 | (cp >> 12)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_addch(b, (char)(0xF0 | (cp >> 18)));
		buf_addch(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addch(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/*
 * Lower case without a locale (the server's threads share one): the capitals
 * of ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic, which cover the
 * languages people write skills in here; other letters stay as typed.
 */
static int32_t lower(int32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c == 0x178)
		return 0xFF;
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) && !(c & 1))
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c & 1))
		return c + 1;
	return c;
}

static int is_blank(int32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0;
}

static int is_control(int32_t c)
{
	return c < 0x20 || (c >= 0x7F && c < 0xA0);
}

/* Characters of s, or -1 if s is not valid UTF-8. */
static long utf8_chars(const char *s)
{
	long count = 0;
	size_t len = strlen(s), n;
	for (size_t i = 0; i < len; i += n, count++)
		if (utf8_decode((const unsigned char *)s + i, len - i, &n) < 0)
			return -1;
	return count;
}

/* 1 if s holds a control character (or is not valid UTF-8); newlines allowed when multiline. */
static int has_control(const char *s, int multiline)
{
	size_t len = strlen(s), n;
	for (size_t i = 0; i < len; i += n) {
		int32_t c = utf8_decode((const unsigned char *)s + i, len - i, &n);
		if (c < 0 || (is_control(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
			return 1;
	}
	return 0;
}

/* s without its leading and trailing ASCII blanks, as a new buffer. */
static void trimmed(const char *s, struct buf *out)
{
	s = s ? s : "";
	s += strspn(s, " \t\r\n");
	size_t len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	buf_add(out, s, len);
}

/* One tag of skills (bytes [p, end)) normalised into tag; its character count, or -1. */
static long normalise_tag(const char *p, const char *end, struct buf *tag)
{
	long chars = 0;
	int space = 0;
	size_t n;
	for (; p < end; p += n) {
		int32_t c = utf8_decode((const unsigned char *)p, (size_t)(end - p), &n);
		if (c < 0 || (is_control(c) && !is_blank(c)))
			return -1;
		if (is_blank(c)) {
			space = tag->len > 0;
			continue;
		}
		if (space) {
			buf_addch(tag, ' ');
			chars++;
			space = 0;
		}
		utf8_encode(tag, lower(c));
		chars++;
	}
	return chars;
}

static int array_has_string(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

const char *profile_skills_normalise(const char *input, json_t **out)
{
	json_t *skills = json_array();
	const char *problem = NULL;
	struct buf tag = BUF_INIT;
	const char *p = input ? input : "";
	while (!problem) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		buf_reset(&tag);
		long chars = normalise_tag(p, end, &tag);
		if (chars < 0)
			problem = "A skill cannot hold control characters.";
		else if (chars > PROFILE_SKILL_MAX)
			problem = "A skill has 40 characters at most.";
		else if (chars > 0 && !array_has_string(skills, tag.ptr))
			json_array_append_new(skills, json_stringn(tag.ptr, tag.len));
		if (!problem && json_array_size(skills) > PROFILE_SKILLS_MAX)
			problem = "You can list 20 skills at most.";
		if (!comma)
			break;
		p = comma + 1;
	}
	buf_release(&tag);
	if (problem) {
		json_decref(skills);
		skills = NULL;
	}
	*out = skills;
	return problem;
}

/* The msgid of what is wrong with a one-line text, or NULL. */
static const char *line_problem(const char *s, long max, int required, const char *too_long)
{
	long chars = utf8_chars(s);
	if (chars < 0 || has_control(s, 0))
		return "Please remove the control characters.";
	if (required && chars == 0)
		return "Please enter a display name.";
	return chars > max ? too_long : NULL;
}

static void check_texts(const struct profile_form *f, json_t *errors, json_t *clean)
{
	struct buf name = BUF_INIT, bio = BUF_INIT, place = BUF_INIT;
	trimmed(f->display_name, &name);
	trimmed(f->bio, &bio);
	trimmed(f->neighbourhood, &place);
	const char *e = line_problem(name.ptr, USER_NAME_MAX, 1,
				     "Your display name is too long (80 characters at most).");
	if (e)
		json_object_set_new(errors, "display_name", json_string(e));
	long bio_chars = utf8_chars(bio.ptr);
	if (bio_chars < 0 || has_control(bio.ptr, 1))
		json_object_set_new(errors, "bio", json_string("Please remove the control characters."));
	else if (bio_chars > USER_BIO_MAX)
		json_object_set_new(errors, "bio",
				    json_string("Your bio is too long (1000 characters at most)."));
	e = line_problem(place.ptr, PROFILE_NEIGHBOURHOOD_MAX, 0,
			 "The neighbourhood is too long (80 characters at most).");
	if (e)
		json_object_set_new(errors, "neighbourhood", json_string(e));
	json_object_set_new(clean, "display_name", json_stringn(name.ptr, name.len));
	json_object_set_new(clean, "bio", json_stringn(bio.ptr, bio.len));
	json_object_set_new(clean, "neighbourhood", json_stringn(place.ptr, place.len));
	buf_release(&name);
	buf_release(&bio);
	buf_release(&place);
}

/* Distinct theme ids of the territory into clean's "interests"; 0, 1 if one is not, -1. */
static int check_interests(struct db *db, int64_t territory_id, const struct profile_form *f,
			   json_t *clean)
{
	json_t *ids = json_array();
	json_object_set_new(clean, "interests", ids);
	if (f->n_interests > PROFILE_INTERESTS_MAX)
		return 1;
	for (size_t i = 0; i < f->n_interests; i++) {
		int64_t id = f->interests[i];
		int dup = 0;
		for (size_t k = 0; k < i; k++)
			dup |= f->interests[k] == id;
		if (dup)
			continue;
		int rc = id > 0 ? theme_in_territory(db, territory_id, id) : 0;
		if (rc != 1)
			return rc < 0 ? -1 : 1;
		json_array_append_new(ids, json_integer(id));
	}
	return 0;
}

int profile_check(struct db *db, int64_t territory_id, const struct profile_form *f,
		  json_t **errors, json_t **clean)
{
	json_t *err = json_object(), *ok = json_object(), *skills;
	check_texts(f, err, ok);
	const char *e = profile_skills_normalise(f->skills, &skills);
	if (e)
		json_object_set_new(err, "skills", json_string(e));
	else
		json_object_set_new(ok, "skills", skills);
	int rc = check_interests(db, territory_id, f, ok);
	if (rc < 0) {
		json_decref(err);
		json_decref(ok);
		return -1;
	}
	if (rc > 0)
		json_object_set_new(err, "interests",
				    json_string("Please choose among the themes listed."));
	if (json_object_size(err)) {
		json_decref(ok);
		ok = NULL;
	}
	*errors = err;
	*clean = ok;
	return 0;
}

static const char *text_of(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

static int save_skills(struct db *db, int64_t user_id, const json_t *skills)
{
	if (db_execv(db, "DELETE FROM user_skills WHERE user_id = ?", "i", user_id))
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(skills, i, v)
		if (db_execv(db, "INSERT INTO user_skills (user_id, skill) VALUES (?, ?)", "it",
			     user_id, json_string_value(v)))
			return -1;
	return 0;
}

/* Replace the interests among this territory's themes; those of other territories stay. */
static int save_interests(struct db *db, int64_t territory_id, int64_t user_id,
			  const json_t *ids)
{
	if (db_execv(db,
		     "DELETE FROM user_interests WHERE user_id = ?"
		     " AND theme_id IN (SELECT id FROM themes WHERE territory_id = ?)",
		     "ii", user_id, territory_id))
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
		if (db_execv(db,
			     "INSERT INTO user_interests (user_id, theme_id)"
			     " SELECT CAST(? AS BIGINT), id FROM themes WHERE id = ? AND territory_id = ?",
			     "iii", user_id, (int64_t)json_integer_value(v), territory_id))
			return -1;
	return 0;
}

/*
 * The activity names the fields saved, never their values: the log must
 * hold nothing personal that outlives the account.
 */
static int save_all(struct db *db, int64_t territory_id, int64_t user_id, const json_t *clean)
{
	int64_t found;
	int rc = db_query_int(db, &found,
			      "UPDATE users SET display_name = ?, bio = ?, neighbourhood = ?"
			      " WHERE id = ? RETURNING id",
			      "ttti", text_of(clean, "display_name"), text_of(clean, "bio"),
			      text_of(clean, "neighbourhood"), user_id);
	if (rc)
		return rc;
	if (save_skills(db, user_id, json_object_get(clean, "skills")) ||
	    save_interests(db, territory_id, user_id, json_object_get(clean, "interests")))
		return -1;
	return activity_record(db, territory_id, user_id, "Update", "user", user_id, NULL, 0,
			       "{\"fields\":[\"display_name\",\"bio\",\"skills\",\"interests\","
			       "\"neighbourhood\"]}");
}

int profile_save(struct db *db, int64_t territory_id, int64_t user_id, const json_t *clean)
{
	if (!clean)
		BUG("profile_save() without profile_check()");
	if (db_begin(db))
		return -1;
	int rc = save_all(db, territory_id, user_id, clean);
	if (rc || db_commit(db)) {
		db_rollback(db);
		return rc > 0 ? 1 : -1;
	}
	return 0;
}

static int load_skills(struct db *db, int64_t user_id, json_t *skills)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT skill FROM user_skills WHERE user_id = ?"
				      " ORDER BY skill LIMIT ?",
				      "ii", user_id, (int64_t)PROFILE_SKILLS_MAX * 2);
	if (!st)
		return -1;
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(skills, row_string(st, 0));
	db_reset(st);
	return step < 0 ? -1 : 0;
}

static int load_interests(struct db *db, int64_t territory_id, int64_t user_id, json_t *out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT t.id, t.slug, t.name FROM user_interests x"
				      " JOIN themes t ON t.id = x.theme_id"
				      " WHERE x.user_id = ? AND t.territory_id = ? ORDER BY t.name LIMIT ?",
				      "iii", user_id, territory_id, (int64_t)PROFILE_INTERESTS_MAX);
	if (!st)
		return -1;
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(out, json_pack("{s:o, s:o, s:o}", "id", row_int(st, 0), "slug",
						     row_string(st, 1), "name", row_string(st, 2)));
	db_reset(st);
	return step < 0 ? -1 : 0;
}

int profile_get(struct db *db, int64_t territory_id, int64_t user_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT id, display_name, bio, neighbourhood, created_at"
				      " FROM users WHERE id = ?",
				      "i", user_id);
	if (!st)
		return -1;
	if (step != DB_ROW) {
		db_reset(st);
		return step == DB_DONE ? 1 : -1;
	}
	json_t *p = json_pack("{s:o, s:o, s:o, s:o, s:o, s:[], s:[]}", "id", row_int(st, 0),
			      "display_name", row_string(st, 1), "bio", row_string(st, 2),
			      "neighbourhood", row_string(st, 3), "created_at", row_int(st, 4),
			      "skills", "interests");
	db_reset(st);
	if (load_skills(db, user_id, json_object_get(p, "skills")) ||
	    load_interests(db, territory_id, user_id, json_object_get(p, "interests"))) {
		json_decref(p);
		return -1;
	}
	*out = p;
	return 0;
}

int profile_neighbourhoods(struct db *db, int64_t territory_id, json_t **out)
{
	int step;
	struct db_stmt *st = db_query(db, &step,
				      "SELECT name FROM neighbourhoods WHERE territory_id = ?"
				      " ORDER BY name LIMIT ?",
				      "ii", territory_id, (int64_t)NEIGHBOURHOODS_MAX);
	if (!st)
		return -1;
	json_t *names = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(names, row_string(st, 0));
	db_reset(st);
	if (step < 0) {
		json_decref(names);
		return -1;
	}
	*out = names;
	return 0;
}
