/*
 * customer_int.h - what the customer files share and nobody else needs:
 * the values of a checked record as a row (customer_bulk.c builds them,
 * customer.c writes single ones) and the customer numbers.
 */
#ifndef HY_CUSTOMER_INT_H
#define HY_CUSTOMER_INT_H

#include "crm/customer.h"

#include <stdbool.h>
#include <stdint.h>

/* The text columns of a row, in the order of INSERT_COLUMNS; the ID number
 * is written as its sealed value and two indexes (crm/customer_ids.h), its
 * clear form (ROW_ID_CLEAR) stays in memory for the import's duplicate
 * checks and is never bound. */
enum {
    ROW_NAME,
    ROW_PINYIN,
    ROW_INITIALS,
    ROW_GENDER,
    ROW_PHONE,
    ROW_PHONE_LAST4,
    ROW_ID_SEALED,
    ROW_ID_INDEX,
    ROW_ID_LAST4,
    ROW_BIRTHDAY,
    ROW_ADDRESS,
    ROW_REGION,
    ROW_OCCUPATION,
    ROW_INTERESTS,
    ROW_FAMILY,
    ROW_PREFS,
    ROW_SERVICE_LEVEL,
    ROW_LEVEL,
    ROW_BRANCH_PATH,
    ROW_CUSTOM,
    ROW_BOUND, /* the columns above are written */
    ROW_ID_CLEAR = ROW_BOUND,
    ROW_TEXTS
};

struct customer_row {
    const char *v[ROW_TEXTS]; /* into data; NULL = SQL NULL */
    int64_t branch_id, owner_id, user_id;
    bool has_owner, lunar;
    const int64_t *tags; /* into data */
    size_t ntags, ngrams;
    const char (*grams)[NAME_GRAM_SIZE]; /* into data */
    char no[96];                         /* customer number, given when queued */
    int64_t id;                          /* given when written */
    _Alignas(int64_t) char data[];
};

/* Give row the next customer number of its branch (b NULL: reserve one;
 * else from the batch's block). 0 or negative DB_*. */
int customer_row_number(struct db *db, struct customer_row *row, struct customer_batch *b);
/* Insert one numbered row; sets row->id. 0 or negative DB_*. */
int customer_row_insert(struct db *db, struct customer_row *row);
/* Write row over customer id (whose stored name is cur_name: the name
 * fragments change with it). 0 or negative DB_*. */
int customer_row_update(struct db *db, const struct customer_row *row, int64_t id,
                        const char *cur_name);

/* Marketing consent and e-mail (customer_consent.c): check the fields of
 * in on top of cur (NULL: a new record) into out, as customer_check does;
 * write them from a checked record (the rows of customer_bulk.c leave them
 * to this). */
void customer_consent_check(json_t *in, json_t *cur, json_t *out, json_t *errors, const char *lang);
int customer_consent_write(struct db *db, int64_t id, json_t *rec);

/* In the transaction of a move of customer id to the branch of rec (its
 * checked values: branch_id, branch_path, owner_id): its business records
 * and tasks follow it, open tasks of staff who no longer see it go to its
 * owner or the new branch's queue, and notifications about its tasks are
 * withdrawn from those staff (customer_move.c). 0 or a negative DB_*. */
int customer_follow_move(struct db *db, const struct actor *a, int64_t id, json_t *rec);

#endif
