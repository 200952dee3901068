/*
 * approval_flow_api.c - administrators edit the approval flows (系统管理 →
 * 审批流程): name, steps (a person or a role on the requester's branch
 * line, any-of or all-of, a deadline in working hours), thresholds and
 * whether the flow guards at all. An edit affects requests filed after
 * it; requests in flight keep the steps they were filed with.
 */
#include "approval/approval.h"

#include "auth/perm.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <string.h>

#define MAX_STEPS          10
#define MAX_DEADLINE_HOURS 720
#define MAX_STEP_USERS     20

#define FLOW_COLUMNS                                                                               \
    "id, key, name, name_en, entity, steps, params, enabled, version, updated_at, "                \
    "(SELECT COUNT(*) FROM approval_requests q WHERE q.flow_id = approval_flows.id AND "           \
    "q.status = 'pending')"

static json_t *flow_row(struct db_stmt *st, struct req *r)
{
    (void)r;
    json_t *steps = json_loads(db_col_text(st, 5), 0, NULL);
    json_t *params = json_loads(db_col_text(st, 6), 0, NULL);
    char at[40];
    clock_format_iso(db_col_int(st, 9), at, sizeof(at));
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:I,s:s,s:I}", "id", (json_int_t)db_col_int(st, 0), "key",
        db_col_text(st, 1), "name", db_col_text(st, 2), "name_en", db_col_text(st, 3), "entity",
        db_col_text(st, 4), "steps", steps ? steps : json_array(), "params",
        params ? params : json_object(), "enabled", db_col_int(st, 7) != 0, "version",
        (json_int_t)db_col_int(st, 8), "updated_at", at, "pending", (json_int_t)db_col_int(st, 10));
}

static void list(struct req *r)
{
    listing_reply_query(r, flow_row, "SELECT " FLOW_COLUMNS " FROM approval_flows ORDER BY id",
                        DB_NOARGS);
}

static void reply_flow(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "flow", flow_row,
                      "SELECT " FLOW_COLUMNS " FROM approval_flows WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_flow(r, 200, id);
}

static void fail(struct req *r, json_t *errors, const char *field, const char *key)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(req_msg(r, key)));
}

static bool user_active(struct db *db, json_t *uid)
{
    int64_t n = 0;
    return json_is_integer(uid) &&
           db_query_int(db, "SELECT COUNT(*) FROM users WHERE id = ? AND status = 'active'",
                        DB_ARGS(DB_INT(json_integer_value(uid))), &n) == 1 &&
           n > 0;
}

/* One step as stored: only the members it needs, checked. */
static json_t *check_step(struct req *r, json_t *s, json_t *errors)
{
    const char *kind = json_string_value(json_object_get(s, "kind"));
    const char *mode = json_string_value(json_object_get(s, "mode"));
    json_t *hours = json_object_get(s, "deadline_hours");
    json_t *out = json_object();
    if (kind && strcmp(kind, "user") == 0) {
        /* one person (user_id) or several (user_ids) */
        json_t *uid = json_object_get(s, "user_id"), *list = json_object_get(s, "user_ids"), *v;
        size_t i;
        bool ok = uid ? user_active(r->db, uid) && !list
                      : json_is_array(list) && json_array_size(list) > 0 &&
                            json_array_size(list) <= MAX_STEP_USERS;
        json_array_foreach(uid ? NULL : list, i, v) ok &= user_active(r->db, v);
        if (!ok)
            fail(r, errors, "steps", "approval.step_user");
        else if (uid)
            json_object_set_new(out, "user_id", json_integer(json_integer_value(uid)));
        else
            json_object_set(out, "user_ids", list);
    } else if (kind && strcmp(kind, "role") == 0) {
        const char *role = json_string_value(json_object_get(s, "role"));
        if (!role || !perm_role_valid(role))
            fail(r, errors, "steps", "approval.step_role");
        else
            json_object_set_new(out, "role", json_string(role));
    } else {
        fail(r, errors, "steps", "approval.step_kind");
    }
    if (!mode || (strcmp(mode, "any") != 0 && strcmp(mode, "all") != 0))
        fail(r, errors, "steps", "approval.step_mode");
    if (hours && (!json_is_integer(hours) || json_integer_value(hours) < 0 ||
                  json_integer_value(hours) > MAX_DEADLINE_HOURS))
        fail(r, errors, "steps", "approval.step_deadline");
    json_object_set_new(out, "kind", json_string(kind ? kind : ""));
    json_object_set_new(out, "mode", json_string(mode ? mode : ""));
    json_object_set_new(out, "deadline_hours", json_integer(json_integer_value(hours)));
    return out;
}

/* A threshold: a whole number or decimal text, at least 0. */
static bool threshold_ok(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0;
    const char *s = json_string_value(v);
    if (!s || !*s)
        return false;
    int dots = 0;
    for (const char *p = s; *p; p++)
        if (*p == '.' ? ++dots > 1 : (*p < '0' || *p > '9'))
            return false;
    return true;
}

/* The flow's fields of in, checked, into *steps_out / *params_out. */
static void check_flow(struct req *r, json_t *in, json_t *errors, json_t **steps_out,
                       json_t **params_out)
{
    const char *name = json_string_value(json_object_get(in, "name"));
    if (json_object_get(in, "name") && (!name || !*name || utf8_len(name) > 100))
        fail(r, errors, "name", "approval.name");
    const char *name_en = json_string_value(json_object_get(in, "name_en"));
    if (json_object_get(in, "name_en") && (!name_en || utf8_len(name_en) > 100))
        fail(r, errors, "name_en", "approval.name");
    json_t *enabled = json_object_get(in, "enabled");
    if (enabled && !json_is_boolean(enabled))
        fail(r, errors, "enabled", "field.invalid");
    json_t *steps = json_object_get(in, "steps");
    *steps_out = NULL;
    if (steps) {
        if (!json_is_array(steps) || json_array_size(steps) < 1 ||
            json_array_size(steps) > MAX_STEPS) {
            fail(r, errors, "steps", "approval.steps");
        } else {
            *steps_out = json_array();
            size_t i;
            json_t *s;
            json_array_foreach(steps, i, s)
                json_array_append_new(*steps_out, check_step(r, s, errors));
        }
    }
    json_t *params = json_object_get(in, "params");
    *params_out = NULL;
    if (params) {
        const char *k;
        json_t *v;
        bool ok = json_is_object(params);
        json_object_foreach(ok ? params : NULL, k, v) ok &= json_is_array(v) || threshold_ok(v);
        if (ok)
            *params_out = json_incref(params);
        else
            fail(r, errors, "params", "approval.params");
    }
}

static char *dump_or_null(json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

static void update(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object(), *steps, *params;
    json_t *version = json_object_get(r->json, "version");
    if (!json_is_integer(version))
        fail(r, errors, "version", "field.invalid");
    check_flow(r, r->json, errors, &steps, &params);
    if (json_object_size(errors)) {
        json_decref(steps);
        json_decref(params);
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    char *steps_text = dump_or_null(steps), *params_text = dump_or_null(params);
    json_t *enabled = json_object_get(r->json, "enabled");
    const char *name = json_string_value(json_object_get(r->json, "name"));
    const char *name_en = json_string_value(json_object_get(r->json, "name_en"));
    bool done = false;
    if (audit_begin(r)) {
        int rc = db_exec(
            r->db,
            "UPDATE approval_flows SET name = COALESCE(?, name), name_en = COALESCE(?, name_en), "
            "steps = COALESCE(?, steps), params = COALESCE(?, params), enabled = COALESCE(?, "
            "enabled), updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
            "version = ?",
            DB_ARGS(DB_TEXT(name), DB_TEXT(name_en), DB_TEXT(steps_text), DB_TEXT(params_text),
                    DB_INT_OR_NULL(enabled != NULL, json_is_true(enabled)), DB_INT(r->actor_id),
                    DB_INT(clock_now()), DB_INT(id), DB_INT(json_integer_value(version))));
        if (!audit_missed(r, rc, "SELECT 1 FROM approval_flows WHERE id = ?", DB_ARGS(DB_INT(id))))
            done = audit_end(r, rc, "approval_flow.update", "approval_flow", id,
                             json_deep_copy(r->json));
    }
    if (done)
        reply_flow(r, 200, id);
    free(steps_text);
    free(params_text);
    json_decref(steps);
    json_decref(params);
}

#include "approval/approval_flow_api.routes.h"
