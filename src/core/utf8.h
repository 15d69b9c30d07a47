/*
 * Strict UTF-8 validation and character counting.
 */
#ifndef CORE_UTF8_H
#define CORE_UTF8_H

#include <stddef.h>

/*
 * 1 if s[0..len) is well-formed UTF-8 (Unicode table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF, no truncated sequence), else 0.
 */
int utf8_valid(const char *s, size_t len);

/* Characters (code points) of a NUL-terminated, valid UTF-8 string. */
size_t utf8_chars(const char *s);

#endif
