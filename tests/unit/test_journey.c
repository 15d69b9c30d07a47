/*
 * The journey's rules: the transitions table (who may make which move),
 * a move recorded with its activity, a stale move refused, notes and merge
 * targets checked, team offers once per person and decided once, project
 * needs checked, the outcome saved with the realised move. On SQLite and,
 * with TREMPLIN_TEST_PG, on PostgreSQL.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/mem.h"
#include "domain/journey.h"
#include "domain/outcome.h"
#include "domain/project_need.h"
#include "domain/team.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t t, author, animator, member, other, id;
};

static int64_t insert_id(struct db *db, const char *sql)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id, sql, ""), 0);
	return id;
}

static int64_t count(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", id), 0);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->t = insert_id(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('t', 'T', 0) RETURNING id");
	f->author = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('a@x.org', 'Ana', 0) RETURNING id");
	f->animator = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('b@x.org', 'Bea', 0) RETURNING id");
	f->member = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('c@x.org', 'Cem', 0) RETURNING id");
	f->other = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('d@x.org', 'Dan', 0) RETURNING id");
	assert_int_equal(db_query_int(f->db, &f->id,
				      "INSERT INTO initiatives (territory_id, author_id, title, stage, created_at,"
				      " updated_at) VALUES (?, ?, 'Une idée', 'idea', 0, 0) RETURNING id",
				      "ii", f->t, f->author), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	db_close(f->db);
	free(f);
	return 0;
}

static void test_table_allows_and_refuses(void **state)
{
	(void)state;
	const unsigned A = JOURNEY_AUTHOR, M = JOURNEY_ANIMATOR, C = JOURNEY_CARRIER;
	/* Authors: idea → improving, and withdrawing their idea. */
	assert_true(journey_may_move("idea", "improving", A));
	assert_true(journey_may_move("idea", "archived", A));
	assert_false(journey_may_move("idea", "project", A));
	assert_false(journey_may_move("project", "realised", A));
	assert_false(journey_may_move("project", "archived", A));
	assert_false(journey_may_move("idea", "merged", A));
	/* A carrier is no animator. */
	assert_false(journey_may_move("project", "supported", C));
	/* Animators: along the table, and any stage to archived or merged. */
	assert_true(journey_may_move("idea", "improving", M));
	assert_true(journey_may_move("improving", "project", M));
	assert_true(journey_may_move("project", "supported", M));
	assert_true(journey_may_move("supported", "realised", M));
	assert_true(journey_may_move("realised", "archived", M));
	assert_true(journey_may_move("supported", "merged", M));
	assert_true(journey_may_move("archived", "idea", M));
	/* Not on the table for anyone. */
	assert_false(journey_may_move("idea", "realised", M));
	assert_false(journey_may_move("realised", "idea", M));
	assert_false(journey_may_move("merged", "archived", M));
	assert_false(journey_may_move("merged", "idea", M));
	assert_false(journey_may_move("idea", "idea", M));
	assert_false(journey_may_move("idea", "nowhere", M));
	assert_false(journey_may_move("idea", "improving", 0));
	/* Notes: optional to start improving, required to become a project. */
	assert_int_equal(journey_transition_find("idea", "improving")->note_required, 0);
	assert_int_equal(journey_transition_find("improving", "project")->note_required, 1);
	assert_int_equal(journey_transition_find("realised", "archived")->note_required, 1);
}

static void test_who(void **state)
{
	struct fixture *f = *state;
	unsigned who = 99;
	assert_int_equal(journey_who(f->db, f->t, f->id, f->author, 0, &who), 0);
	assert_int_equal(who, JOURNEY_AUTHOR);
	assert_int_equal(journey_who(f->db, f->t, f->id, f->member, 0, &who), 0);
	assert_int_equal(who, 0);
	assert_int_equal(journey_who(f->db, f->t, f->id, f->animator, 1, &who), 0);
	assert_int_equal(who, JOURNEY_ANIMATOR);
	assert_int_equal(journey_who(f->db, f->t + 1, f->id, f->author, 0, &who), 1);
}

static void test_move_records_and_refuses(void **state)
{
	struct fixture *f = *state;
	struct journey_move m = { .actor_id = f->member, .who = 0, .from = "idea", .to = "improving", .note = "" };
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_REFUSED);
	m.actor_id = f->author;
	m.who = JOURNEY_AUTHOR;
	m.to = "project";
	m.note = "Prête";
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_REFUSED);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND verb = 'Move'", f->id), 0);

	m.to = "improving";
	m.note = "On l'améliore ensemble";
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND stage = 'improving'", f->id), 1);

	/* The animator becomes a project without a note: refused; with one: done, the author carries it. */
	struct journey_move p = { .actor_id = f->animator, .who = JOURNEY_ANIMATOR, .from = "improving", .to = "project", .note = "" };
	assert_int_equal(journey_move(f->db, f->t, f->id, &p), JOURNEY_INVALID);
	char long_note[JOURNEY_NOTE_MAX + 2];
	memset(long_note, 'n', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = '\0';
	p.note = long_note;
	assert_int_equal(journey_move(f->db, f->t, f->id, &p), JOURNEY_INVALID);
	p.note = "Un porteur, une équipe";
	assert_int_equal(journey_move(f->db, f->t, f->id, &p), JOURNEY_OK);
	assert_int_equal(count(f->db, "SELECT carrier_user_id FROM initiatives WHERE id = ?", f->id), f->author);

	json_t *tl;
	assert_int_equal(journey_timeline(f->db, f->t, f->id, 50, &tl), 0);
	assert_int_equal(json_array_size(tl), 2);
	json_t *last = json_array_get(tl, 1);
	assert_string_equal(json_string_value(json_object_get(last, "from")), "improving");
	assert_string_equal(json_string_value(json_object_get(last, "to")), "project");
	assert_string_equal(json_string_value(json_object_get(last, "note")), "Un porteur, une équipe");
	assert_string_equal(json_string_value(json_object_get(json_object_get(last, "actor"), "name")), "Bea");
	json_decref(tl);
}

static void test_stale_move(void **state)
{
	struct fixture *f = *state;
	struct journey_move a = { .actor_id = f->animator, .who = JOURNEY_ANIMATOR, .from = "idea", .to = "archived", .note = "Doublon" };
	struct journey_move b = { .actor_id = f->author, .who = JOURNEY_AUTHOR | JOURNEY_ANIMATOR, .from = "idea", .to = "improving", .note = "" };
	assert_int_equal(journey_move(f->db, f->t, f->id, &a), JOURNEY_OK);
	/* b saw "idea": the initiative has moved since. Nothing written. */
	assert_int_equal(journey_move(f->db, f->t, f->id, &b), JOURNEY_STALE);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND stage = 'archived'", f->id), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND verb = 'Move'", f->id), 1);
	/* Another territory's initiative is not found. */
	assert_int_equal(journey_move(f->db, f->t + 1, f->id, &a), JOURNEY_NOT_FOUND);
}

static void test_merge_needs_target(void **state)
{
	struct fixture *f = *state;
	struct journey_move m = { .actor_id = f->animator, .who = JOURNEY_ANIMATOR, .from = "idea", .to = "merged", .note = "Même idée", .merged_into = f->id };
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_INVALID);
	int64_t target;
	assert_int_equal(db_query_int(f->db, &target,
				      "INSERT INTO initiatives (territory_id, title, stage, created_at, updated_at)"
				      " VALUES (?, 'Cible', 'idea', 0, 0) RETURNING id", "i", f->t), 0);
	m.merged_into = target;
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_OK);
	json_t *st;
	assert_int_equal(journey_state(f->db, f->t, f->id, &st), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "merged_into"), "id")), target);
	assert_string_equal(json_string_value(json_object_get(st, "stage_note")), "Même idée");
	json_decref(st);
}

static void to_project(struct fixture *f)
{
	assert_int_equal(db_execv(f->db, "UPDATE initiatives SET stage = 'project', carrier_user_id = ? WHERE id = ?",
				  "ii", f->author, f->id), 0);
}

static void test_team_offer_and_decide(void **state)
{
	struct fixture *f = *state;
	/* No team before the project stage. */
	assert_int_equal(team_offer(f->db, f->t, f->id, f->member, "compta", ""), 2);
	to_project(f);
	assert_int_equal(team_offer(f->db, f->t, f->id, f->member, "compta", "Je peux aider"), 0);
	assert_int_equal(team_offer(f->db, f->t, f->id, f->member, "compta", "Encore"), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM team_members WHERE initiative_id = ?", f->id), 1);
	int64_t mid = 0, iid = 0, uid = 0;
	assert_int_equal(db_query_int(f->db, &mid, "SELECT id FROM team_members WHERE user_id = ?", "i", f->member), 0);
	assert_int_equal(team_offer_find(f->db, f->t, mid, &iid, &uid), 0);
	assert_int_equal(iid, f->id);
	assert_int_equal(uid, f->member);
	/* The carrier manages; accepting twice decides once. */
	unsigned who;
	assert_int_equal(journey_who(f->db, f->t, f->id, f->author, 0, &who), 0);
	assert_true(journey_may_manage(who));
	assert_int_equal(journey_who(f->db, f->t, f->id, f->other, 0, &who), 0);
	assert_false(journey_may_manage(who));
	assert_int_equal(team_decide(f->db, f->t, mid, f->author, 1), 0);
	assert_int_equal(team_decide(f->db, f->t, mid, f->author, 0), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM team_members WHERE id = ? AND state = 'accepted'", mid), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE target_id = ? AND verb IN ('Join', 'Accept')", f->id), 2);
	json_t *team;
	assert_int_equal(team_list(f->db, f->id, &team), 0);
	assert_int_equal(json_array_size(team), 1);
	json_decref(team);
}

static void test_skills_suggestions(void **state)
{
	struct fixture *f = *state;
	to_project(f);
	json_t *skills = json_pack("[s, s]", "comptabilité", "menuiserie");
	assert_int_equal(team_skills_set(f->db, f->t, f->id, f->author, skills), 0);
	json_decref(skills);
	assert_int_equal(db_execv(f->db, "INSERT INTO user_skills (user_id, skill) VALUES (?, 'menuiserie')", "i", f->member), 0);
	json_t *s;
	assert_int_equal(team_suggested_for_user(f->db, f->t, f->member, 5, &s), 0);
	assert_int_equal(json_array_size(s), 1);
	json_decref(s);
	assert_int_equal(team_suggested_for_user(f->db, f->t, f->other, 5, &s), 0);
	assert_int_equal(json_array_size(s), 0);
	json_decref(s);
	/* Once they offered, it is no longer suggested. */
	assert_int_equal(team_offer(f->db, f->t, f->id, f->member, "menuiserie", ""), 0);
	assert_int_equal(team_suggested_for_user(f->db, f->t, f->member, 5, &s), 0);
	assert_int_equal(json_array_size(s), 0);
	json_decref(s);
}

static void test_project_needs(void **state)
{
	struct fixture *f = *state;
	struct project_need_input in;
	struct project_need_form bad = { .kind = "money", .description = "Four", .amount = "-3" };
	json_t *err = project_need_validate(&bad, &in);
	assert_non_null(json_object_get(err, "amount"));
	json_decref(err);
	struct project_need_form bad_kind = { .kind = "love", .description = "x" };
	err = project_need_validate(&bad_kind, &in);
	assert_non_null(json_object_get(err, "kind"));
	json_decref(err);
	struct project_need_form ok = { .kind = "premises", .description = "Un atelier", .surface = "40", .duration = "12" };
	err = project_need_validate(&ok, &in);
	assert_int_equal(json_object_size(err), 0);
	json_decref(err);
	int64_t nid;
	assert_int_equal(project_need_add(f->db, f->t, f->id, f->author, &in, &nid), 0);
	in.state = "met";
	assert_int_equal(project_need_update(f->db, f->t, nid, f->author, &in), 0);
	json_t *list;
	assert_int_equal(project_need_list(f->db, f->id, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	json_t *n = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(n, "surface_m2")), 40);
	assert_string_equal(json_string_value(json_object_get(n, "state")), "met");
	assert_true(json_is_null(json_object_get(n, "amount_eur")));
	json_decref(list);
}

static void test_realised_as_event(void **state)
{
	struct fixture *f = *state;
	to_project(f);
	struct outcome_form form = { .kind = "event", .starts_at = "2030-07-14T18:30", .ends_at = "2030-07-14T17:00", .place = "Jardin", .impact = "Un quartier réuni" };
	struct outcome_new o;
	json_t *err = outcome_validate(&form, &o);
	assert_non_null(json_object_get(err, "ends_at")); /* ends before it starts */
	json_decref(err);
	form.ends_at = "2030-07-14T23:00";
	err = outcome_validate(&form, &o);
	assert_int_equal(json_object_size(err), 0);
	json_decref(err);
	/* Paris summer time: 18:30 in July is 16:30 UTC. */
	assert_int_equal(o.starts_at, 1910277000);
	struct journey_move m = { .actor_id = f->animator, .who = JOURNEY_ANIMATOR, .from = "project", .to = "realised", .note = "C'est fait" };
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_INVALID); /* no outcome */
	m.outcome = &o;
	assert_int_equal(journey_move(f->db, f->t, f->id, &m), JOURNEY_OK);
	json_t *page;
	assert_int_equal(outcome_events(f->db, f->t, 1800000000, 1, 0, 0, 20, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	json_decref(page);
	assert_int_equal(outcome_events(f->db, f->t, 1800000000, 0, 0, 0, 20, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND outcome_kind = 'event'", f->id), 1);
}

static void test_paris_time(void **state)
{
	(void)state;
	char s[32];
	/* Winter: UTC+1; summer: UTC+2; the switch at 01:00 UTC on the last Sunday of March 2030 (the 31st). */
	assert_int_equal(outcome_paris_to_utc(2030, 1, 15, 12, 0), 1894705200);
	outcome_paris_format(1894705200, s);
	assert_string_equal(s, "2030-01-15T12:00");
	outcome_paris_format(1901149200 - 1, s); /* 2030-03-31T00:59:59Z */
	assert_string_equal(s, "2030-03-31T01:59");
	outcome_paris_format(1901149200, s); /* 2030-03-31T01:00:00Z */
	assert_string_equal(s, "2030-03-31T03:00");
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_allows_and_refuses),
		cmocka_unit_test(test_paris_time),
		DB_TEST(test_who),
		DB_TEST(test_move_records_and_refuses),
		DB_TEST(test_stale_move),
		DB_TEST(test_merge_needs_target),
		DB_TEST(test_team_offer_and_decide),
		DB_TEST(test_skills_suggestions),
		DB_TEST(test_project_needs),
		DB_TEST(test_realised_as_event),
	};
	int failed = 0;
	log_set_quiet(1);
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
