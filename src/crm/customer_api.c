/*
 * customer_api.c - the /customers endpoints: list and quick search,
 * profile CRUD with optimistic locking, duplicates and merge, recycle bin
 * and PIPL erasure, reveal of masked data, history and tags.
 *
 * Every handler loads records through customer_load()/customer_where(),
 * which apply the branch scope, so a record outside the caller's scope is
 * simply not found (404), never "forbidden".
 */
#include "crm/customer.h"
#include "crm/customer_merge.h"

#include "approval/approval.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/op.h"
#include "core/listing.h"
#include "record/fields.h"
#include "record/form_layout.h"
#include "record/history.h"
#include "record/scope.h"
#include "record/record_api.h"
#include "record/tags.h"
#include "db/db.h"
#include "db/dialect.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* key: the sort= value; expr: what orders; field: the record's field that
 * holds expr's value (the cursor carries it). Names sort by their pinyin,
 * as a Chinese office worker expects of a list of names (张 after 王 is
 * not what code-point order gives), with the customers_pinyin index. */
static const struct listing_sort sorts[] = {
    {"updated_at", "c.updated_at", "updated_at", false, false},
    {"created_at", "c.created_at", "created_at", false, false},
    {"name", "c.name_pinyin", "name_pinyin", true, false},
    {"customer_no", "c.customer_no", "customer_no", true, false},
    {"last_visit_at", "COALESCE(c.last_visit_at, 0)", "last_visit_at", false, false},
    /* the customers_spend index (0018): "who spends most" */
    {"spend_12m", "c.spend_12m_fen", "spend_12m", false, true},
};

/* "158.50" (money_format's text) → 15850. */
static int64_t yuan_to_fen(const char *s)
{
    if (!s)
        return 0;
    bool neg = *s == '-';
    char *end;
    long long yuan = strtoll(neg ? s + 1 : s, &end, 10), cents = 0;
    if (*end == '.')
        cents = strtoll(end + 1, NULL, 10);
    return (yuan * 100 + cents) * (neg ? -1 : 1);
}

/* Cursor (core/listing.h, the one codec): [sort value, id] of the last row
 * of a page. */
static char *cursor_encode(json_t *last, const char *sort_key, bool text, bool money)
{
    json_t *v = json_object_get(last, sort_key);
    json_t *arr;
    if (text) {
        arr = json_pack("[O,O]", v, json_object_get(last, "id"));
    } else if (money) {
        arr = json_pack("[I,O]", (json_int_t)yuan_to_fen(json_string_value(v)),
                        json_object_get(last, "id"));
    } else {
        /* Times are keyed as Unix seconds, which the row shows as ISO. */
        int64_t t = 0;
        clock_parse_iso(json_string_value(v), &t);
        arr = json_pack("[I,O]", (json_int_t)t, json_object_get(last, "id"));
    }
    char *out = listing_cursor_encode(arr);
    json_decref(arr);
    return out;
}

/* Present a page of records with their tags fetched in one query. */
static json_t *present_page(struct db *db, const struct actor *u, json_t *recs)
{
    size_t n = json_array_size(recs), i;
    int64_t *ids = xcalloc(n ? n : 1, sizeof(*ids));
    json_t *rec;
    json_array_foreach(recs, i, rec) ids[i] = json_integer_value(json_object_get(rec, "id"));
    json_t *tags = tags_for_objects(db, "customer", ids, n);
    json_t *phone_keys = NULL; /* read once, when a record has custom values */
    bool custom = false;
    json_array_foreach(recs, i, rec) custom |= json_object_size(json_object_get(rec, "custom")) > 0;
    if (custom)
        phone_keys = fields_phone_keys(db, "customer");
    json_t *items = json_array();
    json_array_foreach(recs, i, rec)
    {
        json_t *o = customer_present(NULL, u, rec);
        fields_mask_phones(phone_keys, json_object_get(o, "custom"));
        tags_put(o, tags, ids[i]);
        json_array_append_new(items, o);
    }
    json_decref(tags);
    json_decref(phone_keys);
    free(ids);
    form_layout_strip(db, &entity_customer, u, items);
    return items;
}

/* A quick search counts up to this many rows and then says "more";
 * HONGYAN_QUICK_COUNT_CAP overrides it (the API tests use a small one). */
static int64_t quick_count_cap(void)
{
    static _Atomic int64_t cap;
    return config_env_once(&cap, "HONGYAN_QUICK_COUNT_CAP", 10000);
}

/* Count the rows of each where-part into rows[] and their sum into *total;
 * with cap, stop each part after quick_count_cap() + 1 rows, and set
 * *capped when the sum passes the cap (*total is then the cap). */
static int count_parts(struct db *db, struct sqlbuf *ws, int nw, bool cap, int64_t rows[2],
                       int64_t *total, bool *capped)
{
    int64_t most = quick_count_cap();
    *total = 0;
    for (int i = 0; i < nw; i++) {
        struct sqlbuf b;
        sqlbuf_init(&b);
        if (cap) {
            sqlbuf_add(&b, "SELECT COUNT(*) FROM (SELECT 1 FROM customers c WHERE ");
            sqlbuf_append(&b, &ws[i]);
            sqlbuf_add(&b, " LIMIT ?) AS capped");
            sqlbuf_bind(&b, DB_INT(most + 1));
        } else {
            sqlbuf_add(&b, "SELECT COUNT(*) FROM customers c WHERE ");
            sqlbuf_append(&b, &ws[i]);
        }
        int rc = db_query_int(db, b.sql, b.args, b.nargs, &rows[i]);
        sqlbuf_release(&b);
        if (rc < 0)
            return rc;
        *total += rows[i];
    }
    *capped = cap && *total > most;
    if (*capped)
        *total = most;
    return 0;
}

/* What the record_api handlers do customers with; a line a group. */
/* clang-format off */
static const struct record_api api = {
    .key = "customer", .where = customer_where, .find = customer_find,
    .present = customer_present, .insert = customer_insert, .update = customer_update,
    .remove = customer_delete, .restore = customer_restore,
};
/* clang-format on */

/* Read the list's query string into lq; false having replied 4xx. The
 * recycle bin is for those who may merge (and so restore). */
static bool read_query(struct req *r, struct listing_query *lq)
{
    const char *deleted_s = req_query(r, "deleted");
    memset(lq, 0, sizeof(*lq));
    if (deleted_s && strcmp(deleted_s, "1") == 0 && !(r->actor->perms & PERM_MERGE)) {
        reply_error(r, 403, "forbidden");
        return false;
    }
    return listing_query_read(r, sorts, sizeof(sorts) / sizeof(sorts[0]), lq);
}

/* The conditions of the list into ws[0..*nw-1] (see customer_where_split),
 * with a saved segment's on top; false having replied. */
static bool list_where(struct req *r, const struct listing_query *lq, struct sqlbuf ws[2], int *nw)
{
    struct filter_error err;
    int rc = customer_where_split(r->db, r->actor, lq->q, lq->filter, lq->deleted, ws, nw, &err);
    if (rc == 0)
        rc = record_api_segment(r->db, r->actor, &api, lq->segment, lq->deleted, ws, *nw, &err);
    if (rc == OP_NOT_FOUND)
        reply_error(r, 404, "not_found");
    else if (rc == -1)
        customer_reply_filter_error(r, &err);
    else if (rc < 0)
        reply_db_error(r, rc);
    return rc == 0;
}

/* The page's statement into b. Two steps: the ids of the page first, from
 * the conditions alone (an index often answers them without reading the
 * table), then the full rows of just those ids. by_order: walk the
 * customers newest first for that part (see list()). */
static void page_sql(const struct listing_query *lq, struct sqlbuf *ws, int nw,
                     const bool by_order[2], struct sqlbuf *b)
{
    const char *expr = sorts[lq->si].expr, *dir = lq->desc ? "DESC" : "ASC";
    sqlbuf_add(b, "SELECT " CUSTOMER_COLUMNS " FROM " CUSTOMER_FROM " WHERE c.id IN (");
    if (nw == 2)
        sqlbuf_add(b, "SELECT id FROM (");
    for (int i = 0; i < nw; i++) {
        if (nw == 1)
            sqlbuf_add(b, "SELECT c.id FROM customers c WHERE ");
        else
            sqlbuf_addf(b, "%sSELECT * FROM (SELECT c.id AS id, %s AS k FROM customers c%s WHERE ",
                        i ? " UNION ALL " : "", expr,
                        by_order[i] ? dialect_indexed_by("customers_updated") : "");
        sqlbuf_append(b, &ws[i]);
        if (lq->cursor) {
            json_t *v = json_array_get(lq->cursor, 0);
            sqlbuf_addf(b, " AND (%s %s ? OR (%s = ? AND c.id %s ?))", expr, lq->desc ? "<" : ">",
                        expr, lq->desc ? "<" : ">");
            for (int k = 0; k < 2; k++) {
                if (sorts[lq->si].text && json_is_string(v))
                    sqlbuf_bind_text_copy(b, json_string_value(v));
                else
                    sqlbuf_bind(b, DB_INT(json_integer_value(v)));
            }
            sqlbuf_bind(b, DB_INT(json_integer_value(json_array_get(lq->cursor, 1))));
        }
        if (nw == 2) {
            /* Each (disjoint) part brings its own first page. */
            sqlbuf_addf(b, " ORDER BY k %s, id %s LIMIT ?) AS part%d", dir, dir, i);
            sqlbuf_bind(b, DB_INT(lq->limit + 1));
        }
    }
    if (nw == 1)
        sqlbuf_addf(b, " ORDER BY %s %s, c.id %s LIMIT ?)", expr, dir, dir);
    else
        sqlbuf_addf(b, ") AS parts ORDER BY k %s, id %s LIMIT ?)", dir, dir);
    sqlbuf_bind(b, DB_INT(lq->limit + 1));
    sqlbuf_addf(b, " ORDER BY %s %s, c.id %s", expr, dir, dir);
}

/* Up to limit records of the page's statement into recs; *more when there
 * is another page. 0 or negative DB_*. */
static int read_page(struct db *db, const struct sqlbuf *b, int64_t limit, json_t *recs, bool *more)
{
    struct db_stmt *st = db_query(db, b->sql, b->args, b->nargs);
    if (!st)
        return DB_ERROR;
    int rc;
    *more = false;
    while ((rc = db_step(st)) == 1) {
        if ((int64_t)json_array_size(recs) == limit) {
            *more = true;
            break;
        }
        json_array_append_new(recs, customer_row(st));
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* The list's answer: items, total (when counted), next_cursor. */
static void reply_page(struct req *r, const struct listing_query *lq, json_t *recs, bool more,
                       int64_t total, bool capped)
{
    json_t *body = json_object();
    if (lq->counting) {
        json_object_set_new(body, "total", json_integer(total));
        if (capped)
            json_object_set_new(body, "total_capped", json_true());
    }
    json_t *next = json_null();
    if (more) {
        char *c = cursor_encode(json_array_get(recs, json_array_size(recs) - 1),
                                sorts[lq->si].field, sorts[lq->si].text, sorts[lq->si].money);
        next = json_string(c);
        free(c);
    }
    json_object_set_new(body, "next_cursor", next);
    json_object_set_new(body, "items", present_page(r->db, r->actor, recs));
    reply_json(r, 200, body);
}

/* GET /customers: quick search, filter, segment, sort, keyset pages. */
static void list(struct req *r)
{
    struct listing_query lq;
    struct sqlbuf ws[2], b;
    sqlbuf_init(&ws[0]);
    sqlbuf_init(&ws[1]);
    sqlbuf_init(&b);
    json_t *recs = json_array();
    int nw = 1;
    if (!read_query(r, &lq) || !list_where(r, &lq, ws, &nw))
        goto out;
    /* Rows of each part, when counted (disjoint parts: they add up). A
     * quick search counts at most quick_count_cap() rows: "zh" matches a
     * sixth of all customers, and the clerk needs "more than 10,000, type
     * more" rather than the exact figure, which costs a scan of the match.
     * The two pinyin parts are counted first: the counts choose the plan of
     * the page (by_order). A single part is counted after its page, and
     * only when the page does not show every row already. */
    bool quick = lq.q && lq.q[strspn(lq.q, " ")];
    int64_t part_rows[2] = {-1, -1}, total = 0;
    bool capped = false, more = false;
    int rc =
        lq.counting && nw == 2 ? count_parts(r->db, ws, nw, quick, part_rows, &total, &capped) : 0;
    /* A pinyin part that matches a large share of all customers ("zh": the
     * pinyin of 张, 赵, 周, 郑…) finds its newest rows soonest by walking
     * the customers newest first and stopping after a page; a rarer one by
     * its own index and a sort. Without value statistics SQLite cannot tell
     * these apart, so the counts just taken decide: a part of more than the
     * cap (10,000) is at least 1 % of a million customers, and the walk
     * meets a match every hundred rows or sooner. */
    bool by_order[2] = {false, false};
    if (nw == 2 && !lq.cursor && strcmp(sorts[lq.si].key, "updated_at") == 0)
        for (int i = 0; i < 2; i++)
            by_order[i] = part_rows[i] > quick_count_cap();
    page_sql(&lq, ws, nw, by_order, &b);
    if (!rc)
        rc = read_page(r->db, &b, lq.limit, recs, &more);
    if (!rc && lq.counting && nw == 1) {
        if (!more && !lq.cursor)
            total = (int64_t)json_array_size(recs); /* the page is all of it */
        else
            rc = count_parts(r->db, ws, nw, quick, part_rows, &total, &capped);
    }
    if (rc)
        reply_db_error(r, rc);
    else
        reply_page(r, &lq, recs, more, total, capped);
out:
    json_decref(recs);
    listing_query_release(&lq);
    sqlbuf_release(&ws[0]);
    sqlbuf_release(&ws[1]);
    sqlbuf_release(&b);
}

RECORD_API_HANDLERS(api)

/* PIPL erasure: the person's data is gone for good; a husk keeps counts right. */
static void erase(struct req *r)
{
    int64_t approval = 0;
    json_t *why = json_pack("{s:s}", "message_key", "approval.no_approver");
    bool failed = op_reply(r, customer_erase(r->db, r->actor, req_param_id(r, 0), &approval), why);
    json_decref(why);
    if (failed)
        return;
    if (approval)
        approval_reply_submitted(r, approval);
    else
        reply_ok(r);
}

static void merge(struct req *r)
{
    json_t *errors = json_object(), *dup = json_object_get(r->json, "duplicate_id");
    int64_t id = req_param_id(r, 0);
    int rc = id > 0 ? customer_merge(r->db, r->actor, id,
                                     json_is_integer(dup) ? json_integer_value(dup) : 0, errors)
                    : OP_NOT_FOUND;
    if (!op_reply(r, rc, errors))
        record_api_reply(r, &api, 200, id);
    json_decref(errors);
}

static void reveal(struct req *r)
{
    json_t *rec = record_api_load(r, &api, true);
    if (!rec)
        return;
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    int rc = audit_write(r->db, r, NULL, "customer.reveal", "customer", id,
                         json_pack("{s:[s,s,s,s,s]}", "fields", "phone", "id_number", "email",
                                   "family_members", "custom"));
    if (rc) {
        json_decref(rec);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:O,s:O,s:O,s:O,s:O}", "phone", json_object_get(rec, "phone"),
                         "id_number", json_object_get(rec, "id_number"), "email",
                         json_object_get(rec, "email"), "family_members",
                         json_object_get(rec, "family_members"), "custom",
                         json_object_get(rec, "custom")));
    json_decref(rec);
}

/* POST /customers/bulk-tags: add / remove tags on chosen ids or on every
 * customer a filter finds (within scope): record/tags_bulk.c. */
static void bulk_tags(struct req *r)
{
    struct sqlbuf w;
    if (!customer_group_where(r, r->json, &w))
        return;
    tags_bulk_reply(r, &entity_customer, &w);
    sqlbuf_release(&w);
}

/* GET /customers/duplicates?phone=&id_number= : the form warns while typing. */
static void duplicates(struct req *r)
{
    const char *phone = req_query(r, "phone"), *id = req_query(r, "id_number");
    const char *exclude = req_query(r, "exclude_id");
    char norm_phone[12] = "";
    struct validate_id_info info = {0};
    struct validate_ymd today;
    validate_today(&today);
    if (phone && validate_mobile(phone, norm_phone))
        norm_phone[0] = '\0';
    if (id && validate_id_number(id, &today, &info))
        info.id[0] = '\0';
    /* A number the caller's layout hides is not looked for: the warning
     * would tell whether someone holds it. */
    static const char *const keys[] = {"phone", "id_number"};
    int seen = form_layout_visible_mask(r->db, &entity_customer, r->actor, keys, 2);
    if (seen < 0) {
        reply_db_error(r, seen);
        return;
    }
    if (!(seen & 1))
        norm_phone[0] = '\0';
    if (!(seen & 2))
        info.id[0] = '\0';
    json_t *items =
        customer_duplicates(r->db, r->actor, norm_phone[0] ? norm_phone : NULL,
                            info.id[0] ? info.id : NULL, exclude ? strtoll(exclude, NULL, 10) : 0);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The route table customers_routes[], made from customer_api.routes. */
#include "crm/customer_api.routes.h"
