/*
 * The domain of a territory's pages, on every backend (SQLite always,
 * PostgreSQL when TREMPLIN_TEST_PG is set): a demo loaded from JSON, then
 * what the lists, pages and counts give; keyset pages that cover everything
 * once; filters; a bad demo refused with a message naming the key and
 * nothing written; one activity row per write.
 */
#include "testutil.h"

#include <fcntl.h>
#include <time.h>

#include <jansson.h>

#include "core/embedded.h"
#include "core/mem.h"
#include "domain/activity.h"
#include "domain/demo.h"
#include "domain/initiative.h"
#include "domain/funding.h"
#include "domain/journey.h"
#include "domain/matching.h"
#include "domain/need.h"
#include "domain/organisation.h"
#include "domain/outcome.h"
#include "domain/theme.h"

static struct test_db_urls urls;
static const char *current_url;

#define N_NEEDS 23
#define N_INITIATIVES 31
#define N_THEMES 3

static const char *const stage_cycle[] = { "idea", "improving", "project", "supported",
					   "realised", "idea", "archived" };

static json_t *demo_need(int i)
{
	char key[16], title[32];
	snprintf(key, sizeof(key), "n%d", i);
	snprintf(title, sizeof(title), "Besoin n°%d", i);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:i}", "key", key,
			 "author", "alice", "title", title,
			 "body", "Un besoin « réel » du quartier, décrit en détail.",
			 "theme", i % 2 ? "theme-a" : "theme-b", "neighbourhood", "Centre",
			 "lat", 48.77, "lng", 2.29, "metoo", i % 2, "days_ago", (N_NEEDS - i) * 3);
}

/* Initiative i answers need i % 10 when i < 20: needs 10.. wait for an idea. */
static json_t *demo_initiative(int i)
{
	char key[16], title[32], need[16];
	snprintf(key, sizeof(key), "i%d", i);
	snprintf(title, sizeof(title), "Idée n°%d", i);
	snprintf(need, sizeof(need), "n%d", i % 10);
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s?, s:s, s:n, s:o, s:i, s:i}",
			 "key", key, "author", "bob", "carrier", i % 3 ? NULL : "asso",
			 "title", title, "summary", "Une idée pour le quartier.",
			 "body", "## Détail\n\nTexte.", "stage", stage_cycle[i % ARRAY_SIZE(stage_cycle)],
			 "outcome", i % 7 == 4 ? "event" : NULL, "theme", i % 2 ? "theme-a" : "theme-c",
			 "neighbourhood", "needs", i < 20 ? json_pack("[s]", need) : json_array(),
			 "supports", i % 2, "days_ago", (N_INITIATIVES - i) * 2);
}

/* A demo with enough needs and initiatives for several pages; slug names the territory. */
static char *demo_text(const char *slug)
{
	json_t *needs = json_array(), *initiatives = json_array();
	for (int i = 0; i < N_NEEDS; i++)
		json_array_append_new(needs, demo_need(i));
	for (int i = 0; i < N_INITIATIVES; i++)
		json_array_append_new(initiatives, demo_initiative(i));
	json_t *root = json_pack(
		"{s:{s:s, s:s, s:s, s:s, s:[s]},"
		" s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:[s, s],"
		" s:[{s:s, s:s, s:s}, {s:s, s:s}],"
		" s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}, {s:s, s:s, s:s, s:s}],"
		" s:o, s:o}",
		"territory", "slug", slug, "name", "UP Test", "tagline", "Tester ensemble",
		"welcome", "# Bienvenue\n\nUn territoire d'essai.", "hosts", slug,
		"themes", "slug", "theme-a", "name", "Thème A", "slug", "theme-b", "name", "Thème B",
		"slug", "theme-c", "name", "Thème C",
		"neighbourhoods", "Centre", "Les Blagis",
		"people", "key", "alice", "display_name", "Alice Martin", "bio", "Habitante",
		"key", "bob", "display_name", "Bob Durand",
		"organisations", "key", "valley", "slug", "valley", "name", "Sceaux Valley", "kind",
		"partner", "summary", "Le réseau des partenaires", "description", "**Accompagne**",
		"website", "https://example.org", "partner", 1, "accredited", 1,
		"key", "asso", "slug", "asso-du-quartier", "name", "Asso du quartier", "kind",
		"association",
		"needs", needs, "initiatives", initiatives);
	assert_non_null(root);
	char *text = json_dumps(root, 0);
	json_decref(root);
	return text;
}

static int64_t count_rows(struct db *db, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

static int64_t load_demo(struct db *db, const char *slug)
{
	char *text = demo_text(slug);
	assert_int_equal(demo_load_json(db, text, strlen(text)), 0);
	free(text);
	int64_t id = 0;
	assert_int_equal(db_query_int(db, &id, "SELECT id FROM territories WHERE slug = ?", "t", slug), 0);
	return id;
}

static int setup(void **state)
{
	struct db *db = test_db_open_migrated(current_url);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static void test_demo_load_writes_everything(void **state)
{
	struct db *db = *state;
	assert_int_equal(demo_is_loaded(db, "test"), 0);
	int64_t t = load_demo(db, "test");
	assert_int_equal(demo_is_loaded(db, "test"), 1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM themes"), N_THEMES);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM neighbourhoods"), 2);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM users"), 2);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM organisations WHERE is_partner = 1"
					" AND accredited_at IS NOT NULL"), 1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM needs WHERE lat IS NOT NULL"), N_NEEDS);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM initiatives"), N_INITIATIVES);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM initiative_needs"), 20);
	assert_int_equal(count_rows(db, "SELECT SUM(idea_count) FROM needs"), 20);
	/* Ids grow with dates, so "newest first" lists show dates in order. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM needs a JOIN needs b ON a.id < b.id"
					" WHERE a.created_at > b.created_at"), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM initiatives WHERE created_at > 0"
					" AND created_at < 1000000000"), 0);
	/* Loading the same territory twice is refused. */
	char *text = demo_text("test");
	assert_int_equal(demo_load_json(db, text, strlen(text)), -1);
	free(text);
	assert_true(t > 0);
}

/*
 * Walk every page of needs; each id seen once, newest first, each by author
 * (unless NULL). Returns the number seen.
 */
static int walk_needs(struct db *db, int64_t t, int without_idea, int limit, const char *author)
{
	struct need_filter f = { .limit = limit, .without_idea = without_idea };
	int64_t last = INT64_MAX;
	int seen = 0;
	for (;;) {
		json_t *page;
		uint64_t before_count = db_statement_count(db);
		assert_int_equal(need_list(db, t, &f, &page), 0);
		assert_int_equal(db_statement_count(db) - before_count, 1);
		json_t *items = json_object_get(page, "items"), *item;
		size_t i;
		assert_true(json_array_size(items) <= (size_t)limit);
		json_array_foreach(items, i, item) {
			int64_t id = json_integer_value(json_object_get(item, "id"));
			assert_true(id < last);
			last = id;
			seen++;
			if (without_idea)
				assert_int_equal(json_integer_value(json_object_get(item, "idea_count")), 0);
			assert_non_null(json_string_value(json_object_get(item, "excerpt")));
			if (author)
				assert_string_equal(json_string_value(json_object_get(
					json_object_get(item, "author"), "name")), author);
		}
		json_t *next = json_object_get(page, "next_before");
		if (json_is_null(next)) {
			json_decref(page);
			return seen;
		}
		assert_int_equal(json_array_size(items), limit);
		f.before = json_integer_value(next);
		assert_int_equal(f.before, last);
		json_decref(page);
	}
}

static void test_need_pages_and_counts(void **state)
{
	struct db *db = *state;
	int64_t t = load_demo(db, "test");
	int64_t total, waiting;
	assert_int_equal(need_counts(db, t, &total, &waiting), 0);
	assert_int_equal(total, N_NEEDS);
	assert_int_equal(waiting, N_NEEDS - 10);
	assert_int_equal(walk_needs(db, t, 0, 10, "Alice Martin"), N_NEEDS);
	assert_int_equal(walk_needs(db, t, 0, N_NEEDS, "Alice Martin"), N_NEEDS); /* exactly one page */
	assert_int_equal(walk_needs(db, t, 0, N_NEEDS - 1, "Alice Martin"), N_NEEDS); /* one item on page 2 */
	assert_int_equal(walk_needs(db, t, 1, 5, "Alice Martin"), N_NEEDS - 10);
	/* A page past the end is empty, not an error. */
	struct need_filter f = { .limit = 5, .before = 1 };
	json_t *page;
	assert_int_equal(need_list(db, t, &f, &page), 0);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
}

static int walk_initiatives(struct db *db, int64_t t, const char *stage, int64_t theme_id,
			    int limit)
{
	struct initiative_filter f = { .limit = limit, .stage = stage, .theme_id = theme_id };
	int64_t last = INT64_MAX;
	int seen = 0;
	for (;;) {
		json_t *page;
		assert_int_equal(initiative_list(db, t, &f, &page), 0);
		json_t *item;
		size_t i;
		json_array_foreach(json_object_get(page, "items"), i, item) {
			int64_t id = json_integer_value(json_object_get(item, "id"));
			assert_true(id < last);
			last = id;
			seen++;
			if (stage)
				assert_string_equal(json_string_value(json_object_get(item, "stage")), stage);
			if (theme_id)
				assert_string_equal(json_string_value(json_object_get(
					json_object_get(item, "theme"), "slug")), "theme-a");
		}
		json_t *next = json_object_get(page, "next_before");
		int done = json_is_null(next);
		f.before = json_integer_value(next);
		json_decref(page);
		if (done)
			return seen;
	}
}

static void test_initiative_pages_filters_counts(void **state)
{
	struct db *db = *state;
	int64_t t = load_demo(db, "test");
	int64_t theme_a;
	assert_int_equal(theme_find(db, t, "theme-a", &theme_a), 0);
	assert_int_equal(theme_find(db, t, "nope", &theme_a), 1);
	assert_int_equal(theme_find(db, t, "theme-a", &theme_a), 0);
	assert_int_equal(walk_initiatives(db, t, NULL, 0, 7), N_INITIATIVES);
	json_t *counts;
	assert_int_equal(initiative_stage_counts(db, t, &counts), 0);
	int64_t sum = 0;
	for (size_t i = 0; i < initiative_stage_count; i++) {
		const char *code = initiative_stages[i].code;
		int64_t n = json_integer_value(json_object_get(counts, code));
		assert_int_equal(walk_initiatives(db, t, code, 0, 3), n);
		sum += n;
	}
	assert_int_equal(sum, N_INITIATIVES);
	assert_int_equal(json_integer_value(json_object_get(counts, "merged")), 0);
	json_decref(counts);
	int64_t odd = walk_initiatives(db, t, NULL, theme_a, 4);
	assert_int_equal(odd, N_INITIATIVES / 2);
	int64_t both = walk_initiatives(db, t, "idea", theme_a, 2);
	assert_int_equal(both, count_rows(db, "SELECT COUNT(*) FROM initiatives i JOIN themes t"
					      " ON t.id = i.theme_id WHERE i.stage = 'idea'"
					      " AND t.slug = 'theme-a'"));
	struct initiative_filter bad = { .limit = 5, .stage = "nope" };
	json_t *page;
	assert_int_equal(initiative_list(db, t, &bad, &page), -1);
}

static void test_get_one_with_names(void **state)
{
	struct db *db = *state;
	int64_t t = load_demo(db, "test");
	int64_t other = load_demo(db, "other");
	int64_t need_id, in_id;
	assert_int_equal(db_query_int(db, &need_id, "SELECT n.id FROM needs n WHERE n.title = ?"
				      " AND n.territory_id = ?", "ti", "Besoin n°3", t), 0);
	json_t *need;
	uint64_t before = db_statement_count(db);
	assert_int_equal(need_get(db, t, need_id, &need), 0);
	assert_int_equal(db_statement_count(db) - before, 2);
	assert_string_equal(json_string_value(json_object_get(need, "title")), "Besoin n°3");
	assert_string_equal(json_string_value(json_object_get(need, "neighbourhood")), "Centre");
	assert_true(json_real_value(json_object_get(need, "lat")) > 48.7);
	/* Initiatives 3 and 13 answer need 3, newest first. */
	json_t *ideas = json_object_get(need, "ideas");
	assert_int_equal(json_array_size(ideas), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ideas, 0), "title")),
			    "Idée n°13");
	json_decref(need);
	/* Another territory's need is not found from this one. */
	assert_int_equal(need_get(db, other, need_id, &need), 1);
	assert_int_equal(need_get(db, t, 999999, &need), 1);

	assert_int_equal(db_query_int(db, &in_id, "SELECT id FROM initiatives WHERE title = ?"
				      " AND territory_id = ?", "ti", "Idée n°3", t), 0);
	json_t *in;
	assert_int_equal(initiative_get(db, t, in_id, &in), 0);
	assert_string_equal(json_string_value(json_object_get(in, "stage")), "supported");
	assert_string_equal(json_string_value(json_object_get(json_object_get(in, "carrier"), "slug")),
			    "asso-du-quartier");
	assert_string_equal(json_string_value(json_object_get(json_object_get(in, "author"), "name")),
			    "Bob Durand");
	assert_string_equal(json_string_value(json_object_get(in, "body")), "## Détail\n\nTexte.");
	assert_int_equal(json_array_size(json_object_get(in, "needs")), 1);
	json_decref(in);
	assert_int_equal(initiative_get(db, other, in_id, &in), 1);

	json_t *org;
	assert_int_equal(organisation_get_by_slug(db, t, "asso-du-quartier", &org), 0);
	/* It carries one initiative in three: 0, 3, 6... */
	assert_int_equal(json_array_size(json_object_get(org, "initiatives")), (N_INITIATIVES + 2) / 3);
	assert_false(json_is_true(json_object_get(org, "partner")));
	json_decref(org);
	assert_int_equal(organisation_get_by_slug(db, t, "nope", &org), 1);
	json_t *partners;
	assert_int_equal(organisation_list(db, t, ORGANISATION_PARTNERS, &partners), 0);
	assert_int_equal(json_array_size(partners), 1);
	assert_true(json_is_true(json_object_get(json_array_get(partners, 0), "accredited")));
	json_decref(partners);
}

/* Run demo_load_json on text and return what it logged (free() it). */
static char *load_logged(struct db *db, const char *text, int *rc)
{
	char path[] = "/tmp/tremplin-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	*rc = demo_load_json(db, text, strlen(text));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *log = xcalloc(4096, 1);
	assert_true(pread(fd, log, 4095, 0) >= 0);
	close(fd);
	unlink(path);
	return log;
}

static void test_bad_demo_refused(void **state)
{
	struct db *db = *state;
	static const struct {
		const char *text;
		const char *message; /* what the log must name */
	} cases[] = {
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"themes\": [{\"slug\": \"a\","
		  " \"name\": \"A\", \"colour\": \"red\"}]}", "themes[0].colour: unknown key" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\","
		  " \"title\": \"T\", \"stage\": \"dream\", \"days_ago\": 1}]}",
		  "initiatives[0].stage: \"dream\" is not one of" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"needs\": [{\"key\": \"n\", \"author\": \"p\","
		  " \"title\": \"T\", \"theme\": \"nope\", \"days_ago\": 1}]}",
		  "needs[0].theme: \"nope\" is not a theme's slug" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}, {\"key\": \"p\", \"display_name\": \"Q\"}]}",
		  "people[1].key: \"p\" is already" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"needs\": [{\"key\": \"n\", \"author\": \"p\","
		  " \"title\": \"T\"}]}", "needs[0].days_ago: missing" },
		{ "{\"territory\": {\"slug\": \"X Y\", \"name\": \"X\"}}", "territory.slug" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"organisations\": [{\"key\":"
		  " \"o\", \"slug\": \"o\", \"name\": \"O\", \"kind\": \"partner\", \"website\":"
		  " \"javascript:alert(1)\"}]}", "organisations[0]" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"needs\": 3}", "needs: must be" },
		{ "{\"territory\": {\"slug\": \"x\"", "demo: line 1" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"extra\": []}", "file.extra: unknown key" },
		/* The journey's parts: nested keys are named with their path. */
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"needs\": [{\"key\": \"n\", \"author\": \"p\","
		  " \"title\": \"T\", \"days_ago\": 3, \"comments\": [{\"author\": \"p\", \"body\": \"B\","
		  " \"days_ago\": 2, \"replies\": [{\"author\": \"p\", \"body\": \"R\", \"days_ago\": 1,"
		  " \"likes\": 3}]}]}]}", "needs[0].comments[0].replies[0].likes: unknown key" },
		/* Counters are rows: a support per person of the file other than the author. */
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}, {\"key\": \"q\", \"display_name\": \"Q\"}], \"initiatives\":"
		  " [{\"key\": \"i\", \"author\": \"p\", \"title\": \"T\", \"stage\": \"idea\","
		  " \"supports\": 2, \"days_ago\": 1}]}", "initiatives[0].supports: 2 is more than the 1 people" },
		/* Moves follow the journey's table, made by someone it allows. */
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\","
		  " \"title\": \"T\", \"stage\": \"project\", \"days_ago\": 9, \"moves\": [{\"to\":"
		  " \"project\", \"by\": \"p\", \"note\": \"N\", \"days_ago\": 2}]}]}",
		  "initiatives[0].moves[0].by: \"p\" may not move idea → project" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\", \"role\": \"animator\"}], \"initiatives\": [{\"key\": \"i\","
		  " \"author\": \"p\", \"title\": \"T\", \"stage\": \"realised\", \"days_ago\": 9,"
		  " \"moves\": [{\"to\": \"realised\", \"by\": \"p\", \"note\": \"N\", \"days_ago\": 2}]}]}",
		  "initiatives[0].moves[0].to: idea → realised is not a move of the journey" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\","
		  " \"title\": \"T\", \"stage\": \"idea\", \"days_ago\": 9, \"project_needs\":"
		  " [{\"kind\": \"gold\"}]}]}", "initiatives[0].project_needs[0].kind: \"gold\" is not one of" },
		/* Offers: known keys and kinds, published by an accredited partner. */
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"organisations\": [{\"key\": \"o\","
		  " \"slug\": \"o\", \"name\": \"O\", \"kind\": \"partner\", \"partner\": true, \"accredited\": true}],"
		  " \"offers\": [{\"key\": \"f\", \"partner\": \"o\", \"kind\": \"premises\", \"title\": \"T\","
		  " \"stages\": [\"project\"], \"days_ago\": 3, \"price\": 3}]}", "offers[0].price: unknown key" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"organisations\": [{\"key\": \"o\","
		  " \"slug\": \"o\", \"name\": \"O\", \"kind\": \"partner\", \"partner\": true, \"accredited\": true}],"
		  " \"offers\": [{\"key\": \"f\", \"partner\": \"o\", \"kind\": \"premises\", \"title\": \"T\","
		  " \"stages\": [\"dream\"], \"days_ago\": 3}]}", "offers[0].stages: \"dream\" is not one of" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"organisations\": [{\"key\": \"o\","
		  " \"slug\": \"o\", \"name\": \"O\", \"kind\": \"partner\", \"partner\": true}],"
		  " \"offers\": [{\"key\": \"f\", \"partner\": \"o\", \"kind\": \"premises\", \"title\": \"T\","
		  " \"stages\": [\"project\"], \"days_ago\": 3}]}", "offers[0].partner: \"o\" is not an accredited partner" },
		/* Support requests: nested keys with their path; answered by a member of the partner. */
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"organisations\": [{\"key\": \"o\", \"slug\": \"o\", \"name\": \"O\","
		  " \"kind\": \"partner\", \"partner\": true, \"accredited\": true}], \"offers\": [{\"key\": \"f\","
		  " \"partner\": \"o\", \"kind\": \"premises\", \"title\": \"T\", \"stages\": [\"project\"],"
		  " \"days_ago\": 3}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\", \"title\": \"T\","
		  " \"stage\": \"idea\", \"days_ago\": 9, \"support_requests\": [{\"offer\": \"f\", \"by\": \"p\","
		  " \"message\": \"M\", \"days_ago\": 2, \"state\": \"accepted\", \"answered_by\": \"p\","
		  " \"answered_days_ago\": 1}]}]}",
		  "initiatives[0].support_requests[0].answered_by: \"p\" is not a member of the offer's partner" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\", \"title\": \"T\","
		  " \"stage\": \"idea\", \"days_ago\": 9, \"crowdfunding\": {\"platform\": \"P\", \"url\":"
		  " \"https://example.org/x\", \"goal_eur\": 5, \"days_ago\": 1, \"fees\": 2}}]}",
		  "initiatives[0].crowdfunding.fees: unknown key" },
		{ "{\"territory\": {\"slug\": \"x\", \"name\": \"X\"}, \"people\": [{\"key\": \"p\","
		  " \"display_name\": \"P\"}], \"initiatives\": [{\"key\": \"i\", \"author\": \"p\", \"title\": \"T\","
		  " \"stage\": \"idea\", \"days_ago\": 9, \"crowdfunding\": {\"platform\": \"P\", \"url\":"
		  " \"javascript:alert(1)\", \"goal_eur\": 5, \"days_ago\": 1}}]}",
		  "initiatives[0].crowdfunding.url: \"javascript:alert(1)\" is not" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;
		char *log = load_logged(db, cases[i].text, &rc);
		if (rc != -1 || !strstr(log, cases[i].message))
			fail_msg("case %zu: rc %d, log: %s", i, rc, log);
		free(log);
	}
	/* Nothing was written by any of them, not even the territory or an activity. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM territories"), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM users"), 0);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities"), 0);
}

static int64_t activities_of(struct db *db, const char *type, int64_t id, int64_t actor)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n,
				      "SELECT COUNT(*) FROM activities WHERE object_type = ? AND object_id = ?"
				      " AND verb = 'Create' AND COALESCE(actor_id, 0) = ?",
				      "tii", type, id, actor),
			 0);
	return n;
}

static void test_each_create_records_one_activity(void **state)
{
	struct db *db = *state;
	int64_t t = load_demo(db, "test");
	int64_t alice, theme;
	assert_int_equal(db_query_int(db, &alice, "SELECT id FROM users WHERE display_name = ?", "t",
				      "Alice Martin"), 0);
	assert_int_equal(theme_find(db, t, "theme-c", &theme), 0);
	/* The demo recorded one activity per need and initiative. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities WHERE object_type = 'need'"
					" AND verb = 'Create'"), N_NEEDS);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities WHERE object_type ="
					" 'initiative' AND verb = 'Create'"), N_INITIATIVES);
	/* Each "me too" and support of the demo is a row with its "Like" activity. */
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities WHERE verb = 'Like'"),
			 count_rows(db, "SELECT (SELECT COUNT(*) FROM need_metoos) +"
					" (SELECT COUNT(*) FROM supports)"));

	struct need_new n = { .author_id = alice, .title = "Un banc près de l'école",
			      .body = "Pour attendre.", .theme_id = theme };
	int64_t need_id;
	assert_int_equal(need_create(db, t, &n, &need_id), 0);
	assert_int_equal(activities_of(db, "need", need_id, alice), 1);

	struct organisation_new o = { .slug = "cafe", .name = "Café", .kind = "social_enterprise" };
	int64_t org_id;
	assert_int_equal(organisation_create(db, t, &o, &org_id), 0);
	assert_int_equal(activities_of(db, "organisation", org_id, 0), 1);

	int64_t needs[] = { need_id };
	struct initiative_new in = { .author_id = alice, .carrier_org_id = org_id,
				     .title = "Des bancs partout", .need_ids = needs, .n_needs = 1 };
	int64_t in_id;
	assert_int_equal(initiative_create(db, t, &in, &in_id), 0);
	assert_int_equal(activities_of(db, "initiative", in_id, alice), 1);
	json_t *need;
	assert_int_equal(need_get(db, t, need_id, &need), 0);
	assert_int_equal(json_integer_value(json_object_get(need, "idea_count")), 1);
	json_decref(need);

	/* A failed write leaves nothing: neither the row nor its activity nor the need's count. */
	int64_t rows = count_rows(db, "SELECT COUNT(*) FROM initiatives");
	int64_t acts = count_rows(db, "SELECT COUNT(*) FROM activities");
	int64_t foreign_need;
	int64_t other = load_demo(db, "other");
	acts = count_rows(db, "SELECT COUNT(*) FROM activities");
	assert_int_equal(db_query_int(db, &foreign_need, "SELECT MAX(id) FROM needs WHERE territory_id = ?",
				      "i", other), 0);
	int64_t mixed[] = { need_id, foreign_need };
	in.need_ids = mixed;
	in.n_needs = 2;
	log_set_quiet(1);
	assert_int_equal(initiative_create(db, t, &in, &in_id), -1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM initiatives"), rows + N_INITIATIVES);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities"), acts);
	assert_int_equal(need_get(db, t, need_id, &need), 0);
	assert_int_equal(json_integer_value(json_object_get(need, "idea_count")), 1);
	json_decref(need);
	/* A theme of another territory is refused too. */
	int64_t foreign_theme;
	assert_int_equal(theme_find(db, other, "theme-a", &foreign_theme), 0);
	n.theme_id = foreign_theme;
	assert_int_equal(need_create(db, t, &n, &need_id), -1);
	assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM activities"), acts);
}

/* List excerpts are plain text: Markdown marks and line breaks do not show on a card. */
static void test_excerpt_is_plain_text(void **state)
{
	struct db *db = *state;
	int64_t t = load_demo(db, "test");
	struct need_new n = { .title = "Court", .body = "## Un titre\n\n- **un** point\n- un `autre`\n\n> cité" };
	int64_t id;
	assert_int_equal(need_create(db, t, &n, &id), 0);
	char long_body[600];
	memset(long_body, 0, sizeof(long_body));
	static const char word[] = "éléphants, "; /* 11 characters, 13 bytes */
	for (size_t i = 0; i + sizeof(word) < sizeof(long_body); i += sizeof(word) - 1)
		memcpy(long_body + i, word, sizeof(word) - 1);
	struct need_new l = { .title = "Long", .body = long_body };
	assert_int_equal(need_create(db, t, &l, &id), 0);
	struct need_filter f = { .limit = 2 };
	json_t *page;
	assert_int_equal(need_list(db, t, &f, &page), 0);
	json_t *items = json_object_get(page, "items");
	const char *cut = json_string_value(json_object_get(json_array_get(items, 0), "excerpt"));
	const char *plain = json_string_value(json_object_get(json_array_get(items, 1), "excerpt"));
	assert_string_equal(plain, "Un titre un point un autre cité");
	/* Cut on a word, at most 180 characters and the ellipsis, never inside a character. */
	size_t len = strlen(cut);
	assert_true(len > 150 && len < 180 * 2);
	assert_null(strstr(cut, ", …"));
	assert_string_equal(cut + len - strlen("éléphants…"), "éléphants…");
	json_decref(page);
}

/* Each counter of the territory equals its rows. */
static void assert_counters_are_rows(struct db *db, int64_t t)
{
	static const char *const mismatches[] = {
		"SELECT COUNT(*) FROM initiatives i WHERE i.territory_id = ? AND i.support_count <>"
		" (SELECT COUNT(*) FROM supports s WHERE s.initiative_id = i.id)",
		"SELECT COUNT(*) FROM needs n WHERE n.territory_id = ? AND n.metoo_count <>"
		" (SELECT COUNT(*) FROM need_metoos m WHERE m.need_id = n.id)",
		"SELECT COUNT(*) FROM initiatives i WHERE i.territory_id = ? AND i.comment_count <>"
		" (SELECT COUNT(*) FROM comments c WHERE c.object_type = 'initiative'"
		" AND c.object_id = i.id)",
		"SELECT COUNT(*) FROM needs n WHERE n.territory_id = ? AND n.comment_count <>"
		" (SELECT COUNT(*) FROM comments c WHERE c.object_type = 'need' AND c.object_id = n.id)",
	};
	for (size_t i = 0; i < ARRAY_SIZE(mismatches); i++) {
		int64_t n = -1;
		assert_int_equal(db_query_int(db, &n, mismatches[i], "i", t), 0);
		if (n)
			fail_msg("%lld counters differ from their rows: %s", (long long)n, mismatches[i]);
	}
}

static int64_t count_in(struct db *db, int64_t t, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", t), 0);
	return n;
}

/* The journey's parts of the Sceaux demo: every one at work, dated in the past, counters true. */
static void test_sceaux_journey(struct db *db, int64_t t)
{
	int64_t now = (int64_t)time(NULL);
	assert_counters_are_rows(db, t);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM supports WHERE territory_id = ?") > 100);
	/* Threaded comments on 3+ initiatives and 2+ needs, replies to replies, in the past. */
	assert_true(count_in(db, t, "SELECT COUNT(DISTINCT object_id) FROM comments WHERE territory_id = ?"
				    " AND object_type = 'initiative'") >= 3);
	assert_true(count_in(db, t, "SELECT COUNT(DISTINCT object_id) FROM comments WHERE territory_id = ?"
				    " AND object_type = 'need'") >= 2);
	assert_true(count_in(db, t, "SELECT MAX(depth) FROM comments WHERE territory_id = ?") >= 2);
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM comments c JOIN comments p"
					 " ON p.id = c.parent_id WHERE c.territory_id = ?"
					 " AND c.created_at <= p.created_at"), 0);
	/* An accepted suggestion made a version crediting its author, not the initiative's. */
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM initiative_versions v JOIN suggestions s"
				    " ON s.id = v.suggestion_id JOIN initiatives i ON i.id = v.initiative_id"
				    " WHERE v.territory_id = ? AND s.state = 'accepted'"
				    " AND v.author_id = s.author_id AND v.author_id <> i.author_id") >= 1);
	assert_true(count_in(db, t, "SELECT MAX(version) FROM initiative_versions WHERE territory_id = ?") >= 3);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM suggestions WHERE territory_id = ?"
				    " AND state = 'open'") >= 1);
	/* Versions are as the history shows them: numbered in the order of their dates. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM initiative_versions a JOIN"
					 " initiative_versions b ON a.initiative_id = b.initiative_id"
					 " AND a.version < b.version WHERE a.territory_id = ?"
					 " AND a.created_at >= b.created_at"), 0);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM coauthors WHERE territory_id = ?"
				    " AND state = 'accepted'") >= 1);
	/* A project with a carrier organisation, a team of 3 and one offer waiting, skills, needs. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM initiatives i WHERE i.territory_id = ?"
					 " AND i.carrier_org_id IS NOT NULL AND i.stage = 'project'"
					 " AND (SELECT COUNT(*) FROM team_members m WHERE m.initiative_id = i.id"
					 " AND m.state = 'accepted' AND m.skills <> '') = 3"
					 " AND (SELECT COUNT(*) FROM team_members m WHERE m.initiative_id = i.id"
					 " AND m.state = 'offered') = 1"
					 " AND EXISTS (SELECT 1 FROM initiative_skills k WHERE k.initiative_id = i.id)"
					 " AND EXISTS (SELECT 1 FROM project_needs n WHERE n.initiative_id = i.id"
					 " AND n.kind = 'money' AND n.amount_eur > 0)"
					 " AND EXISTS (SELECT 1 FROM project_needs n WHERE n.initiative_id = i.id"
					 " AND n.kind = 'premises' AND n.surface_m2 > 0 AND n.duration_months > 0)"
					 " AND EXISTS (SELECT 1 FROM project_needs n WHERE n.initiative_id = i.id"
					 " AND n.state = 'met')"),
			 1);
	/* A realised event coming soon, with its place, listed as upcoming. */
	json_t *events;
	assert_int_equal(outcome_events(db, t, now, 1, 0, 0, 10, &events), 0);
	json_t *first = json_array_get(json_object_get(events, "items"), 0);
	assert_non_null(first);
	int64_t starts = json_integer_value(json_object_get(first, "starts_at"));
	assert_true(starts > now && starts < now + 60 * 86400);
	assert_true(strlen(json_string_value(json_object_get(first, "place"))) > 0);
	json_decref(events);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM outcomes WHERE territory_id = ?"
				    " AND kind = 'service'") >= 1);
	/* Every initiative past the idea stage has its moves, by an animator, in the past, ending at its stage. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM initiatives i WHERE i.territory_id = ?"
					 " AND i.stage <> 'idea' AND NOT EXISTS (SELECT 1 FROM activities a"
					 " WHERE a.object_type = 'initiative' AND a.object_id = i.id"
					 " AND a.verb = 'Move')"),
			 0);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM activities a JOIN roles r ON r.user_id ="
				    " a.actor_id AND r.territory_id = a.territory_id WHERE a.territory_id = ?"
				    " AND a.verb = 'Move' AND r.role = 'animator'") >= 10);
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM activities WHERE territory_id = ?"
				   " AND created_at > %lld", (long long)now);
	assert_int_equal(count_in(db, t, sql), 0);
	json_t *list;
	int64_t id = count_in(db, t, "SELECT MIN(id) FROM initiatives WHERE territory_id = ?"
				     " AND stage = 'supported'");
	assert_int_equal(journey_timeline(db, t, id, 50, &list), 0);
	json_t *last = json_array_get(list, json_array_size(list) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "verb")), "Move");
	assert_string_equal(json_string_value(json_object_get(last, "to")), "supported");
	assert_true(strlen(json_string_value(json_object_get(last, "note"))) > 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "to")), "idea");
	json_decref(list);
	/* Demo people stay accounts without e-mail. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM users WHERE email IS NOT NULL"
					 " AND ? > 0"), 0);
}

/*
 * The partners of the Sceaux demo: each accredited partner has 1 to 3
 * offers with stages; a request waits with its message, a support was
 * completed with what was given and its need met, a project has a funding
 * goal and a crowdfunding campaign; the projects' open needs are answered
 * by suggestions; every step is an activity of the project, in the past.
 */
static void test_sceaux_partners(struct db *db, int64_t t)
{
	int64_t now = (int64_t)time(NULL);
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM organisations o WHERE o.territory_id = ?"
					 " AND o.is_partner = 1 AND o.accredited_at IS NOT NULL AND"
					 " (SELECT COUNT(*) FROM offers f WHERE f.organisation_id = o.id) NOT BETWEEN 1 AND 3"),
			 0);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM offers WHERE territory_id = ?") >= 6);
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM offers f WHERE f.territory_id = ?"
					 " AND NOT EXISTS (SELECT 1 FROM offer_stages s WHERE s.offer_id = f.id)"),
			 0);
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM offers f JOIN organisations o"
					 " ON o.id = f.organisation_id WHERE f.territory_id = ?"
					 " AND (o.is_partner = 0 OR o.accredited_at IS NULL)"),
			 0);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM offers WHERE territory_id = ?"
				    " AND kind = 'funding' AND amount_max_eur > 0") >= 1);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM offer_themes f JOIN offers o ON o.id = f.offer_id"
				    " WHERE o.territory_id = ?") >= 5);
	/* A request waiting, with its message; a completed support, what was given, its need met. */
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM support_requests WHERE territory_id = ?"
				    " AND state = 'pending' AND message <> ''") >= 1);
	assert_true(count_in(db, t, "SELECT COUNT(*) FROM support_requests r JOIN project_needs n"
				    " ON n.id = r.project_need_id JOIN offers o ON o.id = r.offer_id"
				    " WHERE r.territory_id = ? AND r.state = 'completed' AND n.state = 'met'"
				    " AND o.kind IN ('funding', 'premises') AND r.given_text <> ''"
				    " AND (r.given_amount_eur > 0 OR r.given_hours > 0)"
				    " AND r.completed_at > r.answered_at AND r.answered_at > r.created_at") >= 2);
	/* Whoever answered acts for the partner. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM support_requests r JOIN offers o"
					 " ON o.id = r.offer_id JOIN activities a ON a.target_type = 'support_request'"
					 " AND a.target_id = r.id AND a.verb IN ('Accept', 'Update')"
					 " WHERE r.territory_id = ? AND NOT EXISTS (SELECT 1 FROM organisation_members m"
					 " WHERE m.organisation_id = o.organisation_id AND m.user_id = a.actor_id)"),
			 0);
	/* Each step of each request is on the project's timeline: asked, answered, completed. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM support_requests r WHERE r.territory_id = ?"
					 " AND (SELECT COUNT(*) FROM activities a WHERE a.object_type = 'initiative'"
					 " AND a.object_id = r.initiative_id AND a.target_type = 'support_request'"
					 " AND a.target_id = r.id) <> CASE r.state WHEN 'pending' THEN 1"
					 " WHEN 'completed' THEN 3 ELSE 2 END"),
			 0);
	/* A funding goal, a campaign on an example.org address, and a bar with something in it. */
	int64_t id = count_in(db, t, "SELECT MIN(i.id) FROM initiatives i JOIN crowdfunding_campaigns c"
				     " ON c.initiative_id = i.id WHERE i.territory_id = ? AND i.funding_goal_eur > 0"
				     " AND c.url LIKE 'https://example.org/%' AND c.raised_eur > 0");
	assert_true(id > 0);
	json_t *f;
	assert_int_equal(funding_get(db, t, id, &f), 0);
	int64_t committed = json_integer_value(json_object_get(f, "committed_eur"));
	int64_t goal = json_integer_value(json_object_get(f, "goal_eur"));
	assert_true(json_integer_value(json_object_get(f, "supports_eur")) > 0);
	assert_true(committed > 0 && committed < goal);
	json_decref(f);
	/* The same project is suggested offers, each with the need it answers. */
	json_t *offers;
	assert_int_equal(matching_offers_for_project(db, t, id, 20, &offers), 0);
	assert_true(json_array_size(offers) >= 2);
	size_t i;
	json_t *o;
	json_array_foreach(offers, i, o)
		assert_true(json_array_size(json_object_get(o, "needs")) >= 1);
	json_decref(offers);
	/* Every project has an offer to be suggested for one of its open needs. */
	assert_int_equal(count_in(db, t, "SELECT COUNT(*) FROM initiatives i WHERE i.territory_id = ?"
					 " AND i.stage = 'project' AND NOT EXISTS (SELECT 1 FROM project_needs n"
					 " JOIN offer_kind_answers k ON k.need_kind = n.kind JOIN offers o"
					 " ON o.kind = k.offer_kind AND o.territory_id = i.territory_id"
					 " JOIN offer_stages s ON s.offer_id = o.id AND s.stage = i.stage"
					 " WHERE n.initiative_id = i.id AND n.state = 'open')"),
			 0);
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM support_requests WHERE territory_id = ?"
				   " AND (updated_at > %lld OR created_at > %lld)", (long long)now,
		 (long long)now);
	assert_int_equal(count_in(db, t, sql), 0);
}

/* The real demo, once db/demo/sceaux.json is in the build. */
static void test_sceaux_demo(void **state)
{
	struct db *db = *state;
	int found = 0;
	for (const struct embedded_file *f = embedded_demo; f->name; f++)
		found |= !strcmp(f->name, "sceaux.json");
	assert_int_equal(demo_load(db, "no-such-demo"), -1);
	if (!found)
		skip();
	assert_int_equal(demo_load(db, "sceaux"), 0);
	assert_int_equal(demo_is_loaded(db, "sceaux"), 1);
	int64_t t;
	assert_int_equal(db_query_int(db, &t, "SELECT id FROM territories WHERE slug = 'sceaux'", ""), 0);
	int64_t total, waiting;
	assert_int_equal(need_counts(db, t, &total, &waiting), 0);
	assert_true(total > 0);
	assert_int_equal(walk_needs(db, t, 0, 4, NULL), total);
	assert_int_equal(walk_needs(db, t, 1, 3, NULL), waiting);
	json_t *counts;
	assert_int_equal(initiative_stage_counts(db, t, &counts), 0);
	json_decref(counts);
	assert_true(count_rows(db, "SELECT COUNT(*) FROM initiatives") > 0);
	test_sceaux_journey(db, t);
	test_sceaux_partners(db, t);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_demo_load_writes_everything),
		DB_TEST(test_need_pages_and_counts),
		DB_TEST(test_initiative_pages_filters_counts),
		DB_TEST(test_get_one_with_names),
		DB_TEST(test_bad_demo_refused),
		DB_TEST(test_each_create_records_one_activity),
		DB_TEST(test_excerpt_is_plain_text),
		DB_TEST(test_sceaux_demo),
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
