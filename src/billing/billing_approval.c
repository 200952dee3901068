/*
 * billing_approval.c - the billing changes that wait for approval
 * (docs/decisions/0016): a contract discount deeper than the flow
 * contract_discount allows (max_discount_percent, default 30 %), and a
 * credit-limit change by anyone but an administrator beyond the flow
 * credit_limit's min_change (yuan, default 0: every change). While the
 * flow is disabled the change is saved at once. Once the last step
 * approves, the appliers below save it in the approval's transaction,
 * checked again against what is stored then.
 */
#include "billing/billing.h"

#include "approval/approval.h"
#include "core/op.h"
#include "core/perms.h"
#include "db/db.h"

#include <string.h>

#define MAX_FEN (100000000000LL * 100)

/* The flow's threshold at key scaled by 10^decimals (def when unset):
 * 1 enabled (*v), 0 disabled, <0. */
static int threshold(struct db *db, const char *flow, const char *key, int decimals, int64_t def,
                     int64_t *v)
{
    json_t *params = NULL;
    int rc = approval_flow_params(db, flow, &params);
    *v = def;
    if (rc == 1 && pricing_json_decimal(params, key, decimals, MAX_FEN, v, NULL, "zh-CN") != 1)
        *v = def;
    json_decref(params);
    return rc;
}

/* in without its "version": what the applier saves. */
static json_t *without_version(json_t *in)
{
    json_t *c = json_deep_copy(in);
    json_object_del(c, "version");
    return c;
}

int billing_guard_credit(struct db *db, const struct actor *a, int64_t ent,
                         const struct billing_settings *old, const struct billing_settings *s,
                         json_t *in, int64_t *approval_id)
{
    *approval_id = 0;
    if ((a->perms & PERM_ADMIN) || old->credit_limit_fen == s->credit_limit_fen)
        return 0;
    int64_t min = 0;
    int rc = threshold(db, "credit_limit", "min_change", 2, 0, &min);
    int64_t delta = s->credit_limit_fen - old->credit_limit_fen;
    if (rc <= 0 || (delta < 0 ? -delta : delta) <= min)
        return rc < 0 ? rc : 0;
    json_t *change =
        json_pack("{s:{s:o},s:{s:o},s:o}", "before", "credit_limit",
                  pricing_money_json(old->credit_limit_fen), "after", "credit_limit",
                  pricing_money_json(s->credit_limit_fen), "apply", without_version(in));
    /* the other settings sent with it wait too: they were one save */
    json_t *before = json_object_get(change, "before"), *after = json_object_get(change, "after");
    if (strcmp(old->mode, s->mode) != 0) {
        json_object_set_new(before, "mode", json_string(old->mode));
        json_object_set_new(after, "mode", json_string(s->mode));
    }
    return approval_request(db, a, "credit_limit", "enterprise", ent, change, approval_id);
}

int billing_guard_discount(struct db *db, const struct actor *a, int64_t ent, int64_t id,
                           json_t *in, int64_t percent_bp, int64_t *approval_id)
{
    *approval_id = 0;
    int64_t max_bp = 3000;
    int rc = threshold(db, "contract_discount", "max_discount_percent", 2, 3000, &max_bp);
    /* percent is what is paid: 65 % paid is a 35 % discount */
    if (rc <= 0 || 10000 - percent_bp <= max_bp)
        return rc < 0 ? rc : 0;
    json_t *after = without_version(in), *before = json_null();
    json_t *rules = id ? price_rule_list(db, ent) : NULL, *o;
    size_t i;
    json_array_foreach(rules, i, o)
    {
        if (json_integer_value(json_object_get(o, "id")) != id)
            continue;
        before = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(after, k, v)
        {
            json_t *was = json_object_get(o, k);
            json_object_set(before, k, was ? was : json_null());
        }
    }
    json_decref(rules);
    json_t *apply = json_pack("{s:I,s:O}", "rule_id", (json_int_t)id, "in", in);
    json_t *change = json_pack("{s:o,s:o,s:o}", "before", before, "after", after, "apply", apply);
    return approval_request(db, a, "contract_discount", "enterprise", ent, change, approval_id);
}

static int apply_credit(struct db *db, const struct actor *approver, const char *entity, int64_t id,
                        const json_t *payload)
{
    (void)entity;
    return billing_settings_apply(db, approver, id, (json_t *)payload);
}

static int apply_discount(struct db *db, const struct actor *approver, const char *entity,
                          int64_t id, const json_t *payload)
{
    (void)entity;
    json_t *p = (json_t *)payload;
    return price_rule_apply(db, approver, id, json_integer_value(json_object_get(p, "rule_id")),
                            json_object_get(p, "in"));
}

static const struct approval_applier credit = {"credit_limit", apply_credit};
static const struct approval_applier discount = {"contract_discount", apply_discount};

void billing_approval_init(void)
{
    approval_register_applier(&credit);
    approval_register_applier(&discount);
}
