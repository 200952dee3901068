/*
 * meta_api.c - the metadata endpoint: every registered entity the caller
 * may read, with its fields in form order (built-in, then the active custom
 * fields), so that forms, filters, import mappings and export dialogs are
 * drawn from the server's descriptors instead of copies in the UI.
 *
 *   GET /api/v1/meta/entities          {"items":[ENTITY, ...]}
 *   GET /api/v1/meta/entities/{name}   ENTITY (404: unknown or not readable)
 */
#include "record/meta_api.h"

#include "core/perms.h"
#include "db/db.h"
#include "record/entity.h"

#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *mask_name(enum field_mask m)
{
    return m == MASK_PHONE   ? "phone"
           : m == MASK_ID    ? "id"
           : m == MASK_EMAIL ? "email"
           : m == MASK_YEAR  ? "year"
                             : NULL;
}

static json_t *options_json(const char *const (*options)[3])
{
    json_t *out = json_array();
    for (const char *const(*o)[3] = options; (*o)[0]; o++)
        json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "value", (*o)[0], "label", (*o)[1],
                                             "label_en", (*o)[2]));
    return out;
}

static json_t *builtin_json(const struct entity_field *f)
{
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:o,s:o}", "key", f->key, "type",
                  entity_type_name(f->type), "label", f->label, "label_en", f->label_en, "builtin",
                  1, "filter", (f->flags & EF_FILTER) != 0, "sort", (f->flags & EF_SORT) != 0,
                  "export", (f->flags & EF_EXPORT) != 0, "import", (f->flags & EF_IMPORT) != 0,
                  "required", (f->flags & EF_REQUIRED) != 0, "mask",
                  str_or_null(mask_name(f->mask)), "dict", str_or_null(f->dict));
    if (f->options)
        json_object_set_new(o, "options", options_json(f->options));
    return o;
}

/* The active custom fields of e, appended to out: filterable, exported and
 * imported like built-in fields (record/filter.c, export.c, import). */
static int append_custom(struct db *db, const struct entity *e, json_t *out)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT key, type, label, label_en, required, hidden, options "
                                  "FROM custom_fields WHERE entity = ? AND retired = 0 "
                                  "ORDER BY sort, id",
                                  DB_ARGS(DB_TEXT(e->name)));
    if (!st)
        return DB_ERROR;
    int rc;
    while ((rc = db_step(st)) == 1) {
        char key[64];
        snprintf(key, sizeof(key), "custom.%s", db_col_text(st, 0));
        const char *label_en = db_col_is_null(st, 3) ? "" : db_col_text(st, 3);
        json_t *options = db_col_is_null(st, 6) ? NULL : json_loads(db_col_text(st, 6), 0, NULL);
        json_array_append_new(
            out, json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:n,s:n,s:o}", "key", key,
                           "type", db_col_text(st, 1), "label", db_col_text(st, 2), "label_en",
                           *label_en ? label_en : db_col_text(st, 2), "builtin", 0, "filter", 1,
                           "sort", 0, "export", 1, "import", 1, "required", db_col_int(st, 4) != 0,
                           "hidden", db_col_int(st, 5) != 0, "mask", "dict", "options",
                           json_is_array(options) ? options : json_array()));
        if (!json_is_array(options))
            json_decref(options);
    }
    db_finish(st);
    return rc < 0 ? rc : 0;
}

/* ENTITY as the endpoint answers it; NULL on a database failure. */
static json_t *entity_json(struct db *db, const struct entity *e)
{
    json_t *fields = json_array();
    for (const struct entity_field *f = e->fields; f->key; f++)
        if (!(f->flags & EF_INTERNAL))
            json_array_append_new(fields, builtin_json(f));
    if (e->custom_column && append_custom(db, e, fields) < 0) {
        json_decref(fields);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:s,s:o,s:b,s:b,s:b}", "name", e->name, "label", e->label,
                     "label_en", e->label_en, "fields", fields, "custom_fields",
                     e->custom_column != NULL, "tags", e->tags, "export", e->export != NULL);
}

static void list(struct req *r)
{
    json_t *items = json_array();
    for (size_t i = 0; entity_at(i); i++) {
        const struct entity *e = entity_at(i);
        if (!entity_readable(e, r->actor))
            continue;
        json_t *o = entity_json(r->db, e);
        if (!o) {
            json_decref(items);
            reply_db_error(r, DB_ERROR);
            return;
        }
        json_array_append_new(items, o);
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static void get(struct req *r)
{
    const char *name = r->nparams > 0 ? r->params[0] : NULL;
    const struct entity *e = entity_find(name);
    if (!e || strcmp(e->name, name) != 0 || !entity_readable(e, r->actor)) {
        reply_error(r, 404, "not_found");
        return;
    }
    json_t *o = entity_json(r->db, e);
    if (!o) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200, o);
}

/* The route table meta_routes[], made from meta_api.routes. */
#include "record/meta_api.routes.h"
