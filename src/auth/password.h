/*
 * Passwords (OWASP ASVS 4.0 level 2, section 2.1 and 2.4): at least 12
 * characters, up to 128 or more, any Unicode, no composition rules, refused
 * when common; hashed with libsodium's argon2id at 19 MiB or more and 2
 * passes or more. Hashing is capped to a few at once so that a flood of
 * log-ins cannot exhaust memory: the others wait their turn.
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
 * of the reason (too short, too long, common, same as the e-mail or name).
 * Lengths are in Unicode characters; invalid UTF-8 is refused.
 */
const char *password_check(const char *password, const char *email, const char *display_name);

/* Hash password into out (NUL-terminated). 0 or -1. May wait for a free slot. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* 1 if password matches hash, 0 if not, -1 on a malformed hash. May wait for a slot. */
int password_verify(const char *hash, const char *password);

/*
 * Spend the time of one verification without a hash: log-in answers for an
 * unknown address take as long as for a known one, so timing reveals nothing.
 */
void password_verify_dummy(const char *password);

/* Set the number of hashes computed at once (default 2). Call at start-up. */
void password_set_concurrency(unsigned n);

#endif
