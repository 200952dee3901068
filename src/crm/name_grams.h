/*
 * name_grams.h - the name-fragment index of customers.
 *
 * customer_name_grams holds every pair of neighbouring characters of every
 * customer's name and its last character alone, keyed (gram, customer_id):
 * a two-character fragment of a name is one index lookup instead of a scan
 * of all names, and one character is one range of the index, the entries
 * that begin with it: every character but the last begins a pair
 * (customer.c, quick search). That is n entries for a name of n
 * characters; every single character as well took 2n - 1, a third more
 * time to import and room to keep.
 *
 * Entries are written through a name_gram_set, which gathers the
 * fragments of one or many customers by fragment and writes them in the
 * table's key order, so that a big load fills the clustered table page by
 * page instead of jumping around it. Entries go by their keys, computed
 * from the stored name: the table needs no index by customer.
 */
#ifndef HY_NAME_GRAMS_H
#define HY_NAME_GRAMS_H

#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

#define NAME_GRAM_SIZE 16 /* bytes of a fragment, NUL included (two code points fit) */
#define NAME_GRAMS_MAX 64 /* fragments of one name at most (its first 64 code points) */

/* The fragments of name (n of them for n code points, n <= 64), in order
 * of appearance, repeats included. */
size_t name_grams_collect(const char *name, char grams[][NAME_GRAM_SIZE]);
/* The condition "the name has fragment q" (two characters or more) into
 * w, for any table with a fragment index: q's first two characters find
 * the candidates through the index (grams_sql: "SELECT <owner id> FROM
 * <index> WHERE gram = ?"), a longer q is then checked in full on the
 * name. id and name are the record's columns; all three program text. */
struct sqlbuf;
void name_grams_match(struct sqlbuf *w, const char *q, const char *id, const char *grams_sql,
                      const char *name);

/* Fragments by fragment: for each, the customer ids that have it, in the
 * order added. Zero-initialise. Ids must be added in increasing order
 * (new rows); a repeat of the last id of a fragment ("丽丽") is dropped. */
struct name_gram_bucket;
struct name_gram_set {
    struct name_gram_bucket *slots; /* open addressing, linear probing */
    size_t cap, used;               /* cap: a power of two (or 0) */
    size_t entries;                 /* (fragment, id) pairs held */
};
void name_gram_set_add(struct name_gram_set *s, int64_t id, const char (*grams)[NAME_GRAM_SIZE],
                       size_t n);
/* Write every pair to the table, in key order, and empty the set (also on
 * failure). 0 or negative DB_E*. */
int name_gram_set_write(struct db *db, struct name_gram_set *s);
void name_gram_set_free(struct name_gram_set *s);

/* Add the entries of customer id named name. */
int name_grams_add(struct db *db, int64_t id, const char *name);
/* Remove the entries of customer id's stored name (before a rename or an
 * erasure overwrites it). */
int name_grams_forget(struct db *db, int64_t id);

#endif
