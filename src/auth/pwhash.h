/*
 * pwhash.h - password hashing with argon2id (libsodium), OWASP parameters:
 * 19 MiB of memory, 2 passes, 1 lane. About 30–60 ms per hash on this
 * class of machine, which is what makes a stolen hash expensive to guess.
 */
#ifndef HY_PWHASH_H
#define HY_PWHASH_H

#include <stdbool.h>
#include <stddef.h>

#define PWHASH_LEN 128 /* crypto_pwhash_STRBYTES */

/* 0 on success; out holds the encoded hash ($argon2id$…). */
int pwhash_make(const char *password, char out[PWHASH_LEN]);
bool pwhash_verify(const char *hash, const char *password);
/* Spend the same time as a real verification, for unknown logins, so the
 * answer time does not reveal whether a staff number exists. */
void pwhash_dummy_verify(const char *password);

#endif
