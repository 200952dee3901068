/*
 * price_list_api.c - the HTTP endpoints of the list price table: its
 * versions (list, one whole, a new one, a change or deletion of a future
 * one); the operations are price_list.c's.
 */
#include "billing/billing.h"

#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

/* Answer an operation's failure; a locked version is 409 price_locked. */
static bool failed(struct req *r, int rc, json_t *errors)
{
    const char *key = json_string_value(json_object_get(errors, "message_key"));
    if (rc == OP_CONFLICT && key) {
        reply_error_key(r, 409, "price_locked", key);
        return true;
    }
    return op_reply(r, rc, errors);
}

static void reply_version(struct req *r, unsigned status, int64_t id)
{
    json_t *o = NULL;
    int rc = price_list_get(r->db, id, &o);
    if (rc == 1)
        reply_json(r, status, o);
    else
        rc ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
}

static void list(struct req *r)
{
    pricing_reply_items(r, price_list_versions(r->db));
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_version(r, 200, id);
}

static void create(struct req *r)
{
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = price_list_create(r->db, r->actor, r->json, &id, errors);
    if (!failed(r, rc, errors))
        reply_version(r, 201, id);
    json_decref(errors);
}

static void update(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = price_list_update(r->db, r->actor, id, r->json, errors);
    if (!failed(r, rc, errors))
        reply_version(r, 200, id);
    json_decref(errors);
}

static void remove_one(struct req *r)
{
    int64_t id;
    if (!req_param_id_or_404(r, 0, &id))
        return;
    json_t *errors = json_object();
    int rc = price_list_delete(r->db, r->actor, id, errors);
    if (!failed(r, rc, errors))
        reply_ok(r);
    json_decref(errors);
}

#include "billing/price_list_api.routes.h"
