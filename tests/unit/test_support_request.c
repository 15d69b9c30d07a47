/*
 * Support requests and funding: the table of states (who may make which
 * move), one pending request per offer and project, a completed support
 * marking its project need met, another partner refused, the funding
 * figures. On SQLite and, with TREMPLIN_TEST_PG, on PostgreSQL.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/mem.h"
#include "domain/funding.h"
#include "domain/support_request.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t t, carrier, partner, other_partner, stranger, id, org, org2, offer, offer2, need;
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

static int64_t org(struct db *db, int64_t t, const char *slug, int64_t member)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO organisations (territory_id, slug, name, kind, is_partner,"
				      " accredited_at, created_at) VALUES (?, ?, ?, 'partner', 1, 1, 0) RETURNING id",
				      "itt", t, slug, slug), 0);
	assert_int_equal(db_execv(db,
				  "INSERT INTO organisation_members (organisation_id, user_id, role, joined_at)"
				  " VALUES (?, ?, 'owner', 0)", "ii", id, member), 0);
	return id;
}

static int64_t offer(struct db *db, int64_t t, int64_t o, const char *kind)
{
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO offers (territory_id, organisation_id, kind, title, created_at,"
				      " updated_at) VALUES (?, ?, ?, 'Une offre', 0, 0) RETURNING id",
				      "iit", t, o, kind), 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->t = insert_id(f->db, "INSERT INTO territories (slug, name, created_at) VALUES ('t', 'T', 0) RETURNING id");
	f->carrier = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('a@x.org', 'Ana', 0) RETURNING id");
	f->partner = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('b@x.org', 'Bea', 0) RETURNING id");
	f->other_partner = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('c@x.org', 'Cem', 0) RETURNING id");
	f->stranger = insert_id(f->db, "INSERT INTO users (email, display_name, created_at) VALUES ('d@x.org', 'Dan', 0) RETURNING id");
	assert_int_equal(db_query_int(f->db, &f->id,
				      "INSERT INTO initiatives (territory_id, author_id, carrier_user_id, title, stage,"
				      " created_at, updated_at) VALUES (?, ?, ?, 'Un projet', 'project', 0, 0) RETURNING id",
				      "iii", f->t, f->carrier, f->carrier), 0);
	f->org = org(f->db, f->t, "locaux", f->partner);
	f->org2 = org(f->db, f->t, "autre", f->other_partner);
	f->offer = offer(f->db, f->t, f->org, "premises");
	f->offer2 = offer(f->db, f->t, f->org2, "funding");
	assert_int_equal(db_query_int(f->db, &f->need,
				      "INSERT INTO project_needs (territory_id, initiative_id, kind, created_at,"
				      " updated_at) VALUES (?, ?, 'premises', 0, 0) RETURNING id",
				      "ii", f->t, f->id), 0);
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

static void test_table(void **state)
{
	(void)state;
	const unsigned C = SUPPORT_CARRIER, P = SUPPORT_PARTNER, A = SUPPORT_ANIMATOR;
	assert_true(support_request_may("pending", "accepted", P));
	assert_true(support_request_may("pending", "declined", P));
	assert_true(support_request_may("accepted", "completed", P));
	assert_true(support_request_may("pending", "withdrawn", C));
	assert_false(support_request_may("pending", "accepted", C));
	assert_false(support_request_may("pending", "declined", C));
	assert_false(support_request_may("accepted", "completed", C));
	assert_false(support_request_may("pending", "withdrawn", P));
	assert_false(support_request_may("pending", "accepted", A));
	assert_false(support_request_may("pending", "completed", P));
	assert_false(support_request_may("declined", "accepted", P));
	assert_false(support_request_may("completed", "pending", C | P | A));
	assert_false(support_request_may("accepted", "withdrawn", C));
	assert_true(support_request_transition_find("pending", "declined")->message_required);
}

static int64_t ask(struct fixture *f, int64_t offer_id, int64_t need, int expect)
{
	struct support_new in = { offer_id, f->id, need, f->carrier, SUPPORT_CARRIER, "Bonjour, des locaux ?" };
	int64_t id = 0;
	assert_int_equal(support_request_create(f->db, f->t, &in, &id), expect);
	return id;
}

static int move(struct fixture *f, int64_t id, int64_t actor, const char *to, const char *msg)
{
	unsigned who = 0;
	int64_t iid = 0;
	assert_int_equal(support_request_who(f->db, f->t, id, actor, 0, &who, &iid), 0);
	assert_int_equal(iid, f->id);
	struct support_move m = { actor, who, NULL, to, msg, -1, -1, NULL };
	if (!strcmp(to, "completed")) {
		m.given_hours = 0;
		m.given_text = "Un local de 30 m² pendant 6 mois";
	}
	return support_request_move(f->db, f->t, id, &m);
}

static void test_who_and_moves(void **state)
{
	struct fixture *f = *state;
	int64_t r = ask(f, f->offer, 0, SUPPORT_OK);
	unsigned who;
	int64_t iid;
	assert_int_equal(support_request_who(f->db, f->t, r, f->partner, 0, &who, &iid), 0);
	assert_int_equal(who, SUPPORT_PARTNER);
	assert_int_equal(support_request_who(f->db, f->t, r, f->carrier, 0, &who, &iid), 0);
	assert_int_equal(who, SUPPORT_CARRIER);
	assert_int_equal(support_request_who(f->db, f->t, r, f->other_partner, 0, &who, &iid), 0);
	assert_int_equal(who, 0);
	/* Not the carrier: no request. */
	struct support_new bad = { f->offer2, f->id, 0, f->stranger, 0, "x" };
	assert_int_equal(support_request_create(f->db, f->t, &bad, NULL), SUPPORT_REFUSED);
	/* Another partner cannot accept a request made to someone else's offer; the carrier cannot either. */
	assert_int_equal(move(f, r, f->other_partner, "accepted", ""), SUPPORT_REFUSED);
	assert_int_equal(move(f, r, f->carrier, "accepted", ""), SUPPORT_REFUSED);
	assert_int_equal(move(f, r, f->stranger, "withdrawn", ""), SUPPORT_REFUSED);
	/* Declining needs a message. */
	assert_int_equal(move(f, r, f->partner, "declined", ""), SUPPORT_INVALID);
	assert_int_equal(move(f, r, f->partner, "accepted", "Avec plaisir"), SUPPORT_OK);
	/* Once accepted, no second answer and no withdrawal. */
	assert_int_equal(move(f, r, f->partner, "accepted", ""), SUPPORT_STALE);
	assert_int_equal(move(f, r, f->carrier, "withdrawn", ""), SUPPORT_STALE);
	/* Unaccredited: the partner no longer acts for it. */
	assert_int_equal(db_execv(f->db, "UPDATE organisations SET accredited_at = NULL WHERE id = ?", "i", f->org), 0);
	assert_int_equal(move(f, r, f->partner, "completed", ""), SUPPORT_REFUSED);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_type = 'initiative' AND object_id = ?"
			       " AND verb IN ('Offer', 'Accept')", f->id), 2);
	/* A withdrawal by the carrier, recorded. */
	int64_t r2 = ask(f, f->offer2, 0, SUPPORT_OK);
	assert_int_equal(move(f, r2, f->carrier, "withdrawn", ""), SUPPORT_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND verb = 'Undo'", f->id), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND details LIKE '%Bonjour%'", f->id), 0);
}

static void test_one_pending(void **state)
{
	struct fixture *f = *state;
	int64_t r = ask(f, f->offer, 0, SUPPORT_OK);
	ask(f, f->offer, 0, SUPPORT_STALE);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM support_requests WHERE offer_id = ?", f->offer), 1);
	/* The index itself refuses a second pending row. */
	assert_int_not_equal(db_execv(f->db,
				      "INSERT INTO support_requests (territory_id, offer_id, initiative_id, created_at,"
				      " updated_at) VALUES (?, ?, ?, 0, 0)", "iii", f->t, f->offer, f->id), 0);
	/* Declined: a new request may be made. */
	assert_int_equal(move(f, r, f->partner, "declined", "Pas cette fois"), SUPPORT_OK);
	ask(f, f->offer, 0, SUPPORT_OK);
	/* A need of another project, or an empty message: refused. */
	int64_t other;
	assert_int_equal(db_query_int(f->db, &other,
				      "INSERT INTO initiatives (territory_id, author_id, title, stage, created_at,"
				      " updated_at) VALUES (?, ?, 'Autre', 'project', 0, 0) RETURNING id",
				      "ii", f->t, f->stranger), 0);
	struct support_new in = { f->offer2, other, f->need, f->stranger, SUPPORT_CARRIER, "x" };
	assert_int_equal(support_request_create(f->db, f->t, &in, NULL), SUPPORT_INVALID);
	struct support_new empty = { f->offer2, f->id, 0, f->carrier, SUPPORT_CARRIER, "" };
	assert_int_equal(support_request_create(f->db, f->t, &empty, NULL), SUPPORT_INVALID);
}

static void test_completed_meets_need(void **state)
{
	struct fixture *f = *state;
	int64_t r = ask(f, f->offer, f->need, SUPPORT_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM project_needs WHERE id = ? AND state = 'open'", f->need), 1);
	assert_int_equal(move(f, r, f->partner, "accepted", ""), SUPPORT_OK);
	/* Completing says what was given. */
	struct support_move empty = { f->partner, SUPPORT_PARTNER, "accepted", "completed", NULL, -1, -1, "" };
	assert_int_equal(support_request_move(f->db, f->t, r, &empty), SUPPORT_INVALID);
	assert_int_equal(move(f, r, f->partner, "completed", ""), SUPPORT_OK);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM project_needs WHERE id = ? AND state = 'met'", f->need), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND verb = 'Update'"
			       " AND target_type = 'support_request'", f->id), 1);
	json_t *p, *a, *tot;
	assert_int_equal(support_request_dashboard(f->db, f->t, f->org, &p, &a, &tot), 0);
	assert_int_equal(json_array_size(p), 0);
	assert_int_equal(json_array_size(a), 0);
	assert_int_equal(json_integer_value(json_object_get(tot, "count")), 1);
	json_decref(p);
	json_decref(a);
	json_decref(tot);
}

static void test_funding(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(funding_set_goal(f->db, f->t, f->id, f->carrier, 10000), 0);
	int64_t r = ask(f, f->offer2, 0, SUPPORT_OK);
	unsigned who = SUPPORT_PARTNER;
	struct support_move acc = { f->other_partner, who, NULL, "accepted", NULL, -1, -1, NULL };
	assert_int_equal(support_request_move(f->db, f->t, r, &acc), SUPPORT_OK);
	struct support_move done = { f->other_partner, who, NULL, "completed", NULL, 3000, -1, "" };
	assert_int_equal(support_request_move(f->db, f->t, r, &done), SUPPORT_OK);
	struct funding_campaign c = { "Ulule", "https://ulule.com/x", 5000, 1200, 0 };
	json_t *e = funding_campaign_validate(&c);
	assert_int_equal(json_object_size(e), 0);
	json_decref(e);
	struct funding_campaign bad = { "", "javascript:alert(1)", 0, -1, 0 };
	e = funding_campaign_validate(&bad);
	assert_int_equal(json_object_size(e), 4);
	json_decref(e);
	assert_int_equal(funding_set_campaign(f->db, f->t, f->id, f->carrier, &c), 0);
	json_t *out;
	assert_int_equal(funding_get(f->db, f->t, f->id, &out), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "goal_eur")), 10000);
	assert_int_equal(json_integer_value(json_object_get(out, "committed_eur")), 4200);
	json_decref(out);
	assert_int_equal(funding_set_goal(f->db, f->t, 999999, f->carrier, 1), 1);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		DB_TEST(test_who_and_moves),
		DB_TEST(test_one_pending),
		DB_TEST(test_completed_meets_need),
		DB_TEST(test_funding),
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
