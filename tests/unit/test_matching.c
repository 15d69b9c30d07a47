/*
 * Matching offers to projects: an offer of premises for the "project"
 * stage fits a project with an open premises need, and stops fitting when
 * the need is met, the offer paused, closed or not yet open, its partner
 * not accredited, the stage not listed, or the territory another; a theme
 * match ranks first; each suggestion carries its reasons; one statement
 * per call. On SQLite and, with TREMPLIN_TEST_PG, on PostgreSQL.
 */
#include "testutil.h"

#include <time.h>

#include <jansson.h>

#include "domain/matching.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t t, t2, theme, other_theme, partner, unaccredited, partner2, project, need;
};

static int64_t insert(struct db *db, const char *sql, const char *types, ...)
{
	/* Every insert here binds at most three integers. */
	va_list ap;
	va_start(ap, types);
	int64_t a[3] = { 0 };
	for (int i = 0; types[i] && i < 3; i++)
		a[i] = va_arg(ap, int64_t);
	va_end(ap);
	int64_t id = 0;
	int rc;
	if (!strcmp(types, "iii"))
		rc = db_query_int(db, &id, sql, types, a[0], a[1], a[2]);
	else if (!strcmp(types, "ii"))
		rc = db_query_int(db, &id, sql, types, a[0], a[1]);
	else if (!strcmp(types, "i"))
		rc = db_query_int(db, &id, sql, types, a[0]);
	else
		rc = db_query_int(db, &id, sql, "");
	assert_int_equal(rc, 0);
	return id;
}

static void exec(struct db *db, const char *sql, int64_t id)
{
	assert_int_equal(db_execv(db, sql, "i", id), 0);
}

static int64_t org(struct db *db, int64_t t, const char *slug, int accredited)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO organisations (territory_id, slug, name, kind, is_partner, accredited_at,"
				      " created_at) VALUES (?, ?, 'Partenaire', 'partner', 1, ?, 0) RETURNING id",
				      accredited ? "iti" : "itn", t, slug, (int64_t)1), 0);
	return id;
}

/* An active offer of kind by org, for one stage, created at `at`. */
static int64_t offer(struct fixture *f, int64_t t, int64_t org_id, const char *kind, const char *stage, int64_t at)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(f->db, &id,
				      "INSERT INTO offers (territory_id, organisation_id, kind, title, created_at,"
				      " updated_at) VALUES (?, ?, ?, 'Une offre', ?, ?) RETURNING id",
				      "iitii", t, org_id, kind, at, at), 0);
	assert_int_equal(db_execv(f->db, "INSERT INTO offer_stages (offer_id, stage) VALUES (?, ?)", "it", id,
				  stage), 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->t = insert(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('t', 'T', 0) RETURNING id", "");
	f->t2 = insert(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('u', 'U', 0) RETURNING id", "");
	f->theme = insert(f->db, "INSERT INTO themes (territory_id, slug, name) VALUES (?, 's', 'Solidarité') RETURNING id",
			  "i", f->t);
	f->other_theme = insert(f->db, "INSERT INTO themes (territory_id, slug, name) VALUES (?, 'c', 'Culture') RETURNING id",
				"i", f->t);
	f->partner = org(f->db, f->t, "p", 1);
	f->unaccredited = org(f->db, f->t, "q", 0);
	f->partner2 = org(f->db, f->t2, "p", 1);
	f->project = insert(f->db,
			    "INSERT INTO initiatives (territory_id, title, stage, theme_id, created_at, updated_at)"
			    " VALUES (?, 'Un atelier', 'project', ?, 0, 0) RETURNING id",
			    "ii", f->t, f->theme);
	f->need = insert(f->db,
			 "INSERT INTO project_needs (territory_id, initiative_id, kind, description, created_at,"
			 " updated_at) VALUES (?, ?, 'premises', '50 m² pour l''atelier', 0, 0) RETURNING id",
			 "ii", f->t, f->project);
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

static json_t *offers(struct fixture *f, int64_t t)
{
	json_t *out = NULL;
	uint64_t before = db_statement_count(f->db);
	assert_int_equal(matching_offers_for_project(f->db, t, f->project, 10, &out), 0);
	assert_int_equal(db_statement_count(f->db) - before, 1);
	return out;
}

static size_t count_offers(struct fixture *f)
{
	json_t *out = offers(f, f->t);
	size_t n = json_array_size(out);
	json_decref(out);
	return n;
}

static void test_premises_offer_fits_with_reasons(void **state)
{
	struct fixture *f = *state;
	int64_t o = offer(f, f->t, f->partner, "premises", "project", 100);
	json_t *out = offers(f, f->t);
	assert_int_equal(json_array_size(out), 1);
	json_t *it = json_array_get(out, 0);
	assert_int_equal(json_integer_value(json_object_get(it, "id")), o);
	assert_string_equal(json_string_value(json_object_get(it, "stage")), "project");
	assert_false(json_is_true(json_object_get(it, "theme_match")));
	assert_true(json_is_null(json_object_get(it, "theme")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(it, "organisation"), "id")), f->partner);
	json_t *needs = json_object_get(it, "needs");
	assert_int_equal(json_array_size(needs), 1);
	json_t *n = json_array_get(needs, 0);
	assert_int_equal(json_integer_value(json_object_get(n, "id")), f->need);
	assert_string_equal(json_string_value(json_object_get(n, "kind")), "premises");
	assert_string_equal(json_string_value(json_object_get(n, "description")), "50 m² pour l'atelier");
	json_decref(out);
}

static void test_no_fit(void **state)
{
	struct fixture *f = *state;
	int64_t now = (int64_t)time(NULL);
	int64_t o = offer(f, f->t, f->partner, "premises", "project", 100);
	assert_int_equal(count_offers(f), 1);
	/* Paused. */
	exec(f->db, "UPDATE offers SET active = 0 WHERE id = ?", o);
	assert_int_equal(count_offers(f), 0);
	exec(f->db, "UPDATE offers SET active = 1 WHERE id = ?", o);
	/* Closed, then not yet open. */
	assert_int_equal(db_execv(f->db, "UPDATE offers SET closes_at = ? WHERE id = ?", "ii", now - 60, o), 0);
	assert_int_equal(count_offers(f), 0);
	assert_int_equal(db_execv(f->db, "UPDATE offers SET closes_at = NULL, opens_at = ? WHERE id = ?", "ii",
				  now + 3600, o), 0);
	assert_int_equal(count_offers(f), 0);
	assert_int_equal(db_execv(f->db, "UPDATE offers SET opens_at = ?, closes_at = ? WHERE id = ?", "iii",
				  now - 60, now + 3600, o), 0);
	assert_int_equal(count_offers(f), 1);
	/* The need met. */
	exec(f->db, "UPDATE project_needs SET state = 'met' WHERE id = ?", f->need);
	assert_int_equal(count_offers(f), 0);
	exec(f->db, "UPDATE project_needs SET state = 'open' WHERE id = ?", f->need);
	/* The stage not listed. */
	exec(f->db, "UPDATE offer_stages SET stage = 'idea' WHERE offer_id = ?", o);
	assert_int_equal(count_offers(f), 0);
	exec(f->db, "UPDATE offer_stages SET stage = 'project' WHERE offer_id = ?", o);
	/* Partner not accredited (any more). */
	exec(f->db, "UPDATE organisations SET accredited_at = NULL WHERE id = ?", f->partner);
	assert_int_equal(count_offers(f), 0);
	exec(f->db, "UPDATE organisations SET accredited_at = 1 WHERE id = ?", f->partner);
	assert_int_equal(count_offers(f), 1);
	/* Another kind of offer, another territory, an unaccredited partner. */
	exec(f->db, "DELETE FROM offers WHERE id = ?", o);
	offer(f, f->t, f->partner, "coaching", "project", 100);
	offer(f, f->t2, f->partner2, "premises", "project", 100);
	offer(f, f->t, f->unaccredited, "premises", "project", 100);
	assert_int_equal(count_offers(f), 0);
	/* The project asked from another territory. */
	offer(f, f->t, f->partner, "premises", "project", 100);
	assert_int_equal(count_offers(f), 1);
	json_t *out = offers(f, f->t2);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

static void test_theme_ranks_first(void **state)
{
	struct fixture *f = *state;
	int64_t themed = offer(f, f->t, f->partner, "premises", "project", 100);
	int64_t other = offer(f, f->t, f->partner, "premises", "project", 300);
	int64_t newest = offer(f, f->t, f->partner, "premises", "project", 200);
	assert_int_equal(db_execv(f->db, "INSERT INTO offer_themes (offer_id, theme_id) VALUES (?, ?)", "ii",
				  themed, f->theme), 0);
	assert_int_equal(db_execv(f->db, "INSERT INTO offer_themes (offer_id, theme_id) VALUES (?, ?)", "ii",
				  other, f->other_theme), 0);
	json_t *out = offers(f, f->t);
	assert_int_equal(json_array_size(out), 3);
	json_t *first = json_array_get(out, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "id")), themed);
	assert_true(json_is_true(json_object_get(first, "theme_match")));
	assert_string_equal(json_string_value(json_object_get(first, "theme")), "Solidarité");
	/* Then the newest. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 1), "id")), other);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 2), "id")), newest);
	assert_true(json_is_null(json_object_get(json_array_get(out, 1), "theme")));
	json_decref(out);
}

static void test_one_offer_several_needs(void **state)
{
	struct fixture *f = *state;
	insert(f->db,
	       "INSERT INTO project_needs (territory_id, initiative_id, kind, description, created_at, updated_at)"
	       " VALUES (?, ?, 'equipment', 'Une camionnette', 0, 0) RETURNING id", "ii", f->t, f->project);
	insert(f->db,
	       "INSERT INTO project_needs (territory_id, initiative_id, kind, description, created_at, updated_at)"
	       " VALUES (?, ?, 'volunteers', 'Des bras', 0, 0) RETURNING id", "ii", f->t, f->project);
	offer(f, f->t, f->partner, "logistics", "project", 100);
	offer(f, f->t, f->partner, "premises", "project", 50);
	json_t *out = offers(f, f->t);
	assert_int_equal(json_array_size(out), 2);
	json_t *needs = json_object_get(json_array_get(out, 0), "needs");
	assert_int_equal(json_array_size(needs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(needs, 0), "kind")), "equipment");
	assert_string_equal(json_string_value(json_object_get(json_array_get(needs, 1), "kind")), "volunteers");
	json_decref(out);
}

static void test_projects_for_offer(void **state)
{
	struct fixture *f = *state;
	int64_t o = offer(f, f->t, f->partner, "premises", "project", 100);
	assert_int_equal(db_execv(f->db, "INSERT INTO offer_themes (offer_id, theme_id) VALUES (?, ?)", "ii", o,
				  f->other_theme), 0);
	/* A newer project with the offer's theme ranks first; one at another stage, one with its need met, do not fit. */
	int64_t themed = insert(f->db,
				"INSERT INTO initiatives (territory_id, title, stage, theme_id, created_at, updated_at)"
				" VALUES (?, 'Un festival', 'project', ?, 0, 0) RETURNING id", "ii", f->t,
				f->other_theme);
	int64_t idea = insert(f->db,
			      "INSERT INTO initiatives (territory_id, title, stage, created_at, updated_at)"
			      " VALUES (?, 'Une idée', 'idea', 5, 5) RETURNING id", "i", f->t);
	int64_t met = insert(f->db,
			     "INSERT INTO initiatives (territory_id, title, stage, created_at, updated_at)"
			     " VALUES (?, 'Un café', 'project', 5, 5) RETURNING id", "i", f->t);
	int64_t ids[] = { themed, idea, met };
	for (int i = 0; i < 3; i++)
		insert(f->db,
		       "INSERT INTO project_needs (territory_id, initiative_id, kind, state, created_at, updated_at)"
		       " VALUES (?, ?, 'premises', 'open', 0, 0) RETURNING id", "ii", f->t, ids[i]);
	exec(f->db, "UPDATE project_needs SET state = 'met' WHERE initiative_id = ?", met);
	json_t *out = NULL;
	uint64_t before = db_statement_count(f->db);
	assert_int_equal(matching_projects_for_offer(f->db, f->t, o, 10, &out), 0);
	assert_int_equal(db_statement_count(f->db) - before, 1);
	assert_int_equal(json_array_size(out), 2);
	json_t *first = json_array_get(out, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "id")), themed);
	assert_string_equal(json_string_value(json_object_get(first, "theme")), "Culture");
	json_t *second = json_array_get(out, 1);
	assert_int_equal(json_integer_value(json_object_get(second, "id")), f->project);
	assert_false(json_is_true(json_object_get(second, "theme_match")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(second, "needs"), 0), "id")),
			 f->need);
	json_decref(out);
	/* Paused: no project fits; another territory: none either. */
	assert_int_equal(matching_projects_for_offer(f->db, f->t2, o, 10, &out), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	exec(f->db, "UPDATE offers SET active = 0 WHERE id = ?", o);
	assert_int_equal(matching_projects_for_offer(f->db, f->t, o, 10, &out), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

int main(void)
{
	test_db_urls_init(&urls);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_premises_offer_fits_with_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_theme_ranks_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_offer_several_needs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_projects_for_offer, setup, teardown),
	};
	int failed = 0;
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed |= _cmocka_run_group_tests(test_db_name(current_url), tests, sizeof(tests) / sizeof(tests[0]),
						  NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed;
}
