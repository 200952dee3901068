/*
 * statement_doc.h - what a statement document shows, read once for the
 * PDF (statement_pdf.c) and the XLSX (statement_xlsx.c): the head and a
 * source of its lines and totals. A stored statement's source reads the
 * lines a page at a time; the print template preview's is a sample.
 */
#ifndef HY_STATEMENT_DOC_H
#define HY_STATEMENT_DOC_H

#include <stdbool.h>
#include <stdint.h>

struct db;

struct stmt_head {
    int64_t id, ent, total, paid, count, version;
    char period[8], status[16], due[11], ent_name[200], dept[200], branch[200], address[300],
        no[40];
    int payment_days;
};

/* One waybill line; zone is the first word of the stored explanation,
 * why the whole of it. */
struct stmt_line {
    char no[40], dept[200], product[64], dest[200], zone[32], why[400];
    int64_t collected_at, weight_g, amount_fen;
};

typedef int (*stmt_line_fn)(void *ctx, const struct stmt_line *l);
typedef int (*stmt_group_fn)(void *ctx, const char *name, int64_t count, int64_t fen);
/* One adjustment (调整): its kind in words (理赔, 优惠/冲减, 手工更正), the
 * reason, the signed amount. */
typedef int (*stmt_adjust_fn)(void *ctx, const char *kind, const char *reason, int64_t fen);

struct stmt_source {
    struct stmt_head head;
    struct db *db;
    /* every line by waybill number; 0 or DB_* */
    int (*lines)(const struct stmt_source *s, stmt_line_fn fn, void *ctx);
    /* the totals by product (by_dept false) or by department */
    int (*groups)(const struct stmt_source *s, bool by_dept, stmt_group_fn fn, void *ctx);
    /* the adjustments in the order they were made (the total includes
     * them); NULL for a source without any. 0 or DB_* */
    int (*adjustments)(const struct stmt_source *s, stmt_adjust_fn fn, void *ctx);
};

/* The source of stored statement id: 0, OP_NOT_FOUND, or DB_*. */
int stmt_source_open(struct db *db, int64_t id, struct stmt_source *out);

#endif
