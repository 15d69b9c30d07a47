/*
 * UTF-8, checked strictly wherever text comes in (URLs, forms, Markdown,
 * mail): one implementation, so every entry point refuses the same bytes.
 */
#include "core/utf8.h"

#include "core/banned.h"

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) that starts with a
 * non-ASCII byte, or 0. The ranges of the second byte are those of Unicode's
 * table 3-7: they exclude overlongs (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4).
 */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_sequence(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
