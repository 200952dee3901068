/*
 * ticket_sla.c - the SLA clocks of tickets: policies, due instants on the
 * business calendar or 7x24, the sweep that records breaches and climbs
 * the escalation ladder, and round-robin assignment of the queue.
 *
 * A ticket's next_due_at holds the next instant anything can happen to
 * it (a deadline, or the next step of its ladder after one); the sweep
 * reads the range next_due_at <= now of a partial index, never the
 * closed tickets. Each breach and step is a row unique on (ticket,
 * target, step), inserted in the transaction of its notification: a
 * restart that repeats a sweep, or a second server on the same
 * PostgreSQL database, finds the row and tells nobody twice. Step 0 is
 * the breach itself (told to the assignee); steps 1.. are the ladder the
 * admin keeps (ticket_escalation_steps).
 */
#include "service/ticket.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/events.h"
#include "core/scheduler.h"
#include "core/workcal.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ticket_sla_policy(struct db *db, const char *tier, const char *priority, int64_t *fr,
                      int64_t *res, char calendar[16])
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT first_response_minutes, resolution_minutes, calendar "
                          "FROM sla_policies WHERE tier = ? AND priority = ?",
                          DB_ARGS(DB_TEXT(tier), DB_TEXT(priority)));
    if (rc != 1)
        return rc < 0 ? rc : DB_ERROR;
    *fr = db_col_int(st, 0);
    *res = db_col_int(st, 1);
    snprintf(calendar, 16, "%s", db_col_text(st, 2));
    db_finish(st);
    return 0;
}

int ticket_sla_due(struct db *db, const char *calendar, int64_t start, int64_t secs, int64_t *due)
{
    if (strcmp(calendar, "business") == 0)
        return workcal_add(db, start, secs, due);
    *due = secs > 0 ? start + secs : start;
    return 0;
}

int ticket_sla_between(struct db *db, const char *calendar, int64_t a, int64_t b, int64_t *secs)
{
    if (strcmp(calendar, "business") == 0)
        return workcal_between(db, a, b, secs);
    *secs = b > a ? b - a : 0;
    return 0;
}

/* What the sweep reads of a ticket. */
struct due {
    int64_t id, fr_due, fr_at, res_due, resolved_at, paused_at, assignee, supervisor;
    char status[24], branch_path[256];
};

static int read_due(struct db *db, int64_t id, struct due *d)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT t.status, COALESCE(t.first_response_due_at, 0), "
                          "COALESCE(t.first_response_at, 0), COALESCE(t.resolution_due_at, 0), "
                          "COALESCE(t.resolved_at, 0), COALESCE(t.paused_at, 0), "
                          "COALESCE(t.assignee_id, 0), COALESCE(e.supervisor_id, 0), "
                          "t.branch_path FROM tickets t "
                          "LEFT JOIN enterprises e ON e.id = t.enterprise_id WHERE t.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    d->id = id;
    snprintf(d->status, sizeof(d->status), "%s", db_col_text(st, 0));
    d->fr_due = db_col_int(st, 1);
    d->fr_at = db_col_int(st, 2);
    d->res_due = db_col_int(st, 3);
    d->resolved_at = db_col_int(st, 4);
    d->paused_at = db_col_int(st, 5);
    d->assignee = db_col_int(st, 6);
    d->supervisor = db_col_int(st, 7);
    snprintf(d->branch_path, sizeof(d->branch_path), "%s", db_col_text(st, 8));
    db_finish(st);
    return 1;
}

static bool running(const struct due *d)
{
    return !d->paused_at && strcmp(d->status, "resolved") != 0 && strcmp(d->status, "closed") != 0;
}

/* The next step of target's ladder not taken yet (step 0: the breach, at
 * the deadline): 1 with *step and *at, 0 when every step is taken. */
static int next_step(struct db *db, int64_t id, const char *target, int64_t due, int64_t *step,
                     int64_t *at)
{
    int64_t done = 0;
    int rc = db_query_int(db,
                          "SELECT 1 FROM ticket_escalations WHERE ticket_id = ? AND target = ? "
                          "AND step = 0",
                          DB_ARGS(DB_INT(id), DB_TEXT(target)), &done);
    if (rc < 0)
        return rc;
    if (!done) {
        *step = 0;
        *at = due;
        return 1;
    }
    struct db_stmt *st;
    rc = db_query_row(db, &st,
                      "SELECT s.step, s.delay_minutes FROM ticket_escalation_steps s "
                      "WHERE NOT EXISTS (SELECT 1 FROM ticket_escalations x WHERE x.ticket_id = ? "
                      "AND x.target = ? AND x.step = s.step) ORDER BY s.step LIMIT 1",
                      DB_ARGS(DB_INT(id), DB_TEXT(target)));
    if (rc != 1)
        return rc;
    *step = db_col_int(st, 0);
    *at = due + db_col_int(st, 1) * 60;
    db_finish(st);
    return 1;
}

int ticket_sla_rearm(struct db *db, int64_t id)
{
    struct due d;
    int rc = read_due(db, id, &d);
    if (rc != 1)
        return rc < 0 ? rc : DB_ERROR;
    int64_t next = 0, step, at;
    if (running(&d) && !d.fr_at && d.fr_due) {
        rc = next_step(db, id, "first_response", d.fr_due, &step, &at);
        if (rc < 0)
            return rc;
        if (rc == 1)
            next = at;
    }
    if (running(&d) && !d.resolved_at && d.res_due) {
        rc = next_step(db, id, "resolution", d.res_due, &step, &at);
        if (rc < 0)
            return rc;
        if (rc == 1 && (!next || at < next))
            next = at;
    }
    return db_exec(db, "UPDATE tickets SET next_due_at = ? WHERE id = ?",
                   DB_ARGS(DB_INT_OR_NULL(next, next), DB_INT(id)));
}

/* The branch head: the first active supervisor of the ticket's branch or,
 * when it has none, of the nearest branch above it. */
static int branch_head(struct db *db, const char *path, int64_t *user)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT u.id, b.path FROM users u JOIN branches b ON "
                                  "b.id = u.branch_id WHERE u.role = 'supervisor' AND u.status = "
                                  "'active' AND b.path <> '' ORDER BY length(b.path) DESC, u.id",
                                  DB_NOARGS);
    if (!st)
        return DB_ERROR;
    int rc;
    *user = 0;
    while ((rc = db_step(st)) == 1) {
        const char *p = db_col_text(st, 1);
        if (strncmp(path, p, strlen(p)) == 0) {
            *user = db_col_int(st, 0);
            break;
        }
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* Who step's target names for ticket d; the branch head when the target
 * is nobody (no supervisor on the enterprise). */
static int resolve_target(struct db *db, const struct due *d, int64_t step, int64_t *user)
{
    *user = 0;
    char target[32] = "assignee";
    if (step > 0) {
        struct db_stmt *st;
        int rc = db_query_row(db, &st, "SELECT target FROM ticket_escalation_steps WHERE step = ?",
                              DB_ARGS(DB_INT(step)));
        if (rc < 0)
            return rc;
        if (rc == 1) {
            snprintf(target, sizeof(target), "%s", db_col_text(st, 0));
            db_finish(st);
        }
    }
    if (strcmp(target, "assignee") == 0)
        *user = d->assignee;
    else if (strcmp(target, "enterprise_supervisor") == 0)
        *user = d->supervisor;
    return *user ? 0 : branch_head(db, d->branch_path, user);
}

/* Take every step of target whose instant has passed by now. */
static int climb(struct db *db, const struct due *d, const char *target, int64_t due, int64_t now,
                 int *made)
{
    for (;;) {
        int64_t step, at, user, row = 0;
        int rc = next_step(db, d->id, target, due, &step, &at);
        if (rc <= 0 || at > now)
            return rc < 0 ? rc : 0;
        rc = resolve_target(db, d, step, &user);
        if (!rc)
            rc = db_query_int(db,
                              "INSERT INTO ticket_escalations (ticket_id, target, step, user_id, "
                              "escalated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                              "RETURNING step + 1",
                              DB_ARGS(DB_INT(d->id), DB_TEXT(target), DB_INT(step),
                                      DB_INT_OR_NULL(user, user), DB_INT(now)),
                              &row);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return 0; /* taken meanwhile (another server): nothing to tell */
        (*made)++;
        bool fr = strcmp(target, "first_response") == 0;
        json_t *detail = json_pack("{s:s,s:I,s:I}", "target", target, "step", (json_int_t)step,
                                   "user_id", (json_int_t)user);
        char dedupe[96];
        snprintf(dedupe, sizeof(dedupe), "ticket:%lld:%s:%lld", (long long)d->id, target,
                 (long long)step);
        if (step == 0) {
            rc = db_exec(db,
                         fr ? "UPDATE tickets SET first_response_breached_at = ? WHERE id = ?"
                            : "UPDATE tickets SET resolution_breached_at = ? WHERE id = ?",
                         DB_ARGS(DB_INT(now), DB_INT(d->id)));
            if (!rc)
                rc = ticket_entry(db, &actor_system, d->id, "breached", "", json_incref(detail));
            if (!rc)
                rc = ticket_tell(db, d->id, user, "ticket.breached",
                                 fr ? "ticket.notify_breach_fr" : "ticket.notify_breach_res",
                                 dedupe);
        } else {
            rc = ticket_entry(db, &actor_system, d->id, "escalated", "", json_incref(detail));
            if (!rc)
                rc = ticket_tell(db, d->id, user, "ticket.escalated",
                                 fr ? "ticket.notify_escalated_fr" : "ticket.notify_escalated_res",
                                 dedupe);
            if (!rc)
                rc = actor_audit(db, &actor_system, "ticket.escalate", "ticket", d->id,
                                 json_incref(detail));
            if (!rc)
                rc =
                    events_publish(db, "ticket.escalated", "ticket", d->id, 0, json_incref(detail));
        }
        json_decref(detail);
        if (rc)
            return rc;
    }
}

static int sweep_one(struct db *db, int64_t id, int64_t now, int *made)
{
    struct due d;
    int rc = read_due(db, id, &d);
    if (rc <= 0)
        return rc;
    if (running(&d) && !d.fr_at && d.fr_due)
        rc = climb(db, &d, "first_response", d.fr_due, now, made);
    if (!rc && running(&d) && !d.resolved_at && d.res_due)
        rc = climb(db, &d, "resolution", d.res_due, now, made);
    return rc ? rc : ticket_sla_rearm(db, id);
}

#define SWEEP_BATCH 128

int ticket_sla_sweep(struct db *db)
{
    int64_t now = clock_now();
    int made = 0;
    int64_t ids[SWEEP_BATCH];
    for (;;) {
        int n = 0, rc = 0;
        struct db_stmt *st = db_query(
            db, "SELECT id FROM tickets WHERE next_due_at <= ? ORDER BY next_due_at LIMIT ?",
            DB_ARGS(DB_INT(now), DB_INT(SWEEP_BATCH)));
        if (!st)
            return DB_ERROR;
        while (n < SWEEP_BATCH && (rc = db_step(st)) == 1)
            ids[n++] = db_col_int(st, 0);
        db_finish(st);
        if (rc < 0)
            return rc;
        if (!n)
            break;
        rc = db_begin(db);
        for (int i = 0; !rc && i < n; i++)
            rc = sweep_one(db, ids[i], now, &made);
        rc = db_end(db, rc);
        if (rc)
            return rc;
        if (n < SWEEP_BATCH || scheduler_stopping())
            break;
    }
    return made;
}

/* ---- round-robin ---- */

static int64_t queue_wait(void)
{
    const char *s = getenv("HONGYAN_TICKET_QUEUE_SECONDS");
    long long v = s ? strtoll(s, NULL, 10) : 300;
    return v >= 0 ? v : 300;
}

int ticket_round_robin(struct db *db)
{
    int64_t now = clock_now(), ids[64], branches[64];
    int n = 0, rc = 0, made = 0;
    struct db_stmt *st = db_query(db,
                                  "SELECT id, branch_id FROM tickets WHERE assignee_id IS NULL "
                                  "AND status IN ('new', 'reopened') AND created_at <= ? "
                                  "ORDER BY created_at, id LIMIT 64",
                                  DB_ARGS(DB_INT(now - queue_wait())));
    if (!st)
        return DB_ERROR;
    while (n < 64 && (rc = db_step(st)) == 1) {
        ids[n] = db_col_int(st, 0);
        branches[n++] = db_col_int(st, 1);
    }
    db_finish(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n && !scheduler_stopping(); i++) {
        /* The one on duty in the branch who was given a ticket longest ago. */
        int64_t user = 0;
        rc = db_query_int(db,
                          "SELECT u.id FROM ticket_duty d JOIN users u ON u.id = d.user_id "
                          "WHERE d.on_duty = 1 AND u.status = 'active' AND u.branch_id = ? "
                          "ORDER BY d.last_turn, u.id LIMIT 1",
                          DB_ARGS(DB_INT(branches[i])), &user);
        if (rc < 0)
            return rc;
        if (!rc)
            continue;
        json_t *errors = json_object();
        rc = ticket_assign(db, &actor_system, ids[i], user, false, errors);
        json_decref(errors);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            made++;
            rc = db_exec(db,
                         "UPDATE ticket_duty SET last_turn = (SELECT MAX(last_turn) + 1 FROM "
                         "ticket_duty) WHERE user_id = ?",
                         DB_ARGS(DB_INT(user)));
            if (rc)
                return rc;
        }
    }
    return made;
}
