/*
 * enterprise_api.c - the HTTP endpoints of enterprises: list and search,
 * the record, recycle bin, history, tags and the 360 overview. Handlers
 * parse, call the operations of enterprise.c and reply.
 */
#include "vip/enterprise_int.h"

#include "core/listing.h"
#include "core/op.h"
#include "db/db.h"
#include "record/form_layout.h"
#include "record/history.h"
#include "record/segments.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sort= keys: what orders, and the record's field that holds its value. */
static const struct {
    const char *key, *expr, *field;
} sorts[] = {
    {"updated_at", "e.updated_at", NULL},
    {"created_at", "e.created_at", NULL},
    {"name", "e.name_pinyin", "name_pinyin"},
    {"customer_no", "e.customer_no", "customer_no"},
};

struct list_query {
    const char *q;
    size_t si;
    bool desc, deleted;
    int64_t limit;
    json_t *filter, *cursor; /* owned; NULL when not given */
};

static bool read_query(struct req *r, struct list_query *lq)
{
    const char *sort = req_query(r, "sort"), *limit_s = req_query(r, "limit");
    const char *filter_s = req_query(r, "filter"), *cursor_s = req_query(r, "cursor");
    const char *deleted_s = req_query(r, "deleted");
    memset(lq, 0, sizeof(*lq));
    lq->q = req_query(r, "q");
    lq->deleted = deleted_s && strcmp(deleted_s, "1") == 0;
    lq->limit = 20;
    lq->desc = true;
    if (limit_s) {
        char *end;
        lq->limit = strtoll(limit_s, &end, 10);
        if (*end || lq->limit < 1 || lq->limit > 200) {
            reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
            return false;
        }
    }
    if (sort && *sort) {
        lq->desc = sort[0] == '-';
        const char *key = lq->desc ? sort + 1 : sort;
        for (lq->si = 0; lq->si < sizeof(sorts) / sizeof(sorts[0]); lq->si++)
            if (strcmp(sorts[lq->si].key, key) == 0)
                break;
        if (lq->si == sizeof(sorts) / sizeof(sorts[0])) {
            reply_invalid(r, json_pack("{s:s}", "sort", req_msg(r, "sort.invalid")));
            return false;
        }
    }
    if (filter_s && *filter_s && !(lq->filter = json_loads(filter_s, 0, NULL))) {
        reply_error(r, 400, "bad_request");
        return false;
    }
    if (cursor_s && *cursor_s && !(lq->cursor = listing_cursor_decode(cursor_s, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return false;
    }
    return true;
}

/* The list's conditions into w, a saved segment's on top; false having
 * replied. */
static bool list_where(struct req *r, const struct list_query *lq, struct sqlbuf *w)
{
    struct filter_error err;
    int rc = enterprise_where(r->db, r->actor, lq->q, lq->filter, lq->deleted, w, &err);
    const char *segment = req_query(r, "segment_id");
    if (rc == 0 && segment && *segment) {
        json_t *sf = NULL;
        char *sq = NULL;
        rc = segments_resolve(r->db, r->actor, strtoll(segment, NULL, 10), &sf, &sq);
        if (rc == 0) {
            reply_error(r, 404, "not_found");
            return false;
        }
        if (rc == 1) {
            /* The segment's values are bound from sf: copied by the append
             * before sf goes. */
            struct sqlbuf sw;
            sqlbuf_init(&sw);
            rc = enterprise_where(r->db, r->actor, sq, sf, lq->deleted, &sw, &err);
            sqlbuf_add(w, " AND ");
            sqlbuf_append(w, &sw);
            sqlbuf_release(&sw);
        }
        json_decref(sf);
        free(sq);
    }
    if (rc == -1)
        reply_invalid(r, json_pack("{s:s}", "filter", req_msg(r, err.key)));
    else if (rc < 0)
        reply_db_error(r, rc);
    return rc == 0;
}

/* GET /enterprises: quick search, filter, segment, sort, keyset pages,
 * exact total (a scope holds thousands of enterprises, not millions). */
static void list(struct req *r)
{
    struct list_query lq;
    struct sqlbuf w, b;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    if (!read_query(r, &lq) || !list_where(r, &lq, &w))
        goto out;
    const char *expr = sorts[lq.si].expr;
    const char *dir = lq.desc ? "DESC" : "ASC";
    /* Two steps, as the customers' list: the page's ids from the
     * conditions alone (a sort of keys, not of whole rows, when a search
     * matches thousands), then the rows of just those. */
    sqlbuf_addf(&b,
                "SELECT " ENTERPRISE_COLUMNS ", %s AS k FROM " ENTERPRISE_FROM
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
    form_layout_strip(r->db, &entity_enterprise, r->actor, items);
    reply_json(r, 200, body);
out:
    json_decref(lq.filter);
    json_decref(lq.cursor);
    sqlbuf_release(&w);
    sqlbuf_release(&b);
}

/* The enterprise the path names (u may see it), or 0 after a 404. */
static int64_t id_or_404(struct req *r, bool deleted)
{
    int64_t id = req_param_id(r, 0);
    json_t *rec = NULL;
    int rc = id > 0 ? enterprise_find(r->db, r->actor, id, deleted, &rec) : 0;
    json_decref(rec);
    if (rc != 1)
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
    return rc == 1 ? id : 0;
}

static void reply_enterprise(struct req *r, unsigned status, int64_t id)
{
    json_t *rec = NULL;
    int rc = enterprise_find(r->db, r->actor, id, true, &rec);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    json_t *o = enterprise_present(r->db, rec);
    json_decref(rec);
    form_layout_strip(r->db, &entity_enterprise, r->actor, o);
    reply_json(r, status, json_pack("{s:o}", "enterprise", o));
}

static void get(struct req *r)
{
    int64_t id = id_or_404(r, true);
    if (id)
        reply_enterprise(r, 200, id);
}

static void create(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = enterprise_insert(r->db, r->actor, r->json, &id, errors);
    if (!op_reply(r, rc, errors))
        reply_enterprise(r, 201, id);
    json_decref(errors);
}

static void update(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = req_param_id(r, 0);
    int rc = id > 0 ? enterprise_update(r->db, r->actor, id, r->json, errors) : OP_NOT_FOUND;
    if (!op_reply(r, rc, errors))
        reply_enterprise(r, 200, id);
    json_decref(errors);
}

static void remove_one(struct req *r)
{
    if (!op_reply(r, enterprise_delete(r->db, r->actor, req_param_id(r, 0)), NULL))
        reply_ok(r);
}

static void restore(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (!op_reply(r, enterprise_restore(r->db, r->actor, id), NULL))
        reply_enterprise(r, 200, id);
}

static void history(struct req *r)
{
    int64_t id = id_or_404(r, true);
    if (id)
        history_reply(r, "enterprise", id);
}

static void tags_add(struct req *r)
{
    int64_t id = id_or_404(r, false);
    if (!id)
        return;
    json_t *errors = json_object();
    int rc = db_begin(r->db);
    if (!rc)
        rc = enterprise_tag(r->db, r->actor, id, json_object_get(r->json, "tag_ids"), errors);
    if (!rc)
        rc = actor_audit(r->db, r->actor, "enterprise.tag", "enterprise", id, NULL);
    rc = op_end(r->db, rc);
    if (!op_reply(r, rc, errors))
        reply_enterprise(r, 200, id);
    json_decref(errors);
}

static void tags_remove(struct req *r)
{
    int64_t id = id_or_404(r, false);
    if (!id)
        return;
    int64_t tag = req_param_id(r, 1);
    int rc = db_begin(r->db);
    if (!rc)
        rc = tags_detach(r->db, "enterprise", id, tag);
    if (!rc && db_changes(r->db) == 1)
        rc = tags_note(r->db, r, "enterprise", id, tag, false);
    if (!rc)
        rc = actor_audit(r->db, r->actor, "enterprise.untag", "enterprise", id, NULL);
    rc = op_end(r->db, rc);
    if (!op_reply(r, rc, NULL))
        reply_enterprise(r, 200, id);
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
    int64_t id = id_or_404(r, true);
    if (!id)
        return;
    json_t *rec = NULL;
    int rc = enterprise_find(r->db, r->actor, id, true, &rec);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    json_t *o = enterprise_present(r->db, rec);
    json_decref(rec);
    /* Stripped before the credit terms are copied out of it. */
    form_layout_strip(r->db, &entity_enterprise, r->actor, o);
    json_t *contacts = contact_list(r->db, id, 50);
    json_t *body = json_pack(
        "{s:o,s:o,s:o,s:o,s:o}", "enterprise", o, "contacts", contacts ? contacts : json_array(),
        "departments", department_list(r->db, id), "records",
        rows(r,
             "SELECT i.id, i.type, i.channel, i.description, i.occurred_at, i.handled_by, "
             "u.name AS handled_by_name FROM interactions i LEFT JOIN users u ON "
             "u.id = i.handled_by WHERE i.enterprise_id = ? ORDER BY i.occurred_at DESC, i.id "
             "DESC LIMIT 10",
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
    json_object_set_new(
        body, "counts",
        json_pack("{s:I,s:I}", "contacts",
                  (json_int_t)json_array_size(json_object_get(body, "contacts")), "departments",
                  (json_int_t)json_array_size(json_object_get(body, "departments"))));
    reply_json(r, 200, body);
}

#include "vip/enterprise_api.routes.h"
