/*
 * bench_statements.c - the monthly statement run and the statement PDF as
 * the server makes them (bench/statements.sh), linked with the release
 * objects. The waybills are loaded by bench_pricing load.
 *
 *   bench_statements run DB PERIOD
 *       statement_generate for every enterprise of DB for PERIOD
 *       ("YYYY-MM"), one after another as the scheduler's pass does;
 *       prints enterprises, statements, lines, seconds and RSS before and
 *       after (kB).
 *   bench_statements pdf DB LINES OUT
 *       a statement of LINES lines (copied from the run's) laid out as a
 *       PDF from the default print template, written to OUT; prints the
 *       seconds, the bytes and RSS before and after. Run twice in one
 *       process: the second is the figure (fonts loaded by the first).
 */
#include "bench_util.h"
#include "billing/billing.h"
#include "db/db.h"

#include <inttypes.h>

static int open_db(const char *path)
{
    char url[512];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    return db_global_init(url);
}

static int run(const char *path, const char *period)
{
    if (open_db(path))
        return 1;
    struct db *db = db_get();
    long rss0 = rss_kb();
    double t0 = now_s(), c0 = cpu_s();
    struct db_stmt *es = db_query(db, "SELECT id FROM enterprises ORDER BY id", DB_NOARGS);
    int64_t *ents = NULL, nent = 0, made = 0;
    while (es && db_step(es) == 1) {
        ents = realloc(ents, (size_t)(nent + 1) * sizeof(*ents));
        ents[nent++] = db_col_int(es, 0);
    }
    db_finish(es);
    for (int64_t e = 0; e < nent; e++) {
        int64_t id = 0;
        int rc = statement_generate(db, &actor_system, ents[e], 0, period, false, &id);
        if (rc) {
            fprintf(stderr, "bench_statements: enterprise %" PRId64 ": %d\n", ents[e], rc);
            return 1;
        }
        made += id != 0;
    }
    double secs = now_s() - t0, cpu = cpu_s() - c0;
    long rss1 = rss_kb();
    int64_t lines = 0;
    db_query_int(db, "SELECT COUNT(*) FROM statement_lines", DB_NOARGS, &lines);
    printf("enterprises %" PRId64 "\nstatements %" PRId64 "\nlines %" PRId64
           "\nseconds %.2f\ncpu_seconds %.2f\nrss_before_kb %ld\nrss_after_kb %ld\n",
           nent, made, lines, secs, cpu, rss0, rss1);
    free(ents);
    db_global_shutdown();
    return 0;
}

static int pdf(const char *path, long lines, const char *out)
{
    if (open_db(path))
        return 1;
    struct db *db = db_get();
    /* a statement of the first enterprise holding the first LINES lines
     * of the run (their waybill numbers are unique) */
    int64_t sid = 0;
    int rc = db_exec(db,
                     "INSERT INTO statements (enterprise_id, dept_key, period, version, from_at, "
                     "to_at, due_on, created_at, updated_at) SELECT enterprise_id, 0, period, "
                     "1000 + (SELECT COUNT(*) FROM statements), from_at, to_at, due_on, 0, 0 "
                     "FROM statements ORDER BY id LIMIT 1",
                     DB_NOARGS);
    if (!rc)
        rc = db_query_int(db, "SELECT MAX(id) FROM statements", DB_NOARGS, &sid) == 1 ? 0 : -1;
    if (!rc)
        rc = db_exec(db,
                     "INSERT INTO statement_lines SELECT ?, waybill_no, department_id, product, "
                     "collected_at, destination, weight_g, amount_fen, why FROM statement_lines "
                     "WHERE statement_id < ? ORDER BY statement_id, waybill_no LIMIT ?",
                     DB_ARGS(DB_INT(sid), DB_INT(sid), DB_INT(lines)));
    if (!rc)
        rc = db_exec(db,
                     "UPDATE statements SET waybill_count = (SELECT COUNT(*) FROM statement_lines "
                     "WHERE statement_id = ?), total_fen = (SELECT SUM(amount_fen) FROM "
                     "statement_lines WHERE statement_id = ?) WHERE id = ?",
                     DB_ARGS(DB_INT(sid), DB_INT(sid), DB_INT(sid)));
    if (rc) {
        fprintf(stderr, "bench_statements: cannot make the statement: %d\n", rc);
        return 1;
    }
    char *data = NULL;
    size_t len = 0;
    double secs[2], cpu[2];
    long rss[3];
    rss[0] = rss_kb();
    for (int i = 0; i < 2; i++) {
        free(data);
        double t0 = now_s(), c0 = cpu_s();
        if (statement_pdf(db, sid, &data, &len)) {
            fprintf(stderr, "bench_statements: no PDF\n");
            return 1;
        }
        secs[i] = now_s() - t0;
        cpu[i] = cpu_s() - c0;
        rss[i + 1] = rss_kb();
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "bench_statements: cannot write %s\n", out);
        return 1;
    }
    printf("lines %ld\nfirst_seconds %.2f\nseconds %.2f\ncpu_seconds %.2f\nbytes %zu\n"
           "rss_before_kb %ld\nrss_after_first_kb %ld\nrss_after_kb %ld\n",
           lines, secs[0], secs[1], cpu[1], len, rss[0], rss[1], rss[2]);
    free(data);
    db_global_shutdown();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "run") == 0)
        return run(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "pdf") == 0)
        return pdf(argv[2], strtol(argv[3], NULL, 10), argv[4]);
    fprintf(stderr, "usage: bench_statements run DB PERIOD | pdf DB LINES OUT\n");
    return 2;
}
