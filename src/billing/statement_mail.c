/*
 * statement_mail.c - e-mailing a statement (发送 / 重新发送) to the
 * enterprise's finance contacts with its PDF attached, through the outbox:
 * the PDF is written to the files directory and each outbox row refers to
 * its own copy (core/outbox.h), so the row stays small, the message is
 * what the statement was when it was sent, and the delivery (retries,
 * the SMTP error) is the outbox's. statement_mails links each message to
 * the statement for its delivery status.
 */
#include "billing/billing.h"
#include "billing/statement_state.h"

#include "base/clock.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/files.h"
#include "core/op.h"
#include "core/outbox.h"
#include "db/db.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECIPIENTS 10

struct recipient {
    char email[256], name[128];
};

/* The finance contacts of ent with an e-mail address (at most
 * MAX_RECIPIENTS): 0 with *n, or DB_*. */
static int recipients(struct db *db, int64_t ent, struct recipient *out, int *n)
{
    /* roles is a JSON list of fixed codes: the quoted code cannot match
     * inside another (as billing_settings.c reads them) */
    struct db_stmt *st = db_query(db,
                                  "SELECT email, name FROM enterprise_contacts WHERE "
                                  "enterprise_id = ? AND roles LIKE '%\"finance\"%' AND email IS "
                                  "NOT NULL AND email <> '' ORDER BY id LIMIT ?",
                                  DB_ARGS(DB_INT(ent), DB_INT(MAX_RECIPIENTS)));
    if (!st)
        return DB_ERROR;
    int rc;
    *n = 0;
    while ((rc = db_step(st)) == 1 && *n < MAX_RECIPIENTS) {
        snprintf(out[*n].email, sizeof(out[*n].email), "%s", db_col_text(st, 0));
        snprintf(out[*n].name, sizeof(out[*n].name), "%s", db_col_text(st, 1));
        (*n)++;
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* Write data to a new file of the files directory; its name into name. */
static int write_snapshot(const char *data, size_t len, int64_t sid, int i, char *name, size_t n)
{
    unsigned char rnd[6];
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(name, n, "mail-statement-%" PRId64 "-%d-%02x%02x%02x%02x%02x%02x.pdf", sid, i, rnd[0],
             rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    char *path = files_path(name);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(data, 1, len, f) == len ? 0 : DB_ERROR;
    if (f && fclose(f) != 0)
        rc = DB_ERROR;
    if (rc)
        unlink(path);
    free(path);
    return rc;
}

struct header {
    char ent[200], period[8], due[16], total[32];
    int64_t version;
};

static int read_header(struct db *db, int64_t id, struct header *h)
{
    struct db_stmt *st = NULL;
    int rc =
        db_query_row(db, &st,
                     "SELECT e.name, s.period, s.due_on, s.total_fen, s.version FROM "
                     "statements s JOIN enterprises e ON e.id = s.enterprise_id WHERE s.id = ?",
                     DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc ? rc : DB_ERROR;
    snprintf(h->ent, sizeof(h->ent), "%s", db_col_text(st, 0));
    snprintf(h->period, sizeof(h->period), "%s", db_col_text(st, 1));
    snprintf(h->due, sizeof(h->due), "%s", db_col_text(st, 2));
    money_format(db_col_int(st, 3), h->total, sizeof(h->total));
    h->version = db_col_int(st, 4);
    db_finish(st);
    return 0;
}

/* Queue one message a recipient, each with its own copy of the PDF (a
 * copy is removed once its message went), linked to the statement. The
 * copies' names go into files[] so a rolled-back send can remove them. */
static int queue(struct db *db, const struct actor *a, int64_t id, const struct header *h,
                 const struct recipient *to, int n, const char *pdf, size_t len, char (*files)[128])
{
    char subject[320], body[1024], shown[80];
    int64_t now = clock_now(); /* one round: the list sums its messages up */
    snprintf(subject, sizeof(subject), "对账单 %s #%" PRId64 " · %s", h->period, id, h->ent);
    snprintf(shown, sizeof(shown), "statement-%s-%" PRId64 ".pdf", h->period, id);
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        snprintf(body, sizeof(body),
                 "%s 您好：\n\n附件是贵司 %s 的对账单（编号 #%" PRId64 "，第 %" PRId64
                 " 版），应付金额 ¥%s，请于 %s 前付款。\n如有疑问请回复本邮件或联系您的客户经理。"
                 "\n\n鸿雁",
                 to[i].name, h->period, id, h->version, h->total, h->due);
        char *file = files[i];
        int64_t outbox_id = 0;
        struct outbox_attachment att = {file, shown, "application/pdf"};
        rc = write_snapshot(pdf, len, id, i, file, sizeof(files[i]));
        if (!rc)
            rc = outbox_enqueue_with(db, "email", to[i].email, subject, body, NULL, &att,
                                     &outbox_id);
        if (!rc)
            rc = db_exec(db,
                         "INSERT INTO statement_mails (statement_id, outbox_id, recipient, "
                         "created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                         DB_ARGS(DB_INT(id), DB_INT(outbox_id), DB_TEXT(to[i].email),
                                 DB_INT_OR_NULL(a->id, a->id), DB_INT(now)));
    }
    return rc;
}

int statement_mail(struct db *db, const struct actor *a, int64_t id, bool resend, json_t *errors)
{
    static const char *const from_draft[] = {"draft", NULL};
    static const char *const after_draft[] = {"sent", "confirmed", "disputed", "paid", NULL};
    struct stmt s;
    int rc = statement_load(db, a, id, &s);
    if (rc || (rc = statement_may_move(&s, resend ? after_draft : from_draft, a->lang, errors)))
        return rc;
    struct recipient to[MAX_RECIPIENTS];
    int n = 0;
    struct header h;
    if ((rc = recipients(db, s.ent, to, &n)) || (rc = read_header(db, id, &h)))
        return rc;
    if (n == 0) {
        statement_fail(errors, a->lang, "contacts", "statement.no_recipient");
        return OP_INVALID;
    }
    char *pdf = NULL;
    size_t len = 0;
    if ((rc = statement_pdf(db, id, &pdf, &len)))
        return rc;
    if ((rc = db_begin(db))) {
        free(pdf);
        return rc;
    }
    char files[MAX_RECIPIENTS][128] = {{0}};
    rc = queue(db, a, id, &h, to, n, pdf, len, files);
    free(pdf);
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_string(to[i].email));
    json_t *detail = json_pack("{s:I,s:o,s:b}", "statement_id", (json_int_t)id, "recipients", list,
                               "resend", resend);
    if (!rc)
        rc = actor_audit(db, a, "statement.mail", "enterprise", s.ent, json_incref(detail));
    if (!rc && !resend)
        rc = statement_moved(db, a, &s, "sent", json_incref(detail));
    json_decref(detail);
    rc = op_end(db, rc);
    /* nothing was queued: the snapshots have no message to go with */
    for (int i = 0; rc && i < n && files[i][0]; i++) {
        char *path = files_path(files[i]);
        unlink(path);
        free(path);
    }
    return rc;
}

json_t *statement_mails_json(struct db *db, int64_t id)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT m.id, m.recipient, m.created_at, o.status, o.last_error, "
                                  "o.sent_at, o.attempts FROM statement_mails m JOIN outbox o ON "
                                  "o.id = m.outbox_id WHERE m.statement_id = ? ORDER BY m.id DESC "
                                  "LIMIT 100",
                                  DB_ARGS(DB_INT(id)));
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1) {
        const char *os = db_col_text(st, 3);
        bool err = !db_col_is_null(st, 4);
        const char *status = strcmp(os, "sent") == 0          ? "sent"
                             : strcmp(os, "dead") == 0 || err ? "failed"
                                                              : "queued";
        char at[40], sent[40] = "";
        clock_format_iso(db_col_int(st, 2), at, sizeof(at));
        if (!db_col_is_null(st, 5))
            clock_format_iso(db_col_int(st, 5), sent, sizeof(sent));
        json_array_append_new(
            items, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:I}", "id", (json_int_t)db_col_int(st, 0),
                             "recipient", db_col_text(st, 1), "created_at", at, "status", status,
                             "error", err ? json_string(db_col_text(st, 4)) : json_null(),
                             "sent_at", *sent ? json_string(sent) : json_null(), "attempts",
                             (json_int_t)db_col_int(st, 6)));
    }
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}
