/*
 * statement.c - making a monthly statement (对账单): every waybill of the
 * period (a calendar month, +08:00) priced by the engine under the book in
 * force at its collection and the enterprise's rules, a line a waybill,
 * the total. A period's first statement is made once: the unique key
 * (enterprise, department, period, version) lets only one maker's insert
 * through, whatever restarts or servers there are. Re-running makes the
 * next version; the older ones are never touched.
 *
 * The waybills are read a page at a time by id, priced and written before
 * the next page is read: memory stays one page whatever the month holds,
 * and no write happens while a query is open on the connection.
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/op.h"
#include "db/db.h"
#include "notify/notify.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PAGE 500

struct wb {
    int64_t id, department_id, weight_g, volume_g, declared_fen, cod_fen, at;
    char no[16], product[32], origin[160], dest[160];
};

int statement_period_bounds(const char *period, int64_t *from_at, int64_t *to_at)
{
    struct date d;
    char buf[11];
    if (!period || strlen(period) != 7)
        return -1;
    snprintf(buf, sizeof(buf), "%s-01", period);
    if (date_parse(buf, 10, &d) != 0)
        return -1;
    *from_at = date_start_time(d);
    struct date next = {d.month == 12 ? d.year + 1 : d.year, d.month == 12 ? 1 : d.month + 1, 1};
    *to_at = date_start_time(next);
    return 0;
}

/* "z4 3.000kg first=1800 steps=720": short enough for a line a waybill,
 * enough to say why. */
static void explain(const struct price_result *res, char *out, size_t n)
{
    char kg[32];
    pricing_kg_text(res->chargeable_g, kg);
    size_t len = (size_t)snprintf(out, n, "%s %skg", pricing_zone_code(res->zone), kg);
    for (int i = 0; i < res->nlines && len < n; i++) {
        const struct price_line *l = &res->lines[i];
        if (l->kind == LINE_WEIGHT || l->kind == LINE_ZONE)
            continue;
        const char *key = pricing_line_key(l->kind), *dot = strrchr(key, '.');
        len += (size_t)snprintf(out + len, n - len, " %s=%" PRId64, dot ? dot + 1 : key,
                                l->amount_fen);
    }
}

/* The department condition of the statement: its own department, or, for
 * the enterprise's statement while departments are billed on their own,
 * every waybill not of such a department. */
#define DEPT_OWN " AND w.department_id = ?"
#define DEPT_REST                                                                                  \
    " AND (w.department_id IS NULL OR w.department_id NOT IN (SELECT id FROM "                     \
    "enterprise_departments WHERE enterprise_id = ? AND own_billing = 1))"

static int read_page(struct db *db, int64_t ent, int64_t dept, bool split, int64_t from_at,
                     int64_t to_at, int64_t after_at, int64_t after, struct wb *out, int *n)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT w.id, COALESCE(w.department_id, 0), w.waybill_no, w.product, CASE WHEN "
             "w.origin = '' THEN COALESCE(e.region, '') ELSE w.origin END, w.destination, "
             "w.weight_g, COALESCE(w.volume_weight_g, 0), COALESCE(w.declared_fen, 0), "
             "COALESCE(w.cod_fen, 0), w.collected_at FROM waybills w JOIN enterprises e ON e.id "
             "= w.enterprise_id WHERE w.enterprise_id = ? AND w.collected_at >= ? AND "
             "w.collected_at < ? AND (w.collected_at > ? OR w.id > ?)%s "
             "ORDER BY w.collected_at, w.id LIMIT %d",
             dept    ? DEPT_OWN
             : split ? DEPT_REST
                     : "",
             PAGE);
    /* the range starts at the last page's time: the index seeks there */
    struct db_val args[] = {DB_INT(ent),   DB_INT(after_at > from_at ? after_at : from_at),
                            DB_INT(to_at), DB_INT(after_at),
                            DB_INT(after), DB_INT(dept ? dept : ent)};
    struct db_stmt *st = db_query(db, sql, args, dept || split ? 6 : 5);
    if (!st)
        return DB_ERROR;
    int rc;
    *n = 0;
    while ((rc = db_step(st)) == 1) {
        struct wb *w = &out[(*n)++];
        w->id = db_col_int(st, 0);
        w->department_id = db_col_int(st, 1);
        snprintf(w->no, sizeof(w->no), "%s", db_col_text(st, 2));
        snprintf(w->product, sizeof(w->product), "%s", db_col_text(st, 3));
        snprintf(w->origin, sizeof(w->origin), "%s", db_col_text(st, 4));
        snprintf(w->dest, sizeof(w->dest), "%s", db_col_text(st, 5));
        w->weight_g = db_col_int(st, 6);
        w->volume_g = db_col_int(st, 7);
        w->declared_fen = db_col_int(st, 8);
        w->cod_fen = db_col_int(st, 9);
        w->at = db_col_int(st, 10);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* Price one waybill and write its line; the amount into *fen. A waybill
 * the engine cannot price (no rate for its zone...) is a line of 0 whose
 * explanation names the error, so the statement still lists it. */
static int add_line(struct db *db, int64_t sid, const struct price_book *book,
                    const struct price_rules *rules, int64_t pieces, int64_t spend,
                    const struct wb *w, int64_t *fen)
{
    char op[48], oc[48], dp[48], dc[48], why[256];
    struct price_input in = {0};
    pricing_split_region(w->origin, op, sizeof(op), oc, sizeof(oc));
    pricing_split_region(w->dest, dp, sizeof(dp), dc, sizeof(dc));
    in.product = w->product;
    in.origin_province = op;
    in.origin_city = oc;
    in.dest_province = dp;
    in.dest_city = dc;
    in.weight_g = w->weight_g;
    in.volume_g = w->volume_g;
    in.declared_fen = w->declared_fen;
    in.cod_fen = w->cod_fen;
    in.at = w->at;
    in.department_id = w->department_id;
    in.month_pieces = pieces;
    in.month_spend_fen = spend;
    struct price_result res;
    int err = pricing_price(book, rules, &in, &res);
    if (err) {
        const char *field;
        snprintf(why, sizeof(why), "error %s", pricing_error_key(err, &field));
        *fen = 0;
    } else {
        explain(&res, why, sizeof(why));
        *fen = res.total_fen;
    }
    return db_exec(db,
                   "INSERT INTO statement_lines (statement_id, waybill_no, department_id, product, "
                   "collected_at, destination, weight_g, amount_fen, why) VALUES (?, ?, ?, ?, "
                   "?, ?, ?, ?, ?)",
                   DB_ARGS(DB_INT(sid), DB_TEXT(w->no),
                           DB_INT_OR_NULL(w->department_id, w->department_id), DB_TEXT(w->product),
                           DB_INT(w->at), DB_TEXT(w->dest), DB_INT(w->weight_g), DB_INT(*fen),
                           DB_TEXT(why)));
}

/* Price every waybill of the statement into its lines; the count and the
 * total into *count and *total. */
static int fill(struct db *db, int64_t sid, int64_t ent, int64_t dept, bool split, int64_t from_at,
                int64_t to_at, int64_t *count, int64_t *total)
{
    struct price_book book;
    struct price_rules rules = {0};
    int64_t pieces = 0, spend = 0;
    int rc = price_book_load(db, from_at, to_at, &book);
    if (!rc)
        rc = price_rules_load(db, ent, &rules);
    if (!rc)
        rc = price_month_volume(db, ent, from_at, &pieces, &spend);
    static __thread struct wb page[PAGE];
    /* pages in the order of the index (enterprise, collected_at; the id
     * breaks ties): each page starts where the last ended, nothing is
     * scanned twice or sorted */
    int64_t after_at = from_at - 1, after = 0;
    *count = *total = 0;
    while (!rc) {
        int n = 0;
        rc = read_page(db, ent, dept, split, from_at, to_at, after_at, after, page, &n);
        for (int i = 0; !rc && i < n; i++) {
            int64_t fen;
            rc = add_line(db, sid, &book, &rules, pieces, spend, &page[i], &fen);
            *total += fen;
            after_at = page[i].at;
            after = page[i].id;
        }
        *count += n;
        if (n < PAGE)
            break;
    }
    price_book_release(&book);
    price_rules_release(&rules);
    return rc;
}

int statement_generate(struct db *db, const struct actor *a, int64_t ent, int64_t dept,
                       const char *period, bool rerun, int64_t *id)
{
    int64_t from_at, to_at;
    *id = 0;
    if (statement_period_bounds(period, &from_at, &to_at))
        return OP_INVALID;
    struct billing_settings s;
    int rc = billing_settings_read(db, ent, &s);
    if (rc || (rc = db_begin(db)))
        return rc;
    int64_t last = 0;
    rc = db_query_int(db,
                      "SELECT COALESCE(MAX(version), 0) FROM statements WHERE enterprise_id = ? "
                      "AND dept_key = ? AND period = ?",
                      DB_ARGS(DB_INT(ent), DB_INT(dept), DB_TEXT(period)), &last);
    if (rc == 1)
        rc = 0;
    if (!rc && last && !rerun) {
        db_rollback(db);
        return 0; /* made already: nothing to do */
    }
    int64_t now = clock_now();
    char due[11];
    date_format(date_add_days(date_of_time(now), s.payment_days), due);
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO statements (enterprise_id, department_id, dept_key, period, "
                     "version, from_at, to_at, due_on, created_by, created_at, updated_at) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_INT(ent), DB_INT_OR_NULL(dept, dept), DB_INT(dept), DB_TEXT(period),
                             DB_INT(last + 1), DB_INT(from_at), DB_INT(to_at), DB_TEXT(due),
                             DB_INT_OR_NULL(a->id, a->id), DB_INT(now), DB_INT(now)));
    if (rc == DB_CONSTRAINT) {
        /* another server (or pass) made this version first */
        db_rollback(db);
        return 0;
    }
    int64_t sid = 0, count = 0, total = 0;
    if (!rc)
        rc = db_query_id(db,
                         "SELECT id FROM statements WHERE enterprise_id = ? AND dept_key = ? AND "
                         "period = ? AND version = ?",
                         DB_ARGS(DB_INT(ent), DB_INT(dept), DB_TEXT(period), DB_INT(last + 1)),
                         &sid);
    if (!rc)
        rc = fill(db, sid, ent, dept, s.split_departments && !dept, from_at, to_at, &count, &total);
    /* The adjustments of the version before are carried into this one:
     * re-pricing the waybills does not undo a claim or a credit. */
    int64_t prev = 0, adjust = 0;
    if (!rc && last)
        rc = db_query_id(db,
                         "SELECT id FROM statements WHERE enterprise_id = ? AND dept_key = ? AND "
                         "period = ? AND version = ?",
                         DB_ARGS(DB_INT(ent), DB_INT(dept), DB_TEXT(period), DB_INT(last)), &prev);
    if (!rc && prev)
        rc = statement_adjust_carry(db, prev, sid, &adjust);
    total += adjust;
    if (!rc)
        rc = db_exec(db,
                     "UPDATE statements SET waybill_count = ?, total_fen = ?, adjust_fen = ? "
                     "WHERE id = ?",
                     DB_ARGS(DB_INT(count), DB_INT(total), DB_INT(adjust), DB_INT(sid)));
    json_t *detail = json_pack("{s:I,s:s,s:I,s:I,s:I}", "statement_id", (json_int_t)sid, "period",
                               period, "version", (json_int_t)(last + 1), "waybills",
                               (json_int_t)count, "total_fen", (json_int_t)total);
    if (!rc)
        rc = actor_audit(db, a, "statement.generate", "enterprise", ent, json_incref(detail));
    if (!rc)
        rc = events_publish(db, "statement.generated", "enterprise", ent, a->id,
                            json_incref(detail));
    json_decref(detail);
    rc = op_end(db, rc);
    if (!rc)
        *id = sid;
    return rc;
}

/* The period before the month holding t: "YYYY-MM". */
static void previous_period(int64_t t, char out[8])
{
    struct date d = date_of_time(t);
    d.day = 1;
    d = date_add_days(d, -1); /* the last day of the month before */
    char day[11];
    date_format(d, day);
    memcpy(out, day, 7);
    out[7] = '\0';
}

/* Tell the account manager of ent that its unpaid statements plus this
 * month's spend are over the limit, once per crossing: the flag turns on
 * in the same transaction as the notification, and off when the sum is
 * back under the limit. */
static int credit_check(struct db *db, int64_t ent, int64_t limit, bool alerted, int64_t owner,
                        const char *name, int64_t unpaid, int64_t now)
{
    int64_t pieces = 0, spend = 0;
    int rc = price_month_volume(db, ent, now, &pieces, &spend);
    if (rc)
        return rc;
    bool over = unpaid + spend > limit;
    if (over == alerted)
        return 0;
    if ((rc = db_begin(db)))
        return rc;
    rc = db_exec(db,
                 "UPDATE enterprise_billing SET credit_alerted = ? WHERE enterprise_id = ? AND "
                 "credit_alerted = ?",
                 DB_ARGS(DB_INT(over), DB_INT(ent), DB_INT(alerted)));
    if (!rc && over && db_changes(db) == 1 && owner) {
        char title[256], body[512], link[64], key[64], lim[32], sum[32];
        money_format(limit, lim, sizeof(lim));
        money_format(unpaid + spend, sum, sizeof(sum));
        snprintf(title, sizeof(title), "%s 已超出信用额度", name);
        snprintf(body, sizeof(body), "未付对账单加本月已发生运费 ¥%s，信用额度 ¥%s。", sum, lim);
        snprintf(link, sizeof(link), "/enterprises/%" PRId64 "?tab=statements", ent);
        snprintf(key, sizeof(key), "credit:%" PRId64 ":%" PRId64, ent, now);
        rc = notify_user(db, owner, "statement.credit_alert", title, body, link, key, NULL);
    }
    return op_end(db, rc);
}

static int credit_pass(struct db *db, int64_t now)
{
    struct db_stmt *st = db_query(
        db,
        "SELECT b.enterprise_id, b.credit_limit_fen, b.credit_alerted, COALESCE(e.owner_id, 0), "
        "e.name, (SELECT COALESCE(SUM(s.total_fen - s.paid_fen), 0) FROM statements s WHERE "
        "s.enterprise_id = b.enterprise_id AND s.status <> 'paid' AND s.version = (SELECT "
        "MAX(v.version) FROM statements v WHERE v.enterprise_id = s.enterprise_id AND v.dept_key "
        "= s.dept_key AND v.period = s.period)) FROM enterprise_billing b JOIN enterprises e ON "
        "e.id = b.enterprise_id WHERE b.credit_limit_fen > 0 AND e.deleted_at IS NULL ORDER BY 1 "
        "LIMIT 1000",
        NULL, 0);
    if (!st)
        return DB_ERROR;
    struct {
        int64_t ent, limit, owner, unpaid;
        bool alerted;
        char name[200];
    } *rows = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = db_step(st)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            void *grown = realloc(rows, (size_t)cap * sizeof(*rows));
            if (!grown) {
                rc = DB_ERROR;
                break;
            }
            rows = grown;
        }
        rows[n].ent = db_col_int(st, 0);
        rows[n].limit = db_col_int(st, 1);
        rows[n].alerted = db_col_int(st, 2) != 0;
        rows[n].owner = db_col_int(st, 3);
        snprintf(rows[n].name, sizeof(rows[n].name), "%s", db_col_text(st, 4));
        rows[n].unpaid = db_col_int(st, 5);
        n++;
    }
    db_finish(st);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = credit_check(db, rows[i].ent, rows[i].limit, rows[i].alerted, rows[i].owner,
                          rows[i].name, rows[i].unpaid, now);
    free(rows);
    return rc < 0 ? rc : 0;
}

int statement_pass(struct db *db)
{
    int64_t now = clock_now();
    struct date today = date_of_time(now);
    char period[8];
    previous_period(now, period);
    /* Who is due and has no statement yet for the period: the enterprise's
     * own (dept 0) and, when billed apart, each department with its own
     * billing. Made after the query is finished (one open query at a time). */
    struct db_stmt *st =
        db_query(db,
                 "SELECT b.enterprise_id, 0 FROM enterprise_billing b JOIN enterprises e ON e.id "
                 "= b.enterprise_id WHERE b.mode = 'monthly' AND b.statement_day <= ? AND "
                 "e.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM statements s WHERE "
                 "s.enterprise_id = b.enterprise_id AND s.dept_key = 0 AND s.period = ?) "
                 "UNION ALL SELECT b.enterprise_id, d.id FROM enterprise_billing b JOIN "
                 "enterprises e ON e.id = b.enterprise_id JOIN enterprise_departments d ON "
                 "d.enterprise_id = b.enterprise_id AND d.own_billing = 1 WHERE b.mode = "
                 "'monthly' AND b.split_departments = 1 AND b.statement_day <= ? AND "
                 "e.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM statements s WHERE "
                 "s.enterprise_id = b.enterprise_id AND s.dept_key = d.id AND s.period = ?) "
                 "ORDER BY 1, 2 LIMIT 200",
                 DB_ARGS(DB_INT(today.day), DB_TEXT(period), DB_INT(today.day), DB_TEXT(period)));
    if (!st)
        return DB_ERROR;
    int64_t due[200][2];
    int n = 0, rc;
    while (n < 200 && (rc = db_step(st)) == 1) {
        due[n][0] = db_col_int(st, 0);
        due[n][1] = db_col_int(st, 1);
        n++;
    }
    db_finish(st);
    int made = 0;
    for (int i = 0; i < n; i++) {
        int64_t id;
        rc = statement_generate(db, &actor_system, due[i][0], due[i][1], period, false, &id);
        if (rc < 0 || rc > 0) {
            log_warn("statement of enterprise %" PRId64 " for %s failed (%d); tried again soon",
                     due[i][0], period, rc);
            return rc < 0 ? rc : 0;
        }
        made += id != 0;
    }
    if (made)
        log_info("statements for %s: %d made", period, made);
    return credit_pass(db, now);
}
