/*
 * Roles and organisations people run, on every backend (SQLite always,
 * PostgreSQL when TREMPLIN_TEST_PG is set): grants and revocations with
 * their activities, the last admin and the last owner kept, roles that stay
 * in their territory, people search, the command line's first admin,
 * organisations created with their owner, members, and accreditation.
 */
#include "testutil.h"

#include <pthread.h>

#include <jansson.h>

#include "auth/permission.h"
#include "core/arena.h"
#include "core/mem.h"
#include "domain/organisation.h"
#include "domain/role.h"
#include "domain/territory.h"
#include "domain/user.h"

static struct test_db_urls urls;
static const char *current_url;

struct fixture {
	struct db *db;
	int64_t ta, tb; /* two territories */
	int64_t alice, bob, carol; /* confirmed accounts */
	int64_t dan; /* an account whose address is not confirmed */
};

static int64_t make_territory(struct db *db, const char *slug)
{
	const char *hosts[] = { slug, NULL };
	int64_t id;
	assert_int_equal(territory_create(db, slug, slug, "", "", hosts, &id), 0);
	return id;
}

static int64_t make_user(struct db *db, const char *email, const char *name, int confirmed)
{
	int64_t id;
	assert_int_equal(db_query_int(db, &id,
				      "INSERT INTO users (email, display_name, email_confirmed_at, created_at)"
				      " VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0), 1) RETURNING id",
				      "tti", email, name, (int64_t)(confirmed ? 100 : 0)),
			 0);
	return id;
}

static int64_t count0(struct db *db, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

static int64_t count(struct db *db, const char *sql, int64_t a, int64_t b)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "ii", a, b), 0);
	return n;
}

/* The person's role in a territory, as every request computes it. */
static int role_of(struct db *db, int64_t user_id, int64_t territory_id)
{
	struct arena *a = arena_new();
	struct user *u;
	assert_int_equal(user_get(db, a, user_id, &u), 0);
	int role = user_role(db, u, territory_id);
	arena_free(a);
	return role;
}

static int64_t role_activities(struct db *db, const char *verb, int64_t user_id)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n,
				      "SELECT COUNT(*) FROM activities WHERE verb = ? AND object_type = 'role'"
				      " AND target_type = 'user' AND target_id = ?",
				      "ti", verb, user_id),
			 0);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->ta = make_territory(f->db, "a");
	f->tb = make_territory(f->db, "b");
	f->alice = make_user(f->db, "alice@example.org", "Alice Martin", 1);
	f->bob = make_user(f->db, "bob@example.org", "Bob Durand", 1);
	f->carol = make_user(f->db, "carol@example.org", "Carol 100%_Sure", 1);
	f->dan = make_user(f->db, "dan@example.org", "Dan Martin", 0);
	assert_int_equal(role_grant(f->db, f->ta, f->alice, ROLE_ADMIN, 0), 0);
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

static void test_grant_and_revoke(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_MEMBER);
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ANIMATOR, f->alice), 0);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_ANIMATOR);
	assert_int_equal(role_activities(f->db, "Add", f->bob), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE actor_id = ? AND territory_id = ?",
			       f->alice, f->ta), 1);
	/* The same role again changes nothing and records nothing. */
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ANIMATOR, f->alice), 0);
	assert_int_equal(role_activities(f->db, "Add", f->bob), 1);
	/* Upsert: animator to admin is one row, two activities. */
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ADMIN, f->alice), 0);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_ADMIN);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM roles WHERE territory_id = ? AND user_id = ?",
			       f->ta, f->bob), 1);
	assert_int_equal(role_activities(f->db, "Add", f->bob), 2);
	assert_int_equal(role_revoke(f->db, f->ta, f->bob, f->alice), 0);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_MEMBER);
	assert_int_equal(role_activities(f->db, "Remove", f->bob), 1);
	/* Nothing to revoke: a success that records nothing. */
	assert_int_equal(role_revoke(f->db, f->ta, f->bob, f->alice), 0);
	assert_int_equal(role_activities(f->db, "Remove", f->bob), 1);
	/* An explicit member row. */
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_MEMBER, f->alice), 0);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_MEMBER);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM roles WHERE territory_id = ? AND user_id = ?",
			       f->ta, f->bob), 1);
	/* An unconfirmed account stays unconfirmed whatever its row says. */
	assert_int_equal(role_grant(f->db, f->ta, f->dan, ROLE_ANIMATOR, f->alice), 0);
	assert_int_equal(role_of(f->db, f->dan, f->ta), ROLE_UNCONFIRMED);
}

static void test_refusals_write_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t before = count0(f->db, "SELECT COUNT(*) FROM activities");
	assert_int_equal(role_grant(f->db, f->ta, 999999, ROLE_ANIMATOR, f->alice), ROLE_REFUSED_NO_ACCOUNT);
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_VISITOR, f->alice), ROLE_REFUSED_BAD_ROLE);
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_UNCONFIRMED, f->alice), ROLE_REFUSED_BAD_ROLE);
	assert_int_equal(role_grant(f->db, f->ta, f->alice, ROLE_ANIMATOR, f->alice), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(count0(f->db, "SELECT COUNT(*) FROM activities"), before);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM roles WHERE territory_id = ? AND user_id <> ?",
			       f->ta, f->alice), 0);
}

static void test_last_admin_protected(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(role_admin_count(f->db, f->ta), 1);
	assert_int_equal(role_revoke(f->db, f->ta, f->alice, f->alice), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(role_grant(f->db, f->ta, f->alice, ROLE_MEMBER, f->alice), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(role_of(f->db, f->alice, f->ta), ROLE_ADMIN);
	/* With a second admin, either may go; then the other is the last. */
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ADMIN, f->alice), 0);
	assert_int_equal(role_admin_count(f->db, f->ta), 2);
	assert_int_equal(role_revoke(f->db, f->ta, f->alice, f->bob), 0);
	assert_int_equal(role_of(f->db, f->alice, f->ta), ROLE_MEMBER);
	assert_int_equal(role_revoke(f->db, f->ta, f->bob, f->bob), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ANIMATOR, f->bob), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_ADMIN);
}

static void test_roles_stay_in_their_territory(void **state)
{
	struct fixture *f = *state;
	/* Admin in A is a member in B: B's guard refuses what A's allows. */
	assert_int_equal(role_of(f->db, f->alice, f->ta), ROLE_ADMIN);
	assert_int_equal(role_of(f->db, f->alice, f->tb), ROLE_MEMBER);
	assert_true(permission_allows(role_of(f->db, f->alice, f->ta), ACT_ROLE_GRANT));
	assert_false(permission_allows(role_of(f->db, f->alice, f->tb), ACT_ROLE_GRANT));
	assert_false(permission_allows(role_of(f->db, f->alice, f->tb), ACT_PARTNER_ACCREDIT));
	/* B's admins do not count for A: Alice is still A's last admin. */
	assert_int_equal(role_grant(f->db, f->tb, f->bob, ROLE_ADMIN, 0), 0);
	assert_int_equal(role_admin_count(f->db, f->ta), 1);
	assert_int_equal(role_revoke(f->db, f->ta, f->alice, 0), ROLE_REFUSED_LAST_ADMIN);
	assert_int_equal(role_of(f->db, f->bob, f->ta), ROLE_MEMBER);
	/* The lists show each territory's own rows. */
	json_t *page;
	struct role_filter all = { 0 };
	assert_int_equal(role_list(f->db, f->tb, &all, &page), 0);
	json_t *items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), f->bob);
	json_decref(page);
}

static void test_role_list_pages(void **state)
{
	struct fixture *f = *state;
	int64_t ids[7];
	for (int i = 0; i < 7; i++) {
		char email[64], name[32];
		snprintf(email, sizeof(email), "animator%d@example.org", i);
		snprintf(name, sizeof(name), "Animator %d", i);
		ids[i] = make_user(f->db, email, name, 1);
		assert_int_equal(role_grant(f->db, f->ta, ids[i], ROLE_ANIMATOR, f->alice), 0);
	}
	struct role_filter filter = { .role = "animator", .limit = 3 };
	int seen = 0, pages = 0;
	int64_t last = INT64_MAX;
	for (;;) {
		json_t *page;
		assert_int_equal(role_list(f->db, f->ta, &filter, &page), 0);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(page, "items"), i, item) {
			int64_t id = json_integer_value(json_object_get(item, "id"));
			assert_true(id < last); /* newest first, each once */
			last = id;
			assert_string_equal(json_string_value(json_object_get(item, "role")), "animator");
			seen++;
		}
		pages++;
		json_t *next = json_object_get(page, "next_before");
		int more = json_is_integer(next);
		filter.before = more ? json_integer_value(next) : 0;
		json_decref(page);
		if (!more)
			break;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(pages, 3);
	struct role_filter admins = { .role = "admin" };
	json_t *page;
	assert_int_equal(role_list(f->db, f->ta, &admins, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	assert_true(json_is_null(json_object_get(page, "next_before")));
	json_decref(page);
}

/* The ids role_search_people() finds for q, in order, as "id,id,". */
static const char *search(struct fixture *f, const char *q, char *out, size_t len)
{
	json_t *page;
	assert_int_equal(role_search_people(f->db, f->ta, q, 0, 0, &page), 0);
	size_t i, n = 0;
	json_t *item;
	out[0] = '\0';
	json_array_foreach(json_object_get(page, "items"), i, item) {
		assert_null(json_object_get(item, "email"));
		n += (size_t)snprintf(out + n, len - n, "%lld:%s,",
				      (long long)json_integer_value(json_object_get(item, "id")),
				      json_string_value(json_object_get(item, "role")));
	}
	json_decref(page);
	return out;
}

static void test_search_people(void **state)
{
	struct fixture *f = *state;
	char got[256], want[256];
	/* By display name, any case; newest account first; role in this territory. */
	snprintf(want, sizeof(want), "%lld:unconfirmed,%lld:admin,", (long long)f->dan,
		 (long long)f->alice);
	assert_string_equal(search(f, "MARTIN", got, sizeof(got)), want);
	assert_string_equal(search(f, "  martin ", got, sizeof(got)), want);
	/* By the exact address only, any case. */
	snprintf(want, sizeof(want), "%lld:member,", (long long)f->bob);
	assert_string_equal(search(f, "Bob@Example.org", got, sizeof(got)), want);
	assert_string_equal(search(f, "bob@example", got, sizeof(got)), "");
	assert_string_equal(search(f, "example.org", got, sizeof(got)), "");
	/* LIKE's wildcards are plain characters. */
	snprintf(want, sizeof(want), "%lld:member,", (long long)f->carol);
	assert_string_equal(search(f, "100%_", got, sizeof(got)), want);
	assert_string_equal(search(f, "%", got, sizeof(got)), want);
	assert_string_equal(search(f, "_", got, sizeof(got)), want);
	/* Paged like the role list. */
	json_t *page;
	assert_int_equal(role_search_people(f->db, f->ta, "a", 0, 1, &page), 0);
	int64_t next = json_integer_value(json_object_get(page, "next_before"));
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	assert_true(next > 0);
	json_decref(page);
	assert_int_equal(role_search_people(f->db, f->ta, "a", next, 1, &page), 0);
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(page, "items"), 0),
						       "id")) < next);
	json_decref(page);
}

static void test_bootstrap_admin(void **state)
{
	struct fixture *f = *state;
	int64_t id, again;
	int created;
	const char *hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
	assert_int_equal(role_bootstrap_admin(f->db, f->tb, " Eve@Example.ORG ", "Eve", hash, &id,
					      &created),
			 0);
	assert_int_equal(created, 1);
	assert_int_equal(role_of(f->db, id, f->tb), ROLE_ADMIN);
	assert_int_equal(role_of(f->db, id, f->ta), ROLE_MEMBER);
	struct arena *a = arena_new();
	struct user *u;
	assert_int_equal(user_find_by_email(f->db, a, "eve@example.org", &u), 0);
	assert_int_equal(u->id, id);
	assert_true(u->confirmed);
	const char *stored;
	assert_int_equal(user_password_hash(f->db, a, id, &stored), 0);
	assert_string_equal(stored, hash);
	arena_free(a);
	/* An existing address: no second account, the role is granted. */
	assert_int_equal(role_bootstrap_admin(f->db, f->ta, "EVE@example.org", "Other", "x", &again,
					      &created),
			 0);
	assert_int_equal(created, 0);
	assert_int_equal(again, id);
	assert_int_equal(role_of(f->db, id, f->ta), ROLE_ADMIN);
	assert_int_equal(count0(f->db, "SELECT COUNT(*) FROM users WHERE email LIKE 'eve%'"), 1);
	assert_int_equal(role_find_account(f->db, "eve@EXAMPLE.org", &again), 0);
	assert_int_equal(again, id);
	assert_int_equal(role_find_account(f->db, "nobody@example.org", &again), 1);
}

/* One side of a race: its own connection revokes one admin when the barrier opens. */
struct racer {
	pthread_barrier_t *barrier;
	int64_t territory, user;
	int rc;
};

static void *race_revoke(void *arg)
{
	struct racer *r = arg;
	struct db *db;
	r->rc = -2;
	if (db_open(current_url, &db) < 0)
		return NULL;
	pthread_barrier_wait(r->barrier);
	r->rc = role_revoke(db, r->territory, r->user, r->user);
	db_close(db);
	return NULL;
}

static void test_last_admin_under_concurrency(void **state)
{
	struct fixture *f = *state;
	for (int round = 0; round < 20; round++) {
		assert_int_equal(role_grant(f->db, f->ta, f->alice, ROLE_ADMIN, 0), 0);
		assert_int_equal(role_grant(f->db, f->ta, f->bob, ROLE_ADMIN, 0), 0);
		pthread_barrier_t barrier;
		pthread_barrier_init(&barrier, NULL, 2);
		struct racer a = { &barrier, f->ta, f->alice, 0 }, b = { &barrier, f->ta, f->bob, 0 };
		pthread_t ta, tb;
		assert_int_equal(pthread_create(&ta, NULL, race_revoke, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race_revoke, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&barrier);
		/* Two admins demoting each other at once: one wins, one is refused. */
		assert_int_equal(role_admin_count(f->db, f->ta), 1);
		assert_int_equal(a.rc + b.rc, ROLE_REFUSED_LAST_ADMIN);
		assert_true(a.rc == 0 || b.rc == 0);
	}
}

static struct organisation_new org_fields(const char *name, const char *kind)
{
	struct organisation_new o = { .name = name, .kind = kind, .summary = "Un résumé.",
				      .description = "**Gras**", .website = "https://example.org" };
	return o;
}

static int64_t make_org(struct fixture *f, int64_t territory, const char *name, const char *kind,
			int64_t owner, char slug[ORGANISATION_SLUG_MAX + 1])
{
	struct organisation_new o = org_fields(name, kind);
	int64_t id;
	assert_int_equal(organisation_create_owned(f->db, territory, &o, owner, &id, slug), 0);
	return id;
}

/* A hundred and more organisations of the same name each get a slug: the numbers never run out. */
static void test_organisation_slugs_never_run_out(void **state)
{
	struct fixture *f = *state;
	char slug[ORGANISATION_SLUG_MAX + 1];
	for (int i = 0; i < 105; i++)
		make_org(f, f->ta, "Repair Café", "association", f->bob, slug);
	assert_int_equal(count(f->db, "SELECT COUNT(DISTINCT slug) FROM organisations WHERE territory_id = ?"
				      " AND slug LIKE 'repair-cafe%' AND ? > 0", f->ta, 1),
			 105);
}

static void test_organisation_creation_makes_owner(void **state)
{
	struct fixture *f = *state;
	char slug[ORGANISATION_SLUG_MAX + 1];
	int64_t id = make_org(f, f->ta, "Café des Enfants — Œuvre d'été", "association", f->bob, slug);
	assert_string_equal(slug, "cafe-des-enfants-oeuvre-d-ete");
	assert_int_equal(organisation_member_role(f->db, id, f->bob), ORGANISATION_OWNER);
	assert_int_equal(organisation_member_role(f->db, id, f->alice), ORGANISATION_NOT_MEMBER);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_type = 'organisation'"
				      " AND verb = 'Create' AND object_id = ? AND actor_id = ?",
			       id, f->bob),
			 1);
	/* The same name gets a free slug; "new" is the form's address; no letters: a word. */
	char slug2[ORGANISATION_SLUG_MAX + 1], slug3[ORGANISATION_SLUG_MAX + 1], slug4[ORGANISATION_SLUG_MAX + 1];
	make_org(f, f->ta, "Café des enfants, œuvre d’été", "association", f->bob, slug2);
	assert_string_equal(slug2, "cafe-des-enfants-oeuvre-d-ete-2");
	make_org(f, f->ta, "New", "company", f->bob, slug3);
	assert_string_equal(slug3, "organisation");
	make_org(f, f->ta, "Новый", "company", f->bob, slug4);
	assert_string_equal(slug4, "organisation-2");
	/* Another territory has its own slugs. */
	make_org(f, f->tb, "Café des Enfants — Œuvre d'été", "association", f->bob, slug);
	assert_string_equal(slug, "cafe-des-enfants-oeuvre-d-ete");
	/* The kind "partner" makes a partner, never an accredited one. */
	int64_t p = make_org(f, f->ta, "Pépinière", "partner", f->carol, slug);
	json_t *partners;
	assert_int_equal(organisation_list_partners_admin(f->db, f->ta, &partners), 0);
	assert_int_equal(json_array_size(partners), 1);
	json_t *first = json_array_get(partners, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "id")), p);
	assert_false(json_is_true(json_object_get(first, "accredited")));
	assert_true(json_is_null(json_object_get(first, "accredited_at")));
	json_decref(partners);
	/* "act as my organisation": Bob's organisations of territory A only. */
	json_t *mine;
	assert_int_equal(organisation_list_for_user(f->db, f->ta, f->bob, &mine), 0);
	assert_int_equal(json_array_size(mine), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "role")), "owner");
	json_decref(mine);
	assert_int_equal(organisation_list_for_user(f->db, f->tb, f->bob, &mine), 0);
	assert_int_equal(json_array_size(mine), 1);
	json_decref(mine);
}

static void test_organisation_validation_and_update(void **state)
{
	struct fixture *f = *state;
	struct organisation_new bad = { .name = " ", .kind = "club", .summary = "", .description = "",
					.website = "javascript:alert(1)" };
	json_t *errors = organisation_validate(&bad);
	assert_non_null(json_object_get(errors, "name"));
	assert_non_null(json_object_get(errors, "kind"));
	assert_non_null(json_object_get(errors, "website"));
	assert_null(json_object_get(errors, "summary"));
	json_decref(errors);
	/* 200 accented characters are 400 bytes, and allowed. */
	char name[512] = "";
	for (int i = 0; i < 200; i++)
		memcpy(name + 2 * i, "é", 3);
	struct organisation_new ok = org_fields(name, "company");
	errors = organisation_validate(&ok);
	assert_int_equal(json_object_size(errors), 0);
	json_decref(errors);
	memcpy(name + 400, "é", 3);
	errors = organisation_validate(&ok);
	assert_non_null(json_object_get(errors, "name"));
	json_decref(errors);

	char slug[ORGANISATION_SLUG_MAX + 1];
	int64_t id = make_org(f, f->ta, "Atelier", "company", f->bob, slug);
	struct organisation_new partner = org_fields("Atelier Vélo", "partner");
	assert_int_equal(organisation_update(f->db, f->ta, id, f->bob, &partner), 0);
	assert_int_equal(organisation_set_accredited(f->db, f->ta, id, f->alice, 1), 0);
	json_t *org;
	assert_int_equal(organisation_get_by_slug(f->db, f->ta, "atelier", &org), 0);
	assert_string_equal(json_string_value(json_object_get(org, "name")), "Atelier Vélo");
	assert_true(json_is_true(json_object_get(org, "partner")));
	assert_true(json_is_true(json_object_get(org, "accredited")));
	json_decref(org);
	/* Leaving the kind "partner" ends the partnership and its accreditation. */
	struct organisation_new back = org_fields("Atelier Vélo", "association");
	assert_int_equal(organisation_update(f->db, f->ta, id, f->bob, &back), 0);
	assert_int_equal(organisation_get_by_slug(f->db, f->ta, "atelier", &org), 0);
	assert_false(json_is_true(json_object_get(org, "partner")));
	assert_false(json_is_true(json_object_get(org, "accredited")));
	json_decref(org);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update'"
				      " AND object_id = ? AND actor_id = ?",
			       id, f->bob),
			 2);
	/* Another territory's organisation is not found from here. */
	assert_int_equal(organisation_update(f->db, f->tb, id, f->bob, &back), ORGANISATION_REFUSED_NOT_FOUND);
}

static void test_member_rules(void **state)
{
	struct fixture *f = *state;
	char slug[ORGANISATION_SLUG_MAX + 1];
	int64_t org = make_org(f, f->ta, "Repair Café", "association", f->alice, slug);
	int64_t t = f->ta;
	assert_int_equal(organisation_member_set(f->db, t, org, f->bob, "member", f->alice), 0);
	assert_int_equal(organisation_member_role(f->db, org, f->bob), ORGANISATION_MEMBER);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Add' AND object_type = 'user'"
				      " AND object_id = ? AND target_id = ?",
			       f->bob, org),
			 1);
	/* Refusals. */
	assert_int_equal(organisation_member_set(f->db, t, org, f->bob, "boss", f->alice),
			 ORGANISATION_REFUSED_BAD_ROLE);
	assert_int_equal(organisation_member_set(f->db, t, org, 999999, "member", f->alice),
			 ORGANISATION_REFUSED_NO_ACCOUNT);
	assert_int_equal(organisation_member_remove(f->db, t, org, f->carol, f->alice),
			 ORGANISATION_REFUSED_NOT_MEMBER);
	assert_int_equal(organisation_member_set(f->db, f->tb, org, f->carol, "member", f->alice),
			 ORGANISATION_REFUSED_NOT_FOUND);
	assert_int_equal(organisation_member_remove(f->db, t, org, f->alice, f->alice),
			 ORGANISATION_REFUSED_LAST_OWNER);
	assert_int_equal(organisation_member_set(f->db, t, org, f->alice, "member", f->alice),
			 ORGANISATION_REFUSED_LAST_OWNER);
	assert_int_equal(organisation_member_role(f->db, org, f->alice), ORGANISATION_OWNER);
	/* A second owner; then the first may go, and the second is the last. */
	assert_int_equal(organisation_member_set(f->db, t, org, f->bob, "owner", f->alice), 0);
	assert_int_equal(organisation_member_remove(f->db, t, org, f->alice, f->alice), 0);
	assert_int_equal(organisation_member_role(f->db, org, f->alice), ORGANISATION_NOT_MEMBER);
	assert_int_equal(organisation_member_remove(f->db, t, org, f->bob, f->bob),
			 ORGANISATION_REFUSED_LAST_OWNER);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Remove'"
				      " AND object_id = ? AND target_id = ?",
			       f->alice, org),
			 1);
	json_t *members;
	assert_int_equal(organisation_member_set(f->db, t, org, f->carol, "member", f->bob), 0);
	assert_int_equal(organisation_members(f->db, org, &members), 0);
	assert_int_equal(json_array_size(members), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(members, 0), "id")), f->bob);
	assert_string_equal(json_string_value(json_object_get(json_array_get(members, 0), "role")), "owner");
	assert_string_equal(json_string_value(json_object_get(json_array_get(members, 1), "display_name")),
			    "Carol 100%_Sure");
	json_decref(members);
}

static void test_accreditation(void **state)
{
	struct fixture *f = *state;
	char slug[ORGANISATION_SLUG_MAX + 1];
	int64_t partner = make_org(f, f->ta, "Pépinière", "partner", f->bob, slug);
	int64_t plain = make_org(f, f->ta, "Association", "association", f->bob, slug);
	assert_int_equal(organisation_set_accredited(f->db, f->ta, partner, f->alice, 1), 0);
	json_t *list;
	assert_int_equal(organisation_list_partners_admin(f->db, f->ta, &list), 0);
	json_t *p = json_array_get(list, 0);
	assert_true(json_is_true(json_object_get(p, "accredited")));
	assert_true(json_integer_value(json_object_get(p, "accredited_at")) > 0);
	json_decref(list);
	/* Already accredited: nothing more recorded. */
	assert_int_equal(organisation_set_accredited(f->db, f->ta, partner, f->alice, 1), 0);
	const char *sql = "SELECT COUNT(*) FROM activities WHERE object_type = 'organisation'"
			  " AND verb = 'Update' AND object_id = ? AND actor_id = ?";
	assert_int_equal(count(f->db, sql, partner, f->alice), 1);
	assert_int_equal(organisation_set_accredited(f->db, f->ta, partner, f->alice, 0), 0);
	assert_int_equal(count(f->db, sql, partner, f->alice), 2);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM organisations WHERE id = ? AND accredited_at IS NULL"
				      " AND is_partner = ?",
			       partner, 1),
			 1);
	assert_int_equal(organisation_set_accredited(f->db, f->ta, plain, f->alice, 1),
			 ORGANISATION_REFUSED_NOT_PARTNER);
	assert_int_equal(organisation_set_accredited(f->db, f->tb, partner, f->alice, 1),
			 ORGANISATION_REFUSED_NOT_FOUND);
	assert_int_equal(count0(f->db, "SELECT COUNT(*) FROM organisations WHERE accredited_at IS NOT NULL"), 0);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_grant_and_revoke),
		DB_TEST(test_refusals_write_nothing),
		DB_TEST(test_last_admin_protected),
		DB_TEST(test_last_admin_under_concurrency),
		DB_TEST(test_roles_stay_in_their_territory),
		DB_TEST(test_role_list_pages),
		DB_TEST(test_search_people),
		DB_TEST(test_bootstrap_admin),
		DB_TEST(test_organisation_creation_makes_owner),
	DB_TEST(test_organisation_slugs_never_run_out),
		DB_TEST(test_organisation_validation_and_update),
		DB_TEST(test_member_rules),
		DB_TEST(test_accreditation),
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
