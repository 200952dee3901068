/*
 * fuzz_db.h - the database the fuzz targets that need one share: a
 * temporary SQLite file with every migration applied, branches 1 (/1/) and
 * 2 (/1/2/), an active and a disabled member of staff, one custom field of
 * each type and two customers. Opened once per process from
 * LLVMFuzzerInitialize; removed at exit. Include once per target.
 */
#ifndef HY_FUZZ_DB_H
#define HY_FUZZ_DB_H

#include "../unit/testdb.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>

static char fuzz_db_dir[] = "/tmp/hy_fuzz_XXXXXX";

static void fuzz_db_remove(void)
{
    testdb_close(fuzz_db_dir);
}

static void fuzz_db_exec(const char *sql, const struct db_val *args, int nargs)
{
    if (db_exec(db_get(), sql, args, nargs)) {
        fprintf(stderr, "fuzz set-up failed: %s\n", sql);
        abort();
    }
}

static void fuzz_db_open(void)
{
    if (testdb_open(fuzz_db_dir, "fuzz.db", true)) {
        fprintf(stderr, "fuzz set-up: cannot open a database in %s\n", fuzz_db_dir);
        abort();
    }
    atexit(fuzz_db_remove);
    fuzz_db_exec("INSERT INTO branches (id, code, name, level, path, parent_id, created_at, "
                 "updated_at) VALUES (2, 'B2', '下级网点', 'branch', '/1/2/', 1, 0, 0)",
                 DB_NOARGS);
    fuzz_db_exec("INSERT INTO users (id, login, name, role, branch_id, password_hash, status, "
                 "created_at, updated_at) VALUES (7, 'M7', '经理', 'manager', 2, 'x', 'active', "
                 "0, 0), (8, 'M8', '离职经理', 'manager', 2, 'x', 'disabled', 0, 0)",
                 DB_NOARGS);
    static const char *const defs[][3] = {
        {"card", "text", "[]"},
        {"notes", "textarea", "[]"},
        {"children", "number", "[]"},
        {"deposit", "money", "[]"},
        {"since", "date", "[]"},
        {"channel", "select", "[{\"value\":\"wx\",\"label\":\"微信\"}]"},
        {"hobbies", "multiselect",
         "[{\"value\":\"stamps\",\"label\":\"集邮\"},{\"value\":\"books\",\"label\":\"读书\"}]"},
        {"backup", "phone", "[]"},
        {"mail", "email", "[]"},
        {"vip", "boolean", "[]"},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        fuzz_db_exec("INSERT INTO custom_fields (entity, key, label, type, options, required, "
                     "created_at, updated_at) VALUES ('customer', ?, ?, ?, ?, ?, 0, 0)",
                     DB_ARGS(DB_TEXT(defs[i][0]), DB_TEXT(defs[i][0]), DB_TEXT(defs[i][1]),
                             DB_TEXT(defs[i][2]), DB_INT(i == 0)));
    fuzz_db_exec("INSERT INTO custom_fields (entity, key, label, type, retired, created_at, "
                 "updated_at) VALUES ('customer', 'old', 'old', 'text', 1, 0, 0)",
                 DB_NOARGS);
    fuzz_db_exec(
        "INSERT INTO customers (id, customer_no, name, phone, phone_last4, gender, birthday, "
        "interests, branch_id, branch_path, custom, created_at, updated_at, last_visit_at) "
        "VALUES (1, 'B1000001', '张三', '13800138000', '8000', 'male', '1961-09-27', "
        "'[\"集邮\"]', 2, '/1/2/', '{\"card\":\"C1\",\"children\":2,\"deposit\":\"12.50\","
        "\"since\":\"2000-05-20\",\"channel\":\"wx\",\"hobbies\":[\"stamps\"],\"vip\":true}', 0, "
        "0, 100), (2, 'B1000002', '李四', '13900139000', '9000', NULL, NULL, '[]', 1, '/1/', "
        "'{}', 0, 0, NULL)",
        DB_NOARGS);
}

#endif
