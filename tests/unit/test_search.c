/*
 * Search on every backend (SQLite always, PostgreSQL when TREMPLIN_TEST_PG
 * is set): the words of a query (folding, repeats, limits, hostile syntax),
 * snippets, and, on the database, accents and case, AND, one territory
 * only, the kind filter, the index following creations and edits, pages by
 * key (ranked and, past SEARCH_RANK_MAX matches, newest first) and the
 * migration's backfill of rows written before it.
 */
#include "testutil.h"

#include <time.h>

#include "core/mem.h"
#include "domain/comment.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/search.h"
#include "domain/territory.h"
#include "domain/user.h"
#include "domain/version.h"

static struct test_db_urls urls;
static const char *current_url;

#define FAKE_HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

struct fixture {
	struct db *db;
	int64_t territory, other;
	int64_t ana;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	static const char *const hosts[] = { "test.example", NULL };
	static const char *const other_hosts[] = { "other.example", NULL };
	assert_int_equal(territory_create(f->db, "test", "UP Test", "", "", hosts, &f->territory), 0);
	assert_int_equal(territory_create(f->db, "other", "UP Other", "", "", other_hosts, &f->other), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_create(f->db, f->territory, "ana@example.org", "Ana", FAKE_HASH, "fr", 1,
				     &f->ana), 0);
	assert_int_equal(db_commit(f->db), 0);
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

static int64_t need(struct fixture *f, int64_t territory, const char *title, const char *body)
{
	int64_t id = 0;
	struct need_new n = { .author_id = f->ana, .title = title, .body = body };
	assert_int_equal(need_create(f->db, territory, &n, &id), 0);
	return id;
}

static int64_t idea(struct fixture *f, const char *title, const char *summary, const char *body)
{
	int64_t id = 0;
	struct initiative_new in = { .author_id = f->ana, .title = title, .summary = summary,
				     .body = body };
	assert_int_equal(initiative_create(f->db, f->territory, &in, &id), 0);
	return id;
}

/* The results of q as "kind:id kind:id ..." (in order), and *next the key of the next page. */
static char *found(struct fixture *f, int64_t territory, const char *q, enum search_kind kind,
		   const char *after, int limit, char *next, size_t next_size)
{
	json_t *page = NULL;
	struct search_query sq = { .text = q, .kind = kind, .after = after, .limit = limit };
	assert_int_equal(search_run(f->db, territory, &sq, &page), 0);
	static char out[8192];
	size_t len = 0;
	out[0] = '\0';
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(page, "items"), i, item)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s:%lld", len ? " " : "",
					json_string_value(json_object_get(item, "kind")),
					(long long)json_integer_value(json_object_get(item, "id")));
	if (next) {
		const char *k = json_string_value(json_object_get(page, "next"));
		snprintf(next, next_size, "%s", k ? k : "");
	}
	json_decref(page);
	return out;
}

static char *all(struct fixture *f, const char *q)
{
	return found(f, f->territory, q, SEARCH_ALL, NULL, SEARCH_PAGE_MAX, NULL, 0);
}

/* ---- Words ---- */

static void test_parse(void **state)
{
	(void)state;
	struct search_terms t;
	assert_int_equal(search_parse("Vélo  CARGO vélo", &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.term[0], "velo");
	assert_string_equal(t.term[1], "cargo");
	assert_int_equal(search_parse("l’École d'été", &t), 0);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.term[1], "ecole");
	/* FTS and SQL syntax is only punctuation between words. */
	assert_int_equal(search_parse("\"vélo", &t), 0);
	assert_string_equal(t.term[0], "velo");
	assert_int_equal(search_parse("a OR NEAR(", &t), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.term[1], "or");
	assert_int_equal(search_parse("*", &t), SEARCH_EMPTY);
	assert_int_equal(search_parse("  -- ; ' \" ) ( ", &t), SEARCH_EMPTY);
	assert_int_equal(search_parse("", &t), SEARCH_EMPTY);
	assert_int_equal(search_parse("a b c d e f g h", &t), 0);
	assert_int_equal(search_parse("a b c d e f g h i", &t), SEARCH_TOO_MANY_TERMS);
	char longq[SEARCH_QUERY_MAX + 2];
	memset(longq, 'x', sizeof(longq) - 1);
	longq[sizeof(longq) - 1] = '\0';
	assert_int_equal(search_parse(longq, &t), SEARCH_TOO_LONG);
	longq[SEARCH_QUERY_MAX] = '\0';
	assert_int_equal(search_parse(longq, &t), 0);
	assert_int_equal(strlen(t.term[0]), SEARCH_TERM_BYTES);
	assert_int_equal(search_parse("caf\xC3", &t), SEARCH_BAD_TEXT);
}

static void test_snippet(void **state)
{
	(void)state;
	struct search_terms t;
	assert_int_equal(search_parse("velo", &t), 0);
	json_t *parts = search_snippet("## Le constat\n\nUn **vélo** <b>pour</b> tous.", &t, 30);
	assert_int_equal(json_array_size(parts), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 0), "text")),
			    "Le constat Un ");
	json_t *mark = json_array_get(parts, 1);
	assert_string_equal(json_string_value(json_object_get(mark, "text")), "vélo");
	assert_true(json_is_true(json_object_get(mark, "mark")));
	/* Markup stays text: the template escapes it. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 2), "text")),
			    " <b>pour</b> tous");
	json_decref(parts);
	parts = search_snippet("un deux trois quatre cinq six sept huit neuf dix onze douze vélo "
			       "treize quatorze quinze seize dix-sept",
			       &t, 10);
	const char *first = json_string_value(json_object_get(json_array_get(parts, 0), "text"));
	assert_true(!strncmp(first, "… ", strlen("… ")));
	json_t *last = json_array_get(parts, json_array_size(parts) - 1);
	const char *end = json_string_value(json_object_get(last, "text"));
	assert_string_equal(end + strlen(end) - strlen(" …"), " …");
	json_decref(parts);
}

/* ---- On the database ---- */

static void test_accents_and_and(void **state)
{
	struct fixture *f = *state;
	int64_t a = need(f, f->territory, "Un VÉLO cargo pour l’école", "Des enfants à transporter.");
	int64_t b = need(f, f->territory, "Un vélo", "Pour aller au marché.");
	int64_t c = idea(f, "Atelier de réparation", "Réparer son velo", "Le samedi matin.");
	char want[128];
	snprintf(want, sizeof(want), "need:%lld", (long long)a);
	assert_string_equal(all(f, "velo ECOLE"), want);
	assert_string_equal(all(f, "cargo vélo"), want);
	assert_string_equal(all(f, "vélo cargo absent"), "");
	char *r = all(f, "velo");
	snprintf(want, sizeof(want), "initiative:%lld", (long long)c);
	assert_non_null(strstr(r, want));
	snprintf(want, sizeof(want), "need:%lld", (long long)b);
	assert_non_null(strstr(r, want));
	/* A word of the title weighs more than one of the text. */
	r = all(f, "marche");
	snprintf(want, sizeof(want), "need:%lld", (long long)b);
	assert_string_equal(r, want);
	/* Hostile syntax answers, with what matches or nothing. */
	assert_string_equal(all(f, "a OR NEAR("), "");
	assert_string_equal(all(f, "\"velo\" \"cargo"), all(f, "velo cargo"));
	assert_string_equal(all(f, "velo* ^cargo -école:"), all(f, "velo cargo ecole"));
	assert_string_equal(all(f, "'); DROP TABLE needs; --"), "");
}

static void test_territory_and_kind(void **state)
{
	struct fixture *f = *state;
	int64_t mine = need(f, f->territory, "Jardin partagé", "Un jardin au pied des immeubles.");
	int64_t theirs = need(f, f->other, "Jardin partagé", "Un jardin ailleurs.");
	int64_t in = idea(f, "Jardin des voisins", "", "");
	int64_t c = 0;
	struct comment_new cn = { .territory_id = f->territory, .object_type = "need",
				  .object_id = mine, .author_id = f->ana,
				  .body = "Je connais un jardinier." };
	assert_int_equal(comment_create(f->db, &cn, &c), 0);
	char want[128];
	snprintf(want, sizeof(want), "need:%lld", (long long)theirs);
	assert_string_equal(found(f, f->other, "jardin", SEARCH_ALL, NULL, 10, NULL, 0), want);
	assert_null(strstr(all(f, "jardin"), want));
	snprintf(want, sizeof(want), "need:%lld", (long long)mine);
	assert_string_equal(found(f, f->territory, "jardin", SEARCH_NEEDS, NULL, 10, NULL, 0), want);
	snprintf(want, sizeof(want), "initiative:%lld", (long long)in);
	assert_string_equal(found(f, f->territory, "jardin", SEARCH_INITIATIVES, NULL, 10, NULL, 0),
			    want);
	snprintf(want, sizeof(want), "comment:%lld", (long long)c);
	assert_string_equal(found(f, f->territory, "jardinier", SEARCH_COMMENTS, NULL, 10, NULL, 0),
			    want);
	/* Merged and archived initiatives stay findable, with their stage. */
	assert_int_equal(db_execv(f->db, "UPDATE initiatives SET stage = 'merged' WHERE id = ?", "i", in), 0);
	json_t *merged = NULL;
	struct search_query mq = { .text = "voisins jardin", .kind = SEARCH_INITIATIVES, .limit = 5 };
	assert_int_equal(search_run(f->db, f->territory, &mq, &merged), 0);
	json_t *m0 = json_array_get(json_object_get(merged, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(m0, "id")), in);
	assert_string_equal(json_string_value(json_object_get(m0, "stage")), "merged");
	json_decref(merged);
	/* A comment opens its discussion, under the discussion's title. */
	json_t *page = NULL;
	struct search_query sq = { .text = "jardinier", .limit = 5 };
	assert_int_equal(search_run(f->db, f->territory, &sq, &page), 0);
	json_t *item = json_array_get(json_object_get(page, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "link_type")), "need");
	assert_int_equal(json_integer_value(json_object_get(item, "link_id")), mine);
	assert_string_equal(json_string_value(json_object_get(item, "title")), "Jardin partagé");
	json_decref(page);
}

static void test_edits_follow(void **state)
{
	struct fixture *f = *state;
	int64_t in = idea(f, "Une ressourcerie", "", "Des objets.");
	struct version_change vc = { .title = "Une recyclerie", .summary = "", .body = "Des meubles.",
				     .author_id = f->ana };
	assert_int_equal(version_edit(f->db, f->territory, in, &vc, NULL), 0);
	char want[64];
	snprintf(want, sizeof(want), "initiative:%lld", (long long)in);
	assert_string_equal(all(f, "recyclerie meubles"), want);
	assert_string_equal(all(f, "ressourcerie"), "");
	int64_t c = 0;
	struct comment_new cn = { .territory_id = f->territory, .object_type = "initiative",
				  .object_id = in, .author_id = f->ana, .body = "Première version" };
	assert_int_equal(comment_create(f->db, &cn, &c), 0);
	int64_t now = (int64_t)time(NULL);
	assert_int_equal(comment_edit(f->db, f->territory, c, f->ana, "Texte corrigé", now), 0);
	snprintf(want, sizeof(want), "comment:%lld", (long long)c);
	assert_string_equal(all(f, "corrige"), want);
	assert_string_equal(all(f, "premiere"), "");
	/* One row per text, edits included. */
	int64_t n = 0;
	assert_int_equal(db_query_int(f->db, &n, "SELECT COUNT(*) FROM search_docs", ""), 0);
	assert_int_equal(n, 2);
}

/* Walk every page of q, limit rows at a time: each match once; returns the pages walked. */
static int walk(struct fixture *f, const char *q, int limit, int expected)
{
	char key[64] = "", seen[16384] = "";
	int pages = 0, total = 0;
	do {
		char *r = found(f, f->territory, q, SEARCH_ALL, *key ? key : NULL, limit, key,
				sizeof(key));
		pages++;
		for (char *w = r; *w;) {
			char *sp = strchr(w, ' ');
			size_t len = sp ? (size_t)(sp - w) : strlen(w);
			char tok[40];
			snprintf(tok, sizeof(tok), "|%.*s|", (int)len, w);
			assert_null(strstr(seen, tok));
			size_t at = strlen(seen);
			snprintf(seen + at, sizeof(seen) - at, "%s", tok);
			total++;
			w += len + (sp != NULL);
		}
	} while (*key && pages < 1000);
	assert_int_equal(total, expected);
	return pages;
}

static void test_pages_ranked(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 25; i++)
		need(f, f->territory, i % 3 ? "Banc public" : "Banc public, banc à l’ombre", "Un banc.");
	need(f, f->territory, "Autre chose", "Rien.");
	assert_int_equal(walk(f, "banc", 10, 25), 3);
	json_t *page = NULL;
	struct search_query sq = { .text = "banc", .limit = 10 };
	assert_int_equal(search_run(f->db, f->territory, &sq, &page), 0);
	assert_true(json_is_true(json_object_get(page, "ranked")));
	assert_int_equal(json_integer_value(json_object_get(page, "matches")), 25);
	json_decref(page);
	struct search_query bad = { .text = "banc", .after = "r1e999_3", .limit = 10 };
	assert_int_equal(search_run(f->db, f->territory, &bad, &page), SEARCH_BAD_KEY);
	bad.after = "n-1";
	assert_int_equal(search_run(f->db, f->territory, &bad, &page), SEARCH_BAD_KEY);
}

static void test_pages_newest_past_bound(void **state)
{
	struct fixture *f = *state;
	int n = SEARCH_RANK_MAX + 5;
	assert_int_equal(db_begin(f->db), 0);
	for (int i = 0; i < n; i++) {
		int64_t id;
		struct need_new nn = { .author_id = f->ana, .title = "Lampadaire en panne",
				       .body = "Rue sombre." };
		assert_int_equal(need_insert(f->db, f->territory, &nn, &id), 0);
	}
	assert_int_equal(db_commit(f->db), 0);
	json_t *page = NULL;
	struct search_query sq = { .text = "lampadaire panne", .limit = 50 };
	assert_int_equal(search_run(f->db, f->territory, &sq, &page), 0);
	assert_false(json_is_true(json_object_get(page, "ranked")));
	assert_int_equal(json_integer_value(json_object_get(page, "matches")), SEARCH_RANK_MAX + 1);
	/* Newest first: ids go down. */
	json_t *items = json_object_get(page, "items");
	assert_true(json_integer_value(json_object_get(json_array_get(items, 0), "id")) >
		    json_integer_value(json_object_get(json_array_get(items, 1), "id")));
	json_decref(page);
	assert_int_equal(walk(f, "lampadaire panne", 50, n), (n + 49) / 50);
}

/* Rows written before the migration are found after it. */
static void test_backfill(void **state)
{
	struct fixture *f = *state;
	int64_t a = need(f, f->territory, "Composteur collectif", "Dans la cour.");
	const char *undo =
		db_kind(f->db) == DB_POSTGRES
			? "DROP TABLE search_docs; DROP FUNCTION search_fold(TEXT);"
			  " DELETE FROM schema_migrations WHERE version = 17;"
			: "DROP TABLE search_fts; DROP VIEW search_content; DROP TABLE search_docs;"
			  " DELETE FROM schema_migrations WHERE version = 17;";
	assert_int_equal(db_exec(f->db, undo), 0);
	assert_int_equal(db_migrate(f->db), 0);
	char want[64];
	snprintf(want, sizeof(want), "need:%lld", (long long)a);
	assert_string_equal(all(f, "composteur cour"), want);
}

int main(void)
{
	test_db_urls_init(&urls);
	const struct CMUnitTest words[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_snippet),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accents_and_and, setup, teardown),
		cmocka_unit_test_setup_teardown(test_territory_and_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edits_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_ranked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_newest_past_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backfill, setup, teardown),
	};
	int failed = cmocka_run_group_tests_name("words", words, NULL, NULL);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += cmocka_run_group_tests_name(test_db_name(current_url), tests, NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed;
}
