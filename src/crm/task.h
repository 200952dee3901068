/*
 * task.h - the to-do list (待办事项): follow-ups, promises to call back,
 * reminders; views today / overdue / next 7 days / done with counts, snooze,
 * reassignment, a supervisor's view of the team.
 */
#ifndef HY_TASK_H
#define HY_TASK_H

#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

struct task_new {
    const char *title;
    int64_t customer_id; /* 0: none */
    int64_t due_at;
    int64_t assignee_id; /* 0: the branch's queue */
    int64_t branch_id;
    const char *branch_path;
    const char *priority;   /* NULL: normal */
    const char *source;     /* manual, follow_up, reminder */
    const char *source_ref; /* unique key, or NULL */
    int64_t rule_id, interaction_id, created_by;
    const char *note;
};

/* Insert a task; *id is 0 when source_ref already exists (nothing made). */
int task_insert(struct db *db, const struct task_new *t, int64_t *id);
/* The task as the API shows it, or NULL. */
json_t *task_json(struct db *db, int64_t id);
/* The web UI's address of one task, followed by its id: the tasks page
 * opens the task it names. Notifications about a task link there. */
#define TASK_LINK "/tasks?task="

/* Tell a user about something in the app (the bell), in the caller's
 * transaction. */
int notification_add(struct db *db, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link);

extern const struct route tasks_routes[];

#endif
