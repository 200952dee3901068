/*
 * demo_pricing.c - see demo_pricing.h. Each of the first enterprises gets
 * a few of the rule kinds, different from one enterprise to the next, all
 * valid from the start of 2026.
 */
#include "app/demo_pricing.h"

#include "auth/actor.h"
#include "base/log.h"
#include "billing/billing.h"
#include "db/db.h"

#include <jansson.h>
#include <stdlib.h>

/* The rules of enterprise i (0-based), as the API takes them. */
static const char *const rule_sets[][4] = {
    {"{\"kind\":\"discount\",\"product\":\"standard\",\"percent\":\"92\"}",
     "{\"kind\":\"tier\",\"basis\":\"pieces\",\"threshold\":1000,\"percent\":\"95\"}",
     "{\"kind\":\"waive\",\"service\":\"insured\"}", NULL},
    {"{\"kind\":\"discount\",\"percent\":\"88\"}",
     "{\"kind\":\"fixed\",\"product\":\"standard\",\"zone\":\"intra\",\"mode\":\"piece\","
     "\"price\":\"6.00\"}",
     NULL, NULL},
    {"{\"kind\":\"discount\",\"product\":\"medical\",\"percent\":\"85\"}",
     "{\"kind\":\"tier\",\"basis\":\"spend\",\"threshold\":\"50000\",\"percent\":\"90\"}",
     "{\"kind\":\"fixed\",\"product\":\"cold_chain\",\"zone\":\"z1\",\"mode\":\"weight\","
     "\"first_weight\":\"1\",\"first_price\":\"20.00\",\"step_weight\":\"1\",\"step_price\":"
     "\"4.00\"}",
     "{\"kind\":\"waive\",\"service\":\"cod\"}"},
};

int demo_pricing(struct db *db, int n)
{
    struct db_stmt *st =
        db_query(db, "SELECT id FROM enterprises ORDER BY id LIMIT ?", DB_ARGS(DB_INT(n)));
    if (!st)
        return DB_ERROR;
    int64_t ids[16];
    int count = 0, rc = 0, made = 0;
    while (count < 16 && db_step(st) == 1)
        ids[count++] = db_col_int(st, 0);
    db_finish(st);
    for (int i = 0; rc >= 0 && i < count; i++) {
        const char *const *set = rule_sets[i % (int)(sizeof(rule_sets) / sizeof(rule_sets[0]))];
        for (int k = 0; rc >= 0 && k < 4 && set[k]; k++) {
            json_t *in = json_loads(set[k], 0, NULL), *errors = json_object();
            json_object_set_new(in, "valid_from", json_string("2026-01-01"));
            int64_t id = 0;
            rc = price_rule_save(db, &actor_system, ids[i], &id, in, errors, NULL);
            if (rc > 0) {
                char *why = json_dumps(errors, JSON_COMPACT);
                log_warn("demo: a price rule was skipped: %s", why ? why : "?");
                free(why);
                rc = 0;
            } else if (!rc) {
                made++;
            }
            json_decref(in);
            json_decref(errors);
        }
    }
    if (rc >= 0)
        log_info("demo data: %d contract price rules for %d enterprises", made, count);
    return rc < 0 ? rc : 0;
}
