/*
 * mailin_api.c - the admin endpoints of the service mailbox: its state,
 * "poll now", the received messages with their text and attachments, and
 * re-processing a failed one. Mail is hostile input: it leaves here as
 * JSON text (the UI shows it escaped) and attachments only as downloads.
 */
#include "mail/mail_module.h"

#include "auth/actor.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/perms.h"
#include "mail/mailin.h"

#include <stdlib.h>
#include <string.h>

static void status(struct req *r)
{
    json_t *st = NULL;
    int rc = listing_one(r->db, r, &st, NULL,
                         "SELECT last_attempt_at, last_success_at, last_error_code, last_error, "
                         "last_error_at, last_uid, uidvalidity FROM mailin_state WHERE id = 1",
                         NULL, 0);
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : -1);
        return;
    }
    json_object_set_new(st, "configured", json_boolean(mailin_configured()));
    json_object_set_new(st, "url", json_string(mailin_public_url()));
    json_object_set_new(st, "poll_seconds", json_integer(mailin_poll_seconds()));
    const char *code = json_string_value(json_object_get(st, "last_error_code"));
    if (code) {
        char key[64];
        snprintf(key, sizeof(key), "mail.error.%s", code);
        json_object_set_new(st, "last_error_message", json_string(req_msg(r, key)));
    }
    struct db_stmt *q = db_query(
        r->db, "SELECT status, COUNT(*) FROM mail_messages GROUP BY status ORDER BY status", NULL,
        0);
    json_t *counts = json_object();
    while (q && db_step(q) == 1)
        json_object_set_new(counts, db_col_text(q, 0), json_integer(db_col_int(q, 1)));
    db_finish(q);
    json_object_set_new(st, "counts", counts);
    reply_json(r, 200, json_pack("{s:o}", "mailbox", st));
}

static void poll_now(struct req *r)
{
    int taken = 0;
    /* A scheduled poll may be running: wait for it rather than refuse. */
    int rc = mailin_poll(r->db, 10, &taken);
    if (rc == MAILIN_NOT_CONFIGURED) {
        reply_error_key(r, 409, "conflict", "mail.not_configured");
        return;
    }
    if (rc == MAILIN_BUSY) {
        reply_error_key(r, 409, "conflict", "mail.busy");
        return;
    }
    actor_audit(r->db, r->actor, "mail.poll", "mail", 0,
                json_pack("{s:i,s:b}", "taken", taken, "ok", rc == 0));
    if (rc == MAILIN_FAILED) {
        reply_error_key(r, 502, "mail_poll_failed", "mail.poll_failed");
        return;
    }
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, json_pack("{s:i}", "taken", taken));
}

/* Attachments as the API shows them: where a copy is kept stays inside. */
static void present_attachments(json_t *o)
{
    json_t *atts = json_object_get(o, "attachments");
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        json_object_set_new(a, "kept", json_boolean(json_object_get(a, "file") != NULL));
        json_object_del(a, "file");
    }
}

static json_t *message_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_unsuffixed(st, r);
    present_attachments(o);
    json_t *html = json_object_get(o, "body_from_html");
    if (html)
        json_object_set_new(o, "body_from_html", json_boolean(json_integer_value(html) != 0));
    return o;
}

#define LIST_COLUMNS                                                                               \
    "id, received_at, from_addr, from_name, subject, status, error, record_kind, record_id, "      \
    "thread_ref, attachments_json"

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    const char *s = req_query(r, "status");
    if (s && *s && strcmp(s, "new") != 0 && strcmp(s, "processed") != 0 &&
        strcmp(s, "ignored") != 0 && strcmp(s, "failed") != 0) {
        listing_fail(&l, "status", "field.invalid");
        return;
    }
    listing_filter_text(&l, "status", "status = ?");
    listing_run_with(&l, LIST_COLUMNS, "mail_messages", message_row);
}

static void get(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    listing_reply_one(r, 200, "message", message_row,
                      "SELECT " LIST_COLUMNS ", message_id, to_addrs, in_reply_to, refs, sent_at, "
                      "body_text, body_from_html, size, seen_at FROM mail_messages WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void attachment(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    char *end;
    long n = strtol(r->params[1], &end, 10);
    struct mail_message m;
    int rc = mailin_get(r->db, id, &m);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    json_t *a = rc == 1 && !*end && n >= 0 ? json_array_get(m.attachments, (size_t)n) : NULL;
    const char *file = json_string_value(json_object_get(a, "file"));
    if (!file) {
        reply_error(r, 404, "not_found");
    } else {
        actor_audit(r->db, r->actor, "mail.attachment", "mail_message", id,
                    json_pack("{s:i}", "index", (int)n));
        char *path = files_path(file);
        /* Never inline: whatever the sender called it, it is a download. */
        const char *name = json_string_value(json_object_get(a, "name"));
        reply_file(r, path, "application/octet-stream", name && *name ? name : "attachment");
        free(path);
    }
    if (rc == 1)
        mail_message_release(&m);
}

static void reprocess(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = mailin_reprocess(r->db, r->actor, id);
    if (rc == OP_CONFLICT) {
        reply_error_key(r, 409, "conflict", "mail.not_failed");
        return;
    }
    if (op_reply(r, rc, NULL))
        return;
    reply_ok(r);
}

/* The route table mail_routes[], made from mailin_api.routes. */
#include "mail/mailin_api.routes.h"
