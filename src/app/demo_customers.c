/*
 * demo_customers.c - a few hundred believable customers for `hongyan demo`
 * (see demo_customers.h): valid ID numbers (GB 11643 check character) and
 * mobile numbers, names from common surnames, regions matching the demo
 * branches, tags, a history of business records over the last half year
 * and open follow-up tasks, so that every screen has something to show on
 * first sign-in.
 *
 * Profiles go through customer_check() and customer_add(), the code the
 * form uses, so demo data obeys every rule real data does. A fixed seed
 * makes every demo database the same.
 */
#include "app/demo.h"
#include "app/demo_customers.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/log.h"
#include "crm/customer.h"
#include "crm/interaction.h"
#include "crm/reminder.h"
#include "record/tags.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
                                       "梁", "郑", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
                                       "曾", "彭", "萧", "蔡", "潘", "田", "董", "袁", "于", "余"};
static const char *const given[] = {"伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",
                                    "军",   "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",
                                    "超",   "秀英", "霞",   "平",   "刚",   "桂英", "建华", "文",
                                    "华",   "红",   "玉兰", "志强", "海燕", "晓东", "佳怡", "子涵",
                                    "浩然", "雨桐", "国庆", "建国", "淑珍"};

static const struct {
    const char *area, *region, *branch, *owner;
} places[] = {
    {"440106", "广东省/广州市/天河区", "GD-GZ-01", "C0001"},
    {"440104", "广东省/广州市/越秀区", "GD-GZ-02", NULL},
    {"440105", "广东省/广州市/海珠区", "GD-GZ-02", NULL},
    {"440304", "广东省/深圳市/福田区", "GD-SZ-01", "C0002"},
    {"440305", "广东省/深圳市/南山区", "GD-SZ-02", NULL},
};

static const char *const levels[] = {"高价值", "潜力", "普通", "普通", "普通"};
static const char *const types[] = {"parcel",    "ems",    "international", "remittance",
                                    "newspaper", "wealth", "philately",     "insurance"};
static const char *const phrases[] = {
    "寄往外地的日用品包裹", "EMS 加急文件",       "国际小包，寄往加拿大", "给家人汇款",
    "续订《广州日报》全年", "咨询三年期理财产品", "购买生肖邮票年册",     "咨询意外险产品"};

static uint64_t seed = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    return demo_rnd(&seed, n);
}

/* An 18-digit ID number with its MOD 11-2 check character. */
static void make_id(const char *area, int y, int m, int d, bool male, char out[32])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    unsigned seq = rnd(50) * 2 + (male ? 1 : 0);
    snprintf(out, 32, "%.6s%04d%02d%02d%02u%u", area, y % 10000, m % 100, d % 100, 10 + rnd(89),
             seq % 10);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = check[sum % 11];
    out[18] = '\0';
}

static int64_t lookup(struct db *db, const char *sql, const char *key)
{
    int64_t id = 0;
    return db_query_int(db, sql, DB_ARGS(DB_TEXT(key)), &id) == 1 ? id : 0;
}

static int add_history(struct db *db, int64_t cid, int64_t branch, const char *path, int64_t owner,
                       int64_t now)
{
    int visits = (int)rnd(5);
    for (int v = 0; v < visits; v++) {
        unsigned t = rnd(sizeof(types) / sizeof(types[0]));
        int64_t at = now - (int64_t)rnd(200) * 86400 - (int64_t)rnd(8 * 3600) - 3600;
        int64_t fen = t == 3 || t == 5 ? (int64_t)(rnd(500) + 1) * 10000 : (int64_t)rnd(20000);
        int rc = db_exec(db,
                         "INSERT INTO interactions (customer_id, type, occurred_at, description, "
                         "amount_fen, channel, handled_by, branch_id, branch_path, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, 'counter', ?, ?, ?, ?, ?)",
                         DB_ARGS(DB_INT(cid), DB_TEXT(types[t]), DB_INT(at), DB_TEXT(phrases[t]),
                                 DB_INT(fen), DB_INT_OR_NULL(owner, owner), DB_INT(branch),
                                 DB_TEXT(path), DB_INT(at), DB_INT(at)));
        if (rc)
            return rc;
    }
    if (rnd(6) == 0) {
        /* A promised call-back: some due today, some overdue, some ahead. */
        int64_t due = now + ((int64_t)rnd(12) - 4) * 86400;
        return db_exec(db,
                       "INSERT INTO tasks (title, customer_id, due_at, assignee_id, branch_id, "
                       "branch_path, priority, source, created_by, created_at, updated_at) "
                       "SELECT '回访：' || name || ' 办理业务后的满意度', id, ?, ?, ?, ?, ?, "
                       "'manual', ?, ?, ? FROM customers WHERE id = ?",
                       DB_ARGS(DB_INT(due), DB_INT_OR_NULL(owner, owner), DB_INT(branch),
                               DB_TEXT(path), DB_TEXT(rnd(3) == 0 ? "high" : "normal"),
                               DB_INT_OR_NULL(owner, owner), DB_INT(now), DB_INT(now),
                               DB_INT(cid)));
    }
    return 0;
}

int demo_customers(struct db *db, int n)
{
    struct actor admin = {.perms = PERM_ADMIN, .branch_path = "", .lang = "zh-CN"};
    admin.id = lookup(db, "SELECT id FROM users WHERE login = ?", "admin");
    int64_t tag_ids[10] = {0};
    static const char *const tag_names[] = {"高价值客户", "潜力客户", "普通客户", "集邮爱好者",
                                            "理财需求",   "国际寄递", "电商卖家", "需重点跟进",
                                            "投诉历史",   "生日关怀"};
    for (int i = 0; i < 10; i++)
        tag_ids[i] = lookup(db, "SELECT id FROM tags WHERE name = ?", tag_names[i]);
    int64_t now = clock_now();
    char today[11];
    clock_format_date(now, today, sizeof(today));
    int made = 0, rc = db_begin(db);
    for (int i = 0; !rc && i < n; i++) {
        unsigned p = rnd(sizeof(places) / sizeof(places[0]));
        bool male = rnd(2) == 0;
        char name[32], id_number[32], phone[24];
        snprintf(name, sizeof(name), "%s%s", surnames[rnd(sizeof(surnames) / sizeof(*surnames))],
                 given[rnd(sizeof(given) / sizeof(*given))]);
        int y = 1950 + (int)rnd(50), m = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
        make_id(places[p].area, y, m, d, male, id_number);
        snprintf(phone, sizeof(phone), "1%c%c%08d", "3589"[rnd(4)], '0' + (char)rnd(10),
                 10000000 + i * 7919 % 89999999);
        int64_t branch = lookup(db, "SELECT id FROM branches WHERE code = ?", places[p].branch);
        int64_t owner = places[p].owner
                            ? lookup(db, "SELECT id FROM users WHERE login = ?", places[p].owner)
                            : 0;
        const char *level = levels[rnd(sizeof(levels) / sizeof(*levels))];
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "name", name, "phone", phone,
                               "id_number", id_number, "region", places[p].region, "level", level,
                               "branch_id", (json_int_t)branch, "birthday_lunar", rnd(8) == 0);
        if (owner)
            json_object_set_new(in, "owner_id", json_integer(owner));
        if (rnd(4) == 0)
            json_object_set_new(in, "custom",
                                json_pack("{s:s}", rnd(2) ? "agreement_end" : "product_maturity",
                                          rnd(2) ? "2026-12-20" : "2027-01-15"));
        json_t *rec = json_object(), *errors = json_object();
        int64_t cid = 0;
        rc = customer_check(db, &admin, "zh-CN", in, NULL, rec, errors);
        if (!rc && json_object_size(errors) == 0) {
            rc = customer_add(db, &admin, rec, &cid);
            const char *path = json_string_value(json_object_get(rec, "branch_path"));
            if (!rc)
                rc = reminders_update_lunar_md(db, cid);
            if (!rc && tag_ids[0])
                rc = tags_attach(db, "customer", cid,
                                 tag_ids[strcmp(level, "高价值") == 0 ? 0
                                         : strcmp(level, "潜力") == 0 ? 1
                                                                      : 2]);
            if (!rc && rnd(3) == 0 && tag_ids[3 + rnd(7)])
                rc = tags_attach(db, "customer", cid, tag_ids[3 + rnd(7)]);
            if (!rc)
                rc = add_history(db, cid, branch, path ? path : "", owner, now);
            if (!rc)
                rc = interaction_refresh_figures(db, cid);
            if (!rc)
                made++;
        } else if (!rc) {
            /* A made-up phone that collides with an earlier one: skip it. */
            char *why = json_dumps(errors, JSON_COMPACT);
            log_warn("demo: customer %d skipped: %s", i, why ? why : "?");
            free(why);
        }
        json_decref(in);
        json_decref(rec);
        json_decref(errors);
    }
    rc = db_end(db, rc);
    if (!rc)
        log_info("demo data: %d customers with business records and tasks", made);
    return rc;
}
