/*
 * customer_value.h - what a customer is worth and who may be the same
 * person: the figures of the profile strip (customer_figures.c) and the
 * worklist of suspected duplicates (customer_dupes.c). Their HTTP
 * endpoints are in customer_value_api.c.
 */
#ifndef HY_CUSTOMER_VALUE_H
#define HY_CUSTOMER_VALUE_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* The figures of customer id as u sees them, into *out (new reference):
 * {"last_visit_at", "visits_90d", "spend_12m", "top_types": [{"type",
 * "count"}] (at most three, the last 365 days, most used first), "months":
 * [{"month": "YYYY-MM", "visits", "spend"}] (twelve +08:00 calendar months,
 * the current one last)}. 0, OP_NOT_FOUND when u may not see the customer,
 * or a negative DB_*. One seek on interactions(customer_id, occurred_at). */
int customer_figures(struct db *db, const struct actor *u, int64_t id, json_t **out);

/* A page of the suspected-duplicate worklist in u's scope: pairs of
 * customers with the same phone or the same ID number, not dismissed.
 * after: the cursor of the previous page (NULL first); limit pairs at
 * most. Fills body's "items" and "next_cursor" (null at the end). 0,
 * OP_INVALID (a bad cursor) or a negative DB_*. */
int customer_dupes_page(struct db *db, const struct actor *u, const char *after, int64_t limit,
                        json_t *body);

/* Mark customers a and b "not the same person" (both visible to u): the
 * pair leaves the worklist for good. Audited. 0, OP_NOT_FOUND, OP_INVALID
 * (a == b) or a negative DB_*. */
int customer_dupes_dismiss(struct db *db, const struct actor *u, int64_t a, int64_t b,
                           json_t *errors);

extern const struct route customer_value_routes[];

#endif
