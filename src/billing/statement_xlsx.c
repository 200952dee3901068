/*
 * statement_xlsx.c - a statement version as an XLSX workbook (libxlsxwriter):
 * a summary sheet (the customer, the period, the totals, by product and by
 * department) and a lines sheet (one row a waybill). Money and weights
 * are numbers in the cells, formatted with two and three decimals, so
 * finance can sum them; the figures come from the same source as the PDF
 * (statement_doc.c). Scoped like the PDF: a statement one cannot see is
 * 404.
 */
#include "billing/billing.h"
#include "billing/print_template.h"
#include "billing/statement_doc.h"

#include "auth/session.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/files.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct book {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *money, *kg;
    lxw_row_t row;
};

/* Fen and grams as the numbers a spreadsheet shows (yuan, kilograms):
 * exact to the cent and the gram at these sizes. */
static double yuan(int64_t fen)
{
    return (double)fen / 100.0;
}

static int line_row(void *ctx, const struct stmt_line *l)
{
    struct book *b = ctx;
    char at[40];
    clock_format_iso(l->collected_at, at, sizeof(at));
    at[10] = ' ';
    at[16] = 0; /* "YYYY-MM-DD HH:MM", +08:00 */
    lxw_row_t r = b->row++;
    worksheet_write_string(b->ws, r, 0, l->no, NULL);
    worksheet_write_string(b->ws, r, 1, at, NULL);
    worksheet_write_string(b->ws, r, 2, l->dept, NULL);
    worksheet_write_string(b->ws, r, 3, l->product, NULL);
    worksheet_write_string(b->ws, r, 4, l->dest, NULL);
    worksheet_write_number(b->ws, r, 5, (double)l->weight_g / 1000.0, b->kg);
    worksheet_write_number(b->ws, r, 6, yuan(l->amount_fen), b->money);
    worksheet_write_string(b->ws, r, 7, l->why, NULL);
    return 0;
}

static int group_row(void *ctx, const char *name, int64_t count, int64_t fen)
{
    struct book *b = ctx;
    lxw_row_t r = b->row++;
    worksheet_write_string(b->ws, r, 0, name, NULL);
    worksheet_write_number(b->ws, r, 1, (double)count, NULL);
    worksheet_write_number(b->ws, r, 2, yuan(fen), b->money);
    return 0;
}

static int adjust_row(void *ctx, const char *kind, const char *reason, int64_t fen)
{
    struct book *b = ctx;
    lxw_row_t r = b->row++;
    worksheet_write_string(b->ws, r, 0, kind, NULL);
    worksheet_write_string(b->ws, r, 1, reason, NULL);
    worksheet_write_number(b->ws, r, 2, yuan(fen), b->money);
    return 0;
}

static int adjust_seen(void *ctx, const char *kind, const char *reason, int64_t fen)
{
    (void)kind;
    (void)reason;
    (void)fen;
    ++*(int *)ctx;
    return 0;
}

static void pair(struct book *b, const char *k, const char *v)
{
    worksheet_write_string(b->ws, b->row, 0, k, b->bold);
    worksheet_write_string(b->ws, b->row++, 1, v, NULL);
}

static int summary_sheet(struct book *b, const struct stmt_source *src)
{
    const struct stmt_head *h = &src->head;
    char text[64], words[PRICING_WORDS_MAX];
    b->ws = workbook_add_worksheet(b->wb, "汇总");
    b->row = 0;
    worksheet_set_column(b->ws, 0, 0, 18, NULL);
    worksheet_set_column(b->ws, 1, 2, 28, NULL);
    pair(b, "客户", h->ent_name);
    pair(b, "客户编号", h->no);
    if (h->dept[0])
        pair(b, "部门", h->dept);
    pair(b, "账期", h->period);
    snprintf(text, sizeof(text), "%lld", (long long)h->version);
    pair(b, "版本", text);
    pair(b, "付款截止日", h->due);
    worksheet_write_string(b->ws, b->row, 0, "运单件数", b->bold);
    worksheet_write_number(b->ws, b->row++, 1, (double)h->count, NULL);
    worksheet_write_string(b->ws, b->row, 0, "合计金额(元)", b->bold);
    worksheet_write_number(b->ws, b->row++, 1, yuan(h->total), b->money);
    pair(b, "大写", pricing_amount_words(h->total, words, sizeof(words)));
    int rc = 0;
    for (int dept = 0; !rc && dept < 2; dept++) {
        b->row++;
        worksheet_write_string(b->ws, b->row, 0, dept ? "部门" : "产品", b->bold);
        worksheet_write_string(b->ws, b->row, 1, "件数", b->bold);
        worksheet_write_string(b->ws, b->row++, 2, "金额(元)", b->bold);
        rc = src->groups(src, dept, group_row, b);
    }
    /* claims, credits and corrections: the total above includes them (the
     * workbook is written row by row, so count them before the heading) */
    int n = 0;
    if (!rc && src->adjustments)
        rc = src->adjustments(src, adjust_seen, &n);
    if (!rc && n) {
        b->row++;
        worksheet_write_string(b->ws, b->row, 0, "调整", b->bold);
        worksheet_write_string(b->ws, b->row, 1, "原因", b->bold);
        worksheet_write_string(b->ws, b->row++, 2, "金额(元)", b->bold);
        rc = src->adjustments(src, adjust_row, b);
    }
    return rc;
}

static int lines_sheet(struct book *b, const struct stmt_source *src)
{
    static const char *const head[] = {"运单号", "揽收时间", "部门",     "产品",
                                       "目的地", "重量(kg)", "金额(元)", "计费说明"};
    static const double widths[] = {18, 17, 14, 12, 22, 10, 12, 40};
    b->ws = workbook_add_worksheet(b->wb, "明细");
    b->row = 1;
    for (int i = 0; i < 8; i++) {
        worksheet_write_string(b->ws, 0, (lxw_col_t)i, head[i], b->bold);
        worksheet_set_column(b->ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
    }
    worksheet_freeze_panes(b->ws, 1, 0);
    return src->lines(src, line_row, b);
}

/* The workbook of statement id written at path: 0 or DB_*. */
static int statement_xlsx(struct db *db, int64_t id, const char *path)
{
    struct stmt_source src;
    int rc = stmt_source_open(db, id, &src);
    if (rc)
        return rc;
    char *tmpdir = xstrdup(files_dir());
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir};
    struct book b = {.wb = workbook_new_opt(path, &opts)};
    if (!b.wb) {
        free(tmpdir);
        return DB_ERROR;
    }
    b.bold = workbook_add_format(b.wb);
    format_set_bold(b.bold);
    b.money = workbook_add_format(b.wb);
    format_set_num_format(b.money, "#,##0.00");
    b.kg = workbook_add_format(b.wb);
    format_set_num_format(b.kg, "0.000");
    rc = summary_sheet(&b, &src);
    if (!rc)
        rc = lines_sheet(&b, &src);
    if (workbook_close(b.wb) != LXW_NO_ERROR && !rc)
        rc = DB_ERROR;
    free(tmpdir);
    return rc;
}

static void get_xlsx(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    int rc = statement_visible(r->db, r->actor, id);
    if (rc != 1) {
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    char rnd[24], name[64];
    session_random_token(rnd, sizeof(rnd), 12);
    char *file = xasprintf("statement-%s.xlsx", rnd);
    char *path = files_path(file);
    free(file);
    if ((rc = statement_xlsx(r->db, id, path))) {
        unlink(path);
        free(path);
        op_reply(r, rc, NULL);
        return;
    }
    snprintf(name, sizeof(name), "statement-%lld.xlsx", (long long)id);
    /* the reply holds the open file: the name can go now */
    reply_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
    unlink(path);
    free(path);
}

#include "billing/statement_xlsx.routes.h"
