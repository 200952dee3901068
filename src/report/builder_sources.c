/*
 * builder_sources.c - the report builder's sources (builder_int.h): a
 * table, one row a source, and the field tables of the sources that have
 * no registered entity (the waybill rollups, tickets, statements). A new
 * source is a row here, and a field table when it has no entity.
 */
#include "report/builder_int.h"

#include "core/perms.h"
#include "record/scope.h"
#include "service/ticket.h"
#include "vip/enterprise.h"

#include <string.h>

/* ---- the sources' own fields ------------------------------------------- */

#define F EF_FILTER

/* The enterprise's fields a row joined to it (alias e) groups by. */
#define ENTERPRISE_FIELDS                                                                          \
    {FIELD("enterprise_id", "e.id", FT_REF, "大客户", "Enterprise", F)},                           \
        {FIELD("industry", "e.industry", FT_SELECT, "行业", "Industry", F), .dict = "industry"},   \
        {FIELD("tier", "e.tier", FT_SELECT, "大客户等级", "VIP tier", F), .dict = "vip_tier"},     \
        {FIELD("region", "e.region", FT_TEXT, "所在区域", "Region", F)},                           \
        {FIELD("owner_id", "e.owner_id", FT_REF, "专属客户经理", "Account manager", F)},           \
    {                                                                                              \
        FIELD("branch_id", "e.branch_id", FT_BRANCH, "网点", "Branch", F)                          \
    }

/* A rollup's day number as the Unix time of its midnight at +08:00, so
 * the filter language compares it as a time; grouping reads the column
 * itself (struct report_source.day_column). */
static const struct entity_field rollup_day_fields[] = {
    {FIELD("day", "(r.day * 86400 - 28800)", FT_TIME, "日期", "Day", F)},
    {FIELD("pieces", "r.pieces", FT_INT, "件数", "Pieces", F)},
    {FIELD("weight", "(r.weight_g / 1000.0)", FT_NUMBER, "重量（千克）", "Weight (kg)", F)},
    {FIELD("fee", "(r.fee_fen / 100.0)", FT_MONEY, "运费（元）", "Fee (yuan)", F)},
    ENTERPRISE_FIELDS,
    {.key = NULL},
};

static const struct entity_field rollup_month_fields[] = {
    {FIELD("month", "(r.month * 86400 - 28800)", FT_TIME, "月份", "Month", F)},
    {FIELD("product", "r.value", FT_SELECT, "产品", "Product", F), .dict = "waybill_product"},
    {FIELD("pieces", "r.pieces", FT_INT, "件数", "Pieces", F)},
    {FIELD("weight", "(r.weight_g / 1000.0)", FT_NUMBER, "重量（千克）", "Weight (kg)", F)},
    {FIELD("fee", "(r.fee_fen / 100.0)", FT_MONEY, "运费（元）", "Fee (yuan)", F)},
    ENTERPRISE_FIELDS,
    {.key = NULL},
};

static const char *const ticket_priorities[][3] = {
    {"low", "低", "Low"},         {"normal", "普通", "Normal"}, {"high", "高", "High"},
    {"urgent", "紧急", "Urgent"}, {NULL, NULL, NULL},
};
static const char *const ticket_statuses[][3] = {
    {"new", "新建", "New"},
    {"assigned", "已分派", "Assigned"},
    {"in_progress", "处理中", "In progress"},
    {"waiting_customer", "待客户回复", "Waiting for customer"},
    {"resolved", "已解决", "Resolved"},
    {"closed", "已关闭", "Closed"},
    {"reopened", "重新打开", "Reopened"},
    {NULL, NULL, NULL},
};
static const char *const ticket_channels[][3] = {
    {"phone", "电话", "Phone"},  {"counter", "柜台", "Counter"}, {"portal", "门户", "Portal"},
    {"email", "邮件", "E-mail"}, {"api", "接口", "API"},         {NULL, NULL, NULL},
};

static const struct entity_field ticket_fields[] = {
    {FIELD("ticket_no", "t.ticket_no", FT_TEXT, "工单号", "Ticket no.", F)},
    {FIELD("subject", "t.subject", FT_TEXT, "主题", "Subject", F)},
    {FIELD("type", "t.type", FT_SELECT, "类型", "Type", F), .dict = "ticket_type"},
    {FIELD("priority", "t.priority", FT_SELECT, "优先级", "Priority", F),
     .options = ticket_priorities},
    {FIELD("status", "t.status", FT_SELECT, "状态", "Status", F), .options = ticket_statuses},
    {FIELD("channel", "t.channel", FT_SELECT, "渠道", "Channel", F), .options = ticket_channels},
    {FIELD("enterprise_id", "t.enterprise_id", FT_REF, "大客户", "Enterprise", F)},
    {FIELD("assignee_id", "t.assignee_id", FT_REF, "处理人", "Assignee", F)},
    {FIELD("branch_id", "t.branch_id", FT_BRANCH, "网点", "Branch", F)},
    {FIELD("created_at", "t.created_at", FT_TIME, "创建时间", "Created", F)},
    {FIELD("resolved_at", "t.resolved_at", FT_TIME, "解决时间", "Resolved", F)},
    {FIELD("reopen_count", "t.reopen_count", FT_INT, "重开次数", "Reopened", F)},
    {FIELD("csat", "t.csat", FT_INT, "满意度", "CSAT", F)},
    {FIELD("nps", "t.nps", FT_INT, "NPS", "NPS", F)},
    {.key = NULL},
};

static const char *const statement_statuses[][3] = {
    {"draft", "草稿", "Draft"},           {"sent", "已发送", "Sent"},
    {"confirmed", "已确认", "Confirmed"}, {"disputed", "有异议", "Disputed"},
    {"paid", "已付款", "Paid"},           {NULL, NULL, NULL},
};

static const struct entity_field statement_fields[] = {
    {FIELD("period", "s.period", FT_TEXT, "账期", "Period", F)},
    {FIELD("status", "s.status", FT_SELECT, "状态", "Status", F), .options = statement_statuses},
    {FIELD("waybill_count", "s.waybill_count", FT_INT, "运单数", "Waybills", F)},
    {FIELD("total", "(s.total_fen / 100.0)", FT_MONEY, "应收金额", "Total", F)},
    {FIELD("paid", "(s.paid_fen / 100.0)", FT_MONEY, "已付金额", "Paid", F)},
    {FIELD("due_on", "s.due_on", FT_DATE, "到期日", "Due on", F)},
    {FIELD("created_at", "s.created_at", FT_TIME, "生成时间", "Created", F)},
    ENTERPRISE_FIELDS,
    {.key = NULL},
};

/* Descriptors for the filter compiler only (never registered). */
static const struct entity rollup_day_entity = {.name = "report_rollup_day",
                                                .table = "waybill_rollups_day",
                                                .alias = "r",
                                                .fields = rollup_day_fields,
                                                .perm_reveal = PERM_REVEAL};
static const struct entity rollup_month_entity = {.name = "report_rollup_month",
                                                  .table = "waybill_rollups_month",
                                                  .alias = "r",
                                                  .fields = rollup_month_fields,
                                                  .perm_reveal = PERM_REVEAL};
static const struct entity ticket_entity = {.name = "report_ticket",
                                            .table = "tickets",
                                            .alias = "t",
                                            .fields = ticket_fields,
                                            .perm_reveal = PERM_REVEAL};
static const struct entity statement_entity = {.name = "report_statement",
                                               .table = "statements",
                                               .alias = "s",
                                               .fields = statement_fields,
                                               .perm_reveal = PERM_REVEAL};

/* ---- the sources ------------------------------------------------------- */

static void customers_visible(const struct actor *u, struct sqlbuf *b)
{
    scope_sql(u, "c.branch_path", b);
}

static void interactions_visible(const struct actor *u, struct sqlbuf *b)
{
    scope_sql(u, "i.branch_path", b);
}

static const struct report_source SOURCES[] = {
    {"customers", "个人客户", "Individual customers", "customer", NULL, " FROM customers c",
     "c.deleted_at IS NULL", customers_visible, PERM_CUSTOMERS_READ, "c.branch_path", NULL, NULL,
     "c.id", "c.name", NULL},
    {"interactions", "业务记录", "Business records", "interaction", NULL,
     " FROM interactions i LEFT JOIN customers c ON c.id = i.customer_id", "i.deleted_at IS NULL",
     interactions_visible, PERM_CUSTOMERS_READ, "i.branch_path", NULL, NULL, "i.id",
     "c.customer_no", NULL},
    {"enterprises", "大客户", "Enterprises", "enterprise", NULL, " FROM enterprises e",
     "e.deleted_at IS NULL", enterprise_visible_sql, PERM_ENTERPRISES, "e.branch_path", NULL, NULL,
     "e.id", "e.name", "e.id"},
    {"waybills_day", "寄递日汇总", "Waybills by day", NULL, &rollup_day_entity,
     " FROM waybill_rollups_day r JOIN enterprises e ON e.id = r.enterprise_id",
     "e.deleted_at IS NULL", enterprise_visible_sql, PERM_ENTERPRISES, "e.branch_path", "day",
     "r.day", "r.day", "e.name", "e.id"},
    {"waybills_month", "寄递月汇总（按产品）", "Waybills by month and product", NULL,
     &rollup_month_entity,
     " FROM waybill_rollups_month r JOIN enterprises e ON e.id = r.enterprise_id",
     "r.dim = 'product' AND e.deleted_at IS NULL", enterprise_visible_sql, PERM_ENTERPRISES,
     "e.branch_path", "month", "r.month", "r.month", "e.name", "e.id"},
    {"tickets", "服务工单", "Tickets", NULL, &ticket_entity, " FROM tickets t", "1 = 1",
     ticket_visible_sql, PERM_TICKETS, "t.branch_path", NULL, NULL, "t.id", "t.ticket_no",
     "t.enterprise_id"},
    {"statements", "对账单", "Statements", NULL, &statement_entity,
     " FROM statements s JOIN enterprises e ON e.id = s.enterprise_id",
     "e.deleted_at IS NULL AND s.version = (SELECT MAX(s2.version) FROM statements s2 WHERE "
     "s2.enterprise_id = s.enterprise_id AND s2.dept_key = s.dept_key AND s2.period = s.period)",
     enterprise_visible_sql, PERM_ENTERPRISES | PERM_BILLING, "e.branch_path", NULL, NULL, "s.id",
     "e.name", "s.enterprise_id"},
};
#define NSOURCES (sizeof(SOURCES) / sizeof(SOURCES[0]))

const struct entity *report_source_entity(const struct report_source *s)
{
    return s->entity ? entity_find(s->entity) : s->own;
}

bool report_source_usable(const struct actor *u, const struct report_source *s)
{
    return (u->perms & s->perm) == s->perm && report_source_entity(s);
}

const struct report_source *report_source_named(const char *key)
{
    for (size_t i = 0; key && i < NSOURCES; i++)
        if (strcmp(SOURCES[i].key, key) == 0)
            return &SOURCES[i];
    return NULL;
}

const struct report_source *report_source_at(size_t i)
{
    return i < NSOURCES ? &SOURCES[i] : NULL;
}
