/*
 * interaction_entity.c - business records (业务记录) described for the
 * record layer (record/entity.h): the form's fields with the labels the UI
 * shows, the export columns (a record's customer included) and the export
 * hook that selects what the list selects.
 */

#include "core/perms.h"
#include "crm/interaction.h"
#include "record/entity.h"
#include "db/sqlbuf.h"

#define F EF_FILTER
#define S EF_SORT
#define X EF_EXPORT
#define R EF_REQUIRED

/* Dictionary labels for the reader's language, the code when none. */
#define DICT_LABEL(a, col)    "COALESCE(" a ".label, " col ")"
#define DICT_LABEL_EN(a, col) "COALESCE(NULLIF(" a ".label_en, ''), " a ".label, " col ")"

static const struct entity_field fields[] = {
    {FIELD("customer_id", "i.customer_id", FT_REF, "客户", "Customer", F | R)},
    {FIELD("type", "i.type", FT_SELECT, "业务类型", "Type", F | X | R), .dict = "business_type",
     .header_en = "Business type", .export_expr = DICT_LABEL("bt", "i.type"),
     .export_expr_en = DICT_LABEL_EN("bt", "i.type")},
    {FIELD("occurred_at", "i.occurred_at", FT_TIME, "办理时间", "Done at", F | S | X | R),
     .header_en = "Date and time"},
    {FIELD("channel", "i.channel", FT_SELECT, "渠道", "Channel", F | X), .dict = "channel",
     .header = "办理渠道", .export_expr = DICT_LABEL("ch", "i.channel"),
     .export_expr_en = DICT_LABEL_EN("ch", "i.channel")},
    {FIELD("description", "i.description", FT_TEXTAREA, "业务描述", "Description", F | X)},
    {FIELD("tracking_no", "i.tracking_no", FT_TEXT, "邮件号", "Tracking no.", F | X)},
    {FIELD("destination", "i.destination", FT_TEXT, "目的地", "Destination", F | X)},
    {FIELD("amount", "(i.amount_fen / 100.0)", FT_MONEY, "金额", "Amount", F | X),
     .cell = CELL_MONEY_FEN, .header = "金额（元）", .header_en = "Amount (yuan)",
     .export_expr = "i.amount_fen"},
    {FIELD("handled_by", "i.handled_by", FT_REF, "经办人", "Handled by", F | X),
     .export_expr = "u.name"},
    {FIELD("branch", "i.branch_id", FT_REF, "网点", "Branch", F | X), .header = "办理网点",
     .export_expr = "hb.name"},
    /* the record's customer, for the export */
    {FIELD("customer_no", "c.customer_no", FT_TEXT, "客户编号", "Customer no.", F | X)},
    {FIELD("customer_name", "c.name", FT_TEXT, "客户姓名", "Customer", F | X)},
    {FIELD("customer_phone", "c.phone", FT_PHONE, "手机号", "Mobile", F | X), .mask = MASK_PHONE},
    {FIELD("created_at", "i.created_at", FT_TIME, "创建时间", "Created", F | S)},
    {FIELD("id", "i.id", FT_INT, "ID", "ID", F | EF_INTERNAL)},
    {.key = NULL},
};

/* The list's filters (type, from, to, handled_by, branch_id, customer_id). */
static int search(struct db *db, const struct actor *u, json_t *params, struct sqlbuf *w,
                  const char **err_field, const char **err_key)
{
    struct interaction_query iq;
    const char *bad;
    if (interaction_query_parse(db, params, &iq, &bad)) {
        *err_field = bad;
        *err_key = interaction_query_error(bad);
        return -1;
    }
    interaction_where(u, &iq, w);
    return 0;
}

static const char *const export_params[] = {"type",      "from",        "to", "handled_by",
                                            "branch_id", "customer_id", NULL};
static const char *const default_columns[] = {
    "occurred_at", "customer_no", "customer_name", "customer_phone", "type",       "description",
    "tracking_no", "destination", "amount",        "channel",        "handled_by", "branch",
    NULL,
};

static const struct entity_export export = {
    .from = INTERACTION_FROM " LEFT JOIN dictionary_items bt ON bt.dict_code = 'business_type' "
                             "AND bt.value = i.type LEFT JOIN dictionary_items ch ON "
                             "ch.dict_code = 'channel' AND ch.value = i.channel LEFT JOIN "
                             "branches hb ON hb.id = i.branch_id",
    .count_from = INTERACTION_FROM,
    .page_key = "i.occurred_at",
    .columns_required = false,
    .default_columns = default_columns,
    .params = export_params,
    .sheet = "业务记录",
    .sheet_en = "Business records",
    .file = "业务记录导出",
    .file_en = "business-records",
};

const struct entity entity_interaction = {
    .name = "interaction",
    .collection = "interactions",
    .label = "业务记录",
    .label_en = "Business records",
    .table = "interactions",
    .alias = "i",
    .custom_column = NULL,
    .scope_column = "i.branch_path",
    .tags = false,
    .perm_read = PERM_CUSTOMERS_READ,
    .perm_write = PERM_INTERACTIONS,
    .perm_reveal = PERM_REVEAL,
    .search = search,
    .fields = fields,
    .export = &export,
};
