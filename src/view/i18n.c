/*
 * Translations read straight from GNU .mo files, so that the language can be
 * chosen per request (glibc's gettext() has one language per process). The
 * file is kept in memory as it is; a sorted array of pointers into it makes
 * a lookup one binary search. Catalogues are loaded once at start-up and
 * only read afterwards, so lookups need no lock.
 *
 * The .mo layout (GNU gettext manual, "The Format of GNU MO Files"): a
 * 28-byte header (magic, revision, N, offset of the msgid table, offset of
 * the msgstr table, hash size, hash offset), then two tables of N
 * {length, offset} pairs; each string is NUL-terminated after its length.
 * The hash table is ignored: the sorted array does its job.
 */
#include "view/i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

#define MO_MAGIC 0x950412deU
#define MO_HEADER_SIZE 28
/* A catalogue of the site's messages is a few hundred KiB; more is a mistake. */
#define MO_MAX_SIZE (64u << 20)

struct message {
	const char *id;
	const char *str;
};

struct catalogue {
	char *data; /* the file's bytes; the messages point into it */
	struct message *msgs;
	size_t n;
};

static const char *const languages[] = { "fr", "en" };
static struct catalogue catalogues[ARRAY_SIZE(languages)];

static int lang_index(const char *lang)
{
	for (size_t i = 0; lang && i < ARRAY_SIZE(languages); i++)
		if (!strcmp(lang, languages[i]))
			return (int)i;
	return -1;
}

static uint32_t get_u32(const unsigned char *p, int big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int compare_messages(const void *a, const void *b)
{
	return strcmp(((const struct message *)a)->id, ((const struct message *)b)->id);
}

/*
 * The string described by table entry i: NULL if it does not lie inside the
 * file or is not NUL-terminated where its length says.
 */
static const char *mo_string(const char *data, size_t size, uint32_t table, uint32_t i,
			     int big_endian, uint32_t *len)
{
	const unsigned char *entry = (const unsigned char *)data + table + (size_t)i * 8;
	*len = get_u32(entry, big_endian);
	uint32_t off = get_u32(entry + 4, big_endian);
	if ((uint64_t)off + *len >= size || data[(size_t)off + *len] != '\0')
		return NULL;
	return data + off;
}

static int table_fits(size_t size, uint32_t off, uint32_t n)
{
	return (uint64_t)off + (uint64_t)n * 8 <= size;
}

/* Fill cat->msgs from cat->data: every entry with a msgid and a msgstr. */
static int mo_index(struct catalogue *cat, const char *path, size_t size)
{
	const unsigned char *u = (const unsigned char *)cat->data;
	if (size < MO_HEADER_SIZE)
		return error("%s: too short for a .mo file", path);
	int big = get_u32(u, 0) != MO_MAGIC;
	if (big && get_u32(u, 1) != MO_MAGIC)
		return error("%s: not a .mo file", path);
	uint32_t revision = get_u32(u + 4, big), n = get_u32(u + 8, big);
	uint32_t ids = get_u32(u + 12, big), strs = get_u32(u + 16, big);
	if (revision >> 16)
		return error("%s: unsupported .mo revision %u", path, (unsigned)(revision >> 16));
	if (!table_fits(size, ids, n) || !table_fits(size, strs, n))
		return error("%s: truncated .mo file", path);
	cat->msgs = xcalloc(n, sizeof(*cat->msgs));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id_len, str_len;
		const char *id = mo_string(cat->data, size, ids, i, big, &id_len);
		const char *str = mo_string(cat->data, size, strs, i, big, &str_len);
		if (!id || !str)
			return error("%s: corrupt .mo file (string %u)", path, (unsigned)i);
		/* Skip the header (empty msgid), untranslated and context entries. */
		if (!*id || !*str || strchr(id, '\004'))
			continue;
		cat->msgs[cat->n++] = (struct message){ id, str };
	}
	qsort(cat->msgs, cat->n, sizeof(*cat->msgs), compare_messages);
	return 0;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %m", path);
	char chunk[8192];
	size_t n;
	int ret = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > MO_MAX_SIZE) {
			ret = error("%s: larger than %u bytes", path, MO_MAX_SIZE);
			break;
		}
		buf_add(out, chunk, n);
	}
	if (!ret && ferror(f))
		ret = error("%s: cannot read", path);
	fclose(f);
	return ret;
}

static void catalogue_release(struct catalogue *cat)
{
	free(cat->data);
	free(cat->msgs);
	memset(cat, 0, sizeof(*cat));
}

static int catalogue_load(struct catalogue *cat, const char *dir, const char *lang)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	int ret = -1;
	buf_addf(&path, "%s/%s.mo", dir, lang);
	if (read_file(path.ptr, &data) < 0)
		goto out;
	size_t size = data.len;
	cat->data = buf_detach(&data, NULL);
	ret = mo_index(cat, path.ptr, size);
out:
	if (ret < 0)
		catalogue_release(cat);
	buf_release(&data);
	buf_release(&path);
	return ret;
}

int i18n_load(const char *dir)
{
	struct catalogue fresh[ARRAY_SIZE(languages)] = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(languages); i++) {
		if (catalogue_load(&fresh[i], dir, languages[i]) < 0) {
			for (size_t k = 0; k < i; k++)
				catalogue_release(&fresh[k]);
			return -1;
		}
	}
	i18n_free();
	memcpy(catalogues, fresh, sizeof(catalogues));
	return 0;
}

void i18n_free(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(languages); i++)
		catalogue_release(&catalogues[i]);
}

const char *i18n_gettext(const char *lang, const char *msgid)
{
	if (!msgid)
		return "";
	int i = lang_index(lang);
	if (i < 0 || !catalogues[i].n)
		return msgid;
	struct message key = { msgid, NULL };
	const struct message *m = bsearch(&key, catalogues[i].msgs, catalogues[i].n,
					  sizeof(key), compare_messages);
	return m ? m->str : msgid;
}

int i18n_supported(const char *lang)
{
	return lang_index(lang) >= 0;
}

const char *i18n_default(void)
{
	return languages[0];
}
