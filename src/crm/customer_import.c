/*
 * customer_import.c - what importing customers needs beyond the generic
 * pipeline (record/import_pipeline.c): the column titles people use, the
 * gender words, and the check of each row: a duplicate by phone or ID
 * number (in scope: skipped or updated; another branch's: the row fails),
 * customer_check() — the very code the form uses — and the batch that
 * writes new customers 64 at a time or loads them in bulk.
 */
#include "crm/customer_import.h"

#include "base/i18n.h"
#include "base/validate.h"
#include "base/xmalloc.h"
#include "crm/customer.h"
#include "record/tags.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Column titles people use for each field, beside the field labels. */
static const char *const aliases[][2] = {
    {"姓名", "name"},
    {"客户姓名", "name"},
    {"名字", "name"},
    {"手机号", "phone"},
    {"手机", "phone"},
    {"手机号码", "phone"},
    {"电话", "phone"},
    {"联系电话", "phone"},
    {"身份证号", "id_number"},
    {"身份证", "id_number"},
    {"身份证号码", "id_number"},
    {"证件号码", "id_number"},
    {"性别", "gender"},
    {"生日", "birthday"},
    {"出生日期", "birthday"},
    {"详细地址", "address"},
    {"地址", "address"},
    {"所在区域", "region"},
    {"区域", "region"},
    {"地区", "region"},
    {"职业", "occupation"},
    {"兴趣偏好", "interests"},
    {"兴趣", "interests"},
    {"业务偏好", "business_prefs"},
    {"服务需求等级", "service_level"},
    {"客户等级", "level"},
    {"等级", "level"},
    {"标签", "tags"},
    {NULL, NULL},
};

static json_t *convert(const char *key, const char *cell)
{
    if (strcmp(key, "gender") != 0)
        return NULL;
    const char *g =
        strcmp(cell, "男") == 0 || strcasecmp(cell, "m") == 0 || strcasecmp(cell, "male") == 0
            ? "male"
        : strcmp(cell, "女") == 0 || strcasecmp(cell, "f") == 0 || strcasecmp(cell, "female") == 0
            ? "female"
            : cell;
    return json_string(g);
}

static void *open_state(void)
{
    return xcalloc(1, sizeof(struct customer_batch));
}

static void close_state(void *state)
{
    customer_batch_end(state);
    free(state);
}

/* The row's phone and ID number in their validated forms ("" when absent
 * or invalid: customer_check reports those). */
static void identity(json_t *in, char phone[12], struct validate_id_info *info)
{
    struct validate_ymd today;
    const char *raw_phone = json_string_value(json_object_get(in, "phone"));
    const char *raw_id = json_string_value(json_object_get(in, "id_number"));
    validate_today(&today);
    if (!raw_phone || validate_mobile(raw_phone, phone))
        phone[0] = '\0';
    if (!raw_id || validate_id_number(raw_id, &today, info))
        info->id[0] = '\0';
}

/* An existing customer with the same phone or ID number: *outcome set when
 * that decides the row (skipped; failed: another branch's), else *cur is
 * the one to update (or stays NULL: a new customer). */
static int find_duplicate(struct import_ctx *c, json_t *in, json_t *errors,
                          enum import_outcome *outcome, json_t **cur)
{
    struct customer_batch *b = c->state;
    char phone[12] = "";
    struct validate_id_info info = {0};
    identity(in, phone, &info);
    if (b->bulk) {
        /* Stored customers and earlier rows, from memory (no index now). */
        enum customer_known k = customer_batch_known(b, phone, info.id);
        if (k == CUSTOMER_KNOWN_IN_SCOPE)
            *outcome = IMPORT_SKIPPED;
        else if (k == CUSTOMER_KNOWN_ELSEWHERE)
            json_object_set_new(errors, "phone", json_string(i18n_msg(c->lang, "duplicate")));
        return 0;
    }
    /* A duplicate of a row of this file still waiting in the batch. */
    if (customer_batch_queued(b, phone, info.id)) {
        if (!c->update) {
            *outcome = IMPORT_SKIPPED;
            return 0;
        }
        int rc = customer_batch_flush(c->db, b);
        if (rc)
            return rc;
    }
    json_t *dups = customer_duplicates(c->db, c->user, phone[0] ? phone : NULL,
                                       info.id[0] ? info.id : NULL, 0);
    json_t *first = json_array_get(dups, 0);
    if (first && json_is_true(json_object_get(first, "other_branch")))
        json_object_set_new(errors, "phone", json_string(i18n_msg(c->lang, "duplicate")));
    else if (first && !c->update)
        *outcome = IMPORT_SKIPPED;
    else if (first)
        *cur =
            customer_load(c->db, c->user, json_integer_value(json_object_get(first, "id")), false);
    json_decref(dups);
    return 0;
}

static int check(struct import_ctx *c, json_t *in, json_t *tag_ids, json_t *errors,
                 enum import_outcome *outcome, void **prepared)
{
    struct customer_batch *b = c->state;
    json_t *cur = NULL, *rec = json_object();
    *outcome = IMPORT_FAILED;
    *prepared = NULL;
    int rc = find_duplicate(c, in, errors, outcome, &cur);
    if (rc || *outcome == IMPORT_SKIPPED)
        goto out;
    if ((rc = customer_check(c->db, c->user, c->lang, in, cur, rec, errors)) != 0 ||
        json_object_size(errors))
        goto out;
    *outcome = cur ? IMPORT_UPDATED : IMPORT_CREATE;
    if (c->dry_run)
        goto out;
    if (!cur) {
        if (b->bulk)
            customer_batch_note(b, rec);
        *prepared = customer_row_new(c->user, rec, tag_ids);
        goto out;
    }
    int64_t id = json_integer_value(json_object_get(cur, "id"));
    rc = customer_update(c->db, NULL, c->user, id, cur, rec);
    size_t i;
    json_t *t;
    json_array_foreach(tag_ids, i, t) if (!rc) rc =
        tags_attach(c->db, entity_customer.name, id, json_integer_value(t));
out:
    json_decref(cur);
    json_decref(rec);
    return rc;
}

static int write_row(struct import_ctx *c, void *prepared)
{
    return customer_batch_add_row(c->db, c->state, prepared);
}

static void discard(void *prepared)
{
    customer_row_free(prepared);
}

static int flush(struct import_ctx *c)
{
    return customer_batch_flush(c->db, c->state);
}

static int bulk_begin(struct import_ctx *c)
{
    return customer_batch_bulk_begin(c->db, c->user, c->state);
}

static int bulk_finish(struct import_ctx *c, void (*step)(void *arg, int done, int steps),
                       void *arg)
{
    struct customer_batch *b = c->state;
    b->on_step = step;
    b->step_arg = arg;
    return customer_batch_bulk_finish(c->db, b);
}

const struct entity_import customer_import = {
    .aliases = aliases,
    .convert = convert,
    .missing_required = "import.needs_name_phone",
    .open = open_state,
    .close = close_state,
    .check = check,
    .write = write_row,
    .discard = discard,
    .flush = flush,
    .bulk_begin = bulk_begin,
    .bulk_finish = bulk_finish,
};
