/*
 * approval_api.c - the HTTP endpoints of approvals: my inbox (pending for
 * me), my requests, one request with its before → after and its
 * timeline, approve / reject / return, cancel. The flows' admin endpoints
 * are in approval_flow_api.c.
 *
 * A request is seen by its requester, by whoever was asked to decide any
 * of its steps, and by administrators; to anyone else it is 404.
 */
#include "approval/approval.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

#define LIST_LIMIT 200

void approval_reply_submitted(struct req *r, int64_t request_id)
{
    reply_json(r, 202,
               json_pack("{s:I,s:s,s:s}", "approval_id", (json_int_t)request_id, "status",
                         "pending", "message", req_msg(r, "approval.submitted")));
}

static json_t *time_json(struct db_stmt *st, int c)
{
    if (db_col_is_null(st, c))
        return json_null();
    char at[40];
    clock_format_iso(db_col_int(st, c), at, sizeof(at));
    return json_string(at);
}

static json_t *text_json(const char *s, size_t flags)
{
    json_t *j = s ? json_loads(s, flags, NULL) : NULL;
    return j ? j : json_null();
}

#define REQUEST_COLUMNS                                                                            \
    "q.id, q.flow_key, CASE WHEN ? = 'en' THEN f.name_en ELSE f.name END, q.entity, q.object_id, " \
    "q.requester_id, u.name, q.status, q.step, q.steps, q.change, q.created_at, q.due_at, "        \
    "q.decided_at"
#define REQUEST_FROM                                                                               \
    "approval_requests q JOIN approval_flows f ON f.id = q.flow_id LEFT JOIN users u ON "          \
    "u.id = q.requester_id"

static json_t *request_row(struct db_stmt *st, struct req *r)
{
    (void)r;
    json_t *steps = text_json(db_col_text(st, 9), 0);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:o,s:o,s:o,s:o}", "id",
                  (json_int_t)db_col_int(st, 0), "flow_key", db_col_text(st, 1), "flow_name",
                  db_col_text(st, 2), "entity", db_col_text(st, 3), "object_id",
                  (json_int_t)db_col_int(st, 4), "status", db_col_text(st, 7), "step",
                  (json_int_t)db_col_int(st, 8), "step_count", (json_int_t)json_array_size(steps),
                  "change", text_json(db_col_text(st, 10), 0), "created_at", time_json(st, 11),
                  "due_at", time_json(st, 12), "decided_at", time_json(st, 13));
    json_object_set_new(o, "requester_id",
                        db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int(st, 5)));
    json_object_set_new(o, "requester_name",
                        db_col_is_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
    json_object_set_new(o, "steps", steps);
    return o;
}

static void reply_list(struct req *r, struct db_stmt *st)
{
    json_t *items = listing_rows(st, r, request_row);
    if (!items) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o,s:I,s:n}", "items", items, "total",
                         (json_int_t)json_array_size(items), "next_cursor"));
}

/* GET /approvals?box=inbox (pending for me, the default) | mine (what I
 * asked) | all (administrators). */
static void list(struct req *r)
{
    const char *box = req_query(r, "box");
    if (!box)
        box = "inbox";
    struct db_stmt *st = NULL;
    if (strcmp(box, "inbox") == 0)
        st = db_query(r->db,
                      "SELECT " REQUEST_COLUMNS " FROM " REQUEST_FROM " WHERE q.status = 'pending' "
                      "AND EXISTS (SELECT 1 FROM approval_assignees s WHERE s.request_id = q.id "
                      "AND s.step = q.step AND s.user_id = ? AND s.decision IS NULL) "
                      "ORDER BY q.id LIMIT ?",
                      DB_ARGS(DB_TEXT(r->lang), DB_INT(r->actor_id), DB_INT(LIST_LIMIT)));
    else if (strcmp(box, "mine") == 0)
        st = db_query(r->db,
                      "SELECT " REQUEST_COLUMNS " FROM " REQUEST_FROM " WHERE q.requester_id = ? "
                      "ORDER BY q.id DESC LIMIT ?",
                      DB_ARGS(DB_TEXT(r->lang), DB_INT(r->actor_id), DB_INT(LIST_LIMIT)));
    else if (strcmp(box, "all") == 0 && (r->actor->perms & PERM_ADMIN))
        st = db_query(r->db,
                      "SELECT " REQUEST_COLUMNS " FROM " REQUEST_FROM " ORDER BY q.id DESC LIMIT ?",
                      DB_ARGS(DB_TEXT(r->lang), DB_INT(LIST_LIMIT)));
    else {
        json_t *errors = json_pack("{s:s}", "box", req_msg(r, "approval.box"));
        reply_invalid(r, errors);
        return;
    }
    reply_list(r, st);
}

/* GET /approvals/count: how many wait for me (the menu's badge). */
static void count(struct req *r)
{
    int64_t n = 0;
    int rc = db_query_int(r->db,
                          "SELECT COUNT(*) FROM approval_requests q JOIN approval_assignees s ON "
                          "s.request_id = q.id AND s.step = q.step WHERE q.status = 'pending' AND "
                          "s.user_id = ? AND s.decision IS NULL",
                          DB_ARGS(DB_INT(r->actor_id)), &n);
    if (rc < 0)
        reply_db_error(r, rc);
    else
        reply_json(r, 200, json_pack("{s:I}", "pending", (json_int_t)n));
}

/* 1 when the caller may see request id (requester, asked, admin), 0, <0. */
static int may_see(struct req *r, int64_t id)
{
    int64_t n = 0;
    int rc = db_query_int(r->db,
                          "SELECT COUNT(*) FROM approval_requests q WHERE q.id = ? AND (? = 1 OR "
                          "q.requester_id = ? OR EXISTS (SELECT 1 FROM approval_assignees s "
                          "WHERE s.request_id = q.id AND s.user_id = ?))",
                          DB_ARGS(DB_INT(id), DB_INT((r->actor->perms & PERM_ADMIN) != 0),
                                  DB_INT(r->actor_id), DB_INT(r->actor_id)),
                          &n);
    return rc < 0 ? rc : n > 0;
}

/* The fields of before and after, each once, with whether it changed. */
static json_t *diff(json_t *change)
{
    json_t *before = json_object_get(change, "before"), *after = json_object_get(change, "after");
    json_t *rows = json_array(), *v;
    const char *k;
    json_t *keys = json_object();
    json_object_foreach(json_is_object(before) ? before : NULL, k, v)
        json_object_set_new(keys, k, json_true());
    json_object_foreach(json_is_object(after) ? after : NULL, k, v)
        json_object_set_new(keys, k, json_true());
    json_object_foreach(keys, k, v)
    {
        json_t *b = json_object_get(before, k), *a = json_object_get(after, k);
        json_array_append_new(rows, json_pack("{s:s,s:O,s:O,s:b}", "field", k, "before",
                                              b ? b : json_null(), "after", a ? a : json_null(),
                                              "changed", !json_equal(b, a)));
    }
    json_decref(keys);
    return rows;
}

static json_t *assignee_row(struct db_stmt *st, struct req *r)
{
    (void)r;
    return json_pack("{s:I,s:I,s:s,s:b,s:o,s:o}", "step", (json_int_t)db_col_int(st, 0), "user_id",
                     (json_int_t)db_col_int(st, 1), "name", db_col_text(st, 2), "escalated",
                     db_col_int(st, 3) != 0, "decision",
                     db_col_is_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)),
                     "decided_at", time_json(st, 5));
}

static json_t *decision_row(struct db_stmt *st, struct req *r)
{
    (void)r;
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:o}", "id", (json_int_t)db_col_int(st, 0), "step",
                          (json_int_t)db_col_int(st, 1), "decision", db_col_text(st, 3), "comment",
                          db_col_text(st, 4), "at", time_json(st, 5));
    json_object_set_new(o, "approver_id",
                        db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int(st, 2)));
    json_object_set_new(o, "approver_name",
                        db_col_is_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
    return o;
}

static void reply_request(struct req *r, int64_t id)
{
    int rc = may_see(r, id);
    if (rc <= 0) {
        if (rc < 0)
            reply_db_error(r, rc);
        else
            reply_error(r, 404, "not_found");
        return;
    }
    json_t *o = NULL;
    rc = listing_one(r->db, r, &o, request_row,
                     "SELECT " REQUEST_COLUMNS " FROM " REQUEST_FROM " WHERE q.id = ?",
                     DB_ARGS(DB_TEXT(r->lang), DB_INT(id)));
    json_t *assignees = NULL, *decisions = NULL;
    if (rc == 1)
        assignees = listing_rows(
            db_query(r->db,
                     "SELECT s.step, s.user_id, u.name, s.escalated, s.decision, s.decided_at "
                     "FROM approval_assignees s JOIN users u ON u.id = s.user_id WHERE "
                     "s.request_id = ? ORDER BY s.step, s.escalated, s.user_id",
                     DB_ARGS(DB_INT(id))),
            r, assignee_row);
    if (assignees)
        decisions = listing_rows(
            db_query(r->db,
                     "SELECT d.id, d.step, d.approver_id, d.decision, d.comment, d.created_at, "
                     "u.name FROM approval_decisions d LEFT JOIN users u ON u.id = "
                     "d.approver_id WHERE d.request_id = ? ORDER BY d.id",
                     DB_ARGS(DB_INT(id))),
            r, decision_row);
    if (!decisions) {
        json_decref(o);
        json_decref(assignees);
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    bool pending = strcmp(json_string_value(json_object_get(o, "status")), "pending") == 0;
    json_int_t step = json_integer_value(json_object_get(o, "step"));
    bool mine = false;
    size_t i;
    json_t *a;
    json_array_foreach(assignees, i, a)
    {
        mine |= json_integer_value(json_object_get(a, "step")) == step &&
                json_integer_value(json_object_get(a, "user_id")) == r->actor_id &&
                json_is_null(json_object_get(a, "decision"));
    }
    json_object_set_new(o, "diff", diff(json_object_get(o, "change")));
    json_object_set_new(o, "assignees", assignees);
    json_object_set_new(o, "decisions", decisions);
    json_object_set_new(o, "can_decide", json_boolean(pending && mine));
    json_object_set_new(o, "can_cancel",
                        json_boolean(pending && json_integer_value(json_object_get(
                                                    o, "requester_id")) == r->actor_id));
    reply_json(r, 200, o);
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_request(r, id);
}

static void decide(struct req *r, const char *decision)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    json_t *c = json_object_get(r->json, "comment");
    if (c && !json_is_string(c) && !json_is_null(c))
        json_object_set_new(errors, "comment", json_string(req_msg(r, "approval.comment")));
    int rc = json_object_size(errors)
                 ? OP_INVALID
                 : approval_decide(r->db, r->actor, id, decision, json_string_value(c), errors);
    if (!op_reply(r, rc, errors))
        reply_request(r, id);
    json_decref(errors);
}

static void approve(struct req *r)
{
    decide(r, "approve");
}

static void reject(struct req *r)
{
    decide(r, "reject");
}

static void send_back(struct req *r)
{
    decide(r, "return");
}

static void cancel(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    const char *comment = json_string_value(json_object_get(r->json, "comment"));
    int rc = approval_cancel(r->db, r->actor, id, comment);
    if (!op_reply(r, rc, NULL))
        reply_request(r, id);
}

#include "approval/approval_api.routes.h"
