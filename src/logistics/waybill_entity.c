/*
 * waybill_entity.c - waybills described for the record layer (record/
 * entity.h), so that the generic export writes a waybill search to CSV /
 * XLSX and the generic importer back-fills history from a CSV: the
 * fields with their labels and aliases, the search (the list's, through
 * waybill_where), and import hooks that hand each row to the feed's own
 * checks and writes (waybill_ingest.c): the same S10 / 13-digit check
 * digit named on its field, idempotent by number, rollups in the same
 * transaction. The recipient is masked in a sheet as in every answer,
 * unless the reader holds the reveal right (the export is audited).
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "core/perms.h"
#include "db/sqlbuf.h"
#include "record/entity.h"

#include <stdio.h>
#include <string.h>

#define X EF_EXPORT
#define I EF_IMPORT
#define R EF_REQUIRED

#define DICT_LABEL(code, col, lang_col)                                                            \
    "(SELECT di." lang_col " FROM dictionary_items di WHERE di.dict_code = '" code                 \
    "' AND di.value = " col ")"

static const struct entity_field fields[] = {
    {FIELD("waybill_no", "w.waybill_no", FT_TEXT, "运单号", "Waybill no.", X | I | R)},
    {FIELD("enterprise_id", "w.enterprise_id", FT_INT, "大客户ID", "Enterprise ID", X | I | R)},
    {FIELD("enterprise_name", "e.name", FT_TEXT, "大客户", "Enterprise", X)},
    {FIELD("department_id", "w.department_id", FT_INT, "部门ID", "Department ID", I)},
    {FIELD("department_name", "d.name", FT_TEXT, "部门", "Department", X)},
    {FIELD("product", "w.product", FT_SELECT, "产品", "Product", X | I | R),
     .dict = "waybill_product", .export_expr = DICT_LABEL("waybill_product", "w.product", "label"),
     .export_expr_en = DICT_LABEL("waybill_product", "w.product", "label_en")},
    {FIELD("channel", "w.channel", FT_SELECT, "下单渠道", "Channel", X | I),
     .dict = "order_channel", .export_expr = DICT_LABEL("order_channel", "w.channel", "label"),
     .export_expr_en = DICT_LABEL("order_channel", "w.channel", "label_en")},
    {FIELD("origin", "w.origin", FT_TEXT, "始发地", "Origin", X | I)},
    {FIELD("destination", "w.destination", FT_TEXT, "目的地", "Destination", X | I | R)},
    {FIELD("weight", "w.weight_g", FT_NUMBER, "重量(kg)", "Weight (kg)", X | I | R),
     .cell = CELL_GRAMS},
    {FIELD("volume_weight", "w.volume_weight_g", FT_NUMBER, "体积重(kg)", "Volume weight (kg)",
           X | I),
     .cell = CELL_GRAMS},
    {FIELD("declared_value", "w.declared_fen", FT_MONEY, "保价金额", "Declared value", X | I),
     .cell = CELL_MONEY_FEN},
    {FIELD("cod_amount", "w.cod_fen", FT_MONEY, "代收货款", "COD amount", X | I),
     .cell = CELL_MONEY_FEN},
    {FIELD("fee", "w.fee_fen", FT_MONEY, "运费", "Fee", X | I), .cell = CELL_MONEY_FEN},
    {FIELD("collected_at", "w.collected_at", FT_TIME, "揽收时间", "Collected at", X | I | R)},
    {FIELD("promised_at", "w.promised_at", FT_TIME, "承诺送达", "Promised by", X | I)},
    {FIELD("status", "w.status", FT_TEXT, "状态", "Status", X),
     .export_expr = "CASE w.status WHEN 'collected' THEN '揽收' WHEN 'in_transit' THEN '运输中' "
                    "WHEN 'delivering' THEN '派送中' WHEN 'signed' THEN '签收' WHEN 'exception' "
                    "THEN '异常' WHEN 'returned' THEN '退回' END",
     .export_expr_en = "w.status"},
    {FIELD("signed_at", "w.signed_at", FT_TIME, "签收时间", "Signed at", X)},
    {FIELD("recipient_name", "w.recipient_name", FT_TEXT, "收件人", "Recipient", X | I),
     .mask = MASK_NAME},
    {FIELD("recipient_phone", "w.recipient_phone", FT_PHONE, "收件人电话", "Recipient phone",
           X | I),
     .mask = MASK_PHONE},
    {FIELD("recipient_address", "w.recipient_address", FT_TEXT, "收件地址", "Recipient address",
           X | I),
     .mask = MASK_ADDRESS},
    {FIELD("id", "w.id", FT_INT, "ID", "ID", EF_INTERNAL)},
    {.key = NULL},
};

static const char *const aliases[][2] = {
    {"运单编号", "waybill_no"},
    {"单号", "waybill_no"},
    {"企业ID", "enterprise_id"},
    {"客户ID", "enterprise_id"},
    {"产品类型", "product"},
    {"业务类型", "product"},
    {"渠道", "channel"},
    {"寄件地", "origin"},
    {"收件地", "destination"},
    {"重量", "weight"},
    {"计费重量", "weight"},
    {"体积重量", "volume_weight"},
    {"保价", "declared_value"},
    {"代收款", "cod_amount"},
    {"资费", "fee"},
    {"揽收日期", "collected_at"},
    {"承诺时效", "promised_at"},
    {"收件人姓名", "recipient_name"},
    {"收件人手机", "recipient_phone"},
    {"收件人地址", "recipient_address"},
    {NULL, NULL},
};

/* A time as a sheet writes it ("2026-11-30 09:12", "2026/11/30 9:12:05",
 * a date alone) is +08:00 business time: the ISO text the feed takes. */
static json_t *convert(const char *key, const char *cell)
{
    if (strcmp(key, "collected_at") != 0 && strcmp(key, "promised_at") != 0)
        return NULL;
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    char sep1, sep2;
    int n = sscanf(cell, "%4d%c%2d%c%2d%n %2d:%2d%n:%2d%n", &y, &sep1, &mo, &sep2, &d, &used, &h,
                   &mi, &used, &sec, &used);
    if ((n != 5 && n != 7 && n != 8) || sep1 != sep2 || (sep1 != '-' && sep1 != '/') ||
        cell[used] != '\0')
        return NULL; /* ISO with an offset, or nonsense: the check names it */
    char iso[40];
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, mo, d, h, mi, sec);
    return json_string(iso);
}

static void *open_state(void)
{
    return waybill_import_open();
}

static void close_state(void *state)
{
    waybill_import_close(state);
}

static int check(struct import_ctx *c, json_t *in, json_t *tag_ids, json_t *errors,
                 enum import_outcome *outcome, void **prepared)
{
    (void)tag_ids;
    *prepared = NULL;
    int out;
    int rc = waybill_import_row(c->state, c->db, c->user, c->lang, in, c->dry_run, c->update,
                                errors, &out);
    /* Written on the spot (a row is the feed's line): nothing to queue. */
    *outcome = out == WAYBILL_IMPORT_CREATED   ? IMPORT_CREATE
               : out == WAYBILL_IMPORT_UPDATED ? IMPORT_UPDATED
               : out == WAYBILL_IMPORT_REFUSED ? IMPORT_FAILED
                                               : IMPORT_SKIPPED;
    return rc;
}

static int write_row(struct import_ctx *c, void *prepared)
{
    (void)c;
    (void)prepared;
    return 0;
}

static void discard(void *prepared)
{
    (void)prepared;
}

static int flush(struct import_ctx *c)
{
    return waybill_import_flush(c->state, c->db);
}

/* What waybill_where may find wrong, and its message (static texts: the
 * export keeps the pointers). */
static const char *const bad_params[][2] = {
    {"number", "waybill.no_format"},
    {"enterprise_id", "field.not_integer"},
    {"department_id", "field.not_integer"},
    {"from", "field.date"},
    {"to", "field.date"},
    {"status", "waybill.status"},
    {"recipient_phone", "waybill.phone_search"},
};

static int search(struct db *db, const struct actor *u, json_t *params, struct sqlbuf *w,
                  const char **err_field, const char **err_key)
{
    (void)db;
    json_t *bad = json_object();
    waybill_where(u, params, w, bad);
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(bad_params) / sizeof(bad_params[0]); i++)
        if (json_object_get(bad, bad_params[i][0])) {
            *err_field = bad_params[i][0];
            *err_key = bad_params[i][1];
            rc = -1;
        }
    json_decref(bad);
    return rc;
}

static const char *const export_params[] = {
    "number", "enterprise_id", "department_id",   "from", "to",
    "status", "product",       "recipient_phone", NULL};
static const char *const default_columns[] = {
    "waybill_no",
    "enterprise_name",
    "product",
    "channel",
    "destination",
    "weight",
    "fee",
    "collected_at",
    "status",
    "signed_at",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
    NULL,
};

/* clang-format off */
static const struct entity_export export = {
    .from = WAYBILL_FROM, .count_from = WAYBILL_FROM, .page_key = "w.collected_at",
    .columns_required = false, .default_columns = default_columns, .params = export_params,
    .sheet = "运单", .sheet_en = "Waybills", .file = "运单导出", .file_en = "waybills",
};

static const struct entity_import import = {
    .aliases = aliases, .convert = convert, .missing_required = "import.needs_waybill",
    .open = open_state, .close = close_state,
    .check = check, .write = write_row, .discard = discard, .flush = flush,
    .bulk_begin = NULL, .bulk_finish = NULL,
};

/* Reading: whoever sees the enterprise (enterprises.read); importing is
 * back-filling history for any enterprise, as the feeds do: admins. */
const struct entity entity_waybill = {
    .name = "waybill", .collection = "waybills", .label = "运单", .label_en = "Waybills",
    .table = "waybills", .alias = "w", .scope_column = NULL, .custom_column = NULL, .tags = false,
    .perm_read = PERM_ENTERPRISES, .perm_write = PERM_ADMIN, .perm_reveal = PERM_REVEAL,
    .search = search, .fields = fields, .refs = NULL, .export = &export, .import = &import,
};
/* clang-format on */
