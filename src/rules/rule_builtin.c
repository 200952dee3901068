/*
 * rule_builtin.c - the built-in automations as rules (kind 'builtin'):
 * their parameters are the settings the features read, shown in the rule
 * and written back there, so a threshold edited in the rule is the
 * threshold the feature uses. Today: 运单停滞预警 (the stuck-shipment
 * alerts of logistics/alert.c, thresholds in waybill_thresholds; its
 * enabled flag is read by the alert pass).
 */
#include "rules/rules.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/op.h"
#include "db/db.h"

#include <string.h>

static bool is_key(json_t *rule, const char *key)
{
    const char *k = json_string_value(json_object_get(rule, "builtin_key"));
    return k && strcmp(k, key) == 0;
}

int rule_builtin_params(struct db *db, json_t *rule)
{
    if (!is_key(rule, "waybill_stalled"))
        return 0;
    json_t *list = json_array();
    struct db_stmt *st = db_query(db,
                                  "SELECT id, product, node_type, tier, minutes FROM "
                                  "waybill_thresholds ORDER BY product, node_type, tier",
                                  DB_NOARGS);
    int rc = 0;
    while (st && (rc = db_step(st)) == 1)
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)db_col_int(st, 0), "product",
                            db_col_text(st, 1), "node_type", db_col_text(st, 2), "tier",
                            db_col_text(st, 3), "minutes", (json_int_t)db_col_int(st, 4)));
    db_finish(st);
    json_object_set_new(
        rule, "trigger_params",
        json_pack("{s:o,s:s}", "thresholds", list, "settings_page", "/admin/waybill-thresholds"));
    return st ? (rc < 0 ? rc : 0) : DB_ERROR;
}

int rule_builtin_save(struct db *db, const struct actor *a, json_t *rule, json_t *in,
                      json_t *errors)
{
    json_t *list = json_object_get(json_object_get(in, "trigger_params"), "thresholds");
    if (!is_key(rule, "waybill_stalled") || !list)
        return 0;
    size_t i;
    json_t *t;
    int rc = json_is_array(list) ? 0 : OP_INVALID;
    json_array_foreach(list, i, t)
    {
        json_t *id = json_object_get(t, "id"), *min = json_object_get(t, "minutes");
        if (rc)
            break;
        if (!json_is_integer(id) || !json_is_integer(min) || json_integer_value(min) < 1 ||
            json_integer_value(min) > 525600) {
            rc = OP_INVALID;
            break;
        }
        rc = db_exec(db,
                     "UPDATE waybill_thresholds SET minutes = ?, updated_by = ?, updated_at = ? "
                     "WHERE id = ? AND minutes <> ?",
                     DB_ARGS(DB_INT(json_integer_value(min)), DB_INT_OR_NULL(a->id, a->id),
                             DB_INT(clock_now()), DB_INT(json_integer_value(id)),
                             DB_INT(json_integer_value(min))));
    }
    if (rc == OP_INVALID)
        json_object_set_new(errors, "trigger_params",
                            json_string(i18n_msg(a->lang, "field.invalid")));
    return rc;
}
