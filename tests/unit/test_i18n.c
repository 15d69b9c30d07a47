/*
 * Catalogues built by the real msgfmt from .po files written here, so the
 * test reads what the build produces: lookups, fallbacks, plural and
 * context entries, a big-endian file, and damaged files that must be
 * refused without harm to the catalogues already loaded.
 */
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "view/i18n.h"

static const char fr_po[] =
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
	"\n"
	"msgid \"Needs\"\nmsgstr \"Besoins\"\n\n"
	"msgid \"Ideas\"\nmsgstr \"Idées\"\n\n"
	"msgid \"Home\"\nmsgstr \"Accueil\"\n\n"
	"msgctxt \"menu\"\nmsgid \"Home\"\nmsgstr \"Accueil du menu\"\n\n"
	"msgid \"%d idea\"\nmsgid_plural \"%d ideas\"\n"
	"msgstr[0] \"%d idée\"\nmsgstr[1] \"%d idées\"\n\n"
	"msgid \"Untranslated\"\nmsgstr \"\"\n\n"
	"#, fuzzy\nmsgid \"Fuzzy\"\nmsgstr \"Flou\"\n\n"
	"msgid \"Tom & <Jerry>\"\nmsgstr \"Tom & <Jerry> (fr)\"\n";

static const char en_po[] =
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\n"
	"msgid \"Colour\"\nmsgstr \"Color\"\n";

static char dir[] = "/tmp/tremplin-i18n-XXXXXX";

static void path_in(struct buf *b, const char *sub, const char *file)
{
	buf_reset(b);
	buf_addf(b, "%s/%s/%s", dir, sub, file);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void read_bytes(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

/* Write po as sub/LANG.po and compile it with msgfmt to sub/LANG.mo. */
static void compile_po(const char *sub, const char *lang, const char *po, const char *flags)
{
	struct buf po_path = BUF_INIT, mo_path = BUF_INIT, cmd = BUF_INIT;
	path_in(&po_path, sub, lang);
	buf_adds(&po_path, ".po");
	path_in(&mo_path, sub, lang);
	buf_adds(&mo_path, ".mo");
	write_bytes(po_path.ptr, po, strlen(po));
	buf_addf(&cmd, "msgfmt %s -o '%s' '%s'", flags, mo_path.ptr, po_path.ptr);
	assert_int_equal(system(cmd.ptr), 0);
	buf_release(&po_path);
	buf_release(&mo_path);
	buf_release(&cmd);
}

static void make_subdir(const char *sub)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s/%s", dir, sub);
	assert_int_equal(mkdir(b.ptr, 0700), 0);
	buf_release(&b);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	make_subdir("good");
	compile_po("good", "fr", fr_po, "");
	compile_po("good", "en", en_po, "");
	make_subdir("bigendian");
	compile_po("bigendian", "fr", fr_po, "--endianness=big");
	compile_po("bigendian", "en", en_po, "--endianness=big");
	make_subdir("bad");
	compile_po("bad", "en", en_po, "");
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	i18n_free();
	return nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void load(const char *sub, int want)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s/%s", dir, sub);
	assert_int_equal(i18n_load(b.ptr), want);
	buf_release(&b);
}

/* What a catalogue built from fr_po and en_po must answer. */
static void check_good_catalogues(void)
{
	assert_string_equal(i18n_gettext("fr", "Needs"), "Besoins");
	assert_string_equal(i18n_gettext("fr", "Ideas"), "Idées");
	assert_string_equal(i18n_gettext("fr", "Home"), "Accueil");
	assert_string_equal(i18n_gettext("fr", "%d idea"), "%d idée");
	assert_string_equal(i18n_gettext("fr", "Tom & <Jerry>"), "Tom & <Jerry> (fr)");
	assert_string_equal(i18n_gettext("en", "Colour"), "Color");
	/* Each language has its own catalogue. */
	assert_string_equal(i18n_gettext("en", "Needs"), "Needs");
	assert_string_equal(i18n_gettext("fr", "Colour"), "Colour");
}

static void test_lookup(void **state)
{
	(void)state;
	load("good", 0);
	check_good_catalogues();
}

static void test_fallback_to_msgid(void **state)
{
	(void)state;
	load("good", 0);
	const char *ids[] = { "Untranslated", "Fuzzy", "Never heard of", "needs", "%d ideas",
			      "" };
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		assert_ptr_equal(i18n_gettext("fr", ids[i]), ids[i]);
	/* The context entry is not used for the plain msgid, nor the header for "". */
	assert_string_equal(i18n_gettext("fr", "menu\004Home"), "menu\004Home");
	assert_string_equal(i18n_gettext(NULL, "Needs"), "Needs");
	assert_string_equal(i18n_gettext("fr", NULL), "");
}

static void test_unsupported_language(void **state)
{
	(void)state;
	load("good", 0);
	const char *needs = "Needs";
	assert_ptr_equal(i18n_gettext("de", needs), needs);
	assert_ptr_equal(i18n_gettext("FR", needs), needs);
	assert_ptr_equal(i18n_gettext("fr_FR", needs), needs);
	assert_ptr_equal(i18n_gettext("", needs), needs);
	assert_true(i18n_supported("fr"));
	assert_true(i18n_supported("en"));
	assert_false(i18n_supported("de"));
	assert_false(i18n_supported("fr-CA"));
	assert_false(i18n_supported(""));
	assert_false(i18n_supported(NULL));
	assert_string_equal(i18n_default(), "fr");
}

static void test_big_endian(void **state)
{
	(void)state;
	load("bigendian", 0);
	check_good_catalogues();
}

static void test_free_forgets(void **state)
{
	(void)state;
	load("good", 0);
	i18n_free();
	assert_string_equal(i18n_gettext("fr", "Needs"), "Needs");
	i18n_free();
}

static void test_missing_file(void **state)
{
	(void)state;
	load("good", 0);
	load("bad", -1); /* has en.mo only */
	load("nonexistent", -1);
	check_good_catalogues();
}

/* Hide the hundreds of expected "error:" lines; returns what restores stderr. */
static int stderr_off(void)
{
	fflush(stderr);
	int saved = dup(2);
	int null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, 2);
	close(null);
	return saved;
}

static void stderr_on(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static void write_bad_fr(const void *data, size_t len)
{
	struct buf path = BUF_INIT;
	path_in(&path, "bad", "fr.mo");
	write_bytes(path.ptr, data, len);
	buf_release(&path);
}

static void test_truncated_files_refused(void **state)
{
	(void)state;
	struct buf good = BUF_INIT, path = BUF_INIT;
	path_in(&path, "good", "fr.mo");
	read_bytes(path.ptr, &good);
	assert_true(good.len > 28);
	load("good", 0);
	int saved = stderr_off();
	for (size_t len = 0; len < good.len; len++) {
		write_bad_fr(good.ptr, len);
		load("bad", -1);
	}
	stderr_on(saved);
	/* The whole file loads, and a refused one left the old catalogues. */
	check_good_catalogues();
	write_bad_fr(good.ptr, good.len);
	load("bad", 0);
	buf_release(&good);
	buf_release(&path);
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void test_corrupt_files_refused(void **state)
{
	(void)state;
	struct buf good = BUF_INIT, path = BUF_INIT;
	path_in(&path, "good", "fr.mo");
	read_bytes(path.ptr, &good);
	unsigned char *copy = xmalloc(good.len);
	/* Bad magic, unknown major revision, huge counts, offsets past the end. */
	const struct {
		size_t at;
		uint32_t value;
	} damage[] = {
		{ 0, 0x12345678 }, { 4, 0x00010000 }, { 8, 0xffffffff }, { 12, 0xfffffff0 },
		{ 16, (uint32_t)good.len }, { 28, 0xffffffff }, { 32, 0xfffffff0 },
	};
	load("good", 0);
	int saved = stderr_off();
	for (size_t i = 0; i < ARRAY_SIZE(damage); i++) {
		memcpy(copy, good.ptr, good.len);
		put_u32(copy + damage[i].at, damage[i].value);
		write_bad_fr(copy, good.len);
		load("bad", -1);
	}
	/* Every single byte of the header and tables set to 0xff: no crash. */
	for (size_t at = 0; at < 28 + 16 * 8 && at < good.len; at++) {
		memcpy(copy, good.ptr, good.len);
		copy[at] = 0xff;
		write_bad_fr(copy, good.len);
		struct buf b = BUF_INIT;
		buf_addf(&b, "%s/bad", dir);
		if (i18n_load(b.ptr) == 0)
			(void)i18n_gettext("fr", "Needs");
		buf_release(&b);
	}
	stderr_on(saved);
	load("good", 0);
	check_good_catalogues();
	free(copy);
	buf_release(&good);
	buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_fallback_to_msgid),
		cmocka_unit_test(test_unsupported_language),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_free_forgets),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_truncated_files_refused),
		cmocka_unit_test(test_corrupt_files_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
