/*
 * customer_figures.c - the figures of a customer's profile strip: the
 * stored ones interaction.c keeps current (last visit, visits in 90 days,
 * spend in 12 months), the most used business types with their counts and
 * a twelve-month series of visits and spend.
 *
 * Scale: a customer has tens of records, so the counts and the series are
 * made from one range seek on interactions(customer_id, occurred_at) and
 * summed here, in the +08:00 months the UI shows (no dialect's date
 * functions, the same answer on SQLite and PostgreSQL).
 */
#include "crm/customer_value.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/validate.h"
#include "core/op.h"
#include "crm/customer.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

#define MONTHS   12
#define TOP      3
#define YEAR_AGO (365 * 86400) /* the window of spend_12m and top_types */

/* One business type of the window: how often, and when last. */
struct type_count {
    char type[33];
    int64_t count, last;
};

/* Count type at time t into types (n used of cap); a type beyond cap is
 * dropped (the dictionary has far fewer). */
static void count_type(struct type_count *types, size_t *n, size_t cap, const char *type, int64_t t)
{
    size_t i = 0;
    while (i < *n && strcmp(types[i].type, type) != 0)
        i++;
    if (i == *n) {
        if (*n == cap)
            return;
        snprintf(types[i].type, sizeof(types[i].type), "%s", type);
        types[i].count = 0;
        types[i].last = t;
        (*n)++;
    }
    types[i].count++;
    if (t > types[i].last)
        types[i].last = t;
}

/* Most used first; of two used alike, the more recent (as top_types). */
static json_t *top_types(struct type_count *types, size_t n)
{
    json_t *out = json_array();
    for (int k = 0; k < TOP; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (types[i].count > 0 &&
                (best == n || types[i].count > types[best].count ||
                 (types[i].count == types[best].count && types[i].last > types[best].last)))
                best = i;
        if (best == n)
            break;
        json_array_append_new(out, json_pack("{s:s,s:I}", "type", types[best].type, "count",
                                             (json_int_t)types[best].count));
        types[best].count = 0;
    }
    return out;
}

static json_t *months_json(struct date first, const int64_t visits[MONTHS],
                           const int64_t fen[MONTHS])
{
    json_t *out = json_array();
    for (int i = 0; i < MONTHS; i++) {
        int m = first.month - 1 + i;
        char month[24], spend[32];
        snprintf(month, sizeof(month), "%04d-%02d", first.year + m / 12, m % 12 + 1);
        money_format(fen[i], spend, sizeof(spend));
        json_array_append_new(out, json_pack("{s:s,s:I,s:s}", "month", month, "visits",
                                             (json_int_t)visits[i], "spend", spend));
    }
    return out;
}

int customer_figures(struct db *db, const struct actor *u, int64_t id, json_t **out)
{
    *out = NULL;
    json_t *cust = NULL;
    int found = id > 0 ? customer_find(db, u, id, false, &cust) : 0;
    if (found <= 0)
        return found < 0 ? found : OP_NOT_FOUND;
    int64_t now = clock_now();
    struct date today = date_of_time(now);
    int m0 = today.year * 12 + today.month - 1 - (MONTHS - 1); /* the first month's index */
    struct date first = {m0 / 12, m0 % 12 + 1, 1};
    int64_t series_from = date_start_time(first), year_from = now - YEAR_AGO;
    int64_t from = series_from < year_from ? series_from : year_from;
    struct db_stmt *st =
        db_query(db,
                 "SELECT occurred_at, amount_fen, type FROM interactions "
                 "WHERE customer_id = ? AND occurred_at >= ? AND deleted_at IS NULL",
                 DB_ARGS(DB_INT(id), DB_INT(from)));
    if (!st) {
        json_decref(cust);
        return DB_ERROR;
    }
    int64_t visits[MONTHS] = {0}, fen[MONTHS] = {0};
    struct type_count types[64];
    size_t ntypes = 0;
    int step;
    while ((step = db_step(st)) == 1) {
        int64_t t = db_col_int(st, 0), amount = db_col_is_null(st, 1) ? 0 : db_col_int(st, 1);
        struct date d = date_of_time(t);
        int i = d.year * 12 + d.month - 1 - m0;
        if (i >= 0 && i < MONTHS) {
            visits[i]++;
            fen[i] += amount;
        }
        if (t >= year_from)
            count_type(types, &ntypes, sizeof(types) / sizeof(types[0]), db_col_text(st, 2), t);
    }
    db_finish(st);
    if (step < 0) {
        json_decref(cust);
        return step;
    }
    *out =
        json_pack("{s:O,s:O,s:O,s:o,s:o}", "last_visit_at", json_object_get(cust, "last_visit_at"),
                  "visits_90d", json_object_get(cust, "visits_90d"), "spend_12m",
                  json_object_get(cust, "spend_12m"), "top_types", top_types(types, ntypes),
                  "months", months_json(first, visits, fen));
    json_decref(cust);
    return 0;
}
