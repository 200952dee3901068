/*
 * entity.c - the entity descriptors (see entity.h).
 */
#include "record/entity.h"

#include <string.h>

#define F EF_FILTER
#define S EF_SORT
#define X EF_EXPORT

static const struct entity_field customer_fields[] = {
    {"id", "c.id", FT_INT, "ID", "ID", F | X},
    {"customer_no", "c.customer_no", FT_TEXT, "客户编号", "Customer no.", F | S | X},
    {"name", "c.name", FT_TEXT, "姓名", "Name", F | S | X},
    {"gender", "c.gender", FT_SELECT, "性别", "Gender", F | X},
    {"phone", "c.phone", FT_PHONE, "手机号", "Mobile", F | X | EF_MASK_PHONE},
    {"id_number", "c.id_number", FT_TEXT, "身份证号", "ID number", F | X | EF_MASK_ID},
    {"birthday", "c.birthday", FT_DATE, "生日", "Birthday", F | X},
    {"birthday_lunar", "c.birthday_lunar", FT_BOOLEAN, "农历生日", "Lunar birthday", F | X},
    /* month-day of the birthday ("08-15"), solar or lunar: reminders and
     * "birthdays this month" filters */
    {"birthday_md", "substr(c.birthday, 6, 5)", FT_TEXT, "生日月日", "Birthday month-day", F},
    {"birthday_lunar_md", "c.birthday_lunar_md", FT_TEXT, "农历生日月日", "Lunar birthday", F},
    {"address", "c.address", FT_TEXT, "详细地址", "Address", F | X},
    {"region", "c.region", FT_TEXT, "所在区域", "Region", F | X},
    {"occupation", "c.occupation", FT_TEXT, "职业", "Occupation", F | X},
    {"interests", "c.interests", FT_ARRAY, "兴趣偏好", "Interests", F | X},
    {"business_prefs", "c.business_prefs", FT_ARRAY, "业务偏好", "Business preferences", F | X},
    {"service_level", "c.service_level", FT_TEXT, "服务需求等级", "Service need level", F | X},
    {"level", "c.level", FT_TEXT, "客户等级", "Customer level", F | X},
    {"tags", NULL, FT_TAGS, "标签", "Tags", F | X},
    {"owner_id", "c.owner_id", FT_INT, "客户经理", "Account manager", F | X},
    {"branch_id", "c.branch_id", FT_BRANCH, "网点", "Branch", F | X},
    {"created_at", "c.created_at", FT_TIME, "创建时间", "Created", F | S | X},
    {"updated_at", "c.updated_at", FT_TIME, "更新时间", "Updated", F | S | X},
    {"last_visit_at", "c.last_visit_at", FT_TIME, "最近到访", "Last visit", F | S | X},
    {"visits_90d", "c.visits_90d", FT_INT, "近90天到访次数", "Visits in 90 days", F | X},
    {"spend_12m", "(c.spend_12m_fen / 100.0)", FT_MONEY, "近12个月消费", "Spend in 12 months",
     F | X},
    {"top_types", "c.top_types", FT_ARRAY, "常办业务", "Most used business", F | X},
    {NULL, NULL, 0, NULL, NULL, 0},
};

const struct entity entity_customer = {
    .name = "customer",
    .table = "customers",
    .alias = "c",
    .custom_column = "c.custom",
    .scope_column = "c.branch_path",
    .fields = customer_fields,
};

const struct entity *entity_find(const char *name)
{
    if (name && strcmp(name, "customer") == 0)
        return &entity_customer;
    return NULL;
}

const struct entity_field *entity_field(const struct entity *e, const char *key)
{
    for (const struct entity_field *f = e->fields; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

static const char *const type_names[] = {
    [FT_TEXT] = "text",
    [FT_TEXTAREA] = "textarea",
    [FT_NUMBER] = "number",
    [FT_MONEY] = "money",
    [FT_DATE] = "date",
    [FT_SELECT] = "select",
    [FT_MULTISELECT] = "multiselect",
    [FT_PHONE] = "phone",
    [FT_EMAIL] = "email",
    [FT_BOOLEAN] = "boolean",
};

int entity_type_from_name(const char *name)
{
    for (int i = 0; i <= FT_BOOLEAN; i++)
        if (name && strcmp(type_names[i], name) == 0)
            return i;
    return -1;
}

const char *entity_type_name(enum field_type t)
{
    return t <= FT_BOOLEAN ? type_names[t] : "builtin";
}
