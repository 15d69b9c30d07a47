/*
 * Accounts on every backend (SQLite always, PostgreSQL when
 * TREMPLIN_TEST_PG is set): addresses stored trimmed and lower-cased and
 * found whatever their case; a taken address refused without breaking the
 * transaction; confirmation; the e-mail links used once, refused after
 * expiry, for another purpose, or once a newer link was sent; the change
 * of address, including an address taken meanwhile; the terms versions;
 * and one activity row per change, naming no address.
 */
#include "testutil.h"

#include <time.h>

#include "auth/session.h"
#include "core/arena.h"
#include "core/mem.h"
#include "domain/email_token.h"
#include "domain/terms.h"
#include "domain/territory.h"
#include "domain/user.h"

static struct test_db_urls urls;
static const char *current_url;

#define FAKE_HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

struct fixture {
	struct db *db;
	struct arena *a;
	int64_t territory;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->db = test_db_open_migrated(current_url);
	f->a = arena_new();
	static const char *const hosts[] = { "test.example", NULL };
	assert_int_equal(territory_create(f->db, "test", "UP Test", "", "", hosts, &f->territory), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->a);
	db_close(f->db);
	free(f);
	return 0;
}

static int64_t count(struct db *db, const char *sql, int64_t id)
{
	int64_t n = -1;
	assert_int_equal(db_query_int(db, &n, sql, "i", id), 0);
	return n;
}

/* Create an account in its own transaction; its id. */
static int64_t create(struct fixture *f, const char *email, const char *name, int terms)
{
	int64_t id = 0;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_create(f->db, f->territory, email, name, FAKE_HASH, "fr", terms, &id), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_true(id > 0);
	return id;
}

static void test_normalise_and_validate(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(user_email_normalise(f->a, "  Alice.Martin@Example.ORG \n"), "alice.martin@example.org");
	assert_string_equal(user_email_normalise(f->a, "Élise@Exemple.fr"), "Élise@exemple.fr");
	assert_string_equal(user_email_normalise(f->a, NULL), "");
	assert_true(user_email_valid("a@b.fr"));
	assert_false(user_email_valid("a@b"));
	assert_false(user_email_valid("@b.fr"));
	assert_false(user_email_valid("a@@b.fr"));
	assert_false(user_email_valid("a b@c.fr"));
	assert_false(user_email_valid("a@b.fr\r\nBcc: x@y.fr"));
	assert_true(user_language_valid("en"));
	assert_false(user_language_valid("de"));
	assert_true(user_notify_frequency_valid("weekly"));
	assert_false(user_notify_frequency_valid("hourly"));

	json_t *e = user_validate_signup("alice@example.org", "Alice", "a long enough passphrase");
	assert_int_equal(json_object_size(e), 0);
	json_decref(e);
	e = user_validate_signup(" ", "   ", "short");
	assert_non_null(json_object_get(e, "email"));
	assert_non_null(json_object_get(e, "display_name"));
	assert_non_null(json_object_get(e, "password"));
	json_decref(e);
	char long_name[3 * USER_NAME_MAX + 8] = "";
	for (int i = 0; i <= USER_NAME_MAX; i++)
		memcpy(long_name + 2 * i, "é", 2); /* 81 characters, 162 bytes */
	long_name[2 * (USER_NAME_MAX + 1)] = '\0';
	e = user_validate_signup("a@b.fr", long_name, "a long enough passphrase");
	assert_non_null(json_object_get(e, "display_name"));
	json_decref(e);
	long_name[2 * USER_NAME_MAX] = '\0'; /* 80 characters: accepted */
	e = user_validate_signup("a@b.fr", long_name, "a long enough passphrase");
	assert_null(json_object_get(e, "display_name"));
	json_decref(e);
}

static void test_create_find_confirm(void **state)
{
	struct fixture *f = *state;
	int64_t id = create(f, "  Alice@Example.org ", "Alice", 1);
	struct user *u;
	assert_int_equal(user_find_by_email(f->db, f->a, "ALICE@example.ORG", &u), 0);
	assert_int_equal(u->id, id);
	assert_string_equal(u->email, "alice@example.org");
	assert_string_equal(u->display_name, "Alice");
	assert_string_equal(u->language, "fr");
	assert_string_equal(u->notify_frequency, "daily");
	assert_int_equal(u->terms_version, 1);
	assert_false(u->confirmed);
	assert_int_equal(user_role(f->db, u, f->territory), ROLE_UNCONFIRMED);
	assert_int_equal(user_find_by_email(f->db, f->a, "bob@example.org", &u), 1);
	assert_int_equal(user_find_by_email(f->db, f->a, "", &u), 1);

	const char *hash;
	assert_int_equal(user_password_hash(f->db, f->a, id, &hash), 0);
	assert_string_equal(hash, FAKE_HASH);
	assert_int_equal(user_password_hash(f->db, f->a, id + 1000, &hash), 1);

	/* The same address in another case is taken; the transaction stays usable. */
	int64_t other = 0;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_create(f->db, f->territory, "ALICE@EXAMPLE.ORG", "Mallory", FAKE_HASH,
				     "en", 1, &other),
			 1);
	int64_t bob = 0;
	assert_int_equal(user_create(f->db, f->territory, "bob@example.org", "Bob", FAKE_HASH, "en", 0,
				     &bob),
			 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM users WHERE id <> ?", 0), 2);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM users WHERE id = ? AND terms_accepted_at IS NULL", bob), 1);

	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_confirm(f->db, f->territory, id), 0);
	assert_int_equal(user_confirm(f->db, f->territory, id + 1000), 1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(user_get(f->db, f->a, id, &u), 0);
	assert_true(u->confirmed);
	assert_int_equal(user_role(f->db, u, f->territory), ROLE_MEMBER);

	/* Create, then confirm: two activities, and none holds the address or the name. */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_type = 'user' AND object_id = ?", id), 2);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE actor_id = ? AND verb = 'Create'", id), 1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE actor_id = ? AND details LIKE '%lice%'", id), 0);
}

static void test_password_and_settings(void **state)
{
	struct fixture *f = *state;
	int64_t id = create(f, "carol@example.org", "Carol", 1);
	struct user *u;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_set_password(f->db, f->territory, id, "$argon2id$new"), 0);
	assert_int_equal(user_update_settings(f->db, f->territory, id, "en", "weekly"), 0);
	assert_int_equal(user_update_settings(f->db, f->territory, id, "de", "weekly"), 1);
	assert_int_equal(user_update_settings(f->db, f->territory, id, "fr", "hourly"), 1);
	assert_int_equal(db_commit(f->db), 0);
	const char *hash;
	assert_int_equal(user_password_hash(f->db, f->a, id, &hash), 0);
	assert_string_equal(hash, "$argon2id$new");
	assert_int_equal(user_get(f->db, f->a, id, &u), 0);
	assert_string_equal(u->language, "en");
	assert_string_equal(u->notify_frequency, "weekly");
	assert_true(u->password_changed_at >= time(NULL) - 5);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND verb = 'Update'", id), 2);
}

static void test_token_single_use(void **state)
{
	struct fixture *f = *state;
	int64_t id = create(f, "dan@example.org", "Dan", 1);
	const char *token;
	struct email_token *t;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_CONFIRM, NULL, &token), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_true(strlen(token) >= 40);

	/* Only the hash is stored. */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM email_tokens WHERE user_id = ?", id), 1);
	int step;
	struct db_stmt *st = db_query(f->db, &step, "SELECT token_hash, expires_at - created_at FROM email_tokens WHERE user_id = ?", "i", id);
	assert_int_equal(step, DB_ROW);
	assert_string_not_equal(db_col_text(st, 0), token);
	assert_string_equal(db_col_text(st, 0), auth_hash_token(f->a, token));
	assert_int_equal(db_col_int(st, 1), EMAIL_TOKEN_CONFIRM_TTL);
	db_reset(st);

	/* Another purpose, a mangled token: not found. Peeking does not use it. */
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_RESET, &t), 1);
	assert_int_equal(email_token_use(f->db, f->a, "short", EMAIL_TOKEN_CONFIRM, &t), 1);
	assert_int_equal(email_token_use(f->db, f->a, NULL, EMAIL_TOKEN_CONFIRM, &t), 1);
	assert_int_equal(email_token_peek(f->db, f->a, token, EMAIL_TOKEN_CONFIRM, &t), 0);
	assert_int_equal(email_token_peek(f->db, f->a, token, EMAIL_TOKEN_CONFIRM, &t), 0);
	assert_int_equal(t->user_id, id);

	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_CONFIRM, &t), 0);
	assert_int_equal(t->user_id, id);
	assert_null(t->new_email);
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_CONFIRM, &t), 1);
	assert_int_equal(email_token_peek(f->db, f->a, token, EMAIL_TOKEN_CONFIRM, &t), 1);

	/* A use inside a rolled-back transaction leaves the link usable. */
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_RESET, NULL, &token), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_RESET, &t), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_RESET, &t), 0);
}

static void test_token_expiry_and_replacement(void **state)
{
	struct fixture *f = *state;
	int64_t id = create(f, "eve@example.org", "Eve", 1);
	const char *old, *fresh, *other;
	struct email_token *t;
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_RESET, NULL, &old), 0);
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_CONFIRM, NULL, &other), 0);
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_RESET, NULL, &fresh), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM email_tokens WHERE user_id = ? AND expires_at - created_at = 3600", id), 1);
	/* Only the newest reset link works; the confirmation link is untouched. */
	assert_int_equal(email_token_peek(f->db, f->a, old, EMAIL_TOKEN_RESET, &t), 1);
	assert_int_equal(email_token_peek(f->db, f->a, fresh, EMAIL_TOKEN_RESET, &t), 0);
	assert_int_equal(email_token_peek(f->db, f->a, other, EMAIL_TOKEN_CONFIRM, &t), 0);

	/* Expired: refused, then purged. */
	assert_int_equal(db_execv(f->db, "UPDATE email_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'reset'",
				  "ii", (int64_t)time(NULL) - 1, id), 0);
	assert_int_equal(email_token_peek(f->db, f->a, fresh, EMAIL_TOKEN_RESET, &t), 1);
	assert_int_equal(email_token_use(f->db, f->a, fresh, EMAIL_TOKEN_RESET, &t), 1);
	assert_int_equal(email_token_purge(f->db, 0), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM email_tokens WHERE user_id = ?", id), 1);

	/* Revoked: a new password cancels a pending change of address. */
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_EMAIL_CHANGE, "eve2@example.org", &fresh), 0);
	assert_int_equal(email_token_revoke(f->db, id, EMAIL_TOKEN_EMAIL_CHANGE), 0);
	assert_int_equal(email_token_use(f->db, f->a, fresh, EMAIL_TOKEN_EMAIL_CHANGE, &t), 1);
	assert_int_equal(email_token_peek(f->db, f->a, other, EMAIL_TOKEN_CONFIRM, &t), 0);
}

static void test_email_change(void **state)
{
	struct fixture *f = *state;
	int64_t id = create(f, "frank@example.org", "Frank", 1);
	int64_t grace = create(f, "grace@example.org", "Grace", 1);
	const char *token;
	struct email_token *t;
	struct user *u;
	assert_int_equal(email_token_create(f->db, f->a, id, EMAIL_TOKEN_EMAIL_CHANGE, "frank.new@example.org", &token), 0);
	/* The address does not change before the link is used. */
	assert_int_equal(user_find_by_email(f->db, f->a, "frank.new@example.org", &u), 1);

	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_EMAIL_CHANGE, &t), 0);
	assert_int_equal(t->user_id, id);
	assert_string_equal(t->new_email, "frank.new@example.org");
	assert_int_equal(user_set_email(f->db, f->territory, t->user_id, t->new_email), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(user_find_by_email(f->db, f->a, "Frank.New@example.org", &u), 0);
	assert_int_equal(u->id, id);
	assert_true(u->confirmed); /* the link reached the new address */
	assert_int_equal(user_find_by_email(f->db, f->a, "frank@example.org", &u), 1);
	assert_int_equal(email_token_use(f->db, f->a, token, EMAIL_TOKEN_EMAIL_CHANGE, &t), 1);

	/* An address another account took meanwhile: refused, nothing changed. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_set_email(f->db, f->territory, id, "GRACE@example.org"), 1);
	assert_int_equal(user_set_email(f->db, f->territory, grace, "grace@example.org"), 0); /* her own */
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(user_get(f->db, f->a, id, &u), 0);
	assert_string_equal(u->email, "frank.new@example.org");
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE object_id = ? AND details LIKE '%email%'", id), 1);
}

static void test_terms_versions(void **state)
{
	struct fixture *f = *state;
	/* Migration 0006 publishes version 1, in French, with level-2 headings. */
	assert_int_equal(terms_current_version(f->db), 1);
	struct terms *t;
	assert_int_equal(terms_current(f->db, f->a, &t), 0);
	assert_int_equal(t->version, 1);
	assert_non_null(strstr(t->body, "## 1. Objet"));
	assert_null(strstr(t->body, "\n# "));
	assert_int_equal(terms_must_accept(f->db, 1), 0);
	assert_int_equal(terms_must_accept(f->db, 0), 1);

	int64_t id = create(f, "heidi@example.org", "Heidi", terms_current_version(f->db));
	int version = 0;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(terms_publish(f->db, f->territory, 0, "## Nouveau\n\nTexte.", &version), 0);
	assert_int_equal(terms_publish(f->db, f->territory, 0, "", &version), -1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(version, 2);
	assert_int_equal(terms_current_version(f->db), 2);
	assert_int_equal(terms_current(f->db, f->a, &t), 0);
	assert_string_equal(t->body, "## Nouveau\n\nTexte.");

	struct user *u;
	assert_int_equal(user_get(f->db, f->a, id, &u), 0);
	assert_int_equal(u->terms_version, 1);
	assert_int_equal(terms_must_accept(f->db, u->terms_version), 1);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(user_accept_terms(f->db, f->territory, id, 2), 0);
	assert_int_equal(user_accept_terms(f->db, f->territory, id + 1000, 2), 1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(user_get(f->db, f->a, id, &u), 0);
	assert_int_equal(u->terms_version, 2);
	assert_int_equal(terms_must_accept(f->db, u->terms_version), 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM activities WHERE actor_id = ? AND verb = 'Accept' AND object_type = 'terms' AND object_id = 2", id), 1);
}

static void test_no_terms_yet(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_exec(f->db, "DELETE FROM terms"), 0);
	struct terms *t;
	assert_int_equal(terms_current_version(f->db), 0);
	assert_int_equal(terms_current(f->db, f->a, &t), 1);
	assert_int_equal(terms_must_accept(f->db, 0), 0);
	int version = 0;
	assert_int_equal(terms_publish(f->db, 0, 0, "Texte", &version), 0);
	assert_int_equal(version, 1);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_normalise_and_validate),
		DB_TEST(test_create_find_confirm),
		DB_TEST(test_password_and_settings),
		DB_TEST(test_token_single_use),
		DB_TEST(test_token_expiry_and_replacement),
		DB_TEST(test_email_change),
		DB_TEST(test_terms_versions),
		DB_TEST(test_no_terms_yet),
	};
	int failed = 0;
	log_set_quiet(1);
	auth_init();
	test_db_urls_init(&urls);
	for (int i = 0; i < urls.count; i++) {
		current_url = urls.url[i];
		failed += _cmocka_run_group_tests(test_db_name(current_url), tests, ARRAY_SIZE(tests), NULL,
						  NULL);
	}
	test_db_urls_release(&urls);
	return failed ? 1 : 0;
}
