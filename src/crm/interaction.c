/*
 * interaction.c - business records (see interaction.h).
 */
#include "crm/interaction.h"

#include "auth/actor.h"
#include "record/dictionaries.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/listing.h"
#include "crm/customer.h"
#include "record/entity.h"
#include "record/fields.h"
#include "record/scope.h"
#include "crm/task.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTERACTION_COLUMNS                                                                        \
    "i.id, i.customer_id, c.customer_no, c.name AS customer_name, i.type, i.occurred_at, "         \
    "i.description, i.tracking_no, i.destination, i.amount_fen, i.channel, i.handled_by, "         \
    "u.name AS handled_by_name, i.branch_id, i.task_id, i.created_at"

int interaction_refresh_figures(struct db *db, int64_t customer_id)
{
    int64_t now = clock_now();
    int rc = db_exec(
        db,
        "UPDATE customers SET "
        "last_visit_at = (SELECT MAX(occurred_at) FROM interactions WHERE customer_id = ? AND "
        "deleted_at IS NULL), "
        "visits_90d = (SELECT COUNT(*) FROM interactions WHERE customer_id = ? AND deleted_at IS "
        "NULL AND occurred_at >= ?), "
        "spend_12m_fen = (SELECT COALESCE(SUM(amount_fen), 0) FROM interactions WHERE "
        "customer_id = ? AND deleted_at IS NULL AND occurred_at >= ?) WHERE id = ?",
        DB_ARGS(DB_INT(customer_id), DB_INT(customer_id), DB_INT(now - 90 * 86400),
                DB_INT(customer_id), DB_INT(now - 365 * 86400), DB_INT(customer_id)));
    if (rc)
        return rc;
    /* The three most used business types of the last year. */
    struct db_stmt *st = db_query(db,
                                  "SELECT type FROM interactions WHERE customer_id = ? AND "
                                  "deleted_at IS NULL AND occurred_at >= ? GROUP BY type "
                                  "ORDER BY COUNT(*) DESC, MAX(occurred_at) DESC LIMIT 3",
                                  DB_ARGS(DB_INT(customer_id), DB_INT(now - 365 * 86400)));
    if (!st)
        return DB_ERROR;
    json_t *top = json_array();
    while (db_step(st) == 1)
        json_array_append_new(top, json_string(db_col_text(st, 0)));
    db_finish(st);
    char *text = json_dumps(top, JSON_COMPACT);
    json_decref(top);
    rc = db_exec(db, "UPDATE customers SET top_types = ? WHERE id = ?",
                 DB_ARGS(DB_TEXT(text), DB_INT(customer_id)));
    free(text);
    return rc;
}

int interaction_refresh_all(struct db *db)
{
    int64_t cutoff = clock_now() - 366 * 86400;
    struct db_stmt *st =
        db_query(db, "SELECT id FROM customers WHERE last_visit_at >= ?", DB_ARGS(DB_INT(cutoff)));
    if (!st)
        return DB_ERROR;
    size_t n = 0, cap = 1024;
    int64_t *ids = xmalloc(cap * sizeof(*ids));
    while (db_step(st) == 1) {
        if (n == cap)
            ids = xrealloc(ids, (cap *= 2) * sizeof(*ids));
        ids[n++] = db_col_int(st, 0);
    }
    db_finish(st);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += 500) {
        rc = db_begin(db);
        for (size_t k = i; k < n && k < i + 500 && !rc; k++)
            rc = interaction_refresh_figures(db, ids[k]);
        if (!rc)
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    free(ids);
    return rc;
}

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

static json_t *interaction_by_id(struct db *db, int64_t id)
{
    struct db_stmt *st =
        db_query(db, "SELECT " INTERACTION_COLUMNS " FROM " INTERACTION_FROM " WHERE i.id = ?",
                 DB_ARGS(DB_INT(id)));
    json_t *o = st && db_step(st) == 1 ? interaction_row(st, NULL) : NULL;
    db_finish(st);
    return o;
}

/* "28.5" → 2850 fen; the money rule of custom fields decides what is valid. */
static bool parse_amount(json_t *v, int64_t *fen, const char **err)
{
    json_t *norm = fields_check_value(FT_MONEY, NULL, v, err);
    if (!norm)
        return false;
    const char *s = json_string_value(norm);
    bool neg = s[0] == '-';
    long long yuan = strtoll(neg ? s + 1 : s, NULL, 10);
    const char *dot = strchr(s, '.');
    long long cents = dot ? strtoll(dot + 1, NULL, 10) : 0;
    *fen = (yuan * 100 + cents) * (neg ? -1 : 1);
    json_decref(norm);
    return true;
}

static void create(struct req *r)
{
    int64_t cid = req_param_id(r, 0);
    json_t *cust = cid > 0 ? customer_load(r->db, r->actor, cid, false) : NULL;
    if (!cust) {
        reply_error(r, 404, "not_found");
        return;
    }
    const char *branch_path = json_string_value(json_object_get(cust, "branch_path"));
    char path[256];
    snprintf(path, sizeof(path), "%s", branch_path ? branch_path : "");
    json_decref(cust);

    struct form f;
    form_init(&f, r);
    const char *type = form_str(&f, "type", true, 32);
    const char *occurred = form_str(&f, "occurred_at", false, 40);
    const char *desc = form_str(&f, "description", false, 500);
    const char *tracking = form_str(&f, "tracking_no", false, 40);
    const char *dest = form_str(&f, "destination", false, 100);
    const char *channel = form_str(&f, "channel", false, 16);
    int64_t at = clock_now(), fen = 0;
    bool has_amount = false;
    char tracking_norm[16] = "";
    if (type && !dictionaries_has(r->db, "business_type", type))
        form_fail(&f, "type", "field.unknown_option");
    if (occurred && clock_parse_iso(occurred, &at))
        form_fail(&f, "occurred_at", "field.invalid");
    if (channel && !dictionaries_has(r->db, "channel", channel))
        form_fail(&f, "channel", "field.unknown_option");
    if (tracking) {
        enum validate_tracking_kind kind;
        int rc = validate_tracking_no(tracking, tracking_norm, &kind);
        if (rc)
            form_fail(&f, "tracking_no", validate_error_key(rc));
    }
    json_t *amount = json_object_get(r->json, "amount");
    if (amount && !json_is_null(amount) &&
        !(json_is_string(amount) && json_string_length(amount) == 0)) {
        const char *err = NULL;
        if (parse_amount(amount, &fen, &err))
            has_amount = true;
        else
            form_fail(&f, "amount", err);
    }
    /* A follow-up becomes a task for the clerk, in the same transaction. */
    json_t *fu = json_object_get(r->json, "follow_up");
    const char *fu_title = NULL;
    int64_t fu_due = 0;
    if (fu && !json_is_null(fu)) {
        fu_title = json_string_value(json_object_get(fu, "title"));
        const char *due = json_string_value(json_object_get(fu, "due_at"));
        if (!json_is_object(fu) || !fu_title || !*fu_title || utf8_len(fu_title) > 100)
            form_fail(&f, "follow_up.title", "field.required");
        if (!due || (clock_parse_iso(due, &fu_due) && clock_parse_date(due, &fu_due)))
            form_fail(&f, "follow_up.due_at", "field.invalid");
        else if (strlen(due) == 10)
            fu_due += 9 * 3600; /* a date alone: nine in the morning */
    }
    if (!form_done(&f))
        return;

    int64_t now = clock_now(), id = 0, task_id = 0;
    int rc = db_begin(r->db);
    if (!rc &&
        db_query_int(r->db,
                     "INSERT INTO interactions (customer_id, type, occurred_at, description, "
                     "tracking_no, destination, amount_fen, channel, handled_by, branch_id, "
                     "branch_path, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     DB_ARGS(DB_INT(cid), DB_TEXT(type), DB_INT(at), DB_TEXT(desc ? desc : ""),
                             DB_TEXT(tracking_norm[0] ? tracking_norm : NULL), DB_TEXT(dest),
                             DB_INT_OR_NULL(has_amount, fen),
                             DB_TEXT(channel ? channel : "counter"), DB_INT(r->actor->id),
                             DB_INT_OR_NULL(r->actor->branch_id, r->actor->branch_id),
                             DB_TEXT(path), DB_INT(now), DB_INT(now)),
                     &id) != 1)
        rc = DB_ERROR;
    if (!rc && fu_title) {
        struct task_new t = {.title = fu_title,
                             .customer_id = cid,
                             .due_at = fu_due,
                             .assignee_id = r->actor->id,
                             .branch_id = r->actor->branch_id,
                             .branch_path = path,
                             .source = "follow_up",
                             .interaction_id = id,
                             .created_by = r->actor->id};
        rc = task_insert(r->db, &t, &task_id);
        if (!rc)
            rc = db_exec(r->db, "UPDATE interactions SET task_id = ? WHERE id = ?",
                         DB_ARGS(DB_INT(task_id), DB_INT(id)));
    }
    if (!rc)
        rc = interaction_refresh_figures(r->db, cid);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        reply_db_error(r, rc);
        return;
    }
    json_t *body = json_pack("{s:o}", "interaction", interaction_by_id(r->db, id));
    json_object_set_new(body, "task", task_id ? task_json(r->db, task_id) : json_null());
    reply_json(r, 201, body);
}

/* A filter value given as a query string or as JSON: a positive id. */
static bool query_id(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out > 0;
    }
    const char *s = json_string_value(v);
    char *end;
    if (!s || !*s)
        return false;
    *out = strtoll(s, &end, 10);
    return !*end && *out > 0;
}

int interaction_query_parse(struct db *db, json_t *o, struct interaction_query *q, const char **bad)
{
    memset(q, 0, sizeof(*q));
    *bad = NULL;
    json_t *v;
    const char *s;
    if ((v = json_object_get(o, "type")) && !json_is_null(v) &&
        !((s = json_string_value(v)) && !*s)) {
        q->type = json_string_value(v);
        if (!q->type || !dictionaries_has(db, "business_type", q->type))
            *bad = *bad ? *bad : "type";
    }
    static const char *const dates[] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        v = json_object_get(o, dates[i]);
        if (!v || json_is_null(v) || ((s = json_string_value(v)) && !*s))
            continue;
        int64_t t;
        if (!json_is_string(v) || strlen(s) != 10 || clock_parse_date(s, &t)) {
            *bad = *bad ? *bad : dates[i];
            continue;
        }
        if (i == 0)
            q->from = t, q->has_from = true;
        else
            q->to = t + 86400, q->has_to = true; /* the whole last day */
    }
    static const char *const ids[] = {"handled_by", "branch_id", "customer_id"};
    int64_t *outs[] = {&q->handled_by, &q->branch_id, &q->customer_id};
    for (int i = 0; i < 3; i++) {
        v = json_object_get(o, ids[i]);
        if (!v || json_is_null(v) || ((s = json_string_value(v)) && !*s))
            continue;
        if (!query_id(v, outs[i]))
            *bad = *bad ? *bad : ids[i];
    }
    return *bad ? -1 : 0;
}

void interaction_where(const struct actor *u, const struct interaction_query *q, struct sqlbuf *w)
{
    scope_sql(u, "i.branch_path", w);
    sqlbuf_add(w, " AND i.deleted_at IS NULL AND c.deleted_at IS NULL");
    if (q->customer_id) {
        sqlbuf_add(w, " AND i.customer_id = ?");
        sqlbuf_bind(w, DB_INT(q->customer_id));
    }
    if (q->type) {
        sqlbuf_add(w, " AND i.type = ?");
        sqlbuf_bind_text_copy(w, q->type);
    }
    if (q->has_from) {
        sqlbuf_add(w, " AND i.occurred_at >= ?");
        sqlbuf_bind(w, DB_INT(q->from));
    }
    if (q->has_to) {
        sqlbuf_add(w, " AND i.occurred_at < ?");
        sqlbuf_bind(w, DB_INT(q->to));
    }
    if (q->handled_by) {
        sqlbuf_add(w, " AND i.handled_by = ?");
        sqlbuf_bind(w, DB_INT(q->handled_by));
    }
    if (q->branch_id) {
        /* The branch and everything below it. */
        sqlbuf_add(w, " AND i.branch_path LIKE (SELECT path FROM branches WHERE id = ?) || '%'");
        sqlbuf_bind(w, DB_INT(q->branch_id));
    }
}

const char *interaction_query_error(const char *bad)
{
    if (strcmp(bad, "type") == 0)
        return "field.unknown_option";
    if (strcmp(bad, "from") == 0 || strcmp(bad, "to") == 0)
        return "field.date";
    return "field.invalid";
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
    sqlbuf_add(&b, "SELECT COUNT(*) FROM " INTERACTION_FROM " WHERE ");
    sqlbuf_append(&b, &w);
    int64_t total = 0;
    db_query_int(r->db, b.sql, b.args, b.nargs, &total);
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_release(&b);
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " INTERACTION_COLUMNS ", i.occurred_at AS k FROM " INTERACTION_FROM
                   " WHERE ");
    sqlbuf_append(&b, &w);
    if (after)
        listing_cursor_after(&b, "i.occurred_at", "i.id", true, after);
    json_decref(after);
    sqlbuf_add(&b, " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?");
    sqlbuf_bind(&b, DB_INT(limit + 1));
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    json_t *items = json_array();
    json_t *next = NULL;
    bool more = false;
    while (st && db_step(st) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *o = interaction_row(st, r);
        int64_t k = db_col_int(st, db_col_count(st) - 1);
        json_object_del(o, "k");
        json_decref(next);
        next = json_pack("[I,O]", (json_int_t)k, json_object_get(o, "id"));
        json_array_append_new(items, o);
    }
    db_finish(st);
    sqlbuf_release(&w);
    sqlbuf_release(&b);
    json_decref(holder);
    json_object_set_new(body, "items", items);
    char *c = more ? listing_cursor_encode(next) : NULL;
    json_object_set_new(body, "next_cursor", c ? json_string(c) : json_null());
    free(c);
    json_decref(next);
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

const struct route interactions_routes[] = {
    {"POST", "/api/v1/customers/{id}/interactions", create, PERM_INTERACTIONS, 0,
     "Record a business done for a customer, optionally with a follow-up task"},
    {"GET", "/api/v1/customers/{id}/interactions", list_for_customer, PERM_CUSTOMERS_READ, 0,
     "A customer's timeline of business records, newest first"},
    {"GET", "/api/v1/interactions", list_all, PERM_CUSTOMERS_READ, 0,
     "Business records across customers (type, from, to, handled_by, branch_id)"},
    {0},
};
