/*
 * finance.c - the finance export (docs/billing.md, 财务导出): the account
 * codes an accountant sets (finance_settings, one row), the receivables
 * of a period's statements or of a selection (the JSON an ERP reads), and
 * the receivables vouchers (应收凭证) laid out for import into Kingdee
 * (金蝶精斗云 / K/3 Cloud 凭证引入) and Yonyou (用友 U8 / T+ 凭证引入), as
 * XLSX or CSV (UTF-8 with BOM) through core/tabular.h.
 *
 * One voucher a statement (the latest version; drafts are not receivables
 * yet): debit 应收账款 (the total, with the customer as auxiliary), credit
 * 主营业务收入 (the total without tax) and, when a VAT rate is set, credit
 * 应交税费 (the tax in the total: total × rate / (1 + rate), rounded half
 * up to the fen once; revenue is the rest, so the voucher balances).
 */
#include "billing/finance.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/op.h"
#include "core/tabular.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "vip/enterprise.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int finance_settings_read(struct db *db, struct finance_settings *out)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT receivable_account, revenue_account, tax_account, vat_bp, "
                          "voucher_word, version FROM finance_settings WHERE id = 1",
                          NULL, 0);
    if (rc != 1)
        return rc ? rc : DB_ERROR;
    snprintf(out->receivable, sizeof(out->receivable), "%s", db_col_text(st, 0));
    snprintf(out->revenue, sizeof(out->revenue), "%s", db_col_text(st, 1));
    snprintf(out->tax, sizeof(out->tax), "%s", db_col_text(st, 2));
    out->vat_bp = db_col_int(st, 3);
    snprintf(out->word, sizeof(out->word), "%s", db_col_text(st, 4));
    out->version = db_col_int(st, 5);
    db_finish(st);
    return 0;
}

json_t *finance_settings_json(const struct finance_settings *s)
{
    char vat[32];
    pricing_percent_text(s->vat_bp, vat);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "receivable_account", s->receivable,
                     "revenue_account", s->revenue, "tax_account", s->tax, "vat_rate", vat,
                     "voucher_word", s->word, "version", (json_int_t)s->version);
}

static void fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

/* An account code: 1-20 digits (the codes of 企业会计准则 and their
 * sub-accounts, e.g. 1122, 22210106). */
static void account(json_t *in, const char *key, char *out, size_t n, const char *lang,
                    json_t *errors)
{
    json_t *v = json_object_get(in, key);
    if (!v)
        return;
    const char *s = json_string_value(v);
    size_t len = s ? strlen(s) : 0;
    if (!s || len == 0 || len > 20 || strspn(s, "0123456789") != len) {
        fail(errors, lang, key, "finance.account");
        return;
    }
    snprintf(out, n, "%s", s);
}

int finance_settings_save(struct db *db, const struct actor *a, json_t *in, json_t *errors)
{
    struct finance_settings s;
    int rc = finance_settings_read(db, &s);
    if (rc)
        return rc;
    json_int_t version = 0;
    json_t *cur = json_pack("{s:I}", "version", (json_int_t)s.version);
    rc = op_check_version(in, cur, a->lang, errors, &version);
    json_decref(cur);
    if (rc)
        return rc;
    account(in, "receivable_account", s.receivable, sizeof(s.receivable), a->lang, errors);
    account(in, "revenue_account", s.revenue, sizeof(s.revenue), a->lang, errors);
    account(in, "tax_account", s.tax, sizeof(s.tax), a->lang, errors);
    if (json_object_get(in, "vat_rate")) {
        int64_t bp = 0;
        int got = pricing_json_decimal(in, "vat_rate", 2, 3000, &bp, NULL, a->lang);
        if (got < 0)
            fail(errors, a->lang, "vat_rate", "finance.vat");
        else
            s.vat_bp = got ? bp * 1 : 0;
    }
    json_t *w = json_object_get(in, "voucher_word");
    if (w) {
        const char *t = json_string_value(w);
        size_t chars = t ? utf8_chars(t, strlen(t)) : 0;
        if (!t || chars < 1 || chars > 4 || strpbrk(t, " \t\r\n,\""))
            fail(errors, a->lang, "voucher_word", "finance.word");
        else
            snprintf(s.word, sizeof(s.word), "%s", t);
    }
    if ((rc = op_checked(0, errors)) || (rc = db_begin(db)))
        return rc;
    rc = db_exec(db,
                 "UPDATE finance_settings SET receivable_account = ?, revenue_account = ?, "
                 "tax_account = ?, vat_bp = ?, voucher_word = ?, version = version + 1, "
                 "updated_by = ?, updated_at = ? WHERE id = 1 AND version = ?",
                 DB_ARGS(DB_TEXT(s.receivable), DB_TEXT(s.revenue), DB_TEXT(s.tax),
                         DB_INT(s.vat_bp), DB_TEXT(s.word), DB_INT_OR_NULL(a->id, a->id),
                         DB_INT(clock_now()), DB_INT(version)));
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    if (!rc)
        rc = actor_audit(db, a, "finance_settings.update", "finance_settings", 1,
                         finance_settings_json(&s));
    return op_end(db, rc);
}

int64_t finance_tax_fen(int64_t total_fen, int64_t vat_bp)
{
    if (vat_bp <= 0 || total_fen == 0)
        return 0;
    /* total × r / (1 + r) with r = bp / 10000, half up, on |total| */
    int64_t t = total_fen < 0 ? -total_fen : total_fen;
    int64_t num = t * vat_bp, den = 10000 + vat_bp;
    int64_t tax = (2 * num + den) / (2 * den);
    return total_fen < 0 ? -tax : tax;
}

#define RECV_COLUMNS                                                                               \
    "s.id, s.enterprise_id, e.customer_no, e.name, s.department_id, COALESCE(d.name, ''), "        \
    "COALESCE(d.cost_centre, ''), s.period, s.version, s.status, s.total_fen, s.adjust_fen, "      \
    "s.paid_fen, s.due_on, s.waybill_count, s.created_at"

/* The statements chosen: the latest version of each period's statement
 * that is not a draft, or the ids listed (those a sees). */
static struct db_stmt *select_statements(struct db *db, const struct actor *a,
                                         const struct finance_pick *p)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " RECV_COLUMNS " FROM statements s JOIN enterprises e ON e.id = "
                   "s.enterprise_id LEFT JOIN enterprise_departments d ON d.id = s.department_id "
                   "WHERE e.deleted_at IS NULL AND ");
    enterprise_visible_sql(a, &b);
    if (p->nids) {
        sqlbuf_add(&b, " AND s.id IN (");
        for (int i = 0; i < p->nids; i++) {
            sqlbuf_add(&b, i ? ", ?" : "?");
            sqlbuf_bind(&b, DB_INT(p->ids[i]));
        }
        sqlbuf_add(&b, ")");
    } else {
        sqlbuf_add(&b, " AND s.period = ? AND s.status <> 'draft' AND s.version = (SELECT "
                       "MAX(v.version) FROM statements v WHERE v.enterprise_id = s.enterprise_id "
                       "AND v.dept_key = s.dept_key AND v.period = s.period)");
        sqlbuf_bind(&b, DB_TEXT(p->period));
    }
    sqlbuf_add(&b, " ORDER BY s.period, e.customer_no, s.dept_key, s.id LIMIT 5000");
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return st;
}

static void read_receivable(struct db_stmt *st, struct finance_receivable *r)
{
    r->id = db_col_int(st, 0);
    r->enterprise_id = db_col_int(st, 1);
    snprintf(r->customer_no, sizeof(r->customer_no), "%s", db_col_text(st, 2));
    snprintf(r->customer, sizeof(r->customer), "%s", db_col_text(st, 3));
    r->department_id = db_col_is_null(st, 4) ? 0 : db_col_int(st, 4);
    snprintf(r->department, sizeof(r->department), "%s", db_col_text(st, 5));
    snprintf(r->cost_centre, sizeof(r->cost_centre), "%s", db_col_text(st, 6));
    snprintf(r->period, sizeof(r->period), "%s", db_col_text(st, 7));
    r->version = db_col_int(st, 8);
    snprintf(r->status, sizeof(r->status), "%s", db_col_text(st, 9));
    r->total_fen = db_col_int(st, 10);
    r->adjust_fen = db_col_int(st, 11);
    r->paid_fen = db_col_int(st, 12);
    snprintf(r->due_on, sizeof(r->due_on), "%s", db_col_text(st, 13));
    r->waybills = db_col_int(st, 14);
    r->created_at = db_col_int(st, 15);
}

int finance_each(struct db *db, const struct actor *a, const struct finance_pick *p,
                 int (*fn)(const struct finance_receivable *r, void *arg), void *arg)
{
    struct db_stmt *st = select_statements(db, a, p);
    if (!st)
        return DB_ERROR;
    int rc, out = 0;
    struct finance_receivable r;
    while (!out && (rc = db_step(st)) == 1) {
        read_receivable(st, &r);
        out = fn(&r, arg);
    }
    db_finish(st);
    return out ? out : rc < 0 ? rc : 0;
}

void finance_voucher_date(const char *period, char out[11])
{
    int64_t from_at, to_at;
    if (statement_period_bounds(period, &from_at, &to_at)) {
        snprintf(out, 11, "%s", "");
        return;
    }
    /* the last day of the month: revenue of the month, booked in it */
    date_format(date_add_days(date_of_time(to_at), -1), out);
}
