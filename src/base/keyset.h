/*
 * keyset.h - a set of nonzero 64-bit keys, each with a small value, in one
 * open-addressed table (linear probing, grows at half full).
 *
 * For lookups by the million where a database index would cost more than
 * it saves: a bulk import checks each row's phone and ID number against
 * every stored customer's and every earlier row's (crm/customer.c).
 */
#ifndef HY_KEYSET_H
#define HY_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keyset {
    uint64_t *keys; /* 0 = empty slot */
    uint8_t *vals;
    size_t cap, n; /* cap: a power of two (or 0 before the first put) */
};

/* Add key (nonzero) with value val, or keep the value already there.
 * Returns the value the key has afterwards. */
uint8_t keyset_put(struct keyset *s, uint64_t key, uint8_t val);
/* The value of key, or 0 when it is not in the set. */
uint8_t keyset_get(const struct keyset *s, uint64_t key);
/* Empty the set, keeping its table for reuse. */
void keyset_clear(struct keyset *s);
void keyset_free(struct keyset *s);

#endif
