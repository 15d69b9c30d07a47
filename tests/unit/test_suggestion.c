/*
 * Improving an idea together, on every backend: edits kept as versions
 * (version 1 written lazily from the text at creation), suggestions
 * accepted (a version credits the suggester), declined, or refused because
 * the text changed since, co-author invitations and answers, and 50
 * threads accepting one suggestion at once: exactly one effect.
 */
#include "testutil.h"

#include <pthread.h>

#include <jansson.h>

#include "core/mem.h"
#include "domain/coauthor.h"
#include "domain/initiative.h"
#include "domain/suggestion.h"
#include "domain/territory.h"
#include "domain/version.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t t, other_t;
	int64_t ana, bob, cleo; /* ana posts the idea, bob suggests, cleo co-authors */
	int64_t idea;
};

static int64_t make_territory(struct db *db, const char *slug)
{
	const char *hosts[] = { slug, NULL };
	int64_t id;
	assert_int_equal(territory_create(db, slug, slug, "", "", hosts, &id), 0);
	return id;
}

static int64_t make_user(struct db *db, const char *email, const char *name)
{
	int64_t id;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO users (email, display_name, email_confirmed_at, created_at)"
				      " VALUES (?, ?, 100, 1) RETURNING id",
				      "tt", email, name),
			 0);
	return id;
}

static int64_t count(struct db *db, const char *sql, int64_t a)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", a), 0);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->t = make_territory(f->db, "sceaux");
	f->other_t = make_territory(f->db, "ailleurs");
	f->ana = make_user(f->db, "ana@example.org", "Ana");
	f->bob = make_user(f->db, "bob@example.org", "Bob");
	f->cleo = make_user(f->db, "cleo@example.org", "Cléo");
	struct initiative_new in = { .author_id = f->ana,
				     .title = "Un jardin partagé",
				     .summary = "Au pied des immeubles.",
				     .body = "Planter des légumes, ensemble." };
	assert_int_equal(initiative_create(f->db, f->t, &in, &f->idea), 0);
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

static const char *text_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_edit_records_versions(void **state)
{
	struct fixture *f = *state;
	json_t *list;
	/* Never edited: one version, the text at creation, and no row yet. */
	assert_int_equal(version_list(f->db, f->t, f->idea, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ?", f->idea), 0);

	struct version_change c = { .title = "Un grand jardin partagé", .note = "plus grand",
				    .author_id = f->ana };
	int64_t v = 0;
	assert_int_equal(version_edit(f->db, f->t, f->idea, &c, &v), VERSION_CHANGED);
	assert_int_equal(v, 2);
	/* The same text again changes nothing. */
	assert_int_equal(version_edit(f->db, f->t, f->idea, &c, &v), VERSION_UNCHANGED);
	/* Another territory's URL finds nothing. */
	assert_int_equal(version_edit(f->db, f->other_t, f->idea, &c, &v), VERSION_NOT_FOUND);

	json_t *one, *two;
	assert_int_equal(version_get(f->db, f->t, f->idea, 1, &one), 0);
	assert_string_equal(text_of(one, "title"), "Un jardin partagé");
	assert_string_equal(text_of(one, "body"), "Planter des légumes, ensemble.");
	assert_int_equal(version_get(f->db, f->t, f->idea, 2, &two), 0);
	assert_string_equal(text_of(two, "title"), "Un grand jardin partagé");
	assert_string_equal(text_of(two, "note"), "plus grand");
	assert_string_equal(text_of(two, "body"), "Planter des légumes, ensemble.");
	json_decref(one);
	json_decref(two);
	assert_int_equal(version_get(f->db, f->t, f->idea, 3, &one), 1);

	assert_int_equal(version_list(f->db, f->t, f->idea, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "version")), 2);
	json_decref(list);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update' AND object_id = ?", f->idea), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND title = 'Un grand jardin partagé'", f->idea), 1);
}

static void test_validate(void **state)
{
	(void)state;
	json_t *e = version_validate("", "", "", "");
	assert_non_null(json_object_get(e, "title"));
	json_decref(e);
	char big[20002];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	e = version_validate("Titre", "", big, "");
	assert_non_null(json_object_get(e, "body"));
	assert_null(json_object_get(e, "title"));
	json_decref(e);
	/* A suggestion must change something. */
	e = suggestion_validate("Même", "Texte", "", "Même", "Texte");
	assert_non_null(json_object_get(e, "body"));
	json_decref(e);
	e = suggestion_validate(NULL, "Texte changé", "mieux", "Même", "Texte");
	assert_int_equal(json_object_size(e), 0);
	json_decref(e);
}

static void test_accept_credits_the_suggester(void **state)
{
	struct fixture *f = *state;
	int64_t sid, v = 0;
	assert_int_equal(suggestion_create(f->db, f->t, f->idea, f->bob, NULL,
					   "Planter des légumes et des fleurs, ensemble.", "des fleurs", &sid),
			 0);
	json_t *open;
	assert_int_equal(suggestion_list_open(f->db, f->t, f->idea, &open), 0);
	assert_int_equal(json_array_size(open), 1);
	assert_true(json_is_null(json_object_get(json_array_get(open, 0), "title")));
	json_decref(open);

	assert_int_equal(suggestion_accept(f->db, f->t, sid, f->ana, &v), SUGGESTION_OK);
	assert_int_equal(v, 2);
	json_t *ver;
	assert_int_equal(version_get(f->db, f->t, f->idea, 2, &ver), 0);
	assert_string_equal(text_of(ver, "body"), "Planter des légumes et des fleurs, ensemble.");
	assert_string_equal(text_of(ver, "title"), "Un jardin partagé");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ver, "author"), "id")), f->bob);
	assert_int_equal(json_integer_value(json_object_get(ver, "suggestion_id")), sid);
	json_decref(ver);
	/* Answered once: a second accept or a decline changes nothing. */
	assert_int_equal(suggestion_accept(f->db, f->t, sid, f->ana, &v), SUGGESTION_ANSWERED);
	assert_int_equal(suggestion_decline(f->db, f->t, sid, f->ana, "non"), SUGGESTION_ANSWERED);
	assert_int_equal(suggestion_accept(f->db, f->other_t, sid, f->ana, &v), SUGGESTION_NOT_FOUND);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Accept' AND object_id = ?", sid), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Create' AND object_type = 'suggestion' AND object_id = ?", sid), 1);
	assert_int_equal(suggestion_list_open(f->db, f->t, f->idea, &open), 0);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
}

static void test_decline_and_stale(void **state)
{
	struct fixture *f = *state;
	int64_t s1, s2, s3, v;
	assert_int_equal(suggestion_create(f->db, f->t, f->idea, f->bob, "Un potager", NULL, "", &s1), 0);
	assert_int_equal(suggestion_create(f->db, f->t, f->idea, f->bob, NULL, "Autre texte.", "", &s2), 0);
	assert_int_equal(suggestion_create(f->db, f->t, f->idea, f->bob, "Un verger", NULL, "", &s3), 0);
	assert_int_equal(suggestion_decline(f->db, f->t, s3, f->ana, "Pas d'arbres ici."), SUGGESTION_OK);
	json_t *s;
	assert_int_equal(suggestion_get(f->db, f->t, s3, &s), 0);
	assert_string_equal(text_of(s, "state"), "declined");
	assert_string_equal(text_of(s, "answer"), "Pas d'arbres ici.");
	json_decref(s);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Reject' AND object_id = ?", s3), 1);

	/* The author edits the body: s2 (made against the old body) is stale, s1 (title) is not. */
	struct version_change c = { .body = "Un texte réécrit.", .author_id = f->ana };
	assert_int_equal(version_edit(f->db, f->t, f->idea, &c, &v), VERSION_CHANGED);
	assert_int_equal(suggestion_accept(f->db, f->t, s2, f->ana, &v), SUGGESTION_STALE);
	assert_int_equal(suggestion_get(f->db, f->t, s2, &s), 0);
	assert_string_equal(text_of(s, "state"), "open");
	json_decref(s);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND body = 'Un texte réécrit.'", f->idea), 1);
	assert_int_equal(suggestion_accept(f->db, f->t, s1, f->ana, &v), SUGGESTION_OK);
	assert_int_equal(v, 3);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiatives WHERE id = ? AND title = 'Un potager' AND body = 'Un texte réécrit.'", f->idea), 1);
}

static void test_coauthors(void **state)
{
	struct fixture *f = *state;
	int64_t inv, iid;
	assert_int_equal(coauthor_is_author(f->db, f->t, f->idea, f->ana), 1);
	assert_int_equal(coauthor_is_author(f->db, f->t, f->idea, f->cleo), 0);
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->ana, f->ana, &inv), COAUTHOR_ALREADY);
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->ana, 999999, &inv), COAUTHOR_NOT_FOUND);
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->ana, f->cleo, &inv), COAUTHOR_OK);
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->ana, f->cleo, NULL), COAUTHOR_ALREADY);
	assert_int_equal(coauthor_is_author(f->db, f->t, f->idea, f->cleo), 0);
	/* Only the invited person answers. */
	assert_int_equal(coauthor_answer(f->db, f->t, inv, f->bob, 1, &iid), COAUTHOR_NOT_FOUND);
	assert_int_equal(coauthor_answer(f->db, f->t, inv, f->cleo, 1, &iid), COAUTHOR_OK);
	assert_int_equal(iid, f->idea);
	assert_int_equal(coauthor_answer(f->db, f->t, inv, f->cleo, 0, &iid), COAUTHOR_NOT_FOUND);
	assert_int_equal(coauthor_is_author(f->db, f->t, f->idea, f->cleo), 1);
	assert_int_equal(coauthor_is_author(f->db, f->other_t, f->idea, f->cleo), 0);
	json_t *list;
	assert_int_equal(coauthor_list(f->db, f->t, f->idea, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(text_of(json_array_get(list, 0), "state"), "accepted");
	json_decref(list);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb IN ('Invite', 'Join') AND object_id = ?", inv), 2);
	/* A declined invitation can be renewed. */
	int64_t inv2;
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->ana, f->bob, &inv2), COAUTHOR_OK);
	assert_int_equal(coauthor_answer(f->db, f->t, inv2, f->bob, 0, NULL), COAUTHOR_OK);
	assert_int_equal(coauthor_is_author(f->db, f->t, f->idea, f->bob), 0);
	assert_int_equal(coauthor_invite(f->db, f->t, f->idea, f->cleo, f->bob, &iid), COAUTHOR_OK);
	assert_int_equal(iid, inv2);
}

#define RACERS 50

struct racer {
	pthread_barrier_t *barrier;
	int64_t territory, suggestion, actor;
	int rc;
};

static void *race_accept(void *arg)
{
	struct racer *r = arg;
	struct db *db;
	r->rc = -2;
	if (db_open(current_url, &db) < 0) {
		pthread_barrier_wait(r->barrier);
		return NULL;
	}
	pthread_barrier_wait(r->barrier);
	r->rc = suggestion_accept(db, r->territory, r->suggestion, r->actor, NULL);
	db_close(db);
	return NULL;
}

static void test_parallel_accepts_have_one_effect(void **state)
{
	struct fixture *f = *state;
	int64_t sid;
	assert_int_equal(suggestion_create(f->db, f->t, f->idea, f->bob, "Le jardin de tous", NULL, "", &sid), 0);
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, RACERS);
	struct racer r[RACERS];
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ &barrier, f->t, sid, f->ana, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, race_accept, &r[i]), 0);
	}
	int ok = 0, answered = 0;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		ok += r[i].rc == SUGGESTION_OK;
		answered += r[i].rc == SUGGESTION_ANSWERED;
	}
	pthread_barrier_destroy(&barrier);
	assert_int_equal(ok, 1);
	assert_int_equal(answered, RACERS - 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM initiative_versions WHERE initiative_id = ?", f->idea), 2);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Accept' AND object_id = ?", sid), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update' AND object_id = ?", f->idea), 1);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_edit_records_versions),
		DB_TEST(test_validate),
		DB_TEST(test_accept_credits_the_suggester),
		DB_TEST(test_decline_and_stale),
		DB_TEST(test_coauthors),
		DB_TEST(test_parallel_accepts_have_one_effect),
	};
	int failed = 0;
	log_set_quiet(1);
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL,
						  NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
