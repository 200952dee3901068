/*
 * statement_pdf.c - a statement version as a PDF (core/pdf.c): the
 * issuer, the customer, the summary, the totals by product, every
 * waybill line over as many pages as it takes (the header repeated,
 * "第 N 页 / 共 M 页"), the total in figures and in 大写, the payment
 * terms. The layout is one fixed default template described as data
 * (blocks in order, the table's columns) so that edited print templates
 * can replace it later without touching the writer.
 *
 * The document is laid out twice: once to count the pages, once to write
 * them with the count. The lines are read a page of rows at a time by
 * waybill number both times: memory stays small whatever the month holds.
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/validate.h"
#include "core/pdf.h"
#include "db/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum block { B_CUSTOMER, B_SUMMARY, B_PRODUCTS, B_LINES, B_TOTAL, B_TERMS };
enum col { C_NO, C_DATE, C_PRODUCT, C_DEST, C_WEIGHT, C_AMOUNT, C_WHY };

struct tpl_column {
    const char *title;
    double width;
    enum col field;
};

/* The default template: what is printed, in this order. */
static const enum block default_blocks[] = {B_CUSTOMER, B_SUMMARY, B_PRODUCTS,
                                            B_LINES,    B_TOTAL,   B_TERMS};
static const struct tpl_column default_columns[] = {
    {"运单号", 0.21, C_NO},   {"揽收日", 0.09, C_DATE},     {"产品", 0.13, C_PRODUCT},
    {"目的地", 0.22, C_DEST}, {"重量(kg)", 0.10, C_WEIGHT}, {"金额(元)", 0.12, C_AMOUNT},
    {"分区", 0.13, C_WHY},
};
#define NCOLS      ((int)(sizeof(default_columns) / sizeof(default_columns[0])))
#define LINES_PAGE 1000

struct head {
    int64_t id, ent, total, paid, count, version;
    char period[8], status[16], due[11], ent_name[200], dept[200], branch[200], address[300],
        no[40];
    int payment_days;
};

static int read_head(struct db *db, int64_t id, struct head *h)
{
    struct db_stmt *st = NULL;
    int rc = db_query_row(db, &st,
                          "SELECT s.enterprise_id, s.total_fen, s.paid_fen, s.waybill_count, "
                          "s.version, s.period, s.status, s.due_on, e.name, COALESCE(d.name, ''), "
                          "COALESCE(b.name, ''), COALESCE(e.region, ''), e.customer_no FROM "
                          "statements s JOIN enterprises e ON e.id = s.enterprise_id LEFT JOIN "
                          "enterprise_departments d ON d.id = s.department_id LEFT JOIN "
                          "branches b ON b.id = e.branch_id WHERE s.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc ? rc : DB_ERROR;
    h->id = id;
    h->ent = db_col_int(st, 0);
    h->total = db_col_int(st, 1);
    h->paid = db_col_int(st, 2);
    h->count = db_col_int(st, 3);
    h->version = db_col_int(st, 4);
    snprintf(h->period, sizeof(h->period), "%s", db_col_text(st, 5));
    snprintf(h->status, sizeof(h->status), "%s", db_col_text(st, 6));
    snprintf(h->due, sizeof(h->due), "%s", db_col_text(st, 7));
    snprintf(h->ent_name, sizeof(h->ent_name), "%s", db_col_text(st, 8));
    snprintf(h->dept, sizeof(h->dept), "%s", db_col_text(st, 9));
    snprintf(h->branch, sizeof(h->branch), "%s", db_col_text(st, 10));
    snprintf(h->address, sizeof(h->address), "%s", db_col_text(st, 11));
    snprintf(h->no, sizeof(h->no), "%s", db_col_text(st, 12));
    db_finish(st);
    struct billing_settings s;
    rc = billing_settings_read(db, h->ent, &s);
    h->payment_days = s.payment_days;
    return rc;
}

static void cell(enum col c, struct db_stmt *st, char *out, size_t n)
{
    switch (c) {
    case C_NO:
        snprintf(out, n, "%s", db_col_text(st, 0));
        break;
    case C_DATE: {
        char iso[40];
        clock_format_iso(db_col_int(st, 1), iso, sizeof(iso));
        snprintf(out, n, "%.5s", iso + 5); /* MM-DD: the month is the period's */
        break;
    }
    case C_PRODUCT:
        snprintf(out, n, "%s", db_col_text(st, 2));
        break;
    case C_DEST: {
        /* province and city: the district would wrap the row */
        char prov[48], city[48];
        pricing_split_region(db_col_text(st, 3), prov, sizeof(prov), city, sizeof(city));
        snprintf(out, n, "%s%s", prov, strcmp(prov, city) == 0 ? "" : city);
        break;
    }
    case C_WEIGHT: {
        char kg[32];
        pricing_kg_text(db_col_int(st, 4), kg);
        snprintf(out, n, "%s", kg);
        break;
    }
    case C_AMOUNT:
        money_format(db_col_int(st, 5), out, n);
        break;
    case C_WHY: {
        /* the zone: the first word of the stored explanation (the whole
         * one is in the API) */
        const char *why = db_col_text(st, 6), *sp = strchr(why, ' ');
        snprintf(out, n, "%.*s", sp ? (int)(sp - why) : (int)strlen(why), why);
        break;
    }
    }
}

/* The waybill table, read LINES_PAGE rows at a time. */
static int lines_block(struct db *db, struct pdf *p, int64_t id)
{
    double widths[NCOLS];
    const char *header[NCOLS];
    for (int i = 0; i < NCOLS; i++) {
        widths[i] = default_columns[i].width;
        header[i] = default_columns[i].title;
    }
    pdf_table_begin(p, NCOLS, widths, header);
    char after[256] = "";
    for (;;) {
        struct db_stmt *st = db_query(db,
                                      "SELECT waybill_no, collected_at, product, destination, "
                                      "weight_g, amount_fen, why FROM statement_lines WHERE "
                                      "statement_id = ? AND waybill_no > ? ORDER BY waybill_no "
                                      "LIMIT 1000",
                                      DB_ARGS(DB_INT(id), DB_TEXT(after)));
        if (!st)
            return DB_ERROR;
        int n = 0, rc;
        while ((rc = db_step(st)) == 1) {
            char text[NCOLS][256];
            const char *cells[NCOLS];
            for (int i = 0; i < NCOLS; i++) {
                cell(default_columns[i].field, st, text[i], sizeof(text[i]));
                cells[i] = text[i];
            }
            pdf_table_row(p, cells);
            snprintf(after, sizeof(after), "%s", text[0]);
            n++;
        }
        db_finish(st);
        if (rc < 0)
            return rc;
        if (n < LINES_PAGE)
            break;
    }
    pdf_table_end(p);
    return 0;
}

static int products_block(struct db *db, struct pdf *p, int64_t id)
{
    static const double w[] = {0.4, 0.3, 0.3};
    pdf_heading(p, "按产品汇总");
    pdf_table_begin(p, 3, w, (const char *[]){"产品", "件数", "金额(元)"});
    struct db_stmt *st = db_query(db,
                                  "SELECT product, COUNT(*), SUM(amount_fen) FROM statement_lines "
                                  "WHERE statement_id = ? GROUP BY product ORDER BY product",
                                  DB_ARGS(DB_INT(id)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        char n[32], fen[32];
        snprintf(n, sizeof(n), "%" PRId64, db_col_int(st, 1));
        money_format(db_col_int(st, 2), fen, sizeof(fen));
        pdf_table_row(p, (const char *[]){db_col_text(st, 0), n, fen});
    }
    db_finish(st);
    pdf_table_end(p);
    return rc < 0 ? rc : 0;
}

/* Lay the document out; total_pages 0 the first time (counting). */
static int layout_doc(struct db *db, const struct head *h, int total_pages, struct pdf **out)
{
    char title[160], line[512], fen[32], words[PRICING_WORDS_MAX];
    snprintf(title, sizeof(title), "对账单 %s（第 %" PRId64 " 版）", h->period, h->version);
    char footer[480];
    snprintf(footer, sizeof(footer), "%s · %s · 对账单 #%" PRId64, h->branch, h->ent_name, h->id);
    struct pdf *p = pdf_new(title, footer);
    pdf_set_total_pages(p, total_pages);
    int rc = 0;
    money_format(h->total, fen, sizeof(fen));
    pricing_amount_words(h->total, words, sizeof(words));
    for (size_t b = 0; !rc && b < sizeof(default_blocks) / sizeof(default_blocks[0]); b++) {
        switch (default_blocks[b]) {
        case B_CUSTOMER:
            pdf_heading(p, "客户信息");
            snprintf(line, sizeof(line), "客户：%s%s%s（客户编号 %s）", h->ent_name,
                     h->dept[0] ? " · " : "", h->dept, h->no);
            pdf_paragraph(p, line);
            if (h->address[0]) {
                snprintf(line, sizeof(line), "地区：%s", h->address);
                pdf_paragraph(p, line);
            }
            snprintf(line, sizeof(line), "出账单位：%s", h->branch);
            pdf_paragraph(p, line);
            break;
        case B_SUMMARY:
            pdf_heading(p, "汇总");
            snprintf(line, sizeof(line), "账期：%s 月，运单 %" PRId64 " 件，应付金额 %s 元",
                     h->period, h->count, fen);
            pdf_paragraph(p, line);
            break;
        case B_PRODUCTS:
            rc = products_block(db, p, h->id);
            break;
        case B_LINES:
            pdf_heading(p, "运单明细");
            rc = lines_block(db, p, h->id);
            break;
        case B_TOTAL:
            pdf_heading(p, "合计");
            snprintf(line, sizeof(line), "合计金额：%s 元", fen);
            pdf_paragraph(p, line);
            snprintf(line, sizeof(line), "大写：%s", words);
            pdf_paragraph(p, line);
            break;
        case B_TERMS:
            pdf_heading(p, "付款条件");
            snprintf(line, sizeof(line),
                     "账期 %d 天，请于 %s 前付款。对账单如有疑问，请联系您的客户经理。",
                     h->payment_days, h->due);
            pdf_paragraph(p, line);
            break;
        }
    }
    if (rc) {
        pdf_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int statement_pdf(struct db *db, int64_t id, char **data, size_t *len)
{
    struct head h;
    int rc = read_head(db, id, &h);
    struct pdf *p = NULL;
    if (rc || (rc = layout_doc(db, &h, 0, &p)))
        return rc;
    int pages = pdf_pages(p);
    pdf_free(p);
    if ((rc = layout_doc(db, &h, pages, &p)))
        return rc;
    return pdf_finish(p, data, len) ? DB_ERROR : 0;
}
