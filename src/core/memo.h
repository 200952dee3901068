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
/* The value stored under (ns, key), borrowed; NULL when none or off. */
json_t *memo_get(const char *ns, const char *key);
/* Store v (the memo takes the reference; dropped when off). */
void memo_put(const char *ns, const char *key, json_t *v);

#endif
