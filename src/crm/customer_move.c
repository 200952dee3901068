/*
 * customer_move.c - what follows a customer to another branch (issue 13,
 * finding 3): its business records, its tasks and the bell.
 *
 * Done in the move's own transaction rather than by a consumer of its
 * "customer.changed" event: until the consumer ran (a second later at
 * best, much later when the scheduler is behind or another process
 * leads), the old branch's staff would still hold the customer's tasks
 * and open its data from their notifications, and the answer to the move
 * could not say where its tasks went. A rollback of the move undoes the
 * hand-over with it.
 */
#include "crm/customer_int.h"

#include "auth/actor.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "crm/task.h"
#include "db/db.h"
#include "record/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether user_id (active) may still see a customer at path. */
static int sees(struct db *db, int64_t user_id, const char *path)
{
    struct actor u = {0};
    int rc = session_load_user(db, user_id, &u);
    if (rc < 0)
        return rc;
    return rc == 1 && scope_contains(&u, path);
}

/* Task task_id leaves assignee `from` (who no longer sees its customer)
 * for `to` (0: the queue of the customer's new branch): the task's
 * history is its audit entry and a "task.changed" event, as for a
 * reassignment by hand; the new assignee is told through the bell, and a
 * reminder e-mail or SMS not yet sent to the old one is withdrawn. */
static int hand_over(struct db *db, const struct actor *a, int64_t task_id, int64_t from,
                     int64_t to, int64_t branch_id, const char *title)
{
    int rc = db_exec(
        db,
        "UPDATE tasks SET assignee_id = ?, branch_id = ?, version = version + 1, "
        "updated_at = ? WHERE id = ?",
        DB_ARGS(DB_INT_OR_NULL(to, to), DB_INT(branch_id), DB_INT(clock_now()), DB_INT(task_id)));
    char key[40], link[48];
    snprintf(key, sizeof(key), "task:%lld", (long long)task_id);
    snprintf(link, sizeof(link), TASK_LINK "%lld", (long long)task_id);
    if (!rc)
        rc = db_exec(db, "DELETE FROM outbox WHERE dedupe_key = ? AND status = 'pending'",
                     DB_ARGS(DB_TEXT(key)));
    if (!rc && to)
        rc = notification_add(db, to, "task.assigned", title, NULL, link);
    if (!rc)
        rc = events_publish(db, "task.changed", "task", task_id, a->id,
                            json_pack("{s:s}", "action", "task.assign"));
    if (!rc)
        rc = actor_audit(db, a, "task.assign", "task", task_id,
                         json_pack("{s:o,s:I,s:s}", "assignee_id",
                                   to ? json_integer(to) : json_null(), "from", (json_int_t)from,
                                   "reason", "customer_moved"));
    return rc;
}

/* The open tasks of customer id: a queue task goes to the queue of the new
 * branch; a task whose assignee no longer sees the customer goes to its
 * owner (who belongs to the new branch's line, customer_check), or to the
 * new branch's queue when it has none. Assignees who still see it (staff
 * above both branches) keep theirs. */
static int move_tasks(struct db *db, const struct actor *a, int64_t id, int64_t branch_id,
                      const char *path, int64_t owner)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT id, COALESCE(assignee_id, 0), title FROM tasks "
                                  "WHERE customer_id = ? AND status = 'open' ORDER BY id",
                                  DB_ARGS(DB_INT(id)));
    if (!st)
        return DB_ERROR;
    /* Read them all first: the hand-over writes to the same table. */
    size_t n = 0, cap = 8;
    struct open_task {
        int64_t id, assignee;
        char title[128];
    } *tasks = xmalloc(cap * sizeof(*tasks));
    int rc;
    while ((rc = db_step(st)) == 1) {
        if (n == cap)
            tasks = xrealloc(tasks, (cap *= 2) * sizeof(*tasks));
        tasks[n].id = db_col_int(st, 0);
        tasks[n].assignee = db_col_int(st, 1);
        snprintf(tasks[n].title, sizeof(tasks[n].title), "%s", db_col_text(st, 2));
        n++;
    }
    db_finish(st);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        const struct open_task *t = &tasks[i];
        if (!t->assignee) {
            rc = db_exec(db, "UPDATE tasks SET branch_id = ? WHERE id = ?",
                         DB_ARGS(DB_INT(branch_id), DB_INT(t->id)));
            continue;
        }
        rc = sees(db, t->assignee, path);
        if (rc == 0)
            rc = hand_over(db, a, t->id, t->assignee, owner, branch_id, t->title);
    }
    free(tasks);
    return rc < 0 ? rc : 0;
}

/* The bell's notifications about the customer's tasks, for everyone who
 * no longer sees the customer: withdrawn, since their titles may name the
 * customer (reminder titles are filled with its name). */
static int withdraw_notifications(struct db *db, int64_t id, const char *path)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT n.id, n.user_id FROM tasks t JOIN notifications n ON "
                                  "n.link = ? || t.id WHERE t.customer_id = ?",
                                  DB_ARGS(DB_TEXT(TASK_LINK), DB_INT(id)));
    if (!st)
        return DB_ERROR;
    int rc;
    size_t n = 0, cap = 16;
    int64_t *gone = xmalloc(cap * sizeof(*gone));
    while ((rc = db_step(st)) == 1) {
        int seen = sees(db, db_col_int(st, 1), path);
        if (seen < 0) {
            rc = seen;
            break;
        }
        if (seen)
            continue;
        if (n == cap)
            gone = xrealloc(gone, (cap *= 2) * sizeof(*gone));
        gone[n++] = db_col_int(st, 0);
    }
    db_finish(st);
    for (size_t i = 0; rc >= 0 && i < n; i++)
        rc = db_exec(db, "DELETE FROM notifications WHERE id = ?", DB_ARGS(DB_INT(gone[i])));
    free(gone);
    return rc < 0 ? rc : 0;
}

int customer_follow_move(struct db *db, const struct actor *a, int64_t id, json_t *rec)
{
    const char *path = json_string_value(json_object_get(rec, "branch_path"));
    int64_t branch_id = json_integer_value(json_object_get(rec, "branch_id"));
    int64_t owner = json_integer_value(json_object_get(rec, "owner_id"));
    /* The branch that handled a record stays its branch_id, a fact of the
     * past; who sees it follows the customer. */
    int rc = db_exec(db, "UPDATE interactions SET branch_path = ? WHERE customer_id = ?",
                     DB_ARGS(DB_TEXT(path), DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "UPDATE tasks SET branch_path = ? WHERE customer_id = ?",
                     DB_ARGS(DB_TEXT(path), DB_INT(id)));
    if (!rc)
        rc = move_tasks(db, a, id, branch_id, path, owner);
    if (!rc)
        rc = withdraw_notifications(db, id, path);
    return rc;
}
