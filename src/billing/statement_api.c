/*
 * statement_api.c - the HTTP endpoints of the monthly statements
 * (statement.c): the list, one version with its totals, lines, versions
 * and the difference to the previous version, and re-running a period.
 * Every statement is seen as its enterprise is (enterprise_visible_sql).
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/validate.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <stdlib.h>
#include <string.h>

#define STMT_COLUMNS                                                                               \
    "s.id, s.enterprise_id, e.name, s.department_id, d.name, s.period, s.version, s.status, "      \
    "s.waybill_count, s.total_fen, s.paid_fen, s.due_on, s.created_at, "                           \
    "s.adjust_fen, " STATEMENT_MAIL_STATUS_SQL ", COALESCE(e.owner_id, 0), s.ticket_id"
#define STMT_FROM                                                                                  \
    "statements s JOIN enterprises e ON e.id = s.enterprise_id LEFT JOIN enterprise_departments "  \
    "d ON d.id = s.department_id"

static json_t *stmt_row(struct db_stmt *st)
{
    char created[40], words[PRICING_WORDS_MAX];
    clock_format_iso(db_col_int(st, 12), created, sizeof(created));
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:s,s:I,s:s,s:I,s:o,s:o,s:s,s:s,s:s}", "id", (json_int_t)db_col_int(st, 0),
        "enterprise_id", (json_int_t)db_col_int(st, 1), "enterprise_name", db_col_text(st, 2),
        "period", db_col_text(st, 5), "version", (json_int_t)db_col_int(st, 6), "status",
        db_col_text(st, 7), "waybill_count", (json_int_t)db_col_int(st, 8), "total",
        pricing_money_json(db_col_int(st, 9)), "paid", pricing_money_json(db_col_int(st, 10)),
        "due_on", db_col_text(st, 11), "created_at", created, "total_words",
        pricing_amount_words(db_col_int(st, 9), words, sizeof(words)));
    int64_t total = db_col_int(st, 9), paid = db_col_int(st, 10);
    const char *status = db_col_text(st, 7), *due = db_col_text(st, 11),
               *mail = db_col_text(st, 14);
    char today[11];
    date_format(date_of_time(clock_now()), today);
    json_object_set_new(o, "outstanding", pricing_money_json(total - paid));
    json_object_set_new(o, "adjust", pricing_money_json(db_col_int(st, 13)));
    /* overdue: money still owed after the due day (a draft is not owed yet) */
    json_object_set_new(
        o, "overdue",
        json_boolean(total > paid && strcmp(status, "draft") != 0 && strcmp(due, today) < 0));
    json_object_set_new(o, "mail_status", *mail ? json_string(mail) : json_null());
    json_object_set_new(o, "owner_id", json_integer(db_col_int(st, 15)));
    json_object_set_new(o, "ticket_id",
                        db_col_is_null(st, 16) ? json_null() : json_integer(db_col_int(st, 16)));
    json_object_set_new(o, "department_id",
                        db_col_is_null(st, 3) ? json_null() : json_integer(db_col_int(st, 3)));
    json_object_set_new(o, "department_name",
                        db_col_is_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)));
    return o;
}

static void list_statements(struct req *r)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " STMT_COLUMNS " FROM " STMT_FROM " WHERE e.deleted_at IS NULL AND ");
    enterprise_visible_sql(r->actor, &b);
    const char *all = req_query(r, "all_versions");
    if (!all || strcmp(all, "1") != 0)
        sqlbuf_add(&b, " AND s.version = (SELECT MAX(v.version) FROM statements v WHERE "
                       "v.enterprise_id = s.enterprise_id AND v.dept_key = s.dept_key AND "
                       "v.period = s.period)");
    const char *period = req_query(r, "period"), *status = req_query(r, "status"),
               *ent = req_query(r, "enterprise_id");
    if (period && *period) {
        sqlbuf_add(&b, " AND s.period = ?");
        sqlbuf_bind(&b, DB_TEXT(period));
    }
    if (status && *status) {
        sqlbuf_add(&b, " AND s.status = ?");
        sqlbuf_bind(&b, DB_TEXT(status));
    }
    if (ent && *ent) {
        sqlbuf_add(&b, " AND s.enterprise_id = ?");
        sqlbuf_bind(&b, DB_INT(strtoll(ent, NULL, 10)));
    }
    const char *owner = req_query(r, "owner_id");
    if (owner && *owner) {
        sqlbuf_add(&b, " AND e.owner_id = ?");
        sqlbuf_bind(&b, DB_INT(strtoll(owner, NULL, 10)));
    }
    sqlbuf_add(&b, " ORDER BY s.period DESC, e.name, s.dept_key, s.version DESC LIMIT 500");
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    json_t *items = NULL;
    if (st) {
        items = json_array();
        int rc;
        while ((rc = db_step(st)) == 1)
            json_array_append_new(items, stmt_row(st));
        db_finish(st);
        if (rc < 0) {
            json_decref(items);
            items = NULL;
        }
    }
    pricing_reply_items(r, items);
}

/* Statement id as a sees it: 1 with *out (the row), 0 not found, <0. */
static int find(struct db *db, const struct actor *a, int64_t id, json_t **out)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " STMT_COLUMNS " FROM " STMT_FROM
                   " WHERE s.id = ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(id));
    enterprise_visible_sql(a, &b);
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc == 1) {
        *out = stmt_row(st);
        db_finish(st);
    }
    return rc;
}

/* Rows of sql (bound to args) as objects with the given keys; columns
 * whose key starts with '$' are fen shown as yuan. NULL on failure. */
int statement_visible(struct db *db, const struct actor *a, int64_t id)
{
    json_t *s = NULL;
    int rc = find(db, a, id, &s);
    json_decref(s);
    return rc;
}

static json_t *rows(struct db *db, const char *sql, const struct db_val *args, int nargs,
                    const char *const *keys)
{
    struct db_stmt *st = db_query(db, sql, args, nargs);
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1) {
        json_t *o = json_object();
        for (int c = 0; keys[c]; c++) {
            const char *k = keys[c];
            json_t *v;
            if (k[0] == '$')
                v = pricing_money_json(db_col_int(st, c)), k++;
            else if (k[0] == '#')
                v = json_integer(db_col_int(st, c)), k++;
            else
                v = db_col_is_null(st, c) ? json_null() : json_string(db_col_text(st, c));
            json_object_set_new(o, k, v);
        }
        json_array_append_new(items, o);
    }
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

static int64_t query_num(struct req *r, const char *name, int64_t dflt, int64_t lo, int64_t hi)
{
    const char *s = req_query(r, name);
    if (!s || !*s)
        return dflt;
    long long v = strtoll(s, NULL, 10);
    return v < lo ? lo : v > hi ? hi : v;
}

/* The difference of statement sid to the previous version prev: the
 * waybills added, removed and changed in amount, and the total's delta. */
static json_t *difference(struct db *db, int64_t sid, int64_t prev)
{
    static const char *const added_keys[] = {"waybill_no", "$amount", NULL};
    static const char *const changed_keys[] = {"waybill_no", "$from", "$to", NULL};
    json_t *added = rows(db,
                         "SELECT n.waybill_no, n.amount_fen FROM statement_lines n WHERE "
                         "n.statement_id = ? AND NOT EXISTS (SELECT 1 FROM statement_lines o "
                         "WHERE o.statement_id = ? AND o.waybill_no = n.waybill_no) ORDER BY 1 "
                         "LIMIT 200",
                         DB_ARGS(DB_INT(sid), DB_INT(prev)), added_keys);
    json_t *removed = rows(db,
                           "SELECT o.waybill_no, o.amount_fen FROM statement_lines o WHERE "
                           "o.statement_id = ? AND NOT EXISTS (SELECT 1 FROM statement_lines n "
                           "WHERE n.statement_id = ? AND n.waybill_no = o.waybill_no) ORDER BY 1 "
                           "LIMIT 200",
                           DB_ARGS(DB_INT(prev), DB_INT(sid)), added_keys);
    json_t *changed = rows(db,
                           "SELECT n.waybill_no, o.amount_fen, n.amount_fen FROM statement_lines "
                           "n JOIN statement_lines o ON o.statement_id = ? AND o.waybill_no = "
                           "n.waybill_no WHERE n.statement_id = ? AND o.amount_fen <> "
                           "n.amount_fen ORDER BY 1 LIMIT 200",
                           DB_ARGS(DB_INT(prev), DB_INT(sid)), changed_keys);
    /* adjustments made on this version, and those of the previous one
     * not carried into it (removed since) */
    static const char *const adj_keys[] = {"#id", "kind", "$amount", "reason", NULL};
    json_t *adj_added = rows(db,
                             "SELECT id, kind, amount_fen, reason FROM statement_adjustments WHERE "
                             "statement_id = ? AND carried_from IS NULL ORDER BY id LIMIT 200",
                             DB_ARGS(DB_INT(sid)), adj_keys);
    json_t *adj_removed = rows(db,
                               "SELECT o.id, o.kind, o.amount_fen, o.reason FROM "
                               "statement_adjustments o WHERE o.statement_id = ? AND NOT EXISTS "
                               "(SELECT 1 FROM statement_adjustments n WHERE n.statement_id = ? "
                               "AND n.carried_from = o.id) ORDER BY o.id LIMIT 200",
                               DB_ARGS(DB_INT(prev), DB_INT(sid)), adj_keys);
    if (!adj_added || !adj_removed) {
        json_decref(adj_added);
        json_decref(adj_removed);
        json_decref(added);
        json_decref(removed);
        json_decref(changed);
        return NULL;
    }
    int64_t delta = 0;
    int rc = db_query_int(db,
                          "SELECT (SELECT total_fen FROM statements WHERE id = ?) - (SELECT "
                          "total_fen FROM statements WHERE id = ?)",
                          DB_ARGS(DB_INT(sid), DB_INT(prev)), &delta);
    if (!added || !removed || !changed || rc < 0) {
        json_decref(adj_added);
        json_decref(adj_removed);
        json_decref(added);
        json_decref(removed);
        json_decref(changed);
        return NULL;
    }
    char d[32];
    money_format(delta, d, sizeof(d));
    return json_pack("{s:I,s:o,s:o,s:o,s:s,s:o,s:o}", "previous_id", (json_int_t)prev, "added",
                     added, "removed", removed, "changed", changed, "delta", d, "adjustments_added",
                     adj_added, "adjustments_removed", adj_removed);
}

/* created_at as ISO time, carried_from null when made on this version. */
static void present_adjustments(json_t *adjs)
{
    size_t i;
    json_t *o;
    json_array_foreach(adjs, i, o)
    {
        char at[40];
        clock_format_iso(json_integer_value(json_object_get(o, "created_at_ts")), at, sizeof(at));
        json_object_del(o, "created_at_ts");
        json_object_set_new(o, "created_at", json_string(at));
        if (json_integer_value(json_object_get(o, "carried_from")) == 0)
            json_object_set_new(o, "carried_from", json_null());
    }
}

static void get_statement(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *s = NULL;
    int rc = find(r->db, r->actor, id, &s);
    if (rc != 1) {
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    static const char *const product_keys[] = {"product", "#waybills", "$amount", NULL};
    static const char *const dept_keys[] = {"department_name", "#waybills", "$amount", NULL};
    static const char *const line_keys[] = {"waybill_no", "product", "destination", "#weight_g",
                                            "#collected", "$amount", "explain",     NULL};
    static const char *const version_keys[] = {"#id", "#version", "$total", "status", NULL};
    int64_t offset = query_num(r, "offset", 0, 0, 100000000),
            limit = query_num(r, "limit", 50, 1, 500);
    json_t *by_product = rows(r->db,
                              "SELECT product, COUNT(*), SUM(amount_fen) FROM statement_lines "
                              "WHERE statement_id = ? GROUP BY product ORDER BY product",
                              DB_ARGS(DB_INT(id)), product_keys);
    json_t *by_dept = rows(r->db,
                           "SELECT d.name, COUNT(*), SUM(l.amount_fen) FROM statement_lines l "
                           "LEFT JOIN enterprise_departments d ON d.id = l.department_id WHERE "
                           "l.statement_id = ? GROUP BY l.department_id, d.name ORDER BY d.name",
                           DB_ARGS(DB_INT(id)), dept_keys);
    json_t *lines = rows(r->db,
                         "SELECT waybill_no, product, destination, weight_g, collected_at, "
                         "amount_fen, why FROM statement_lines WHERE statement_id = ? ORDER "
                         "BY waybill_no LIMIT ? OFFSET ?",
                         DB_ARGS(DB_INT(id), DB_INT(limit), DB_INT(offset)), line_keys);
    json_t *versions = rows(r->db,
                            "SELECT v.id, v.version, v.total_fen, v.status FROM statements v "
                            "JOIN statements s ON s.enterprise_id = v.enterprise_id AND "
                            "s.dept_key = v.dept_key AND s.period = v.period WHERE s.id = ? "
                            "ORDER BY v.version",
                            DB_ARGS(DB_INT(id)), version_keys);
    int64_t prev = 0;
    rc = db_query_int(r->db,
                      "SELECT v.id FROM statements v JOIN statements s ON s.enterprise_id = "
                      "v.enterprise_id AND s.dept_key = v.dept_key AND s.period = v.period AND "
                      "v.version = s.version - 1 WHERE s.id = ?",
                      DB_ARGS(DB_INT(id)), &prev);
    json_t *diff = rc == 1 ? difference(r->db, id, prev) : json_null();
    if (!by_product || !by_dept || !lines || !versions || rc < 0 || !diff) {
        json_decref(s);
        json_decref(by_product);
        json_decref(by_dept);
        json_decref(lines);
        json_decref(versions);
        json_decref(diff);
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_object_set_new(s, "by_product", by_product);
    json_object_set_new(s, "by_department", by_dept);
    json_object_set_new(s, "lines", lines);
    json_object_set_new(s, "versions", versions);
    json_object_set_new(s, "difference", diff);
    static const char *const pay_keys[] = {"#id",    "paid_on",   "$amount",
                                           "method", "reference", NULL};
    json_t *pays = rows(r->db,
                        "SELECT id, paid_on, amount_fen, method, reference FROM statement_payments "
                        "WHERE statement_id = ? ORDER BY id",
                        DB_ARGS(DB_INT(id)), pay_keys);
    int64_t ticket = 0;
    if (!pays || db_query_int(r->db, "SELECT COALESCE(ticket_id, 0) FROM statements WHERE id = ?",
                              DB_ARGS(DB_INT(id)), &ticket) < 0) {
        json_decref(s);
        json_decref(pays);
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_object_set_new(s, "payments", pays);
    json_object_set_new(s, "ticket_id", ticket ? json_integer(ticket) : json_null());
    static const char *const adj_keys[] = {
        "#id",    "kind",           "$amount",         "#amount_fen",
        "reason", "#created_at_ts", "created_by_name", "#carried_from",
        NULL};
    json_t *adjs = rows(r->db,
                        "SELECT a.id, a.kind, a.amount_fen, a.amount_fen, a.reason, a.created_at, "
                        "COALESCE(u.name, ''), COALESCE(a.carried_from, 0) FROM "
                        "statement_adjustments a LEFT JOIN users u ON u.id = a.created_by WHERE "
                        "a.statement_id = ? ORDER BY a.id",
                        DB_ARGS(DB_INT(id)), adj_keys);
    json_t *mails = statement_mails_json(r->db, id);
    if (!adjs || !mails) {
        json_decref(s);
        json_decref(adjs);
        json_decref(mails);
        reply_db_error(r, DB_ERROR);
        return;
    }
    present_adjustments(adjs);
    json_object_set_new(s, "adjustments", adjs);
    json_object_set_new(s, "mails", mails);
    reply_json(r, 200, s);
}

static void regenerate(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *s = NULL;
    int rc = find(r->db, r->actor, id, &s);
    if (rc != 1) {
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    json_t *dj = json_object_get(s, "department_id");
    int64_t ent = json_integer_value(json_object_get(s, "enterprise_id")),
            dept = json_is_integer(dj) ? json_integer_value(dj) : 0, nid = 0;
    char period[8];
    snprintf(period, sizeof(period), "%s", json_string_value(json_object_get(s, "period")));
    json_decref(s);
    rc = statement_generate(r->db, r->actor, ent, dept, period, true, &nid);
    if (op_reply(r, rc, NULL))
        return;
    if (find(r->db, r->actor, nid, &s) != 1) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 201, s);
}

static void get_pdf(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = statement_visible(r->db, r->actor, id);
    if (rc != 1) {
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    char *data = NULL, name[64];
    size_t len = 0;
    if ((rc = statement_pdf(r->db, id, &data, &len))) {
        reply_db_error(r, rc);
        return;
    }
    snprintf(name, sizeof(name), "statement-%lld.pdf", (long long)id);
    reply_bytes(r, 200, "application/pdf", data, len, name);
    free(data);
}

/* Answer an operation's failure; a status that forbids the change is
 * 409 statement_status with the reason in the caller's language. */
static bool failed(struct req *r, int rc, json_t *errors)
{
    const char *key = json_string_value(json_object_get(errors, "message_key"));
    if (rc == OP_CONFLICT && key) {
        reply_error_key(r, 409, "statement_status", key);
        return true;
    }
    return op_reply(r, rc, errors);
}

/* The statement as the list shows it after a change (status 200). */
static void reply_row(struct req *r, int64_t id)
{
    json_t *s = NULL;
    if (find(r->db, r->actor, id, &s) == 1)
        reply_json(r, 200, s);
    else
        reply_db_error(r, DB_ERROR);
}

static void move(struct req *r, const char *to)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = statement_move(r->db, r->actor, id, to, errors);
    if (!failed(r, rc, errors))
        reply_row(r, id);
    json_decref(errors);
}

/* 发送: e-mail a draft to the finance contacts and mark it sent (one
 * transaction); 重新发送 (resend) e-mails it again in any later status. */
static void mail(struct req *r, bool resend)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = statement_mail(r->db, r->actor, id, resend, errors);
    if (!failed(r, rc, errors))
        reply_row(r, id);
    json_decref(errors);
}

static void send_statement(struct req *r)
{
    mail(r, false);
}

static void resend(struct req *r)
{
    mail(r, true);
}

static void confirm(struct req *r)
{
    move(r, "confirmed");
}

static void dispute(struct req *r)
{
    int64_t id, ticket = 0;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = statement_dispute(r->db, r->actor, id, r->json, &ticket, errors);
    if (!failed(r, rc, errors))
        reply_row(r, id);
    json_decref(errors);
}

static void pay(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = statement_pay(r->db, r->actor, id, r->json, errors);
    if (!failed(r, rc, errors))
        reply_row(r, id);
    json_decref(errors);
}

#include "billing/statement_api.routes.h"
