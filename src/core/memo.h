/*
 * memo.h - a per-thread memo of definitions (custom fields, dictionary
 * items) for batch jobs. An import checks every row against the same few
 * definitions; reading them from the database per row cost more than
 * storing the row. Between memo_begin and memo_end on a thread, lookups
 * that support it are answered from here after their first read; an
 * admin's change meanwhile applies from the next batch. Off by default, so
 * requests always see the current definitions.
 */
#ifndef HY_MEMO_H
#define HY_MEMO_H

#include <jansson.h>
#include <stdbool.h>

void memo_begin(void);
/* Forget everything and stop memoising on this thread. */
void memo_end(void);
/* Whether this thread memoises now (skip building a value to store when
 * not). */
bool memo_active(void);
/* The value stored under (ns, key, sub), borrowed; NULL when none or off.
 * sub may be NULL (a one-part key). */
json_t *memo_get(const char *ns, const char *key, const char *sub);
/* Store v (the memo takes the reference; dropped when off, or when the key
 * is too long to keep whole). */
void memo_put(const char *ns, const char *key, const char *sub, json_t *v);

#endif
