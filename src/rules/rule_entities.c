/*
 * rule_entities.c - the kinds of record rules watch: where each keeps its
 * branch, its customer and enterprise, the users it refers to (assignees),
 * its template variables, what set_field may change; and which domain
 * event fires which trigger.
 *
 * Customers, enterprises and business records are described to the
 * filter language by their own domains (record/entity.h); tickets, tasks
 * and waybills have no filterable registration, so the rule module keeps
 * a small one of its own here, used only for rule conditions (it is not
 * registered: the lists, exports and imports do not see it).
 */
#include "rules/rules.h"

#include <string.h>

#define F EF_FILTER

/* ---- the filter descriptions of tickets, tasks and waybills -------------- */

static const struct entity_field ticket_fields[] = {
    {FIELD("ticket_no", "k.ticket_no", FT_TEXT, "工单号", "Ticket no.", F)},
    {FIELD("type", "k.type", FT_TEXT, "类型", "Type", F)},
    {FIELD("priority", "k.priority", FT_TEXT, "优先级", "Priority", F)},
    {FIELD("status", "k.status", FT_TEXT, "状态", "Status", F)},
    {FIELD("tier", "k.tier", FT_TEXT, "服务等级", "Tier", F)},
    {FIELD("channel", "k.channel", FT_TEXT, "渠道", "Channel", F)},
    {FIELD("subject", "k.subject", FT_TEXT, "主题", "Subject", F)},
    {FIELD("csat", "k.csat", FT_INT, "满意度", "CSAT", F)},
    {FIELD("nps", "k.nps", FT_INT, "NPS", "NPS", F)},
    {FIELD("enterprise_id", "k.enterprise_id", FT_REF, "大客户", "Enterprise", F)},
    {FIELD("customer_id", "k.customer_id", FT_REF, "个人客户", "Customer", F)},
    {FIELD("assignee_id", "k.assignee_id", FT_REF, "处理人", "Assignee", F)},
    {FIELD("branch_id", "k.branch_id", FT_BRANCH, "网点", "Branch", F)},
    {FIELD("created_at", "k.created_at", FT_TIME, "创建时间", "Created at", F)},
    {.key = NULL},
};

static const struct entity ticket_filter = {
    .name = "ticket",
    .collection = "tickets",
    .label = "工单",
    .label_en = "Tickets",
    .table = "tickets",
    .alias = "k",
    .scope_column = "k.branch_path",
    .fields = ticket_fields,
};

static const struct entity_field task_fields[] = {
    {FIELD("title", "t.title", FT_TEXT, "标题", "Title", F)},
    {FIELD("priority", "t.priority", FT_TEXT, "优先级", "Priority", F)},
    {FIELD("status", "t.status", FT_TEXT, "状态", "Status", F)},
    {FIELD("source", "t.source", FT_TEXT, "来源", "Source", F)},
    {FIELD("assignee_id", "t.assignee_id", FT_REF, "负责人", "Assignee", F)},
    {FIELD("customer_id", "t.customer_id", FT_REF, "个人客户", "Customer", F)},
    {FIELD("enterprise_id", "t.enterprise_id", FT_REF, "大客户", "Enterprise", F)},
    {FIELD("due_at", "t.due_at", FT_TIME, "到期时间", "Due at", F)},
    {FIELD("branch_id", "t.branch_id", FT_BRANCH, "网点", "Branch", F)},
    {.key = NULL},
};

static const struct entity task_filter = {
    .name = "task",
    .collection = "tasks",
    .label = "待办",
    .label_en = "Tasks",
    .table = "tasks",
    .alias = "t",
    .scope_column = "t.branch_path",
    .fields = task_fields,
};

static const struct entity_field waybill_fields[] = {
    {FIELD("waybill_no", "w.waybill_no", FT_TEXT, "运单号", "Waybill no.", F)},
    {FIELD("product", "w.product", FT_TEXT, "产品", "Product", F)},
    {FIELD("status", "w.status", FT_TEXT, "状态", "Status", F)},
    {FIELD("destination", "w.destination", FT_TEXT, "目的地", "Destination", F)},
    {FIELD("dest_province", "w.dest_province", FT_TEXT, "目的省份", "Destination province", F)},
    {FIELD("enterprise_id", "w.enterprise_id", FT_REF, "大客户", "Enterprise", F)},
    {FIELD("collected_at", "w.collected_at", FT_TIME, "揽收时间", "Collected at", F)},
    {.key = NULL},
};

static const struct entity waybill_filter = {
    .name = "waybill",
    .collection = "waybills",
    .label = "运单",
    .label_en = "Waybills",
    .table = "waybills",
    .alias = "w",
    .fields = waybill_fields,
};

/* ---- the kinds --------------------------------------------------------- */

static const struct rule_settable no_set[] = {{NULL, NULL, NULL}};
static const char *const priorities3[] = {"low", "normal", "high", NULL};
static const char *const priorities4[] = {"low", "normal", "high", "urgent", NULL};

static const struct rule_ref customer_refs[] = {{"owner_id", "c.owner_id"}, {NULL, NULL}};
static const struct rule_ref customer_vars[] = {
    {"id", "c.id"},       {"customer_no", "c.customer_no"}, {"name", "c.name"},
    {"level", "c.level"}, {"region", "c.region"},           {NULL, NULL},
};

static const struct rule_ref enterprise_refs[] = {
    {"owner_id", "e.owner_id"}, {"supervisor_id", "e.supervisor_id"}, {NULL, NULL}};
static const struct rule_ref enterprise_vars[] = {
    {"id", "e.id"},     {"customer_no", "e.customer_no"}, {"name", "e.name"},
    {"tier", "e.tier"}, {"status", "e.status"},           {NULL, NULL},
};

static const struct rule_ref interaction_refs[] = {{"handled_by", "i.handled_by"}, {NULL, NULL}};
static const struct rule_ref interaction_vars[] = {
    {"id", "i.id"}, {"type", "i.type"}, {"description", "i.description"}, {NULL, NULL}};

static const struct rule_ref task_refs[] = {{"assignee_id", "t.assignee_id"}, {NULL, NULL}};
static const struct rule_ref task_vars[] = {{"id", "t.id"},
                                            {"title", "t.title"},
                                            {"priority", "t.priority"},
                                            {"status", "t.status"},
                                            {NULL, NULL}};
static const struct rule_settable task_set[] = {{"priority", "priority", priorities3},
                                                {NULL, NULL, NULL}};

static const struct rule_ref ticket_refs[] = {
    {"assignee_id", "k.assignee_id"},
    {"enterprise_owner_id", "(SELECT owner_id FROM enterprises WHERE id = k.enterprise_id)"},
    {NULL, NULL}};
static const struct rule_ref ticket_vars[] = {
    {"id", "k.id"},
    {"ticket_no", "k.ticket_no"},
    {"subject", "k.subject"},
    {"priority", "k.priority"},
    {"status", "k.status"},
    {"tier", "k.tier"},
    {"csat", "k.csat"},
    {"nps", "k.nps"},
    {"enterprise_name", "(SELECT name FROM enterprises WHERE id = k.enterprise_id)"},
    {NULL, NULL}};
static const struct rule_settable ticket_set[] = {{"priority", "priority", priorities4},
                                                  {NULL, NULL, NULL}};

static const struct rule_ref waybill_refs[] = {
    {"enterprise_owner_id", "(SELECT owner_id FROM enterprises WHERE id = w.enterprise_id)"},
    {NULL, NULL}};
static const struct rule_ref waybill_vars[] = {
    {"id", "w.id"},
    {"waybill_no", "w.waybill_no"},
    {"status", "w.status"},
    {"destination", "w.destination"},
    {"last_node_name", "w.last_node_name"},
    {"enterprise_name", "(SELECT name FROM enterprises WHERE id = w.enterprise_id)"},
    {NULL, NULL}};

static const struct rule_entity customer = {
    .name = "customer",
    .table = "customers",
    .alias = "c",
    .branch_id_expr = "c.branch_id",
    .branch_path_expr = "c.branch_path",
    .customer_expr = "c.id",
    .link = "/customers/",
    .refs = customer_refs,
    .vars = customer_vars,
    .settable = no_set,
    .changed_event = "customer.changed",
    .tags = true,
};
static const struct rule_entity enterprise = {
    .name = "enterprise",
    .table = "enterprises",
    .alias = "e",
    .branch_id_expr = "e.branch_id",
    .branch_path_expr = "e.branch_path",
    .enterprise_expr = "e.id",
    .link = "/enterprises/",
    .refs = enterprise_refs,
    .vars = enterprise_vars,
    .settable = no_set,
    .changed_event = "enterprise.changed",
    .tags = true,
};
static const struct rule_entity interaction = {
    .name = "interaction",
    .table = "interactions",
    .alias = "i",
    .branch_id_expr = "(SELECT branch_id FROM customers WHERE id = i.customer_id)",
    .branch_path_expr = "i.branch_path",
    .customer_expr = "i.customer_id",
    .link = "/customers/",
    .refs = interaction_refs,
    .vars = interaction_vars,
    .settable = no_set,
};
static const struct rule_entity task = {
    .name = "task",
    .table = "tasks",
    .alias = "t",
    .branch_id_expr = "t.branch_id",
    .branch_path_expr = "t.branch_path",
    .customer_expr = "t.customer_id",
    .enterprise_expr = "t.enterprise_id",
    .link = "/tasks?task=",
    .refs = task_refs,
    .vars = task_vars,
    .settable = task_set,
    .changed_event = "task.changed",
    .filter_entity = &task_filter,
};
static const struct rule_entity ticket = {
    .name = "ticket",
    .table = "tickets",
    .alias = "k",
    .branch_id_expr = "k.branch_id",
    .branch_path_expr = "k.branch_path",
    .customer_expr = "k.customer_id",
    .enterprise_expr = "k.enterprise_id",
    .link = "/tickets/",
    .refs = ticket_refs,
    .vars = ticket_vars,
    .settable = ticket_set,
    .changed_event = "ticket.changed",
    .filter_entity = &ticket_filter,
};
static const struct rule_entity waybill = {
    .name = "waybill",
    .table = "waybills",
    .alias = "w",
    .branch_id_expr = "(SELECT branch_id FROM enterprises WHERE id = w.enterprise_id)",
    .branch_path_expr = "(SELECT branch_path FROM enterprises WHERE id = w.enterprise_id)",
    .enterprise_expr = "w.enterprise_id",
    .link = "/waybills/",
    .refs = waybill_refs,
    .vars = waybill_vars,
    .settable = no_set,
    .filter_entity = &waybill_filter,
};

const struct rule_entity *const rule_entities[] = {
    &customer, &enterprise, &interaction, &task, &ticket, &waybill, NULL,
};

const struct rule_entity *rule_entity_find(const char *name)
{
    for (const struct rule_entity *const *e = rule_entities; name && *e; e++)
        if (strcmp((*e)->name, name) == 0)
            return *e;
    return NULL;
}

const struct entity *rule_entity_filter(const struct rule_entity *re)
{
    return re->filter_entity ? re->filter_entity : entity_find(re->name);
}

/* ---- triggers ---------------------------------------------------------- */

static const struct {
    const char *event, *entity, *trigger;
} fires[] = {
    {"customer.created", "customer", "created"},
    {"customer.changed", "customer", "updated"},
    {"enterprise.created", "enterprise", "created"},
    {"enterprise.changed", "enterprise", "updated"},
    {"interaction.created", "interaction", "created"},
    {"task.created", "task", "created"},
    {"task.changed", "task", "updated"},
    {"ticket.created", "ticket", "created"},
    {"ticket.changed", "ticket", "updated"},
    {"ticket.status_changed", "ticket", "updated"},
    {"ticket.assigned", "ticket", "updated"},
    {"ticket.rated", "ticket", "rated"},
    {"ticket.escalated", "ticket", "sla_breached"},
    {"waybill.stalled", "waybill", "waybill_stalled"},
    {"statement.generated", "enterprise", "statement_generated"},
    {"statement.status_changed", "enterprise", "statement_changed"},
};

bool rule_trigger_of(const char *event_kind, const char **entity, const char **trigger)
{
    for (size_t i = 0; i < sizeof(fires) / sizeof(fires[0]); i++)
        if (strcmp(fires[i].event, event_kind) == 0) {
            *entity = fires[i].entity;
            *trigger = fires[i].trigger;
            return true;
        }
    return false;
}

bool rule_trigger_valid(const char *entity, const char *trigger)
{
    /* field_changed is an update that names the field. */
    const char *t = trigger && strcmp(trigger, "field_changed") == 0 ? "updated" : trigger;
    for (size_t i = 0; t && entity && i < sizeof(fires) / sizeof(fires[0]); i++)
        if (strcmp(fires[i].trigger, t) == 0 && strcmp(fires[i].entity, entity) == 0)
            return true;
    return false;
}
