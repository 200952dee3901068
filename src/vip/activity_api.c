/*
 * activity_api.c - the HTTP endpoints of an enterprise's business records
 * (业务往来) and to-dos (待办): record one / add one (activity.c), and
 * their lists, newest record first and soonest to-do first, with the one
 * list cursor (core/listing.h). Whoever sees the enterprise sees them.
 */
#include "vip/enterprise_int.h"

#include "core/listing.h"
#include "core/op.h"
#include "crm/task.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_COLUMNS                                                                             \
    "i.id, i.enterprise_id, i.type, i.occurred_at, i.description, i.channel, i.handled_by, "       \
    "u.name AS handled_by_name, i.task_id, i.created_at"
#define RECORD_FROM "interactions i LEFT JOIN users u ON u.id = i.handled_by"

/* limit (1–200, default 20) and the cursor of [key, id]; false having
 * answered 422. */
static bool page_args(struct req *r, int64_t *limit, json_t **after)
{
    const char *limit_s = req_query(r, "limit"), *cursor = req_query(r, "cursor");
    char *end = NULL;
    *limit = limit_s ? strtoll(limit_s, &end, 10) : 20;
    *after = NULL;
    if ((end && *end) || *limit < 1 || *limit > 200) {
        reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
        return false;
    }
    if (cursor && *cursor && !(*after = listing_cursor_decode(cursor, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return false;
    }
    return true;
}

/* Each record of items gets "contacts": [{id, name}] (one query a page). */
static void add_people(struct db *db, json_t *items)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT interaction_id, contact_id, name FROM interaction_contacts WHERE "
                   "interaction_id IN (0");
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        json_object_set_new(o, "contacts", json_array());
        sqlbuf_add(&b, ", ?");
        sqlbuf_bind(&b, DB_INT(json_integer_value(json_object_get(o, "id"))));
    }
    sqlbuf_add(&b, ") ORDER BY interaction_id, contact_id");
    struct db_stmt *st = json_array_size(items) ? db_query(db, b.sql, b.args, b.nargs) : NULL;
    while (st && db_step(st) == 1) {
        json_array_foreach(items, i, o)
        {
            if (json_integer_value(json_object_get(o, "id")) == db_col_int(st, 0))
                json_array_append_new(json_object_get(o, "contacts"),
                                      json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int(st, 1),
                                                "name", db_col_text(st, 2)));
        }
    }
    if (st)
        db_finish(st);
    sqlbuf_release(&b);
}

/* A page of the list over from where w holds, keyed on (key, id) in
 * the order desc says, after the cursor's row: {"items","total",
 * "next_cursor"} with each row made by row, then finished by post (may be
 * NULL). columns select the row; from has the aliases w and key use. */
struct page {
    const char *columns, *from, *count_from, *key, *id;
    bool desc;
    json_t *(*row)(struct db_stmt *st, struct req *r);
    void (*post)(struct db *db, json_t *items);
};

static void reply_page(struct req *r, const struct page *p, struct sqlbuf *w, int64_t limit,
                       json_t *after)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    json_t *body = json_object();
    int64_t total = 0;
    int rc = listing_count(r->db, p->count_from, w, &total);
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_addf(&b, "SELECT %s, %s AS k FROM %s WHERE ", p->columns, p->key, p->from);
    sqlbuf_append(&b, w);
    if (after)
        listing_cursor_after(&b, p->key, p->id, p->desc, after);
    const char *dir = p->desc ? "DESC" : "ASC";
    sqlbuf_addf(&b, " ORDER BY %s %s, %s %s LIMIT ?", p->key, dir, p->id, dir);
    sqlbuf_bind(&b, DB_INT(limit + 1));
    if (!rc)
        listing_keyed_page(body, db_query(r->db, b.sql, b.args, b.nargs), r, limit, p->row);
    if (!rc && p->post)
        p->post(r->db, json_object_get(body, "items"));
    rc ? reply_db_error(r, rc) : reply_json(r, 200, json_incref(body));
    json_decref(body);
    json_decref(after);
    sqlbuf_release(&b);
}

/* GET /enterprises/{id}/interactions: newest first; type= filters. */
static void records_list(struct req *r)
{
    static const struct page records = {
        .columns = RECORD_COLUMNS,
        .from = RECORD_FROM,
        .count_from = "interactions i",
        .key = "i.occurred_at",
        .id = "i.id",
        .desc = true,
        .row = listing_row_json,
        .post = add_people,
    };
    int64_t ent = enterprise_param_or_404(r, true), limit;
    json_t *after;
    if (!ent || !page_args(r, &limit, &after))
        return;
    struct sqlbuf w;
    sqlbuf_init(&w);
    sqlbuf_add(&w, "i.enterprise_id = ? AND i.deleted_at IS NULL");
    sqlbuf_bind(&w, DB_INT(ent));
    const char *type = req_query(r, "type");
    if (type && *type) {
        sqlbuf_add(&w, " AND i.type = ?");
        sqlbuf_bind(&w, DB_TEXT(type));
    }
    reply_page(r, &records, &w, limit, after);
    sqlbuf_release(&w);
}

static void record_create(struct req *r)
{
    json_t *errors = json_object(), *rec = NULL;
    int64_t ent = req_param_id(r, 0), id = 0, task_id = 0;
    int rc = enterprise_record_insert(r->db, r->actor, ent, r->json, &id, &task_id, errors);
    if (!op_reply(r, rc, errors)) {
        /* Committed: read back what the page shows. */
        int got = listing_one(r->db, r, &rec, NULL,
                              "SELECT " RECORD_COLUMNS " FROM " RECORD_FROM " WHERE i.id = ?",
                              DB_ARGS(DB_INT(id)));
        if (got != 1) {
            reply_db_error(r, got < 0 ? got : DB_ERROR);
        } else {
            json_t *page = json_pack("[O]", rec);
            add_people(r->db, page);
            json_decref(page);
            json_t *body = json_pack("{s:o}", "interaction", rec);
            json_object_set_new(body, "task", task_id ? task_json(r->db, task_id) : json_null());
            reply_json(r, 201, body);
        }
    }
    json_decref(errors);
}

/* GET /enterprises/{id}/tasks: view=open (default, soonest due first),
 * done (latest first) or all (latest due first). */
static void tasks_list(struct req *r)
{
    int64_t ent = enterprise_param_or_404(r, true), limit;
    json_t *after;
    if (!ent || !page_args(r, &limit, &after))
        return;
    struct page p = {.columns = TASK_COLUMNS,
                     .from = TASK_FROM,
                     .count_from = "tasks t",
                     .key = "t.due_at",
                     .id = "t.id",
                     .desc = true,
                     .row = task_row};
    const char *view = req_query(r, "view"), *cond = "";
    if (!view || !*view || strcmp(view, "open") == 0) {
        cond = " AND t.status = 'open'";
        p.desc = false;
    } else if (strcmp(view, "done") == 0) {
        cond = " AND t.status <> 'open'";
        p.key = "t.updated_at";
    } else if (strcmp(view, "all") != 0) {
        json_decref(after);
        reply_invalid(r, json_pack("{s:s}", "view", req_msg(r, "field.invalid")));
        return;
    }
    struct sqlbuf w;
    sqlbuf_init(&w);
    sqlbuf_add(&w, "t.enterprise_id = ?");
    sqlbuf_bind(&w, DB_INT(ent));
    sqlbuf_add(&w, cond);
    reply_page(r, &p, &w, limit, after);
    sqlbuf_release(&w);
}

static void task_create(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = enterprise_task_insert(r->db, r->actor, req_param_id(r, 0), r->json, &id, errors);
    if (!op_reply(r, rc, errors))
        reply_json(r, 201, json_pack("{s:o}", "task", task_json(r->db, id)));
    json_decref(errors);
}

#include "vip/activity_api.routes.h"
