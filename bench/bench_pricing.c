/*
 * bench_pricing.c - the pricing engine in bulk, as a statement run will
 * use it (bench/pricing.sh): the price book of the month loaded once,
 * then per enterprise its contract rules loaded once and its month's
 * waybills streamed from the database and priced one by one (a pure
 * function each), the totals summed. Linked with the release objects.
 *
 *   bench_pricing load DB WAYBILLS MONTH_START SEED
 *       contract rules for every enterprise of DB (a discount, a tier, a
 *       fixed zone price, a waiver, in turn) and WAYBILLS waybills spread
 *       over them, collected in the 30 days from MONTH_START (Unix time),
 *       written straight into SQLite in one transaction; the rollups summed.
 *   bench_pricing run DB MONTH_START MONTH_END
 *       price every waybill of the month, enterprise by enterprise;
 *       prints waybills, seconds, waybills/s, RSS before and after (kB),
 *       the seconds spent in the engine alone, the grand total in fen and
 *       how many could not be priced.
 */
#include "bench_util.h"
#include "billing/billing.h"
#include "db/db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const products[] = {"standard", "standard", "economy",
                                       "heavy",    "cold_chain", "medical"};
static const char *const places[] = {"北京市/北京市/朝阳区",   "上海市/上海市/浦东新区",
                                     "广东省/广州市/天河区",   "广东省/深圳市/福田区",
                                     "浙江省/杭州市/西湖区",   "江苏省/南京市/鼓楼区",
                                     "四川省/成都市/武侯区",   "湖北省/武汉市/江汉区",
                                     "新疆维吾尔自治区/乌鲁木齐市/天山区", "福建省/厦门市/思明区"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t seed;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

static void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_pricing: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void exec(sqlite3 *db, const char *sql)
{
    check(sqlite3_exec(db, sql, NULL, NULL, NULL), db, sql);
}

static int load(const char *path, long n, long long start)
{
    sqlite3 *db;
    check(sqlite3_open(path, &db), db, "open");
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, "PRAGMA synchronous = OFF");
    exec(db, "BEGIN");
    sqlite3_stmt *st;
    check(sqlite3_prepare_v2(db, "SELECT id FROM enterprises ORDER BY id", -1, &st, NULL), db,
          "enterprises");
    long cap = 0, ne = 0;
    long long *ents = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ne == cap) {
            cap = cap ? cap * 2 : 1024;
            ents = realloc(ents, (size_t)cap * sizeof(*ents));
        }
        ents[ne++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!ne) {
        fprintf(stderr, "bench_pricing: no enterprises\n");
        return 1;
    }
    exec(db, "DELETE FROM price_rules");
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO price_rules (enterprise_id, kind, product, zone, service, basis, "
              "threshold, percent_bp, fixed_mode, fixed_fen, valid_from, from_at, created_at, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2020-01-01', 1577808000, 0, 0)",
              -1, &st, NULL),
          db, "rules");
    static const struct {
        const char *kind, *product, *zone, *service, *basis, *mode;
        int threshold, pct, fen;
    } kinds[] = {
        {"discount", "standard", "", "", "", "", 0, 9200, 0},
        {"discount", "", "", "", "", "", 0, 8800, 0},
        {"tier", "", "", "", "pieces", "", 500, 9500, 0},
        {"fixed", "economy", "z1", "", "", "piece", 0, 10000, 600},
        {"waive", "", "", "insured", "", "", 0, 10000, 0},
    };
    for (long e = 0; e < ne; e++)
        for (unsigned k = 0; k < COUNT(kinds); k++) {
            if (k == 1 && e % 2 == 0)
                continue; /* half the enterprises: a discount on all products */
            sqlite3_bind_int64(st, 1, ents[e]);
            sqlite3_bind_text(st, 2, kinds[k].kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, kinds[k].product, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, kinds[k].zone, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, kinds[k].service, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, kinds[k].basis, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 7, kinds[k].threshold);
            sqlite3_bind_int(st, 8, kinds[k].pct);
            sqlite3_bind_text(st, 9, kinds[k].mode, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 10, kinds[k].fen);
            check(sqlite3_step(st), db, "rule");
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO waybills (waybill_no, enterprise_id, product, channel, origin, "
              "destination, dest_province, weight_g, volume_weight_g, declared_fen, cod_fen, "
              "fee_fen, collected_at, content_hash, created_at, updated_at) VALUES (?, ?, ?, "
              "'api', ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
              -1, &st, NULL),
          db, "waybills");
    for (long i = 0; i < n; i++) {
        char no[24], prov[48];
        snprintf(no, sizeof(no), "PB%011ld", i);
        const char *o = places[rnd(COUNT(places) - 1)], *d = places[rnd(COUNT(places))];
        const char *slash = strchr(d, '/');
        snprintf(prov, sizeof(prov), "%.*s", (int)(slash - d), d);
        long long at = start + rnd(30 * 86400);
        sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, ents[rnd((unsigned)ne)]);
        sqlite3_bind_text(st, 3, products[rnd(COUNT(products))], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, o, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, d, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, prov, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 7, 100 + rnd(20000));
        if (rnd(4) == 0)
            sqlite3_bind_int64(st, 8, 500 + rnd(30000));
        else
            sqlite3_bind_null(st, 8);
        if (rnd(5) == 0)
            sqlite3_bind_int64(st, 9, 10000 + rnd(500000));
        else
            sqlite3_bind_null(st, 9);
        if (rnd(10) == 0)
            sqlite3_bind_int64(st, 10, 5000 + rnd(100000));
        else
            sqlite3_bind_null(st, 10);
        sqlite3_bind_int64(st, 11, 1000 + rnd(3000));
        sqlite3_bind_int64(st, 12, at);
        sqlite3_bind_int64(st, 13, at);
        sqlite3_bind_int64(st, 14, at);
        check(sqlite3_step(st), db, "waybill");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    exec(db, "DELETE FROM waybill_rollups");
    exec(db, "INSERT INTO waybill_rollups SELECT enterprise_id, (collected_at + 28800) / 86400, "
             "COALESCE(department_id, 0), product, dest_province, channel, COUNT(*), "
             "SUM(weight_g), SUM(fee_fen) FROM waybills GROUP BY 1, 2, 3, 4, 5, 6");
    exec(db, "COMMIT");
    sqlite3_close(db);
    free(ents);
    printf("loaded %ld waybills over %ld enterprises\n", n, ne);
    return 0;
}

static int run(const char *path, int64_t from, int64_t to)
{
    char url[512];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    if (db_global_init(url))
        return 1;
    struct db *db = db_get();
    long rss0 = rss_kb();
    double t0 = now_s();
    struct price_book book;
    if (price_book_load(db, from, to, &book))
        return 1;
    struct db_stmt *es = db_query(db, "SELECT id FROM enterprises ORDER BY id", DB_NOARGS);
    int64_t n = 0, failed = 0, grand = 0, nent = 0;
    double engine = 0; /* seconds inside pricing_price alone */
    int64_t *ents = NULL;
    while (es && db_step(es) == 1) {
        ents = realloc(ents, (size_t)(nent + 1) * sizeof(*ents));
        ents[nent++] = db_col_int(es, 0);
    }
    if (es)
        db_finish(es);
    for (int64_t e = 0; e < nent; e++) {
        struct price_rules rules;
        if (price_rules_load(db, ents[e], &rules))
            return 1;
        struct price_input in = {0};
        price_month_volume(db, ents[e], from, &in.month_pieces, &in.month_spend_fen);
        struct db_stmt *st = db_query(
            db,
            "SELECT COALESCE(department_id, 0), product, origin, destination, weight_g, "
            "COALESCE(volume_weight_g, 0), COALESCE(declared_fen, 0), COALESCE(cod_fen, 0), "
            "collected_at FROM waybills WHERE enterprise_id = ? AND collected_at >= ? AND "
            "collected_at < ?",
            DB_ARGS(DB_INT(ents[e]), DB_INT(from), DB_INT(to)));
        while (st && db_step(st) == 1) {
            char product[32], op[48], oc[48], dp[48], dc[48];
            in.department_id = db_col_int(st, 0);
            snprintf(product, sizeof(product), "%s", db_col_text(st, 1));
            pricing_split_region(db_col_text(st, 2), op, sizeof(op), oc, sizeof(oc));
            pricing_split_region(db_col_text(st, 3), dp, sizeof(dp), dc, sizeof(dc));
            in.product = product;
            in.origin_province = op;
            in.origin_city = oc;
            in.dest_province = dp;
            in.dest_city = dc;
            in.weight_g = db_col_int(st, 4);
            in.volume_g = db_col_int(st, 5);
            in.declared_fen = db_col_int(st, 6);
            in.cod_fen = db_col_int(st, 7);
            in.at = db_col_int(st, 8);
            struct price_result res;
            double p0 = now_s();
            int err = pricing_price(&book, &rules, &in, &res);
            engine += now_s() - p0;
            if (err)
                failed++;
            else
                grand += res.total_fen;
            n++;
        }
        if (st)
            db_finish(st);
        price_rules_release(&rules);
    }
    price_book_release(&book);
    free(ents);
    double secs = now_s() - t0;
    long rss1 = rss_kb();
    printf("enterprises %lld\nwaybills %lld\nseconds %.2f\nper_second %.0f\nengine_seconds %.2f\n"
           "rss_before_kb %ld\nrss_after_kb %ld\ntotal_fen %lld\nunpriced %lld\n",
           (long long)nent, (long long)n, secs, secs > 0 ? (double)n / secs : 0.0, engine, rss0, rss1,
           (long long)grand, (long long)failed);
    db_global_shutdown();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "load") == 0) {
        seed = strtoull(argv[5], NULL, 10);
        return load(argv[2], strtol(argv[3], NULL, 10), strtoll(argv[4], NULL, 10));
    }
    if (argc == 5 && strcmp(argv[1], "run") == 0)
        return run(argv[2], strtoll(argv[3], NULL, 10), strtoll(argv[4], NULL, 10));
    fprintf(stderr, "usage: bench_pricing load DB WAYBILLS MONTH_START SEED | run DB FROM TO\n");
    return 2;
}
