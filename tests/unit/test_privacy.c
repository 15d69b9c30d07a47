/*
 * Profiles and the RGPD rights, on every backend (SQLite always,
 * PostgreSQL when TREMPLIN_TEST_PG is set): skills normalised, a refused
 * profile changes nothing, the export holds everything about the person
 * and no secret, and after deletion no column of any table (read from the
 * schema itself, so a table added later is searched too) holds anything
 * that names the person, while their contributions stay, without author.
 */
#include "testutil.h"

#include <time.h>

#include <jansson.h>

#include "auth/password.h"
#include "auth/ratelimit.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "domain/activity.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/organisation.h"
#include "domain/outbox.h"
#include "domain/privacy.h"
#include "domain/support.h"
#include "domain/profile.h"
#include "domain/territory.h"
#include "domain/theme.h"
#include "domain/user.h"

static struct test_db_urls urls;
static const char *current_url;

/* What names the person: after deletion, none of it may remain in any column. */
#define EMAIL "zephyrine.quatrebarbe@example.org"
#define NEW_EMAIL "zephyrine.nouvelle@example.org"
#define NAME "Zéphyrine Quatrebarbe"
#define BIO "Bio-marqueur : j'aime les jardins partagés."
#define PLACE "Quartier Marqueur-Nord"
#define SKILL "marqueterie-zz"
#define AGENT "Marker-Agent/7.3"
#define IP "203.0.113.77"
#define PASSWORD "un mot de passe bien long"

static const char *const personal[] = { EMAIL, NEW_EMAIL, NAME, BIO, PLACE, SKILL, AGENT, IP };

/* Everything the tests build: two territories, the person, someone else. */
struct world {
	struct db *db;
	struct arena *arena;
	int64_t t, t2; /* territories */
	int64_t th1, th2, th_other; /* two themes of t, one of t2 */
	int64_t me, other; /* accounts */
	int64_t org, need, initiative, other_need;
	const char *hash; /* my stored password hash */
	const char *session_hash, *session_csrf, *session_token;
	const char *other_session_token;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	w->db = test_db_open_migrated(current_url);
	w->arena = arena_new();
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	db_close(w->db);
	arena_free(w->arena);
	free(w);
	return 0;
}

/* The integer a query gives; its parameters, if any, are the ids a and b ("", "i" or "ii"). */
static int64_t count(struct db *db, const char *sql, const char *types, int64_t a, int64_t b)
{
	int64_t n = -1;
	int rc = !*types	     ? db_query_int(db, &n, sql, "")
		 : !types[1] ? db_query_int(db, &n, sql, "i", a)
			     : db_query_int(db, &n, sql, "ii", a, b);
	assert_int_equal(rc, 0);
	return n;
}

static int64_t make_territory(struct db *db, const char *slug)
{
	const char *hosts[] = { slug, NULL };
	int64_t id;
	assert_int_equal(territory_create(db, slug, "UP Test", "", "", hosts, &id), 0);
	return id;
}

static int64_t make_theme(struct db *db, int64_t t, const char *slug)
{
	int64_t id;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(theme_insert(db, t, slug, slug, &id), 0);
	assert_int_equal(db_commit(db), 0);
	return id;
}

static int64_t make_account(struct world *w, const char *email, const char *name,
			    const char *hash)
{
	int64_t id;
	assert_int_equal(db_begin(w->db), 0);
	assert_int_equal(user_create(w->db, w->t, email, name, hash, "fr", 1, &id), 0);
	assert_int_equal(user_confirm(w->db, w->t, id), 0);
	assert_int_equal(db_commit(w->db), 0);
	return id;
}

static void save_profile(struct world *w, int64_t t, int64_t user, const char *name,
			 const char *skills, const int64_t *interests, size_t n)
{
	struct profile_form f = { .display_name = name, .bio = BIO, .skills = skills,
				  .neighbourhood = PLACE, .interests = interests, .n_interests = n };
	json_t *errors, *clean;
	assert_int_equal(profile_check(w->db, t, &f, &errors, &clean), 0);
	if (json_object_size(errors)) {
		char *s = json_dumps(errors, 0);
		fail_msg("profile refused: %s", s);
	}
	json_decref(errors);
	assert_int_equal(profile_save(w->db, t, user, clean), 0);
	json_decref(clean);
}

static void make_contributions(struct world *w)
{
	struct need_new n = { .author_id = w->me, .title = "Un banc près de l'école",
			      .body = "Pour attendre les enfants.", .theme_id = w->th1 };
	assert_int_equal(need_create(w->db, w->t, &n, &w->need), 0);
	struct initiative_new in = { .author_id = w->me, .title = "Des bancs partout",
				     .summary = "Poser des bancs.", .need_ids = &w->need,
				     .n_needs = 1 };
	assert_int_equal(initiative_create(w->db, w->t, &in, &w->initiative), 0);
	struct need_new o = { .author_id = w->other, .title = "Un autre besoin" };
	assert_int_equal(need_create(w->db, w->t, &o, &w->other_need), 0);
}

/* Rows that the schema ties to the account, written as each module writes them. */
static void make_ties(struct world *w)
{
	struct db *db = w->db;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_execv(db, "INSERT INTO roles (territory_id, user_id, role, granted_by,"
				      " granted_at) VALUES (?, ?, 'animator', ?, 1700000000)",
				  "iii", w->t, w->me, w->other), 0);
	struct organisation_new o = { .slug = "asso", .name = "L'Asso", .kind = "association" };
	assert_int_equal(organisation_insert(db, w->t, &o, &w->org), 0);
	assert_int_equal(db_execv(db, "INSERT INTO organisation_members (organisation_id, user_id,"
				      " role, joined_at) VALUES (?, ?, 'owner', 1700000000)",
				  "ii", w->org, w->me), 0);
	assert_int_equal(db_execv(db, "INSERT INTO follows (user_id, object_type, object_id,"
				      " created_at) VALUES (?, 'need', ?, 1700000000)",
				  "ii", w->me, w->other_need), 0);
	assert_int_equal(db_execv(db, "INSERT INTO notifications (user_id, activity_id, created_at)"
				      " SELECT CAST(? AS BIGINT), MAX(id), 1700000000 FROM activities",
				  "i", w->me), 0);
	assert_int_equal(db_execv(db, "INSERT INTO email_tokens (token_hash, user_id, purpose,"
				      " new_email, created_at, expires_at)"
				      " VALUES ('emailtokenhash-secret', ?, 'email_change', ?, 1, 2)",
				  "it", w->me, NEW_EMAIL), 0);
	assert_int_equal(outbox_enqueue(db, w->t, w->me, EMAIL, "Bienvenue",
					"Bonjour " NAME ", confirmez : https://x/confirm/secret"), 0);
	/* A mail queued to the address without the account's id (e.g. "someone tried to sign up"). */
	assert_int_equal(outbox_enqueue(db, w->t, 0, "Zephyrine.Quatrebarbe@example.org",
					"Tentative d'inscription", "Bonjour."), 0);
	/* Somebody else's log row about the account, whose details name it. */
	assert_int_equal(activity_record(db, w->t, w->other, "Add", "role", w->me, "user", w->me,
					 "{\"about\":\"" NAME "\"}"), 0);
	struct session *s;
	const char *token;
	assert_int_equal(session_login(db, w->arena, NULL, w->me, AGENT, IP, &s, &token), 0);
	w->session_hash = s->token_hash;
	w->session_csrf = s->csrf;
	w->session_token = token;
	assert_int_equal(session_login(db, w->arena, NULL, w->other, "Other/1", "198.51.100.1", &s,
				       &token), 0);
	w->other_session_token = token;
	assert_int_equal(db_commit(db), 0);
	/* A failed log-in counted against the address. */
	assert_true(ratelimit_hit(db, RL_LOGIN_ACCOUNT, EMAIL) >= 0);
}

/* The whole world of the export and deletion tests. */
static void build_world(struct world *w)
{
	w->t = make_territory(w->db, "test");
	w->t2 = make_territory(w->db, "ailleurs");
	w->th1 = make_theme(w->db, w->t, "mobilite");
	w->th2 = make_theme(w->db, w->t, "solidarite");
	w->th_other = make_theme(w->db, w->t2, "ailleurs");
	char hash[PASSWORD_HASH_MAX];
	assert_int_equal(password_hash(PASSWORD, hash), 0);
	w->hash = arena_strdup(w->arena, hash);
	w->me = make_account(w, EMAIL, NAME, hash);
	w->other = make_account(w, "autre@example.org", "Autre Personne", hash);
	int64_t mine[] = { w->th1, w->th2 }, elsewhere[] = { w->th_other };
	save_profile(w, w->t, w->me, NAME, "Graphisme, " SKILL, mine, 2);
	save_profile(w, w->t2, w->me, NAME, "Graphisme, " SKILL, elsewhere, 1);
	make_contributions(w);
	make_ties(w);
}

/* ---- Skills and the profile form ---- */

static void expect_skills(const char *input, const char *expected_json)
{
	json_t *skills, *expected = json_loads(expected_json, 0, NULL);
	const char *problem = profile_skills_normalise(input, &skills);
	if (problem)
		fail_msg("\"%s\" refused: %s", input, problem);
	if (!json_equal(skills, expected)) {
		char *got = json_dumps(skills, 0);
		fail_msg("\"%s\" gave %s, expected %s", input, got, expected_json);
	}
	json_decref(skills);
	json_decref(expected);
}

static void test_skills_normalised(void **state)
{
	(void)state;
	expect_skills("", "[]");
	expect_skills(" , ,, ", "[]");
	expect_skills("Graphisme, COMPTABILITÉ ,graphisme,  Jardinage \t partagé  ",
		      "[\"graphisme\", \"comptabilité\", \"jardinage partagé\"]");
	expect_skills("ŒNOLOGIE, Ślusarstwo, ΓΡΑΦΙΣΤΙΚΗ, Дизайн",
		      "[\"œnologie\", \"ślusarstwo\", \"γραφιστικη\", \"дизайн\"]");
	/* 40 characters, accented ones counted once. */
	expect_skills("éééééééééééééééééééééééééééééééééééééééé",
		      "[\"éééééééééééééééééééééééééééééééééééééééé\"]");
	/* Twenty distinct tags, and duplicates that do not count. */
	expect_skills("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,A,B",
		      "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\","
		      "\"m\",\"n\",\"o\",\"p\",\"q\",\"r\",\"s\",\"t\"]");
}

static void test_skills_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", /* 21 tags */
		"ééééééééééééééééééééééééééééééééééééééééé", /* 41 characters */
		"graphisme\x01", "ok, \x7f", "bad \xC3\x28 utf8",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *skills = (json_t *)1;
		if (!profile_skills_normalise(bad[i], &skills))
			fail_msg("case %zu accepted", i);
		assert_null(skills);
	}
}

static void expect_refused(struct world *w, const struct profile_form *f, const char *field)
{
	json_t *errors, *clean;
	assert_int_equal(profile_check(w->db, w->t, f, &errors, &clean), 0);
	if (!json_object_get(errors, field) || json_object_size(errors) != 1) {
		char *s = json_dumps(errors, 0);
		fail_msg("expected one error on %s, got %s", field, s);
	}
	assert_null(clean);
	json_decref(errors);
}

static void test_profile_refused(void **state)
{
	struct world *w = *state;
	w->t = make_territory(w->db, "test");
	w->t2 = make_territory(w->db, "ailleurs");
	w->th1 = make_theme(w->db, w->t, "mobilite");
	w->th_other = make_theme(w->db, w->t2, "ailleurs");
	char long_name[120] = "", long_bio[1100] = "", long_place[100] = "";
	memset(long_name, 'n', 81);
	memset(long_bio, 'b', 1001);
	memset(long_place, 'q', 81);
	int64_t other_theme[] = { w->th_other }, bogus[] = { -1 }, good[] = { w->th1 };
	struct profile_form ok = { .display_name = "Marie", .interests = good, .n_interests = 1 };
	struct profile_form f = ok;
	f.display_name = "   ";
	expect_refused(w, &f, "display_name");
	f = ok, f.display_name = long_name;
	expect_refused(w, &f, "display_name");
	f = ok, f.display_name = "Marie\x1b[31m";
	expect_refused(w, &f, "display_name");
	f = ok, f.bio = long_bio;
	expect_refused(w, &f, "bio");
	f = ok, f.neighbourhood = long_place;
	expect_refused(w, &f, "neighbourhood");
	f = ok, f.skills = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u";
	expect_refused(w, &f, "skills");
	f = ok, f.interests = other_theme;
	expect_refused(w, &f, "interests");
	f = ok, f.interests = bogus;
	expect_refused(w, &f, "interests");
	/* 80 characters of two bytes each, 1000 of bio with newlines: accepted. */
	struct buf name = BUF_INIT, bio = BUF_INIT;
	for (int i = 0; i < 80; i++)
		buf_adds(&name, "é");
	for (int i = 0; i < 500; i++)
		buf_adds(&bio, "é\n");
	f = ok, f.display_name = name.ptr, f.bio = bio.ptr;
	json_t *errors, *clean;
	assert_int_equal(profile_check(w->db, w->t, &f, &errors, &clean), 0);
	assert_int_equal(json_object_size(errors), 0);
	assert_non_null(clean);
	json_decref(errors);
	json_decref(clean);
	buf_release(&name);
	buf_release(&bio);
}

static void test_profile_saved_and_read(void **state)
{
	struct world *w = *state;
	build_world(w);
	json_t *p;
	assert_int_equal(profile_get(w->db, w->t, w->me, &p), 0);
	assert_string_equal(json_string_value(json_object_get(p, "display_name")), NAME);
	assert_string_equal(json_string_value(json_object_get(p, "bio")), BIO);
	assert_string_equal(json_string_value(json_object_get(p, "neighbourhood")), PLACE);
	json_t *skills = json_pack("[s, s]", "graphisme", SKILL);
	assert_true(json_equal(json_object_get(p, "skills"), skills));
	json_decref(skills);
	/* Only this territory's themes, though the profile saved in t2 kept its own. */
	json_t *interests = json_object_get(p, "interests");
	assert_int_equal(json_array_size(interests), 2);
	assert_null(json_object_get(p, "email"));
	char *text = json_dumps(p, 0);
	assert_null(strstr(text, EMAIL));
	free(text);
	json_decref(p);
	assert_int_equal(count(w->db, "SELECT COUNT(*) FROM user_interests WHERE user_id = ?", "i",
			       w->me, 0), 3);
	/* Two saves, two activities naming the fields but none of the values. */
	assert_int_equal(count(w->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update'"
				      " AND object_type = 'user' AND object_id = ? AND actor_id = ?"
				      " AND details LIKE '{\"fields\":[%'",
			       "ii", w->me, w->me), 2);
	assert_int_equal(profile_get(w->db, w->t, w->me + 1000, &p), 1);
	/* Clearing the profile keeps the other territory's interest. */
	save_profile(w, w->t, w->me, "Zéphyrine", "", NULL, 0);
	assert_int_equal(count(w->db, "SELECT COUNT(*) FROM user_interests WHERE user_id = ?", "i",
			       w->me, 0), 1);
	assert_int_equal(count(w->db, "SELECT COUNT(*) FROM user_skills WHERE user_id = ?", "i",
			       w->me, 0), 0);
}

static void test_contributions_by_author(void **state)
{
	struct world *w = *state;
	build_world(w);
	json_t *page;
	assert_int_equal(need_list_by_author(w->db, w->t, w->me, 20, &page), 0);
	json_t *items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), w->need);
	json_decref(page);
	assert_int_equal(initiative_list_by_author(w->db, w->t, w->me, 20, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	json_decref(page);
	/* Another territory: nothing. */
	assert_int_equal(need_list_by_author(w->db, w->t2, w->me, 20, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
}

/* ---- Export ---- */

static json_t *part(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);
	if (!json_is_array(v))
		fail_msg("export: no array \"%s\"", key);
	return v;
}

static const char *str_at(json_t *arr, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(json_array_get(arr, i), key));
	if (!s)
		fail_msg("export: no string \"%s\" in item %zu", key, i);
	return s;
}

/* The columns of users, from the schema. */
static json_t *users_columns(struct db *db)
{
	int step;
	struct db_stmt *st = db_kind(db) == DB_SQLITE
		? db_query(db, &step, "SELECT name FROM pragma_table_info('users')", "")
		: db_query(db, &step, "SELECT column_name FROM information_schema.columns"
				      " WHERE table_schema = current_schema() AND table_name = 'users'", "");
	assert_non_null(st);
	json_t *names = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(names, json_string(db_col_text(st, 0)));
	db_reset(st);
	assert_true(json_array_size(names) > 5);
	return names;
}

static void test_export_holds_everything(void **state)
{
	struct world *w = *state;
	build_world(w);
	json_t *doc;
	assert_int_equal(privacy_export(w->db, w->me, &doc), 0);
	json_t *account = json_object_get(doc, "account");
	assert_string_equal(json_string_value(json_object_get(account, "email")), EMAIL);
	assert_string_equal(json_string_value(json_object_get(account, "display_name")), NAME);
	assert_string_equal(json_string_value(json_object_get(account, "bio")), BIO);
	assert_string_equal(json_string_value(json_object_get(account, "neighbourhood")), PLACE);
	/* Every column of the users row but the hash: a column added later must be exported. */
	json_t *columns = users_columns(w->db);
	size_t i;
	json_t *c;
	json_array_foreach(columns, i, c) {
		const char *name = json_string_value(c);
		if (!strcmp(name, "password_hash"))
			assert_null(json_object_get(account, name));
		else if (!json_object_get(account, name))
			fail_msg("export: the account lacks users.%s", name);
	}
	json_decref(columns);

	assert_int_equal(json_array_size(part(doc, "skills")), 2);
	assert_string_equal(json_string_value(json_array_get(part(doc, "skills"), 1)), SKILL);
	assert_int_equal(json_array_size(part(doc, "interests")), 3);
	assert_string_equal(str_at(part(doc, "roles"), 0, "role"), "animator");
	assert_string_equal(str_at(part(doc, "organisations"), 0, "name"), "L'Asso");
	assert_string_equal(str_at(part(doc, "sessions"), 0, "user_agent"), AGENT);
	assert_string_equal(str_at(part(doc, "sessions"), 0, "ip"), IP);
	assert_int_equal(json_array_size(part(doc, "sessions")), 1);
	assert_string_equal(str_at(part(doc, "email_tokens"), 0, "new_email"), NEW_EMAIL);
	assert_string_equal(str_at(part(doc, "follows"), 0, "object_type"), "need");
	assert_int_equal(json_array_size(part(doc, "notifications")), 1);
	assert_int_equal(json_array_size(part(doc, "needs")), 1);
	assert_string_equal(str_at(part(doc, "needs"), 0, "title"), "Un banc près de l'école");
	assert_string_equal(str_at(part(doc, "initiatives"), 0, "title"), "Des bancs partout");
	assert_string_equal(str_at(part(doc, "mails"), 0, "subject"), "Bienvenue");
	assert_int_equal(json_array_size(part(doc, "mails")), 1);
	assert_int_equal(json_array_size(part(doc, "truncated")), 0);
	/* Activities: the creations and profile updates, with details as JSON. */
	json_t *acts = part(doc, "activities");
	size_t creates = 0;
	json_array_foreach(acts, i, c) {
		assert_true(json_is_object(json_object_get(c, "details")));
		creates += !strcmp(json_string_value(json_object_get(c, "verb")), "Create");
	}
	assert_int_equal(creates, 3); /* the account, the need, the initiative */

	/* No secret: the password hash, the session's token hash and CSRF token, the e-mail token. */
	char *text = json_dumps(doc, 0);
	assert_null(strstr(text, w->hash));
	assert_null(strstr(text, "$argon2"));
	assert_null(strstr(text, w->session_hash));
	assert_null(strstr(text, w->session_csrf));
	assert_null(strstr(text, "emailtokenhash-secret"));
	assert_null(strstr(text, "password_hash"));
	assert_null(strstr(text, "confirm/secret"));
	/* Nothing of the other person. */
	assert_null(strstr(text, "Un autre besoin"));
	assert_null(strstr(text, "Other/1"));
	free(text);
	json_decref(doc);
	assert_int_equal(privacy_export(w->db, w->me + 1000, &doc), 1);
}

static void test_password_matches(void **state)
{
	struct world *w = *state;
	build_world(w);
	assert_int_equal(privacy_password_matches(w->db, w->me, PASSWORD), 1);
	assert_int_equal(privacy_password_matches(w->db, w->me, "pas le bon mot de passe"), 0);
	assert_int_equal(privacy_password_matches(w->db, w->me, ""), 0);
	/* An account without a password (the demo's people) never matches. */
	assert_int_equal(db_execv(w->db, "UPDATE users SET password_hash = NULL WHERE id = ?", "i",
				  w->other), 0);
	assert_int_equal(privacy_password_matches(w->db, w->other, PASSWORD), 0);
	assert_int_equal(privacy_password_matches(w->db, w->me + 1000, PASSWORD), 0);
}

/* ---- Deletion ---- */

/* Every column of every table, from the schema: [[table, column]]. */
static json_t *all_columns(struct db *db)
{
	int step;
	struct db_stmt *st =
		db_kind(db) == DB_SQLITE
			? db_query(db, &step,
				   "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
				   " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'", "")
			: db_query(db, &step,
				   "SELECT table_name, column_name FROM information_schema.columns"
				   " WHERE table_schema = current_schema()", "");
	assert_non_null(st);
	json_t *cols = json_array();
	for (; step == DB_ROW; step = db_step(st))
		json_array_append_new(cols, json_pack("[s, s]", db_col_text(st, 0),
						      db_col_text(st, 1)));
	db_reset(st);
	assert_int_equal(step, DB_DONE);
	return cols;
}

/* Lower-case ASCII letters (SQLite's lower() changes no other). */
static void ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/*
 * The "table.column" of every column whose text holds needle (case
 * ignored), comma-separated, or "" when none does. Identifiers come from
 * the schema; the needle is bound.
 */
static char *columns_holding(struct db *db, json_t *cols, const char *needle)
{
	struct buf found = BUF_INIT, sql = BUF_INIT;
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%%%s%%", needle);
	ascii_lower(pattern);
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c) {
		const char *table = json_string_value(json_array_get(c, 0));
		const char *column = json_string_value(json_array_get(c, 1));
		buf_reset(&sql);
		buf_addf(&sql, "SELECT COUNT(*) FROM \"%s\" WHERE lower(CAST(\"%s\" AS TEXT)) LIKE ?",
			 table, column);
		int64_t n = -1;
		assert_int_equal(db_query_int(db, &n, sql.ptr, "t", pattern), 0);
		if (n)
			buf_addf(&found, "%s.%s ", table, column);
	}
	buf_release(&sql);
	return buf_detach(&found, NULL);
}

static void assert_named_nowhere(struct db *db)
{
	json_t *cols = all_columns(db);
	assert_true(json_array_size(cols) > 40);
	for (size_t i = 0; i < ARRAY_SIZE(personal); i++) {
		char *where = columns_holding(db, cols, personal[i]);
		if (*where)
			fail_msg("\"%s\" still in: %s", personal[i], where);
		free(where);
	}
	json_decref(cols);
}

static void test_scan_finds_the_person_before_deletion(void **state)
{
	struct world *w = *state;
	build_world(w);
	/* The scan itself works: before deletion each marker is found where it was written. */
	json_t *cols = all_columns(w->db);
	static const struct {
		const char *needle, *where;
	} expected[] = {
		{ EMAIL, "users.email" }, { NEW_EMAIL, "email_tokens.new_email" },
		{ NAME, "users.display_name" }, { BIO, "users.bio" },
		{ PLACE, "users.neighbourhood" }, { SKILL, "user_skills.skill" },
		{ AGENT, "sessions.user_agent" }, { IP, "sessions.ip" },
		{ "ZEPHYRINE.QUATREBARBE@", "outbox.to_address" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		char *where = columns_holding(w->db, cols, expected[i].needle);
		if (!strstr(where, expected[i].where))
			fail_msg("\"%s\" found in \"%s\", not in %s", expected[i].needle, where,
				 expected[i].where);
		free(where);
	}
	json_decref(cols);
}

static void test_delete_erases_the_person(void **state)
{
	struct world *w = *state;
	build_world(w);
	struct db *db = w->db;
	int64_t activities_before = count(db, "SELECT COUNT(*) FROM activities", "", 0, 0);
	/* The person supports the other's need's idea and says "me too": counters at 1. */
	int changed;
	assert_int_equal(signal_set(db, SIGNAL_SUPPORT, w->t, w->initiative, w->me, 1, &changed), 0);
	assert_int_equal(signal_set(db, SIGNAL_METOO, w->t, w->other_need, w->me, 1, &changed), 0);
	assert_int_equal(count(db, "SELECT support_count FROM initiatives WHERE id = ?", "i",
			       w->initiative, 0), 1);
	activities_before = count(db, "SELECT COUNT(*) FROM activities", "", 0, 0);
	assert_int_equal(privacy_delete_account(db, w->me), 0);
	/* Their support and "me too" went with them, and the counters with those. */
	assert_int_equal(count(db, "SELECT support_count FROM initiatives WHERE id = ?", "i",
			       w->initiative, 0), 0);
	assert_int_equal(count(db, "SELECT metoo_count FROM needs WHERE id = ?", "i",
			       w->other_need, 0), 0);

	assert_named_nowhere(db);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM users WHERE id = ?", "i", w->me, 0), 0);
	static const char *const tied[] = {
		"SELECT COUNT(*) FROM user_skills WHERE user_id = ?",
		"SELECT COUNT(*) FROM user_interests WHERE user_id = ?",
		"SELECT COUNT(*) FROM roles WHERE user_id = ?",
		"SELECT COUNT(*) FROM organisation_members WHERE user_id = ?",
		"SELECT COUNT(*) FROM follows WHERE user_id = ?",
		"SELECT COUNT(*) FROM notifications WHERE user_id = ?",
		"SELECT COUNT(*) FROM email_tokens WHERE user_id = ?",
		"SELECT COUNT(*) FROM outbox WHERE user_id = ?",
		"SELECT COUNT(*) FROM sessions WHERE user_id = ?",
		"SELECT COUNT(*) FROM activities WHERE actor_id = ?",
	};
	for (size_t i = 0; i < ARRAY_SIZE(tied); i++)
		if (count(db, tied[i], "i", w->me, 0))
			fail_msg("rows remain: %s", tied[i]);
	/* The session cookie means nothing any more; the other person's still works. */
	struct session *s;
	assert_int_equal(session_load(db, w->arena, w->session_token, &s), 0);
	assert_null(s);
	assert_int_equal(session_load(db, w->arena, w->other_session_token, &s), 0);
	assert_non_null(s);
	/* The address's rate-limit counters went too. */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM rate_limits", "", 0, 0), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM outbox", "", 0, 0), 0);

	/* The contributions stay, from a deleted participant. */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM needs WHERE id = ? AND author_id IS NULL",
			       "i", w->need, 0), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM initiatives WHERE id = ?"
				   " AND author_id IS NULL", "i", w->initiative, 0), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM needs WHERE id = ? AND author_id = ?",
			       "ii", w->other_need, w->other), 1);
	json_t *need;
	assert_int_equal(need_get(db, w->t, w->need, &need), 0);
	json_t *author = json_object_get(need, "author");
	assert_true(json_is_true(json_object_get(author, "deleted")));
	assert_true(json_is_null(json_object_get(author, "id")));
	assert_string_equal(json_string_value(json_object_get(author, "name")), USER_DELETED_NAME);
	/* The idea answering it, listed on the need's page, says the same. */
	json_t *idea = json_array_get(json_object_get(need, "ideas"), 0);
	assert_true(json_is_true(json_object_get(json_object_get(idea, "author"), "deleted")));
	json_decref(need);
	struct need_filter f = { .limit = 10 };
	json_t *page;
	assert_int_equal(need_list(db, w->t, &f, &page), 0);
	json_t *items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 2);
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		json_t *a = json_object_get(item, "author");
		int mine = json_integer_value(json_object_get(item, "id")) == w->need;
		assert_int_equal(json_is_true(json_object_get(a, "deleted")), mine);
		if (!mine)
			assert_string_equal(json_string_value(json_object_get(a, "name")), "Autre Personne");
	}
	json_decref(page);
	json_t *in;
	assert_int_equal(initiative_get(db, w->t, w->initiative, &in), 0);
	assert_true(json_is_true(json_object_get(json_object_get(in, "author"), "deleted")));
	json_decref(in);

	/* One "Delete" activity, without actor or territory; no log row was lost. */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM activities WHERE verb = 'Delete'"
				   " AND object_type = 'user' AND object_id = ? AND actor_id IS NULL"
				   " AND territory_id IS NULL", "i", w->me, 0), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM activities", "", 0, 0), activities_before + 1);
	/* The other person is untouched. */
	json_t *p;
	assert_int_equal(profile_get(db, w->t, w->other, &p), 0);
	json_decref(p);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", "i", w->other, 0), 1);
	/* Gone is gone. */
	assert_int_equal(privacy_delete_account(db, w->me), 1);
	assert_int_equal(privacy_export(db, w->me, &p), 1);
	assert_int_equal(profile_get(db, w->t, w->me, &p), 1);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_skills_normalised),
		cmocka_unit_test(test_skills_refused),
	};
	const struct CMUnitTest tests[] = {
		DB_TEST(test_profile_refused),
		DB_TEST(test_profile_saved_and_read),
		DB_TEST(test_contributions_by_author),
		DB_TEST(test_export_holds_everything),
		DB_TEST(test_password_matches),
		DB_TEST(test_scan_finds_the_person_before_deletion),
		DB_TEST(test_delete_erases_the_person),
	};
	int failed = 0;
	log_set_quiet(1);
	auth_init();
	failed += cmocka_run_group_tests_name("skills", pure, NULL, NULL);
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL,
						  NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
