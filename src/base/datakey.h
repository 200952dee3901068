/*
 * datakey.h - the data key that keeps personal identifiers (ID numbers)
 * unreadable at rest: authenticated encryption of a value, and keyed
 * "blind indexes" that let the database answer an exact lookup without
 * holding the value (docs/decisions/0007-id-numbers-encrypted.md).
 *
 * One 32-byte master key, given as 64 hex digits or base64. Three sub-keys
 * are derived from it with crypto_kdf_derive_from_key, so that the
 * encryption key and the index keys are independent: one for
 * XChaCha20-Poly1305 (random 192-bit nonce per value), one for the BLAKE2b
 * index of a whole value, one for the index of its last four characters.
 * A key id (8 hex digits, a BLAKE2b digest of a fourth sub-key, not of the
 * key) names the key in every sealed value so keys can rotate.
 *
 * Sealed value: "<key id>:<base64url(nonce || ciphertext || tag)>".
 * Index: base64url of a 16-byte keyed BLAKE2b digest (22 characters; no
 * run of digits that could pass for an ID number in `strings`).
 */
#ifndef HY_DATAKEY_H
#define HY_DATAKEY_H

#include <stdbool.h>
#include <stddef.h>

#define DATAKEY_BYTES     32
#define DATAKEY_ID_LEN    8  /* hex digits of a key id */
#define DATAKEY_INDEX_LEN 22 /* characters of an index */

struct datakey {
    unsigned char enc[32], index[32], last4[32];
    char id[DATAKEY_ID_LEN + 1];
};

/* Parse a key text (64 hex digits, or standard / URL-safe base64 of 32
 * bytes; surrounding white space ignored) into raw. 0, or -1 for anything
 * else. */
int datakey_parse(const char *text, unsigned char raw[DATAKEY_BYTES]);
/* Derive the sub-keys and the id of a raw key into k. */
void datakey_init(struct datakey *k, const unsigned char raw[DATAKEY_BYTES]);
/* Read a key file (the key text on its first line) into k. create: when
 * the file does not exist, write a new random key to it (mode 0600) first.
 * 0, or -1 with a message in err (the key itself is never in it). */
int datakey_load_file(struct datakey *k, const char *path, bool create, char *err, size_t errlen);
/* The key text of a new random key (64 hex digits and a NUL). */
void datakey_generate(char text[2 * DATAKEY_BYTES + 1]);

/* The process's key, set once at start-up before any thread reads it
 * (the commands that touch customers: serve, demo, rotate-key). NULL until
 * then. datakey_use copies k. */
void datakey_use(const struct datakey *k);
const struct datakey *datakey_current(void);

/* Seal plain with k: the sealed text (caller frees). */
char *datakey_seal(const struct datakey *k, const char *plain);
/* Open a sealed value with k: the clear text (caller frees), or NULL when
 * it was sealed under another key or has been tampered with. */
char *datakey_open(const struct datakey *k, const char *sealed);
/* The key id a sealed value names into id; false when it names none. */
bool datakey_sealed_id(const char *sealed, char id[DATAKEY_ID_LEN + 1]);
/* Keyed index of a whole value, and of its last four characters (the
 * whole value when shorter), into out. */
void datakey_index(const struct datakey *k, const char *value, char out[DATAKEY_INDEX_LEN + 1]);
void datakey_index_last4(const struct datakey *k, const char *value,
                         char out[DATAKEY_INDEX_LEN + 1]);

#endif
