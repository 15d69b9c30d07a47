/*
 * Password rules and hashing. Argon2id at OWASP's first recommended
 * setting (19 MiB, 2 passes, 1 lane): measured 13-14 ms per hash (median)
 * on the 2-core machine this project is sized for, up to 35 ms when it is
 * busy, so a log-in stays well under 100 ms even with a second hash
 * running. libsodium's INTERACTIVE (64 MiB, 2 passes) measured 77-150 ms
 * there, at or over that budget. A counting semaphore (mutex +
 * condition) caps the hashes computed at once, so memory in use is at most
 * slots x 19 MiB however many log-ins arrive together; the rest wait.
 */
#include "auth/password.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define HASH_OPSLIMIT 2ULL
#define HASH_MEMLIMIT ((size_t)19 * 1024 * 1024)
/* A stored hash asking for more than this is treated as malformed (a tampered row must not exhaust memory). */
#define HASH_MEMLIMIT_ACCEPTED ((size_t)256 * 1024 * 1024)
#define HASH_OPSLIMIT_ACCEPTED 16ULL

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "PASSWORD_HASH_MAX too small");

/*
 * The hash of a random password nobody knows, made once with the
 * parameters above: password_verify_dummy() verifies against it so that an
 * unknown address costs the same time as a known one. It must be remade if
 * the parameters change (password_verify_dummy() checks, the tests too).
 */
static const char dummy_hash[] =
	"$argon2id$v=19$m=19456,t=2,p=1$JzdkeHxi/ZFCKr5l5EnekA$ZLjaY3rf3SokNzI6ocS/rNAnffnYPMIu/IrJtNQRgSI";

/* The counting semaphore. */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_freed = PTHREAD_COND_INITIALIZER;
static unsigned slot_max = 2, slot_used, slot_peak;

/* The common passwords: one buffer of NUL-separated lines, and a sorted index into it. */
static char *common_text;
static const char **common_words;
static size_t common_count;

void password_set_concurrency(unsigned n)
{
	pthread_mutex_lock(&slot_lock);
	slot_max = n ? n : 1;
	pthread_cond_broadcast(&slot_freed);
	pthread_mutex_unlock(&slot_lock);
}

static void slot_acquire(void)
{
	pthread_mutex_lock(&slot_lock);
	while (slot_used >= slot_max)
		pthread_cond_wait(&slot_freed, &slot_lock);
	if (++slot_used > slot_peak)
		slot_peak = slot_used;
	pthread_mutex_unlock(&slot_lock);
}

static void slot_release(void)
{
	pthread_mutex_lock(&slot_lock);
	slot_used--;
	pthread_cond_signal(&slot_freed);
	pthread_mutex_unlock(&slot_lock);
}

unsigned password_test_peak(void)
{
	pthread_mutex_lock(&slot_lock);
	unsigned peak = slot_peak;
	slot_peak = slot_used;
	pthread_mutex_unlock(&slot_lock);
	return peak;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
	char tmp[crypto_pwhash_STRBYTES];
	slot_acquire();
	int rc = crypto_pwhash_str_alg(tmp, password, strlen(password), HASH_OPSLIMIT, HASH_MEMLIMIT,
				       crypto_pwhash_ALG_ARGON2ID13);
	slot_release();
	if (rc != 0)
		return error("password hashing failed (out of memory?)");
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/* Read the decimal after prefix at *p; advance past it. -1 if absent. */
static long long parse_param(const char **p, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(*p, prefix, n))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(*p + n, &end, 10);
	if (errno || end == *p + n)
		return -1;
	*p = end;
	return v;
}

/*
 * Copy hash into buf (zero-padded, as libsodium reads a fixed-size array)
 * if it is a well-formed argon2id hash with bounded parameters: 0 or -1.
 */
static int copy_wellformed(const char *hash, char buf[crypto_pwhash_STRBYTES])
{
	static const char prefix[] = "$argon2id$v=19$";
	if (!hash || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES ||
	    strncmp(hash, prefix, sizeof(prefix) - 1))
		return -1;
	const char *p = hash + sizeof(prefix) - 1;
	long long m = parse_param(&p, "m=");
	long long t = parse_param(&p, ",t=");
	if (m <= 0 || t <= 0 || (unsigned long long)m * 1024 > HASH_MEMLIMIT_ACCEPTED ||
	    (unsigned long long)t > HASH_OPSLIMIT_ACCEPTED)
		return -1;
	memset(buf, 0, crypto_pwhash_STRBYTES);
	memcpy(buf, hash, strlen(hash));
	/* Decodes salt and digest without computing anything: -1 when malformed. */
	return crypto_pwhash_argon2id_str_needs_rehash(buf, HASH_OPSLIMIT, HASH_MEMLIMIT) < 0 ? -1 : 0;
}

int password_verify(const char *hash, const char *password)
{
	char buf[crypto_pwhash_STRBYTES];
	if (copy_wellformed(hash, buf) < 0)
		return -1;
	slot_acquire();
	int rc = crypto_pwhash_str_verify(buf, password, strlen(password));
	slot_release();
	return rc == 0;
}

int password_needs_rehash(const char *hash)
{
	char buf[crypto_pwhash_STRBYTES];
	if (copy_wellformed(hash, buf) < 0)
		return -1;
	return crypto_pwhash_argon2id_str_needs_rehash(buf, HASH_OPSLIMIT, HASH_MEMLIMIT) != 0;
}

void password_verify_dummy(const char *password)
{
	if (password_needs_rehash(dummy_hash) != 0)
		BUG("the dummy password hash does not match the hashing parameters");
	(void)password_verify(dummy_hash, password);
}

/* --- Rules ------------------------------------------------------------- */

/* Length of the UTF-8 sequence starting at s, or 0 if it is not valid UTF-8. */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (c == 0xE0)
		lo = 0xA0; /* overlong */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong */
	else if (c == 0xF4)
		hi = 0x8F; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/*
 * Count the code points of s: *all counts each one, *collapsed counts a run
 * of spaces as one (ASVS 2.1.1 measures the minimum "after multiple spaces
 * are combined"). -1 for invalid UTF-8.
 */
static int utf8_count(const char *s, size_t *all, size_t *collapsed)
{
	const unsigned char *p = (const unsigned char *)s;
	int prev_space = 0;
	*all = *collapsed = 0;
	while (*p) {
		size_t n = utf8_sequence(p);
		if (!n)
			return -1;
		int space = *p == ' ';
		(*all)++;
		if (!(space && prev_space))
			(*collapsed)++;
		prev_space = space;
		p += n;
	}
	return 0;
}

static void ascii_lower(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		dst[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[n] = '\0';
}

/* 1 if a (NUL-terminated) equals the n bytes at b, ignoring ASCII case. */
static int same_text(const char *a, const char *b, size_t n)
{
	if (strlen(a) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

static int is_personal(const char *password, const char *email, const char *display_name)
{
	if (email && *email) {
		const char *at = strrchr(email, '@');
		if (same_text(password, email, strlen(email)) ||
		    (at && same_text(password, email, (size_t)(at - email))))
			return 1;
	}
	return display_name && *display_name && same_text(password, display_name, strlen(display_name));
}

static int compare_words(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_common(const char *password)
{
	if (!common_count)
		return 0;
	char lower[PASSWORD_MAX_CHARS * 4 + 1];
	size_t len = strlen(password);
	if (len >= sizeof(lower))
		return 0; /* longer than any line we accept */
	ascii_lower(lower, password, len);
	const char *key = lower;
	return bsearch(&key, common_words, common_count, sizeof(*common_words), compare_words) != NULL;
}

const char *password_check(const char *password, const char *email, const char *display_name)
{
	size_t all, collapsed;
	if (!password)
		password = "";
	if (utf8_count(password, &all, &collapsed) < 0)
		return "This password contains invalid characters.";
	if (all > PASSWORD_MAX_CHARS)
		return "Use at most 256 characters.";
	if (collapsed < PASSWORD_MIN_CHARS)
		return "Use at least 12 characters.";
	if (is_personal(password, email, display_name))
		return "Do not use your e-mail address or your name as password.";
	if (is_common(password))
		return "This password is too common: choose another one.";
	return NULL;
}

/* --- The common list --------------------------------------------------- */

void password_free_common(void)
{
	free(common_words);
	free(common_text);
	common_words = NULL;
	common_text = NULL;
	common_count = 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t alloc = 0, n = 0;
	char *data = NULL;
	for (;;) {
		data = xgrow(data, 1, n + 65536 + 1, &alloc);
		size_t got = fread(data + n, 1, alloc - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

/* Split text into lower-cased lines (in place), sorted and without duplicates. */
static size_t index_lines(char *text, size_t len, const char ***out)
{
	size_t count = 0, alloc = 0;
	const char **words = NULL;
	for (char *line = text; line < text + len;) {
		char *end = memchr(line, '\n', (size_t)(text + len - line));
		if (!end)
			end = text + len;
		char *next = end + 1;
		if (end > line && end[-1] == '\r')
			end--;
		*end = '\0';
		if (*line) {
			ascii_lower(line, line, (size_t)(end - line));
			words = xgrow(words, sizeof(*words), count + 1, &alloc);
			words[count++] = line;
		}
		line = next;
	}
	qsort(words, count, sizeof(*words), compare_words);
	size_t kept = 0;
	for (size_t i = 0; i < count; i++)
		if (!kept || strcmp(words[kept - 1], words[i]))
			words[kept++] = words[i];
	*out = words;
	return kept;
}

int password_load_common(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return error("cannot read the common passwords from %s: %s", path, strerror(errno));
	const char **words;
	size_t count = index_lines(text, len, &words);
	password_free_common();
	common_text = text;
	common_words = words;
	common_count = count;
	return 0;
}
