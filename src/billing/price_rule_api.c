/*
 * price_rule_api.c - the HTTP endpoints of an enterprise's contract price
 * rules (合同价): list, add, change, delete, each within the enterprise's
 * scope (price_rule.c).
 */
#include "billing/billing.h"

#include "approval/approval.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

static void list(struct req *r)
{
    int64_t ent;
    if (!req_param_id_or_404(r, 0, &ent))
        return;
    int rc = price_rule_visible(r->db, r->actor, ent);
    if (op_reply(r, rc, NULL))
        return;
    pricing_reply_items(r, price_rule_list(r->db, ent));
}

/* The rule as the list shows it after a change. */
static void reply_rule(struct req *r, unsigned status, int64_t ent, int64_t id)
{
    json_t *items = price_rule_list(r->db, ent), *o;
    size_t i;
    json_array_foreach(items, i, o)
    {
        if (json_integer_value(json_object_get(o, "id")) == id) {
            reply_json(r, status, json_incref(o));
            json_decref(items);
            return;
        }
    }
    json_decref(items);
    reply_db_error(r, DB_ERROR);
}

static void save(struct req *r, int64_t ent, int64_t id)
{
    json_t *errors = json_object();
    bool created = id == 0;
    int64_t approval = 0;
    int rc = price_rule_save(r->db, r->actor, ent, &id, r->json, errors, &approval);
    if (!op_reply(r, rc, errors)) {
        if (approval)
            approval_reply_submitted(r, approval);
        else
            reply_rule(r, created ? 201 : 200, ent, id);
    }
    json_decref(errors);
}

static void create(struct req *r)
{
    int64_t ent;
    if (req_param_id_or_404(r, 0, &ent))
        save(r, ent, 0);
}

static void update(struct req *r)
{
    int64_t ent, id;
    if (req_param_id_or_404(r, 0, &ent) && req_param_id_or_404(r, 1, &id))
        save(r, ent, id);
}

static void remove_one(struct req *r)
{
    int64_t ent, id;
    if (!req_param_id_or_404(r, 0, &ent) || !req_param_id_or_404(r, 1, &id))
        return;
    int rc = price_rule_delete(r->db, r->actor, ent, id);
    if (!op_reply(r, rc, NULL))
        reply_ok(r);
}

#include "billing/price_rule_api.routes.h"
