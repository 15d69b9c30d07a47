/*
 * Files compiled into the binary by tools/embed.c (the migrations), so that
 * a copied binary cannot run against a schema it does not know.
 */
#ifndef CORE_EMBEDDED_H
#define CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* base name, e.g. "0001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* The files of db/migrations/, sorted by name, ending with {NULL, NULL, 0}. */
extern const struct embedded_file embedded_migrations[];
/* The files of db/demo/ (demo territories as JSON), same shape. */
extern const struct embedded_file embedded_demo[];

#endif
