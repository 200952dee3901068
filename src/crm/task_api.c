/*
 * task_api.c - the HTTP endpoints of the to-do list (views by local day:
 * overdue = open and due before today, today = open and due today,
 * upcoming = open and due in the next seven days, done = completed or
 * cancelled), the bell, and the staff picker. The operations are in
 * task.c.
 */
#include "crm/task.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/date.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/customer.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The view's condition and order. */
static const char *view_sql(const char *view, struct sqlbuf *b)
{
    int64_t day = date_day_start(clock_now());
    if (!view || strcmp(view, "today") == 0) {
        sqlbuf_add(b, " AND t.status = 'open' AND t.due_at >= ? AND t.due_at < ?");
        sqlbuf_bind(b, DB_INT(day));
        sqlbuf_bind(b, DB_INT(day + 86400));
        return "t.due_at ASC, t.id ASC";
    }
    if (strcmp(view, "overdue") == 0) {
        sqlbuf_add(b, " AND t.status = 'open' AND t.due_at < ?");
        sqlbuf_bind(b, DB_INT(day));
        return "t.due_at ASC, t.id ASC";
    }
    if (strcmp(view, "upcoming") == 0) {
        sqlbuf_add(b, " AND t.status = 'open' AND t.due_at >= ? AND t.due_at < ?");
        sqlbuf_bind(b, DB_INT(day + 86400));
        sqlbuf_bind(b, DB_INT(day + 8 * 86400));
        return "t.due_at ASC, t.id ASC";
    }
    if (strcmp(view, "done") == 0) {
        sqlbuf_add(b, " AND t.status <> 'open'");
        return "t.updated_at DESC, t.id DESC";
    }
    if (strcmp(view, "open") == 0) {
        sqlbuf_add(b, " AND t.status = 'open'");
        return "t.due_at ASC, t.id ASC";
    }
    if (strcmp(view, "all") == 0)
        return "t.due_at DESC, t.id DESC";
    return NULL;
}

/* One page of the tasks matching w in the view's order ("<key> ASC|DESC,
 * t.id ASC|DESC"): after the list cursor's row when there is one, else
 * from offset (the list's page numbers), with the total. */
static void reply_page(struct req *r, const struct sqlbuf *w, const char *order, json_t *after,
                       int64_t limit, int64_t offset)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    json_t *body = json_object();
    int64_t total = 0;
    listing_count(r->db, "tasks t", w, &total);
    json_object_set_new(body, "total", json_integer(total));
    /* Keyset on the view's order "<key> ASC|DESC, t.id ASC|DESC". */
    char key[32];
    snprintf(key, sizeof(key), "%.*s", (int)strcspn(order, " "), order);
    sqlbuf_addf(&b, "SELECT " TASK_COLUMNS ", %s AS k FROM " TASK_FROM " WHERE ", key);
    sqlbuf_append(&b, w);
    if (after)
        listing_cursor_after(&b, key, "t.id", strstr(order, "DESC") != NULL, after);
    sqlbuf_addf(&b, " ORDER BY %s LIMIT ? OFFSET ?", order);
    sqlbuf_bind(&b, DB_INT(limit + 1));
    sqlbuf_bind(&b, DB_INT(after ? 0 : offset));
    listing_keyed_page(body, db_query(r->db, b.sql, b.args, b.nargs), r, limit, task_row);
    reply_json(r, 200, body);
    sqlbuf_release(&b);
}

static void list(struct req *r)
{
    const char *view = req_query(r, "view");
    const char *scope = req_query(r, "scope");
    const char *customer = req_query(r, "customer_id");
    const char *assignee = req_query(r, "assignee_id");
    const char *limit_s = req_query(r, "limit"), *cursor = req_query(r, "cursor");
    const char *offset_s = req_query(r, "offset"); /* the task list's page numbers */
    int64_t limit = limit_s ? strtoll(limit_s, NULL, 10) : 50;
    int64_t offset = offset_s ? strtoll(offset_s, NULL, 10) : 0;
    if (limit < 1 || limit > 200 || offset < 0) {
        reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
        return;
    }
    json_t *after = NULL; /* the list cursor (core/listing.h): [key, id] */
    if (cursor && *cursor && !(after = listing_cursor_decode(cursor, 2))) {
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
        return;
    }
    bool team = scope && strcmp(scope, "team") == 0;
    if (team && !(r->actor->perms & PERM_MERGE)) {
        json_decref(after);
        reply_error(r, 403, "forbidden");
        return;
    }
    struct sqlbuf w;
    sqlbuf_init(&w);
    task_visible_sql(r->actor, &w, team || (customer && *customer));
    if (customer && *customer) {
        /* A customer's tasks: anyone who may see the customer sees them. */
        json_t *c = customer_load(r->db, r->actor, strtoll(customer, NULL, 10), true);
        if (!c) {
            sqlbuf_release(&w);
            json_decref(after);
            reply_error(r, 404, "not_found");
            return;
        }
        json_decref(c);
        sqlbuf_release(&w);
        sqlbuf_init(&w);
        sqlbuf_add(&w, "t.customer_id = ?");
        sqlbuf_bind(&w, DB_INT(strtoll(customer, NULL, 10)));
    }
    if (assignee && *assignee) {
        sqlbuf_add(&w, " AND t.assignee_id = ?");
        sqlbuf_bind(&w, DB_INT(strtoll(assignee, NULL, 10)));
    }
    const char *order = view_sql(view && *view ? view : (customer ? "all" : "today"), &w);
    if (!order) {
        sqlbuf_release(&w);
        json_decref(after);
        reply_invalid(r, json_pack("{s:s}", "view", req_msg(r, "field.invalid")));
        return;
    }
    reply_page(r, &w, order, after, limit, offset);
    json_decref(after);
    sqlbuf_release(&w);
}

/* GET /tasks/counts: the numbers beside the menu. */
static void counts(struct req *r)
{
    static const char *const views[] = {"today", "overdue", "upcoming"};
    json_t *body = json_object();
    for (int i = 0; i < 3; i++) {
        struct sqlbuf b;
        sqlbuf_init(&b);
        sqlbuf_add(&b, "SELECT COUNT(*) FROM tasks t WHERE ");
        task_visible_sql(r->actor, &b, false);
        view_sql(views[i], &b);
        int64_t n = 0;
        db_query_int(r->db, b.sql, b.args, b.nargs, &n);
        json_object_set_new(body, views[i], json_integer(n));
        sqlbuf_release(&b);
    }
    int64_t unread = 0;
    db_query_int(r->db, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                 DB_ARGS(DB_INT(r->actor->id)), &unread);
    json_object_set_new(body, "unread_notifications", json_integer(unread));
    reply_json(r, 200, body);
}

/* Answer an operation on a task: the task, or the error. */
static void reply_task(struct req *r, int rc, int64_t id, unsigned status, json_t *errors)
{
    if (!op_reply(r, rc, errors))
        reply_json(r, status, json_pack("{s:o}", "task", task_json(r->db, id)));
    json_decref(errors);
}

static void create(struct req *r)
{
    int64_t id = 0;
    json_t *errors = json_object();
    int rc = task_insert(r->db, r->actor, r->json, &id, errors);
    reply_task(r, rc, id, 201, errors);
}

/* GET /tasks/{id}: one task the caller may act on (what a notification
 * about it opens). */
static void get(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT t.id FROM tasks t WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    task_visible_sql(r->actor, &b, true);
    int64_t found = 0;
    int rc = db_query_int(r->db, b.sql, b.args, b.nargs, &found);
    sqlbuf_release(&b);
    json_t *t = rc == 1 ? task_json(r->db, id) : NULL;
    if (t)
        reply_json(r, 200, json_pack("{s:o}", "task", t));
    else if (rc < 0)
        reply_db_error(r, rc);
    else
        reply_error(r, 404, "not_found");
}

/* An operation on the task named by the path, answered with the task. */
typedef int (*task_op)(struct db *db, const struct actor *a, int64_t id, json_t *in,
                       json_t *errors);

static void on_task(struct req *r, task_op op)
{
    int64_t id = req_param_id(r, 0);
    json_t *errors = json_object();
    reply_task(r, op(r->db, r->actor, id, r->json, errors), id, 200, errors);
}

static int complete_task(struct db *db, const struct actor *a, int64_t id, json_t *in,
                         json_t *errors)
{
    return task_close(db, a, id, true, in, errors);
}

static int cancel_task(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    return task_close(db, a, id, false, in, errors);
}

static void update(struct req *r)
{
    on_task(r, task_update);
}

static void complete(struct req *r)
{
    on_task(r, complete_task);
}

static void cancel(struct req *r)
{
    on_task(r, cancel_task);
}

/* POST /tasks/{id}/snooze {"until": ISO or date} or {"days": N} / {"hours": N}. */
static void snooze(struct req *r)
{
    on_task(r, task_snooze);
}

/* POST /tasks/{id}/assign {"assignee_id"} (supervisor, admin): within scope. */
static void assign(struct req *r)
{
    on_task(r, task_assign);
}

/* ---- notifications (the bell) ---- */

static void notifications_list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_where_int(&l, "user_id = ?", r->actor->id);
    const char *unread = req_query(r, "unread");
    if (unread && strcmp(unread, "1") == 0)
        listing_where(&l, "read_at IS NULL");
    listing_run_with(&l, "id, kind, title, body, link, read_at, created_at", "notifications", NULL);
}

static void notifications_read(struct req *r)
{
    json_t *ids = json_object_get(r->json, "ids");
    int rc;
    if (json_is_array(ids)) {
        rc = db_begin(r->db);
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            if (rc)
                break;
            rc = db_exec(
                r->db,
                "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND "
                "read_at IS NULL",
                DB_ARGS(DB_INT(clock_now()), DB_INT(json_integer_value(v)), DB_INT(r->actor->id)));
        }
        if (!rc)
            rc = db_commit(r->db);
        else
            db_rollback(r->db);
    } else {
        rc = db_exec(r->db,
                     "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                     DB_ARGS(DB_INT(clock_now()), DB_INT(r->actor->id)));
    }
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    reply_ok(r);
}

/* ---- staff lookup ---- */

/* GET /staff?q=: the active staff of the caller's branch and below (all for
 * admins), for "assign to" and "handled by" pickers. Names and staff
 * numbers only: contact data stays in the admin's user list. */
static void staff_list(struct req *r)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT u.id, u.login, u.name, u.role, u.branch_id, br.name AS branch_name "
                   "FROM users u "
                   "LEFT JOIN branches br ON br.id = u.branch_id WHERE u.status = 'active' AND ");
    scope_sql(r->actor, "COALESCE(br.path, '')", &b);
    const char *q = req_query(r, "q");
    if (q && *q) {
        const char *like = sqlbuf_like(&b, q, false);
        sqlbuf_add(&b, " AND (u.name LIKE ? ESCAPE '\\' OR u.login LIKE ? ESCAPE '\\')");
        sqlbuf_bind(&b, DB_TEXT(like));
        sqlbuf_bind(&b, DB_TEXT(like));
    }
    sqlbuf_add(&b, " ORDER BY u.login LIMIT 500");
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    listing_reply_rows(r, st, NULL);
}

/* The route table tasks_routes[], made from task_api.routes. */
#include "crm/task_api.routes.h"
