/*
 * Threaded comments on every backend (SQLite always, PostgreSQL when
 * TREMPLIN_TEST_PG is set): the tree built from one query in reading
 * order, nesting shown at most COMMENT_DEPTH_SHOWN levels, a parent from
 * another object or territory refused with nothing written, the author's
 * edit window, the object's comment_count and the activity rows, and the
 * pages of threads.
 */
#include "testutil.h"

#include <time.h>

#include "core/mem.h"
#include "domain/comment.h"
#include "domain/initiative.h"
#include "domain/need.h"
#include "domain/territory.h"
#include "domain/user.h"

static struct test_db_urls urls;
static const char *current_url;

#define FAKE_HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

struct fixture {
	struct db *db;
	int64_t territory, other_territory;
	int64_t ana, ben;
	int64_t need, initiative, other_initiative;
};

static int64_t mkuser(struct db *db, int64_t territory, const char *email, const char *name)
{
	int64_t id = 0;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(user_create(db, territory, email, name, FAKE_HASH, "fr", 1, &id), 0);
	assert_int_equal(db_commit(db), 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	static const char *const hosts[] = { "test.example", NULL };
	static const char *const other_hosts[] = { "other.example", NULL };
	assert_int_equal(territory_create(f->db, "test", "UP Test", "", "", hosts, &f->territory), 0);
	assert_int_equal(territory_create(f->db, "other", "UP Other", "", "", other_hosts,
					  &f->other_territory), 0);
	f->ana = mkuser(f->db, f->territory, "ana@example.org", "Ana");
	f->ben = mkuser(f->db, f->territory, "ben@example.org", "Ben");
	struct need_new n = { .author_id = f->ana, .title = "Un besoin", .body = "Texte" };
	assert_int_equal(need_create(f->db, f->territory, &n, &f->need), 0);
	struct initiative_new in = { .author_id = f->ana, .title = "Une idée", .body = "Texte" };
	assert_int_equal(initiative_create(f->db, f->territory, &in, &f->initiative), 0);
	assert_int_equal(initiative_create(f->db, f->territory, &in, &f->other_initiative), 0);
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

static int post(struct fixture *f, const char *type, int64_t object, int64_t parent,
		int64_t author, const char *body, int64_t *id)
{
	struct comment_new c = { .territory_id = f->territory, .object_type = type,
				 .object_id = object, .parent_id = parent, .author_id = author,
				 .body = body };
	return comment_create(f->db, &c, id);
}

static int64_t post_ok(struct fixture *f, int64_t parent, const char *body)
{
	int64_t id = 0;
	assert_int_equal(post(f, "initiative", f->initiative, parent, f->ben, body, &id), 0);
	assert_true(id > 0);
	return id;
}

static int64_t scalar(struct db *db, const char *sql, int64_t arg)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", arg), 0);
	return n;
}

static json_t *thread(struct fixture *f, int64_t before)
{
	json_t *t = NULL;
	assert_int_equal(comment_thread(f->db, f->territory, "initiative", f->initiative, before, &t), 0);
	return t;
}

static int64_t id_of(json_t *node)
{
	return json_integer_value(json_object_get(node, "id"));
}

static json_t *replies(json_t *node)
{
	json_t *r = json_object_get(node, "replies");
	assert_true(json_is_array(r));
	return r;
}

static void test_validate(void **state)
{
	(void)state;
	json_t *e = comment_validate("  \n\t ");
	assert_non_null(json_object_get(e, "body"));
	json_decref(e);
	e = comment_validate("Bonne idée !");
	assert_int_equal(json_object_size(e), 0);
	json_decref(e);
	char *big = xmalloc(2 * COMMENT_BODY_MAX + 8);
	for (int i = 0; i < COMMENT_BODY_MAX; i++)
		memcpy(big + 2 * i, "é", 2); /* 5000 characters, 10000 bytes: accepted */
	big[2 * COMMENT_BODY_MAX] = '\0';
	e = comment_validate(big);
	assert_int_equal(json_object_size(e), 0);
	json_decref(e);
	memcpy(big + 2 * COMMENT_BODY_MAX, "x", 2); /* 5001 */
	e = comment_validate(big);
	assert_non_null(json_object_get(e, "body"));
	json_decref(e);
	free(big);
	e = comment_validate("\xff\xfe");
	assert_non_null(json_object_get(e, "body"));
	json_decref(e);
	assert_true(comment_object_type_valid("need"));
	assert_false(comment_object_type_valid("user"));
	assert_false(comment_object_type_valid(NULL));
}

static void test_tree_and_counts(void **state)
{
	struct fixture *f = *state;
	int64_t a = post_ok(f, 0, "Premier fil");
	int64_t a1 = post_ok(f, a, "Réponse à A");
	int64_t b = post_ok(f, 0, "Second fil");
	int64_t a2 = post_ok(f, a, "Autre réponse à A");
	int64_t a11 = post_ok(f, a1, "Réponse à la réponse");
	int64_t b1 = post_ok(f, b, "Réponse à B");
	json_t *t = thread(f, 0);
	json_t *roots = json_object_get(t, "comments");
	/* Oldest thread first; replies in the order they were posted, under their parent. */
	assert_int_equal(json_array_size(roots), 2);
	json_t *na = json_array_get(roots, 0), *nb = json_array_get(roots, 1);
	assert_int_equal(id_of(na), a);
	assert_int_equal(id_of(nb), b);
	assert_int_equal(json_array_size(replies(na)), 2);
	assert_int_equal(id_of(json_array_get(replies(na), 0)), a1);
	assert_int_equal(id_of(json_array_get(replies(na), 1)), a2);
	json_t *na1 = json_array_get(replies(na), 0);
	assert_int_equal(id_of(json_array_get(replies(na1), 0)), a11);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(replies(na1), 0), "depth")), 2);
	assert_int_equal(json_array_size(replies(json_array_get(replies(na1), 0))), 0);
	assert_int_equal(id_of(json_array_get(replies(nb), 0)), b1);
	assert_int_equal(json_integer_value(json_object_get(t, "shown")), 6);
	assert_true(json_is_null(json_object_get(t, "next_before")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(na, "author"), "name")), "Ben");
	json_decref(t);

	int64_t n = -1;
	assert_int_equal(comment_count(f->db, f->territory, "initiative", f->initiative, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Create'"
					 " AND object_type = 'comment' AND target_type = 'initiative'"
					 " AND target_id = ?", f->initiative), 6);
	/* A need has its own counter. */
	int64_t id;
	assert_int_equal(post(f, "need", f->need, 0, f->ana, "Moi aussi", &id), 0);
	assert_int_equal(comment_count(f->db, f->territory, "need", f->need, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(comment_count(f->db, f->territory, "initiative", f->initiative, &n), 0);
	assert_int_equal(n, 6);
}

static void test_depth_shown(void **state)
{
	struct fixture *f = *state;
	int64_t ids[COMMENT_DEPTH_SHOWN + 3];
	ids[0] = post_ok(f, 0, "Niveau 0");
	for (int i = 1; i < COMMENT_DEPTH_SHOWN + 3; i++)
		ids[i] = post_ok(f, ids[i - 1], "Plus profond");
	json_t *t = thread(f, 0);
	json_t *node = json_array_get(json_object_get(t, "comments"), 0);
	/* Down to the last shown level, each reply under its parent. */
	for (int d = 1; d < COMMENT_DEPTH_SHOWN; d++) {
		assert_int_equal(json_array_size(replies(node)), d == COMMENT_DEPTH_SHOWN - 1 ? 4 : 1);
		node = json_array_get(replies(node), 0);
		assert_int_equal(id_of(node), ids[d]);
		assert_int_equal(json_integer_value(json_object_get(node, "depth")), d);
	}
	json_decref(t);
	/* The deeper ones sit beside it at the last level, in order, saying whom they answer. */
	t = thread(f, 0);
	node = json_array_get(json_object_get(t, "comments"), 0);
	for (int d = 1; d < COMMENT_DEPTH_SHOWN - 1; d++)
		node = json_array_get(replies(node), 0);
	json_t *last = replies(node);
	assert_int_equal(json_array_size(last), 4);
	for (int i = 0; i < 4; i++) {
		json_t *x = json_array_get(last, i);
		assert_int_equal(id_of(x), ids[COMMENT_DEPTH_SHOWN - 1 + i]);
		assert_int_equal(json_integer_value(json_object_get(x, "depth")), COMMENT_DEPTH_SHOWN - 1);
		assert_int_equal(json_array_size(replies(x)), 0);
		if (i == 0)
			assert_true(json_is_null(json_object_get(x, "in_reply_to")));
		else
			assert_string_equal(json_string_value(json_object_get(json_object_get(x, "in_reply_to"), "name")), "Ben");
	}
	json_decref(t);
	/* The true parent is kept in the database. */
	assert_int_equal(scalar(f->db, "SELECT parent_id FROM comments WHERE id = ?",
				ids[COMMENT_DEPTH_SHOWN + 2]), ids[COMMENT_DEPTH_SHOWN + 1]);
}

static void test_bad_parent_refused(void **state)
{
	struct fixture *f = *state;
	int64_t a = post_ok(f, 0, "Sur l'idée");
	int64_t id = 0;
	/* Same id, another object: refused, nothing written, counters unchanged. */
	assert_int_equal(post(f, "initiative", f->other_initiative, a, f->ben, "Ailleurs", &id),
			 COMMENT_BAD_PARENT);
	assert_int_equal(post(f, "need", f->need, a, f->ben,
			      "Ailleurs", &id), COMMENT_BAD_PARENT);
	assert_int_equal(post(f, "initiative", f->initiative, a + 1000, f->ben, "Nulle part", &id),
			 COMMENT_BAD_PARENT);
	assert_int_equal(post(f, "initiative", f->initiative + 1000, 0, f->ben, "Rien", &id),
			 COMMENT_NO_OBJECT);
	assert_int_equal(post(f, "user", f->initiative, 0, f->ben, "Rien", &id), COMMENT_NO_OBJECT);
	/* An object of another territory is not found from this one. */
	struct comment_new c = { .territory_id = f->other_territory, .object_type = "initiative",
				 .object_id = f->initiative, .author_id = f->ben, .body = "x" };
	assert_int_equal(comment_create(f->db, &c, &id), COMMENT_NO_OBJECT);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM comments WHERE id <> ?", a), 0);
	assert_int_equal(scalar(f->db, "SELECT comment_count FROM initiatives WHERE id = ?",
				f->other_initiative), 0);
	assert_int_equal(scalar(f->db, "SELECT comment_count FROM needs WHERE id = ?", f->need), 0);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM activities WHERE object_type = 'comment'"
					 " AND object_id <> ?", a), 0);
}

static void test_edit_window(void **state)
{
	struct fixture *f = *state;
	int64_t a = post_ok(f, 0, "Texte d'origine");
	int64_t created = scalar(f->db, "SELECT created_at FROM comments WHERE id = ?", a);
	int64_t now = created + 60;
	/* Someone else: refused. The author: accepted, edited_at set. */
	assert_int_equal(comment_edit(f->db, f->territory, a, f->ana, "Piraté", now), COMMENT_NOT_AUTHOR);
	assert_int_equal(comment_edit(f->db, f->territory, a, f->ben, "Texte corrigé", now), 0);
	json_t *c;
	assert_int_equal(comment_get(f->db, f->territory, a, &c), 0);
	assert_string_equal(json_string_value(json_object_get(c, "body")), "Texte corrigé");
	assert_int_equal(json_integer_value(json_object_get(c, "edited_at")), now);
	assert_string_equal(json_string_value(json_object_get(c, "object_type")), "initiative");
	json_decref(c);
	/* At the end of the window still, one second later no more. */
	assert_int_equal(comment_edit(f->db, f->territory, a, f->ben, "Encore",
				      created + COMMENT_EDIT_WINDOW), 0);
	assert_int_equal(comment_edit(f->db, f->territory, a, f->ben, "Trop tard",
				      created + COMMENT_EDIT_WINDOW + 1), COMMENT_TOO_LATE);
	assert_int_equal(comment_get(f->db, f->territory, a, &c), 0);
	assert_string_equal(json_string_value(json_object_get(c, "body")), "Encore");
	json_decref(c);
	/* Not found from another territory, nor a missing id. */
	assert_int_equal(comment_edit(f->db, f->other_territory, a, f->ben, "x", now), COMMENT_NOT_FOUND);
	assert_int_equal(comment_edit(f->db, f->territory, a + 99, f->ben, "x", now), COMMENT_NOT_FOUND);
	assert_int_equal(comment_get(f->db, f->other_territory, a, &c), 1);
	assert_int_equal(scalar(f->db, "SELECT COUNT(*) FROM activities WHERE verb = 'Update'"
					 " AND object_type = 'comment' AND object_id = ?", a), 2);
	assert_true(comment_editable(f->ben, 100, f->ben, 100 + COMMENT_EDIT_WINDOW));
	assert_false(comment_editable(f->ben, 100, f->ben, 101 + COMMENT_EDIT_WINDOW));
	assert_false(comment_editable(0, 100, 0, 100));
}

static void test_pages(void **state)
{
	struct fixture *f = *state;
	/* Three threads of 90 comments: the newest two fit on the first page (180 ≤ 200). */
	int64_t roots[3];
	for (int r = 0; r < 3; r++) {
		roots[r] = post_ok(f, 0, "Fil");
		for (int i = 1; i < 90; i++)
			post_ok(f, roots[r], "Réponse");
	}
	json_t *t = thread(f, 0);
	json_t *cs = json_object_get(t, "comments");
	assert_int_equal(json_array_size(cs), 2);
	assert_int_equal(id_of(json_array_get(cs, 0)), roots[1]);
	assert_int_equal(id_of(json_array_get(cs, 1)), roots[2]);
	assert_int_equal(json_integer_value(json_object_get(t, "shown")), 180);
	assert_int_equal(json_integer_value(json_object_get(t, "next_before")), roots[1]);
	int64_t before = json_integer_value(json_object_get(t, "next_before"));
	json_decref(t);
	t = thread(f, before);
	cs = json_object_get(t, "comments");
	assert_int_equal(json_array_size(cs), 1);
	assert_int_equal(id_of(json_array_get(cs, 0)), roots[0]);
	assert_int_equal(json_array_size(replies(json_array_get(cs, 0))), 89);
	assert_true(json_is_null(json_object_get(t, "next_before")));
	json_decref(t);
}

int main(void)
{
	test_db_urls_init(&urls);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test_setup_teardown(test_tree_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_parent_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
	};
	int failed = 0;
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += cmocka_run_group_tests_name(test_db_name(current_url), tests, NULL, NULL);
	}
	test_db_urls_release(&urls);
	return failed;
}
