/*
 * approval.c - approval requests: filing a guarded change, resolving each
 * step's approvers, deciding, and applying the change through its flow's
 * applier in the transaction of the last approval (docs/decisions/0016).
 */
#include "approval/approval.h"
#include "approval/approval_int.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "core/events.h"
#include "core/op.h"
#include "core/workcal.h"
#include "db/db.h"
#include "notify/notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_APPLIERS 16
#define MAX_COMMENT  500

static const struct approval_applier *appliers[MAX_APPLIERS];
static int n_appliers;

void approval_register_applier(const struct approval_applier *ap)
{
    if (n_appliers < MAX_APPLIERS)
        appliers[n_appliers++] = ap;
}

static const struct approval_applier *applier_for(const char *flow)
{
    for (int i = 0; i < n_appliers; i++)
        if (strcmp(appliers[i]->flow, flow) == 0)
            return appliers[i];
    return NULL;
}

/* The flow's row: 1 with *id, *steps and *params (new references) when it
 * is enabled, 0 disabled or unknown, <0. */
static int flow_load(struct db *db, const char *key, int64_t *id, json_t **steps, json_t **params)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT id, steps, params FROM approval_flows WHERE key = ? AND "
                          "enabled = 1",
                          DB_ARGS(DB_TEXT(key)));
    if (rc != 1)
        return rc;
    if (id)
        *id = db_col_int(st, 0);
    if (steps)
        *steps = json_loads(db_col_text(st, 1), 0, NULL);
    if (params)
        *params = json_loads(db_col_text(st, 2), 0, NULL);
    db_finish(st);
    if ((steps && !*steps) || (params && !*params)) {
        if (steps)
            json_decref(*steps);
        if (params)
            json_decref(*params);
        return DB_ERROR;
    }
    return 1;
}

int approval_flow_params(struct db *db, const char *flow_key, json_t **params)
{
    return flow_load(db, flow_key, NULL, NULL, params);
}

/* ---- who decides ---- */

static bool on_line(const char *branch_path, const char *user_path)
{
    /* a user without a branch (admins) serves every branch */
    return !*user_path || strncmp(branch_path, user_path, strlen(user_path)) == 0;
}

/* The active users of role on the branch line of path (the branch and
 * those above it, or none), other than except, into ids. */
static int role_users(struct db *db, const char *role, const char *path, int64_t except,
                      json_t *ids)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT u.id, COALESCE(b.path, '') FROM users u LEFT JOIN "
                                  "branches b ON b.id = u.branch_id WHERE u.role = ? AND "
                                  "u.status = 'active' AND u.id <> ? ORDER BY u.id",
                                  DB_ARGS(DB_TEXT(role), DB_INT(except)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1)
        if (on_line(path, db_col_text(st, 1)))
            json_array_append_new(ids, json_integer(db_col_int(st, 0)));
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* uid into ids when active and not the requester. */
static int active_user(struct db *db, int64_t uid, int64_t requester, json_t *ids)
{
    int64_t n = 0;
    int rc = db_query_int(db, "SELECT COUNT(*) FROM users WHERE id = ? AND status = 'active'",
                          DB_ARGS(DB_INT(uid)), &n);
    if (rc >= 0 && n && uid != requester)
        json_array_append_new(ids, json_integer(uid));
    return rc < 0 ? rc : 0;
}

int approval_step_users(struct db *db, const json_t *step, const char *path, int64_t requester,
                        json_t *ids)
{
    const char *kind = json_string_value(json_object_get(step, "kind"));
    int rc = 0;
    if (kind && strcmp(kind, "user") == 0) {
        /* one person (user_id) or several (user_ids, for all-of) */
        json_t *list = json_object_get(step, "user_ids"), *v;
        size_t i;
        json_array_foreach(list, i, v)
        {
            if (rc < 0)
                break;
            rc = active_user(db, json_integer_value(v), requester, ids);
        }
        if (rc >= 0 && json_object_get(step, "user_id"))
            rc = active_user(db, json_integer_value(json_object_get(step, "user_id")), requester,
                             ids);
    } else {
        const char *role = json_string_value(json_object_get(step, "role"));
        rc = role_users(db, role ? role : "admin", path, requester, ids);
    }
    /* Nobody on the line (a branch without a supervisor, a person who left):
     * the step falls to the administrators rather than to nobody. */
    if (rc >= 0 && json_array_size(ids) == 0)
        rc = role_users(db, "admin", "", requester, ids);
    return rc < 0 ? rc : 0;
}

/* Tell user uid about request id in their own language. */
int approval_tell(struct db *db, int64_t uid, int64_t id, const char *kind, const char *title_key,
                  const char *flow_name, const char *dedupe)
{
    char lang[8] = "zh-CN", title[300], link[64];
    struct db_stmt *st;
    int rc = db_query_row(db, &st, "SELECT lang FROM users WHERE id = ?", DB_ARGS(DB_INT(uid)));
    if (rc < 0)
        return rc;
    if (rc == 1) {
        snprintf(lang, sizeof(lang), "%s", db_col_text(st, 0));
        db_finish(st);
    }
    snprintf(title, sizeof(title), "%s: %s", i18n_msg(lang, title_key), flow_name);
    snprintf(link, sizeof(link), "/approvals/%" PRId64, id);
    return notify_user(db, uid, kind, title, NULL, link, dedupe, NULL);
}

/* The flow's name in zh-CN (notifications: the title's key is translated,
 * the name is the admin's text). */
int approval_flow_name(struct db *db, const char *key, char *out, size_t n)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st, "SELECT name FROM approval_flows WHERE key = ?",
                          DB_ARGS(DB_TEXT(key)));
    snprintf(out, n, "%s", rc == 1 ? db_col_text(st, 0) : key);
    if (rc == 1)
        db_finish(st);
    return rc < 0 ? rc : 0;
}

/* Make step i of request id current (inside the caller's transaction):
 * its approvers, told; its reminder half-way to the deadline and the
 * deadline, in business time. OP_CONFLICT when nobody may decide it. */
static int enter_step(struct db *db, int64_t id, const char *flow_key, json_t *steps, size_t i,
                      const char *path, int64_t requester, int64_t now)
{
    json_t *step = json_array_get(steps, i), *ids = json_array();
    int rc = approval_step_users(db, step, path, requester, ids);
    if (!rc && json_array_size(ids) == 0)
        rc = OP_CONFLICT;
    int64_t hours = json_integer_value(json_object_get(step, "deadline_hours"));
    int64_t remind = 0, due = 0;
    if (!rc && hours > 0 && !(rc = workcal_add(db, now, hours * 1800, &remind)))
        rc = workcal_add(db, now, hours * 3600, &due);
    if (!rc)
        rc = db_exec(db,
                     "UPDATE approval_requests SET step = ?, step_started_at = ?, remind_at = ?, "
                     "due_at = ?, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT((int64_t)i), DB_INT(now), DB_INT_OR_NULL(remind, remind),
                             DB_INT_OR_NULL(due, due), DB_INT(now), DB_INT(id)));
    char name[200], dedupe[80];
    if (!rc)
        rc = approval_flow_name(db, flow_key, name, sizeof(name));
    size_t k;
    json_t *v;
    json_array_foreach(ids, k, v)
    {
        if (rc)
            break;
        int64_t uid = json_integer_value(v);
        rc = db_exec(db,
                     "INSERT INTO approval_assignees (request_id, step, user_id, slot_user) "
                     "VALUES (?, ?, ?, ?)",
                     DB_ARGS(DB_INT(id), DB_INT((int64_t)i), DB_INT(uid), DB_INT(uid)));
        snprintf(dedupe, sizeof(dedupe), "approval:%" PRId64 ":%zu:%" PRId64, id, i, uid);
        if (!rc)
            rc = approval_tell(db, uid, id, "approval.pending", "approval.told_pending", name,
                               dedupe);
    }
    json_decref(ids);
    return rc;
}

/* approval_request's work; own_tx: in a transaction of its own, else in
 * the caller's (a rule's action, committed with the rule's run). */
static int file_request(struct db *db, const struct actor *a, const char *flow_key,
                        const char *entity, int64_t object_id, json_t *change, int64_t *request_id,
                        bool own_tx)
{
    *request_id = 0;
    int64_t flow_id = 0;
    json_t *steps = NULL;
    int rc = flow_load(db, flow_key, &flow_id, &steps, NULL);
    if (rc <= 0) {
        json_decref(change);
        return rc; /* disabled or unknown: nothing guarded, 0 */
    }
    if (!json_is_object(change))
        change = json_pack("{s:n,s:n}", "before", "after");
    json_t *payload = json_object_get(change, "apply");
    payload = json_incref(payload ? payload : json_object_get(change, "after"));
    json_object_del(change, "apply");
    char *steps_text = json_dumps(steps, JSON_COMPACT);
    char *change_text = json_dumps(change, JSON_COMPACT);
    char *payload_text =
        json_dumps(payload ? payload : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
    int64_t now = clock_now(), id = 0;
    /* a flow without steps cannot approve anything */
    rc = json_array_size(steps) == 0 ? OP_CONFLICT : own_tx ? db_begin(db) : 0;
    if (!rc) {
        rc = db_query_id(
            db,
            "INSERT INTO approval_requests (flow_id, flow_key, entity, object_id, requester_id, "
            "branch_path, steps, change, payload, step_started_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            DB_ARGS(DB_INT(flow_id), DB_TEXT(flow_key), DB_TEXT(entity), DB_INT(object_id),
                    DB_INT_OR_NULL(a->id, a->id), DB_TEXT(a->branch_path), DB_TEXT(steps_text),
                    DB_TEXT(change_text), DB_TEXT(payload_text), DB_INT(now), DB_INT(now),
                    DB_INT(now)),
            &id);
        if (!rc)
            rc = enter_step(db, id, flow_key, steps, 0, a->branch_path, a->id, now);
        if (!rc)
            rc = actor_audit(db, a, "approval.request", "approval", id,
                             json_pack("{s:s,s:s,s:I,s:O}", "flow", flow_key, "entity", entity,
                                       "object_id", (json_int_t)object_id, "change", change));
        if (!rc)
            rc = events_publish(db, "approval.requested", "approval", id, a->id,
                                json_pack("{s:s,s:s,s:I}", "flow", flow_key, "entity", entity,
                                          "object_id", (json_int_t)object_id));
        if (own_tx)
            rc = op_end(db, rc);
    }
    if (!rc)
        *request_id = id;
    free(steps_text);
    free(change_text);
    free(payload_text);
    json_decref(payload);
    json_decref(change);
    json_decref(steps);
    return rc;
}

int approval_request(struct db *db, const struct actor *a, const char *flow_key, const char *entity,
                     int64_t object_id, json_t *change, int64_t *request_id)
{
    return file_request(db, a, flow_key, entity, object_id, change, request_id, true);
}

int approval_request_in_tx(struct db *db, const struct actor *a, const char *flow_key,
                           const char *entity, int64_t object_id, json_t *change,
                           int64_t *request_id)
{
    return file_request(db, a, flow_key, entity, object_id, change, request_id, false);
}

/* ---- deciding ---- */

struct pending {
    int64_t id, requester, object_id;
    size_t step;
    char status[16], flow[64], entity[32], path[256];
    json_t *steps, *payload;
};

static void pending_release(struct pending *p)
{
    json_decref(p->steps);
    json_decref(p->payload);
}

/* Request id, read inside the decision's transaction: 1, 0 none, <0. */
static int pending_load(struct db *db, int64_t id, struct pending *p)
{
    memset(p, 0, sizeof(*p));
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT status, step, flow_key, entity, object_id, "
                          "COALESCE(requester_id, 0), branch_path, steps, payload FROM "
                          "approval_requests WHERE id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    p->id = id;
    snprintf(p->status, sizeof(p->status), "%s", db_col_text(st, 0));
    p->step = (size_t)db_col_int(st, 1);
    snprintf(p->flow, sizeof(p->flow), "%s", db_col_text(st, 2));
    snprintf(p->entity, sizeof(p->entity), "%s", db_col_text(st, 3));
    p->object_id = db_col_int(st, 4);
    p->requester = db_col_int(st, 5);
    snprintf(p->path, sizeof(p->path), "%s", db_col_text(st, 6));
    p->steps = json_loads(db_col_text(st, 7), 0, NULL);
    p->payload = json_loads(db_col_text(st, 8), JSON_DECODE_ANY, NULL);
    db_finish(st);
    if (!p->steps || !p->payload) {
        pending_release(p);
        return DB_ERROR;
    }
    return 1;
}

/* Close request p with status (approved, rejected, returned, cancelled)
 * and tell its requester. */
static int close_request(struct db *db, struct pending *p, const char *status, int64_t now)
{
    int rc = db_exec(db,
                     "UPDATE approval_requests SET status = ?, decided_at = ?, updated_at = ?, "
                     "remind_at = NULL, due_at = NULL WHERE id = ?",
                     DB_ARGS(DB_TEXT(status), DB_INT(now), DB_INT(now), DB_INT(p->id)));
    char name[200], key[48], dedupe[64];
    if (!rc && p->requester && strcmp(status, "cancelled") != 0) {
        rc = approval_flow_name(db, p->flow, name, sizeof(name));
        snprintf(key, sizeof(key), "approval.told_%s", status);
        snprintf(dedupe, sizeof(dedupe), "approval:%" PRId64 ":%s", p->id, status);
        if (!rc)
            rc = approval_tell(db, p->requester, p->id, "approval.decided", key, name, dedupe);
    }
    return rc;
}

/* The step of p is approved: the next one, or the change applied. */
static int step_done(struct db *db, const struct actor *a, struct pending *p, int64_t now)
{
    if (p->step + 1 < json_array_size(p->steps))
        return enter_step(db, p->id, p->flow, p->steps, p->step + 1, p->path, p->requester, now);
    int rc = close_request(db, p, "approved", now);
    const struct approval_applier *ap = applier_for(p->flow);
    if (!rc && ap)
        rc = ap->apply(db, a, p->entity, p->object_id, p->payload);
    if (!rc)
        rc = events_publish(db, "approval.applied", "approval", p->id, a->id,
                            json_pack("{s:s,s:s,s:I}", "flow", p->flow, "entity", p->entity,
                                      "object_id", (json_int_t)p->object_id));
    return rc;
}

static int record_decision(struct db *db, const struct actor *a, int64_t id, size_t step,
                           const char *decision, const char *comment, int64_t now)
{
    return db_exec(db,
                   "INSERT INTO approval_decisions (request_id, step, approver_id, decision, "
                   "comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   DB_ARGS(DB_INT(id), DB_INT((int64_t)step), DB_INT_OR_NULL(a->id, a->id),
                           DB_TEXT(decision), DB_TEXT(comment ? comment : ""), DB_INT(now)));
}

/* The slot a fills in the current step of p: 1 with *slot, 0 when a is
 * not one of its approvers or has decided, <0. */
static int my_slot(struct db *db, const struct actor *a, const struct pending *p, int64_t *slot)
{
    return db_query_int(db,
                        "SELECT slot_user FROM approval_assignees WHERE request_id = ? AND "
                        "step = ? AND user_id = ? AND decision IS NULL",
                        DB_ARGS(DB_INT(p->id), DB_INT((int64_t)p->step), DB_INT(a->id)), slot);
}

static int check_decision(const char *decision, const char *comment, const char *lang,
                          json_t *errors)
{
    bool known = decision && (strcmp(decision, "approve") == 0 || strcmp(decision, "reject") == 0 ||
                              strcmp(decision, "return") == 0);
    if (!known)
        json_object_set_new(errors, "decision", json_string(i18n_msg(lang, "approval.decision")));
    else if (strcmp(decision, "approve") != 0 && (!comment || !*comment))
        json_object_set_new(errors, "comment",
                            json_string(i18n_msg(lang, "approval.comment_required")));
    if (comment && utf8_len(comment) > MAX_COMMENT)
        json_object_set_new(errors, "comment", json_string(i18n_msg(lang, "approval.comment")));
    return json_object_size(errors) ? OP_INVALID : 0;
}

int approval_decide(struct db *db, const struct actor *a, int64_t id, const char *decision,
                    const char *comment, json_t *errors)
{
    int rc = check_decision(decision, comment, a->lang, errors);
    if (rc || (rc = db_begin(db)))
        return rc;
    struct pending p;
    int64_t slot = 0, now = clock_now(), open = 0;
    rc = pending_load(db, id, &p);
    if (rc == 0)
        return op_end(db, OP_NOT_FOUND);
    if (rc < 0)
        return op_end(db, rc);
    rc = my_slot(db, a, &p, &slot);
    if (rc == 1 && strcmp(p.status, "pending") != 0)
        rc = OP_CONFLICT;
    else
        rc = rc == 0 ? OP_NOT_FOUND : rc < 0 ? rc : 0;
    if (!rc)
        rc = db_exec(db,
                     "UPDATE approval_assignees SET decision = ?, decided_at = ? WHERE "
                     "request_id = ? AND step = ? AND slot_user = ?",
                     DB_ARGS(DB_TEXT(decision), DB_INT(now), DB_INT(id), DB_INT((int64_t)p.step),
                             DB_INT(slot)));
    if (!rc)
        rc = record_decision(db, a, id, p.step, decision, comment, now);
    if (!rc && strcmp(decision, "approve") != 0) {
        rc = close_request(db, &p, strcmp(decision, "reject") == 0 ? "rejected" : "returned", now);
    } else if (!rc) {
        const char *mode =
            json_string_value(json_object_get(json_array_get(p.steps, p.step), "mode"));
        bool all = mode && strcmp(mode, "all") == 0;
        /* all-of: every slot approved; any-of: this one is enough */
        if (all)
            rc = db_query_int(db,
                              "SELECT COUNT(DISTINCT slot_user) FROM approval_assignees WHERE "
                              "request_id = ? AND step = ? AND decision IS NULL",
                              DB_ARGS(DB_INT(id), DB_INT((int64_t)p.step)), &open);
        if (rc >= 0 && !open)
            rc = step_done(db, a, &p, now);
        else if (rc > 0)
            rc = 0;
    }
    if (!rc)
        rc = actor_audit(db, a, "approval.decide", "approval", id,
                         json_pack("{s:s,s:I,s:s,s:s}", "decision", decision, "step",
                                   (json_int_t)p.step, "flow", p.flow, "comment",
                                   comment ? comment : ""));
    if (!rc)
        rc = events_publish(db, "approval.decided", "approval", id, a->id,
                            json_pack("{s:s,s:I,s:s}", "decision", decision, "step",
                                      (json_int_t)p.step, "flow", p.flow));
    pending_release(&p);
    return op_end(db, rc);
}

int approval_cancel(struct db *db, const struct actor *a, int64_t id, const char *comment)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    struct pending p;
    rc = pending_load(db, id, &p);
    if (rc == 0 || (rc == 1 && p.requester != a->id))
        rc = OP_NOT_FOUND;
    else if (rc == 1)
        rc = strcmp(p.status, "pending") != 0 ? OP_CONFLICT : 0;
    int64_t now = clock_now();
    if (!rc)
        rc = record_decision(db, a, id, p.step, "cancel", comment, now);
    if (!rc)
        rc = close_request(db, &p, "cancelled", now);
    if (!rc)
        rc = actor_audit(db, a, "approval.cancel", "approval", id, NULL);
    if (!rc)
        rc = events_publish(db, "approval.decided", "approval", id, a->id,
                            json_pack("{s:s,s:s}", "decision", "cancel", "flow", p.flow));
    if (p.steps)
        pending_release(&p);
    return op_end(db, rc);
}
