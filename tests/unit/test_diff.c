/*
 * The word-level diff: what a reader of the history page would see, written
 * as "[-deleted-]{+inserted+}" around equal text, for identical texts,
 * insertions, deletions, replacements, French accents and punctuation, and
 * pathological texts that must stay within the bound in time.
 */
#include "testutil.h"

#include <time.h>

#include "core/buf.h"
#include "core/diff.h"
#include "core/mem.h"

/* The diff of a and b in markup, as an owned string. */
static char *render(const char *a, const char *b, int *coarse)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	diff_words(&d, a, strlen(a), b, strlen(b));
	for (size_t i = 0; i < d.n; i++) {
		const struct diff_op *op = &d.ops[i];
		if (i)
			assert_int_not_equal(op->kind, d.ops[i - 1].kind);
		buf_adds(&out, op->kind == DIFF_INSERT ? "{+" : op->kind == DIFF_DELETE ? "[-" : "");
		buf_add(&out, op->text, op->len);
		buf_adds(&out, op->kind == DIFF_INSERT ? "+}" : op->kind == DIFF_DELETE ? "-]" : "");
	}
	if (coarse)
		*coarse = d.coarse;
	diff_release(&d);
	return buf_detach(&out, NULL);
}

/* Both texts rebuilt from the ops: equal+delete gives a, equal+insert gives b. */
static void check_rebuilds(const char *a, const char *b)
{
	struct diff d = DIFF_INIT;
	struct buf old = BUF_INIT, new = BUF_INIT;
	diff_words(&d, a, strlen(a), b, strlen(b));
	for (size_t i = 0; i < d.n; i++) {
		if (d.ops[i].kind != DIFF_INSERT)
			buf_add(&old, d.ops[i].text, d.ops[i].len);
		if (d.ops[i].kind != DIFF_DELETE)
			buf_add(&new, d.ops[i].text, d.ops[i].len);
	}
	assert_string_equal(old.ptr, a);
	assert_string_equal(new.ptr, b);
	buf_release(&old);
	buf_release(&new);
	diff_release(&d);
}

static void expect(const char *a, const char *b, const char *want)
{
	char *got = render(a, b, NULL);
	assert_string_equal(got, want);
	free(got);
	check_rebuilds(a, b);
}

static void test_identical(void **state)
{
	(void)state;
	expect("Un jardin partagé.", "Un jardin partagé.", "Un jardin partagé.");
	expect("", "", "");
	struct diff d = DIFF_INIT;
	diff_words(&d, "même texte", 11, "même texte", 11);
	assert_false(diff_changed(&d));
	diff_words(&d, "même texte", 11, "même textes", 12);
	assert_true(diff_changed(&d));
	diff_release(&d);
}

static void test_insert(void **state)
{
	(void)state;
	expect("Un jardin partagé.", "Un grand jardin partagé.", "Un {+grand +}jardin partagé.");
	expect("", "Tout neuf", "{+Tout neuf+}");
	expect("Fin", "Fin du texte", "Fin{+ du texte+}");
}

static void test_delete(void **state)
{
	(void)state;
	expect("Un grand jardin partagé.", "Un jardin partagé.", "Un [-grand -]jardin partagé.");
	expect("Tout part", "", "[-Tout part-]");
}

static void test_replace(void **state)
{
	(void)state;
	expect("le chat noir dort", "le chien noir dort", "le [-chat-]{+chien+} noir dort");
	expect("a b c d", "a x c y", "a [-b-]{+x+} c [-d-]{+y+}");
	/* A narrow no-break space before French punctuation is a space. */
	expect("Quoi\xe2\x80\xaf?", "Quoi donc\xe2\x80\xaf?", "Quoi{+ donc+}\xe2\x80\xaf?");
	/* A word is never cut inside: "jardinier" is not "jardin" + "ier". */
	expect("un jardin", "un jardinier", "un [-jardin-]{+jardinier+}");
}

static void test_french(void **state)
{
	(void)state;
	/* Accented letters belong to the word; punctuation and spaces are their own tokens. */
	expect("L'été, à Sceaux : fête !", "L'été, à Sceaux : fête géante !",
	       "L'été, à Sceaux : fête {+géante +}!");
	expect("Où est l’école ?", "Où était l’école ?", "Où [-est-]{+était+} l’école ?");
	expect("«Bienvenue»", "« Bienvenue »", "«{+ +}Bienvenue{+ +}»");
	expect("déjà élu", "deja élu", "[-déjà-]{+deja+} élu");
	check_rebuilds("œuvre — ça ; naïveté…", "œuvres – ça ; naïveté !");
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Two 50,000-byte texts with nothing in common: the bound gives a coarse diff, quickly. */
static void test_long_unrelated(void **state)
{
	(void)state;
	size_t n = 50000;
	char *a = xmalloc(n + 1), *b = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		a[i] = (i % 2) ? ' ' : (char)('a' + (int)(i * 7 % 26));
		b[i] = (i % 2) ? '.' : (char)('A' + (int)(i * 11 % 26));
	}
	a[n] = b[n] = '\0';
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int coarse = 0;
	char *got = render(a, b, &coarse);
	assert_true(seconds_since(&t0) < 2.0);
	assert_true(coarse);
	check_rebuilds(a, b);
	free(got);
	free(a);
	free(b);
}

/* A long text with a few scattered edits gets a fine diff, quickly. */
static void test_long_local_edits(void **state)
{
	(void)state;
	struct buf a = BUF_INIT, b = BUF_INIT;
	for (int i = 0; i < 3000; i++) {
		buf_addf(&a, "mot%d, ", i);
		if (i % 500 == 250)
			buf_addf(&b, "changé%d, ", i);
		else
			buf_addf(&b, "mot%d, ", i);
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int coarse = 1;
	char *got = render(a.ptr, b.ptr, &coarse);
	assert_true(seconds_since(&t0) < 1.0);
	assert_false(coarse);
	assert_non_null(strstr(got, "[-mot250-]{+changé250+}"));
	assert_non_null(strstr(got, "[-mot2750-]{+changé2750+}"));
	check_rebuilds(a.ptr, b.ptr);
	free(got);
	buf_release(&a);
	buf_release(&b);
}

/* Many short repeated tokens (the worst case for Myers) stay bounded. */
static void test_repetitive(void **state)
{
	(void)state;
	struct buf a = BUF_INIT, b = BUF_INIT;
	for (int i = 0; i < 20000; i++) {
		buf_adds(&a, i % 3 ? "a " : "b ");
		buf_adds(&b, i % 5 ? "a " : "b ");
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *got = render(a.ptr, b.ptr, NULL);
	assert_true(seconds_since(&t0) < 2.0);
	check_rebuilds(a.ptr, b.ptr);
	free(got);
	buf_release(&a);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),     cmocka_unit_test(test_insert),
		cmocka_unit_test(test_delete),	      cmocka_unit_test(test_replace),
		cmocka_unit_test(test_french),	      cmocka_unit_test(test_long_unrelated),
		cmocka_unit_test(test_long_local_edits), cmocka_unit_test(test_repetitive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
