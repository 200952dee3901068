/*
 * gen_waybills.c - bulk data for the waybill bench (bench/waybills.sh):
 * waybills and their tracking events written straight into a Hongyan
 * SQLite database whose schema the server made, fast, in one transaction,
 * secondary indexes dropped and rebuilt at the end, the rollups summed by
 * one GROUP BY (the server keeps them per ingest; a bulk load may build
 * them once).
 *
 *   gen_waybills load DB WAYBILLS EVENTS_PER TRANSIT EXPIRED SEED
 *       WAYBILLS numbers XB00000000.. (S10 check digits), of the
 *       enterprises in DB, collected over the last 365 days; all but
 *       TRANSIT of them signed with EVENTS_PER events; the last TRANSIT in
 *       transit with two events and a stop clock, EXPIRED of those past it.
 *   gen_waybills events FIRST COUNT NOW > events.ndjson
 *       one new event ("departed" a transit hub at NOW) for each of the
 *       waybills FIRST .. FIRST+COUNT-1 (those of the in-transit tail), as
 *       a feed would post them.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const products[] = {"standard", "standard", "economy", "heavy", "cold_chain", "medical"};
static const int minutes[] = {720, 720, 1440, 1440, 240, 240};
static const char *const provinces[] = {"北京市", "上海市", "广东省", "浙江省", "江苏省", "四川省",
                                        "湖北省", "山东省", "福建省", "河南省", "陕西省", "湖南省"};
static const char *const channels[] = {"api", "api", "pc", "miniapp", "counter"};
static const char *const types[] = {"collected", "arrived", "departed", "arrived", "delivering", "signed"};
static const char *const node_types[] = {"outlet", "processing", "processing", "transit", "delivery", "delivery"};

static uint64_t seed;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

static void number(long i, char out[14])
{
    static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
    char d[16];
    snprintf(d, sizeof(d), "%08ld", i % 100000000);
    int sum = 0;
    for (int k = 0; k < 8; k++)
        sum += (d[k] - '0') * w[k];
    int c = 11 - sum % 11;
    c = c == 10 ? 0 : c == 11 ? 5 : c;
    /* X…: apart from the simulator's E… numbers in the same database. */
    snprintf(out, 14, "X%c%.8s%dCN", 'B' + (int)(i / 100000000 % 24), d, c % 10);
}

static void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "gen_waybills: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void exec(sqlite3 *db, const char *sql)
{
    check(sqlite3_exec(db, sql, NULL, NULL, NULL), db, sql);
}

static const char *const indexes[] = {
    "CREATE INDEX waybills_enterprise ON waybills(enterprise_id, collected_at)",
    "CREATE INDEX waybills_collected ON waybills(collected_at)",
    "CREATE INDEX waybills_due ON waybills(due_at) WHERE due_at IS NOT NULL",
    "CREATE INDEX waybills_recipient_phone ON waybills(recipient_phone) WHERE recipient_phone "
    "IS NOT NULL",
};

static int load(const char *path, long n, int per, long transit, long expired)
{
    sqlite3 *db;
    check(sqlite3_open(path, &db), db, "open");
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000");
    int64_t ents[4096];
    int nents = 0;
    sqlite3_stmt *st;
    check(sqlite3_prepare_v2(db, "SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY id",
                             -1, &st, NULL),
          db, "enterprises");
    while (sqlite3_step(st) == SQLITE_ROW && nents < 4096)
        ents[nents++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!nents) {
        fprintf(stderr, "gen_waybills: no enterprises\n");
        return 1;
    }
    int64_t base = 0;
    check(sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(id), 0) FROM waybills", -1, &st, NULL), db,
          "max");
    if (sqlite3_step(st) == SQLITE_ROW)
        base = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    exec(db, "BEGIN");
    for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
        char drop[128];
        snprintf(drop, sizeof(drop), "DROP INDEX IF EXISTS %.*s", (int)strcspn(indexes[i] + 13, " "),
                 indexes[i] + 13);
        exec(db, drop);
    }
    sqlite3_stmt *w, *e;
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO waybills (id, waybill_no, enterprise_id, product, channel, origin, "
              "destination, dest_province, weight_g, fee_fen, collected_at, promised_at, status, "
              "signed_at, recipient_name, recipient_phone, recipient_address, last_event_at, "
              "last_event_type, last_node_code, last_node_name, last_node_type, stop_seq, "
              "stop_due_at, due_at, content_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
              "'广东省/广州市/天河区', ?, ?, ?, ?, ?, ?, ?, ?, '收件人', ?, '某地某路 1 号', ?, ?, ?, "
              "?, ?, ?, ?, ?, 'bulk', ?, ?)",
              -1, &w, NULL),
          db, "prepare waybills");
    check(sqlite3_prepare_v2(db,
                             "INSERT INTO waybill_events (waybill_id, at, node_code, event_type, "
                             "node_name, node_type, description) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                             -1, &e, NULL),
          db, "prepare events");
    int64_t now = time(NULL);
    long events = 0;
    for (long i = 0; i < n; i++) {
        int64_t id = base + i + 1;
        char no[14], dest[64], phone[16], node[16], name[32];
        number(i, no);
        unsigned p = rnd(6), pv = rnd(12);
        bool in_transit = i >= n - transit;
        int64_t collected = in_transit ? now - 3600 - rnd(20 * 3600) : now - 86400 - rnd(364 * 86400);
        int k = in_transit ? 2 : per;
        int64_t last = collected, stop_due = 0;
        snprintf(dest, sizeof(dest), "%s/某市/某区", provinces[pv]);
        snprintf(phone, sizeof(phone), "13%09u", rnd(1000000000));
        sqlite3_reset(w);
        sqlite3_bind_int64(w, 1, id);
        sqlite3_bind_text(w, 2, no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(w, 3, ents[rnd((unsigned)nents)]);
        sqlite3_bind_text(w, 4, products[p], -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 5, channels[rnd(5)], -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 6, dest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(w, 7, provinces[pv], -1, SQLITE_STATIC);
        sqlite3_bind_int64(w, 8, 200 + rnd(5000));
        sqlite3_bind_int64(w, 9, 800 + rnd(3000));
        sqlite3_bind_int64(w, 10, collected);
        sqlite3_bind_int64(w, 11, collected + 72 * 3600);
        for (int j = 0; j < k; j++) {
            int s = in_transit ? j : (j * 5) / (per > 1 ? per - 1 : 1);
            last = collected + (int64_t)j * 4 * 3600;
            snprintf(node, sizeof(node), "N%02u-%d", pv, s);
            snprintf(name, sizeof(name), "节点%02u-%d", pv, s);
            sqlite3_reset(e);
            sqlite3_bind_int64(e, 1, id);
            sqlite3_bind_int64(e, 2, last);
            sqlite3_bind_text(e, 3, node, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(e, 4, types[s], -1, SQLITE_STATIC);
            sqlite3_bind_text(e, 5, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(e, 6, node_types[s], -1, SQLITE_STATIC);
            check(sqlite3_step(e), db, "event");
            events++;
        }
        if (in_transit) {
            /* The first EXPIRED of the tail stopped long enough ago. */
            last = i - (n - transit) < expired ? now - (int64_t)minutes[p] * 60 - 600 - rnd(3600)
                                              : now - rnd(600);
            stop_due = last + (int64_t)minutes[p] * 60;
        }
        sqlite3_bind_text(w, 12, in_transit ? "in_transit" : "signed", -1, SQLITE_STATIC);
        if (in_transit)
            sqlite3_bind_null(w, 13);
        else
            sqlite3_bind_int64(w, 13, last);
        sqlite3_bind_text(w, 14, phone, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(w, 15, last);
        sqlite3_bind_text(w, 16, in_transit ? "arrived" : "signed", -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 17, node, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(w, 18, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(w, 19, in_transit ? "processing" : "delivery", -1, SQLITE_STATIC);
        sqlite3_bind_int(w, 20, k);
        if (stop_due) {
            sqlite3_bind_int64(w, 21, stop_due);
            sqlite3_bind_int64(w, 22, stop_due);
        } else {
            sqlite3_bind_null(w, 21);
            sqlite3_bind_null(w, 22);
        }
        sqlite3_bind_int64(w, 23, now);
        sqlite3_bind_int64(w, 24, now);
        check(sqlite3_step(w), db, "waybill");
        if (i % 1000000 == 999999)
            fprintf(stderr, "gen_waybills: %ld waybills, %ld events\n", i + 1, events);
    }
    sqlite3_finalize(w);
    sqlite3_finalize(e);
    fprintf(stderr, "gen_waybills: indexes and rollups\n");
    for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
        exec(db, indexes[i]);
    exec(db, "DELETE FROM waybill_rollups");
    exec(db, "INSERT INTO waybill_rollups SELECT enterprise_id, (collected_at + 28800) / 86400, "
             "COALESCE(department_id, 0), product, dest_province, channel, COUNT(*), "
             "SUM(weight_g), SUM(fee_fen) FROM waybills GROUP BY 1, 2, 3, 4, 5, 6");
    /* The coarser rollups of migration 0030, from the detailed one. */
    exec(db, "DELETE FROM waybill_rollups_day");
    exec(db, "INSERT INTO waybill_rollups_day SELECT enterprise_id, day, SUM(pieces), "
             "SUM(weight_g), SUM(fee_fen) FROM waybill_rollups GROUP BY 1, 2");
    exec(db, "DELETE FROM waybill_rollups_month");
    static const char *const dims[][2] = {
        {"product", "product"}, {"province", "dest_province"}, {"channel", "channel"}};
    for (size_t i = 0; i < 3; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO waybill_rollups_month SELECT enterprise_id, CAST(strftime('%%s', "
                 "date(day * 86400, 'unixepoch', 'start of month')) AS INTEGER) / 86400, '%s', "
                 "%s, SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups "
                 "GROUP BY 1, 2, 4",
                 dims[i][0], dims[i][1]);
        exec(db, sql);
    }
    exec(db, "COMMIT");
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    printf("%ld %ld\n", n, events);
    return 0;
}

static int events(long first, long count, int64_t now)
{
    char no[14], when[40];
    time_t t = (time_t)now + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+08:00", &tm);
    for (long i = first; i < first + count; i++) {
        number(i, no);
        printf("{\"waybill_no\":\"%s\",\"at\":\"%s\",\"event_type\":\"departed\","
               "\"node_code\":\"T%05ld\",\"node_name\":\"转运中心\",\"node_type\":\"transit\"}\n",
               no, when, i % 97);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "load") == 0) {
        seed = strtoull(argv[7], NULL, 10);
        return load(argv[2], strtol(argv[3], NULL, 10), (int)strtol(argv[4], NULL, 10),
                    strtol(argv[5], NULL, 10), strtol(argv[6], NULL, 10));
    }
    if (argc == 5 && strcmp(argv[1], "events") == 0)
        return events(strtol(argv[2], NULL, 10), strtol(argv[3], NULL, 10),
                      strtoll(argv[4], NULL, 10));
    fprintf(stderr, "usage: gen_waybills load DB WAYBILLS EVENTS_PER TRANSIT EXPIRED SEED\n"
                    "       gen_waybills events FIRST COUNT NOW\n");
    return 2;
}
