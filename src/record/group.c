/*
 * group.c - a target group of any entity (see group.h).
 */
#include "record/group.h"

#include "record/segments.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>

/* The search hook's answer: true when rc is 0, else replied. */
static bool searched(struct req *r, int rc, const char *field, const char *key)
{
    if (rc == -1)
        reply_invalid(r, json_pack("{s:s}", field ? field : "filter",
                                   req_msg(r, key ? key : "filter.invalid")));
    else if (rc < 0)
        reply_db_error(r, rc);
    return rc == 0;
}

/* The entity's search of params ANDed to w. Compiled apart and appended
 * (which copies bound texts) so that params may go as soon as it returns. */
static int search_into(struct req *r, const struct entity *e, json_t *params, struct sqlbuf *w,
                       const char **field, const char **key)
{
    struct sqlbuf sw;
    sqlbuf_init(&sw);
    int rc = e->search(r->db, r->actor, params, &sw, field, key);
    if (!rc) {
        sqlbuf_add(w, " AND (");
        sqlbuf_append(w, &sw);
        sqlbuf_add(w, ")");
    }
    sqlbuf_release(&sw);
    return rc;
}

/* AND the conditions of saved segment id (one of e's) to w; false having
 * replied. A segment the caller may not use is refused, never read as
 * "no segment", which would act on everything. */
static bool where_segment(struct req *r, const struct entity *e, json_t *id, struct sqlbuf *w)
{
    json_t *sf = NULL;
    char *sq = NULL;
    int found = json_is_integer(id)
                    ? segments_resolve(r->db, r->actor, e->name, json_integer_value(id), &sf, &sq)
                    : 0;
    if (found == 0) {
        reply_invalid(r, json_pack("{s:s}", "segment_id", req_msg(r, "field.segment_missing")));
        return false;
    }
    if (found < 0) {
        reply_db_error(r, found);
        return false;
    }
    json_t *sp = json_pack("{s:s?,s:o?}", "q", sq, "filter", sf);
    const char *field = NULL, *key = NULL;
    int rc = search_into(r, e, sp, w, &field, &key);
    json_decref(sp);
    free(sq);
    return searched(r, rc, field, key);
}

int entity_ids_where(const char *alias, json_t *ids, struct sqlbuf *w)
{
    if (!ids || json_is_null(ids))
        return 0;
    bool ok = json_is_array(ids) && json_array_size(ids) <= ENTITY_GROUP_MAX_IDS;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) ok = ok && json_is_integer(v);
    if (!ok)
        return -1;
    sqlbuf_addf(w, " AND %s.id IN (", alias);
    json_array_foreach(ids, i, v)
    {
        sqlbuf_add(w, i ? ", ?" : "?");
        sqlbuf_bind(w, DB_INT(json_integer_value(v)));
    }
    if (json_array_size(ids) == 0)
        sqlbuf_add(w, "NULL");
    sqlbuf_add(w, ")");
    return 0;
}

bool entity_group_ids(struct req *r, const char *alias, json_t *ids, struct sqlbuf *w)
{
    if (entity_ids_where(alias, ids, w) == 0)
        return true;
    reply_invalid(r, json_pack("{s:s}", "ids", req_msg(r, "field.not_array")));
    return false;
}

bool entity_group_where(struct req *r, const struct entity *e, json_t *group, struct sqlbuf *w)
{
    json_t *filter = json_object_get(group, "filter"), *q = json_object_get(group, "q");
    json_t *segment = json_object_get(group, "segment_id");
    if (filter && !json_is_null(filter) && !json_is_object(filter)) {
        reply_invalid(r, json_pack("{s:s}", "filter", req_msg(r, "field.invalid")));
        return false;
    }
    if (q && !json_is_null(q) && !json_is_string(q)) {
        reply_invalid(r, json_pack("{s:s}", "q", req_msg(r, "field.invalid")));
        return false;
    }
    json_t *params = json_object();
    if (json_is_string(q))
        json_object_set(params, "q", q);
    if (json_is_object(filter))
        json_object_set(params, "filter", filter);
    const char *field = NULL, *key = NULL;
    /* The search's WHERE holds the scope: "1 = 1 AND (…)" keeps it first. */
    sqlbuf_add(w, "1 = 1");
    int rc = search_into(r, e, params, w, &field, &key);
    json_decref(params);
    if (!searched(r, rc, field, key) ||
        !entity_group_ids(r, e->alias, json_object_get(group, "ids"), w))
        return false;
    return !segment || json_is_null(segment) || where_segment(r, e, segment, w);
}

int entity_group_count(struct db *db, const struct entity *e, const struct sqlbuf *w, int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_addf(&b, "SELECT COUNT(*) FROM %s %s WHERE ", e->table, e->alias);
    sqlbuf_append(&b, w);
    int rc = db_query_int(db, b.sql, b.args, b.nargs, n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

json_t *entity_group_target(json_t *body)
{
    static const char *const keys[] = {"ids", "filter", "q", "segment_id", NULL};
    json_t *t = json_object();
    for (const char *const *k = keys; *k; k++) {
        json_t *v = json_object_get(body, *k);
        if (v && !json_is_null(v))
            json_object_set(t, *k, v);
    }
    return t;
}
