/*
 * Passwords: the argon2id hashes, the rules (Unicode lengths, the shipped
 * list of common passwords, the person's own address and name) and the cap
 * on hashes computed at once.
 */
#include "testutil.h"

#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "auth/password.h"
#include "auth/session.h"
#include "core/buf.h"
#include "core/mem.h"

#define COMMON_FILE "data/common-passwords.txt"

static const char too_short[] = "Use at least 12 characters.";
static const char too_long[] = "Use at most 256 characters.";
static const char too_common[] = "This password is too common: choose another one.";
static const char personal[] = "Do not use your e-mail address or your name as password.";
static const char invalid[] = "This password contains invalid characters.";

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void test_hash_and_verify(void **state)
{
	(void)state;
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	double t = now_ms();
	assert_int_equal(password_hash("correct horse battery staple", h1), 0);
	print_message("argon2id hash: %.1f ms\n", now_ms() - t);
	assert_int_equal(password_hash("correct horse battery staple", h2), 0);
	assert_true(!strncmp(h1, "$argon2id$", 10));
	assert_true(!strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31));
	assert_string_not_equal(h1, h2); /* salted */
	t = now_ms();
	assert_int_equal(password_verify(h1, "correct horse battery staple"), 1);
	print_message("argon2id verify: %.1f ms\n", now_ms() - t);
	assert_int_equal(password_verify(h2, "correct horse battery staple"), 1);
	assert_int_equal(password_verify(h1, "correct horse battery stapler"), 0);
	assert_int_equal(password_verify(h1, "Correct horse battery staple"), 0);
	assert_int_equal(password_verify(h1, ""), 0);
	assert_int_equal(password_needs_rehash(h1), 0);
}

static void test_malformed_hash(void **state)
{
	(void)state;
	char h[PASSWORD_HASH_MAX];
	assert_int_equal(password_hash("a long enough password", h), 0);
	assert_int_equal(password_verify(NULL, "x"), -1);
	assert_int_equal(password_verify("", "x"), -1);
	assert_int_equal(password_verify("plain text password", "plain text password"), -1);
	assert_int_equal(password_verify("$2y$10$abcdefghijklmnopqrstuu5Vpg4XMLcvl7y6YcPv9mS0Zzr8GJSe", "x"), -1);

	/* Without its digest, or without salt and digest. */
	char cut[PASSWORD_HASH_MAX];
	snprintf(cut, sizeof(cut), "%.*s", (int)(strrchr(h, '$') - h + 1), h);
	assert_int_equal(password_verify(cut, "a long enough password"), -1);
	cut[strlen(cut) - 1] = '\0';
	assert_int_equal(password_verify(cut, "a long enough password"), -1);
	/* A shortened digest may still decode: it must never match. */
	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(h) - 4, h);
	assert_int_not_equal(password_verify(cut, "a long enough password"), 1);

	/* argon2i, not argon2id */
	char other[PASSWORD_HASH_MAX];
	snprintf(other, sizeof(other), "$argon2i$%s", h + strlen("$argon2id$"));
	assert_int_equal(password_verify(other, "a long enough password"), -1);

	/* A row asking for 1 GiB is refused before anything is computed. */
	char greedy[PASSWORD_HASH_MAX];
	snprintf(greedy, sizeof(greedy), "$argon2id$v=19$m=1048576,%s", strstr(h, "t="));
	assert_int_equal(password_verify(greedy, "a long enough password"), -1);
	assert_int_equal(password_needs_rehash(greedy), -1);

	/* Longer than any hash: never read past PASSWORD_HASH_MAX. */
	char huge[600];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge, h, strlen(h));
	assert_int_equal(password_verify(huge, "a long enough password"), -1);
}

static void test_old_parameters_still_verify(void **state)
{
	(void)state;
	char old[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_str_alg(old, "an older hash here", 18, 3, 19u << 20,
					       crypto_pwhash_ALG_ARGON2ID13),
			 0);
	assert_int_equal(password_verify(old, "an older hash here"), 1);
	assert_int_equal(password_needs_rehash(old), 1);
}

/* The fastest of n runs of f, in ms. */
static double fastest(int n, void (*f)(void))
{
	double best = 1e9;
	for (int i = 0; i < n; i++) {
		double t = now_ms();
		f();
		t = now_ms() - t;
		if (t < best)
			best = t;
	}
	return best;
}

static char timed_hash[PASSWORD_HASH_MAX];

static void verify_real(void)
{
	assert_int_equal(password_verify(timed_hash, "not the password at all"), 0);
}

static void verify_dummy(void)
{
	password_verify_dummy("not the password at all");
}

static void test_dummy_costs_a_verification(void **state)
{
	(void)state;
	assert_int_equal(password_hash("the real password of someone", timed_hash), 0);
	password_test_peak();
	password_verify_dummy("anything");
	assert_int_equal(password_test_peak(), 1); /* it took a slot, as a real verification */
	/*
	 * The same work as a real verification: the same parameters
	 * (password_verify_dummy() BUG()s otherwise) and a real argon2id run,
	 * which cannot take under 2 ms at 19 MiB (a ratio of times would be
	 * at the mercy of a busy machine; an early return takes microseconds).
	 */
	double real = fastest(3, verify_real), dummy = fastest(3, verify_dummy);
	print_message("verify %.1f ms, dummy %.1f ms\n", real, dummy);
	assert_true(real > 2.0);
	assert_true(dummy > 2.0);
}

/* n copies of s. */
static char *repeat(const char *s, int n)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_adds(&b, s);
	return buf_detach(&b, NULL);
}

static void expect_reason(const char *password, const char *want)
{
	const char *got = password_check(password, "someone@example.org", "Someone");
	if (!want) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void test_lengths_in_code_points(void **state)
{
	(void)state;
	struct {
		const char *unit;
		int n;
		const char *want;
	} cases[] = {
		{ "k", 11, too_short },
		{ "k", 12, NULL },
		{ "k", 256, NULL },
		{ "k", 257, too_long },
		{ "\xF0\x9F\x90\xA2", 11, too_short }, /* 🐢: 4 bytes, one character */
		{ "\xF0\x9F\x90\xA2", 12, NULL },
		{ "\xF0\x9F\x90\xA2", 256, NULL },
		{ "\xF0\x9F\x90\xA2", 257, too_long },
		{ "é", 11, too_short },
		{ "é", 12, NULL },
		{ "語", 12, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *p = repeat(cases[i].unit, cases[i].n);
		expect_reason(p, cases[i].want);
		free(p);
	}
	expect_reason(NULL, too_short);
	expect_reason("", too_short);
	/* ASVS 2.1.1: the minimum counts a run of spaces as one. */
	expect_reason("ab        cdefghij", too_short); /* 18 characters, 11 once combined */
	expect_reason("ab cdefghijk", NULL);
	expect_reason("   a  b  c  d  e  ", too_short); /* " a b c d e ": 11 */
	/* Any printable character, no composition rule. */
	expect_reason("tout en minuscules", NULL);
	expect_reason("mot de passe où l’été", NULL);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	const char *bad[] = {
		"valid prefix \xFF then",
		"overlong slash \xC0\xAF here",
		"overlong three \xE0\x80\xAF x",
		"surrogate \xED\xA0\x80 inside",
		"truncated \xE2\x82",
		"beyond U+10FFFF \xF4\x90\x80\x80",
		"lone continuation \x80 byte",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_reason(bad[i], invalid);
	expect_reason("euro sign \xE2\x82\xAC ok", NULL);
	expect_reason("max \xF4\x8F\xBF\xBF code point", NULL);
}

/* Lines of the shipped list, in order, pointing into *text. Caller frees both. */
static char **read_list(size_t *count, char **text_out)
{
	FILE *f = fopen(COMMON_FILE, "r");
	assert_non_null(f);
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	char *text = buf_detach(&b, NULL);
	size_t alloc = 0;
	char **lines = NULL;
	*count = 0;
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl); /* every line ends with a newline */
		*nl = '\0';
		lines = xgrow(lines, sizeof(*lines), *count + 1, &alloc);
		lines[(*count)++] = p;
	}
	*text_out = text;
	return lines;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_shipped_list(void **state)
{
	(void)state;
	size_t count;
	char *text;
	char **lines = read_list(&count, &text);
	assert_true(count >= 10000);
	assert_string_equal(lines[0], "123456"); /* most common first */
	assert_string_equal(lines[1], "password");
	size_t refused = 0;
	for (size_t i = 0; i < count; i++) {
		assert_true(lines[i][0] != '\0');
		for (const char *c = lines[i]; *c; c++)
			assert_false(*c >= 'A' && *c <= 'Z'); /* lower case */
		size_t all = 0;
		for (const char *c = lines[i]; *c; c++)
			all += ((unsigned char)*c & 0xC0) != 0x80;
		/* Every entry the length rules leave is refused as common. */
		if (all >= PASSWORD_MIN_CHARS && !strchr(lines[i], ' ')) {
			const char *why = password_check(lines[i], "", "");
			assert_non_null(why);
			assert_string_equal(why, too_common);
			refused++;
		}
	}
	print_message("%zu entries, %zu of 12 characters or more\n", count, refused);
	qsort(lines, count, sizeof(*lines), compare_lines);
	for (size_t i = 1; i < count; i++)
		assert_string_not_equal(lines[i - 1], lines[i]); /* no duplicates */
	assert_true(refused >= 100);
	free(text);
	free(lines);
}

static void test_common_passwords(void **state)
{
	(void)state;
	expect_reason("password1234", too_common);
	expect_reason("PASSWORD1234", too_common); /* compared without case */
	expect_reason("1qaz2wsx3edc", too_common);
	expect_reason("QWERTY123456", too_common);
	expect_reason("qwerty1234567", NULL); /* not in the list */
	expect_reason("password12345 and more", NULL);

	/* Without the list, only the other rules apply; then loaded again. */
	password_free_common();
	expect_reason("password1234", NULL);
	assert_int_equal(password_load_common("/nonexistent/common.txt"), -1);
	expect_reason("password1234", NULL);
	assert_int_equal(password_load_common(COMMON_FILE), 0);
	expect_reason("password1234", too_common);
}

static void test_list_file_format(void **state)
{
	(void)state;
	char path[] = "/tmp/tremplin-common-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char text[] = "Zeta Passphrase Twelve\r\n\r\nalpha passphrase 12\nalpha passphrase 12\n"
				   "no final newline here";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(password_load_common(path), 0);
	expect_reason("zeta passphrase twelve", too_common); /* CRLF, upper case in the file */
	expect_reason("ALPHA PASSPHRASE 12", too_common);
	expect_reason("no final newline here", too_common);
	expect_reason("password1234", NULL); /* the previous list is gone */
	unlink(path);
	assert_int_equal(password_load_common(COMMON_FILE), 0);
}

static void test_personal_information(void **state)
{
	(void)state;
	const char *email = "Marie.Dupont@Example.org", *name = "Marie-Claire Dupont";
	assert_string_equal(password_check("marie.dupont@example.org", email, name), personal);
	assert_string_equal(password_check("MARIE.DUPONT", email, name), personal); /* local part */
	assert_string_equal(password_check("marie-claire dupont", email, name), personal);
	assert_null(password_check("marie.dupont is my friend", email, name));
	assert_null(password_check("an unrelated passphrase", email, name));
	assert_null(password_check("an unrelated passphrase", NULL, NULL));
	assert_null(password_check("an unrelated passphrase", "", ""));
	/* Non-ASCII names compare exactly (ASCII case only is folded). */
	assert_string_equal(password_check("ÉLODIE MARTINEZ", "x@y.fr", "Élodie Martinez"), personal);
}

/* --- The cap on hashes at once --------------------------------------- */

#define THREADS 8

static pthread_barrier_t start;

static void *hash_thread(void *arg)
{
	char h[PASSWORD_HASH_MAX];
	int i = (int)(intptr_t)arg;
	pthread_barrier_wait(&start);
	if (i % 2) {
		if (password_hash("a password hashed at once", h) != 0)
			return (void *)1;
	} else if (password_verify(timed_hash, "a password verified at once") != 0) {
		return (void *)1;
	}
	return NULL;
}

static unsigned peak_with(unsigned slots)
{
	pthread_t t[THREADS];
	password_set_concurrency(slots);
	pthread_barrier_init(&start, NULL, THREADS);
	password_test_peak();
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hash_thread, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_null(rc);
	}
	pthread_barrier_destroy(&start);
	return password_test_peak();
}

static void test_concurrency_cap(void **state)
{
	(void)state;
	assert_int_equal(password_hash("the real password of someone", timed_hash), 0);
	assert_int_equal(peak_with(2), 2);
	assert_int_equal(peak_with(1), 1);
	assert_int_equal(peak_with(3), 3);
	/* Without a tight cap the eight do run together: the counter sees it. */
	assert_true(peak_with(THREADS) > 3);
	password_set_concurrency(2);
}

static int group_setup(void **state)
{
	(void)state;
	auth_init();
	log_set_quiet(1);
	return password_load_common(COMMON_FILE);
}

static int group_teardown(void **state)
{
	(void)state;
	password_free_common();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_malformed_hash),
		cmocka_unit_test(test_old_parameters_still_verify),
		cmocka_unit_test(test_dummy_costs_a_verification),
		cmocka_unit_test(test_lengths_in_code_points),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_shipped_list),
		cmocka_unit_test(test_common_passwords),
		cmocka_unit_test(test_list_file_format),
		cmocka_unit_test(test_personal_information),
		cmocka_unit_test(test_concurrency_cap),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
