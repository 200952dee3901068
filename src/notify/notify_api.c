/*
 * notify_api.c - the endpoints of the notification channels: the robots
 * (admin settings, a test send), the state of e-mail and SMS delivery,
 * and each user's own choice of channels and bound mobiles.
 */
#include "notify/notify_api.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/validate.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "core/transport.h"
#include "db/db.h"
#include "http/form.h"
#include "notify/notify.h"
#include "notify/robot.h"

#include <stdio.h>
#include <string.h>

/* ---- robots (admin) ------------------------------------------------------ */

/* Never the sealed columns: an answer tells only that a secret is set. */
#define ROBOT_COLUMNS                                                                              \
    "r.id, r.name, r.kind, r.url_shown AS url, r.enabled, r.branch_id, b.name AS branch_name, "    \
    "r.version, r.created_at, r.updated_at"
#define ROBOT_FROM "notify_robots r LEFT JOIN branches b ON b.id = r.branch_id"

/* A robot as the API shows it: "secret_set" (always: it is required) and
 * its kinds. */
static json_t *robot_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_object_set_new(o, "secret_set", json_true());
    json_int_t id = json_integer_value(json_object_get(o, "id"));
    json_t *kinds = json_array();
    struct db_stmt *k =
        db_query(r->db, "SELECT kind FROM notify_robot_kinds WHERE robot_id = ? ORDER BY kind",
                 DB_ARGS(DB_INT(id)));
    while (k && db_step(k) == 1)
        json_array_append_new(kinds, json_string(db_col_text(k, 0)));
    db_finish(k);
    json_object_set_new(o, "kinds", kinds);
    return o;
}

static void robots_list(struct req *r)
{
    listing_reply_query(r, robot_row, "SELECT " ROBOT_COLUMNS " FROM " ROBOT_FROM " ORDER BY r.id",
                        DB_NOARGS);
}

static void reply_robot(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "robot", robot_row,
                      "SELECT " ROBOT_COLUMNS " FROM " ROBOT_FROM " WHERE r.id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void save(struct req *r, int64_t id)
{
    json_t *errors = json_object();
    int64_t saved = 0;
    int rc = robot_save(r->db, r->actor, id, r->json, &saved, errors);
    if (!op_reply(r, rc, errors))
        reply_robot(r, id ? 200 : 201, saved);
    json_decref(errors);
}

static void robot_create(struct req *r)
{
    save(r, 0);
}

static void robot_update(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        save(r, id);
}

static void robot_remove(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = robot_delete(r->db, r->actor, id);
    if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

static void robot_test_send(struct req *r)
{
    int64_t id, outbox_id = 0;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = robot_test(r->db, r->actor, id, &outbox_id);
    if (!op_reply(r, rc, NULL))
        reply_json(r, 202, json_pack("{s:I}", "outbox_id", (json_int_t)outbox_id));
}

/* GET /notify/channels: how each channel leaves, read from the environment. */
static void channels(struct req *r)
{
    bool smtp, sms;
    transport_status(&smtp, &sms);
    const char *base = notify_public_url();
    reply_json(r, 200,
               json_pack("{s:{s:b},s:{s:b},s:s?}", "email", "configured", smtp, "sms", "configured",
                         sms, "public_url", base));
}

/* ---- one's own choice ----------------------------------------------------- */

static json_t *string_list(const char *const *list)
{
    json_t *a = json_array();
    for (; *list; list++)
        json_array_append_new(a, json_string(*list));
    return a;
}

static void settings_get(struct req *r)
{
    const struct actor *a = r->actor;
    json_t *choices = json_object();
    for (const char *const *k = notify_kinds; *k; k++)
        json_object_set_new(choices, *k, json_array());
    struct db_stmt *st = db_query(r->db,
                                  "SELECT kind, channel FROM notify_prefs WHERE user_id = ? "
                                  "ORDER BY kind, channel",
                                  DB_ARGS(DB_INT(a->id)));
    int step = 0;
    while (st && (step = db_step(st)) == 1) {
        json_t *list = json_object_get(choices, db_col_text(st, 0));
        if (list)
            json_array_append_new(list, json_string(db_col_text(st, 1)));
    }
    db_finish(st);
    struct db_stmt *b = NULL;
    int found = st && step == 0
                    ? db_query_row(r->db, &b,
                                   "SELECT u.email, u.phone, nb.dingtalk_mobile, nb.wecom_mobile, "
                                   "nb.user_id IS NOT NULL "
                                   "FROM users u LEFT JOIN notify_bindings nb ON nb.user_id = u.id "
                                   "WHERE u.id = ?",
                                   DB_ARGS(DB_INT(a->id)))
                    : DB_ERROR;
    if (found != 1) {
        json_decref(choices);
        reply_db_error(r, found < 0 ? found : DB_ERROR);
        return;
    }
    /* Until the first save the defaults are what reaches the user: show them. */
    if (!db_col_int(b, 4))
        for (const char *const *k = notify_kinds; *k; k++)
            if (notify_kind_defaults(*k))
                json_object_set_new(choices, *k, string_list(notify_kind_defaults(*k)));
    json_t *o = json_pack("{s:o,s:o,s:o}", "kinds", string_list(notify_kinds), "channels",
                          string_list(notify_channels), "choices", choices);
    const char *names[] = {"email", "phone", "dingtalk_mobile", "wecom_mobile"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(o, names[i],
                            db_col_is_null(b, i) || !*db_col_text(b, i)
                                ? json_null()
                                : json_string(db_col_text(b, i)));
    db_finish(b);
    reply_json(r, 200, o);
}

/* A bound mobile: absent or empty clears it; else a mainland mobile. */
static const char *read_mobile(struct form *f, const char *key, char out[12])
{
    const char *v = form_str(f, key, false, 20);
    if (!v)
        return NULL;
    if (validate_mobile(v, out) != 0) {
        form_fail(f, key, "mobile.format");
        return NULL;
    }
    return out;
}

static void read_choices(struct form *f, json_t *choices)
{
    const char *kind;
    json_t *list;
    if (!json_is_object(choices)) {
        form_fail(f, "choices", "field.invalid");
        return;
    }
    json_object_foreach(choices, kind, list)
    {
        if (!notify_kind_known(kind))
            form_fail(f, "choices", "notify.unknown_kind");
        size_t i;
        json_t *c;
        if (!json_is_array(list))
            form_fail(f, "choices", "field.invalid");
        json_array_foreach(list, i, c)
        {
            if (!notify_channel_known(json_string_value(c)))
                form_fail(f, "choices", "field.unknown_option");
        }
    }
}

/* PUT /me/notify-settings {"choices":{kind:[channels]}, "dingtalk_mobile",
 * "wecom_mobile"}: the whole choice, replaced. */
static void settings_put(struct req *r)
{
    const struct actor *a = r->actor;
    struct form f;
    char dt_buf[12], wc_buf[12];
    form_init(&f, r);
    json_t *choices = json_object_get(r->json, "choices");
    read_choices(&f, choices);
    const char *dt = read_mobile(&f, "dingtalk_mobile", dt_buf);
    const char *wc = read_mobile(&f, "wecom_mobile", wc_buf);
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int rc = db_exec(r->db, "DELETE FROM notify_prefs WHERE user_id = ?", DB_ARGS(DB_INT(a->id)));
    const char *kind;
    json_t *list;
    json_object_foreach(choices, kind, list)
    {
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c)
        {
            if (!rc)
                rc = db_exec(r->db,
                             "INSERT INTO notify_prefs (user_id, kind, channel) VALUES (?, ?, ?) "
                             "ON CONFLICT DO NOTHING",
                             DB_ARGS(DB_INT(a->id), DB_TEXT(kind), DB_TEXT(json_string_value(c))));
        }
    }
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO notify_bindings (user_id, dingtalk_mobile, wecom_mobile, "
                     "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                     "dingtalk_mobile = excluded.dingtalk_mobile, wecom_mobile = "
                     "excluded.wecom_mobile, updated_at = excluded.updated_at",
                     DB_ARGS(DB_INT(a->id), DB_TEXT(dt), DB_TEXT(wc), DB_INT(clock_now())));
    /* The choice is audited; the mobiles only as bound or not. */
    json_t *detail = json_pack("{s:O,s:b,s:b}", "choices", choices, "dingtalk_mobile", dt != NULL,
                               "wecom_mobile", wc != NULL);
    if (!audit_end(r, rc, "notify.settings", "user", a->id, detail))
        return;
    settings_get(r);
}

/* The route table notify_routes[], made from notify_api.routes. */
#include "notify/notify_api.routes.h"
