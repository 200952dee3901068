/*
 * portal.c - the contact portal (服务门户): an enterprise contact signs in
 * with mobile + SMS code, files tickets (channel portal, through
 * ticket_create, so routing and SLA are as for any channel), lists its
 * tickets, reads their public timeline, replies and asks for the survey.
 *
 * Sign-in codes: 6 digits, valid 5 minutes, single use, burnt after 5
 * wrong tries; asked for at most once a minute and 5 times an hour per
 * mobile and 20 times an hour per address. The answer is the same whether
 * or not the mobile belongs to a contact (and no SMS goes to an unknown
 * one), so the page tells nobody who is a contact.
 *
 * What a contact sees (ticket_visible_sql): the tickets of its enterprise
 * it is the contact of, never internal notes, assignment or escalation
 * entries, and of staff only the assignee's display name.
 */
#include "service/ticket.h"
#include "service/ticket_survey.h"

#include "auth/otp.h"
#include "auth/portal_session.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/validate.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/outbox.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_SECONDS (5 * 60)

static void code_hash(const char *mobile, const char *code, char *out)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "portal:%s:%s", mobile, code);
    session_hash_token(buf, out);
}

/* Events of key since window seconds ago. */
static int recent(struct db *db, const char *key, int64_t window, int64_t *n)
{
    return db_query_int(db, "SELECT COUNT(*) FROM rate_events WHERE key = ? AND at > ?",
                        DB_ARGS(DB_TEXT(key), DB_INT(clock_now() - window)), n) < 0
               ? DB_ERROR
               : 0;
}

/* The contact a mobile signs in as: the first one of an enterprise not
 * deleted (one person may be the contact of several; the earliest wins). */
static int contact_of(struct db *db, const char *mobile, int64_t *id)
{
    return db_query_int(db,
                        "SELECT k.id FROM enterprise_contacts k JOIN enterprises e ON e.id = "
                        "k.enterprise_id AND e.deleted_at IS NULL WHERE k.mobile = ? "
                        "ORDER BY k.id LIMIT 1",
                        DB_ARGS(DB_TEXT(mobile)), id);
}

static void send_code(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *given = form_str(&f, "mobile", true, 20);
    char mobile[12] = "";
    if (given && validate_mobile(given, mobile) != 0)
        form_fail(&f, "mobile", "field.phone");
    if (!form_done(&f))
        return;
    char key[64], ipkey[128];
    snprintf(key, sizeof(key), "portal-code:%s", mobile);
    snprintf(ipkey, sizeof(ipkey), "portal-code-ip:%s", r->ip);
    int64_t minute = 0, hour = 0, by_ip = 0;
    if (recent(r->db, key, 60, &minute) || recent(r->db, key, 3600, &hour) ||
        recent(r->db, ipkey, 3600, &by_ip)) {
        reply_error(r, 500, "internal");
        return;
    }
    if (minute >= 1 || hour >= 5 || by_ip >= 20) {
        reply_error(r, 429, "rate_limited");
        return;
    }
    int64_t now = clock_now(), contact = 0;
    int rc = contact_of(r->db, mobile, &contact);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, "INSERT INTO rate_events (key, at) VALUES (?, ?), (?, ?)",
                     DB_ARGS(DB_TEXT(key), DB_INT(now), DB_TEXT(ipkey), DB_INT(now)));
    if (!rc && contact) {
        char code[8], hash[65], body[512];
        snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
        code_hash(mobile, code, hash);
        snprintf(body, sizeof(body), req_msg(r, "portal.code_sms"), code);
        rc = db_exec(r->db,
                     "UPDATE portal_codes SET used_at = ? WHERE mobile = ? AND used_at IS NULL",
                     DB_ARGS(DB_INT(now), DB_TEXT(mobile)));
        if (!rc)
            rc = db_exec(
                r->db,
                "INSERT INTO portal_codes (mobile, code_hash, expires_at, created_at) "
                "VALUES (?, ?, ?, ?)",
                DB_ARGS(DB_TEXT(mobile), DB_TEXT(hash), DB_INT(now + CODE_SECONDS), DB_INT(now)));
        if (!rc)
            rc = outbox_enqueue(r->db, "sms", mobile, req_msg(r, "portal.code_sms"), body, NULL);
        if (!rc) {
            char login[40];
            snprintf(login, sizeof(login), "contact:%lld", (long long)contact);
            rc = audit_write(r->db, r, login, "portal.code_sent", "contact", contact, NULL);
        }
    }
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 200,
               json_pack("{s:b,s:s}", "sent", 1, "message", req_msg(r, "portal.code_sent")));
}

/* The signed-in contact as the portal shows it. */
static void reply_me(struct req *r, unsigned status, int64_t contact, const char *csrf)
{
    struct db_stmt *st;
    int rc = db_query_row(r->db, &st,
                          "SELECT k.id, k.name, k.mobile, e.id, e.name FROM enterprise_contacts k "
                          "JOIN enterprises e ON e.id = k.enterprise_id WHERE k.id = ?",
                          DB_ARGS(DB_INT(contact)));
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    char *masked = phone_mask(db_col_text(st, 2));
    json_t *o = json_pack("{s:{s:I,s:s,s:s},s:{s:I,s:s},s:s}", "contact", "id",
                          (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1), "mobile",
                          masked, "enterprise", "id", (json_int_t)db_col_int(st, 3), "name",
                          db_col_text(st, 4), "csrf_token", csrf);
    free(masked);
    db_finish(st);
    reply_json(r, status, o);
}

static void login(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *given = form_str(&f, "mobile", true, 20);
    const char *code = form_str(&f, "code", true, 6);
    char mobile[12] = "";
    if (given && validate_mobile(given, mobile) != 0)
        form_fail(&f, "mobile", "field.phone");
    if (!form_done(&f))
        return;
    int64_t contact = 0;
    char hash[65];
    code_hash(mobile, code, hash);
    int rc = db_begin(r->db);
    int spent = rc ? rc : otp_spend(r->db, OTP_PORTAL, DB_TEXT(mobile), hash);
    if (spent < 0) {
        if (!rc)
            db_rollback(r->db);
        reply_db_error(r, spent);
        return;
    }
    bool matched = spent == 1;
    if (matched) {
        rc = contact_of(r->db, mobile, &contact) < 0 ? DB_ERROR : 0;
        matched = contact != 0;
    }
    char token[64], csrf[64];
    if (!rc && matched)
        rc = portal_session_create(r->db, contact, mobile, r->ip, token, csrf);
    if (!rc && matched) {
        char who[40];
        snprintf(who, sizeof(who), "contact:%lld", (long long)contact);
        rc = audit_write(r->db, r, who, "portal.login", "contact", contact, NULL);
    }
    if (!audit_commit(r, rc))
        return;
    if (!matched) {
        form_init(&f, r);
        form_fail(&f, "code", "portal.code_wrong");
        form_done(&f);
        return;
    }
    /* headers go on the reply made: set the cookie after it */
    reply_me(r, 200, contact, csrf);
    portal_session_set_cookie(r, token);
}

static void logout(struct req *r)
{
    int rc = portal_session_delete(r->db, r->actor->session_id);
    if (rc) {
        reply_db_error(r, rc);
        return;
    }
    reply_ok(r);
    portal_session_set_cookie(r, NULL);
}

static void me(struct req *r)
{
    reply_me(r, 200, r->actor->contact_id, r->actor->csrf);
}

/* The ticket types to choose from (the ticket_type dictionary). */
static void types(struct req *r)
{
    listing_reply_rows(r,
                       db_query(r->db,
                                "SELECT value, label, label_en FROM dictionary_items WHERE "
                                "dict_code = 'ticket_type' AND enabled = 1 ORDER BY sort, id",
                                NULL, 0),
                       NULL);
}

#define PORTAL_COLUMNS                                                                             \
    "t.id, t.ticket_no, t.type, COALESCE(dt.label, t.type) AS type_label, t.priority, "            \
    "t.subject, t.status, u.name AS assignee_name, t.resolved_at, t.csat, t.nps, "                 \
    "t.survey_comment, t.survey_at, t.created_at, t.updated_at"
#define PORTAL_FROM                                                                                \
    "tickets t LEFT JOIN users u ON u.id = t.assignee_id "                                         \
    "LEFT JOIN dictionary_items dt ON dt.dict_code = 'ticket_type' AND dt.value = t.type"

static void list(struct req *r)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " PORTAL_COLUMNS " FROM " PORTAL_FROM " WHERE ");
    ticket_visible_sql(r->actor, &b);
    sqlbuf_add(&b, " ORDER BY t.created_at DESC, t.id DESC LIMIT 200");
    listing_reply_rows(r, db_query(r->db, b.sql, b.args, b.nargs), NULL);
    sqlbuf_release(&b);
}

/* One ticket with its public timeline: the customer's and staff's replies
 * to each other, status changes, attachments and the rating. Staff are
 * named by nobody but the assignee (on the ticket). */
static void reply_ticket(struct req *r, unsigned status, int64_t id)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b,
               "SELECT " PORTAL_COLUMNS ", t.description FROM " PORTAL_FROM " WHERE t.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    ticket_visible_sql(r->actor, &b);
    json_t *t = NULL;
    int rc = listing_one(r->db, r, &t, NULL, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc != 1) {
        rc == 0 ? reply_error(r, 404, "not_found") : reply_db_error(r, rc);
        return;
    }
    json_t *wb = listing_rows(db_query(r->db,
                                       "SELECT waybill_no FROM ticket_waybills WHERE ticket_id = "
                                       "? ORDER BY waybill_no",
                                       DB_ARGS(DB_INT(id))),
                              r, NULL);
    json_t *tl = listing_rows(
        db_query(r->db,
                 "SELECT id, kind, body, CASE WHEN kind IN ('status', 'survey') THEN detail "
                 "ELSE '{}' END AS detail, CASE WHEN kind IN ('customer_reply', 'created') AND "
                 "user_id IS NULL THEN actor ELSE NULL END AS author, "
                 "CASE WHEN kind = 'reply' THEN 'staff' WHEN kind = 'customer_reply' THEN "
                 "'customer' ELSE 'system' END AS side, created_at FROM ticket_entries "
                 "WHERE ticket_id = ? AND kind IN ('created', 'reply', 'customer_reply', "
                 "'status', 'survey', 'attachment') ORDER BY id",
                 DB_ARGS(DB_INT(id))),
        r, NULL);
    if (!wb || !tl) {
        json_decref(t);
        json_decref(wb);
        json_decref(tl);
        reply_error(r, 500, "internal");
        return;
    }
    json_object_set_new(t, "waybills", wb);
    json_object_set_new(t, "timeline", tl);
    reply_json(r, status, json_pack("{s:o}", "ticket", t));
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_ticket(r, 200, id);
}

static void create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    struct ticket_new in = {.channel = "portal"};
    in.type = form_str(&f, "type", true, 32);
    in.subject = form_str(&f, "subject", true, 200);
    in.description = form_str(&f, "description", false, 5000);
    in.waybills = json_object_get(r->json, "waybills");
    if (!form_done(&f))
        return;
    /* Always the contact's own enterprise and itself as the contact; the
     * priority is staff's to raise. */
    in.enterprise_id = r->actor->enterprise_id;
    in.contact_id = r->actor->contact_id;
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = ticket_create(r->db, r->actor, &in, &id, errors);
    if (!op_reply(r, rc, errors))
        reply_ticket(r, 201, id);
    json_decref(errors);
}

static void reply(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *body = form_str(&f, "body", true, 5000);
    if (!form_done(&f))
        return;
    json_t *errors = json_object();
    int rc = ticket_reply(r->db, r->actor, id, body, false, errors);
    if (!op_reply(r, rc, errors))
        reply_ticket(r, 201, id);
    json_decref(errors);
}

/* The ticket of the path in the contact's sight, its status into status
 * (24 bytes); false having answered 404 (or the database error). */
static bool find_mine(struct req *r, int64_t *id, char *status)
{
    if (!req_param_id_or_404(r, 0, id))
        return false;
    int rc = ticket_find(r->db, r->actor, *id, status, 24);
    if (rc != 1)
        rc == 0 ? reply_error(r, 404, "not_found") : reply_db_error(r, rc);
    return rc == 1;
}

/* A file for the ticket, through the ticket module's checks. */
static void attach(struct req *r)
{
    int64_t id;
    char status[24];
    if (find_mine(r, &id, status) && ticket_attach_upload(r, id))
        reply_ticket(r, 201, id);
}

/* 评价: a fresh survey link of a resolved ticket of the contact, the same
 * one-page survey the SMS leads to. */
static void survey_link(struct req *r)
{
    int64_t id;
    char status[24];
    if (!find_mine(r, &id, status))
        return;
    int64_t rated = 0;
    int rc = db_query_int(r->db, "SELECT 1 FROM tickets WHERE id = ? AND survey_at IS NOT NULL",
                          DB_ARGS(DB_INT(id)), &rated);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (rated) {
        reply_error_key(r, 409, "conflict", "survey.done");
        return;
    }
    if (strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0) {
        reply_error_key(r, 409, "conflict", "survey.not_resolved");
        return;
    }
    char token[64];
    rc = db_begin(r->db);
    if (!rc)
        rc = ticket_survey_issue(r->db, id, token);
    if (!audit_commit(r, rc))
        return;
    char path[128];
    snprintf(path, sizeof(path), "/survey/%s", token);
    reply_json(r, 201, json_pack("{s:s,s:s}", "token", token, "url", path));
}

#include "service/portal.routes.h"
