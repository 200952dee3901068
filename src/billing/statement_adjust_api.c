/*
 * statement_adjust_api.c - the HTTP endpoints of a statement's adjustments
 * (statement_adjust.c): thin, the checks are the operation's. Answers the
 * statement as GET /statements/{id} lists it.
 */
#include "billing/billing.h"

#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

/* A status that forbids the change is 409 statement_status with the
 * reason in the caller's language, as the other statement moves answer. */
static void answer(struct req *r, int rc, json_t *errors, int64_t id, unsigned status)
{
    const char *key = json_string_value(json_object_get(errors, "message_key"));
    if (rc == OP_CONFLICT && key)
        reply_error_key(r, 409, "statement_status", key);
    else if (!op_reply(r, rc, errors))
        reply_json(r, status, json_pack("{s:I}", "id", (json_int_t)id));
}

static void add_adjustment(struct req *r)
{
    int64_t id, adj = 0;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = statement_adjust_add(r->db, r->actor, id, r->json, &adj, errors);
    answer(r, rc, errors, adj, 201);
    json_decref(errors);
}

static void delete_adjustment(struct req *r)
{
    int64_t id, adj;
    if (!req_param_id_or_404(r, 0, &id) || !req_param_id_or_404(r, 1, &adj))
        return;
    json_t *errors = json_object();
    int rc = statement_adjust_delete(r->db, r->actor, id, adj, errors);
    answer(r, rc, errors, adj, 200);
    json_decref(errors);
}

#include "billing/statement_adjust_api.routes.h"
