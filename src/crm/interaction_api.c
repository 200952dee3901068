/*
 * interaction_api.c - the HTTP endpoints of business records: record one
 * (interaction_insert), a customer's timeline, the list across customers.
 */
#include "crm/interaction.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/validate.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/customer.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTERACTION_COLUMNS                                                                        \
    "i.id, i.customer_id, c.customer_no, c.name AS customer_name, i.type, i.occurred_at, "         \
    "i.description, i.tracking_no, i.destination, i.amount_fen, i.channel, i.handled_by, "         \
    "u.name AS handled_by_name, i.branch_id, i.task_id, i.kind, i.refund_of, i.created_at"

static json_t *interaction_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_t *fen = json_object_get(o, "amount_fen");
    if (json_is_integer(fen)) {
        char buf[32];
        long long v = json_integer_value(fen);
        money_format(v, buf, sizeof(buf));
        json_object_set_new(o, "amount", json_string(buf));
    } else {
        json_object_set_new(o, "amount", json_null());
    }
    json_object_del(o, "amount_fen");
    return o;
}

/* 1 and *out, 0 when there is no such record, or a negative DB_*. */
static int interaction_by_id(struct db *db, int64_t id, json_t **out)
{
    return listing_one(db, NULL, out, interaction_row,
                       "SELECT " INTERACTION_COLUMNS " FROM " INTERACTION_FROM " WHERE i.id = ?",
                       DB_ARGS(DB_INT(id)));
}

static void create(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = 0, task_id = 0;
    int rc =
        interaction_insert(r->db, r->actor, req_param_id(r, 0), r->json, &id, &task_id, errors);
    if (!op_reply(r, rc, errors)) {
        /* Committed: read back what the clerk sees. */
        json_t *rec = NULL;
        int got = interaction_by_id(r->db, id, &rec);
        if (got != 1) {
            reply_db_error(r, got < 0 ? got : DB_ERROR);
        } else {
            json_t *body = json_pack("{s:o}", "interaction", rec);
            json_object_set_new(body, "task", task_id ? task_json(r->db, task_id) : json_null());
            reply_json(r, 201, body);
        }
    }
    json_decref(errors);
}

/* The list's filters from the query string; false after a 422. */
static bool list_query(struct req *r, int64_t customer_id, struct interaction_query *q,
                       json_t **holder)
{
    static const char *const keys[] = {"type", "from", "to", "handled_by", "branch_id"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = req_query(r, keys[i]);
        if (v)
            json_object_set_new(o, keys[i], json_string(v));
    }
    const char *bad;
    if (interaction_query_parse(r->db, o, q, &bad)) {
        json_decref(o);
        reply_invalid(r, json_pack("{s:s}", bad, req_msg(r, interaction_query_error(bad))));
        return false;
    }
    q->customer_id = customer_id;
    *holder = o; /* q borrows its strings */
    return true;
}

/* Newest first, keyset on (occurred_at, id) through the list cursor
 * (core/listing.h). */
static void reply_list(struct req *r, int64_t customer_id)
{
    const char *limit_s = req_query(r, "limit"), *cursor = req_query(r, "cursor");
    int64_t limit = limit_s ? strtoll(limit_s, NULL, 10) : 20;
    if (limit < 1 || limit > 200) {
        reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
        return;
    }
    json_t *after = NULL;
    if (cursor && *cursor && !(after = listing_cursor_decode(cursor, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return;
    }
    struct interaction_query q;
    json_t *holder = NULL;
    if (!list_query(r, customer_id, &q, &holder)) {
        json_decref(after);
        return;
    }
    struct sqlbuf w, b;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    interaction_where(r->actor, &q, &w);
    json_t *body = json_object();
    int64_t total = 0;
    listing_count(r->db, INTERACTION_FROM, &w, &total);
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_add(&b, "SELECT " INTERACTION_COLUMNS ", i.occurred_at AS k FROM " INTERACTION_FROM
                   " WHERE ");
    sqlbuf_append(&b, &w);
    if (after)
        listing_cursor_after(&b, "i.occurred_at", "i.id", true, after);
    json_decref(after);
    sqlbuf_add(&b, " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?");
    sqlbuf_bind(&b, DB_INT(limit + 1));
    listing_keyed_page(body, db_query(r->db, b.sql, b.args, b.nargs), r, limit, interaction_row);
    sqlbuf_release(&w);
    sqlbuf_release(&b);
    json_decref(holder);
    reply_json(r, 200, body);
}

static void list_for_customer(struct req *r)
{
    int64_t cid = req_param_id(r, 0);
    json_t *cust = cid > 0 ? customer_load(r->db, r->actor, cid, true) : NULL;
    if (!cust) {
        reply_error(r, 404, "not_found");
        return;
    }
    json_decref(cust);
    reply_list(r, cid);
}

static void list_all(struct req *r)
{
    reply_list(r, 0);
}

/* The route table interactions_routes[], made from interaction_api.routes. */
#include "crm/interaction_api.routes.h"
