/*
 * robot.c - the robots as admin settings (see robot.h): checks, sealing of
 * the address and secret, create / edit / delete / test send with their
 * audit entries (which name the robot, never its secret or token).
 */
#include "notify/robot.h"

#include "base/clock.h"
#include "base/datakey.h"
#include "base/i18n.h"
#include "base/xmalloc.h"
#include "core/http_out.h"
#include "core/op.h"
#include "core/outbox.h"
#include "core/reseal.h"
#include "db/db.h"
#include "http/form.h"
#include "notify/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *robot_url_shown(const char *url)
{
    const char *q = strchr(url, '?');
    if (!q)
        return xstrdup(url);
    /* Keep the parameter names (access_token, key), hide their values. */
    size_t cap = strlen(url) * 2 + 16;
    char *out = xmalloc(cap);
    size_t o = (size_t)(q - url) + 1;
    memcpy(out, url, o);
    bool in_value = false;
    for (const char *p = q + 1; *p && o + 16 < cap; p++) {
        if (*p == '&') {
            in_value = false;
            out[o++] = '&';
        } else if (*p == '=' && !in_value) {
            in_value = true;
            memcpy(out + o, "=\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2", 13);
            o += 13;
        } else if (!in_value) {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return out;
}

struct robot_in {
    const char *name, *kind, *url, *secret;
    bool enabled;
    int has_enabled;
    int64_t branch_id;
    bool branch_given;
    json_t *kinds; /* borrowed; NULL: unchanged */
};

/* The URL's checks: http(s), never internal, https unless allow-listed. */
static void check_url(struct form *f, const char *url)
{
    bool internal = false;
    char why[256];
    int rc = http_out_check_url(url, &internal, why, sizeof(why));
    if (rc == HTTP_OUT_EURL)
        form_fail(f, "url", "notify.url_invalid");
    else if (rc == HTTP_OUT_EBLOCKED)
        form_fail(f, "url", "notify.url_blocked");
    else if (strncmp(url, "https://", 8) != 0 && !internal)
        /* A DNS failure passes here: the check is made again at each send. */
        form_fail(f, "url", "notify.url_https");
}

static void read_in(struct form *f, struct db *db, bool create, struct robot_in *in)
{
    memset(in, 0, sizeof(*in));
    in->name = form_str(f, "name", create, 64);
    in->kind = form_str(f, "kind", create, 16);
    if (in->kind && strcmp(in->kind, "dingtalk") != 0 && strcmp(in->kind, "wecom") != 0)
        form_fail(f, "kind", "field.unknown_option");
    in->url = form_str(f, "url", create, 1000);
    if (in->url)
        check_url(f, in->url);
    in->secret = form_str(f, "secret", false, 200);
    if (create && !in->secret)
        form_fail(f, "secret", "notify.secret_required");
    in->has_enabled = form_bool(f, "enabled", false, &in->enabled);
    if (form_has(f, "branch_id")) {
        in->branch_given = true;
        if (form_int(f, "branch_id", false, &in->branch_id) == 1) {
            int64_t found = 0;
            if (db_query_int(db, "SELECT 1 FROM branches WHERE id = ?",
                             DB_ARGS(DB_INT(in->branch_id)), &found) != 1)
                form_fail(f, "branch_id", "field.unknown_option");
        }
    }
    json_t *kinds = json_object_get(f->in, "kinds");
    if (kinds && !json_is_null(kinds)) {
        size_t i;
        json_t *k;
        if (!json_is_array(kinds))
            form_fail(f, "kinds", "notify.unknown_kind");
        json_array_foreach(kinds, i, k)
        {
            if (!notify_kind_known(json_string_value(k)))
                form_fail(f, "kinds", "notify.unknown_kind");
        }
        in->kinds = kinds;
    }
}

/* What the audit log keeps of a robot: no address token, no secret. */
static json_t *audit_detail(const struct robot_in *in, const char *shown)
{
    json_t *d = json_object();
    if (in->name)
        json_object_set_new(d, "name", json_string(in->name));
    if (in->kind)
        json_object_set_new(d, "kind", json_string(in->kind));
    if (shown)
        json_object_set_new(d, "url", json_string(shown));
    if (in->secret)
        json_object_set_new(d, "secret", json_string("changed"));
    if (in->has_enabled == 1)
        json_object_set_new(d, "enabled", json_boolean(in->enabled));
    if (in->branch_given)
        json_object_set_new(d, "branch_id",
                            in->branch_id ? json_integer(in->branch_id) : json_null());
    if (in->kinds)
        json_object_set(d, "kinds", in->kinds);
    return d;
}

static char *seal(const char *plain)
{
    const struct datakey *k = datakey_current();
    return plain && k ? datakey_seal(k, plain) : NULL;
}

static int write_kinds(struct db *db, int64_t id, json_t *kinds)
{
    int rc = db_exec(db, "DELETE FROM notify_robot_kinds WHERE robot_id = ?", DB_ARGS(DB_INT(id)));
    size_t i;
    json_t *k;
    json_array_foreach(kinds, i, k)
    {
        if (rc)
            break;
        rc = db_exec(db,
                     "INSERT INTO notify_robot_kinds (robot_id, kind) VALUES (?, ?) "
                     "ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_INT(id), DB_TEXT(json_string_value(k))));
    }
    return rc;
}

int robot_save(struct db *db, const struct actor *a, int64_t id, json_t *in, int64_t *out_id,
               json_t *errors)
{
    struct form f;
    struct robot_in ri;
    form_init_json(&f, in, a->lang, errors);
    read_in(&f, db, id == 0, &ri);
    if (!form_ok(&f))
        return OP_INVALID;
    if (!datakey_current())
        return DB_ERROR; /* serve always has one; nothing is stored in clear */

    char *url_sealed = seal(ri.url), *secret_sealed = seal(ri.secret);
    char *shown = ri.url ? robot_url_shown(ri.url) : NULL;
    int64_t now = clock_now();
    bool creating = id == 0;
    int rc = db_begin(db);
    if (rc)
        goto out;
    if (id == 0) {
        rc = db_query_id(
            db,
            "INSERT INTO notify_robots (name, kind, url_sealed, url_shown, "
            "secret_sealed, enabled, branch_id, created_at, updated_at) VALUES (?, ?, "
            "?, ?, ?, ?, ?, ?, ?) RETURNING id",
            DB_ARGS(DB_TEXT(ri.name), DB_TEXT(ri.kind), DB_TEXT(url_sealed), DB_TEXT(shown),
                    DB_TEXT(secret_sealed), DB_INT(ri.has_enabled == 1 ? ri.enabled : 1),
                    DB_INT_OR_NULL(ri.branch_id, ri.branch_id), DB_INT(now), DB_INT(now)),
            &id);
    } else {
        json_int_t version = 0;
        json_t *v = json_object_get(in, "version");
        if (!json_is_integer(v)) {
            json_object_set_new(errors, "version",
                                json_string(i18n_msg(a->lang, "field.required")));
            rc = OP_INVALID;
            goto end;
        }
        version = json_integer_value(v);
        rc =
            db_exec(db,
                    "UPDATE notify_robots SET name = COALESCE(?, name), kind = COALESCE(?, kind), "
                    "url_sealed = COALESCE(?, url_sealed), url_shown = COALESCE(?, url_shown), "
                    "secret_sealed = COALESCE(?, secret_sealed), enabled = COALESCE(?, enabled), "
                    "branch_id = CASE WHEN ? = 1 THEN ? ELSE branch_id END, "
                    "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    DB_ARGS(DB_TEXT(ri.name), DB_TEXT(ri.kind), DB_TEXT(url_sealed), DB_TEXT(shown),
                            DB_TEXT(secret_sealed), DB_INT_OR_NULL(ri.has_enabled == 1, ri.enabled),
                            DB_INT(ri.branch_given), DB_INT_OR_NULL(ri.branch_id, ri.branch_id),
                            DB_INT(now), DB_INT(id), DB_INT(version)));
        if (!rc && db_changes(db) == 0) {
            int64_t found = 0;
            int q = db_query_int(db, "SELECT 1 FROM notify_robots WHERE id = ?",
                                 DB_ARGS(DB_INT(id)), &found);
            rc = q < 0 ? q : q == 0 ? OP_NOT_FOUND : OP_STALE;
        }
    }
    if (!rc && ri.kinds)
        rc = write_kinds(db, id, ri.kinds);
    if (!rc)
        rc = actor_audit(db, a, creating ? "notify.robot.create" : "notify.robot.update",
                         "notify_robot", id, audit_detail(&ri, shown));
end:
    rc = op_end(db, rc);
    if (!rc)
        *out_id = id;
out:
    free(url_sealed);
    free(secret_sealed);
    free(shown);
    return rc;
}

int robot_delete(struct db *db, const struct actor *a, int64_t id)
{
    char recipient[24];
    snprintf(recipient, sizeof(recipient), "%lld", (long long)id);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db, "DELETE FROM notify_robot_kinds WHERE robot_id = ?", DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM notify_robots WHERE id = ?", DB_ARGS(DB_INT(id)));
    if (!rc && db_changes(db) == 0)
        rc = OP_NOT_FOUND;
    /* Nothing will deliver them now: say so rather than retry for hours. */
    if (!rc)
        rc = db_exec(db,
                     "UPDATE outbox SET status = 'dead', last_error = 'robot removed', "
                     "lease_until = NULL WHERE channel IN ('dingtalk', 'wecom') AND recipient = ? "
                     "AND status IN ('pending', 'sending')",
                     DB_ARGS(DB_TEXT(recipient)));
    if (!rc)
        rc = actor_audit(db, a, "notify.robot.delete", "notify_robot", id, NULL);
    return op_end(db, rc);
}

int robot_test(struct db *db, const struct actor *a, int64_t id, int64_t *outbox_id)
{
    struct db_stmt *st;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_query_row(db, &st,
                      "SELECT r.kind, CASE r.kind WHEN 'dingtalk' THEN nb.dingtalk_mobile ELSE "
                      "nb.wecom_mobile END FROM notify_robots r LEFT JOIN notify_bindings nb ON "
                      "nb.user_id = ? WHERE r.id = ?",
                      DB_ARGS(DB_INT(a->id), DB_INT(id)));
    if (rc != 1) {
        db_rollback(db);
        return rc < 0 ? rc : OP_NOT_FOUND;
    }
    char kind[16], recipient[24];
    snprintf(kind, sizeof(kind), "%s", db_col_text(st, 0));
    json_t *mobiles = json_array();
    if (!db_col_is_null(st, 1) && *db_col_text(st, 1))
        json_array_append_new(mobiles, json_string(db_col_text(st, 1)));
    db_finish(st);
    snprintf(recipient, sizeof(recipient), "%lld", (long long)id);
    const char *title = i18n_msg(a->lang, "notify.test_title");
    char *text = xasprintf("### %s\n\n%s", title, i18n_msg(a->lang, "notify.test_text"));
    json_t *msg = json_pack("{s:s,s:s,s:o}", "title", title, "text", text, "mobiles", mobiles);
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    free(text);
    rc = outbox_enqueue(db, kind, recipient, title, body, NULL);
    free(body);
    if (!rc)
        rc = db_query_id(db, "SELECT MAX(id) FROM outbox WHERE channel = ? AND recipient = ?",
                         DB_ARGS(DB_TEXT(kind), DB_TEXT(recipient)), outbox_id);
    if (!rc)
        rc = actor_audit(db, a, "notify.robot.test", "notify_robot", id, NULL);
    return op_end(db, rc);
}

int robot_rotate(struct db *db, const struct datakey *from, const struct datakey *to, int64_t *done)
{
    int64_t secrets = 0;
    int rc = db_begin(db);
    if (rc)
        return rc;
    /* Both columns in one transaction: a robot is never left half moved. */
    rc = reseal_column(db, "notify_robots", "url_sealed", from, to, done);
    if (!rc)
        rc = reseal_column(db, "notify_robots", "secret_sealed", from, to, &secrets);
    return db_end(db, rc);
}
