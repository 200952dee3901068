/*
 * price_load.c - the pricing engine's inputs read from the store: the
 * price list versions in force over a period (once per run) and an
 * enterprise's contract rules (once per enterprise), so that pricing a
 * month of waybills is a pure function per waybill (billing.h).
 */
#include "billing/billing.h"

#include "base/date.h"
#include "db/db.h"
#include "db/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int province_slot(struct price_list *l, const char *name)
{
    int i = price_list_province(l, name);
    if (i >= 0 || l->nprovinces >= PRICING_MAX_PROVINCES)
        return i;
    i = l->nprovinces++;
    snprintf(l->provinces[i], sizeof(l->provinces[i]), "%s", name);
    for (int k = 0; k < PRICING_MAX_PROVINCES; k++)
        l->zones[i][k] = l->zones[k][i] = -1;
    return i;
}

/* The parts of version l->id. */
static int load_parts(struct db *db, struct price_list *l)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT product, volume_divisor FROM price_list_products WHERE "
                                  "list_id = ? ORDER BY product",
                                  DB_ARGS(DB_INT(l->id)));
    int rc;
    while (st && (rc = db_step(st)) == 1 && l->nproducts < PRICING_MAX_PRODUCTS) {
        struct price_product *p = &l->products[l->nproducts++];
        snprintf(p->code, sizeof(p->code), "%s", db_col_text(st, 0));
        p->volume_divisor = db_col_int(st, 1);
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db,
                  "SELECT product, zone, first_g, first_fen, step_g, step_fen, min_fen FROM "
                  "price_list_rates WHERE list_id = ?",
                  DB_ARGS(DB_INT(l->id)));
    while (st && (rc = db_step(st)) == 1) {
        struct price_product *p = price_list_product(l, db_col_text(st, 0));
        int z = pricing_zone_index(db_col_text(st, 1));
        if (!p || z < 0)
            continue;
        p->rates[z] = (struct price_rate){db_col_int(st, 2), db_col_int(st, 3), db_col_int(st, 4),
                                          db_col_int(st, 5), db_col_int(st, 6), true};
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db, "SELECT origin, dest, zone FROM price_list_zones WHERE list_id = ?",
                  DB_ARGS(DB_INT(l->id)));
    while (st && (rc = db_step(st)) == 1) {
        int o = province_slot(l, db_col_text(st, 0)), d = province_slot(l, db_col_text(st, 1));
        if (o >= 0 && d >= 0)
            l->zones[o][d] = (signed char)pricing_zone_index(db_col_text(st, 2));
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db,
                  "SELECT province, city, fen FROM price_list_remote WHERE list_id = ? ORDER BY "
                  "province, city",
                  DB_ARGS(DB_INT(l->id)));
    while (st && (rc = db_step(st)) == 1 && l->nremote < PRICING_MAX_REMOTE) {
        struct price_remote *r = &l->remote[l->nremote++];
        snprintf(r->province, sizeof(r->province), "%s", db_col_text(st, 0));
        snprintf(r->city, sizeof(r->city), "%s", db_col_text(st, 1));
        r->fen = db_col_int(st, 2);
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    return 0;
}

int price_book_load(struct db *db, int64_t from_at, int64_t to_at, struct price_book *out)
{
    memset(out, 0, sizeof(*out));
    /* the version in force at from_at and those that start before to_at */
    struct db_stmt *st = db_query(
        db,
        "SELECT id, effective_at, effective_on, insured_rate_bp, insured_min_fen, cod_rate_bp, "
        "cod_min_fen FROM price_lists WHERE effective_at >= COALESCE((SELECT MAX(effective_at) "
        "FROM price_lists WHERE effective_at <= ?), 0) AND effective_at < ? ORDER BY "
        "effective_at",
        DB_ARGS(DB_INT(from_at), DB_INT(to_at)));
    if (!st)
        return DB_ERROR;
    int rc, cap = 0;
    while ((rc = db_step(st)) == 1) {
        if (out->nlists == cap) {
            cap = cap ? cap * 2 : 2;
            out->lists = realloc(out->lists, (size_t)cap * sizeof(*out->lists));
            if (!out->lists)
                abort();
        }
        struct price_list *l = &out->lists[out->nlists++];
        memset(l, 0, sizeof(*l));
        memset(l->zones, -1, sizeof(l->zones));
        l->id = db_col_int(st, 0);
        l->effective_at = db_col_int(st, 1);
        snprintf(l->effective_on, sizeof(l->effective_on), "%s", db_col_text(st, 2));
        l->insured_rate_bp = db_col_int(st, 3);
        l->insured_min_fen = db_col_int(st, 4);
        l->cod_rate_bp = db_col_int(st, 5);
        l->cod_min_fen = db_col_int(st, 6);
    }
    db_finish(st);
    for (int i = 0; rc == 0 && i < out->nlists; i++)
        rc = load_parts(db, &out->lists[i]);
    if (rc < 0)
        price_book_release(out);
    return rc < 0 ? rc : 0;
}

void price_book_release(struct price_book *b)
{
    free(b->lists);
    memset(b, 0, sizeof(*b));
}

void price_rule_from_row(struct db_stmt *st, int c, struct price_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int(st, c);
    const char *kind = db_col_text(st, c + 1);
    r->kind = strcmp(kind, "tier") == 0    ? RULE_TIER
              : strcmp(kind, "fixed") == 0 ? RULE_FIXED
              : strcmp(kind, "waive") == 0 ? RULE_WAIVE
                                           : RULE_DISCOUNT;
    r->department_id = db_col_is_null(st, c + 2) ? 0 : db_col_int(st, c + 2);
    snprintf(r->product, sizeof(r->product), "%s", db_col_text(st, c + 3));
    r->zone = pricing_zone_index(db_col_text(st, c + 4));
    const char *service = db_col_text(st, c + 5);
    r->service = strcmp(service, "insured") == 0 ? SERVICE_INSURED
                 : strcmp(service, "cod") == 0   ? SERVICE_COD
                                                 : 0;
    r->by_spend = strcmp(db_col_text(st, c + 6), "spend") == 0;
    r->threshold = db_col_int(st, c + 7);
    r->percent_bp = db_col_int(st, c + 8);
    r->per_piece = strcmp(db_col_text(st, c + 9), "piece") == 0;
    r->fixed_fen = db_col_int(st, c + 10);
    r->first_g = db_col_int(st, c + 11);
    r->first_fen = db_col_int(st, c + 12);
    r->step_g = db_col_int(st, c + 13);
    r->step_fen = db_col_int(st, c + 14);
    r->from_at = db_col_int(st, c + 15);
    r->to_at = db_col_is_null(st, c + 16) ? 0 : db_col_int(st, c + 16);
}

int price_rules_load(struct db *db, int64_t enterprise_id, struct price_rules *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = db_query(db,
                                  "SELECT " PRICE_RULE_ENGINE_COLUMNS
                                  " FROM price_rules WHERE enterprise_id = ? ORDER BY id",
                                  DB_ARGS(DB_INT(enterprise_id)));
    if (!st)
        return DB_ERROR;
    int rc, cap = 0;
    while ((rc = db_step(st)) == 1) {
        if (out->nrules == cap) {
            cap = cap ? cap * 2 : 8;
            out->rules = realloc(out->rules, (size_t)cap * sizeof(*out->rules));
            if (!out->rules)
                abort();
        }
        price_rule_from_row(st, 0, &out->rules[out->nrules++]);
    }
    db_finish(st);
    if (rc < 0)
        price_rules_release(out);
    return rc < 0 ? rc : 0;
}

void price_rules_release(struct price_rules *r)
{
    free(r->rules);
    memset(r, 0, sizeof(*r));
}

int price_month_volume(struct db *db, int64_t enterprise_id, int64_t at, int64_t *pieces,
                       int64_t *spend_fen)
{
    struct date d = date_of_time(at);
    struct date first = {d.year, d.month, 1};
    struct date last = {d.year, d.month, date_days_in_month(d.year, d.month)};
    struct db_stmt *st = NULL;
    int rc = db_query_row(
        db, &st,
        "SELECT COALESCE(SUM(pieces), 0), COALESCE(SUM(fee_fen), 0) FROM "
        "waybill_rollups WHERE enterprise_id = ? AND day BETWEEN ? AND ?",
        DB_ARGS(DB_INT(enterprise_id), DB_INT(date_to_days(first)), DB_INT(date_to_days(last))));
    *pieces = *spend_fen = 0;
    if (rc == 1) {
        *pieces = db_col_int(st, 0);
        *spend_fen = db_col_int(st, 1);
        db_finish(st);
    }
    return rc < 0 ? rc : 0;
}
