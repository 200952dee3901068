/*
 * demo_enterprises.c - believable VIP enterprises for `hongyan demo`:
 * e-commerce shops, manufacturers, pharmacies, cold-chain food, government
 * offices and banks across the demo branches, with valid unified social
 * credit codes (GB 32100 check character), a contact matrix, departments
 * and tags, and for those with an account manager a few visits, calls and
 * meetings with their contacts and open to-dos. Each goes through
 * enterprise_insert, enterprise_part_save, enterprise_record_insert and
 * enterprise_task_insert, the operations the API calls, so demo data obeys
 * every rule real data does. A fixed seed makes every demo database the
 * same.
 */
#include "app/demo.h"
#include "app/demo_enterprises.h"

#include "auth/actor.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/log.h"
#include "db/db.h"
#include "vip/enterprise.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kind {
    const char *prefix, *suffix, *industry,
        *uscc_head; /* 91 company, 11 government, 12 institution */
    const char *channels, *value_added, *tag, *depts[3];
} kinds[] = {
    {"",
     "电子商务有限公司",
     "F",
     "91",
     "api",
     "pickup",
     "电商大客户",
     {"运营部", "仓储部", "财务部"}},
    {"", "制造有限公司", "C", "91", "pc", "insured", "制造业", {"采购部", "生产部", "财务部"}},
    {"",
     "大药房连锁有限公司",
     "F",
     "91",
     "miniapp",
     "cold_chain",
     "医药冷链",
     {"门店运营部", "质量部", "财务部"}},
    {"",
     "冷链食品有限公司",
     "C",
     "91",
     "api",
     "cold_chain",
     "医药冷链",
     {"冷链物流部", "销售部", "财务部"}},
    {"", NULL, "S", "11", "counter", "insured", "政务机关", {"综合科", "机要科", "财务科"}},
    {"",
     "银行股份有限公司分行",
     "J",
     "91",
     "pc",
     "insured",
     "金融机构",
     {"营业部", "信用卡中心", "计划财务部"}},
};

static const char *const names[] = {"云仓", "华南", "粤通", "珠江", "岭南", "天河",  "越秀",
                                    "鹏城", "南山", "福田", "海珠", "白云", "康宁",  "百草",
                                    "鲜达", "冰川", "宏达", "精工", "恒信", "汇丰源"};
static const char *const people[] = {"王建国", "李秀英", "张伟",   "刘洋", "陈静", "杨磊",
                                     "黄海燕", "赵志强", "吴晓东", "周敏", "徐涛", "孙丽"};
static const char *const titles[] = {"总经理", "财务经理", "物流主管", "采购专员"};
static const char *const tiers[] = {"strategic", "key", "key", "regular", "regular", "regular"};
static const char *const statuses[] = {"active", "active", "active", "prospect", "dormant", "lost"};

static const struct {
    const char *branch, *area, *region, *owner;
} places[] = {
    {"GD-GZ-01", "440106", "广东省/广州市/天河区", "M0001"},
    {"GD-GZ-02", "440104", "广东省/广州市/越秀区", "S0001"},
    {"GD-SZ-01", "440304", "广东省/深圳市/福田区", NULL},
    {"GD-SZ-02", "440305", "广东省/深圳市/南山区", NULL},
};

static uint64_t seed = 0x2545F4914F6CDD1DULL;
static unsigned rnd(unsigned n)
{
    return demo_rnd(&seed, n);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* head (2) + area (6) + a 9-character organisation code + the check. */
static void make_uscc(const char *head, const char *area, unsigned serial, char out[19])
{
    static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    snprintf(out, 19, "%.2s%.6sMA%06u%c", head, area, serial % 1000000, set[rnd(31)]);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(set, out[i]) - set) * w[i];
    out[17] = set[(31 - sum % 31) % 31];
    out[18] = '\0';
}

static int64_t lookup(struct db *db, const char *sql, const char *key)
{
    int64_t id = 0;
    return db_query_int(db, sql, DB_ARGS(DB_TEXT(key)), &id) == 1 ? id : 0;
}

/* Departments and contacts of enterprise id; *first gets the first contact. */
static int add_people(struct db *db, const struct kind *k, int64_t id, int i, int64_t *first)
{
    int64_t dept[3] = {0}, cid = 0;
    int rc = 0, ndept = (int)rnd(4);
    for (int d = 0; !rc && d < ndept; d++) {
        char cc[32];
        snprintf(cc, sizeof(cc), "CC-%d%02d", d + 1, i % 100);
        json_t *in = json_pack("{s:s,s:s,s:b}", "name", k->depts[d], "cost_centre", cc,
                               "own_billing", d == 2);
        if (d == 1 && dept[0])
            json_object_set_new(in, "parent_id", json_integer(dept[0]));
        json_t *errors = json_object();
        dept[d] = 0;
        rc = enterprise_part_save(db, &actor_system, &department_part, id, &dept[d], in, errors);
        json_decref(in);
        json_decref(errors);
    }
    int ncontacts = 1 + (int)rnd(4);
    for (int c = 0; !rc && c < ncontacts; c++) {
        char mobile[12];
        snprintf(mobile, sizeof(mobile), "1%c%09u", "3589"[rnd(4)],
                 (unsigned)(100000000 + (i * 7 + c) * 104729 % 899999999));
        static const char *const roles[] = {"decision_maker", "finance", "liaison", "liaison"};
        json_t *in =
            json_pack("{s:s,s:[s],s:s,s:s,s:s,s:b,s:b}", "name", people[rnd(COUNT(people))],
                      "roles", roles[c % 4], "title", titles[c % 4], "mobile", mobile,
                      "preferred_channel", rnd(2) ? "mobile" : "wechat", "receives_statements",
                      c == 1, "receives_notices", c != 1);
        if (ndept && rnd(2))
            json_object_set_new(in, "department_id", json_integer(dept[rnd((unsigned)ndept)]));
        json_t *errors = json_object();
        cid = 0;
        rc = enterprise_part_save(db, &actor_system, &contact_part, id, &cid, in, errors);
        if (c == 0)
            *first = cid;
        json_decref(in);
        json_decref(errors);
    }
    return rc;
}

/* What the account manager did with enterprise id over the last quarter
 * (a visit, a call, a meeting with the first contact), done as them, and
 * an open to-do or two. */
static int add_activity(struct db *db, int64_t id, int64_t owner, int64_t contact)
{
    static const struct {
        const char *type, *text;
    } done[] = {
        {"visit", "上门拜访，了解近期寄递量与时效要求"},
        {"call", "电话沟通月结对账事宜"},
        {"meeting", "季度业务回顾会，商定下季度揽收安排"},
        {"visit", "走访仓库，评估上门揽收频次"},
    };
    static const char *const todos[] = {"寄送新版协议价格表", "安排冷链专线试运行",
                                        "跟进上月对账差异"};
    struct actor who = {0}; /* session_load_user fills the user, not ip or system */
    if (session_load_user(db, owner, &who) != 1)
        return 0;
    int rc = 0, n = (int)rnd(4);
    for (int k = 0; !rc && k < n; k++) {
        char at[40];
        clock_format_iso(clock_now() - (int64_t)(3 + rnd(85)) * 86400 - rnd(8) * 3600, at,
                         sizeof(at));
        unsigned d = rnd(COUNT(done));
        json_t *in = json_pack("{s:s,s:s,s:s,s:[I]}", "type", done[d].type, "occurred_at", at,
                               "description", done[d].text, "contact_ids", (json_int_t)contact);
        json_t *errors = json_object();
        int64_t rid = 0, tid = 0;
        rc = enterprise_record_insert(db, &who, id, in, &rid, &tid, errors);
        json_decref(in);
        json_decref(errors);
    }
    for (int k = 0, m = (int)rnd(3); !rc && k < m; k++) {
        char due[16];
        clock_format_date(clock_now() + (int64_t)(1 + rnd(14)) * 86400, due, sizeof(due));
        json_t *in = json_pack("{s:s,s:s,s:s}", "title", todos[rnd(COUNT(todos))], "due_at", due,
                               "priority", rnd(3) ? "normal" : "high");
        json_t *errors = json_object();
        int64_t tid = 0;
        rc = enterprise_task_insert(db, &who, id, in, &tid, errors);
        json_decref(in);
        json_decref(errors);
    }
    return rc < 0 ? rc : 0;
}

int demo_enterprises(struct db *db, int n)
{
    int made = 0, rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        const struct kind *k = &kinds[rnd(COUNT(kinds))];
        unsigned p = rnd(COUNT(places));
        char name[128], code[19];
        static const char *const offices[] = {"人民政府办公室", "市场监督管理局", "税务局",
                                              "人力资源和社会保障局"};
        if (k->suffix)
            snprintf(name, sizeof(name), "%s%s%s", names[rnd(COUNT(names))],
                     i >= (int)COUNT(names) ? names[i % COUNT(names)] : "", k->suffix);
        else /* a government office of the branch's district */
            snprintf(name, sizeof(name), "%s%s", strrchr(places[p].region, '/') + 1,
                     offices[rnd(COUNT(offices))]);
        make_uscc(k->uscc_head, places[p].area, (unsigned)i * 37 + 11, code);
        int64_t branch = lookup(db, "SELECT id FROM branches WHERE code = ?", places[p].branch);
        int64_t owner = places[p].owner
                            ? lookup(db, "SELECT id FROM users WHERE login = ?", places[p].owner)
                            : 0;
        int64_t tag = lookup(db, "SELECT id FROM tags WHERE name = ?", k->tag);
        json_t *in = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:[s],s:[s],s:i,s:s,s:i,s:s}", "name", name, "uscc", code,
            "industry", k->industry, "tier", tiers[rnd(COUNT(tiers))], "status",
            statuses[rnd(COUNT(statuses))], "region", places[p].region, "branch_id",
            (json_int_t)branch, "order_channels", k->channels, "value_added", k->value_added,
            "credit_days", 15 * (int)(1 + rnd(4)), "settlement", rnd(4) ? "monthly" : "prepaid",
            "billing_day", 1 + (int)rnd(28), "credit_limit", rnd(2) ? "200000" : "50000.00");
        if (owner)
            json_object_set_new(in, "owner_id", json_integer(owner));
        if (tag)
            json_object_set_new(in, "tag_ids", json_pack("[I]", (json_int_t)tag));
        json_t *errors = json_object();
        int64_t id = 0;
        rc = enterprise_insert(db, &actor_system, in, &id, errors);
        if (rc > 0) {
            char *why = json_dumps(errors, JSON_COMPACT);
            log_warn("demo: enterprise %d skipped: %s", i, why ? why : "?");
            free(why);
            rc = 0;
        } else if (!rc) {
            int64_t contact = 0;
            rc = add_people(db, k, id, i, &contact);
            if (!rc && owner && contact)
                rc = add_activity(db, id, owner, contact);
            made += !rc;
        }
        json_decref(in);
        json_decref(errors);
    }
    if (!rc)
        log_info("demo data: %d enterprises with contacts, departments and activity", made);
    return rc < 0 ? rc : 0;
}
