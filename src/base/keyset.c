/*
 * keyset.c - see keyset.h.
 */
#include "base/keyset.h"

#include "base/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64's finaliser: neighbouring phone numbers land far apart. */
static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (size_t)key & (cap - 1);
}

static void grow(struct keyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *keys = xcalloc(cap, sizeof(*keys));
    uint8_t *vals = xcalloc(cap, sizeof(*vals));
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->keys[i])
            continue;
        size_t j = slot_of(s->keys[i], cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = s->keys[i];
        vals[j] = s->vals[i];
    }
    free(s->keys);
    free(s->vals);
    s->keys = keys;
    s->vals = vals;
    s->cap = cap;
}

uint8_t keyset_put(struct keyset *s, uint64_t key, uint8_t val)
{
    if (!key)
        return 0;
    if ((s->n + 1) * 2 > s->cap)
        grow(s);
    size_t j = slot_of(key, s->cap);
    while (s->keys[j]) {
        if (s->keys[j] == key)
            return s->vals[j];
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = key;
    s->vals[j] = val;
    s->n++;
    return val;
}

uint8_t keyset_get(const struct keyset *s, uint64_t key)
{
    if (!key || !s->cap)
        return 0;
    for (size_t j = slot_of(key, s->cap); s->keys[j]; j = (j + 1) & (s->cap - 1))
        if (s->keys[j] == key)
            return s->vals[j];
    return 0;
}

void keyset_clear(struct keyset *s)
{
    if (s->cap) {
        memset(s->keys, 0, s->cap * sizeof(*s->keys));
        memset(s->vals, 0, s->cap * sizeof(*s->vals));
    }
    s->n = 0;
}

void keyset_free(struct keyset *s)
{
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof(*s));
}
