/*
 * ticket_survey.c - see ticket_survey.h: issuing survey links, sending
 * them when a ticket is resolved, the public one-page survey behind a
 * link, and the enterprise's satisfaction summary (the 满意度 card).
 *
 * Single use means per ticket: the first answer fills the ticket's csat,
 * nps, survey_comment and survey_at, and every link of that ticket (one
 * sent on resolution, one asked for from the portal) is spent with it.
 */
#include "service/ticket_survey.h"

#include "auth/session.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "core/audit.h"
#include "core/op.h"
#include "core/outbox.h"
#include "core/perms.h"
#include "db/db.h"
#include "http/form.h"
#include "notify/notify.h"
#include "service/ticket.h"
#include "vip/enterprise.h"

#include <stdio.h>
#include <string.h>

int ticket_survey_issue(struct db *db, int64_t id, char token[64])
{
    char hash[65];
    int64_t now = clock_now();
    session_random_token(token, 64, 32);
    session_hash_token(token, hash);
    return db_exec(db,
                   "INSERT INTO ticket_surveys (ticket_id, token_hash, expires_at, created_at) "
                   "VALUES (?, ?, ?, ?)",
                   DB_ARGS(DB_INT(id), DB_TEXT(hash), DB_INT(now + SURVEY_SECONDS), DB_INT(now)));
}

int ticket_survey_on_status(struct db *db, const struct domain_event *ev)
{
    const char *to = json_string_value(json_object_get(ev->payload, "to"));
    if (!to || strcmp(to, "resolved") != 0)
        return 0;
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT t.ticket_no, t.subject, COALESCE(k.mobile, ''), "
                          "COALESCE(k.email, '') FROM tickets t JOIN enterprise_contacts k ON "
                          "k.id = t.contact_id WHERE t.id = ? AND t.survey_at IS NULL",
                          DB_ARGS(DB_INT(ev->object_id)));
    if (rc <= 0)
        return rc; /* no contact to ask, or already rated */
    char no[32], subject[256], mobile[32], email[256];
    snprintf(no, sizeof(no), "%s", db_col_text(st, 0));
    snprintf(subject, sizeof(subject), "%s", db_col_text(st, 1));
    snprintf(mobile, sizeof(mobile), "%s", db_col_text(st, 2));
    snprintf(email, sizeof(email), "%s", db_col_text(st, 3));
    db_finish(st);
    if (!mobile[0] && !email[0])
        return 0;
    char token[64], link[512], body[1024], dedupe[64];
    const char *base = notify_public_url();
    /* in the consumer's transaction, with its position: sent once */
    rc = ticket_survey_issue(db, ev->object_id, token);
    snprintf(link, sizeof(link), "%s/survey/%s", base ? base : "", token);
    snprintf(body, sizeof(body), i18n_msg("zh-CN", "survey.sms"), no, subject, link);
    /* The event id: a resolution is asked about once, a later one again. */
    snprintf(dedupe, sizeof(dedupe), "survey:%lld:sms", (long long)ev->id);
    if (!rc && mobile[0])
        rc = outbox_enqueue(db, "sms", mobile, i18n_msg("zh-CN", "survey.subject"), body, dedupe);
    snprintf(dedupe, sizeof(dedupe), "survey:%lld:email", (long long)ev->id);
    if (!rc && email[0])
        rc = outbox_enqueue(db, "email", email, i18n_msg("zh-CN", "survey.subject"), body, dedupe);
    if (!rc)
        rc = ticket_entry(db, &actor_system, ev->object_id, "survey_sent", "", NULL);
    return rc;
}

int ticket_survey_record(struct db *db, const struct actor *a, int64_t tid, int64_t csat,
                         int64_t nps, const char *comment)
{
    int64_t now = clock_now();
    int rc = db_exec(db,
                     "UPDATE tickets SET csat = ?, nps = ?, survey_comment = ?, survey_at = ?, "
                     "version = version + 1, updated_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(csat), DB_INT(nps), DB_TEXT(comment ? comment : ""),
                             DB_INT(now), DB_INT(now), DB_INT(tid)));
    if (!rc)
        rc = db_exec(db,
                     "UPDATE ticket_surveys SET used_at = ? WHERE ticket_id = ? AND used_at IS "
                     "NULL",
                     DB_ARGS(DB_INT(now), DB_INT(tid)));
    if (!rc)
        rc = ticket_entry(db, a, tid, "survey", comment ? comment : "",
                          json_pack("{s:I,s:I}", "csat", (json_int_t)csat, "nps", (json_int_t)nps));
    if (!rc)
        rc = actor_audit(db, a, "ticket.survey", "ticket", tid,
                         json_pack("{s:I,s:I}", "csat", (json_int_t)csat, "nps", (json_int_t)nps));
    if (!rc)
        rc = events_publish(
            db, "ticket.rated", "ticket", tid, 0,
            json_pack("{s:I,s:I}", "csat", (json_int_t)csat, "nps", (json_int_t)nps));
    return rc;
}

/* The survey behind token: its id, ticket and whether it is spent (this
 * link used, or the ticket rated through another). 1 found (a link not
 * expired), 0 not, <0 DB_*. */
static int find_token(struct db *db, const char *token, int64_t *sid, int64_t *tid, bool *rated)
{
    if (!token || !*token || strlen(token) > 128)
        return 0;
    char hash[65];
    session_hash_token(token, hash);
    struct db_stmt *st;
    int rc = db_query_row(db, &st,
                          "SELECT s.id, s.ticket_id, (s.used_at IS NOT NULL OR t.survey_at IS "
                          "NOT NULL) FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id "
                          "WHERE s.token_hash = ? AND s.expires_at > ?",
                          DB_ARGS(DB_TEXT(hash), DB_INT(clock_now())));
    if (rc != 1)
        return rc;
    *sid = db_col_int(st, 0);
    *tid = db_col_int(st, 1);
    *rated = db_col_int(st, 2) != 0;
    db_finish(st);
    return 1;
}

static void survey_get(struct req *r)
{
    int64_t sid = 0, tid = 0;
    bool rated = false;
    int rc = find_token(r->db, r->params[0], &sid, &tid, &rated);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (!rc) {
        reply_error_key(r, 404, "not_found", "survey.gone");
        return;
    }
    struct db_stmt *st;
    rc = db_query_row(r->db, &st,
                      "SELECT t.ticket_no, t.subject, t.status, COALESCE(e.name, '') FROM tickets "
                      "t LEFT JOIN enterprises e ON e.id = t.enterprise_id WHERE t.id = ?",
                      DB_ARGS(DB_INT(tid)));
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b}", "ticket_no", db_col_text(st, 0), "subject",
                          db_col_text(st, 1), "status", db_col_text(st, 2), "enterprise_name",
                          db_col_text(st, 3), "answered", rated);
    db_finish(st);
    reply_json(r, 200, json_pack("{s:o}", "survey", o));
}

static void survey_answer(struct req *r)
{
    struct form f;
    form_init(&f, r);
    int64_t csat = 0, nps = -1;
    int has_csat = form_int(&f, "csat", true, &csat);
    int has_nps = form_int(&f, "nps", true, &nps);
    const char *comment = form_str(&f, "comment", false, 1000);
    if (has_csat == 1 && (csat < 1 || csat > 5))
        form_fail(&f, "csat", "survey.csat");
    if (has_csat == -1)
        form_fail(&f, "csat", "survey.csat");
    if (has_nps == 1 && (nps < 0 || nps > 10))
        form_fail(&f, "nps", "survey.nps");
    if (has_nps == -1)
        form_fail(&f, "nps", "survey.nps");
    if (!form_done(&f))
        return;
    int64_t sid = 0, tid = 0;
    bool rated = false;
    int rc = db_begin(r->db);
    int found = rc ? rc : find_token(r->db, r->params[0], &sid, &tid, &rated);
    if (found < 0) {
        db_rollback(r->db);
        reply_db_error(r, found);
        return;
    }
    if (!found) {
        db_rollback(r->db);
        reply_error_key(r, 404, "not_found", "survey.gone");
        return;
    }
    if (rated) {
        db_rollback(r->db);
        reply_error_key(r, 409, "conflict", "survey.done");
        return;
    }
    /* Whoever holds the link answers for the ticket's contact. */
    struct actor a = {0};
    struct db_stmt *st;
    rc = db_query_row(r->db, &st,
                      "SELECT COALESCE(t.contact_id, 0), COALESCE(k.name, ''), t.status "
                      "FROM tickets t LEFT JOIN enterprise_contacts k ON k.id = t.contact_id "
                      "WHERE t.id = ?",
                      DB_ARGS(DB_INT(tid)));
    char status[24] = "";
    if (rc == 1) {
        a.contact_id = db_col_int(st, 0);
        snprintf(a.name, sizeof(a.name), "%s", db_col_text(st, 1));
        snprintf(status, sizeof(status), "%s", db_col_text(st, 2));
        db_finish(st);
        rc = 0;
    } else if (rc == 0) {
        rc = DB_ERROR;
    }
    snprintf(a.login, sizeof(a.login), "survey:%lld", (long long)tid);
    snprintf(a.ip, sizeof(a.ip), "%s", r->ip);
    snprintf(a.request_id, sizeof(a.request_id), "%s", r->request_id);
    if (!rc && strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0) {
        db_rollback(r->db);
        reply_error_key(r, 409, "conflict", "survey.not_resolved");
        return;
    }
    if (!rc)
        rc = ticket_survey_record(r->db, &a, tid, csat, nps, comment);
    if (!audit_commit(r, rc))
        return;
    reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* NPS = % promoters (9-10) - % detractors (0-6) of the n answers. */
static double nps_score(int64_t n, int64_t promoters, int64_t detractors)
{
    return 100.0 * (double)(promoters - detractors) / (double)n;
}

static json_t *month_json(const char *month, int64_t n, int64_t sum, int64_t pro, int64_t det)
{
    return json_pack("{s:s,s:I,s:f,s:f}", "month", month, "responses", (json_int_t)n, "csat",
                     (double)sum / (double)n, "nps", nps_score(n, pro, det));
}

/* GET /enterprises/{id}/satisfaction: the 满意度 card of the 360 page. */
static void satisfaction(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT 1 FROM enterprises e WHERE e.id = ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(id));
    enterprise_visible_sql(r->actor, &b);
    int64_t one = 0;
    int rc = db_query_int(r->db, b.sql, b.args, b.nargs, &one);
    sqlbuf_release(&b);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (!one) {
        reply_error(r, 404, "not_found");
        return;
    }
    struct db_stmt *st = db_query(r->db,
                                  "SELECT id, ticket_no, subject, csat, nps, survey_comment, "
                                  "survey_at FROM tickets WHERE enterprise_id = ? AND survey_at IS "
                                  "NOT NULL ORDER BY survey_at",
                                  DB_ARGS(DB_INT(id)));
    if (!st) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_t *recent = json_array(), *months = json_array();
    int64_t n = 0, sum = 0, promoters = 0, detractors = 0;
    bool have = false;
    char cur[8] = "";
    int64_t mn = 0, msum = 0, mpro = 0, mdet = 0;
    while ((rc = db_step(st)) == 1) {
        int64_t csat = db_col_int(st, 3), nps = db_col_int(st, 4), at = db_col_int(st, 6);
        char iso[32], day[16];
        clock_format_iso(at, iso, sizeof(iso));
        clock_format_date(at, day, sizeof(day));
        n++, sum += csat, promoters += nps >= 9, detractors += nps <= 6;
        if (strncmp(cur, day, 7) != 0) {
            if (have)
                json_array_append_new(months, month_json(cur, mn, msum, mpro, mdet));
            have = true;
            snprintf(cur, sizeof(cur), "%.7s", day);
            mn = msum = mpro = mdet = 0;
        }
        mn++, msum += csat, mpro += nps >= 9, mdet += nps <= 6;
        json_array_insert_new(recent, 0,
                              json_pack("{s:I,s:s,s:s,s:I,s:I,s:s,s:s}", "ticket_id",
                                        (json_int_t)db_col_int(st, 0), "ticket_no",
                                        db_col_text(st, 1), "subject", db_col_text(st, 2), "csat",
                                        (json_int_t)csat, "nps", (json_int_t)nps, "comment",
                                        db_col_text(st, 5), "survey_at", iso));
        if (json_array_size(recent) > 10)
            json_array_remove(recent, 10);
    }
    db_finish(st);
    if (have)
        json_array_append_new(months, month_json(cur, mn, msum, mpro, mdet));
    if (rc < 0) {
        json_decref(recent);
        json_decref(months);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:I,s:o,s:o,s:o,s:o}", "responses", (json_int_t)n, "csat",
                         n ? json_real((double)sum / (double)n) : json_null(), "nps",
                         n ? json_real(nps_score(n, promoters, detractors)) : json_null(), "recent",
                         recent, "months", months));
}

#include "service/ticket_survey.routes.h"
