/*
 * form_layout_api.c - the endpoints of the form designer's layouts (see
 * form_layout.h): the current layout for the caller, the saved versions,
 * and a save.
 */
#include "record/form_layout.h"

#include "core/listing.h"
#include "core/perms.h"
#include "core/op.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* The entity the path names when the caller may read it; NULL after 404. */
static const struct entity *entity_or_404(struct req *r)
{
    const char *name = r->nparams > 0 ? r->params[0] : NULL;
    const struct entity *e = entity_find(name);
    if (!e || strcmp(e->name, name) != 0 || !e->custom_column || !entity_readable(e, r->actor)) {
        reply_error(r, 404, "not_found");
        return NULL;
    }
    return e;
}

static void get(struct req *r)
{
    const struct entity *e = entity_or_404(r);
    if (!e)
        return;
    json_t *o = form_layout_resolved(r->db, e, r->actor);
    if (!o)
        reply_db_error(r, DB_ERROR);
    else
        reply_json(r, 200, o);
}

static void save(struct req *r)
{
    const struct entity *e = entity_or_404(r);
    if (!e)
        return;
    json_t *errors = json_object();
    int64_t version = 0;
    int rc = form_layout_save(r->db, r->actor, e, r->json, &version, errors);
    if (rc == OP_STALE) {
        reply_error_key(r, 409, "stale_version", "layout.stale");
    } else if (!op_reply(r, rc, errors)) {
        json_t *o = form_layout_resolved(r->db, e, r->actor);
        o ? reply_json(r, 200, o) : reply_db_error(r, DB_ERROR);
    }
    json_decref(errors);
}

static void versions(struct req *r)
{
    const struct entity *e = entity_or_404(r);
    if (!e)
        return;
    struct db_stmt *st = db_query(r->db,
                                  "SELECT l.version, l.note, l.author_id, u.name AS author_name, "
                                  "l.created_at FROM form_layouts l LEFT JOIN users u ON "
                                  "u.id = l.author_id WHERE l.entity = ? ORDER BY l.version DESC "
                                  "LIMIT 200",
                                  DB_ARGS(DB_TEXT(e->name)));
    listing_reply_rows(r, st, NULL);
}

static void version_get(struct req *r)
{
    const struct entity *e = entity_or_404(r);
    if (!e)
        return;
    char *end;
    const char *n = r->nparams > 1 ? r->params[1] : "";
    long long v = strtoll(n, &end, 10);
    json_t *o = NULL;
    int rc = *n && !*end && v > 0 ? form_layout_version(r->db, e, v, &o) : 0;
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return;
    }
    reply_json(r, 200, o);
}

/* The route table form_layouts_routes[], made from form_layout_api.routes. */
#include "record/form_layout_api.routes.h"
