/*
 * segments.c - saved filters (see segments.h). A segment is visible to its
 * owner, and when shared to every user whose scope contains the owner's
 * branch or who works within that branch.
 */
#include "record/segments.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/listing.h"
#include "record/entity.h"
#include "record/filter.h"
#include "record/scope.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdlib.h>
#include <string.h>

#define SEGMENT_COLUMNS                                                                            \
    "s.id, s.entity, s.name, s.filter AS filter_json, s.q, s.shared AS is_shared, s.owner_id, "    \
    "u.name AS owner_name, s.branch_id, s.version, s.created_at, s.updated_at"
#define SEGMENT_FROM "segments s JOIN users u ON u.id = s.owner_id"

/* Visibility: own, or shared and (the owner's branch is in my scope or I
 * work inside the owner's branch). */
static void visible_sql(const struct actor *u, struct sqlbuf *b)
{
    sqlbuf_add(b, "(s.owner_id = ? OR (s.shared = 1 AND (");
    sqlbuf_bind(b, DB_INT(u->id));
    scope_sql(u, "s.branch_path", b);
    sqlbuf_add(b, " OR (s.branch_path <> '' AND substr(?, 1, length(s.branch_path)) = "
                  "s.branch_path))))");
    sqlbuf_bind_text_copy(b, u->branch_path);
}

static json_t *segment_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    json_object_set(o, "filter", json_object_get(o, "filter_json"));
    json_object_del(o, "filter_json");
    json_object_set(o, "shared", json_object_get(o, "is_shared"));
    json_object_del(o, "is_shared");
    return o;
}

int segments_resolve(struct db *db, const struct actor *u, const char *entity, int64_t id,
                     json_t **filter, char **q)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT s.filter, s.q FROM segments s WHERE s.id = ? AND s.entity = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    sqlbuf_bind(&b, DB_TEXT(entity));
    visible_sql(u, &b);
    struct db_stmt *st = db_query(db, b.sql, b.args, b.nargs);
    int rc = st ? db_step(st) : DB_ERROR;
    if (rc == 1) {
        *filter = json_loads(db_col_text(st, 0), 0, NULL);
        *q = xstrdup(db_col_text(st, 1));
    }
    db_finish(st);
    sqlbuf_release(&b);
    return rc;
}

/* 1 and *out when r's user can see segment id, 0 when not, <0 DB error. */
static int segment_by_id(struct req *r, int64_t id, json_t **out)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " SEGMENT_COLUMNS " FROM " SEGMENT_FROM " WHERE s.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    visible_sql(r->actor, &b);
    int rc = listing_one(r->db, r, out, segment_row, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    return rc;
}

/* {"segment": ...} with status, or 404 / the database error. */
static void reply_segment(struct req *r, unsigned status, int64_t id)
{
    json_t *seg;
    int rc = segment_by_id(r, id, &seg);
    if (rc == 1)
        reply_json(r, status, json_pack("{s:o}", "segment", seg));
    else
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
}

/* The entity a request names (the default one when it names none), if
 * the caller may read it; NULL otherwise. */
static const struct entity *entity_of(struct req *r, const char *name)
{
    const struct entity *e = name && *name ? entity_find(name) : entity_default();
    return e && entity_readable(e, r->actor) ? e : NULL;
}

static void list(struct req *r)
{
    const struct entity *e = entity_of(r, req_query(r, "entity"));
    if (!e) {
        reply_invalid(r, json_pack("{s:s}", "entity", req_msg(r, "field.invalid")));
        return;
    }
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " SEGMENT_COLUMNS " FROM " SEGMENT_FROM " WHERE s.entity = ? AND ");
    sqlbuf_bind(&b, DB_TEXT(e->name));
    visible_sql(r->actor, &b);
    sqlbuf_add(&b, " ORDER BY s.name, s.id LIMIT 500");
    struct db_stmt *st = db_query(r->db, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    listing_reply_rows(r, st, segment_row);
}

/* The filter must compile: a saved segment that cannot run helps no one. */
static bool filter_ok(struct req *r, struct form *f, const struct entity *e, json_t *filter)
{
    if (!e || !filter || json_is_null(filter))
        return true;
    struct sqlbuf w;
    struct filter_error err;
    sqlbuf_init(&w);
    int rc = filter_compile(r->db, e, filter, &w, &err);
    sqlbuf_release(&w);
    if (rc)
        form_fail(f, "filter", err.key ? err.key : "filter.invalid");
    return rc == 0;
}

/* For changes: 404 when u cannot see segment id, 403 when it is not
 * theirs (admins may change any). True when the change may go ahead; then
 * *e (when not NULL) is the segment's entity. */
static bool may_change(struct req *r, int64_t id, const struct entity **e)
{
    json_t *seg;
    int rc = segment_by_id(r, id, &seg);
    if (rc != 1) {
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
        return false;
    }
    if (e)
        *e = entity_find(json_string_value(json_object_get(seg, "entity")));
    bool mine = json_integer_value(json_object_get(seg, "owner_id")) == r->actor->id;
    json_decref(seg);
    if (!mine && !(r->actor->perms & PERM_ADMIN)) {
        reply_error(r, 403, "forbidden");
        return false;
    }
    return true;
}

static void save(struct req *r, int64_t id)
{
    const struct entity *e = NULL;
    if (id && !may_change(r, id, &e))
        return;
    struct form f;
    form_init(&f, r);
    const char *name = form_str(&f, "name", id == 0, 64);
    const char *entity = form_str(&f, "entity", false, 32);
    const char *q = form_str(&f, "q", false, 100);
    bool shared = false;
    int has_shared = form_bool(&f, "shared", false, &shared);
    int64_t version = 0;
    if (id)
        form_int(&f, "version", true, &version);
    if (!id && !(e = entity_of(r, entity)))
        form_fail(&f, "entity", "field.invalid");
    json_t *filter = json_object_get(r->json, "filter");
    filter_ok(r, &f, e, filter);
    if (!form_done(&f))
        return;
    /* What the entity keeps sealed is not stored in clear here either. */
    if (e && e->protect) {
        e->protect(r->json);
        if (q)
            q = json_string_value(json_object_get(r->json, "q"));
        filter = json_object_get(r->json, "filter");
    }
    char *ftext = filter && !json_is_null(filter) ? json_dumps(filter, JSON_COMPACT) : NULL;
    int64_t now = clock_now();
    bool created = id == 0;
    int rc = db_begin(r->db);
    if (rc) {
        free(ftext);
        reply_db_error(r, rc);
        return;
    }
    if (id == 0) {
        rc = db_exec(r->db,
                     "INSERT INTO segments (entity, name, filter, q, shared, owner_id, branch_id, "
                     "branch_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(e->name), DB_TEXT(name),
                             DB_TEXT(ftext ? ftext : "{\"and\":[]}"), DB_TEXT(q ? q : ""),
                             DB_INT(shared), DB_INT(r->actor->id),
                             DB_INT_OR_NULL(r->actor->branch_id, r->actor->branch_id),
                             DB_TEXT(r->actor->branch_path), DB_INT(now), DB_INT(now)));
        if (!rc && db_query_int(r->db, "SELECT MAX(id) FROM segments WHERE owner_id = ?",
                                DB_ARGS(DB_INT(r->actor->id)), &id) != 1)
            rc = DB_ERROR;
    } else {
        /* Only the owner (or an admin) changes a segment. */
        rc = db_exec(r->db,
                     "UPDATE segments SET name = COALESCE(?, name), filter = COALESCE(?, filter), "
                     "q = COALESCE(?, q), shared = COALESCE(?, shared), version = version + 1, "
                     "updated_at = ? WHERE id = ? AND version = ? AND (owner_id = ? OR ? = 1)",
                     DB_ARGS(DB_TEXT(name), DB_TEXT(ftext), DB_TEXT(q),
                             DB_INT_OR_NULL(has_shared == 1, shared), DB_INT(now), DB_INT(id),
                             DB_INT(version), DB_INT(r->actor->id),
                             DB_INT((r->actor->perms & PERM_ADMIN) != 0)));
        if (!rc && db_changes(r->db) == 0) {
            db_rollback(r->db);
            free(ftext);
            json_t *exists;
            rc = segment_by_id(r, id, &exists);
            json_decref(exists);
            if (rc < 0)
                reply_db_error(r, rc);
            else
                rc ? reply_error(r, 409, "stale_version") : reply_error(r, 404, "not_found");
            return;
        }
    }
    free(ftext);
    if (!rc)
        rc = audit_write(r->db, r, NULL, "segment.save", "segment", id, NULL);
    if (!audit_commit(r, rc))
        return;
    reply_segment(r, created ? 201 : 200, id);
}

static void create(struct req *r)
{
    save(r, 0);
}

static void update(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    save(r, id);
}

static void remove_one(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    if (!may_change(r, id, NULL))
        return;
    audit_delete(
        r, "DELETE FROM segments WHERE id = ? AND (owner_id = ? OR ? = 1)",
        DB_ARGS(DB_INT(id), DB_INT(r->actor->id), DB_INT((r->actor->perms & PERM_ADMIN) != 0)),
        "segment.delete", "segment", id);
}

/* The route table segments_routes[], made from segments.routes. */
#include "record/segments.routes.h"
