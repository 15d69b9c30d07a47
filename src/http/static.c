/*
 * A handful of files, looked up by a linear scan: fewer than a dozen names,
 * so a hash table would cost more than it saves.
 */
#include "http/static.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

#define STATIC_MAX_FILES 64
#define STATIC_MAX_SIZE (4 * 1024 * 1024)

static struct static_file files[STATIC_MAX_FILES];
static size_t n_files;

static const char *content_type_for(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".jpg", "image/jpeg" },
		{ ".webp", "image/webp" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".json", "application/json" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* FNV-1a, 64 bits: enough to tell versions of a file apart. */
static uint64_t fnv1a(const char *data, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= STATIC_MAX_SIZE)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len > STATIC_MAX_SIZE) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

static int add_file(const char *dir, const char *name)
{
	if (n_files == STATIC_MAX_FILES)
		return error("static/: more than %d files", STATIC_MAX_FILES);
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/%s", dir, name);
	struct static_file *f = &files[n_files];
	size_t len;
	char *data = read_file(path.ptr, &len);
	buf_release(&path);
	if (!data)
		return error("cannot read %s/%s", dir, name);
	uint64_t h = fnv1a(data, len);
	struct buf fp = BUF_INIT;
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	buf_add(&fp, name, stem);
	buf_addf(&fp, ".%08llx%s", (unsigned long long)(h & 0xffffffffu), dot ? dot : "");
	struct buf etag = BUF_INIT;
	buf_addf(&etag, "\"%016llx\"", (unsigned long long)h);
	f->name = xstrdup(name);
	f->fingerprinted = buf_detach(&fp, NULL);
	f->etag = buf_detach(&etag, NULL);
	f->content_type = content_type_for(name);
	f->data = data;
	f->len = len;
	n_files++;
	return 0;
}

int static_load(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("cannot open static directory '%s'", dir);
	int ret = 0;
	struct dirent *e;
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct buf path = BUF_INIT;
		buf_addf(&path, "%s/%s", dir, e->d_name);
		struct stat st;
		int regular = !stat(path.ptr, &st) && S_ISREG(st.st_mode);
		buf_release(&path);
		if (regular)
			ret = add_file(dir, e->d_name);
	}
	closedir(d);
	return ret;
}

void static_free(void)
{
	for (size_t i = 0; i < n_files; i++) {
		free((char *)files[i].name);
		free((char *)files[i].fingerprinted);
		free((char *)files[i].etag);
		free((char *)files[i].data);
	}
	n_files = 0;
}

const struct static_file *static_find(const char *name, int *immutable)
{
	for (size_t i = 0; i < n_files; i++) {
		if (!strcmp(files[i].fingerprinted, name)) {
			*immutable = 1;
			return &files[i];
		}
		if (!strcmp(files[i].name, name)) {
			*immutable = 0;
			return &files[i];
		}
	}
	return NULL;
}
