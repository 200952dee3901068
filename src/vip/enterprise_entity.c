/*
 * enterprise_entity.c - VIP enterprises (大客户) described for the record
 * layer (record/entity.h): fields in form order with the labels the UI
 * shows, what points at an enterprise, and the export hooks. Custom
 * fields, tags, segments, filters, history and exports work from this.
 */

#include "core/perms.h"
#include "db/sqlbuf.h"
#include "record/entity.h"
#include "record/record_api.h"
#include "vip/enterprise_int.h"

#define F EF_FILTER
#define S EF_SORT
#define X EF_EXPORT
#define I EF_IMPORT
#define R EF_REQUIRED

static const char *const statuses[][3] = {
    {"prospect", "潜在", "Prospect"},
    {"active", "合作中", "Active"},
    {"dormant", "休眠", "Dormant"},
    {"lost", "已流失", "Lost"},
    {NULL, NULL, NULL},
};

static const char *const settlements[][3] = {
    {"monthly", "月结", "Monthly"},
    {"cash", "现结", "Cash"},
    {"prepaid", "预付", "Prepaid"},
    {NULL, NULL, NULL},
};

static const struct entity_field fields[] = {
    {FIELD("customer_no", "e.customer_no", FT_TEXT, "客户编号", "Customer no.",
           F | S | X | EF_AUTO)},
    {FIELD("name", "e.name", FT_TEXT, "企业名称", "Name", F | S | X | I | R)},
    {FIELD("short_name", "e.short_name", FT_TEXT, "简称", "Short name", F | X | I)},
    {FIELD("uscc", "e.uscc", FT_TEXT, "统一社会信用代码", "USCC", F | X | I)},
    {FIELD("industry", "e.industry", FT_SELECT, "行业", "Industry", F | X | I), .dict = "industry"},
    {FIELD("size", "e.size", FT_SELECT, "企业规模", "Size", F | X | I), .dict = "enterprise_size"},
    {FIELD("address", "e.address", FT_TEXT, "地址", "Address", F | X | I)},
    {FIELD("region", "e.region", FT_TEXT, "所在区域", "Region", F | X | I), .dict = "region"},
    {FIELD("website", "e.website", FT_TEXT, "网站", "Website", F | X | I)},
    {FIELD("tier", "e.tier", FT_SELECT, "大客户等级", "VIP tier", F | X | I), .dict = "vip_tier"},
    {FIELD("status", "e.status", FT_SELECT, "状态", "Status", F | X | I), .options = statuses},
    {FIELD("acquired_on", "e.acquired_on", FT_DATE, "签约日期", "Acquired on", F | S | X | I)},
    {FIELD("owner_id", "e.owner_id", FT_REF, "专属客户经理", "Account manager", F | X),
     .export_expr = "o.name"},
    {FIELD("supervisor_id", "e.supervisor_id", FT_REF, "升级主管", "Escalation supervisor", F | X),
     .export_expr = "sv.name"},
    {FIELD("credit_days", "e.credit_days", FT_INT, "账期（天）", "Credit terms (days)", F | X | I)},
    {FIELD("credit_limit", "(e.credit_limit_fen / 100.0)", FT_MONEY, "信用额度", "Credit limit",
           F | S | X | I),
     .cell = CELL_MONEY_FEN, .header = "信用额度（元）", .header_en = "Credit limit (yuan)",
     .export_expr = "e.credit_limit_fen"},
    {FIELD("billing_day", "e.billing_day", FT_INT, "账单日", "Billing day", F | X | I)},
    {FIELD("settlement", "e.settlement", FT_SELECT, "结算方式", "Settlement", F | X | I),
     .options = settlements},
    {FIELD("order_channels", "e.order_channels", FT_ARRAY, "下单渠道", "Order channels", F | X | I),
     .dict = "order_channel"},
    {FIELD("price_sensitivity", "e.price_sensitivity", FT_SELECT, "价格敏感度", "Price sensitivity",
           F | X | I),
     .dict = "price_sensitivity"},
    {FIELD("timeliness", "e.timeliness", FT_SELECT, "时效偏好", "Timeliness", F | X | I),
     .dict = "timeliness"},
    {FIELD("value_added", "e.value_added", FT_ARRAY, "增值服务需求", "Value-added needs",
           F | X | I),
     .dict = "value_added"},
    /* Shipping figures (logistics; enterprise_int.h). */
    {FIELD("last_waybill_at", ENTERPRISE_LAST_WAYBILL, FT_TIME, "最近寄件时间", "Last waybill", F)},
    {FIELD("spend_90d", "(" ENTERPRISE_90D("fee_fen") " / 100.0)", FT_MONEY, "近90天寄递金额",
           "Spend, last 90 days", F)},
    {FIELD("pieces_90d", ENTERPRISE_90D("pieces"), FT_INT, "近90天寄件量", "Pieces, last 90 days",
           F)},
    {FIELD("tags", NULL, FT_TAGS, "标签", "Tags", F | X | I)},
    /* The primary contact, for exports (a sheet of enterprises is a
     * calling list): the mobile masked for roles without the reveal
     * right, as in every answer. Not filters: the quick search finds a
     * contact's mobile, by the whole number or its last four only. */
    {FIELD("contact_name", NULL, FT_TEXT, "主联系人", "Primary contact", X),
     .export_expr = "(SELECT pc.name FROM enterprise_contacts pc WHERE pc.enterprise_id = e.id "
                    "AND pc.is_primary = 1)"},
    {FIELD("contact_mobile", NULL, FT_PHONE, "主联系人手机", "Contact mobile", X),
     .mask = MASK_PHONE,
     .export_expr = "(SELECT pc.mobile FROM enterprise_contacts pc WHERE pc.enterprise_id = e.id "
                    "AND pc.is_primary = 1)"},
    {FIELD("branch_id", "e.branch_id", FT_BRANCH, "网点", "Branch", F | X),
     .export_expr = "b.name"},
    {FIELD("created_at", "e.created_at", FT_TIME, "创建时间", "Created", F | S | X | EF_AUTO)},
    {FIELD("updated_at", "e.updated_at", FT_TIME, "更新时间", "Updated", F | S | X | EF_AUTO)},
    {FIELD("id", "e.id", FT_INT, "ID", "ID", F | X | EF_INTERNAL)},
    {.key = NULL},
};

static int search(struct db *db, const struct actor *u, json_t *params, struct sqlbuf *w,
                  const char **err_field, const char **err_key)
{
    return record_api_search(enterprise_where, db, u, params, w, err_field, err_key);
}

static const char *const export_params[] = {"q", "filter", "ids", NULL};
static const char *const default_columns[] = {
    "customer_no", "name",      "uscc",         "industry",       "tier", "status",
    "owner_id",    "branch_id", "contact_name", "contact_mobile", NULL,
};

/* clang-format off */
static const struct entity_export export = {
    .from = ENTERPRISE_FROM, .count_from = "enterprises e", .page_key = NULL,
    .columns_required = false, .default_columns = default_columns, .params = export_params,
    .sheet = "大客户", .sheet_en = "Enterprises", .file = "大客户导出", .file_en = "enterprises",
};

const struct entity entity_enterprise = {
    .name = "enterprise", .collection = "enterprises", .label = "大客户", .label_en = "Enterprises",
    .table = "enterprises", .alias = "e", .scope_column = "e.branch_path",
    .custom_column = "e.custom", .tags = true,
    .perm_read = PERM_ENTERPRISES, .perm_write = PERM_VIP_WRITE, .perm_reveal = PERM_REVEAL,
    .search = search, .fields = fields, .refs = NULL, .export = &export,
    .import = &enterprise_import,
};
/* clang-format on */
