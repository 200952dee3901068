/*
 * task.c - tasks and notifications (see task.h).
 *
 * Who sees a task: its assignee; everyone of its branch for the branch's
 * queue (no assignee); supervisors and admins every task in their scope
 * (the team view). Views are by local day: overdue = open and due before
 * today, today = open and due today, upcoming = open and due in the next
 * seven days, done = completed or cancelled.
 */
#include "crm/task.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "crm/customer.h"
#include "record/scope.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TASK_COLUMNS                                                                               \
    "t.id, t.title, t.customer_id, c.name AS customer_name, c.customer_no, t.due_at, "             \
    "t.assignee_id, a.name AS assignee_name, t.branch_id, t.priority, t.status, t.source, "        \
    "t.rule_id, t.interaction_id, t.note, t.outcome, t.completed_at, t.version, t.created_at, "    \
    "t.updated_at"
#define TASK_FROM                                                                                  \
    "tasks t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN users a ON "                  \
    "a.id = t.assignee_id"

int task_insert(struct db *db, const struct task_new *t, int64_t *id)
{
    int64_t now = clock_now();
    *id = 0;
    /* No row back when the source_ref already exists: id stays 0. */
    int rc = db_query_int(
        db,
        "INSERT INTO tasks (title, customer_id, due_at, assignee_id, branch_id, "
        "branch_path, priority, source, source_ref, rule_id, interaction_id, note, "
        "created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        DB_ARGS(DB_TEXT(t->title), DB_INT_OR_NULL(t->customer_id, t->customer_id),
                DB_INT(t->due_at), DB_INT_OR_NULL(t->assignee_id, t->assignee_id),
                DB_INT_OR_NULL(t->branch_id, t->branch_id),
                DB_TEXT(t->branch_path ? t->branch_path : ""),
                DB_TEXT(t->priority ? t->priority : "normal"),
                DB_TEXT(t->source ? t->source : "manual"), DB_TEXT(t->source_ref),
                DB_INT_OR_NULL(t->rule_id, t->rule_id),
                DB_INT_OR_NULL(t->interaction_id, t->interaction_id), DB_TEXT(t->note),
                DB_INT_OR_NULL(t->created_by, t->created_by), DB_INT(now), DB_INT(now)),
        id);
    return rc < 0 ? rc : 0;
}

static json_t *task_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    int64_t due = 0;
    clock_parse_iso(json_string_value(json_object_get(o, "due_at")), &due);
    const char *status = json_string_value(json_object_get(o, "status"));
    json_object_set_new(o, "overdue",
                        json_boolean(status && strcmp(status, "open") == 0 && due < clock_now()));
    return o;
}

json_t *task_json(struct db *db, int64_t id)
{
    struct db_stmt *st = db_query(db, "SELECT " TASK_COLUMNS " FROM " TASK_FROM " WHERE t.id = ?",
                                  DB_ARGS(DB_INT(id)));
    json_t *o = st && db_step(st) == 1 ? task_row(st, NULL) : NULL;
    db_finish(st);
    return o;
}

int notification_add(struct db *db, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link)
{
    return db_exec(db,
                   "INSERT INTO notifications (user_id, kind, title, body, link, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   DB_ARGS(DB_INT(user_id), DB_TEXT(kind), DB_TEXT(title), DB_TEXT(body),
                           DB_TEXT(link), DB_INT(clock_now())));
}

/* The bell for a task given to user_id, linking to the task. */
static int notify_assigned(struct db *db, int64_t user_id, int64_t task_id, const char *title)
{
    char link[48];
    snprintf(link, sizeof(link), TASK_LINK "%lld", (long long)task_id);
    return notification_add(db, user_id, "task.assigned", title, NULL, link);
}

/* Local midnight of today, as Unix seconds. */
static int64_t today_start(void)
{
    int64_t now = clock_now();
    return now - ((now + HY_TZ_OFFSET) % 86400);
}

/* Which tasks u may see (see the file comment). */
static void visible_sql(const struct actor *u, struct sqlbuf *b, bool team)
{
    if (team && (u->perms & PERM_MERGE)) {
        scope_sql(u, "t.branch_path", b);
        return;
    }
    sqlbuf_add(b, "(t.assignee_id = ? OR (t.assignee_id IS NULL AND t.branch_id = ?))");
    sqlbuf_bind(b, DB_INT(u->id));
    sqlbuf_bind(b, DB_INT(u->branch_id));
}

/* The view's condition and order. */
static const char *view_sql(const char *view, struct sqlbuf *b)
{
    int64_t day = today_start();
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
    struct sqlbuf w, b;
    sqlbuf_init(&w);
    sqlbuf_init(&b);
    visible_sql(r->actor, &w, team || (customer && *customer));
    if (customer && *customer) {
        /* A customer's tasks: anyone who may see the customer sees them. */
        json_t *c = customer_load(r->db, r->actor, strtoll(customer, NULL, 10), true);
        if (!c) {
            sqlbuf_release(&w);
            sqlbuf_release(&b);
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
        sqlbuf_release(&b);
        json_decref(after);
        reply_invalid(r, json_pack("{s:s}", "view", req_msg(r, "field.invalid")));
        return;
    }
    json_t *body = json_object();
    sqlbuf_add(&b, "SELECT COUNT(*) FROM tasks t WHERE ");
    sqlbuf_append(&b, &w);
    int64_t total = 0;
    db_query_int(r->db, b.sql, b.args, b.nargs, &total);
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_release(&b);
    sqlbuf_init(&b);
    /* Keyset on the view's order "<key> ASC|DESC, t.id ASC|DESC". */
    char key[32];
    snprintf(key, sizeof(key), "%.*s", (int)strcspn(order, " "), order);
    sqlbuf_addf(&b, "SELECT " TASK_COLUMNS ", %s AS k FROM " TASK_FROM " WHERE ", key);
    sqlbuf_append(&b, &w);
    if (after)
        listing_cursor_after(&b, key, "t.id", strstr(order, "DESC") != NULL, after);
    sqlbuf_addf(&b, " ORDER BY %s LIMIT ? OFFSET ?", order);
    sqlbuf_bind(&b, DB_INT(limit + 1));
    sqlbuf_bind(&b, DB_INT(after ? 0 : offset));
    json_decref(after);
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    json_t *items = json_array(), *next = NULL;
    bool more = false;
    while (st && db_step(st) == 1) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_t *o = task_row(st, r);
        json_object_del(o, "k");
        json_decref(next);
        next = json_pack("[I,O]", (json_int_t)db_col_int(st, db_col_count(st) - 1),
                         json_object_get(o, "id"));
        json_array_append_new(items, o);
    }
    db_finish(st);
    json_object_set_new(body, "items", items);
    char *c = more ? listing_cursor_encode(next) : NULL;
    json_object_set_new(body, "next_cursor", c ? json_string(c) : json_null());
    free(c);
    json_decref(next);
    reply_json(r, 200, body);
    sqlbuf_release(&w);
    sqlbuf_release(&b);
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
        visible_sql(r->actor, &b, false);
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

static bool priority_valid(const char *p)
{
    return !p || strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 || strcmp(p, "high") == 0;
}

/* Due time: ISO date-time, or a date alone meaning 09:00 that day. */
static bool parse_due(const char *s, int64_t *out)
{
    if (!s)
        return false;
    if (clock_parse_iso(s, out) == 0)
        return true;
    if (clock_parse_date(s, out) == 0) {
        *out += 9 * 3600;
        return true;
    }
    return false;
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *title = form_str(&f, "title", true, 100);
    const char *due = form_str(&f, "due_at", true, 40);
    const char *priority = form_str(&f, "priority", false, 8);
    const char *note = form_str(&f, "note", false, 500);
    int64_t customer_id = 0, assignee = 0, due_at = 0;
    form_int(&f, "customer_id", false, &customer_id);
    form_int(&f, "assignee_id", false, &assignee);
    if (due && !parse_due(due, &due_at))
        form_fail(&f, "due_at", "field.invalid");
    if (!priority_valid(priority))
        form_fail(&f, "priority", "field.unknown_option");
    /* A task belongs to its assignee's branch, as after a reassignment: the
     * supervisors of that branch see it in their team view. An assignee
     * without a branch (head-office staff) leaves it with the customer's. */
    char path[256] = "";
    if (customer_id) {
        json_t *c = customer_load(r->db, r->actor, customer_id, false);
        if (!c)
            form_fail(&f, "customer_id", "not_found");
        else
            snprintf(path, sizeof(path), "%s",
                     json_string_value(json_object_get(c, "branch_path")));
        json_decref(c);
    }
    /* Only supervisors give tasks to others, and only to staff within
     * their scope (as when reassigning). */
    struct actor target = {0};
    if (assignee && assignee != r->actor->id) {
        if (!(r->actor->perms & PERM_MERGE))
            form_fail(&f, "assignee_id", "forbidden");
        else if (session_load_user(r->db, assignee, &target) != 1 ||
                 !scope_contains(r->actor, target.branch_path))
            form_fail(&f, "assignee_id", "field.unknown_assignee");
    }
    if (!form_done(&f))
        return;
    const char *own = target.id ? target.branch_path : r->actor->branch_path;
    if (own[0] || !path[0])
        snprintf(path, sizeof(path), "%s", own);
    struct task_new t = {.title = title,
                         .customer_id = customer_id,
                         .due_at = due_at,
                         .assignee_id = assignee ? assignee : r->actor->id,
                         .branch_id = target.id ? target.branch_id : r->actor->branch_id,
                         .branch_path = path,
                         .priority = priority,
                         .source = customer_id ? "follow_up" : "manual",
                         .note = note,
                         .created_by = r->actor->id};
    int64_t id = 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = task_insert(r->db, &t, &id);
    if (!rc && t.assignee_id != r->actor->id)
        rc = notify_assigned(r->db, t.assignee_id, id, title);
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 201, json_pack("{s:o}", "task", task_json(r->db, id)));
}

/* Load a task u may act on; NULL after a 404. */
static json_t *load_task(struct req *r)
{
    int64_t id = req_param_id(r, 0);
    if (id < 0) {
        reply_error(r, 404, "not_found");
        return NULL;
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT t.id FROM tasks t WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    visible_sql(r->actor, &b, true);
    int64_t found = 0;
    int rc = db_query_int(r->db, b.sql, b.args, b.nargs, &found);
    sqlbuf_release(&b);
    json_t *t = rc == 1 ? task_json(r->db, id) : NULL;
    if (!t)
        reply_error(r, 404, "not_found");
    return t;
}

/* GET /tasks/{id}: one task the caller may act on (what a notification
 * about it opens). */
static void get(struct req *r)
{
    json_t *t = load_task(r);
    if (t)
        reply_json(r, 200, json_pack("{s:o}", "task", t));
}

static void finish_change(struct req *r, int rc, int64_t id, const char *action, json_t *detail)
{
    if (!rc && action)
        rc = audit_write(r->db, r, NULL, action, "task", id, detail);
    else
        json_decref(detail);
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 200, json_pack("{s:o}", "task", task_json(r->db, id)));
}

static bool is_open(json_t *t)
{
    return strcmp(json_string_value(json_object_get(t, "status")), "open") == 0;
}

static void update(struct req *r)
{
    json_t *t = load_task(r);
    if (!t)
        return;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    json_decref(t);
    struct form f;
    form_init(&f, r);
    const char *title = form_str(&f, "title", false, 100);
    const char *due = form_str(&f, "due_at", false, 40);
    const char *priority = form_str(&f, "priority", false, 8);
    const char *note = form_str(&f, "note", false, 500);
    int64_t version = 0, due_at = 0;
    form_int(&f, "version", true, &version);
    if (due && !parse_due(due, &due_at))
        form_fail(&f, "due_at", "field.invalid");
    if (!priority_valid(priority))
        form_fail(&f, "priority", "field.unknown_option");
    if (!form_done(&f))
        return;
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE tasks SET title = COALESCE(?, title), due_at = COALESCE(?, due_at), "
                     "priority = COALESCE(?, priority), note = COALESCE(?, note), "
                     "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                     DB_ARGS(DB_TEXT(title), DB_INT_OR_NULL(due != NULL, due_at), DB_TEXT(priority),
                             DB_TEXT(note), DB_INT(clock_now()), DB_INT(id), DB_INT(version)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 409, "stale_version");
        return;
    }
    finish_change(r, rc, id, NULL, NULL);
}

static void set_status(struct req *r, const char *status)
{
    json_t *t = load_task(r);
    if (!t)
        return;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    bool open = is_open(t);
    json_decref(t);
    if (!open) {
        reply_error(r, 409, "conflict");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *outcome = form_str(&f, "outcome", strcmp(status, "done") == 0, 500);
    if (!form_done(&f))
        return;
    int64_t now = clock_now();
    int rc = db_begin(r->db);
    if (!rc)
        rc =
            db_exec(r->db,
                    "UPDATE tasks SET status = ?, outcome = ?, completed_at = ?, completed_by = ?, "
                    "assignee_id = COALESCE(assignee_id, ?), version = version + 1, "
                    "updated_at = ? WHERE id = ?",
                    DB_ARGS(DB_TEXT(status), DB_TEXT(outcome), DB_INT(now), DB_INT(r->actor->id),
                            DB_INT(r->actor->id), DB_INT(now), DB_INT(id)));
    finish_change(r, rc, id, strcmp(status, "done") == 0 ? "task.complete" : "task.cancel", NULL);
}

static void complete(struct req *r)
{
    set_status(r, "done");
}

static void cancel(struct req *r)
{
    set_status(r, "cancelled");
}

/* POST /tasks/{id}/snooze {"until": ISO or date} or {"days": N} / {"hours": N}. */
static void snooze(struct req *r)
{
    json_t *t = load_task(r);
    if (!t)
        return;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    bool open = is_open(t);
    json_decref(t);
    if (!open) {
        reply_error(r, 409, "conflict");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *until = form_str(&f, "until", false, 40);
    int64_t days = 0, hours = 0, due = 0;
    form_int(&f, "days", false, &days);
    form_int(&f, "hours", false, &hours);
    if (until && !parse_due(until, &due))
        form_fail(&f, "until", "field.invalid");
    if (!until && days <= 0 && hours <= 0)
        form_fail(&f, "until", "field.required");
    if (days < 0 || days > 365 || hours < 0 || hours > 24 * 365)
        form_fail(&f, "days", "field.invalid");
    if (!form_done(&f))
        return;
    if (!until)
        due = clock_now() + days * 86400 + hours * 3600;
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE tasks SET due_at = ?, version = version + 1, updated_at = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_INT(due), DB_INT(clock_now()), DB_INT(id)));
    finish_change(r, rc, id, NULL, NULL);
}

/* POST /tasks/{id}/assign {"assignee_id"} (supervisor, admin): within scope. */
static void assign(struct req *r)
{
    json_t *t = load_task(r);
    if (!t)
        return;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    if (!is_open(t)) {
        /* Done and cancelled tasks keep who did them. */
        json_decref(t);
        reply_error(r, 409, "conflict");
        return;
    }
    struct form f;
    form_init(&f, r);
    int64_t assignee = 0;
    form_int(&f, "assignee_id", true, &assignee);
    struct actor target = {0};
    if (assignee && (session_load_user(r->db, assignee, &target) != 1 ||
                     !scope_contains(r->actor, target.branch_path)))
        form_fail(&f, "assignee_id", "field.unknown_assignee");
    if (!form_done(&f)) {
        json_decref(t);
        return;
    }
    /* The task moves to the new assignee's branch, path included: the team
     * views (scoped on branch_path) then follow it. An assignee without a
     * branch leaves both as they were. */
    bool moves = target.branch_id && target.branch_path[0];
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE tasks SET assignee_id = ?, branch_id = COALESCE(?, branch_id), "
                     "branch_path = COALESCE(?, branch_path), version = version + 1, "
                     "updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(assignee), DB_INT_OR_NULL(moves, target.branch_id),
                             DB_TEXT(moves ? target.branch_path : NULL), DB_INT(clock_now()),
                             DB_INT(id)));
    if (!rc)
        rc = notify_assigned(r->db, assignee, id, json_string_value(json_object_get(t, "title")));
    json_decref(t);
    finish_change(r, rc, id, "task.assign",
                  json_pack("{s:I}", "assignee_id", (json_int_t)assignee));
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

const struct route tasks_routes[] = {
    {"GET", "/api/v1/staff", staff_list, PERM_TASKS, 0,
     "Active staff of the caller's branch and below (q: name or staff number), for pickers"},
    {"GET", "/api/v1/tasks", list, PERM_TASKS, 0,
     "Tasks: view=today|overdue|upcoming|done|open|all, scope=team, customer_id"},
    {"GET", "/api/v1/tasks/counts", counts, PERM_TASKS, 0,
     "Today / overdue / upcoming counts and unread notifications"},
    {"GET", "/api/v1/tasks/{id}", get, PERM_TASKS, 0,
     "One task (the caller's, the branch queue's, or in a supervisor's scope)"},
    {"POST", "/api/v1/tasks", create, PERM_TASKS, 0, "Create a task or a promised call-back"},
    {"PATCH", "/api/v1/tasks/{id}", update, PERM_TASKS, 0, "Edit a task (send version)"},
    {"POST", "/api/v1/tasks/{id}/complete", complete, PERM_TASKS, 0,
     "Complete a task with an outcome note"},
    {"POST", "/api/v1/tasks/{id}/cancel", cancel, PERM_TASKS, 0, "Cancel a task"},
    {"POST", "/api/v1/tasks/{id}/snooze", snooze, PERM_TASKS, 0, "Move a task's due time"},
    {"POST", "/api/v1/tasks/{id}/assign", assign, PERM_MERGE, 0,
     "Reassign a task (supervisor, admin)"},
    {"GET", "/api/v1/notifications", notifications_list, PERM_SIGNED_IN, 0,
     "The bell: the signed-in user's notifications"},
    {"POST", "/api/v1/notifications/read", notifications_read, PERM_SIGNED_IN, 0,
     "Mark notifications read (ids, or all)"},
    {0},
};
