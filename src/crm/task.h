/*
 * task.h - the to-do list (待办事项): follow-ups, promises to call back,
 * reminders; views today / overdue / next 7 days / done with counts, snooze,
 * reassignment, a supervisor's view of the team.
 */
#ifndef HY_TASK_H
#define HY_TASK_H

#include "auth/actor.h"
#include "crm/subject.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

struct task_new {
    const char *title;
    int64_t customer_id;   /* 0: none */
    int64_t enterprise_id; /* 0: none */
    int64_t due_at;
    int64_t assignee_id; /* 0: the branch's queue */
    int64_t branch_id;
    const char *branch_path;
    const char *priority;   /* NULL: normal */
    const char *source;     /* manual, follow_up, reminder */
    const char *source_ref; /* unique key, or NULL */
    int64_t rule_id, interaction_id, created_by;
    const char *note;
    bool quiet; /* the caller rings the assignee's bell itself */
};

/*
 * Operations (see core/op.h): each runs in its own transaction with its
 * audit entry and event, and answers 0, a negative DB_* or an enum
 * op_result with field messages (a's language) in errors.
 */
/* Create a task from in: "title", "due_at" (ISO time, or a date: nine that
 * morning), "priority" (low, normal, high), "note", "customer_id" (one a
 * sees), "assignee_id" (a itself unless a supervisor gives it to staff in
 * scope). Sets *id. Audit "task.create", event "task.created". */
int task_insert(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors);
/* The same for a task on s's enterprise (checked by the caller): no
 * "customer_id"; without "assignee_id" it goes to s->owner_id (the
 * enterprise's account manager), else as for task_insert. */
int task_insert_about(struct db *db, const struct actor *a, const struct crm_subject *s, json_t *in,
                      int64_t *id, json_t *errors);
/* Edit task id (one a may act on, else OP_NOT_FOUND): "title", "due_at",
 * "priority", "note" as for task_insert, "version" required (OP_STALE when
 * it moved). Audit "task.update", event "task.changed". */
int task_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);
/* Complete (done; "outcome" required) or cancel an open task (else
 * OP_CONFLICT). Audit "task.complete" / "task.cancel". */
int task_close(struct db *db, const struct actor *a, int64_t id, bool done, json_t *in,
               json_t *errors);
/* In the caller's transaction: complete open task id with outcome as a
 * (the system closing a to-do it opened once its cause went away), publish
 * "task.changed" and audit "task.complete". 0 and nothing changed when the
 * task is no longer open; else 0 or negative DB_*. */
int task_finish(struct db *db, const struct actor *a, int64_t id, const char *outcome);
/* Move an open task's due time: "until" (ISO time or date), or "days" /
 * "hours" from now. Audit "task.snooze". */
int task_snooze(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);
/* Give an open task to "assignee_id" (staff in a's scope); the task moves
 * to their branch, and they are told. Audit "task.assign". */
int task_assign(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);

/* In the caller's transaction: insert a task (the assignee, when not a,
 * told through the bell) and publish "task.created" ({"customer_id"} or
 * {"enterprise_id"});
 * *id is 0 when source_ref already exists (nothing made). No audit. */
int task_add(struct db *db, const struct actor *a, const struct task_new *t, int64_t *id);

#define TASK_COLUMNS                                                                               \
    "t.id, t.title, t.customer_id, c.name AS customer_name, c.customer_no, t.due_at, "             \
    "t.assignee_id, a.name AS assignee_name, t.branch_id, t.priority, t.status, t.source, "        \
    "t.rule_id, t.interaction_id, t.note, t.outcome, t.completed_at, t.version, t.created_at, "    \
    "t.updated_at, t.enterprise_id, e.name AS enterprise_name"
/* A task's enterprise is named by the table migration 0020 made; crm
 * reads its name, nothing of its rules. */
#define TASK_FROM                                                                                  \
    "tasks t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN users a ON "                  \
    "a.id = t.assignee_id LEFT JOIN enterprises e ON e.id = t.enterprise_id"
/* The task in the current row of a TASK_COLUMNS query, as the API shows it
 * (r: the caller, may be NULL). */
json_t *task_row(struct db_stmt *st, struct req *r);
/* The task as the API shows it, or NULL. */
json_t *task_json(struct db *db, int64_t id);
/* Append the condition "a may see task t": assignee, the branch queue, or
 * (team and a supervisor) every task in a's scope. */
void task_visible_sql(const struct actor *a, struct sqlbuf *b, bool team);
/* The web UI's address of one task, followed by its id: the tasks page
 * opens the task it names. Notifications about a task link there. */
#define TASK_LINK "/tasks?task="

/* Tell a user about something in the app, in the caller's transaction:
 * the bell, and the channels the user chose for kind (notify_user of
 * notify/notify.h, without a de-duplication key). */
int notification_add(struct db *db, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link);

extern const struct route tasks_routes[];

#endif
