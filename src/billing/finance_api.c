/*
 * finance_api.c - the HTTP endpoints of the finance export (finance.c):
 * the account settings, the receivables as JSON for an ERP, and the
 * vouchers as a Kingdee or Yonyou import file.
 */
#include "billing/finance.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/validate.h"
#include "core/files.h"
#include "core/op.h"
#include "core/perms.h"
#include "core/tabular.h"
#include "db/db.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void get_settings(struct req *r)
{
    struct finance_settings s;
    int rc = finance_settings_read(r->db, &s);
    if (rc)
        reply_db_error(r, rc);
    else
        reply_json(r, 200, finance_settings_json(&s));
}

static void put_settings(struct req *r)
{
    json_t *errors = json_object();
    int rc = finance_settings_save(r->db, r->actor, r->json, errors);
    if (!op_reply(r, rc, errors))
        get_settings(r);
    json_decref(errors);
}

/* period=YYYY-MM or ids=1,2,3 into p: false (422 sent) when neither is
 * usable. */
static bool read_pick(struct req *r, struct finance_pick *p)
{
    memset(p, 0, sizeof(*p));
    const char *period = req_query(r, "period"), *ids = req_query(r, "ids");
    int64_t from_at, to_at;
    if (ids && *ids) {
        const char *s = ids;
        while (*s && p->nids < FINANCE_MAX_IDS) {
            char *end;
            long long v = strtoll(s, &end, 10);
            if (end == s || v <= 0 || (*end && *end != ','))
                break;
            p->ids[p->nids++] = v;
            s = *end ? end + 1 : end;
        }
        if (!*s && p->nids)
            return true;
    } else if (period && statement_period_bounds(period, &from_at, &to_at) == 0) {
        snprintf(p->period, sizeof(p->period), "%s", period);
        return true;
    }
    json_t *errors = json_object();
    json_object_set_new(errors, "period", json_string(i18n_msg(r->actor->lang, "finance.period")));
    op_reply(r, OP_INVALID, errors);
    json_decref(errors);
    return false;
}

struct collect {
    json_t *items;
    const struct finance_settings *s;
};

static int add_receivable(const struct finance_receivable *x, void *arg)
{
    struct collect *c = arg;
    int64_t tax = finance_tax_fen(x->total_fen, c->s->vat_bp);
    char created[40], vdate[11];
    clock_format_iso(x->created_at, created, sizeof(created));
    finance_voucher_date(x->period, vdate);
    json_t *o = json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:s,s:s,s:s,s:I}",
        "statement_id", (json_int_t)x->id, "version", (json_int_t)x->version, "enterprise_id",
        (json_int_t)x->enterprise_id, "customer_code", x->customer_no, "customer_name", x->customer,
        "period", x->period, "waybills", (json_int_t)x->waybills, "status", x->status, "currency",
        "CNY", "total_fen", (json_int_t)x->total_fen, "adjust_fen", (json_int_t)x->adjust_fen,
        "tax_fen", (json_int_t)tax, "revenue_fen", (json_int_t)(x->total_fen - tax), "paid_fen",
        (json_int_t)x->paid_fen, "outstanding_fen", (json_int_t)(x->total_fen - x->paid_fen),
        "total", pricing_money_json(x->total_fen), "outstanding",
        pricing_money_json(x->total_fen - x->paid_fen), "due_on", x->due_on, "voucher_date", vdate,
        "created_at", created, "department_id", (json_int_t)x->department_id);
    json_object_set_new(o, "department_name",
                        *x->department ? json_string(x->department) : json_null());
    json_object_set_new(o, "cost_centre",
                        *x->cost_centre ? json_string(x->cost_centre) : json_null());
    if (!x->department_id)
        json_object_set_new(o, "department_id", json_null());
    json_array_append_new(c->items, o);
    return 0;
}

static void receivables(struct req *r)
{
    struct finance_pick *p = malloc(sizeof(*p));
    struct finance_settings s;
    int rc;
    if (!p) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    if (!read_pick(r, p)) {
        free(p);
        return;
    }
    if ((rc = finance_settings_read(r->db, &s))) {
        free(p);
        reply_db_error(r, rc);
        return;
    }
    struct collect c = {json_array(), &s};
    rc = finance_each(r->db, r->actor, p, add_receivable, &c);
    free(p);
    if (rc) {
        json_decref(c.items);
        reply_db_error(r, rc);
        return;
    }
    json_t *accounts = finance_settings_json(&s);
    json_object_del(accounts, "version");
    reply_json(r, 200,
               json_pack("{s:o,s:I,s:o}", "items", c.items, "total",
                         (json_int_t)json_array_size(c.items), "accounts", accounts));
}

/* ---- the voucher files ---- */

enum layout { KINGDEE, YONYOU };

/* 金蝶精斗云 凭证导入模板 (also taken by K/3 Cloud's 凭证引入 after the
 * column match), and 用友 U8 总账 凭证引入 / T+ 凭证导入 columns. */
static const char *const kingdee_head[] = {"日期", "凭证字",   "凭证号",   "附件数",   "分录序号",
                                           "摘要", "科目代码", "科目名称", "借方金额", "贷方金额",
                                           "客户", "部门",     "币别",     "汇率"};
static const char *const yonyou_head[] = {"制单日期", "凭证类别", "凭证号",   "附单据数", "摘要",
                                          "科目编码", "科目名称", "借方金额", "贷方金额", "币种",
                                          "客户编码", "客户名称", "部门编码"};
#define KINGDEE_COLS (sizeof(kingdee_head) / sizeof(kingdee_head[0]))
#define YONYOU_COLS  (sizeof(yonyou_head) / sizeof(yonyou_head[0]))

struct voucher_file {
    struct tabular_writer *w;
    enum layout layout;
    const struct finance_settings *s;
    int64_t no;
    int vouchers;
};

/* One entry (分录) of voucher v->no: amount on the debit or credit side. */
static int entry(struct voucher_file *v, const struct finance_receivable *x, int seq,
                 const char *code, const char *name, bool debit, int64_t fen, bool aux)
{
    char date[11], no[24], seqs[8], amount[32], summary[320];
    finance_voucher_date(x->period, date);
    snprintf(no, sizeof(no), "%" PRId64, v->no);
    snprintf(seqs, sizeof(seqs), "%d", seq);
    money_format(fen, amount, sizeof(amount));
    snprintf(summary, sizeof(summary), "应收%s%s年%.2s月运费 对账单#%" PRId64, x->customer,
             x->period, x->period + 5, x->id);
    const char *cust = aux ? x->customer_no : "", *dept = aux ? x->cost_centre : "";
    if (v->layout == KINGDEE) {
        const char *cells[KINGDEE_COLS] = {date,
                                           v->s->word,
                                           no,
                                           "0",
                                           seqs,
                                           summary,
                                           code,
                                           name,
                                           debit ? amount : "",
                                           debit ? "" : amount,
                                           cust,
                                           dept,
                                           "RMB",
                                           "1"};
        return tabular_write_row(v->w, cells, KINGDEE_COLS);
    }
    const char *cells[YONYOU_COLS] = {date,
                                      v->s->word,
                                      no,
                                      "0",
                                      summary,
                                      code,
                                      name,
                                      debit ? amount : "",
                                      debit ? "" : amount,
                                      "人民币",
                                      cust,
                                      aux ? x->customer : "",
                                      dept};
    return tabular_write_row(v->w, cells, YONYOU_COLS);
}

static int add_voucher(const struct finance_receivable *x, void *arg)
{
    struct voucher_file *v = arg;
    if (x->total_fen == 0)
        return 0; /* nothing receivable: no voucher */
    int64_t tax = finance_tax_fen(x->total_fen, v->s->vat_bp);
    int rc = entry(v, x, 1, v->s->receivable, "应收账款", true, x->total_fen, true);
    if (!rc)
        rc = entry(v, x, 2, v->s->revenue, "主营业务收入", false, x->total_fen - tax, false);
    if (!rc && tax)
        rc = entry(v, x, 3, v->s->tax, "应交税费-应交增值税(销项税额)", false, tax, false);
    v->no++;
    v->vouchers++;
    return rc ? DB_ERROR : 0;
}

static void vouchers(struct req *r)
{
    const char *layout = req_query(r, "layout"), *format = req_query(r, "format");
    const char *start = req_query(r, "start_no");
    bool kingdee = layout && strcmp(layout, "kingdee") == 0,
         yonyou = layout && strcmp(layout, "yonyou") == 0;
    bool xlsx = !format || !*format || strcmp(format, "xlsx") == 0,
         csv = format && strcmp(format, "csv") == 0;
    char *end = NULL;
    long long start_no = start && *start ? strtoll(start, &end, 10) : 1;
    if ((!kingdee && !yonyou) || (!xlsx && !csv) || start_no < 1 || start_no > 99999999 ||
        (end && *end)) {
        json_t *errors = json_object();
        json_object_set_new(errors, "layout",
                            json_string(i18n_msg(r->actor->lang, "finance.format")));
        op_reply(r, OP_INVALID, errors);
        json_decref(errors);
        return;
    }
    struct finance_pick *p = malloc(sizeof(*p));
    struct finance_settings s;
    int rc;
    if (!p) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    if (!read_pick(r, p)) {
        free(p);
        return;
    }
    if ((rc = finance_settings_read(r->db, &s))) {
        free(p);
        reply_db_error(r, rc);
        return;
    }
    unsigned char rnd[6];
    randombytes_buf(rnd, sizeof(rnd));
    char name[96], err[256], shown[96];
    snprintf(name, sizeof(name), "vouchers-%02x%02x%02x%02x%02x%02x.%s", rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], csv ? "csv" : "xlsx");
    char *path = files_path(name);
    struct voucher_file v = {.layout = kingdee ? KINGDEE : YONYOU, .s = &s, .no = start_no};
    v.w = tabular_writer_open(path, csv ? TABULAR_CSV : TABULAR_XLSX, "凭证", err, sizeof(err));
    rc = v.w ? 0 : DB_ERROR;
    if (!rc) {
        bool numeric[14] = {false};
        numeric[kingdee ? 8 : 7] = numeric[kingdee ? 9 : 8] = true;
        static const double widths[14] = {12, 8, 8, 8, 8, 40, 12, 28, 14, 14, 14, 12, 8, 8};
        tabular_writer_set_numeric(v.w, numeric, kingdee ? KINGDEE_COLS : YONYOU_COLS);
        tabular_writer_set_widths(v.w, widths, kingdee ? KINGDEE_COLS : YONYOU_COLS);
        rc = tabular_write_row(v.w, kingdee ? kingdee_head : yonyou_head,
                               kingdee ? KINGDEE_COLS : YONYOU_COLS)
                 ? DB_ERROR
                 : 0;
    }
    if (!rc)
        rc = finance_each(r->db, r->actor, p, add_voucher, &v);
    if (v.w && tabular_writer_close(v.w) && !rc)
        rc = DB_ERROR;
    json_t *detail =
        json_pack("{s:s,s:s,s:s,s:i,s:i}", "layout", layout, "format", csv ? "csv" : "xlsx",
                  "period", p->period, "statements", p->nids, "vouchers", v.vouchers);
    free(p);
    if (!rc)
        rc = actor_audit(r->db, r->actor, "finance.export", "finance_settings", 1, detail);
    else
        json_decref(detail);
    if (rc) {
        unlink(path);
        free(path);
        reply_db_error(r, rc);
        return;
    }
    snprintf(shown, sizeof(shown), "应收凭证-%s.%s", kingdee ? "金蝶" : "用友",
             csv ? "csv" : "xlsx");
    reply_file(r, path,
               csv ? "text/csv; charset=utf-8"
                   : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               shown);
    /* the reply holds the open file: the name can go now */
    unlink(path);
    free(path);
}

#include "billing/finance_api.routes.h"
