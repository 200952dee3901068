/*
 * alert.c - stuck-shipment alerts (主动预警): the thresholds, the
 * scheduler's pass over the waybills whose stop clock ran out, and the
 * closing of an alert when the next event arrives.
 *
 * The pass reads only the waybills whose due_at has passed (a partial
 * index holds the waybills with a clock running), never every waybill in
 * transit. An alert is unique on (waybill, stop): a restart that repeats
 * a pass, or a second server sharing the PostgreSQL database, finds the
 * row there and raises nothing; the task, the bell, the outbox messages
 * and the domain event are written only with a new row, in its
 * transaction.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/outbox.h"
#include "core/scheduler.h"
#include "crm/task.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct threshold {
    char product[32], node_type[16], tier[16];
    int minutes;
};

struct thresholds {
    struct threshold *rows;
    size_t n;
};

struct thresholds *thresholds_load(struct db *db)
{
    struct db_stmt *st =
        db_query(db, "SELECT product, node_type, tier, minutes FROM waybill_thresholds", DB_NOARGS);
    if (!st)
        return NULL;
    struct thresholds *t = xcalloc(1, sizeof(*t));
    size_t cap = 0;
    int rc;
    while ((rc = db_step(st)) == 1) {
        if (t->n == cap) {
            cap = cap ? cap * 2 : 16;
            t->rows = xrealloc(t->rows, cap * sizeof(*t->rows));
        }
        struct threshold *r = &t->rows[t->n++];
        snprintf(r->product, sizeof(r->product), "%s", db_col_text(st, 0));
        snprintf(r->node_type, sizeof(r->node_type), "%s", db_col_text(st, 1));
        snprintf(r->tier, sizeof(r->tier), "%s", db_col_text(st, 2));
        r->minutes = (int)db_col_int(st, 3);
    }
    db_finish(st);
    if (rc < 0) {
        thresholds_free(t);
        return NULL;
    }
    return t;
}

void thresholds_free(struct thresholds *t)
{
    if (t)
        free(t->rows);
    free(t);
}

/* The most specific row wins: the product counts most, then the node
 * type, then the tier; '*' and '' match anything. The promise warning
 * is never a '*' node type's. */
int thresholds_minutes(const struct thresholds *t, const char *product, const char *node_type,
                       const char *tier)
{
    int best = -1, minutes = 0;
    bool promise = strcmp(node_type, "promise") == 0;
    for (size_t i = 0; t && i < t->n; i++) {
        const struct threshold *r = &t->rows[i];
        bool p = strcmp(r->product, product) == 0, n = strcmp(r->node_type, node_type) == 0,
             k = tier && *tier && strcmp(r->tier, tier) == 0;
        if ((!p && strcmp(r->product, "*") != 0) ||
            (!n && (promise || strcmp(r->node_type, "*") != 0)) || (!k && r->tier[0]))
            continue;
        int score = p * 4 + n * 2 + k;
        if (score > best) {
            best = score;
            minutes = r->minutes;
        }
    }
    return minutes;
}

int alert_close_by_event(struct db *db, int64_t alert_id, int64_t wid, int64_t at,
                         const char *node_name, const char *event_type)
{
    char when[32], note[256];
    clock_format_iso(at, when, sizeof(when));
    snprintf(note, sizeof(note), "%s%s %s %s", i18n_msg("zh-CN", "waybill.alert_closed"), when,
             node_name, event_type);
    int rc = db_exec(db,
                     "UPDATE waybill_alerts SET status = 'closed', closed_at = ?, close_note = ? "
                     "WHERE id = ? AND status = 'open'",
                     DB_ARGS(DB_INT(clock_now()), DB_TEXT(note), DB_INT(alert_id)));
    if (rc || db_changes(db) == 0)
        return rc;
    /* The alert's to-do has its answer too: done, with the same note in the
     * language of the one it was given to. */
    struct db_stmt *st;
    rc = db_query_row(db, &st,
                      "SELECT t.id, COALESCE(u.lang, 'zh-CN') FROM waybill_alerts a "
                      "JOIN tasks t ON t.id = a.task_id LEFT JOIN users u ON u.id = t.assignee_id "
                      "WHERE a.id = ?",
                      DB_ARGS(DB_INT(alert_id)));
    if (rc < 0)
        return rc;
    if (rc == 1) {
        char outcome[256];
        int64_t task = db_col_int(st, 0);
        snprintf(outcome, sizeof(outcome), "%s%s %s %s",
                 i18n_msg(db_col_text(st, 1), "waybill.alert_closed"), when, node_name, event_type);
        db_finish(st);
        rc = task_finish(db, &actor_system, task, outcome);
        if (rc)
            return rc;
    }
    return events_publish(db, "waybill.alert_closed", "waybill", wid, 0,
                          json_pack("{s:I,s:s}", "alert_id", (json_int_t)alert_id, "note", note));
}

/* What the pass reads of a waybill whose clock ran out. */
struct due {
    int64_t id, ent, owner, branch_id, stop_seq, stop_due, promise_due, since, promised_at;
    char no[16], ent_name[256], branch_path[256], product[32], tier[16], event_type[16];
    char node_code[40], node_name[80], node_type[16], lang[8], email[128], phone[32];
};

/* The waybills whose clock ran out by now, the most overdue first, at
 * most max of them, into d: how many, or a negative DB_*. Read inside the
 * pass's write transaction, so no event can move them meanwhile. */
static int read_due(struct db *db, int64_t now, struct due *d, int max)
{
    struct db_stmt *st = db_query(
        db,
        "SELECT w.id, w.waybill_no, w.enterprise_id, e.name, COALESCE(e.owner_id, 0), "
        "e.branch_id, e.branch_path, w.product, COALESCE(e.tier, ''), w.stop_seq, "
        "COALESCE(w.stop_due_at, 0), COALESCE(w.promise_due_at, 0), "
        "COALESCE(w.last_event_at, w.collected_at), COALESCE(w.last_event_type, ''), "
        "COALESCE(w.last_node_code, ''), COALESCE(w.last_node_name, ''), "
        "COALESCE(w.last_node_type, ''), COALESCE(w.promised_at, 0), COALESCE(u.lang, 'zh-CN'), "
        "COALESCE(u.email, ''), COALESCE(u.phone, '') FROM waybills w "
        "JOIN enterprises e ON e.id = w.enterprise_id "
        "LEFT JOIN users u ON u.id = e.owner_id AND u.status = 'active' "
        "WHERE w.due_at <= ? ORDER BY w.due_at LIMIT ?",
        DB_ARGS(DB_INT(now), DB_INT(max)));
    if (!st)
        return DB_ERROR;
    int n = 0, rc;
    while (n < max && (rc = db_step(st)) == 1) {
        struct due *x = &d[n++];
        memset(x, 0, sizeof(*x));
        x->id = db_col_int(st, 0);
        snprintf(x->no, sizeof(x->no), "%s", db_col_text(st, 1));
        x->ent = db_col_int(st, 2);
        snprintf(x->ent_name, sizeof(x->ent_name), "%s", db_col_text(st, 3));
        x->owner = db_col_int(st, 4);
        x->branch_id = db_col_int(st, 5);
        snprintf(x->branch_path, sizeof(x->branch_path), "%s", db_col_text(st, 6));
        snprintf(x->product, sizeof(x->product), "%s", db_col_text(st, 7));
        snprintf(x->tier, sizeof(x->tier), "%s", db_col_text(st, 8));
        x->stop_seq = db_col_int(st, 9);
        x->stop_due = db_col_int(st, 10);
        x->promise_due = db_col_int(st, 11);
        x->since = db_col_int(st, 12);
        snprintf(x->event_type, sizeof(x->event_type), "%s", db_col_text(st, 13));
        snprintf(x->node_code, sizeof(x->node_code), "%s", db_col_text(st, 14));
        snprintf(x->node_name, sizeof(x->node_name), "%s", db_col_text(st, 15));
        snprintf(x->node_type, sizeof(x->node_type), "%s", db_col_text(st, 16));
        x->promised_at = db_col_int(st, 17);
        snprintf(x->lang, sizeof(x->lang), "%s", db_col_text(st, 18));
        snprintf(x->email, sizeof(x->email), "%s", db_col_text(st, 19));
        snprintf(x->phone, sizeof(x->phone), "%s", db_col_text(st, 20));
    }
    db_finish(st);
    return rc < 0 ? rc : n;
}

/* Raise the alert of kind for d (stop seq), in the caller's transaction:
 * the row, and only when it is new the task, bell, messages and event. */
static int raise(struct db *db, const struct due *d, const char *kind, int64_t seq, int minutes,
                 int64_t now, int *raised, int64_t *raised_id)
{
    int64_t alert = 0;
    int rc = db_query_int(
        db,
        "INSERT INTO waybill_alerts (waybill_id, stop_seq, kind, enterprise_id, manager_id, "
        "event_type, node_code, node_name, node_type, since, threshold_minutes, raised_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        DB_ARGS(DB_INT(d->id), DB_INT(seq), DB_TEXT(kind), DB_INT(d->ent),
                DB_INT_OR_NULL(d->owner, d->owner), DB_TEXT(d->event_type), DB_TEXT(d->node_code),
                DB_TEXT(d->node_name), DB_TEXT(d->node_type), DB_INT(d->since), DB_INT(minutes),
                DB_INT(now)),
        &alert);
    if (rc <= 0)
        return rc; /* 0: raised before (a restart, another server) */
    (*raised)++;
    *raised_id = alert;
    const char *node = d->node_name[0] ? d->node_name : d->node_code;
    char title[512], body[1024], link[64], ref[64], when[32];
    clock_format_iso(d->since, when, sizeof(when));
    snprintf(
        title, sizeof(title), "%s%s %s",
        i18n_msg(d->lang, strcmp(kind, "stalled") == 0 ? "waybill.stalled" : "waybill.promise"),
        d->no, d->ent_name);
    snprintf(body, sizeof(body), "%s %s %s (%s), %lld min", i18n_msg(d->lang, "waybill.stalled_at"),
             node, when, d->event_type, (long long)((now - d->since) / 60));
    snprintf(link, sizeof(link), "/waybills/%s", d->no);
    snprintf(ref, sizeof(ref), "waybill_alert:%lld", (long long)alert);
    struct task_new t = {
        .title = title,
        .due_at = now,
        .assignee_id = d->owner,
        .branch_id = d->branch_id,
        .branch_path = d->branch_path,
        .priority = "high",
        .source = "reminder",
        .source_ref = ref,
        .enterprise_id = d->ent,
        .note = body,
        .quiet = true,
    };
    int64_t task = 0;
    rc = task_add(db, &actor_system, &t, &task);
    if (!rc)
        rc = db_exec(db, "UPDATE waybill_alerts SET task_id = ? WHERE id = ?",
                     DB_ARGS(DB_INT_OR_NULL(task, task), DB_INT(alert)));
    /* Promise warnings have their own kind, so the bell can say 时效预警. */
    if (!rc && d->owner)
        rc = notification_add(db, d->owner,
                              strcmp(kind, "stalled") == 0 ? "waybill.stalled"
                                                           : "waybill.promise_at_risk",
                              title, body, link);
    char dedupe[96];
    if (!rc && d->email[0]) {
        snprintf(dedupe, sizeof(dedupe), "%s:email", ref);
        rc = outbox_enqueue(db, "email", d->email, title, body, dedupe);
    }
    if (!rc && d->phone[0]) {
        snprintf(dedupe, sizeof(dedupe), "%s:sms", ref);
        rc = outbox_enqueue(db, "sms", d->phone, title, body, dedupe);
    }
    if (!rc)
        rc = events_publish(
            db, "waybill.stalled", "waybill", d->id, 0,
            json_pack("{s:I,s:s,s:s,s:I,s:I,s:s,s:i}", "alert_id", (json_int_t)alert, "kind", kind,
                      "waybill_no", d->no, "enterprise_id", (json_int_t)d->ent, "stop_seq",
                      (json_int_t)seq, "node_code", d->node_code, "threshold_minutes", minutes));
    return rc;
}

/* The alerts d owes by now, and its clocks moved on (the open alert
 * noted with them: one write of the waybill). */
static int pass_one(struct db *db, struct due *d, int64_t now, bool enabled, int *raised)
{
    int rc = 0;
    int64_t stalled = 0, promise = 0;
    if (d->stop_due && d->stop_due <= now && enabled) {
        rc = raise(db, d, "stalled", d->stop_seq, (int)((d->stop_due - d->since) / 60), now, raised,
                   &stalled);
        d->stop_due = 0;
    }
    d->stop_due = d->stop_due <= now ? 0 : d->stop_due;
    if (!rc && d->promise_due && d->promise_due <= now && enabled) {
        rc = raise(db, d, "promise", -1, (int)((d->promised_at - d->promise_due) / 60), now, raised,
                   &promise);
        d->promise_due = 0;
    }
    d->promise_due = d->promise_due <= now ? 0 : d->promise_due;
    int64_t due = !d->stop_due                   ? d->promise_due
                  : !d->promise_due              ? d->stop_due
                  : d->stop_due < d->promise_due ? d->stop_due
                                                 : d->promise_due;
    if (!rc)
        rc = db_exec(db,
                     "UPDATE waybills SET stop_due_at = ?, promise_due_at = ?, due_at = ?, "
                     "open_alert_id = COALESCE(?, open_alert_id) WHERE id = ?",
                     DB_ARGS(DB_INT_OR_NULL(d->stop_due, d->stop_due),
                             DB_INT_OR_NULL(d->promise_due, d->promise_due),
                             DB_INT_OR_NULL(due, due), DB_INT_OR_NULL(stalled, stalled),
                             DB_INT(d->id)));
    return rc;
}

/* Waybills a transaction: the bench's 10,000 alerts took 40 commits at
 * 256; a thousand alerts hold the write lock for about 60 ms. */
#define PASS_BATCH 1000

/* Whether the alerts are on: the built-in rule 运单停滞预警 (the rules'
 * table, migration 0036) switches them off; its clocks still move on, so
 * nothing is owed when it is switched back on. Without the row: on. */
static int alerts_enabled(struct db *db)
{
    int64_t on = 1;
    int rc = db_query_int(db, "SELECT enabled FROM rules WHERE builtin_key = 'waybill_stalled'",
                          DB_NOARGS, &on);
    return rc < 0 ? rc : rc == 0 ? 1 : on != 0;
}

int alert_pass(struct db *db)
{
    int64_t now = clock_now();
    int raised = 0;
    struct due *d = xcalloc(PASS_BATCH, sizeof(*d));
    int rc = 0;
    for (;;) {
        /* Mostly nothing is due: one probe of the index, no write lock. */
        int64_t any = 0;
        rc = db_query_int(db, "SELECT 1 FROM waybills WHERE due_at <= ? LIMIT 1",
                          DB_ARGS(DB_INT(now)), &any);
        if (rc <= 0)
            break;
        rc = db_begin(db);
        int enabled = rc ? 0 : alerts_enabled(db);
        rc = enabled < 0 ? enabled : rc;
        int n = rc ? 0 : read_due(db, now, d, PASS_BATCH);
        if (n < 0)
            rc = n;
        for (int i = 0; !rc && i < n; i++)
            rc = pass_one(db, &d[i], now, enabled == 1, &raised);
        rc = db_end(db, rc);
        if (rc || n < PASS_BATCH || scheduler_stopping())
            break;
    }
    free(d);
    return rc < 0 ? rc : raised;
}
