/*
 * reseal.c - see reseal.h.
 */
#include "core/reseal.h"

#include "base/xmalloc.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sealed_row {
    int64_t id;
    char *clear; /* NULL: it opened under neither key */
};

int reseal_column(struct db *db, const char *table, const char *column, const struct datakey *from,
                  const struct datakey *to, int64_t *done)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT id, %s FROM %s WHERE %s IS NOT NULL ORDER BY id", column,
             table, column);
    struct db_stmt *st = db_query(db, sql, DB_NOARGS);
    if (!st)
        return DB_ERROR;
    struct sealed_row *rows = NULL;
    size_t n = 0, cap = 0;
    char id[DATAKEY_ID_LEN + 1];
    int rc;
    while ((rc = db_step(st)) == 1) {
        /* Already under the new key (a second run): nothing to do. */
        if (datakey_sealed_id(db_col_text(st, 1), id) && strcmp(id, to->id) == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        rows[n].id = db_col_int(st, 0);
        rows[n].clear = datakey_open(from, db_col_text(st, 1));
        n++;
    }
    db_finish(st);
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE id = ?", table, column);
    for (size_t i = 0; i < n; i++) {
        if (!rc && !rows[i].clear)
            rc = DB_ERROR; /* sealed under neither key */
        if (!rc) {
            char *sealed = datakey_seal(to, rows[i].clear);
            rc = db_exec(db, sql, DB_ARGS(DB_TEXT(sealed), DB_INT(rows[i].id)));
            free(sealed);
        }
        if (rows[i].clear)
            sodium_memzero(rows[i].clear, strlen(rows[i].clear));
        free(rows[i].clear);
    }
    free(rows);
    if (!rc)
        *done = (int64_t)n;
    return rc;
}
