/*
 * statement_doc.c - a stored statement as a document source (see
 * statement_doc.h).
 */
#include "billing/statement_doc.h"

#include "billing/billing.h"
#include "core/op.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

/* Lines read a page at a time: memory stays small whatever the month. */
#define LINES_PAGE 1000

static int read_head(struct db *db, int64_t id, struct stmt_head *h)
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
        return rc ? rc : OP_NOT_FOUND;
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

static int db_lines(const struct stmt_source *s, stmt_line_fn fn, void *ctx)
{
    char after[40] = "";
    struct stmt_line l;
    for (;;) {
        struct db_stmt *st =
            db_query(s->db,
                     "SELECT l.waybill_no, l.collected_at, COALESCE(d.name, ''), l.product, "
                     "l.destination, l.weight_g, l.amount_fen, l.why FROM statement_lines l LEFT "
                     "JOIN enterprise_departments d ON d.id = l.department_id WHERE "
                     "l.statement_id = ? AND l.waybill_no > ? ORDER BY l.waybill_no LIMIT 1000",
                     DB_ARGS(DB_INT(s->head.id), DB_TEXT(after)));
        if (!st)
            return DB_ERROR;
        int n = 0, rc;
        while ((rc = db_step(st)) == 1) {
            snprintf(l.no, sizeof(l.no), "%s", db_col_text(st, 0));
            l.collected_at = db_col_int(st, 1);
            snprintf(l.dept, sizeof(l.dept), "%s", db_col_text(st, 2));
            snprintf(l.product, sizeof(l.product), "%s", db_col_text(st, 3));
            snprintf(l.dest, sizeof(l.dest), "%s", db_col_text(st, 4));
            l.weight_g = db_col_int(st, 5);
            l.amount_fen = db_col_int(st, 6);
            snprintf(l.why, sizeof(l.why), "%s", db_col_text(st, 7));
            const char *sp = strchr(l.why, ' ');
            snprintf(l.zone, sizeof(l.zone), "%.*s", sp ? (int)(sp - l.why) : (int)strlen(l.why),
                     l.why);
            snprintf(after, sizeof(after), "%s", l.no);
            if ((rc = fn(ctx, &l)))
                break;
            n++;
        }
        db_finish(st);
        if (rc < 0)
            return rc;
        if (rc > 0)
            return DB_ERROR;
        if (n < LINES_PAGE)
            return 0;
    }
}

static int db_groups(const struct stmt_source *s, bool by_dept, stmt_group_fn fn, void *ctx)
{
    struct db_stmt *st =
        db_query(s->db,
                 by_dept ? "SELECT COALESCE(d.name, ''), COUNT(*), SUM(l.amount_fen) FROM "
                           "statement_lines l LEFT JOIN enterprise_departments d ON d.id = "
                           "l.department_id WHERE l.statement_id = ? GROUP BY d.name ORDER BY "
                           "d.name"
                         : "SELECT product, COUNT(*), SUM(amount_fen) FROM statement_lines "
                           "WHERE statement_id = ? GROUP BY product ORDER BY product",
                 DB_ARGS(DB_INT(s->head.id)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1)
        fn(ctx, db_col_text(st, 0)[0] ? db_col_text(st, 0) : "未分部门", db_col_int(st, 1),
           db_col_int(st, 2));
    db_finish(st);
    return rc < 0 ? rc : 0;
}

static int db_adjustments(const struct stmt_source *s, stmt_adjust_fn fn, void *ctx)
{
    struct db_stmt *st = db_query(s->db,
                                  "SELECT kind, reason, amount_fen FROM statement_adjustments "
                                  "WHERE statement_id = ? ORDER BY id",
                                  DB_ARGS(DB_INT(s->head.id)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        const char *k = db_col_text(st, 0);
        fn(ctx,
           strcmp(k, "claim") == 0    ? "理赔"
           : strcmp(k, "credit") == 0 ? "优惠/冲减"
                                      : "手工更正",
           db_col_text(st, 1), db_col_int(st, 2));
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

int stmt_source_open(struct db *db, int64_t id, struct stmt_source *out)
{
    memset(out, 0, sizeof(*out));
    out->db = db;
    out->lines = db_lines;
    out->groups = db_groups;
    out->adjustments = db_adjustments;
    return read_head(db, id, &out->head);
}
