/*
 * customer_value_api.c - the HTTP endpoints of customer_value.h: a
 * customer's figures and the suspected-duplicate worklist. Thin: parse,
 * call, reply.
 */
#include "crm/customer_value.h"

#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static void figures(struct req *r)
{
    json_t *out = NULL;
    int rc = customer_figures(r->db, r->actor, req_param_id(r, 0), &out);
    if (!op_reply(r, rc, NULL))
        reply_json(r, 200, out);
}

/* GET ?limit=&cursor= : a page of pairs; a page may hold none and still a
 * next_cursor (it stopped after a bounded sweep, see customer_dupes.c). */
static void pairs(struct req *r)
{
    const char *ls = req_query(r, "limit"), *cursor = req_query(r, "cursor");
    char *end = NULL;
    long limit = ls && *ls ? strtol(ls, &end, 10) : 20;
    if ((end && *end) || limit < 1 || limit > 200) {
        reply_invalid(r, json_pack("{s:s}", "limit", req_msg(r, "field.invalid")));
        return;
    }
    json_t *body = json_object();
    int rc = customer_dupes_page(r->db, r->actor, cursor && *cursor ? cursor : NULL, limit, body);
    if (rc == OP_INVALID) {
        json_decref(body);
        reply_invalid(r, json_pack("{s:s}", "cursor", req_msg(r, "field.invalid")));
    } else if (!op_reply(r, rc, NULL)) {
        reply_json(r, 200, body);
    } else {
        json_decref(body);
    }
}

/* POST {"ids": [a, b]} */
static void dismiss(struct req *r)
{
    json_t *ids = json_object_get(r->json, "ids"), *errors = json_object();
    int64_t a = json_integer_value(json_array_get(ids, 0));
    int64_t b = json_integer_value(json_array_get(ids, 1));
    int rc = json_array_size(ids) == 2 ? customer_dupes_dismiss(r->db, r->actor, a, b, errors)
                                       : customer_dupes_dismiss(r->db, r->actor, 0, 0, errors);
    if (!op_reply(r, rc, errors))
        reply_ok(r);
    json_decref(errors);
}

/* The route table customer_value_routes[], made from customer_value_api.routes. */
#include "crm/customer_value_api.routes.h"
