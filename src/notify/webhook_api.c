/*
 * webhook_api.c - the endpoints of outgoing webhooks (admin only): the
 * subscriptions, their delivery log with each attempt, and replay.
 */
#include "notify/webhook_api.h"

#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/http.h"
#include "notify/webhook.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The event types published today (core/events.h); a pattern may also name
 * one that comes later. */
static const char *const event_types[] = {
    "customer.created",
    "customer.changed",
    "customer.merged",
    "customer.imported",
    "customer.erased",
    "customer.anonymised",
    "customer.purged",
    "enterprise.created",
    "enterprise.changed",
    "enterprise.deleted",
    "enterprise.restored",
    "interaction.created",
    "task.created",
    "task.changed",
    "ticket.created",
    "ticket.status_changed",
    "waybill.alert_closed",
    "statement.generated",
    "statement.status_changed",
    "mail.received",
    NULL,
};

/* Never the sealed secret: an answer tells only that one is set. */
#define HOOK_COLUMNS                                                                               \
    "id, url, events AS events_json, description, enabled, version, created_at, updated_at"

static json_t *hook_row(struct db_stmt *st, struct req *r)
{
    /* events_json comes back parsed, named "events". */
    json_t *o = listing_row_unsuffixed(st, r);
    json_t *on = json_object_get(o, "enabled");
    json_object_set_new(o, "enabled", json_boolean(json_is_true(on) || json_integer_value(on)));
    json_object_set_new(o, "secret_set", json_true());
    return o;
}

static void webhooks_list(struct req *r)
{
    listing_reply_query(
        r, hook_row, "SELECT " HOOK_COLUMNS " FROM webhook_subscriptions ORDER BY id", DB_NOARGS);
}

static void save(struct req *r, int64_t id)
{
    json_t *errors = json_object();
    int64_t saved = 0;
    char secret[96] = "";
    int rc = webhook_save(r->db, r->actor, id, r->json, &saved, secret, sizeof(secret), errors);
    if (!op_reply(r, rc, errors)) {
        json_t *row = NULL;
        int q = listing_one(r->db, r, &row, hook_row,
                            "SELECT " HOOK_COLUMNS " FROM webhook_subscriptions WHERE id = ?",
                            DB_ARGS(DB_INT(saved)));
        if (q != 1) {
            reply_db_error(r, q < 0 ? q : DB_ERROR);
        } else if (id == 0) {
            /* The one time the secret leaves the server in clear. */
            reply_json(r, 201, json_pack("{s:o,s:s}", "webhook", row, "secret", secret));
        } else {
            reply_json(r, 200, json_pack("{s:o}", "webhook", row));
        }
    }
    sodium_memzero(secret, sizeof(secret));
    json_decref(errors);
}

static void webhook_create(struct req *r)
{
    save(r, 0);
}

static void webhook_update(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        save(r, id);
}

static void webhook_remove(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = webhook_delete(r->db, r->actor, id);
    if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

/* A delivery with its attempts, oldest first. */
static json_t *delivery_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_int_t id = json_integer_value(json_object_get(o, "id"));
    struct db_stmt *a = db_query(r->db,
                                 "SELECT attempt, status_code, duration_ms, error, at FROM "
                                 "webhook_attempts WHERE outbox_id = ? ORDER BY id",
                                 DB_ARGS(DB_INT(id)));
    json_t *attempts = a ? listing_rows(a, r, NULL) : json_array();
    json_object_set_new(o, "log", attempts ? attempts : json_array());
    return o;
}

static void deliveries_list(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int64_t found = 0;
    int rc = db_query_int(r->db, "SELECT 1 FROM webhook_subscriptions WHERE id = ?",
                          DB_ARGS(DB_INT(id)), &found);
    if (rc <= 0) {
        if (rc < 0)
            reply_db_error(r, rc);
        else
            reply_error(r, 404, "not_found");
        return;
    }
    char recipient[24];
    snprintf(recipient, sizeof(recipient), "%lld", (long long)id);
    /* The newest 100: the log is for looking at recent trouble. */
    listing_reply_query(r, delivery_row,
                        "SELECT id, subject AS type, status, attempts, last_error, "
                        "next_attempt_at, created_at, sent_at FROM outbox WHERE channel = "
                        "'webhook' AND recipient = ? ORDER BY id DESC LIMIT 100",
                        DB_ARGS(DB_TEXT(recipient)));
}

static void delivery_replay(struct req *r)
{
    int64_t id, new_id = 0;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = webhook_replay(r->db, r->actor, id, &new_id);
    if (!op_reply(r, rc, NULL))
        reply_json(r, 202, json_pack("{s:I}", "outbox_id", (json_int_t)new_id));
}

static void event_kinds(struct req *r)
{
    json_t *items = json_array();
    for (const char *const *k = event_types; *k; k++)
        json_array_append_new(items, json_string(*k));
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The route table webhook_routes[], made from webhook_api.routes. */
#include "notify/webhook_api.routes.h"
