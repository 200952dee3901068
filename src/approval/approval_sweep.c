/*
 * approval_sweep.c - reminders and deadlines of pending approvals, on the
 * scheduler: half-way to a step's deadline (business time) its undecided
 * approvers are reminded; past it, each undecided approver's supervisor
 * joins the step in their place (like a ticket's SLA escalation). Each
 * happens once per request and step across restarts and servers: the
 * scheduler_claim row commits with its notifications.
 */
#include "approval/approval.h"
#include "approval/approval_int.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/events.h"
#include "core/scheduler.h"
#include "db/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SWEEP_BATCH 100

/* The supervisor of user uid: the first active supervisor of the nearest
 * branch at or above uid's own (strictly above when uid is a supervisor),
 * else an administrator (not uid); 0 when there is none. */
static int supervisor_of(struct db *db, int64_t uid, int64_t *sup)
{
    *sup = 0;
    struct db_stmt *st;
    char path[256] = "";
    bool head = false;
    int rc = db_query_row(db, &st,
                          "SELECT COALESCE(b.path, ''), u.role FROM users u LEFT JOIN branches b "
                          "ON b.id = u.branch_id WHERE u.id = ?",
                          DB_ARGS(DB_INT(uid)));
    if (rc < 0)
        return rc;
    if (rc == 1) {
        snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
        head = strcmp(db_col_text(st, 1), "supervisor") == 0;
        db_finish(st);
    }
    st = db_query(db,
                  "SELECT u.id, b.path FROM users u JOIN branches b ON b.id = u.branch_id WHERE "
                  "u.role = 'supervisor' AND u.status = 'active' AND u.id <> ? AND b.path <> '' "
                  "ORDER BY length(b.path) DESC, u.id",
                  DB_ARGS(DB_INT(uid)));
    if (!st)
        return DB_ERROR;
    while (*path && (rc = db_step(st)) == 1) {
        const char *p = db_col_text(st, 1);
        /* a supervisor's supervisor heads a branch above theirs, not a peer */
        if (strncmp(path, p, strlen(p)) == 0 && (!head || strlen(p) < strlen(path))) {
            *sup = db_col_int(st, 0);
            break;
        }
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    if (*sup)
        return 0;
    rc = db_query_int(db,
                      "SELECT id FROM users WHERE role = 'admin' AND status = 'active' AND id <> ? "
                      "ORDER BY id LIMIT 1",
                      DB_ARGS(DB_INT(uid)), sup);
    return rc < 0 ? rc : 0;
}

struct due {
    int64_t id, step, remind_at, due_at;
    char flow[64];
};

/* The undecided approvers of d's step (escalated ones too when all). */
static json_t *undecided(struct db *db, const struct due *d, bool escalated)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT user_id FROM approval_assignees WHERE request_id = ? "
                                  "AND step = ? AND decision IS NULL AND (escalated = 0 OR ? = 1) "
                                  "ORDER BY user_id",
                                  DB_ARGS(DB_INT(d->id), DB_INT(d->step), DB_INT(escalated)));
    if (!st)
        return NULL;
    json_t *ids = json_array();
    int rc;
    while ((rc = db_step(st)) == 1)
        json_array_append_new(ids, json_integer(db_col_int(st, 0)));
    db_finish(st);
    if (rc < 0) {
        json_decref(ids);
        return NULL;
    }
    return ids;
}

/* Run fn for each undecided approver of d's step (escalated ones too when
 * with_escalated): 0, or the first failure. */
static int each_undecided(struct db *db, const struct due *d, const char *name, bool with_escalated,
                          int (*fn)(struct db *, const struct due *, const char *, int64_t))
{
    json_t *ids = undecided(db, d, with_escalated);
    if (!ids)
        return DB_ERROR;
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if ((rc = fn(db, d, name, json_integer_value(v))))
            break;
    }
    json_decref(ids);
    return rc;
}

static int remind_one(struct db *db, const struct due *d, const char *name, int64_t uid)
{
    char dedupe[80];
    snprintf(dedupe, sizeof(dedupe), "approval-remind:%" PRId64 ":%" PRId64 ":%" PRId64, d->id,
             d->step, uid);
    return approval_tell(db, uid, d->id, "approval.pending", "approval.told_reminder", name,
                         dedupe);
}

/* uid's supervisor joins the step in uid's slot, told, on the timeline. */
static int escalate_one(struct db *db, const struct due *d, const char *name, int64_t uid)
{
    int64_t sup = 0;
    int rc = supervisor_of(db, uid, &sup);
    if (rc || !sup)
        return rc; /* an administrator has nobody above */
    rc = db_exec(db,
                 "INSERT INTO approval_assignees (request_id, step, user_id, slot_user, "
                 "escalated) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                 DB_ARGS(DB_INT(d->id), DB_INT(d->step), DB_INT(sup), DB_INT(uid)));
    char dedupe[80];
    snprintf(dedupe, sizeof(dedupe), "approval-escalate:%" PRId64 ":%" PRId64 ":%" PRId64, d->id,
             d->step, sup);
    if (!rc)
        rc = approval_tell(db, sup, d->id, "approval.pending", "approval.told_escalated", name,
                           dedupe);
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO approval_decisions (request_id, step, approver_id, "
                     "decision, comment, created_at) VALUES (?, ?, ?, 'escalate', '', ?)",
                     DB_ARGS(DB_INT(d->id), DB_INT(d->step), DB_INT(sup), DB_INT(clock_now())));
    return rc;
}

static int remind(struct db *db, const struct due *d, const char *name)
{
    int rc = each_undecided(db, d, name, true, remind_one);
    return rc ? rc
              : db_exec(db, "UPDATE approval_requests SET remind_at = NULL WHERE id = ?",
                        DB_ARGS(DB_INT(d->id)));
}

static int escalate(struct db *db, const struct due *d, const char *name)
{
    int rc = each_undecided(db, d, name, false, escalate_one);
    if (!rc)
        rc =
            db_exec(db, "UPDATE approval_requests SET due_at = NULL, remind_at = NULL WHERE id = ?",
                    DB_ARGS(DB_INT(d->id)));
    if (!rc)
        rc = actor_audit(db, &actor_system, "approval.escalate", "approval", d->id,
                         json_pack("{s:I}", "step", (json_int_t)d->step));
    if (!rc)
        rc = events_publish(db, "approval.escalated", "approval", d->id, 0,
                            json_pack("{s:I,s:s}", "step", (json_int_t)d->step, "flow", d->flow));
    return rc;
}

/* One request's due work in its own transaction: 1 done, 0 another server
 * did it, <0. */
static int handle(struct db *db, const struct due *d, int64_t now)
{
    bool late = d->due_at && d->due_at <= now;
    const char *kind = late ? "approval.escalate" : "approval.remind";
    char subject[48], name[200];
    snprintf(subject, sizeof(subject), "%" PRId64 ":%" PRId64, d->id, d->step);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = scheduler_claim(db, kind, subject, late ? d->due_at : d->remind_at);
    int claimed = rc;
    if (rc == 1)
        rc = approval_flow_name(db, d->flow, name, sizeof(name));
    if (!rc && claimed == 1)
        rc = late ? escalate(db, d, name) : remind(db, d, name);
    if (!rc && claimed == 0)
        /* done elsewhere: stop finding it */
        rc = db_exec(db,
                     late ? "UPDATE approval_requests SET due_at = NULL, remind_at = NULL "
                            "WHERE id = ? AND step = ?"
                          : "UPDATE approval_requests SET remind_at = NULL WHERE id = ? AND "
                            "step = ?",
                     DB_ARGS(DB_INT(d->id), DB_INT(d->step)));
    rc = db_end(db, rc < 0 ? rc : 0);
    return rc ? rc : claimed;
}

int approval_sweep(struct db *db)
{
    int64_t now = clock_now();
    struct db_stmt *st = db_query(db,
                                  "SELECT id, step, COALESCE(remind_at, 0), COALESCE(due_at, 0), "
                                  "flow_key FROM approval_requests WHERE status = 'pending' AND "
                                  "(due_at <= ? OR remind_at <= ?) ORDER BY id LIMIT ?",
                                  DB_ARGS(DB_INT(now), DB_INT(now), DB_INT(SWEEP_BATCH)));
    if (!st)
        return DB_ERROR;
    struct due due[SWEEP_BATCH];
    int n = 0, rc = 0;
    while (n < SWEEP_BATCH && (rc = db_step(st)) == 1) {
        struct due *d = &due[n++];
        d->id = db_col_int(st, 0);
        d->step = db_col_int(st, 1);
        d->remind_at = db_col_int(st, 2);
        d->due_at = db_col_int(st, 3);
        snprintf(d->flow, sizeof(d->flow), "%s", db_col_text(st, 4));
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    int done = 0;
    for (int i = 0; i < n; i++) {
        rc = handle(db, &due[i], now);
        if (rc < 0) {
            log_warn("approval %" PRId64 ": reminder or escalation failed (%d)", due[i].id, rc);
            return rc;
        }
        done += rc;
    }
    return done;
}
