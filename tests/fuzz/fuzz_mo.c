/*
 * Fuzz target: the .mo catalogue reader (view/i18n.c). It reads files, so
 * the input is written to fr.mo in a directory of /dev/shm (memory, no
 * disk) next to a valid empty en.mo, and i18n_load reads both.
 *
 * Invariants: i18n_load accepts the file exactly when a reader written
 * here from the GNU format description does (header, revision, both tables
 * inside the file, every string inside it and NUL-terminated at its
 * length); after a load, every entry with a msgid, a translation and no
 * context is found by i18n_gettext with its translation (or that of
 * another entry with the same msgid), and an unknown msgid comes back as
 * it is.
 */
#include "fuzz.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "view/i18n.h"

#define MO_MAGIC 0x950412deU

static char dir[64], fr_path[96];

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
}

static void remove_dir(void)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/en.mo", dir);
	unlink(path);
	unlink(fr_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* An empty catalogue: magic, revision 0, no strings, tables at 28. */
	static const uint32_t empty_mo[7] = { MO_MAGIC, 0, 0, 28, 28, 0, 28 };
	char path[96];
	snprintf(dir, sizeof(dir), "/dev/shm/tremplin-fuzz-mo-%d", (int)getpid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		abort();
	snprintf(path, sizeof(path), "%s/en.mo", dir);
	write_file(path, empty_mo, sizeof(empty_mo));
	snprintf(fr_path, sizeof(fr_path), "%s/fr.mo", dir);
	atexit(remove_dir);
	return 0;
}

/* ---- the reference reader ---- */

struct ref {
	const uint8_t *d;
	size_t size;
	int big;
	uint32_t n, ids, strs;
};

static uint32_t u32(const struct ref *r, size_t off)
{
	const uint8_t *p = r->d + off;
	if (r->big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* String i of the table at table; NULL if it is not inside the file or not NUL-terminated. */
static const char *ref_string(const struct ref *r, uint32_t table, uint32_t i)
{
	size_t entry = (size_t)table + (size_t)i * 8;
	uint64_t len = u32(r, entry), off = u32(r, entry + 4);
	if (off + len >= r->size || r->d[off + len] != 0)
		return NULL;
	return (const char *)r->d + off;
}

static int ref_valid(struct ref *r)
{
	if (r->size < 28)
		return 0;
	r->big = 0;
	if (u32(r, 0) != MO_MAGIC) {
		r->big = 1;
		if (u32(r, 0) != MO_MAGIC)
			return 0;
	}
	if (u32(r, 4) >> 16)
		return 0;
	r->n = u32(r, 8);
	r->ids = u32(r, 12);
	r->strs = u32(r, 16);
	if ((uint64_t)r->ids + (uint64_t)r->n * 8 > r->size ||
	    (uint64_t)r->strs + (uint64_t)r->n * 8 > r->size)
		return 0;
	for (uint32_t i = 0; i < r->n; i++)
		if (!ref_string(r, r->ids, i) || !ref_string(r, r->strs, i))
			return 0;
	return 1;
}

static int ref_used(const struct ref *r, uint32_t i)
{
	const char *id = ref_string(r, r->ids, i), *str = ref_string(r, r->strs, i);
	return *id && *str && !strchr(id, '\004');
}

static void check_lookups(const struct ref *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (!ref_used(r, i))
			continue;
		const char *id = ref_string(r, r->ids, i);
		const char *got = i18n_gettext("fr", id);
		if (!strcmp(got, ref_string(r, r->strs, i)))
			continue;
		int other = 0;
		for (uint32_t k = 0; k < r->n && !other; k++)
			other = ref_used(r, k) && !strcmp(ref_string(r, r->ids, k), id) &&
				!strcmp(ref_string(r, r->strs, k), got);
		FUZZ_CHECK(other, "msgid %u '%.40s' gives '%.40s'", (unsigned)i, id, got);
	}
	const char *unknown = "\x01no such message\x01";
	int listed = 0;
	for (uint32_t k = 0; k < r->n && !listed; k++)
		listed = !strcmp(ref_string(r, r->ids, k), unknown);
	FUZZ_CHECK(listed || i18n_gettext("fr", unknown) == unknown, "an unknown msgid did not come back");
	FUZZ_CHECK(!strcmp(i18n_gettext("en", "Needs"), "Needs"), "the empty en catalogue translated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ref r = { .d = data, .size = size };

	write_file(fr_path, data, size);
	int ret = i18n_load(dir);
	int valid = ref_valid(&r);
	FUZZ_CHECK((ret == 0) == valid, "i18n_load returned %d for a file the reference finds %s",
		   ret, valid ? "valid" : "invalid");
	if (ret == 0 && r.n <= 2048)
		check_lookups(&r);
	i18n_free();
	return 0;
}
