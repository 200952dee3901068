/*
 * customer_group.c - a target group (目标客群): the customers a request
 * body names, as the conditions of a query on customers c. One reading of
 * a group for every action on many customers (bulk tags, follow-up tasks,
 * campaigns, handover), so that "the current selection", "what the filter
 * finds" and "a saved segment" mean the same everywhere.
 */
#include "crm/customer.h"
#include "crm/group_action.h"

#include "record/group.h"
#include "record/segments.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>

void customer_reply_filter_error(struct req *r, const struct filter_error *err)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "%s%s%s", req_msg(r, err->key), err->where[0] ? ": " : "",
             err->where);
    reply_invalid(r, json_pack("{s:s}", "filter", msg));
}

/* AND the conditions of saved segment id to w; false having replied. */
static bool where_segment(struct req *r, json_t *id, struct sqlbuf *w)
{
    if (!json_is_integer(id)) {
        reply_invalid(r, json_pack("{s:s}", "segment_id", req_msg(r, "field.not_integer")));
        return false;
    }
    json_t *sf = NULL;
    char *sq = NULL;
    struct filter_error err;
    int found = segments_resolve(r->db, r->actor, "customer", json_integer_value(id), &sf, &sq),
        rc = found;
    if (found == 1) {
        /* sf's texts are bound borrowed: compiled apart, appended (copied). */
        struct sqlbuf sw;
        sqlbuf_init(&sw);
        rc = customer_where(r->db, r->actor, sq, sf, false, &sw, &err);
        sqlbuf_add(w, " AND ");
        sqlbuf_append(w, &sw);
        sqlbuf_release(&sw);
    }
    json_decref(sf);
    free(sq);
    if (found == 0)
        reply_error(r, 404, "not_found");
    else if (rc == -1)
        customer_reply_filter_error(r, &err);
    else if (rc < 0)
        reply_db_error(r, rc);
    return found == 1 && rc == 0;
}

static bool group_where(struct req *r, json_t *group, struct sqlbuf *w)
{
    json_t *filter = json_object_get(group, "filter");
    json_t *segment = json_object_get(group, "segment_id");
    const char *q = json_string_value(json_object_get(group, "q"));
    if (filter && !json_is_null(filter) && !json_is_object(filter)) {
        reply_invalid(r, json_pack("{s:s}", "filter", req_msg(r, "field.invalid")));
        return false;
    }
    struct filter_error err;
    int rc =
        customer_where(r->db, r->actor, q, json_is_object(filter) ? filter : NULL, false, w, &err);
    if (rc == -1)
        customer_reply_filter_error(r, &err);
    else if (rc < 0)
        reply_db_error(r, rc);
    if (rc || !entity_group_ids(r, "c", json_object_get(group, "ids"), w))
        return false;
    return !segment || json_is_null(segment) || where_segment(r, segment, w);
}

bool customer_group_where(struct req *r, json_t *group, struct sqlbuf *w)
{
    sqlbuf_init(w);
    if (group_where(r, group, w))
        return true;
    sqlbuf_release(w);
    return false;
}

int customer_group_count(struct db *db, const struct sqlbuf *w, int64_t *n)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT COUNT(*) FROM customers c WHERE ");
    sqlbuf_append(&b, w);
    int rc = db_query_int(db, b.sql, b.args, b.nargs, n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : 0;
}

/* HONGYAN_GROUP_MAX, read once: tests lower it to see the refusal. */
int64_t group_action_max(void)
{
    static int64_t max;
    if (!max) {
        const char *s = getenv("HONGYAN_GROUP_MAX");
        char *end = NULL;
        long long v = s ? strtoll(s, &end, 10) : 0;
        max = s && *s && !*end && v > 0 ? v : 5000;
    }
    return max;
}
