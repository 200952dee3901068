/*
 * demo_tickets.c - see demo_tickets.h.
 *
 * Each ticket lives its life through the same operations the API calls,
 * with the clock set to the moment of each step (the command runs alone,
 * before any server), so numbers, SLA clocks, the timeline, the audit log
 * and the KPIs agree with one another as they would after six real
 * months. What was told to staff then (bell entries, SMS and e-mail in
 * the outbox) is history by now: it is marked read and delivered, so the
 * first sign-in does not open on a hundred stale alerts.
 */
#include "app/demo_tickets.h"

#include "app/demo.h"
#include "auth/actor.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/log.h"
#include "db/db.h"
#include "service/ticket.h"
#include "service/ticket_survey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define HOUR     3600
#define DAY      86400

static const struct {
    const char *type, *subject, *description;
} cases[] = {
    {"tracking", "运单三天未更新物流信息",
     "客户反映一票发往北京的包裹三天没有新的轨迹，请核实在途情况。"},
    {"tracking", "查询一批医药件的签收情况",
     "客户需要本周发出的医药冷链件的签收人和签收时间，用于内部对账。"},
    {"complaint", "揽收员未按约定时间上门",
     "约定上午十点上门揽收，十二点仍未到达，客户要求说明原因并改进。"},
    {"complaint", "包裹外箱破损", "收件方反馈外箱破损、内件受潮，客户要求说明原因。"},
    {"claim", "保价件丢失申请理赔", "一票保价 2000 元的样品件在转运中心后无轨迹，客户申请理赔。"},
    {"claim", "货物破损申请理赔", "易碎品到达时破损，客户已提供照片，申请按保价理赔。"},
    {"inquiry", "咨询冷链专线的收寄时间", "客户想了解冷链专线每天的最晚收寄时间和时效承诺。"},
    {"inquiry", "询问月结账期调整流程", "财务询问将账期从 30 天调整为 45 天需要哪些材料。"},
    {"address_change", "派送前修改收件地址", "收件人搬迁，客户申请将在途运单改派到新地址。"},
    {"invoice", "申请开具上月运费发票", "客户需要上月月结运费的增值税专用发票，已提供开票信息。"},
};

static const char *const replies[] = {
    "您好，已收到您的反馈，我们正在与网点核实，今天内给您答复。",
    "已联系处理中心，包裹已找到并安排今日发出，给您带来不便非常抱歉。",
    "已为您登记，相关资料请发送至客户经理邮箱，我们会尽快处理。",
    "已安排揽投部主管跟进，并调整了贵司的上门揽收时间窗口。",
};

static const char *const comments[] = {"处理及时，感谢", "客户经理很专业", "希望以后少出问题", "",
                                       "回复有点慢"};

/* The enterprises that have a manager and a contact, with both. */
struct party {
    int64_t enterprise, owner, contact;
};

static int parties(struct db *db, struct party *out, int max)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT e.id, e.owner_id, MIN(k.id) FROM enterprises e JOIN "
                                  "enterprise_contacts k ON k.enterprise_id = e.id WHERE "
                                  "e.owner_id IS NOT NULL GROUP BY e.id, e.owner_id ORDER BY e.id "
                                  "LIMIT ?",
                                  DB_ARGS(DB_INT(max)));
    if (!st)
        return DB_ERROR;
    int n = 0;
    while (n < max && db_step(st) == 1) {
        out[n].enterprise = db_col_int(st, 0);
        out[n].owner = db_col_int(st, 1);
        out[n].contact = db_col_int(st, 2);
        n++;
    }
    db_finish(st);
    return n;
}

/* Move the clock to t, the SLA timers first as the scheduler would have
 * run them up to then: what fell due before t is breached (and
 * escalated) before the step at t happens. */
static int step_to(struct db *db, int64_t t)
{
    clock_set(t - 1);
    int rc = ticket_sla_sweep(db);
    clock_set(t);
    return rc < 0 ? rc : 0;
}

/* The contact answering the survey, as the survey page makes them. */
static int rate(struct db *db, int64_t id, int64_t contact, uint64_t *seed)
{
    struct actor who = {.contact_id = contact};
    snprintf(who.login, sizeof(who.login), "survey:%lld", (long long)id);
    /* Mostly content, now and then not: the NPS comes out positive but
     * not perfect, and the CSAT trend moves. */
    unsigned roll = demo_rnd(seed, 10);
    int64_t csat = roll < 6 ? 5 : roll < 8 ? 4 : roll < 9 ? 3 : 2;
    int64_t nps = csat == 5   ? 9 + demo_rnd(seed, 2)
                  : csat == 4 ? 7 + demo_rnd(seed, 2)
                  : csat == 3 ? 5 + demo_rnd(seed, 3)
                              : 2 + demo_rnd(seed, 4);
    int rc = db_begin(db);
    if (!rc)
        rc = ticket_survey_record(db, &who, id, csat, nps,
                                  comments[demo_rnd(seed, (unsigned)COUNT(comments))]);
    return db_end(db, rc);
}

/* One ticket opened at `at`: answered, and unless it is recent resolved
 * (now and then at the first answer), closed and rated. */
static int one(struct db *db, const struct party *p, int64_t at, int64_t now, uint64_t *seed)
{
    struct actor mgr = {0};
    if (session_load_user(db, p->owner, &mgr) != 1)
        return 0;
    unsigned c = demo_rnd(seed, (unsigned)COUNT(cases));
    static const char *const channels[] = {"phone", "phone", "email", "counter"};
    static const char *const priorities[] = {"normal", "normal", "normal", "high", "urgent", "low"};
    struct ticket_new in = {
        .channel = channels[demo_rnd(seed, (unsigned)COUNT(channels))],
        .type = cases[c].type,
        .priority = priorities[demo_rnd(seed, (unsigned)COUNT(priorities))],
        .subject = cases[c].subject,
        .description = cases[c].description,
        .enterprise_id = p->enterprise,
        .contact_id = p->contact,
    };
    json_t *errors = json_object();
    int64_t id = 0;
    clock_set(at);
    int rc = step_to(db, at);
    if (!rc)
        rc = ticket_create(db, &mgr, &in, &id, errors);
    /* The first answer: mostly within the VIP target of 15 minutes, now
     * and then within the hour, once in a while the next day. */
    unsigned late = demo_rnd(seed, 10);
    int64_t reply_at = at + (late == 0  ? DAY
                             : late < 3 ? 15 * 60 + demo_rnd(seed, 30 * 60)
                                        : 3 * 60 + demo_rnd(seed, 11 * 60));
    /* Today's: half of them still wait for their first answer. */
    if (at > now - DAY && demo_rnd(seed, 2))
        reply_at = now + DAY;
    if (!rc && reply_at < now) {
        rc = step_to(db, reply_at);
        if (!rc)
            rc = ticket_reply(db, &mgr, id, replies[demo_rnd(seed, (unsigned)COUNT(replies))],
                              false, errors);
    }
    /* Resolved at the first answer (first-contact resolution) a third of
     * the time, else within three days; the last few days' stay open. */
    bool at_once = demo_rnd(seed, 3) == 0;
    int64_t resolved_at = at_once ? reply_at + 60 : reply_at + HOUR + demo_rnd(seed, 2 * DAY);
    if (!rc && resolved_at < now - 2 * DAY) {
        /* Not settled at the first answer: a second one tells the outcome. */
        if (!at_once) {
            rc = step_to(db, resolved_at - 30 * 60);
            if (!rc)
                rc =
                    ticket_reply(db, &mgr, id, "问题已处理完毕，请您确认。如有疑问请随时联系我们。",
                                 false, errors);
        }
        if (!rc)
            rc = step_to(db, resolved_at);
        if (!rc)
            rc = ticket_set_status(db, &mgr, id, "resolved", "已处理完毕，客户无异议", errors);
        if (!rc && demo_rnd(seed, 4)) {
            rc = step_to(db, resolved_at + HOUR + demo_rnd(seed, DAY));
            if (!rc)
                rc = rate(db, id, p->contact, seed);
        }
        if (!rc && resolved_at + 2 * DAY < now - DAY) {
            rc = step_to(db, resolved_at + 2 * DAY);
            if (!rc)
                rc = ticket_set_status(db, &mgr, id, "closed", NULL, errors);
        }
    } else if (!rc && reply_at < now && demo_rnd(seed, 3) == 0) {
        /* (the answer put it in progress) */
        rc = step_to(db, reply_at + 60);
        if (!rc)
            rc = ticket_set_status(db, &mgr, id, "waiting_customer", "等待客户补充材料", errors);
    }
    if (rc > 0) {
        char *why = json_dumps(errors, JSON_COMPACT);
        log_warn("demo: a ticket step was refused: %s", why ? why : "?");
        free(why);
        rc = 0;
    }
    json_decref(errors);
    return rc;
}

int demo_tickets(struct db *db, int n)
{
    struct party ps[24];
    int np = parties(db, ps, (int)COUNT(ps));
    if (np <= 0)
        return np;
    int64_t now = clock_now();
    uint64_t seed = 0x7e57d5eedULL;
    int rc = 0;
    /* Where the clock stood against the system's, to put it back after. */
    int64_t offset = now - (int64_t)time(NULL);
    /* Evenly over 180 days, in office hours (+08:00); the last tenth in
     * the last three days, so that the desk has open work today. */
    int recent = n / 10;
    for (int k = 0; rc >= 0 && k < n; k++) {
        int64_t day = k < n - recent ? now - 180 * DAY + (int64_t)k * 177 * DAY / (n - recent)
                                     : now - (int64_t)(n - k) * 3 * DAY / recent;
        day -= (day + HY_TZ_OFFSET) % DAY; /* local midnight */
        int64_t at = day + 9 * HOUR + demo_rnd(&seed, 8 * HOUR);
        if (at >= now)
            at = now - HOUR - demo_rnd(&seed, 2 * HOUR);
        rc = one(db, &ps[demo_rnd(&seed, (unsigned)np)], at, now, &seed);
    }
    clock_set((int64_t)time(NULL) + offset);
    /* Up to now, as the first pass of the server would. */
    if (rc >= 0)
        rc = step_to(db, clock_now());
    if (rc >= 0) {
        rc = db_begin(db);
        if (!rc)
            rc = db_exec(db,
                         "UPDATE notifications SET read_at = created_at WHERE read_at IS NULL "
                         "AND created_at < ?",
                         DB_ARGS(DB_INT(now - DAY)));
        if (!rc)
            rc = db_exec(db,
                         "UPDATE outbox SET status = 'sent', sent_at = created_at WHERE status = "
                         "'pending' AND created_at < ?",
                         DB_ARGS(DB_INT(now - DAY)));
        rc = db_end(db, rc);
    }
    if (rc >= 0)
        log_info("demo data: %d service tickets of %d enterprises", n, np);
    return rc < 0 ? rc : 0;
}
