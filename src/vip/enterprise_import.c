/*
 * enterprise_import.c - what importing enterprises needs beyond the
 * generic pipeline (record/import_pipeline.c): the column titles people
 * use, and the check of each row: enterprise_check() — the code the form
 * uses — and a duplicate by USCC (in the importer's view: skipped or
 * updated; anyone else's: the row fails). Rows are written one by one in
 * the pipeline's transaction: enterprises come by the thousand, not by the
 * million, so no bulk path.
 */
#include "vip/enterprise_int.h"

#include "base/i18n.h"
#include "db/db.h"
#include "record/tags.h"

#include <stdio.h>
#include <string.h>

static const char *const aliases[][2] = {
    {"企业名称", "name"},     {"公司名称", "name"},
    {"单位名称", "name"},     {"名称", "name"},
    {"简称", "short_name"},   {"统一社会信用代码", "uscc"},
    {"信用代码", "uscc"},     {"行业", "industry"},
    {"规模", "size"},         {"地址", "address"},
    {"区域", "region"},       {"网址", "website"},
    {"等级", "tier"},         {"客户等级", "tier"},
    {"状态", "status"},       {"账期", "credit_days"},
    {"额度", "credit_limit"}, {"结算方式", "settlement"},
    {"标签", "tags"},         {NULL, NULL},
};

static void *open_state(void)
{
    return NULL;
}

static void close_state(void *state)
{
    (void)state;
}

/* The stored enterprise with the row's USCC: *cur when u may see it, an
 * error on uscc when someone else's. */
static int find_duplicate(struct import_ctx *c, const struct actor *u, json_t *rec, json_t *errors,
                          json_t **cur)
{
    const char *code = json_string_value(json_object_get(rec, "uscc"));
    if (!code)
        return 0;
    int64_t id = 0;
    int rc = db_query_int(c->db,
                          "SELECT id FROM enterprises WHERE uscc = ? AND deleted_at IS NULL "
                          "ORDER BY id LIMIT 1",
                          DB_ARGS(DB_TEXT(code)), &id);
    if (rc <= 0)
        return rc;
    rc = enterprise_find(c->db, u, id, false, cur);
    if (rc == 0)
        json_object_set_new(errors, "uscc",
                            json_string(i18n_msg(c->lang, "import.uscc_elsewhere")));
    return rc < 0 ? rc : 0;
}

static int check(struct import_ctx *c, json_t *in, json_t *tag_ids, json_t *errors,
                 enum import_outcome *outcome, void **prepared)
{
    struct actor u = *c->user;
    snprintf(u.lang, sizeof(u.lang), "%s", c->lang);
    json_t *cur = NULL, *rec = json_object();
    *outcome = IMPORT_FAILED;
    *prepared = NULL;
    int rc = enterprise_check(c->db, &u, in, NULL, rec, errors);
    if (!rc && !json_object_size(errors))
        rc = find_duplicate(c, &u, rec, errors, &cur);
    if (rc || json_object_size(errors))
        goto out;
    if (cur && !c->update) {
        *outcome = IMPORT_SKIPPED;
        goto out;
    }
    *outcome = cur ? IMPORT_UPDATED : IMPORT_CREATE;
    if (c->dry_run)
        goto out;
    if (!cur) {
        *prepared = json_pack("{s:O,s:O}", "rec", rec, "tag_ids", tag_ids);
        goto out;
    }
    /* An update: the row's fields over the stored ones. */
    json_t *merged = json_object();
    rc = enterprise_check(c->db, &u, in, cur, merged, errors);
    int64_t id = json_integer_value(json_object_get(cur, "id"));
    if (!rc && !json_object_size(errors))
        rc = enterprise_write(c->db, &u, id, json_integer_value(json_object_get(cur, "version")),
                              cur, merged);
    else if (!rc)
        *outcome = IMPORT_FAILED;
    json_decref(merged);
    size_t i;
    json_t *t;
    json_array_foreach(tag_ids, i, t) if (!rc) rc =
        tags_attach(c->db, "enterprise", id, json_integer_value(t));
out:
    json_decref(cur);
    json_decref(rec);
    return rc;
}

static int write_row(struct import_ctx *c, void *prepared)
{
    json_t *p = prepared;
    int64_t id = 0;
    int rc = enterprise_add(c->db, c->user, json_object_get(p, "rec"), &id);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "tag_ids"), i, t) if (!rc) rc =
        tags_attach(c->db, "enterprise", id, json_integer_value(t));
    json_decref(p);
    return rc;
}

static void discard(void *prepared)
{
    json_decref(prepared);
}

static int flush(struct import_ctx *c)
{
    (void)c;
    return 0;
}

/* clang-format off */
const struct entity_import enterprise_import = {
    .aliases = aliases, .convert = NULL, .missing_required = "import.needs_name",
    .open = open_state, .close = close_state,
    .check = check, .write = write_row, .discard = discard, .flush = flush,
    .bulk_begin = NULL, .bulk_finish = NULL,
};
/* clang-format on */
