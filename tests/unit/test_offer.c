/*
 * Offers: who may publish (members of an accredited partner of the
 * territory only), form checks, writes with their activities, the list's
 * filters and keyset pages, and what each partner supported. On SQLite
 * and, with TREMPLIN_TEST_PG, on PostgreSQL.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/mem.h"
#include "domain/offer.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t t, t2, partner, unaccredited, plain, away, m, q, o, stranger, theme, theme2;
};

static int64_t insert_id(struct db *db, const char *sql)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id, sql, ""), 0);
	return id;
}

static int64_t org(struct db *db, int64_t t, const char *slug, int partner, int accredited)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO organisations (territory_id, slug, name, kind, is_partner,"
				      " accredited_at, created_at) VALUES (?, ?, ?, 'partner', ?,"
				      " NULLIF(CAST(? AS BIGINT), 0), 0) RETURNING id",
				      "ittii", t, slug, slug, (int64_t)partner, (int64_t)(accredited ? 5 : 0)),
			 0);
	return id;
}

static void member(struct db *db, int64_t org_id, int64_t user, const char *role)
{
	assert_int_equal(db_execv(db, "INSERT INTO organisation_members (organisation_id, user_id, role,"
				      " joined_at) VALUES (?, ?, ?, 0)",
				  "iit", org_id, user, role),
			 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->t = insert_id(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('t', 'T', 0) RETURNING id");
	f->t2 = insert_id(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('u', 'U', 0) RETURNING id");
	f->m = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('m@x.org', 'Mia', 0) RETURNING id");
	f->q = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('q@x.org', 'Quy', 0) RETURNING id");
	f->o = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('o@x.org', 'Oda', 0) RETURNING id");
	f->stranger = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('s@x.org', 'Sam', 0) RETURNING id");
	f->partner = org(f->db, f->t, "valley", 1, 1);
	f->unaccredited = org(f->db, f->t, "pending", 1, 0);
	f->plain = org(f->db, f->t, "asso", 0, 0);
	f->away = org(f->db, f->t2, "away", 1, 1);
	member(f->db, f->partner, f->m, "member");
	member(f->db, f->unaccredited, f->q, "owner");
	member(f->db, f->plain, f->o, "owner");
	member(f->db, f->away, f->m, "owner");
	char sql[200];
	snprintf(sql, sizeof(sql), "INSERT INTO themes (territory_id, slug, name) VALUES (%lld, 'food', 'Food') RETURNING id", (long long)f->t);
	f->theme = insert_id(f->db, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO themes (territory_id, slug, name) VALUES (%lld, 'solidarity', 'Solidarity') RETURNING id", (long long)f->t);
	f->theme2 = insert_id(f->db, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO themes (territory_id, slug, name) VALUES (%lld, 'other', 'Other') RETURNING id", (long long)f->t2);
	insert_id(f->db, sql);
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

static void test_may_publish(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(offer_may_publish(f->db, f->t, f->partner, f->m), 1);
	assert_int_equal(offer_may_publish(f->db, f->t, f->partner, f->stranger), 0);
	assert_int_equal(offer_may_publish(f->db, f->t, f->unaccredited, f->q), 0); /* not accredited */
	assert_int_equal(offer_may_publish(f->db, f->t, f->plain, f->o), 0); /* not a partner */
	assert_int_equal(offer_may_publish(f->db, f->t, f->away, f->m), 0); /* another territory's */
	assert_int_equal(offer_may_publish(f->db, f->t2, f->away, f->m), 1);
	/* Accreditation ended: publishing ends with it. */
	assert_int_equal(db_execv(f->db, "UPDATE organisations SET accredited_at = NULL WHERE id = ?", "i", f->partner), 0);
	assert_int_equal(offer_may_publish(f->db, f->t, f->partner, f->m), 0);
}

static const char *const PROJECT[] = { "project" };

static struct offer_form good_form(void)
{
	struct offer_form in = { .kind = "premises", .title = "Bureaux partagés", .description = "Un **plateau**.",
				 .conditions = "Être une association.", .amount = "", .capacity = "3 postes pendant 6 mois",
				 .opens = "2030-01-01", .closes = "2030-06-30", .active = "1", .stages = PROJECT,
				 .stage_count = 1 };
	return in;
}

static void assert_error(struct fixture *f, const struct offer_form *in, const char *field)
{
	struct offer_input out;
	json_t *err = offer_validate(f->db, f->t, in, &out);
	assert_non_null(err);
	if (!json_object_get(err, field))
		fail_msg("expected an error on %s, got %s", field, json_dumps(err, 0));
	json_decref(err);
}

static void test_validate(void **state)
{
	struct fixture *f = *state;
	struct offer_form in = good_form();
	struct offer_input out;
	const char *const themes[] = { "food", "solidarity", "food" };
	in.themes = themes;
	in.theme_count = 3;
	json_t *err = offer_validate(f->db, f->t, &in, &out);
	assert_int_equal(json_object_size(err), 0);
	json_decref(err);
	assert_int_equal(out.stages, 1u << 2);
	assert_int_equal(out.theme_count, 2); /* once each */
	assert_int_equal(out.amount_max_eur, 0);
	assert_true(out.opens_at > 0 && out.closes_at > out.opens_at);
	/* The close date is the day's last second in Paris (summer: UTC+2). */
	assert_int_equal(out.closes_at, 1909087199);

	struct offer_form bad = good_form();
	bad.kind = "money";
	assert_error(f, &bad, "kind");
	bad = good_form();
	bad.title = "";
	assert_error(f, &bad, "title");
	char long_title[OFFER_TITLE_MAX + 2];
	memset(long_title, 'x', sizeof(long_title) - 1);
	long_title[OFFER_TITLE_MAX + 1] = '\0';
	bad.title = long_title;
	assert_error(f, &bad, "title");
	long_title[OFFER_TITLE_MAX] = '\0'; /* 200: fine */
	err = offer_validate(f->db, f->t, &bad, &out);
	assert_int_equal(json_object_size(err), 0);
	json_decref(err);
	bad = good_form();
	bad.stage_count = 0;
	assert_error(f, &bad, "stages");
	const char *const wrong_stage[] = { "archived" };
	bad.stages = wrong_stage;
	bad.stage_count = 1;
	assert_error(f, &bad, "stages");
	bad = good_form();
	bad.amount = "12,5";
	assert_error(f, &bad, "amount");
	bad = good_form();
	bad.opens = "2030-02-30";
	assert_error(f, &bad, "opens");
	bad = good_form();
	bad.closes = "2029-12-31";
	assert_error(f, &bad, "closes");
	bad = good_form();
	const char *const other_theme[] = { "other" }; /* the other territory's */
	bad.themes = other_theme;
	bad.theme_count = 1;
	assert_error(f, &bad, "themes");
	bad = good_form();
	bad.active = "2";
	assert_error(f, &bad, "active");
	char *conditions = calloc(OFFER_CONDITIONS_MAX + 2, 1);
	memset(conditions, 'c', OFFER_CONDITIONS_MAX + 1);
	bad = good_form();
	bad.conditions = conditions;
	assert_error(f, &bad, "conditions");
	free(conditions);
}

/* Create an offer of org_id: kind, one stage, optionally a theme, active or not. */
static int64_t make(struct fixture *f, int64_t org_id, const char *kind, const char *stage, int64_t theme,
		    int active)
{
	struct offer_input in = { .kind = kind, .title = "Offre", .description = "", .conditions = "",
				  .capacity = "", .active = active, .stages = 1u << offer_stage_index(stage) };
	if (theme)
		in.theme_ids[in.theme_count++] = theme;
	int64_t id = 0;
	assert_int_equal(offer_create(f->db, f->t, org_id, f->m, &in, &id), 0);
	return id;
}

static int64_t count(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", id), 0);
	return n;
}

static void test_create_get_update(void **state)
{
	struct fixture *f = *state;
	struct offer_form form = good_form();
	const char *const themes[] = { "solidarity" };
	form.themes = themes;
	form.theme_count = 1;
	form.amount = "5000";
	struct offer_input in;
	json_t *err = offer_validate(f->db, f->t, &form, &in);
	assert_int_equal(json_object_size(err), 0);
	json_decref(err);
	int64_t id = 0;
	assert_int_equal(offer_create(f->db, f->t, f->partner, f->m, &in, &id), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Create' AND object_type = 'offer' AND object_id = ?", id), 1);

	json_t *o = NULL;
	assert_int_equal(offer_get(f->db, f->t, id, &o), 0);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "premises");
	assert_string_equal(json_string_value(json_object_get(o, "capacity")), "3 postes pendant 6 mois");
	assert_int_equal(json_integer_value(json_object_get(o, "amount_max_eur")), 5000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "stages"), 0)), "project");
	assert_int_equal(json_array_size(json_object_get(o, "stages")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "themes"), 0), "slug")), "solidarity");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "organisation"), "slug")), "valley");
	assert_true(json_is_true(json_object_get(o, "active")));
	json_decref(o);
	assert_int_equal(offer_get(f->db, f->t2, id, &o), 1); /* not from another territory */

	/* Update: stages and themes replaced, paused, amount removed. */
	const char *const two[] = { "idea", "realised" };
	form.stages = two;
	form.stage_count = 2;
	form.theme_count = 0;
	form.amount = "";
	form.active = "0";
	err = offer_validate(f->db, f->t, &form, &in);
	json_decref(err);
	assert_int_equal(offer_update(f->db, f->t, id, f->m, &in), 0);
	assert_int_equal(offer_update(f->db, f->t2, id, f->m, &in), 1);
	assert_int_equal(offer_get(f->db, f->t, id, &o), 0);
	json_t *stages = json_object_get(o, "stages");
	assert_int_equal(json_array_size(stages), 2);
	assert_string_equal(json_string_value(json_array_get(stages, 0)), "idea");
	assert_string_equal(json_string_value(json_array_get(stages, 1)), "realised");
	assert_int_equal(json_array_size(json_object_get(o, "themes")), 0);
	assert_true(json_is_null(json_object_get(o, "amount_max_eur")));
	assert_true(json_is_false(json_object_get(o, "active")));
	json_decref(o);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update' AND object_type = 'offer' AND object_id = ?", id), 1);
	int64_t org_id = 0;
	assert_int_equal(offer_organisation(f->db, f->t, id, &org_id), 0);
	assert_int_equal(org_id, f->partner);

	assert_string_equal(offer_state(0, 0, 0, 100), "paused");
	assert_string_equal(offer_state(1, 200, 0, 100), "closed");
	assert_string_equal(offer_state(1, 0, 50, 100), "closed");
	assert_string_equal(offer_state(1, 50, 200, 100), "open");
}

static json_t *list(struct fixture *f, const char *kind, const char *stage, int64_t theme, int64_t before,
		    size_t limit)
{
	struct offer_filter flt = { kind, stage, theme, before, limit };
	json_t *out = NULL;
	assert_int_equal(offer_list(f->db, f->t, &flt, &out), 0);
	return out;
}

static size_t n_items(json_t *page)
{
	return json_array_size(json_object_get(page, "items"));
}

static int64_t item_id(json_t *page, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(json_object_get(page, "items"), i), "id"));
}

static void test_list_filters_and_pages(void **state)
{
	struct fixture *f = *state;
	int64_t a = make(f, f->partner, "premises", "project", 0, 1);
	int64_t b = make(f, f->partner, "coaching", "idea", f->theme, 1);
	int64_t c = make(f, f->partner, "premises", "idea", f->theme, 1);
	int64_t paused = make(f, f->partner, "premises", "project", 0, 0);
	int64_t hidden = make(f, f->unaccredited, "premises", "project", 0, 1);
	json_t *p = list(f, NULL, NULL, 0, 0, 10);
	assert_int_equal(n_items(p), 3); /* neither paused nor unaccredited */
	assert_int_equal(item_id(p, 0), c);
	assert_int_equal(item_id(p, 2), a);
	assert_true(json_is_null(json_object_get(p, "next_before")));
	json_decref(p);

	p = list(f, "premises", "project", 0, 0, 10);
	assert_int_equal(n_items(p), 1);
	assert_int_equal(item_id(p, 0), a);
	json_decref(p);
	p = list(f, "premises", NULL, 0, 0, 10);
	assert_int_equal(n_items(p), 2);
	json_decref(p);
	p = list(f, NULL, "idea", f->theme, 0, 10);
	assert_int_equal(n_items(p), 2);
	assert_int_equal(item_id(p, 0), c);
	assert_int_equal(item_id(p, 1), b);
	json_decref(p);
	p = list(f, NULL, NULL, f->theme2, 0, 10);
	assert_int_equal(n_items(p), 0);
	json_decref(p);

	/* Keyset pages of 2: c, b, then a. */
	p = list(f, NULL, NULL, 0, 0, 2);
	assert_int_equal(n_items(p), 2);
	int64_t next = json_integer_value(json_object_get(p, "next_before"));
	assert_int_equal(next, b);
	json_decref(p);
	p = list(f, NULL, NULL, 0, next, 2);
	assert_int_equal(n_items(p), 1);
	assert_int_equal(item_id(p, 0), a);
	assert_true(json_is_null(json_object_get(p, "next_before")));
	json_decref(p);

	json_t *mine = NULL;
	assert_int_equal(offer_list_by_organisation(f->db, f->t, f->partner, &mine), 0);
	assert_int_equal(json_array_size(mine), 4); /* paused too */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(mine, 0), "id")), paused);
	json_decref(mine);
	assert_int_equal(offer_list_by_organisation(f->db, f->t, f->unaccredited, &mine), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(mine, 0), "id")), hidden);
	json_decref(mine);
}

static void test_supported_projects(void **state)
{
	struct fixture *f = *state;
	int64_t a = make(f, f->partner, "premises", "project", 0, 1);
	int64_t done = 0, waiting = 0;
	assert_int_equal(db_query_int(f->db, &done, "INSERT INTO initiatives (territory_id, author_id, title, stage,"
				      " created_at, updated_at) VALUES (?, ?, 'Soutenu', 'supported', 0, 0) RETURNING id",
				      "ii", f->t, f->o), 0);
	assert_int_equal(db_query_int(f->db, &waiting, "INSERT INTO initiatives (territory_id, author_id, title, stage,"
				      " created_at, updated_at) VALUES (?, ?, 'En attente', 'project', 0, 0) RETURNING id",
				      "ii", f->t, f->o), 0);
	assert_int_equal(db_execv(f->db, "INSERT INTO support_requests (territory_id, offer_id, initiative_id, state,"
				  " created_at, updated_at) VALUES (?, ?, ?, 'completed', 0, 0), (?, ?, ?, 'pending', 0, 0)",
				  "iiiiii", f->t, a, done, f->t, a, waiting), 0);
	json_t *by = NULL;
	assert_int_equal(offer_supported_projects(f->db, f->t, &by), 0);
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)f->partner);
	json_t *l = json_object_get(by, key);
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "title")), "Soutenu");
	json_decref(by);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_may_publish),
		DB_TEST(test_validate),
		DB_TEST(test_create_get_update),
		DB_TEST(test_list_filters_and_pages),
		DB_TEST(test_supported_projects),
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
