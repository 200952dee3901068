/*
 * task.c - tasks and notifications (see task.h): the operations that make
 * and change tasks, and the bell. The HTTP endpoints are in task_api.c.
 *
 * Who sees a task: its assignee; everyone of its branch for the branch's
 * queue (no assignee); supervisors and admins every task in their scope
 * (the team view).
 */
#include "crm/task.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "base/clock.h"
#include "core/events.h"
#include "base/date.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/op.h"
#include "crm/customer.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"
#include "notify/notify.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *task_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    int64_t due = 0;
    clock_parse_iso(json_string_value(json_object_get(o, "due_at")), &due);
    const char *status = json_string_value(json_object_get(o, "status"));
    json_object_set_new(o, "overdue",
                        json_boolean(status && strcmp(status, "open") == 0 && due < clock_now()));
    return o;
}

#define TASK_BY_ID "SELECT " TASK_COLUMNS " FROM " TASK_FROM " WHERE t.id = ?"

json_t *task_json(struct db *db, int64_t id)
{
    json_t *o;
    listing_one(db, NULL, &o, task_row, TASK_BY_ID, DB_ARGS(DB_INT(id)));
    return o;
}

int notification_add(struct db *db, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link)
{
    return notify_user(db, user_id, kind, title, body, link, NULL, NULL);
}

/* The bell for a task given to user_id, linking to the task. */
static int notify_assigned(struct db *db, int64_t user_id, int64_t task_id, const char *title)
{
    char link[48];
    snprintf(link, sizeof(link), TASK_LINK "%lld", (long long)task_id);
    return notification_add(db, user_id, "task.assigned", title, NULL, link);
}

/* Which tasks u may see (see the file comment). */
void task_visible_sql(const struct actor *u, struct sqlbuf *b, bool team)
{
    if (team && (u->perms & PERM_MERGE)) {
        scope_sql(u, "t.branch_path", b);
        return;
    }
    sqlbuf_add(b, "(t.assignee_id = ? OR (t.assignee_id IS NULL AND t.branch_id = ?))");
    sqlbuf_bind(b, DB_INT(u->id));
    sqlbuf_bind(b, DB_INT(u->branch_id));
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

int task_add(struct db *db, const struct actor *a, const struct task_new *t, int64_t *id)
{
    int64_t now = clock_now();
    *id = 0;
    /* No row back when the source_ref already exists: id stays 0. */
    int rc = db_query_int(
        db,
        "INSERT INTO tasks (title, customer_id, enterprise_id, due_at, assignee_id, branch_id, "
        "branch_path, priority, source, source_ref, rule_id, interaction_id, note, "
        "created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
        "RETURNING id",
        DB_ARGS(DB_TEXT(t->title), DB_INT_OR_NULL(t->customer_id, t->customer_id),
                DB_INT_OR_NULL(t->enterprise_id, t->enterprise_id), DB_INT(t->due_at),
                DB_INT_OR_NULL(t->assignee_id, t->assignee_id),
                DB_INT_OR_NULL(t->branch_id, t->branch_id),
                DB_TEXT(t->branch_path ? t->branch_path : ""),
                DB_TEXT(t->priority ? t->priority : "normal"),
                DB_TEXT(t->source ? t->source : "manual"), DB_TEXT(t->source_ref),
                DB_INT_OR_NULL(t->rule_id, t->rule_id),
                DB_INT_OR_NULL(t->interaction_id, t->interaction_id), DB_TEXT(t->note),
                DB_INT_OR_NULL(t->created_by, t->created_by), DB_INT(now), DB_INT(now)),
        id);
    if (rc < 0 || !*id)
        return rc < 0 ? rc : 0;
    rc = t->assignee_id && t->assignee_id != a->id && !t->quiet
             ? notify_assigned(db, t->assignee_id, *id, t->title)
             : 0;
    if (rc)
        return rc;
    json_t *about = t->enterprise_id
                        ? json_pack("{s:I}", "enterprise_id", (json_int_t)t->enterprise_id)
                        : json_pack("{s:I}", "customer_id", (json_int_t)t->customer_id);
    return events_publish(db, "task.created", "task", *id, a->id, about);
}

/* The assignee of a new task from "assignee_id": only supervisors give
 * tasks to others, and only to staff within their scope (as when
 * reassigning). Without one, owner (an enterprise's account manager,
 * loaded into target) or a itself; target stays zero for a itself. */
static void read_assignee(struct db *db, const struct actor *a, struct form *f, int64_t owner,
                          int64_t *assignee, struct actor *target)
{
    if (!form_int(f, "assignee_id", false, assignee) && owner && owner != a->id &&
        session_load_user(db, owner, target) == 1) {
        *assignee = owner;
        return;
    }
    if (!*assignee || *assignee == a->id)
        return;
    if (!(a->perms & PERM_MERGE))
        form_fail(f, "assignee_id", "forbidden");
    else if (session_load_user(db, *assignee, target) != 1 ||
             !scope_contains(a, target->branch_path))
        form_fail(f, "assignee_id", "field.unknown_assignee");
}

/* A new task as read from its form; path gets the customer's branch (or
 * s's enterprise's). */
static void read_new(struct db *db, const struct actor *a, const struct crm_subject *s,
                     struct form *f, struct task_new *t, struct actor *target, char path[256])
{
    memset(t, 0, sizeof(*t));
    t->title = form_str(f, "title", true, 100);
    const char *due = form_str(f, "due_at", true, 40);
    t->priority = form_str(f, "priority", false, 8);
    t->note = form_str(f, "note", false, 500);
    if (!s)
        form_int(f, "customer_id", false, &t->customer_id);
    if (due && !parse_due(due, &t->due_at))
        form_fail(f, "due_at", "field.invalid");
    if (!priority_valid(t->priority))
        form_fail(f, "priority", "field.unknown_option");
    snprintf(path, 256, "%s", s ? s->branch_path : "");
    if (t->customer_id) {
        json_t *c = customer_load(db, a, t->customer_id, false);
        if (!c)
            form_fail(f, "customer_id", "not_found");
        else
            snprintf(path, 256, "%s", json_string_value(json_object_get(c, "branch_path")));
        json_decref(c);
    }
    read_assignee(db, a, f, s ? s->owner_id : 0, &t->assignee_id, target);
}

static int insert(struct db *db, const struct actor *a, const struct crm_subject *s, json_t *in,
                  int64_t *id, json_t *errors)
{
    struct form f;
    struct task_new t;
    struct actor target = {0};
    char path[256];
    *id = 0;
    form_init_json(&f, in, a->lang, errors);
    read_new(db, a, s, &f, &t, &target, path);
    if (!form_ok(&f))
        return OP_INVALID;
    /* A task belongs to its assignee's branch, as after a reassignment: the
     * supervisors of that branch see it in their team view. An assignee
     * without a branch (head-office staff) leaves it with the customer's. */
    const char *own = target.id ? target.branch_path : a->branch_path;
    if (own[0] || !path[0])
        snprintf(path, sizeof(path), "%s", own);
    t.assignee_id = t.assignee_id ? t.assignee_id : a->id;
    t.branch_id = target.id ? target.branch_id : a->branch_id;
    t.branch_path = path;
    t.enterprise_id = s ? s->enterprise_id : 0;
    t.source = t.customer_id || t.enterprise_id ? "follow_up" : "manual";
    t.created_by = a->id;
    int rc = db_begin(db);
    if (!rc)
        rc = task_add(db, a, &t, id);
    if (!rc)
        rc = actor_audit(db, a, "task.create", "task", *id, NULL);
    return op_end(db, rc);
}

int task_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors)
{
    return insert(db, a, NULL, in, id, errors);
}

int task_insert_about(struct db *db, const struct actor *a, const struct crm_subject *s, json_t *in,
                      int64_t *id, json_t *errors)
{
    return insert(db, a, s, in, id, errors);
}

/* Task id if a may act on it (0), OP_NOT_FOUND, or a negative DB_*; with
 * open: OP_CONFLICT unless it is open (done and cancelled tasks keep who
 * did them). */
static int task_check(struct db *db, const struct actor *a, int64_t id, bool open)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT CASE WHEN t.status = 'open' THEN 1 ELSE 2 END FROM tasks t "
                   "WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    task_visible_sql(a, &b, true);
    int64_t state = 0;
    int rc = db_query_int(db, b.sql, b.args, b.nargs, &state);
    sqlbuf_release(&b);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return OP_NOT_FOUND;
    return open && state != 1 ? OP_CONFLICT : 0;
}

/* task_check, then a form over in (messages into errors) when it passes. */
static int task_form(struct db *db, const struct actor *a, int64_t id, bool open, json_t *in,
                     json_t *errors, struct form *f)
{
    int rc = task_check(db, a, id, open);
    if (!rc)
        form_init_json(f, in, a->lang, errors);
    return rc;
}

/* Open a change of task id: the transaction and the statement sql (args
 * bound). OP_STALE when it changed nothing (a version moved). */
static int change_begin(struct db *db, const char *sql, const struct db_val *args, int nargs)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db, sql, args, nargs);
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    if (rc)
        db_rollback(db);
    return rc;
}

/* Close a change opened by change_begin (rc its answer so far): event
 * "task.changed" ({"action"}), the audit entry (detail stolen), commit;
 * or roll back. */
static int change_end(struct db *db, const struct actor *a, int64_t id, int rc, bool open,
                      const char *action, json_t *detail)
{
    if (!rc)
        rc = events_publish(db, "task.changed", "task", id, a->id,
                            json_pack("{s:s}", "action", action));
    if (!rc)
        rc = actor_audit(db, a, action, "task", id, detail);
    else
        json_decref(detail);
    if (!rc)
        rc = db_commit(db);
    if (rc && open)
        db_rollback(db);
    return rc;
}

/* A whole change: the statement, the event and the audit entry. */
static int change(struct db *db, const struct actor *a, int64_t id, const char *sql,
                  const struct db_val *args, int nargs, const char *action, json_t *detail)
{
    int rc = change_begin(db, sql, args, nargs);
    return change_end(db, a, id, rc, rc == 0, action, detail);
}

int task_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    struct form f;
    int rc = task_form(db, a, id, false, in, errors, &f);
    if (rc)
        return rc;
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
    if (!form_ok(&f))
        return OP_INVALID;
    return change(db, a, id,
                  "UPDATE tasks SET title = COALESCE(?, title), due_at = COALESCE(?, due_at), "
                  "priority = COALESCE(?, priority), note = COALESCE(?, note), "
                  "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                  DB_ARGS(DB_TEXT(title), DB_INT_OR_NULL(due != NULL, due_at), DB_TEXT(priority),
                          DB_TEXT(note), DB_INT(clock_now()), DB_INT(id), DB_INT(version)),
                  "task.update", NULL);
}

/* Closing an open task, by hand (task_close) or by the system inside its
 * own transaction (task_finish): one statement for both. */
static const char close_sql[] =
    "UPDATE tasks SET status = ?, outcome = ?, completed_at = ?, completed_by = ?, "
    "assignee_id = COALESCE(assignee_id, ?), version = version + 1, "
    "updated_at = ? WHERE id = ? AND status = 'open'";
#define CLOSE_ARGS(a, id, done, outcome, now)                                                      \
    DB_ARGS(DB_TEXT((done) ? "done" : "cancelled"), DB_TEXT(outcome), DB_INT(now),                 \
            DB_INT_OR_NULL((a)->id, (a)->id), DB_INT_OR_NULL((a)->id, (a)->id), DB_INT(now),       \
            DB_INT(id))

int task_close(struct db *db, const struct actor *a, int64_t id, bool done, json_t *in,
               json_t *errors)
{
    struct form f;
    int rc = task_form(db, a, id, true, in, errors, &f);
    if (rc)
        return rc;
    const char *outcome = form_str(&f, "outcome", done, 500);
    if (!form_ok(&f))
        return OP_INVALID;
    return change(db, a, id, close_sql, CLOSE_ARGS(a, id, done, outcome, clock_now()),
                  done ? "task.complete" : "task.cancel", NULL);
}

int task_finish(struct db *db, const struct actor *a, int64_t id, const char *outcome)
{
    int rc = db_exec(db, close_sql, CLOSE_ARGS(a, id, true, outcome, clock_now()));
    if (rc || db_changes(db) == 0)
        return rc; /* closed by hand before: the person's outcome stands */
    rc = events_publish(db, "task.changed", "task", id, a->id,
                        json_pack("{s:s}", "action", "task.complete"));
    if (!rc)
        rc = actor_audit(db, a, "task.complete", "task", id, NULL);
    return rc;
}

int task_snooze(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    struct form f;
    int rc = task_form(db, a, id, true, in, errors, &f);
    if (rc)
        return rc;
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
    if (!form_ok(&f))
        return OP_INVALID;
    if (!until)
        due = clock_now() + days * 86400 + hours * 3600;
    return change(db, a, id,
                  "UPDATE tasks SET due_at = ?, version = version + 1, updated_at = ? "
                  "WHERE id = ?",
                  DB_ARGS(DB_INT(due), DB_INT(clock_now()), DB_INT(id)), "task.snooze", NULL);
}

int task_assign(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    struct form f;
    int rc = task_form(db, a, id, true, in, errors, &f);
    if (rc)
        return rc;
    int64_t assignee = 0;
    form_int(&f, "assignee_id", true, &assignee);
    struct actor target = {0};
    if (assignee &&
        (session_load_user(db, assignee, &target) != 1 || !scope_contains(a, target.branch_path)))
        form_fail(&f, "assignee_id", "field.unknown_assignee");
    if (!form_ok(&f))
        return OP_INVALID;
    /* The task moves to the new assignee's branch, path included: the team
     * views (scoped on branch_path) then follow it. An assignee without a
     * branch leaves both as they were. */
    bool moves = target.branch_id && target.branch_path[0];
    json_t *t = task_json(db, id);
    rc = change_begin(db,
                      "UPDATE tasks SET assignee_id = ?, branch_id = COALESCE(?, branch_id), "
                      "branch_path = COALESCE(?, branch_path), version = version + 1, "
                      "updated_at = ? WHERE id = ?",
                      DB_ARGS(DB_INT(assignee), DB_INT_OR_NULL(moves, target.branch_id),
                              DB_TEXT(moves ? target.branch_path : NULL), DB_INT(clock_now()),
                              DB_INT(id)));
    bool open = rc == 0;
    if (!rc)
        rc = notify_assigned(db, assignee, id, json_string_value(json_object_get(t, "title")));
    json_decref(t);
    return change_end(db, a, id, rc, open, "task.assign",
                      json_pack("{s:I}", "assignee_id", (json_int_t)assignee));
}
