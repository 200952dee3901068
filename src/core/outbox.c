/*
 * outbox.c - queueing and delivering outgoing messages (see outbox.h), and
 * the dev mailbox admins read when no transport is configured.
 */
#include "core/outbox.h"

#include "core/perms.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/scheduler.h"
#include "core/transport.h"
#include "db/db.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH         20
#define LEASE_SECONDS 120

int outbox_enqueue_with(struct db *db, const char *channel, const char *recipient,
                        const char *subject, const char *body, const char *dedupe_key,
                        const struct outbox_attachment *att, int64_t *id)
{
    int64_t now = clock_now(), got = 0;
    if (att && (!att->file || !*att->file || strchr(att->file, '/')))
        return DB_ERROR; /* a reference outside the files directory */
    int rc = db_query_int(
        db,
        "INSERT INTO outbox (channel, recipient, subject, body, dedupe_key, next_attempt_at, "
        "created_at, attachment, attachment_name, attachment_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?) ON CONFLICT DO NOTHING RETURNING id",
        DB_ARGS(DB_TEXT(channel), DB_TEXT(recipient), DB_TEXT(subject), DB_TEXT(body),
                DB_TEXT(dedupe_key), DB_INT(now), DB_INT(now), DB_TEXT(att ? att->file : NULL),
                DB_TEXT(att ? att->name : NULL), DB_TEXT(att ? att->type : NULL)),
        &got);
    if (id)
        *id = rc == 1 ? got : 0;
    if (rc >= 0)
        rc = 0;
    /* Wake the scheduler once the row is visible, not before. */
    if (rc == 0)
        db_on_commit(db, scheduler_wake);
    return rc;
}

int outbox_enqueue(struct db *db, const char *channel, const char *recipient, const char *subject,
                   const char *body, const char *dedupe_key)
{
    return outbox_enqueue_with(db, channel, recipient, subject, body, dedupe_key, NULL, NULL);
}

void outbox_configure(void)
{
    transport_configure();
}

struct message {
    int64_t id;
    char *channel, *recipient, *subject, *body;
    char *attachment, *attachment_name, *attachment_type; /* NULL: none */
    int attempts;
};

static void message_clear(struct message *m)
{
    free(m->channel);
    free(m->recipient);
    free(m->subject);
    free(m->body);
    free(m->attachment);
    free(m->attachment_name);
    free(m->attachment_type);
    memset(m, 0, sizeof(*m));
}

/* Claim message id for LEASE_SECONDS; 1 when this process got it. */
static int claim(struct db *db, int64_t id, int64_t now)
{
    int rc = db_exec(db,
                     "UPDATE outbox SET status = 'sending', lease_until = ? "
                     "WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND "
                     "lease_until < ?))",
                     DB_ARGS(DB_INT(now + LEASE_SECONDS), DB_INT(id), DB_INT(now)));
    if (rc)
        return rc;
    return db_changes(db) == 1;
}

static int deliver_to_mailbox(struct db *db, const struct message *m, int64_t now)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db,
                 "INSERT INTO dev_mailbox (outbox_id, channel, recipient, subject, body, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                 DB_ARGS(DB_INT(m->id), DB_TEXT(m->channel), DB_TEXT(m->recipient),
                         DB_TEXT(m->subject), DB_TEXT(m->body), DB_INT(now)));
    if (!rc)
        rc = db_exec(db, "UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(m->id)));
    return db_end(db, rc);
}

/* When channel c allows at most c->per_minute sends to m's recipient in
 * any 60 seconds and that many went in the last minute: 1 with *until the
 * moment the window lets one more go; 0 when m may go now; negative DB_*. */
static int window_full(struct db *db, const struct transport_channel *c, const struct message *m,
                       int64_t now, int64_t *until)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT sent_at FROM outbox WHERE channel = ? AND recipient = ? AND "
                          "status = 'sent' AND sent_at > ? ORDER BY sent_at DESC LIMIT 1 OFFSET ?",
                          DB_ARGS(DB_TEXT(m->channel), DB_TEXT(m->recipient), DB_INT(now - 60),
                                  DB_INT(c->per_minute - 1)));
    if (rc == 1) {
        *until = db_col_int(st, 0) + 60;
        db_finish(st);
    }
    return rc;
}

static void deliver(struct db *db, const struct message *m)
{
    int64_t now = clock_now();
    char err[256] = "";
    char key[32];
    const struct transport_channel *c = transport_find(m->channel);
    int64_t until;
    if (c && c->per_minute > 0 && window_full(db, c, m, now, &until) == 1) {
        /* Deferred, not failed: the attempt is not counted. */
        db_exec(db,
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_until = NULL "
                "WHERE id = ?",
                DB_ARGS(DB_INT(until), DB_INT(m->id)));
        return;
    }
    snprintf(key, sizeof(key), "hongyan-outbox-%lld", (long long)m->id);
    char *path = m->attachment ? files_path(m->attachment) : NULL;
    struct transport_attachment att = {path, m->attachment_name ? m->attachment_name : "attachment",
                                       m->attachment_type ? m->attachment_type
                                                          : "application/octet-stream"};
    int rc = transport_send_with(db, m->channel, m->recipient, m->subject, m->body,
                                 path ? &att : NULL, key, err, sizeof(err));
    int attempts = m->attempts + 1;
    /* The attachment's snapshot is needed no more once the message went or
     * was given up (the dev mailbox keeps the text only). */
    if (path && (rc == 0 || rc == TRANSPORT_NOT_CONFIGURED || attempts >= OUTBOX_MAX_ATTEMPTS))
        unlink(path);
    free(path);
    if (rc == TRANSPORT_NOT_CONFIGURED) {
        deliver_to_mailbox(db, m, now);
        return;
    }
    if (rc == 0) {
        db_exec(db,
                "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL "
                "WHERE id = ?",
                DB_ARGS(DB_INT(now), DB_INT(m->id)));
        return;
    }
    /* 30 s, 1 min, 2 min, … capped at an hour; dead after the last try. */
    int64_t delay = 30LL << (attempts - 1 < 7 ? attempts - 1 : 7);
    if (delay > 3600)
        delay = 3600;
    log_warn("outbox %lld: %s delivery failed (attempt %d): %s", (long long)m->id, m->channel,
             attempts, err);
    db_exec(db,
            "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
            "lease_until = NULL WHERE id = ?",
            DB_ARGS(DB_TEXT(attempts >= OUTBOX_MAX_ATTEMPTS ? "dead" : "pending"), DB_INT(attempts),
                    DB_INT(now + delay), DB_TEXT(err), DB_INT(m->id)));
}

int outbox_run(struct db *db)
{
    int64_t now = clock_now();
    struct message batch[BATCH];
    int n = 0;
    struct db_stmt *st =
        db_query(db,
                 "SELECT id, channel, recipient, subject, body, attempts, attachment, "
                 "attachment_name, attachment_type FROM outbox "
                 "WHERE (status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND "
                 "lease_until < ?) ORDER BY id LIMIT ?",
                 DB_ARGS(DB_INT(now), DB_INT(now), DB_INT(BATCH)));
    if (!st)
        return -1;
    while (n < BATCH && db_step(st) == 1) {
        struct message *m = &batch[n++];
        m->id = db_col_int(st, 0);
        m->channel = xstrdup(db_col_text(st, 1));
        m->recipient = xstrdup(db_col_text(st, 2));
        m->subject = xstrdup(db_col_text(st, 3));
        m->body = xstrdup(db_col_text(st, 4));
        m->attempts = (int)db_col_int(st, 5);
        m->attachment = db_col_is_null(st, 6) ? NULL : xstrdup(db_col_text(st, 6));
        m->attachment_name = db_col_is_null(st, 7) ? NULL : xstrdup(db_col_text(st, 7));
        m->attachment_type = db_col_is_null(st, 8) ? NULL : xstrdup(db_col_text(st, 8));
    }
    db_finish(st);
    for (int i = 0; i < n; i++) {
        if (claim(db, batch[i].id, now) == 1)
            deliver(db, &batch[i]);
        message_clear(&batch[i]);
    }
    return n == BATCH ? n : 0;
}

/* GET /dev-mailbox */
static void mailbox_list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_run_with(&l, "id, channel, recipient, subject, body, created_at", "dev_mailbox", NULL);
}

/* GET /outbox: recent deliveries with their state, newest first, for the
 * admin's notification page; ?channel= and ?status= narrow it. The body
 * stays out: it may hold a customer's message. */
static void deliveries_list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_filter_text(&l, "channel", "channel = ?");
    listing_filter_text(&l, "status", "status = ?");
    listing_filter_text(&l, "recipient", "recipient = ?");
    listing_run_with(&l,
                     "id, channel, recipient, subject, status, attempts, last_error, "
                     "next_attempt_at, created_at, sent_at",
                     "outbox", NULL);
}

/* The route table outbox_routes[], made from outbox.routes. */
#include "core/outbox.routes.h"

int outbox_drain(struct db *db)
{
    int n;
    /* A full batch means more may be waiting. */
    while ((n = outbox_run(db)) > 0 && !scheduler_stopping())
        ;
    return n;
}
