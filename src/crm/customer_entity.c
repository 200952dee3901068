/*
 * customer_entity.c - individual customers (个人客户) described for the
 * record layer (record/entity.h): fields in form order with the labels the
 * UI shows, what points at a customer, and the export and import hooks.
 */

#include "core/perms.h"
#include "crm/customer.h"
#include "crm/customer_ids.h"
#include "crm/customer_import.h"
#include "record/entity.h"
#include "record/record_api.h"
#include "db/sqlbuf.h"

#include <string.h>

#define F   EF_FILTER
#define S   EF_SORT
#define X   EF_EXPORT
#define I   EF_IMPORT
#define R   EF_REQUIRED
#define INT EF_INTERNAL

static const char *const genders[][3] = {
    {"male", "男", "Male"},
    {"female", "女", "Female"},
    {NULL, NULL, NULL},
};

static const char *const consents[][3] = {
    {"granted", "同意", "Granted"},
    {"refused", "拒绝", "Refused"},
    {"unknown", "未知", "Unknown"},
    {NULL, NULL, NULL},
};

static const char *const consent_sources[][3] = {
    {"counter", "柜台", "Counter"}, {"paper", "纸质表单", "Paper form"}, {"phone", "电话", "Phone"},
    {"web", "网上", "Web"},         {"import", "导入", "Import"},        {NULL, NULL, NULL},
};

static const struct entity_field fields[] = {
    {FIELD("customer_no", "c.customer_no", FT_TEXT, "客户编号", "Customer no.",
           F | S | X | EF_AUTO)},
    {FIELD("name", "c.name", FT_TEXT, "姓名", "Name", F | S | X | I | R)},
    {FIELD("gender", "c.gender", FT_SELECT, "性别", "Gender", F | X | I), .cell = CELL_GENDER,
     .options = genders},
    {FIELD("phone", "c.phone", FT_PHONE, "手机号", "Mobile", F | X | I | R), .mask = MASK_PHONE},
    /* sealed at rest (crm/customer_ids.h): filtered through its index */
    {FIELD("id_number", "c.id_index", FT_TEXT, "身份证号", "ID number", F | X | I), .mask = MASK_ID,
     .export_expr = "c.id_sealed", .lookup = customer_id_lookup, .open = customer_id_open},
    {FIELD("birthday", "c.birthday", FT_DATE, "生日", "Birthday", F | X | I), .mask = MASK_YEAR},
    {FIELD("birthday_lunar", "c.birthday_lunar", FT_BOOLEAN, "农历生日", "Lunar birthday", F | X),
     .cell = CELL_TEXT},
    {FIELD("address", "c.address", FT_TEXT, "详细地址", "Address", F | X | I)},
    {FIELD("region", "c.region", FT_TEXT, "所在区域", "Region", F | X | I), .dict = "region"},
    {FIELD("occupation", "c.occupation", FT_TEXT, "职业", "Occupation", F | X | I),
     .dict = "occupation"},
    {FIELD("interests", "c.interests", FT_ARRAY, "兴趣偏好", "Interests", F | X | I)},
    {FIELD("business_prefs", "c.business_prefs", FT_ARRAY, "业务偏好", "Business preferences",
           F | X | I)},
    {FIELD("service_level", "c.service_level", FT_TEXT, "服务需求等级", "Service level", F | X | I),
     .dict = "service_level"},
    {FIELD("level", "c.level", FT_TEXT, "客户等级", "Customer level", F | X | I),
     .dict = "customer_level"},
    {FIELD("email", "c.email", FT_TEXT, "电子邮箱", "E-mail", F | X), .mask = MASK_EMAIL},
    {FIELD("marketing_consent", "c.marketing_consent", FT_SELECT, "营销同意", "Marketing consent",
           F | X),
     .options = consents},
    {FIELD("consent_at", "c.consent_at", FT_TIME, "同意记录时间", "Consent recorded",
           F | X | EF_AUTO)},
    {FIELD("consent_source", "c.consent_source", FT_SELECT, "同意来源", "Consent source", F | X),
     .options = consent_sources},
    {FIELD("sms_opt_out", "c.sms_opt_out", FT_BOOLEAN, "退订短信", "SMS opt-out", F | X),
     .cell = CELL_TEXT},
    {FIELD("email_opt_out", "c.email_opt_out", FT_BOOLEAN, "退订邮件", "E-mail opt-out", F | X),
     .cell = CELL_TEXT},
    {FIELD("tags", NULL, FT_TAGS, "标签", "Tags", F | X | I)},
    {FIELD("owner_id", "c.owner_id", FT_REF, "客户经理", "Account manager", F | X),
     .export_expr = "o.name"},
    {FIELD("branch_id", "c.branch_id", FT_BRANCH, "网点", "Branch", F | X),
     .export_expr = "b.name"},
    {FIELD("created_at", "c.created_at", FT_TIME, "创建时间", "Created", F | S | X | EF_AUTO)},
    {FIELD("updated_at", "c.updated_at", FT_TIME, "更新时间", "Updated", F | S | X | EF_AUTO)},
    {FIELD("last_visit_at", "c.last_visit_at", FT_TIME, "最近到访", "Last visit",
           F | S | X | EF_AUTO)},
    {FIELD("visits_90d", "c.visits_90d", FT_INT, "近90天到访次数", "Visits in 90 days",
           F | X | EF_AUTO)},
    {FIELD("spend_12m", "(c.spend_12m_fen / 100.0)", FT_MONEY, "近12个月消费", "Spend in 12 months",
           F | S | X | EF_AUTO),
     .cell = CELL_TEXT},
    {FIELD("top_types", "c.top_types", FT_ARRAY, "常办业务", "Most used business", F | X | EF_AUTO),
     .dict = "business_type"},
    {FIELD("id", "c.id", FT_INT, "ID", "ID", F | X | INT)},
    /* month-day of the birthday ("08-15"), solar or lunar: reminders and
     * "birthdays this month" filters */
    {FIELD("birthday_md", "substr(c.birthday, 6, 5)", FT_TEXT, "生日月日", "Birthday month-day",
           F | INT)},
    {FIELD("birthday_lunar_md", "c.birthday_lunar_md", FT_TEXT, "农历生日月日", "Lunar birthday",
           F | INT)},
    {.key = NULL},
};

/* A customer's business records and to-dos follow it into a merge and stay
 * with the erased husk (the counts of the branch stay right). */
static const struct entity_ref refs[] = {
    {"interactions", "customer_id", REF_KEEP, NULL},
    {"tasks", "customer_id", REF_KEEP, NULL},
    /* an enterprise contact linked to the person: the link follows a
     * merge, and an erased person is no longer linked */
    {"enterprise_contacts", "customer_id", REF_NULL, NULL},
    {.table = NULL},
};

/* The search (record/entity.h): the list's WHERE (scope, quick search q, filter). */
static int search(struct db *db, const struct actor *u, json_t *params, struct sqlbuf *w,
                  const char **err_field, const char **err_key)
{
    return record_api_search(customer_where, db, u, params, w, err_field, err_key);
}

static const char *const export_params[] = {"q", "filter", "ids", NULL};

/* The descriptors, their members in groups, a line each. */
/* clang-format off */
static const struct entity_export export = {
    .from = CUSTOMER_FROM, .count_from = "customers c", .page_key = NULL,
    .columns_required = true, .params = export_params,
    .sheet = "客户", .sheet_en = "Customers", .file = "客户导出", .file_en = "customers",
};

const struct entity entity_customer = {
    .name = "customer", .collection = "customers", .label = "个人客户", .label_en = "Customers",
    .table = "customers", .alias = "c", .scope_column = "c.branch_path",
    .custom_column = "c.custom", .tags = true,
    .perm_read = PERM_CUSTOMERS_READ, .perm_write = PERM_CUSTOMERS_WRITE,
    .perm_reveal = PERM_REVEAL,
    .search = search, .protect = customer_ids_protect, .fields = fields, .refs = refs, .export = &export, .import = &customer_import,
};
/* clang-format on */
