/*
 * retention_api.c - the HTTP endpoints of retention (admin only): parse,
 * call the operation of retention.c, reply.
 */
#include "crm/retention.h"

#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

static void policy_get(struct req *r)
{
    json_t *pol = NULL;
    int rc = retention_policy(r->db, &pol);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, json_pack("{s:o,s:o*}", "policy", pol, "runs", retention_runs(r->db)));
}

static void policy_set(struct req *r)
{
    json_t *errors = json_object();
    if (!op_reply(r, retention_policy_set(r->db, r->actor, r->json, errors), errors))
        policy_get(r);
    json_decref(errors);
}

static void dry_run(struct req *r)
{
    json_t *errors = json_object(), *out = NULL;
    if (!op_reply(r, retention_dry_run(r->db, r->actor, errors, &out), errors))
        reply_json(r, 201, json_pack("{s:o}", "dry_run", out));
    json_decref(errors);
}

static void run(struct req *r)
{
    json_t *id = json_object_get(r->json, "dry_run_id"), *count = json_object_get(r->json, "count");
    json_t *errors = json_object(), *out = NULL;
    if (!json_is_integer(id))
        json_object_set_new(errors, "dry_run_id", json_string(req_msg(r, "field.required")));
    if (!json_is_integer(count))
        json_object_set_new(errors, "count", json_string(req_msg(r, "field.required")));
    int rc = json_object_size(errors) ? OP_INVALID
                                      : retention_start(r->db, r->actor, json_integer_value(id),
                                                        json_integer_value(count), errors, &out);
    if (rc == OP_CONFLICT) /* says why: used, too old, or the count moved */
        reply_json(r, 409,
                   json_pack("{s:{s:s,s:O,s:O}}", "error", "code", "retention_refused", "message",
                             json_object_get(errors, "count"), "fields", errors));
    else if (!op_reply(r, rc, errors))
        reply_json(r, 202, json_pack("{s:o}", "run", out));
    json_decref(errors);
}

static void run_get(struct req *r)
{
    json_t *out = NULL;
    int rc = retention_run_json(r->db, req_param_id(r, 0), &out);
    if (rc == 1)
        reply_json(r, 200, json_pack("{s:o}", "run", out));
    else if (rc == 0)
        reply_error(r, 404, "not_found");
    else
        reply_db_error(r, rc);
}

/* The route table retention_routes[], made from retention_api.routes. */
#include "crm/retention_api.routes.h"
