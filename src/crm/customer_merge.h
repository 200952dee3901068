/*
 * customer_merge.h - merging a duplicate profile into the one that stays:
 * an operation of its own because it reaches every record that points at
 * a customer (business records, tasks, tags), above customer.c.
 */
#ifndef HY_CUSTOMER_MERGE_H
#define HY_CUSTOMER_MERGE_H

#include "auth/actor.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* Merge customer dup into customer keep (both visible to a, not deleted;
 * else OP_NOT_FOUND; dup 0 or keep itself: OP_INVALID with
 * errors["duplicate_id"]). In one transaction: every reference to dup
 * moves to keep, dup goes to the recycle bin marked merged_into keep,
 * keep's business figures are recomputed, audit "customer.merge" and
 * event "customer.merged" ({"duplicate_id": dup}) on keep. 0, negative
 * DB_* or an enum op_result (core/op.h). */
int customer_merge(struct db *db, const struct actor *a, int64_t keep, int64_t dup, json_t *errors);

#endif
