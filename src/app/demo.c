/*
 * demo.c - see demo.h.
 */
#include "app/demo.h"

#include "auth/branches.h"
#include "auth/users.h"
#include "base/log.h"
#include "db/db.h"

#include <stdio.h>

static const struct {
    const char *code, *name, *level, *parent;
} branches[] = {
    {"GD", "广东省", "province", NULL},
    {"GD-GZ", "广州市", "city", "GD"},
    {"GD-SZ", "深圳市", "city", "GD"},
    {"GD-GZ-01", "天河路营业所", "branch", "GD-GZ"},
    {"GD-GZ-02", "越秀营业所", "branch", "GD-GZ"},
    {"GD-SZ-01", "福田营业所", "branch", "GD-SZ"},
    {"GD-SZ-02", "南山营业所", "branch", "GD-SZ"},
};

static const struct {
    const char *login, *name, *role, *branch, *phone, *email;
} staff[] = {
    {"admin", "系统管理员", "admin", "GD", "13800000001", "admin@hongyan.example"},
    {"S0001", "陈主管", "supervisor", "GD-GZ", "13800000002", "chen@hongyan.example"},
    {"M0001", "林经理", "manager", "GD-GZ-01", "13800000003", "lin@hongyan.example"},
    {"C0001", "王芳", "clerk", "GD-GZ-01", "13800000004", "wangfang@hongyan.example"},
    {"C0002", "李娜", "clerk", "GD-SZ-01", "13800000005", "lina@hongyan.example"},
};

int demo_fill(struct db *db)
{
    int64_t id;
    int rc = branches_find_code(db, "GD", &id);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return 1;
    rc = db_begin(db);
    for (size_t i = 0; !rc && i < sizeof(branches) / sizeof(branches[0]); i++) {
        int64_t parent = 0;
        if (branches[i].parent && branches_find_code(db, branches[i].parent, &parent) != 1)
            rc = DB_ERROR;
        if (!rc)
            rc = branches_create(db, branches[i].code, branches[i].name, branches[i].level, parent,
                                 &id);
    }
    for (size_t i = 0; !rc && i < sizeof(staff) / sizeof(staff[0]); i++) {
        int64_t branch = 0;
        if (branches_find_code(db, staff[i].branch, &branch) != 1)
            rc = DB_ERROR;
        if (!rc)
            rc = users_create(db, staff[i].login, staff[i].name, staff[i].role, branch,
                              staff[i].phone, staff[i].email, DEMO_PASSWORD, &id);
    }
    rc = db_end(db, rc);
    if (rc)
        return rc;
    log_info("demo data created: 7 branches, 5 staff");
    return 0;
}

unsigned demo_rnd(uint64_t *seed, unsigned n)
{
    *seed ^= *seed >> 12;
    *seed ^= *seed << 25;
    *seed ^= *seed >> 27;
    return (unsigned)((*seed * 2685821657736338717ULL) >> 33) % n;
}
