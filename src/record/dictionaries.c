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

static void list(struct req *r)
{
    struct db_stmt *st = db_query(r->db,
                                  "SELECT d.code, d.name, d.name_en, (SELECT COUNT(*) FROM "
                                  "dictionary_items i WHERE i.dict_code = d.code) AS item_count "
                                  "FROM dictionaries d ORDER BY d.code",
                                  DB_NOARGS);
    if (!st) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    json_t *items = json_array();
    while (db_step(st) == 1) {
        json_t *o = listing_row_json(st, r);
        /* Show the name in the caller's language. */
        if (strcmp(r->lang, "en") == 0)
            json_object_set(o, "name", json_object_get(o, "name_en"));
        json_array_append_new(items, o);
    }
    db_finish(st);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* 1 when the dictionary exists (and fills name), 0 when not, <0 error. */
static int find_dict(struct req *r, const char *code, json_t **name)
{
    struct db_stmt *st = db_query(r->db, "SELECT name, name_en FROM dictionaries WHERE code = ?",
                                  DB_ARGS(DB_TEXT(code)));
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
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
    struct db_stmt *st = db_query(r->db,
                                  all ? "SELECT " ITEM_COLUMNS " FROM dictionary_items "
                                        "WHERE dict_code = ? ORDER BY sort, id"
                                      : "SELECT " ITEM_COLUMNS " FROM dictionary_items "
                                        "WHERE dict_code = ? AND enabled = 1 ORDER BY sort, id",
                                  DB_ARGS(DB_TEXT(code)));
    json_t *items = listing_rows(st, r, NULL);
    if (!items) {
        json_decref(name);
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200, json_pack("{s:s,s:o,s:o}", "code", code, "name", name, "items", items));
}

static json_t *item_json(struct db *db, int64_t id)
{
    struct db_stmt *st = db_query(db, "SELECT " ITEM_COLUMNS " FROM dictionary_items WHERE id = ?",
                                  DB_ARGS(DB_INT(id)));
    if (!st)
        return NULL;
    json_t *o = db_step(st) == 1 ? listing_row_json(st, NULL) : json_null();
    db_finish(st);
    return o;
}

static void finish_change(struct req *r, int rc, int64_t id, unsigned status)
{
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        if (rc == DB_CONSTRAINT) {
            reply_conflict(r, "value", "field.value_taken");
            return;
        }
        reply_db_error(r, rc);
        return;
    }
    if (status == 200 && id == 0) {
        reply_ok(r);
        return;
    }
    reply_json(r, status, json_pack("{s:o}", "item", item_json(r->db, id)));
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
    rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO dictionary_items (dict_code, value, label, label_en, sort, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(code), DB_TEXT(value), DB_TEXT(label),
                             DB_TEXT(label_en ? label_en : ""), DB_INT(sort), DB_INT(now),
                             DB_INT(now)));
    if (!rc &&
        db_query_int(r->db, "SELECT id FROM dictionary_items WHERE dict_code = ? AND value = ?",
                     DB_ARGS(DB_TEXT(code), DB_TEXT(value)), &id) != 1)
        rc = DB_ERROR;
    if (!rc)
        rc = audit_write(
            r->db, r, NULL, "dictionary.item_create", "dictionary_item", id,
            json_pack("{s:s,s:s,s:s}", "dictionary", code, "value", value, "label", label));
    finish_change(r, rc, id, 201);
}

static void item_update(struct req *r)
{
    const char *code = r->params[0];
    int64_t id = req_id_or_404(r, 1);
    if (id < 0)
        return;
    struct form f;
    form_init(&f, r);
    const char *label = form_str(&f, "label", false, 64);
    const char *label_en = form_str(&f, "label_en", false, 64);
    int64_t sort = 0, version = 0;
    bool enabled = true;
    int has_sort = form_int(&f, "sort", false, &sort);
    int has_enabled = form_bool(&f, "enabled", false, &enabled);
    form_int(&f, "version", true, &version);
    if (!form_done(&f))
        return;
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "UPDATE dictionary_items SET label = COALESCE(?, label), "
                     "label_en = COALESCE(?, label_en), sort = COALESCE(?, sort), "
                     "enabled = COALESCE(?, enabled), version = version + 1, updated_at = ? "
                     "WHERE id = ? AND dict_code = ? AND version = ?",
                     DB_ARGS(DB_TEXT(label), DB_TEXT(label_en), DB_INT_OR_NULL(has_sort == 1, sort),
                             DB_INT_OR_NULL(has_enabled == 1, enabled), DB_INT(clock_now()),
                             DB_INT(id), DB_TEXT(code), DB_INT(version)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        int64_t exists;
        if (db_query_int(r->db, "SELECT id FROM dictionary_items WHERE id = ? AND dict_code = ?",
                         DB_ARGS(DB_INT(id), DB_TEXT(code)), &exists) == 1) {
            reply_error(r, 409, "stale_version");
            return;
        }
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "dictionary.item_update", "dictionary_item", id,
                         json_deep_copy(r->json));
    finish_change(r, rc, id, 200);
}

static void item_delete(struct req *r)
{
    const char *code = r->params[0];
    int64_t id = req_id_or_404(r, 1);
    if (id < 0)
        return;
    int rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db, "DELETE FROM dictionary_items WHERE id = ? AND dict_code = ?",
                     DB_ARGS(DB_INT(id), DB_TEXT(code)));
    if (!rc && db_changes(r->db) == 0) {
        db_rollback(r->db);
        reply_error(r, 404, "not_found");
        return;
    }
    if (!rc)
        rc = audit_write(r->db, r, NULL, "dictionary.item_delete", "dictionary_item", id,
                         json_pack("{s:s}", "dictionary", code));
    finish_change(r, rc, 0, 200);
}

const struct route dictionaries_routes[] = {
    {"GET", "/api/v1/dictionaries", list, PERM_ADMIN, 0, "The value lists admins can edit"},
    {"GET", "/api/v1/dictionaries/{code}", get, PERM_SIGNED_IN, 0, "One value list with its items"},
    {"POST", "/api/v1/dictionaries/{code}/items", item_create, PERM_ADMIN, 0, "Add an item"},
    {"PATCH", "/api/v1/dictionaries/{code}/items/{id}", item_update, PERM_ADMIN, 0,
     "Edit, reorder, enable or disable an item"},
    {"DELETE", "/api/v1/dictionaries/{code}/items/{id}", item_delete, PERM_ADMIN, 0,
     "Delete an item"},
    {0},
};
