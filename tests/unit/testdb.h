/*
 * testdb.h - a throw-away SQLite database for the unit tests that need one:
 * every migration applied, and optionally the branch most of them use
 * (id 1, code B1, path /1/). Include once per test program.
 */
#ifndef HY_TESTDB_H
#define HY_TESTDB_H

#include "base/datakey.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* dir: a mkdtemp template, filled in; file: the database's name in it. */
static inline int testdb_open(char *dir, const char *file, bool with_branch)
{
    if (!mkdtemp(dir))
        return -1;
    char url[300];
    snprintf(url, sizeof(url), "sqlite:%s/%s", dir, file);
    if (db_global_init(url))
        return -1;
    /* ID numbers are sealed with the process's data key: a fixed one. */
    unsigned char raw[DATAKEY_BYTES];
    struct datakey k;
    if (datakey_parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", raw))
        return -1;
    datakey_init(&k, raw);
    datakey_use(&k);
    if (!with_branch)
        return 0;
    return db_exec(db_get(),
                   "INSERT INTO branches (id, code, name, level, path, created_at, updated_at) "
                   "VALUES (1, 'B1', '测试网点', 'branch', '/1/', 0, 0)",
                   DB_NOARGS);
}

static inline int testdb_close(const char *dir)
{
    db_global_shutdown();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
