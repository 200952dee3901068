/*
 * dictionaries.c - see dictionaries.h. The dictionaries themselves are
 * created by migrations (the code relies on them); their items are data.
 */
#include "record/dictionaries.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/memo.h"
#include "db/db.h"
#include "http/form.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#define ITEM_COLUMNS "id, value, label, label_en, sort, enabled, version, created_at, updated_at"

bool dictionaries_has(struct db *db, const char *code, const char *value)
{
    json_t *memo = memo_get("dict", code, value);
    if (memo)
        return json_is_true(memo);
    int64_t one;
    int rc = db_query_int(db,
                          "SELECT 1 FROM dictionary_items WHERE dict_code = ? AND value = ? "
                          "AND enabled = 1",
                          DB_ARGS(DB_TEXT(code), DB_TEXT(value)), &one);
    if (rc >= 0)
        memo_put("dict", code, value, json_boolean(rc == 1));
    return rc == 1;
}

/* A dictionary with its name in the caller's language. */
static json_t *dict_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    if (strcmp(r->lang, "en") == 0)
        json_object_set(o, "name", json_object_get(o, "name_en"));
    return o;
}

static void list(struct req *r)
{
    listing_reply_query(r, dict_row,
                        "SELECT d.code, d.name, d.name_en, (SELECT COUNT(*) FROM "
                        "dictionary_items i WHERE i.dict_code = d.code) AS item_count "
                        "FROM dictionaries d ORDER BY d.code",
                        DB_NOARGS);
}

/* 1 when the dictionary exists (and fills name), 0 when not, <0 error. */
static int find_dict(struct req *r, const char *code, json_t **name)
{
    struct db_stmt *st;
    int rc = db_query_row(r->db, &st, "SELECT name, name_en FROM dictionaries WHERE code = ?",
                          DB_ARGS(DB_TEXT(code)));
    if (rc == 1)
        *name = json_string(db_col_text(st, strcmp(r->lang, "en") == 0 ? 1 : 0));
    db_finish(st);
    return rc;
}

static void get(struct req *r)
{
    const char *code = r->params[0];
    json_t *name = NULL;
    int rc = find_dict(r, code, &name);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    /* Staff see enabled items; admins also the disabled ones, to edit them. */
    bool all = (r->actor->perms & PERM_ADMIN) != 0;
    struct db_stmt *st =
        db_query(r->db,
                 "SELECT " ITEM_COLUMNS " FROM dictionary_items "
                 "WHERE dict_code = ? AND (? = 1 OR enabled = 1) ORDER BY sort, id",
                 DB_ARGS(DB_TEXT(code), DB_INT(all)));
    json_t *items = listing_rows(st, r, NULL);
    if (!items) {
        json_decref(name);
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200, json_pack("{s:s,s:o,s:o}", "code", code, "name", name, "items", items));
}

static void reply_item(struct req *r, unsigned status, int64_t id)
{
    listing_reply_one(r, status, "item", NULL,
                      "SELECT " ITEM_COLUMNS " FROM dictionary_items WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

/* Commit the change with its audit entry; a value the dictionary already
 * has is 409 on "value". */
static bool item_end(struct req *r, int rc, const char *action, int64_t id, json_t *detail)
{
    return audit_end_unique(r, rc, "value", "field.value_taken", action, "dictionary_item", id,
                            detail);
}

static void item_create(struct req *r)
{
    const char *code = r->params[0];
    json_t *name = NULL;
    int rc = find_dict(r, code, &name);
    json_decref(name);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    struct form f;
    form_init(&f, r);
    const char *value = form_str(&f, "value", true, 64);
    const char *label = form_str(&f, "label", true, 64);
    const char *label_en = form_str(&f, "label_en", false, 64);
    int64_t sort = 0;
    form_int(&f, "sort", false, &sort);
    if (!form_done(&f))
        return;
    int64_t now = clock_now(), id = 0;
    if (!audit_begin(r))
        return;
    rc =
        db_exec(r->db,
                "INSERT INTO dictionary_items (dict_code, value, label, label_en, sort, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                DB_ARGS(DB_TEXT(code), DB_TEXT(value), DB_TEXT(label),
                        DB_TEXT(label_en ? label_en : ""), DB_INT(sort), DB_INT(now), DB_INT(now)));
    if (!rc)
        rc = db_query_id(r->db, "SELECT id FROM dictionary_items WHERE dict_code = ? AND value = ?",
                         DB_ARGS(DB_TEXT(code), DB_TEXT(value)), &id);
    if (item_end(r, rc, "dictionary.item_create", id,
                 json_pack("{s:s,s:s,s:s}", "dictionary", code, "value", value, "label", label)))
        reply_item(r, 201, id);
}

static void item_update(struct req *r)
{
    const char *code = r->params[0];
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 1, &id))
        return;
    const char *label = form_str(&f, "label", false, 64);
    const char *label_en = form_str(&f, "label_en", false, 64);
    int64_t sort = 0, version = 0;
    bool enabled = true;
    int has_sort = form_int(&f, "sort", false, &sort);
    int has_enabled = form_bool(&f, "enabled", false, &enabled);
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int rc = db_exec(r->db,
                     "UPDATE dictionary_items SET label = COALESCE(?, label), "
                     "label_en = COALESCE(?, label_en), sort = COALESCE(?, sort), "
                     "enabled = COALESCE(?, enabled), version = version + 1, updated_at = ? "
                     "WHERE id = ? AND dict_code = ? AND version = ?",
                     DB_ARGS(DB_TEXT(label), DB_TEXT(label_en), DB_INT_OR_NULL(has_sort == 1, sort),
                             DB_INT_OR_NULL(has_enabled == 1, enabled), DB_INT(clock_now()),
                             DB_INT(id), DB_TEXT(code), DB_INT(version)));
    if (audit_missed(r, rc, "SELECT 1 FROM dictionary_items WHERE id = ? AND dict_code = ?",
                     DB_ARGS(DB_INT(id), DB_TEXT(code))))
        return;
    if (item_end(r, rc, "dictionary.item_update", id, json_deep_copy(r->json)))
        reply_item(r, 200, id);
}

static void item_delete(struct req *r)
{
    const char *code = r->params[0];
    int64_t id;
    if (!req_param_id_or_404(r, 1, &id))
        return;
    if (audit_change(r, id, NULL, "DELETE FROM dictionary_items WHERE id = ? AND dict_code = ?",
                     DB_ARGS(DB_INT(id), DB_TEXT(code)), "dictionary.item_delete",
                     "dictionary_item", json_pack("{s:s}", "dictionary", code)))
        reply_ok(r);
}

/* The route table dictionaries_routes[], made from dictionaries.routes. */
#include "record/dictionaries.routes.h"
