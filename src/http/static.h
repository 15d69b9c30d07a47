/*
 * The files of static/ (stylesheet, icons, later scripts for the map),
 * read into memory once at start-up: they are small, and serving them from
 * memory costs no system call. Each gets a fingerprinted name
 * ("style.1a2b3c4d.css") that pages link to and that is cached for a year;
 * the plain name is still served, with an ETag.
 */
#ifndef HTTP_STATIC_H
#define HTTP_STATIC_H

#include <stddef.h>

struct static_file {
	const char *name; /* "style.css" */
	const char *fingerprinted; /* "style.1a2b3c4d.css" */
	const char *content_type;
	const char *etag; /* quoted */
	const char *data;
	size_t len;
};

/* Load every regular file directly in dir. 0, or -1 (logged). */
int static_load(const char *dir);
/* Forget the files. */
void static_free(void);
/*
 * The file called name, plain or fingerprinted; *immutable is set to 1 for a
 * fingerprinted name. NULL if none.
 */
const struct static_file *static_find(const char *name, int *immutable);

#endif
