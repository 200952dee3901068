/*
 * interaction.h - business records (业务记录): every business done for a
 * customer, in the standard terms of the business-type dictionary, with
 * an optional follow-up that becomes a task in the same transaction. The
 * customer's figures (last visit, visits in 90 days, spend in 12 months,
 * most used types) are kept current from them.
 */
#ifndef HY_INTERACTION_H
#define HY_INTERACTION_H

#include "http/http.h"

#include <stdint.h>

struct db;

/* Recompute the figures of one customer from its records. */
int interaction_refresh_figures(struct db *db, int64_t customer_id);
/* Recompute the figures of every customer seen in the last year (the
 * windows move with the calendar; the scheduler runs this daily). */
int interaction_refresh_all(struct db *db);

extern const struct route interactions_routes[];

#endif
