/*
 * Passwords (OWASP ASVS 4.0 level 2, section 2.1 and 2.4): at least 12
 * characters, up to 128 or more, any Unicode, no composition rules, refused
 * when common; hashed with libsodium's argon2id at 19 MiB or more and 2
 * passes or more. Hashing is capped to a few at once so that a flood of
 * log-ins cannot exhaust memory: the others wait their turn.
 *
 * Parameters (password.c): argon2id, 19 MiB, 2 passes, 1 lane: OWASP's
 * first recommended setting, 13-35 ms per hash on a 2-core machine.
 * password_load_common() and password_set_concurrency() are for start-up,
 * before the worker threads; the other functions are thread-safe.
 */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 256
/* Room for an encoded argon2id hash ("$argon2id$v=19$m=...,t=...,p=1$...$..."). */
#define PASSWORD_HASH_MAX 128

/*
 * Load the list of common passwords (one per line, lower case) from path.
 * 0, or -1 (logged). Without a list, only the length rules apply.
 */
int password_load_common(const char *path);
/* Forget the list. */
void password_free_common(void);

/*
 * NULL when password is acceptable for the account, else the English msgid
 * of the reason, one of:
 *   "This password contains invalid characters." (not valid UTF-8)
 *   "Use at most 256 characters."
 *   "Use at least 12 characters." (a run of spaces counts as one: ASVS 2.1.1)
 *   "Do not use your e-mail address or your name as password."
 *     (equal to email, its local part or display_name, ignoring ASCII case;
 *     email and display_name may be NULL)
 *   "This password is too common: choose another one."
 * Lengths are in Unicode code points.
 */
const char *password_check(const char *password, const char *email, const char *display_name);

/* Hash password into out (NUL-terminated). 0 or -1. May wait for a free slot. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/*
 * 1 if password matches hash, 0 if not, -1 on a malformed hash (not
 * argon2id, or asking for more than 256 MiB). May wait for a slot.
 */
int password_verify(const char *hash, const char *password);

/*
 * 1 if hash was made with other parameters than today's (after a
 * successful log-in, hash the password again and store it), 0 if not,
 * -1 on a malformed hash.
 */
int password_needs_rehash(const char *hash);

/*
 * Spend the time of one verification without a hash: log-in answers for an
 * unknown address take as long as for a known one, so timing reveals nothing.
 */
void password_verify_dummy(const char *password);

/* Set the number of hashes computed at once (default 2). Call at start-up. */
void password_set_concurrency(unsigned n);

/*
 * For the tests only: the most hashes computed at once since the previous
 * call (the count then starts again from those running now).
 */
unsigned password_test_peak(void);

#endif
