/*
 * mailin.c - the stored messages of the service mailbox: reading one,
 * recording what it became, re-processing a failed one (see mailin.h).
 * Taking messages in is mailin_poll.c; the admin endpoints mailin_api.c.
 */
#include "mail/mailin.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/events.h"
#include "core/op.h"
#include "core/outbox.h"
#include "mail/mail_parse.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static char *text_or(struct db_stmt *st, int i, bool nullable)
{
    if (db_col_is_null(st, i))
        return nullable ? NULL : xstrdup("");
    return xstrdup(db_col_text(st, i));
}

int mailin_get(struct db *db, int64_t id, struct mail_message *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT id, message_id, from_addr, from_name, to_addrs, subject, "
                          "in_reply_to, refs, body_text, thread_ref, status, error, record_kind, "
                          "record_id, sent_at, received_at, attachments_json "
                          "FROM mail_messages WHERE id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    out->id = db_col_int(st, 0);
    out->message_id = text_or(st, 1, true);
    out->from_addr = text_or(st, 2, false);
    out->from_name = text_or(st, 3, false);
    out->to_addrs = text_or(st, 4, false);
    out->subject = text_or(st, 5, false);
    out->in_reply_to = text_or(st, 6, true);
    out->refs = text_or(st, 7, false);
    out->body_text = text_or(st, 8, false);
    out->thread_ref = text_or(st, 9, true);
    out->status = text_or(st, 10, false);
    out->error = text_or(st, 11, true);
    out->record_kind = text_or(st, 12, true);
    out->record_id = db_col_is_null(st, 13) ? 0 : db_col_int(st, 13);
    out->sent_at = db_col_is_null(st, 14) ? 0 : db_col_int(st, 14);
    out->received_at = db_col_int(st, 15);
    out->attachments = json_loads(db_col_text(st, 16), 0, NULL);
    if (!json_is_array(out->attachments)) {
        json_decref(out->attachments);
        out->attachments = json_array();
    }
    db_finish(st);
    return 1;
}

void mail_message_release(struct mail_message *m)
{
    free(m->message_id);
    free(m->from_addr);
    free(m->from_name);
    free(m->to_addrs);
    free(m->subject);
    free(m->in_reply_to);
    free(m->refs);
    free(m->body_text);
    free(m->thread_ref);
    free(m->status);
    free(m->error);
    free(m->record_kind);
    json_decref(m->attachments);
    memset(m, 0, sizeof(*m));
}

int mailin_mark(struct db *db, int64_t id, const char *status, const char *record_kind,
                int64_t record_id, const char *error)
{
    if (!status || (strcmp(status, "processed") != 0 && strcmp(status, "ignored") != 0 &&
                    strcmp(status, "failed") != 0))
        return OP_INVALID;
    int rc = db_exec(db,
                     "UPDATE mail_messages SET status = ?, record_kind = ?, record_id = ?, "
                     "error = ?, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_TEXT(status), DB_TEXT(record_kind),
                             DB_INT_OR_NULL(record_kind != NULL, record_id), DB_TEXT(error),
                             DB_INT(clock_now()), DB_INT(id)));
    if (rc)
        return rc;
    return db_changes(db) == 1 ? 0 : OP_NOT_FOUND;
}

int mailin_reprocess(struct db *db, const struct actor *a, int64_t id)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db,
                 "UPDATE mail_messages SET status = 'new', error = NULL, updated_at = ? "
                 "WHERE id = ? AND status = 'failed'",
                 DB_ARGS(DB_INT(clock_now()), DB_INT(id)));
    if (!rc && db_changes(db) != 1) {
        int64_t one;
        rc =
            db_query_int(db, "SELECT 1 FROM mail_messages WHERE id = ?", DB_ARGS(DB_INT(id)), &one);
        rc = rc < 0 ? rc : rc == 1 ? OP_CONFLICT : OP_NOT_FOUND;
    }
    if (!rc)
        rc = events_publish(db, "mail.received", "mail_message", id, a->id,
                            json_pack("{s:I}", "id", (json_int_t)id));
    if (!rc)
        rc = actor_audit(db, a, "mail.reprocess", "mail_message", id, NULL);
    return db_end(db, rc);
}

char *mailin_reply_subject(const char *thread_ref, const char *subject)
{
    char ref[14];
    if (mail_thread_ref(subject, ref) && strcmp(ref, thread_ref) == 0)
        return xstrdup(subject);
    return xasprintf("[工单 %s] %s", thread_ref, subject);
}

int mailin_reply(struct db *db, const char *to, const char *thread_ref, const char *subject,
                 const char *body, const char *dedupe_key)
{
    char *s = mailin_reply_subject(thread_ref, subject);
    int rc = outbox_enqueue(db, "email", to, s, body, dedupe_key);
    free(s);
    return rc;
}
