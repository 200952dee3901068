/*
 * statement_pdf.c - a statement version as a PDF (core/pdf.c), laid out
 * from a print template (print_template.c): its blocks in its order, the
 * waybill table with its columns over as many pages as it takes (the
 * header repeated, "第 N 页 / 共 M 页"), the total in figures and in 大写.
 * The template preview is the same layout of a sample statement drawn on
 * an image (pdf_opts.preview): one code path for both.
 *
 * What is laid out comes from a source: a stored statement (its lines
 * read a page of rows at a time by waybill number, so memory stays small
 * whatever the month holds) or the preview's sample. The document is laid
 * out twice: once to count the pages, once to write them with the count.
 */
#include "billing/billing.h"
#include "billing/print_template.h"
#include "billing/statement_doc.h"

#include "base/clock.h"
#include "base/validate.h"
#include "core/pdf.h"
#include "db/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sample the preview lays out: enough lines for a second page. */
#define SAMPLE_LINES 60

struct pics {
    char *logo, *seal;
    size_t logo_len, seal_len;
};

static void cell(enum pt_field f, const struct stmt_line *l, char *out, size_t n)
{
    switch (f) {
    case PF_NO:
        snprintf(out, n, "%s", l->no);
        break;
    case PF_DATE: {
        char iso[40];
        clock_format_iso(l->collected_at, iso, sizeof(iso));
        snprintf(out, n, "%.5s", iso + 5); /* MM-DD: the month is the period's */
        break;
    }
    case PF_DEPT:
        snprintf(out, n, "%s", l->dept);
        break;
    case PF_PRODUCT:
        snprintf(out, n, "%s", l->product);
        break;
    case PF_DEST: {
        /* province and city: the district would wrap the row */
        char prov[48], city[48];
        pricing_split_region(l->dest, prov, sizeof(prov), city, sizeof(city));
        snprintf(out, n, "%s%s", prov, strcmp(prov, city) == 0 ? "" : city);
        break;
    }
    case PF_WEIGHT: {
        char kg[32];
        pricing_kg_text(l->weight_g, kg);
        snprintf(out, n, "%s", kg);
        break;
    }
    case PF_AMOUNT:
        money_format(l->amount_fen, out, n);
        break;
    case PF_WHY:
        /* the zone: the first word of the stored explanation (the whole
         * one is in the API) */
        snprintf(out, n, "%s", l->zone);
        break;
    default:
        out[0] = 0;
        break;
    }
}

struct table {
    struct pdf *p;
    const struct print_template *t;
};

static int table_row(void *ctx, const struct stmt_line *l)
{
    struct table *tb = ctx;
    char text[PF_N][256];
    const char *cells[PF_N];
    for (int i = 0; i < tb->t->ncols; i++) {
        cell(tb->t->cols[i].field, l, text[i], sizeof(text[i]));
        cells[i] = text[i];
    }
    pdf_table_row(tb->p, cells);
    return 0;
}

static int lines_block(const struct stmt_source *src, struct pdf *p, const struct print_template *t)
{
    double widths[PF_N], sum = 0;
    const char *header[PF_N];
    for (int i = 0; i < t->ncols; i++)
        sum += t->cols[i].width;
    for (int i = 0; i < t->ncols; i++) {
        widths[i] = t->cols[i].width / sum;
        header[i] =
            t->cols[i].label[0] ? t->cols[i].label : pt_field_default_label(t->cols[i].field);
    }
    pdf_table_begin(p, t->ncols, widths, header);
    struct table tb = {p, t};
    int rc = src->lines(src, table_row, &tb);
    pdf_table_end(p);
    return rc;
}

static int group_row(void *ctx, const char *name, int64_t count, int64_t fen)
{
    char n[32], yuan[32];
    snprintf(n, sizeof(n), "%" PRId64, count);
    money_format(fen, yuan, sizeof(yuan));
    pdf_table_row(ctx, (const char *[]){name, n, yuan});
    return 0;
}

static int totals_block(const struct stmt_source *src, struct pdf *p, bool by_dept)
{
    static const double w[] = {0.4, 0.3, 0.3};
    pdf_table_begin(p, 3, w, (const char *[]){by_dept ? "部门" : "产品", "件数", "金额(元)"});
    int rc = src->groups(src, by_dept, group_row, p);
    pdf_table_end(p);
    return rc;
}

static int adjust_row(void *ctx, const char *kind, const char *reason, int64_t fen)
{
    char yuan[32];
    money_format(fen, yuan, sizeof(yuan));
    pdf_table_row(ctx, (const char *[]){kind, reason, yuan});
    return 0;
}

struct adjust_sum {
    int n;
    int64_t fen;
};

static int adjust_count(void *ctx, const char *kind, const char *reason, int64_t fen)
{
    (void)kind;
    (void)reason;
    struct adjust_sum *a = ctx;
    a->n++;
    a->fen += fen;
    return 0;
}

/* Before the total: when the statement has adjustments (claims, credits,
 * corrections), the waybills' sum and each adjustment with its reason, so
 * that the total below adds up on the page. */
static int adjustments_table(const struct stmt_source *src, struct pdf *p)
{
    struct adjust_sum a = {0};
    int rc = src->adjustments ? src->adjustments(src, adjust_count, &a) : 0;
    if (rc || !a.n)
        return rc;
    static const double w[] = {0.2, 0.55, 0.25};
    char yuan[32];
    money_format(src->head.total - a.fen, yuan, sizeof(yuan));
    pdf_table_begin(p, 3, w, (const char *[]){"项目", "说明", "金额(元)"});
    pdf_table_row(p, (const char *[]){"运费小计", "", yuan});
    rc = src->adjustments(src, adjust_row, p);
    pdf_table_end(p);
    return rc;
}

static const char *heading(const struct print_template *t, int b)
{
    return t->blocks[b].label[0] ? t->blocks[b].label : pt_block_default_label(t->blocks[b].key);
}

static void header_block(struct pdf *p, const struct print_template *t, const struct stmt_head *h,
                         const struct pics *pics)
{
    char info[PT_TEXT / 2];
    snprintf(info, sizeof(info), "%s", t->company_info);
    pdf_letterhead(p, pics->logo, pics->logo_len, t->company[0] ? t->company : h->branch, info);
}

static void bank_block(struct pdf *p, const struct print_template *t)
{
    char line[PT_TEXT];
    snprintf(line, sizeof(line), "开户行：%s", t->bank);
    pdf_paragraph(p, line);
    snprintf(line, sizeof(line), "账号：%s", t->account);
    pdf_paragraph(p, line);
    snprintf(line, sizeof(line), "户名：%s", t->holder);
    pdf_paragraph(p, line);
}

/* One block of the document. */
static int block(const struct stmt_source *src, struct pdf *p, const struct print_template *t,
                 int b, const struct pics *pics)
{
    const struct stmt_head *h = &src->head;
    char line[PT_TEXT + 200], fen[32], words[PRICING_WORDS_MAX];
    money_format(h->total, fen, sizeof(fen));
    enum pt_block key = t->blocks[b].key;
    if (key == PT_HEADER) {
        header_block(p, t, h, pics);
        return 0;
    }
    if (key == PT_SEAL) {
        pdf_image(p, pics->seal, pics->seal_len, 110, 110, 1);
        return 0;
    }
    /* bank details never set: no empty 开户行 / 账号 lines */
    if (key == PT_BANK && !t->bank[0] && !t->account[0] && !t->holder[0])
        return 0;
    if (key != PT_FOOTER)
        pdf_heading(p, heading(t, b));
    switch (key) {
    case PT_CUSTOMER:
        snprintf(line, sizeof(line), "客户：%s%s%s（客户编号 %s）", h->ent_name,
                 h->dept[0] ? " · " : "", h->dept, h->no);
        pdf_paragraph(p, line);
        if (h->address[0]) {
            snprintf(line, sizeof(line), "地区：%s", h->address);
            pdf_paragraph(p, line);
        }
        snprintf(line, sizeof(line), "出账单位：%s", h->branch);
        pdf_paragraph(p, line);
        return 0;
    case PT_SUMMARY:
        snprintf(line, sizeof(line), "账期：%s 月，运单 %" PRId64 " 件，应付金额 %s 元", h->period,
                 h->count, fen);
        pdf_paragraph(p, line);
        return 0;
    case PT_PRODUCTS:
    case PT_DEPARTMENTS:
        return totals_block(src, p, key == PT_DEPARTMENTS);
    case PT_LINES:
        return lines_block(src, p, t);
    case PT_TOTAL: {
        int rc = adjustments_table(src, p);
        if (rc)
            return rc;
        snprintf(line, sizeof(line), "合计金额：%s 元", fen);
        pdf_paragraph(p, line);
        pricing_amount_words(h->total, words, sizeof(words));
        snprintf(line, sizeof(line), "大写：%s", words);
        pdf_paragraph(p, line);
        return 0;
    }
    case PT_TERMS:
        if (t->terms[0])
            snprintf(line, sizeof(line), "%s", t->terms);
        else
            snprintf(line, sizeof(line),
                     "账期 %d 天，请于 %s 前付款。对账单如有疑问，请联系您的客户经理。",
                     h->payment_days, h->due);
        pdf_paragraph(p, line);
        return 0;
    case PT_BANK:
        bank_block(p, t);
        return 0;
    case PT_FOOTER:
        if (t->footer[0])
            pdf_note(p, t->footer);
        return 0;
    default:
        return 0;
    }
}

/* Lay the document out; total_pages 0 the first time (counting). */
static int layout_doc(const struct stmt_source *src, const struct print_template *t,
                      const struct pics *pics, bool preview, int total_pages, struct pdf **out)
{
    const struct stmt_head *h = &src->head;
    char title[160], footer[480];
    snprintf(title, sizeof(title), "对账单 %s（第 %" PRId64 " 版）", h->period, h->version);
    snprintf(footer, sizeof(footer), "%s · %s · 对账单 #%" PRId64, h->branch, h->ent_name, h->id);
    struct pdf_opts o = {
        .a5 = t->a5, .landscape = t->landscape, .preview = preview, .measure = total_pages == 0};
    struct pdf *p = pdf_new_opts(title, footer, &o);
    pdf_set_total_pages(p, total_pages);
    int rc = 0;
    /* the letterhead, when shown first, goes above the title */
    int b = 0;
    if (t->blocks[0].key == PT_HEADER && t->blocks[0].visible)
        rc = block(src, p, t, b++, pics);
    pdf_title(p, title);
    for (; !rc && b < PT_NBLOCKS; b++)
        if (t->blocks[b].visible)
            rc = block(src, p, t, b, pics);
    if (rc) {
        pdf_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

static int render(const struct stmt_source *src, const struct print_template *t, bool preview,
                  char **data, size_t *len, int *pages)
{
    struct pics pics = {0};
    print_template_image_read(t, false, &pics.logo, &pics.logo_len);
    print_template_image_read(t, true, &pics.seal, &pics.seal_len);
    struct pdf *p = NULL;
    int rc = layout_doc(src, t, &pics, preview, 0, &p);
    if (!rc) {
        *pages = pdf_pages(p);
        pdf_free(p);
        rc = layout_doc(src, t, &pics, preview, *pages, &p);
    }
    if (!rc)
        rc = pdf_finish(p, data, len) ? DB_ERROR : 0;
    free(pics.logo);
    free(pics.seal);
    return rc;
}

int statement_pdf(struct db *db, int64_t id, char **data, size_t *len)
{
    struct stmt_source src;
    int rc = stmt_source_open(db, id, &src);
    if (rc)
        return rc;
    struct print_template *t = malloc(sizeof(*t));
    int pages = 0;
    if (!t)
        return DB_ERROR;
    if (!(rc = print_template_for(db, src.head.ent, t)))
        rc = render(&src, t, false, data, len, &pages);
    free(t);
    return rc;
}

/* ---- the preview's sample statement ---- */

static const char *const sample_products[] = {"标准快递", "特快专递", "快递包裹"};
static const char *const sample_depts[] = {"华东事业部", "华南事业部"};
static const char *const sample_dests[] = {"上海市", "广东省广州市", "四川省成都市", "北京市"};

static void sample_line(int i, struct stmt_line *l)
{
    snprintf(l->no, sizeof(l->no), "KY%011d", 40000000 + i * 37);
    l->collected_at = 1793462400 + (int64_t)i * 40000; /* 2026-11 */
    snprintf(l->dept, sizeof(l->dept), "%s", sample_depts[i % 2]);
    snprintf(l->product, sizeof(l->product), "%s", sample_products[i % 3]);
    snprintf(l->dest, sizeof(l->dest), "%s", sample_dests[i % 4]);
    l->weight_g = 500 + (i * 731) % 9000;
    l->amount_fen = 1200 + (i * 379) % 4000;
    snprintf(l->zone, sizeof(l->zone), "%s", i % 4 ? "z2" : "local");
}

static int sample_lines(const struct stmt_source *src, stmt_line_fn fn, void *ctx)
{
    (void)src;
    struct stmt_line l;
    for (int i = 0; i < SAMPLE_LINES; i++) {
        sample_line(i, &l);
        fn(ctx, &l);
    }
    return 0;
}

static int sample_groups(const struct stmt_source *src, bool by_dept, stmt_group_fn fn, void *ctx)
{
    (void)src;
    int n = by_dept ? 2 : 3;
    for (int g = 0; g < n; g++) {
        int64_t count = 0, fen = 0;
        struct stmt_line l;
        for (int i = 0; i < SAMPLE_LINES; i++)
            if (i % n == g) {
                sample_line(i, &l);
                count++;
                fen += l.amount_fen;
            }
        fn(ctx, by_dept ? sample_depts[g] : sample_products[g], count, fen);
    }
    return 0;
}

int print_template_preview(const struct print_template *t, char **png, size_t *len, int *pages)
{
    struct stmt_source src = {.lines = sample_lines, .groups = sample_groups};
    struct stmt_head *h = &src.head;
    h->id = 1;
    h->version = 1;
    h->count = SAMPLE_LINES;
    struct stmt_line l;
    for (int i = 0; i < SAMPLE_LINES; i++) {
        sample_line(i, &l);
        h->total += l.amount_fen;
    }
    h->payment_days = 30;
    snprintf(h->period, sizeof(h->period), "2026-11");
    snprintf(h->due, sizeof(h->due), "2026-12-31");
    snprintf(h->ent_name, sizeof(h->ent_name), "%s",
             t->enterprise_id ? t->enterprise_name : "示例企业有限公司");
    snprintf(h->branch, sizeof(h->branch), "鸿雁邮政 市分公司");
    snprintf(h->address, sizeof(h->address), "上海市浦东新区");
    snprintf(h->no, sizeof(h->no), "E000001");
    return render(&src, t, true, png, len, pages) ? -1 : 0;
}
