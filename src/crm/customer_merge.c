/*
 * customer_merge.c - see customer_merge.h.
 */
#include "crm/customer_merge.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "core/events.h"
#include "core/op.h"
#include "crm/customer.h"
#include "record/references.h"
#include "crm/interaction.h"
#include "db/db.h"

/* The merge's writes, in the caller's transaction. */
static int merge_rows(struct db *db, int64_t keep, int64_t dup)
{
    int64_t now = clock_now();
    /* Tags, business records, tasks: every registered reference. */
    int rc = entity_move_references(db, &entity_customer, dup, keep);
    if (!rc)
        rc = db_exec(db,
                     "UPDATE customers SET deleted_at = ?, merged_into = ?, updated_at = ?, "
                     "version = version + 1 WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(keep), DB_INT(now), DB_INT(dup)));
    if (!rc)
        rc = db_exec(db, "UPDATE customers SET updated_at = ?, version = version + 1 WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(keep)));
    /* The records moved: both profiles' figures follow them. */
    if (!rc)
        rc = interaction_refresh_figures(db, keep);
    if (!rc)
        rc = interaction_refresh_figures(db, dup);
    return rc;
}

int customer_merge(struct db *db, const struct actor *a, int64_t keep, int64_t dup, json_t *errors)
{
    json_t *kept = customer_load(db, a, keep, false);
    if (!kept)
        return OP_NOT_FOUND;
    json_decref(kept);
    if (dup <= 0 || dup == keep) {
        json_object_set_new(errors, "duplicate_id",
                            json_string(i18n_msg(a->lang, "field.invalid")));
        return OP_INVALID;
    }
    json_t *other = customer_load(db, a, dup, false);
    if (!other)
        return OP_NOT_FOUND;
    json_t *detail = json_pack("{s:I,s:s,s:s}", "duplicate_id", (json_int_t)dup, "customer_no",
                               json_string_value(json_object_get(other, "customer_no")), "name",
                               json_string_value(json_object_get(other, "name")));
    json_decref(other);
    int rc = db_begin(db);
    if (rc) {
        json_decref(detail);
        return rc;
    }
    rc = merge_rows(db, keep, dup);
    if (!rc)
        rc = events_publish(db, "customer.merged", "customer", keep, a->id,
                            json_pack("{s:I}", "duplicate_id", (json_int_t)dup));
    if (!rc)
        rc = actor_audit(db, a, "customer.merge", "customer", keep, detail);
    else
        json_decref(detail);
    return op_end(db, rc);
}
