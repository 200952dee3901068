/*
 * billing_settings_api.c - the HTTP endpoints of an enterprise's billing
 * settings (billing_settings.c), within the enterprise's scope.
 */
#include "billing/billing.h"

#include "approval/approval.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

static void reply_settings(struct req *r, int64_t ent)
{
    json_t *out = NULL;
    int rc = billing_settings_get(r->db, r->actor, ent, &out);
    if (!op_reply(r, rc, NULL))
        reply_json(r, 200, out);
}

static void get_settings(struct req *r)
{
    int64_t ent;
    if (req_param_id_or_404(r, 0, &ent))
        reply_settings(r, ent);
}

static void put_settings(struct req *r)
{
    int64_t ent;
    if (!req_param_id_or_404(r, 0, &ent))
        return;
    json_t *errors = json_object();
    int64_t approval = 0;
    int rc = billing_settings_save(r->db, r->actor, ent, r->json, errors, &approval);
    if (!op_reply(r, rc, errors)) {
        if (approval)
            approval_reply_submitted(r, approval);
        else
            reply_settings(r, ent);
    }
    json_decref(errors);
}

#include "billing/billing_settings_api.routes.h"
