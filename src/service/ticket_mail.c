/*
 * ticket_mail.c - the e-mail channel of the tickets: the consumer of
 * "mail.received" (mail/mailin.h) that makes a new message from an
 * enterprise contact a ticket, threads a message carrying a ticket number
 * onto that ticket as the customer's answer, and sets aside mail from
 * senders who are no contact; and the way back, a staff reply sent by
 * e-mail with the number in its subject.
 *
 * The consumer acts as the system actor (audited as "system": no user
 * did it). A sender is a contact when the lower-cased address equals a
 * contact's e-mail exactly, never a domain or a guess. Unknown senders
 * make no ticket: a mailbox open to the world gets spam and mistakes, and
 * such a ticket would have no enterprise, branch or queue to go to; the
 * message stays on the 服务邮箱 page as "ignored" (unknown_sender), where
 * staff read it and log a ticket by hand when it is real.
 */
#include "service/ticket.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "core/events.h"
#include "core/files.h"
#include "core/op.h"
#include "db/db.h"
#include "mail/mailin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Carry the message's accepted attachments over to ticket id: a hard link
 * to the mailbox's stored copy (the mailbox keeps its own), inserted with
 * a timeline entry. Refused or unacceptable files are left out. */
static int carry_attachments(struct db *db, int64_t id, const struct mail_message *m)
{
    size_t i;
    json_t *att;
    int rc = 0;
    json_array_foreach(m->attachments, i, att)
    {
        const char *name = json_string_value(json_object_get(att, "name"));
        const char *file = json_string_value(json_object_get(att, "file"));
        if (!name || !file || !*name || strchr(name, '/') || strchr(name, '\\'))
            continue;
        char *src = files_path(file);
        const char *type = ticket_attachment_kind(name, src);
        char stored[96];
        snprintf(stored, sizeof(stored), "ticket-%lld-mail-%lld-%zu", (long long)id,
                 (long long)m->id, i);
        char *dst = files_path(stored);
        bool ok = type && (link(src, dst) == 0 || errno == EEXIST);
        free(src);
        free(dst);
        if (!ok)
            continue;
        int64_t aid = 0, size = json_integer_value(json_object_get(att, "size"));
        rc = db_query_id(db,
                         "INSERT INTO ticket_attachments (ticket_id, file_name, stored_name, "
                         "content_type, size, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, "
                         "NULL, ?) RETURNING id",
                         DB_ARGS(DB_INT(id), DB_TEXT(name), DB_TEXT(stored), DB_TEXT(type),
                                 DB_INT(size), DB_INT(clock_now())),
                         &aid);
        if (!rc)
            rc = ticket_entry(db, &actor_system, id, "attachment", name,
                              json_pack("{s:I,s:I,s:I}", "attachment_id", (json_int_t)aid, "size",
                                        (json_int_t)size, "mail_id", (json_int_t)m->id));
        if (rc)
            break;
    }
    return rc;
}

/* A new message from a contact: a new ticket of its enterprise. */
static int new_ticket(struct db *db, const struct mail_message *m)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT c.id, c.enterprise_id FROM enterprise_contacts c "
                          "JOIN enterprises e ON e.id = c.enterprise_id AND e.deleted_at IS NULL "
                          "WHERE lower(c.email) = ? ORDER BY c.is_primary DESC, c.id LIMIT 1",
                          DB_ARGS(DB_TEXT(m->from_addr)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return mailin_mark(db, m->id, "ignored", NULL, 0, "unknown_sender");
    struct ticket_new in = {
        .channel = "email",
        .type = "inquiry",
        .subject = *m->subject ? m->subject : "（无主题）",
        .description = m->body_text,
        .contact_id = db_col_int(st, 0),
        .enterprise_id = db_col_int(st, 1),
        .email_thread_ref = m->message_id,
    };
    db_finish(st);
    int64_t id = 0;
    json_t *errors = json_object();
    rc = ticket_create_in(db, &actor_system, &in, &id, errors);
    json_decref(errors);
    if (rc > 0) /* refused by the ticket's checks: nothing was written */
        return mailin_mark(db, m->id, "failed", NULL, 0, "ticket_refused");
    if (!rc)
        rc = carry_attachments(db, id, m);
    return rc ? rc : mailin_mark(db, m->id, "processed", "ticket", id, NULL);
}

/* A message carrying ticket number ref: the customer's answer on it, when
 * the sender is a contact of the ticket's enterprise. */
static int thread_reply(struct db *db, const struct mail_message *m)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT id, COALESCE(enterprise_id, 0) FROM tickets WHERE ticket_no = ?",
                          DB_ARGS(DB_TEXT(m->thread_ref)));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return mailin_mark(db, m->id, "ignored", NULL, 0, "unknown_ticket");
    int64_t id = db_col_int(st, 0), ent = db_col_int(st, 1), contact = 0;
    db_finish(st);
    rc = ent ? db_query_int(db,
                            "SELECT id FROM enterprise_contacts WHERE enterprise_id = ? AND "
                            "lower(email) = ? ORDER BY id LIMIT 1",
                            DB_ARGS(DB_INT(ent), DB_TEXT(m->from_addr)), &contact)
             : 0;
    if (rc < 0)
        return rc;
    if (!contact)
        return mailin_mark(db, m->id, "ignored", "ticket", id, "not_ticket_contact");
    char dedupe[64];
    snprintf(dedupe, sizeof(dedupe), "ticket:%lld:mail:%lld", (long long)id, (long long)m->id);
    rc = ticket_customer_reply(db, &actor_system, id, m->body_text,
                               json_pack("{s:s,s:I,s:s,s:s,s:I}", "via", "email", "mail_id",
                                         (json_int_t)m->id, "from", m->from_addr, "from_name",
                                         m->from_name, "contact_id", (json_int_t)contact),
                               dedupe);
    return rc ? rc : mailin_mark(db, m->id, "processed", "ticket", id, NULL);
}

int ticket_mail_received(struct db *db, const struct domain_event *ev)
{
    int64_t mid = json_integer_value(json_object_get(ev->payload, "id"));
    struct mail_message m;
    int rc = mid > 0 ? mailin_get(db, mid, &m) : 0;
    if (rc <= 0)
        return rc;
    /* Only "new" is ours to act on: a repeat of the event finds it marked. */
    rc = strcmp(m.status, "new") != 0    ? 0
         : m.thread_ref && *m.thread_ref ? thread_reply(db, &m)
                                         : new_ticket(db, &m);
    mail_message_release(&m);
    return rc > 0 ? DB_ERROR : rc;
}

int ticket_mail_reply(struct db *db, int64_t id, const char *body)
{
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT t.ticket_no, t.subject, COALESCE(c.email, ''), "
                          "(SELECT MAX(e.id) FROM ticket_entries e WHERE e.ticket_id = t.id) "
                          "FROM tickets t LEFT JOIN enterprise_contacts c ON c.id = t.contact_id "
                          "WHERE t.id = ? AND t.channel = 'email'",
                          DB_ARGS(DB_INT(id)));
    if (rc <= 0)
        return rc;
    char no[32], subject[512], to[320], dedupe[64];
    snprintf(no, sizeof(no), "%s", db_col_text(st, 0));
    snprintf(subject, sizeof(subject), "%s", db_col_text(st, 1));
    snprintf(to, sizeof(to), "%s", db_col_text(st, 2));
    /* one e-mail per reply entry, whatever retries the outbox makes */
    snprintf(dedupe, sizeof(dedupe), "ticket:%lld:reply:%lld", (long long)id,
             (long long)db_col_int(st, 3));
    db_finish(st);
    if (!*to)
        return 0;
    return mailin_reply(db, to, no, subject, body, dedupe);
}
