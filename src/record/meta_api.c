/*
 * meta_api.c - the metadata endpoint: every registered entity the caller
 * may read, with the fields its role may see in the order of the form
 * layout (record/form_layout.c: each with its group and position; fields on
 * no form after, built-in before custom), so that forms, filters, import mappings and export
 * dialogs are drawn from the server's descriptors instead of copies in the UI.
 *
 *   GET /api/v1/meta/entities          {"items":[ENTITY, ...]}
 *   GET /api/v1/meta/entities/{name}   ENTITY (404: unknown or not readable)
 */
#include "record/meta_api.h"

#include "core/perms.h"
#include "db/db.h"
#include "record/entity.h"
#include "record/form_layout.h"

#include <string.h>

/* ENTITY as the endpoint answers it; NULL on a database failure. */
static json_t *entity_json(struct db *db, const struct entity *e, const struct actor *u)
{
    json_t *fields = form_layout_meta_fields(db, e, u);
    if (!fields)
        return NULL;
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
        json_t *o = entity_json(r->db, e, r->actor);
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
    json_t *o = entity_json(r->db, e, r->actor);
    if (!o) {
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200, o);
}

/* The route table meta_routes[], made from meta_api.routes. */
#include "record/meta_api.routes.h"
