/*
 * demo_rollups.c - a year of back-dated shipping figures for the demo
 * enterprises (see demo_rollups.h). They are written straight into the
 * rollups because the rollups are all that the dashboards and the 360
 * figures read; generating the waybills behind them (tens of thousands,
 * with events) would make `hongyan demo` slow for nothing anyone sees,
 * and the waybill search of the demo keeps the simulator's real ones.
 */
#include "app/demo_rollups.h"

#include "app/demo.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/xmalloc.h"
#include "db/db.h"

#include <stdint.h>
#include <stdlib.h>

static const struct {
    const char *code;
    int fee_fen; /* a piece's list price, about */
} products[] = {
    {"standard", 1200},   {"economy", 800},  {"heavy", 4500},
    {"cold_chain", 3500}, {"medical", 2800}, {"international", 12000},
};
static const char *const provinces[] = {"广东省", "北京市", "上海市", "浙江省", "江苏省", "四川省"};
static const char *const channels[] = {"api", "pc", "miniapp", "counter"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t seed = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    return demo_rnd(&seed, n);
}

/* One enterprise's days: volume a day, its main product, and when its
 * shipping stops (dormant) or halves (churn), as days back. */
static int ship(struct db *db, int64_t id, int64_t today, int days, int from_back)
{
    unsigned kind = rnd(20), volume = 1 + rnd(10), main = rnd(COUNT(products));
    int stop = kind < 3 ? 31 + (int)rnd(100) : 0; /* dormant: nothing since */
    int fall = kind >= 3 && kind < 6 ? 90 : 0;    /* churn: half of it lately */
    int rc = 0;
    for (int back = days; !rc && back >= from_back; back--) {
        if (back < stop || rnd(3) == 0)
            continue;
        int64_t day = today - back;
        /* a little growth over the year, less at weekends */
        unsigned n = volume * (unsigned)(2 * days - back) / (unsigned)days;
        n = 1 + rnd(n + 1) / (date_weekday(date_from_days(day)) > 5 ? 2 : 1);
        if (fall && back < fall)
            n = (n + 1) / 3;
        if (!n)
            continue;
        size_t p = rnd(4) ? main : rnd(COUNT(products));
        int64_t fee = (int64_t)n * products[p].fee_fen * (80 + (int)rnd(40)) / 100;
        rc = db_exec(db,
                     "INSERT INTO waybill_rollups (enterprise_id, day, department_id, product, "
                     "dest_province, channel, pieces, weight_g, fee_fen) VALUES (?, ?, 0, ?, ?, ?, "
                     "?, ?, ?) ON CONFLICT (enterprise_id, day, department_id, product, "
                     "dest_province, channel) DO UPDATE SET pieces = waybill_rollups.pieces + "
                     "excluded.pieces, weight_g = waybill_rollups.weight_g + excluded.weight_g, "
                     "fee_fen = waybill_rollups.fee_fen + excluded.fee_fen",
                     DB_ARGS(DB_INT(id), DB_INT(day), DB_TEXT(products[p].code),
                             DB_TEXT(provinces[rnd(COUNT(provinces))]),
                             DB_TEXT(channels[rnd(COUNT(channels))]), DB_INT(n),
                             DB_INT((int64_t)n * (500 + rnd(3000))), DB_INT(fee)));
    }
    return rc;
}

int demo_rollups(struct db *db, int days, int skip, int recent)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT id FROM enterprises WHERE deleted_at IS NULL AND "
                                  "status <> 'prospect' ORDER BY id",
                                  NULL, 0);
    if (!st)
        return DB_ERROR;
    size_t n = 0, cap = 64;
    int64_t *ids = xmalloc(cap * sizeof(*ids));
    int rc;
    while ((rc = db_step(st)) == 1) {
        if (n == cap)
            ids = xrealloc(ids, (cap *= 2) * sizeof(*ids));
        ids[n++] = db_col_int(st, 0);
    }
    db_finish(st);
    int64_t today = date_to_days(date_of_time(clock_now()));
    if (rc >= 0 && !(rc = db_begin(db))) {
        for (size_t i = 0; !rc && i < n; i++)
            rc = ship(db, ids[i], today, days, (int)i < skip ? recent + 1 : 1);
        rc = db_end(db, rc);
    }
    free(ids);
    return rc < 0 ? rc : 0;
}
