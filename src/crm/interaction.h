/*
 * interaction.h - business records (业务记录): every business done for a
 * customer, in the standard terms of the business-type dictionary, with
 * an optional follow-up that becomes a task in the same transaction. The
 * customer's figures (last visit, visits in 90 days, spend in 12 months,
 * most used types) are kept current from them.
 */
#ifndef HY_INTERACTION_H
#define HY_INTERACTION_H

#include "auth/actor.h"
#include "crm/subject.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The filters of the business-record list, shared by the list and its
 * export so that both find the same records. */
struct interaction_query {
    const char *type; /* business-type code; NULL: any (borrowed) */
    int64_t from, to; /* occurred_at in [from, to) when has_from / has_to */
    bool has_from, has_to;
    int64_t handled_by;  /* user id; 0: anyone */
    int64_t branch_id;   /* the customer's branch or one below it; 0: any */
    int64_t customer_id; /* 0: every customer */
};

/* Read the filters from o, given as query strings or JSON values: "type"
 * (a business_type code), "from" / "to" (YYYY-MM-DD, both days included),
 * "handled_by", "branch_id", "customer_id" (ids). Absent, null or "" means
 * no filter. -1 with the first bad key in *bad; q borrows o's strings. */
int interaction_query_parse(struct db *db, json_t *o, struct interaction_query *q,
                            const char **bad);
/* The message key for a bad filter key reported by interaction_query_parse. */
const char *interaction_query_error(const char *bad);
/* Append the list's WHERE (over INTERACTION_FROM's aliases i and c): u's
 * scope, nothing deleted, the filters of q. */
void interaction_where(const struct actor *u, const struct interaction_query *q, struct sqlbuf *w);

#define INTERACTION_FROM                                                                           \
    "interactions i JOIN customers c ON c.id = i.customer_id LEFT JOIN users u ON "                \
    "u.id = i.handled_by"

/* Record a business done for customer customer_id (OP_NOT_FOUND unless a
 * sees it, not deleted) from in: "type" (required, a business_type code),
 * "occurred_at" (ISO time; default now), "description", "tracking_no"
 * (validated, normalised), "destination", "amount" (yuan, not negative),
 * "channel" (a channel code; default counter), "follow_up" {"title",
 * "due_at"}: a task for a, made in the same transaction. "kind": "refund"
 * makes a refund of the customer's record "refund_of": "amount" is the sum
 * given back (positive, at most what is left to refund of that record),
 * kept and shown negative so that every sum nets it; its type and tracking
 * number are the original's. A tracking number already on a business
 * record answers OP_DUPLICATE (the records in errors["duplicates"], named
 * only within a's scope) unless "confirm_duplicate" is true. Handled by a.
 * Sets *id and *task_id
 * (0: no follow-up). In one transaction: the record, the task
 * ("task.created"), the customer's figures, event "interaction.created"
 * ({"customer_id"}), audit "interaction.create". 0, negative DB_* or an
 * enum op_result (core/op.h) with field messages in errors. */
int interaction_insert(struct db *db, const struct actor *a, int64_t customer_id, json_t *in,
                       int64_t *id, int64_t *task_id, json_t *errors);
/* The same for a record about s (an enterprise the caller checked): its
 * "type" from s->type_dict, no channel unless given, no customer figures,
 * the follow-up task on the enterprise too, s->also in the transaction,
 * event "interaction.created" with {"enterprise_id"}. */
int interaction_insert_about(struct db *db, const struct actor *a, const struct crm_subject *s,
                             json_t *in, int64_t *id, int64_t *task_id, json_t *errors);

/* Recompute the figures of one customer from its records. */
int interaction_refresh_figures(struct db *db, int64_t customer_id);
/* Recompute the figures of every customer seen in the last year (the
 * windows move with the calendar; the scheduler runs this daily). */
int interaction_refresh_all(struct db *db);

extern const struct route interactions_routes[];
/* The business record's descriptor for the record layer
 * (crm/interaction_entity.c). */
extern const struct entity entity_interaction;

#endif
