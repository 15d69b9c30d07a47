/*
 * What the fuzz targets share. A broken invariant aborts, so that libFuzzer
 * keeps the input as a crash; the message goes to the sanitizers' report
 * descriptor, which `make fuzz` keeps open while it closes the target's
 * stderr (-close_fd_mask=2: the parsers log every refusal, and millions of
 * those lines would bury the report). Also the checks of what
 * http/parse.h promises of every name and value it hands out.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <sanitizer/common_interface_defs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/parse.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

__attribute__((noreturn, format(printf, 3, 4))) static inline void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "fuzz invariant broken at %s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	__sanitizer_report_error_summary(msg);
	fprintf(stderr, "%s\n", msg); /* when run by hand on one input */
	abort();
}

#define FUZZ_CHECK(cond, ...)                                       \
	do {                                                        \
		if (!(cond))                                        \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/* A NUL-terminated copy of data[0..size), as a C string from a header would be. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A string handed to a handler: valid UTF-8, no NUL before len, NUL at len. */
static inline void fuzz_check_text(const char *what, const char *s, size_t len)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	FUZZ_CHECK(strlen(s) == len, "%s: length %zu but strlen %zu", what, len, strlen(s));
	FUZZ_CHECK(utf8_valid(s, len), "%s is not valid UTF-8", what);
}

/* Every pair from index from on: a non-empty name, text as above. */
static inline void fuzz_check_params(const struct params *p, size_t from)
{
	for (size_t i = from; i < p->n; i++) {
		FUZZ_CHECK(p->v[i].name && *p->v[i].name, "pair %zu has an empty name", i);
		fuzz_check_text("name", p->v[i].name, strlen(p->v[i].name));
		fuzz_check_text("value", p->v[i].value, p->v[i].value_len);
	}
}

#endif
