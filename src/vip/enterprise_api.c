/*
 * enterprise_api.c - the HTTP endpoints of enterprises: list and search,
 * the record, recycle bin, history, tags and the 360 overview. Handlers
 * parse, call the operations of enterprise.c and reply.
 */
#include "vip/enterprise_int.h"

#include "base/validate.h"
#include "crm/group_action.h"

#include "core/listing.h"
#include "core/op.h"
#include "db/db.h"
#include "http/form.h"
#include "record/form_layout.h"
#include "record/group.h"
#include "record/record_api.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sort= keys: what orders, and the record's field that holds its value. */
static const struct listing_sort sorts[] = {
    {"updated_at", "e.updated_at", NULL, false, false},
    {"created_at", "e.created_at", NULL, false, false},
    {"name", "e.name_pinyin", "name_pinyin", true, false},
    {"customer_no", "e.customer_no", "customer_no", true, false},
    /* the shipping figures the list shows (never shipped: oldest, 0) */
    {"last_waybill_at", "COALESCE(" ENTERPRISE_LAST_WAYBILL ", 0)", NULL, false, false},
    {"spend_90d", ENTERPRISE_90D("fee_fen"), NULL, false, false},
    {"pieces_90d", ENTERPRISE_90D("pieces"), NULL, false, false},
};

/* An enterprise shows no masked fields (its contacts' numbers are theirs);
 * what the form layout hides from u's role is left out. */
static json_t *present(struct db *db, const struct actor *u, json_t *rec)
{
    json_t *o = enterprise_present(db, rec);
    form_layout_strip(db, &entity_enterprise, u, o);
    return o;
}

/* What the record_api handlers do enterprises with; a line a group. */
/* clang-format off */
static const struct record_api api = {
    .key = "enterprise", .where = enterprise_where, .find = enterprise_find,
    .present = present, .insert = enterprise_insert, .update = enterprise_update,
    .remove = enterprise_delete, .restore = enterprise_restore,
};
/* clang-format on */

/* The list's conditions into w, a saved segment's on top; false having
 * replied. */
static bool list_where(struct req *r, const struct listing_query *lq, struct sqlbuf *w)
{
    struct filter_error err;
    int rc = enterprise_where(r->db, r->actor, lq->q, lq->filter, lq->deleted, w, &err);
    if (rc == 0)
        rc = record_api_segment(r->db, r->actor, &api, lq->segment, lq->deleted, w, 1, &err);
    if (rc == OP_NOT_FOUND)
        reply_error(r, 404, "not_found");
    else if (rc == -1)
        reply_invalid(r, json_pack("{s:s}", "filter", req_msg(r, err.key)));
    else if (rc < 0)
        reply_db_error(r, rc);
    return rc == 0;
}

/* GET /enterprises: quick search, filter, segment, sort, keyset pages,
 * exact total (a scope holds thousands of enterprises, not millions). */
static void list(struct req *r)
{
    struct listing_query lq;
    struct sqlbuf w, b;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    if (!listing_query_read(r, sorts, sizeof(sorts) / sizeof(sorts[0]), &lq) ||
        !list_where(r, &lq, &w))
        goto out;
    const char *expr = sorts[lq.si].expr;
    const char *dir = lq.desc ? "DESC" : "ASC";
    /* Two steps, as the customers' list: the page's ids from the
     * conditions alone (a sort of keys, not of whole rows, when a search
     * matches thousands), then the rows of just those. */
    sqlbuf_addf(&b,
                "SELECT " ENTERPRISE_COLUMNS ", " ENTERPRISE_FIGURE_COLUMNS
                ", %s AS k FROM " ENTERPRISE_FROM
                " WHERE e.id IN (SELECT e.id FROM enterprises e WHERE ",
                expr);
    sqlbuf_append(&b, &w);
    if (lq.cursor)
        listing_cursor_after(&b, expr, "e.id", lq.desc, lq.cursor);
    sqlbuf_addf(&b, " ORDER BY %s %s, e.id %s LIMIT ?) ORDER BY %s %s, e.id %s", expr, dir, dir,
                expr, dir, dir);
    sqlbuf_bind(&b, DB_INT(lq.limit + 1));
    json_t *body = json_object();
    listing_keyed_page(body, db_query(r->db, b.sql, b.args, b.nargs), r, lq.limit, enterprise_row);
    /* The total: a first page that holds every match is its own count. */
    json_t *items = json_object_get(body, "items");
    int64_t total = (int64_t)json_array_size(items);
    int rc = lq.cursor || !json_is_null(json_object_get(body, "next_cursor"))
                 ? listing_count(r->db, "enterprises e", &w, &total)
                 : 0;
    if (rc) {
        json_decref(body);
        reply_db_error(r, rc);
        goto out;
    }
    json_object_set_new(body, "total", json_integer(total));
    enterprise_present_page(r->db, items);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) listing_format(o, "spend_90d_fen", "spend_90d", money_format);
    form_layout_strip(r->db, &entity_enterprise, r->actor, items);
    reply_json(r, 200, body);
out:
    listing_query_release(&lq);
    sqlbuf_release(&w);
    sqlbuf_release(&b);
}

int64_t enterprise_param_or_404(struct req *r, bool deleted)
{
    return record_api_id_or_404(r, &api, deleted);
}

RECORD_API_HANDLERS(api)

/* POST /enterprises/bulk-tags: add / remove tags on the chosen ids or on
 * every enterprise the list's search or a saved segment finds (within
 * what the caller may see): record/tags_bulk.c. */
static void bulk_tags(struct req *r)
{
    struct sqlbuf w;
    sqlbuf_init(&w);
    if (entity_group_where(r, &entity_enterprise, r->json, &w))
        tags_bulk_reply(r, &entity_enterprise, &w);
    sqlbuf_release(&w);
}

/* POST /enterprises/bulk-tasks: a follow-up to-do for every enterprise of
 * the group, as the customers' batch tasks (crm/group_action.h); the
 * dashboards' lists start it. */
static void bulk_tasks_create(struct req *r)
{
    static const struct bulk_task_on on = {"enterprises", "e", true};
    struct sqlbuf w;
    sqlbuf_init(&w);
    if (!entity_group_where(r, &entity_enterprise, r->json, &w)) {
        sqlbuf_release(&w);
        return;
    }
    json_t *out = json_object(), *errors = json_object();
    int rc = bulk_tasks_on(r->db, r->actor, &on, &w, r->json, out, errors);
    sqlbuf_release(&w);
    bool preview = json_is_true(json_object_get(r->json, "preview"));
    if (!op_reply(r, rc, errors))
        reply_json(r, preview ? 200 : 201, json_incref(out));
    json_decref(out);
    json_decref(errors);
}

/* POST /enterprises/bulk-reassign: a new account manager for the group
 * ({"owner_id", "dry_run"} beside the group's keys). */
static void bulk_reassign(struct req *r)
{
    struct form f;
    form_init(&f, r);
    int64_t owner = 0;
    bool dry_run = false;
    form_int(&f, "owner_id", true, &owner);
    form_bool(&f, "dry_run", false, &dry_run);
    if (!form_done(&f))
        return;
    struct sqlbuf w;
    sqlbuf_init(&w);
    if (!entity_group_where(r, &entity_enterprise, r->json, &w)) {
        sqlbuf_release(&w);
        return;
    }
    json_t *out = json_object(), *errors = json_object(), *target = entity_group_target(r->json);
    int rc = enterprise_reassign_group(r->db, r->actor, &w, target, owner, dry_run, out, errors);
    if (!op_reply(r, rc, errors))
        reply_json(r, 200, json_incref(out));
    sqlbuf_release(&w);
    json_decref(target);
    json_decref(out);
    json_decref(errors);
}

/* Rows of sql (one ? for the enterprise) as a JSON array. */
static json_t *rows(struct req *r, const char *sql, int64_t id)
{
    json_t *a = listing_rows(db_query(r->db, sql, DB_ARGS(DB_INT(id))), r, NULL);
    return a ? a : json_array();
}

/* GET /enterprises/{id}/overview: what the 360 page shows at once. The
 * figures the waybill, ticket and statement modules will add are absent,
 * not zero: the page shows what exists. */
static void overview(struct req *r)
{
    int64_t id = enterprise_param_or_404(r, true);
    if (!id)
        return;
    json_t *rec = NULL;
    int rc = enterprise_find(r->db, r->actor, id, true, &rec);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    /* Stripped of what the layout hides before the credit terms are copied
     * out of it. */
    json_t *o = present(r->db, r->actor, rec);
    json_decref(rec);
    json_t *contacts = contact_list(r->db, id, 50);
    json_t *body = json_pack(
        "{s:o,s:o,s:o,s:o,s:o}", "enterprise", o, "contacts", contacts ? contacts : json_array(),
        "departments", department_list(r->db, id), "records",
        rows(r,
             "SELECT i.id, i.type, i.channel, i.description, i.occurred_at, i.handled_by, "
             "u.name AS handled_by_name FROM interactions i LEFT JOIN users u ON "
             "u.id = i.handled_by WHERE i.enterprise_id = ? AND i.deleted_at IS NULL ORDER BY "
             "i.occurred_at DESC, i.id DESC LIMIT 10",
             id),
        "tasks",
        rows(r,
             "SELECT t.id, t.title, t.due_at, t.priority, t.assignee_id, u.name AS "
             "assignee_name FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE "
             "t.enterprise_id = ? AND t.status = 'open' ORDER BY t.due_at, t.id LIMIT 10",
             id));
    json_t *credit = json_pack(
        "{s:O*,s:O*,s:O*,s:O*}", "credit_days", json_object_get(o, "credit_days"), "credit_limit",
        json_object_get(o, "credit_limit"), "billing_day", json_object_get(o, "billing_day"),
        "settlement", json_object_get(o, "settlement"));
    json_object_set_new(body, "credit", credit);
    json_object_set_new(body, "tags", json_incref(json_object_get(o, "tags")));
    /* What the 业务往来 and 待办 tabs hold, counted: the lists above are
     * their first lines only. */
    int64_t records = 0, open_tasks = 0;
    rc = db_query_int(r->db,
                      "SELECT COUNT(*) FROM interactions WHERE enterprise_id = ? AND "
                      "deleted_at IS NULL",
                      DB_ARGS(DB_INT(id)), &records);
    if (rc >= 0)
        rc = db_query_int(r->db,
                          "SELECT COUNT(*) FROM tasks WHERE enterprise_id = ? AND status = 'open'",
                          DB_ARGS(DB_INT(id)), &open_tasks);
    if (rc < 0) {
        json_decref(body);
        reply_db_error(r, rc);
        return;
    }
    json_object_set_new(
        body, "counts",
        json_pack("{s:I,s:I,s:I,s:I}", "contacts",
                  (json_int_t)json_array_size(json_object_get(body, "contacts")), "departments",
                  (json_int_t)json_array_size(json_object_get(body, "departments")), "records",
                  (json_int_t)records, "open_tasks", (json_int_t)open_tasks));
    reply_json(r, 200, body);
}

#include "vip/enterprise_api.routes.h"
