/*
 * fuzz_filter.c - libFuzzer target for the filter compiler
 * (src/record/filter.c): JSON text, as GET /customers?filter= and the bodies of
 * segments, exports and bulk tagging carry it, compiled for the customer
 * entity.
 *
 * Beyond "no crash, no leak, no undefined behaviour", a filter that compiles
 * must be SQL the database runs, with exactly as many '?' as bound values;
 * a filter that does not must name its error.
 */
#include "crm/customer.h"
#include "record/entity.h"
#include "record/filter.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "fuzz_db.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_db_open();
    return 0;
}

/* '?' placeholders outside quoted SQL literals. */
static int placeholders(const char *sql)
{
    int n = 0;
    bool quoted = false;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        else if (*p == '?' && !quoted)
            n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *tree = json_loadb((const char *)data, size, 0, NULL);
    if (!tree)
        return 0;
    struct sqlbuf b;
    struct filter_error err;
    sqlbuf_init(&b);
    int rc = filter_compile(db_get(), &entity_customer, tree, &b, &err);
    if (rc == 0) {
        if (placeholders(b.sql) != b.nargs) {
            fprintf(stderr, "%d placeholders, %d values: %s\n", placeholders(b.sql), b.nargs,
                    b.sql);
            abort();
        }
        struct sqlbuf q;
        sqlbuf_init(&q);
        sqlbuf_add(&q, "SELECT COUNT(*) FROM customers c WHERE ");
        sqlbuf_append(&q, &b);
        int64_t n;
        if (db_query_int(db_get(), q.sql, q.args, q.nargs, &n) != 1) {
            fprintf(stderr, "the database refused a compiled filter: %s\n", q.sql);
            abort();
        }
        sqlbuf_release(&q);
    } else if (rc == -1) {
        if (!err.key) {
            fprintf(stderr, "a refused filter without an error key\n");
            abort();
        }
    } else {
        fprintf(stderr, "filter_compile answered %d (a database failure)\n", rc);
        abort();
    }
    sqlbuf_release(&b);
    json_decref(tree);
    return 0;
}
