/*
 * customer_bin.c - the recycle bin (回收站): moving a profile into it,
 * restoring it, and PIPL erasure, as operations (see customer.h).
 */
#include "crm/customer.h"
#include "record/references.h"

#include "approval/approval.h"
#include "auth/actor.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "core/events.h"
#include "core/op.h"
#include "crm/name_grams.h"
#include "db/db.h"
#include "record/history.h"

/* In one transaction: sql over customer id (args bound), event, audit. */
static int change(struct db *db, const struct actor *a, int64_t id, const char *sql,
                  const struct db_val *args, int nargs, const char *action, const char *event)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db, sql, args, nargs);
    if (!rc)
        rc = events_publish(db, event, "customer", id, a->id, NULL);
    if (!rc)
        rc = actor_audit(db, a, action, "customer", id, NULL);
    return op_end(db, rc);
}

/* Whether a sees customer id; with deleted, also in the bin (not erased). */
static bool visible(struct db *db, const struct actor *a, int64_t id, bool deleted)
{
    json_t *cur = id > 0 ? customer_load(db, a, id, deleted) : NULL;
    bool ok = cur && !json_is_true(json_object_get(cur, "erased"));
    json_decref(cur);
    return ok;
}

int customer_delete(struct db *db, const struct actor *a, int64_t id)
{
    if (!visible(db, a, id, false))
        return OP_NOT_FOUND;
    int64_t now = clock_now();
    return change(db, a, id,
                  "UPDATE customers SET deleted_at = ?, updated_at = ?, version = version + 1 "
                  "WHERE id = ?",
                  DB_ARGS(DB_INT(now), DB_INT(now), DB_INT(id)), "customer.delete",
                  "customer.deleted");
}

int customer_restore(struct db *db, const struct actor *a, int64_t id)
{
    if (!visible(db, a, id, true))
        return OP_NOT_FOUND;
    return change(db, a, id,
                  "UPDATE customers SET deleted_at = NULL, merged_into = NULL, updated_at = ?, "
                  "version = version + 1 WHERE id = ?",
                  DB_ARGS(DB_INT(clock_now()), DB_INT(id)), "customer.restore",
                  "customer.restored");
}

/* The one place that clears a person's columns (erasure, retention's
 * anonymisation): name (to the given placeholder), pinyin, name fragments,
 * gender, phone, ID number, birthday, address, occupation, interests,
 * family members, business preferences and custom values. Kept: number,
 * region, levels, owner, branch and the profile figures (counts stay
 * right). Call inside the caller's transaction. */
int customer_clear_personal(struct db *db, int64_t id, const char *name)
{
    int64_t now = clock_now();
    int rc = name_grams_forget(db, id); /* the name as stored, before it goes */
    if (!rc)
        rc = db_exec(db,
                     "UPDATE customers SET name = ?, name_pinyin = '', name_initials = '', "
                     "gender = NULL, phone = '', phone_last4 = '', id_number = NULL, "
                     "id_sealed = NULL, id_index = NULL, id_last4_index = NULL, "
                     "birthday = NULL, birthday_lunar = 0, birthday_lunar_md = NULL, "
                     "address = NULL, occupation = NULL, interests = '[]', "
                     "family_members = '[]', business_prefs = '[]', custom = '{}', email = NULL, "
                     "updated_at = ?, version = version + 1 WHERE id = ?",
                     DB_ARGS(DB_TEXT(name), DB_INT(now), DB_INT(id)));
    return rc;
}

/* The erasure's writes: the person's data, tags and recorded history go;
 * a husk named in a's language keeps counts right. */
static int erase_rows(struct db *db, const struct actor *a, int64_t id)
{
    int64_t now = clock_now();
    int rc = customer_clear_personal(db, id, i18n_msg(a->lang, "customer.erased"));
    if (!rc)
        rc = db_exec(db,
                     "UPDATE customers SET erased_at = ?, deleted_at = COALESCE(deleted_at, ?) "
                     "WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(now), DB_INT(id)));
    /* Tags and the history's values: every registered reference. */
    return rc ? rc : entity_erase_references(db, &entity_customer, id);
}

/* The erasure's writes, event and audit entry, in the caller's
 * transaction. */
static int erase_in(struct db *db, const struct actor *a, int64_t id)
{
    int rc = erase_rows(db, a, id);
    if (!rc)
        rc = events_publish(db, "customer.erased", "customer", id, a->id, NULL);
    return rc ? rc : actor_audit(db, a, "customer.erase", "customer", id, NULL);
}

/* The flow customer_erasure: an erasure cannot be undone, so while the
 * flow is enabled it waits for another administrator's approval. */
static int erase_guard(struct db *db, const struct actor *a, int64_t id, json_t *cur,
                       int64_t *approval_id)
{
    const char *name = json_string_value(json_object_get(cur, "name"));
    json_t *change =
        json_pack("{s:{s:s,s:b},s:{s:s,s:b}}", "before", "name", name ? name : "", "erased", 0,
                  "after", "name", i18n_msg(a->lang, "customer.erased"), "erased", 1);
    return approval_request(db, a, "customer_erasure", "customer", id, change, approval_id);
}

int customer_erase(struct db *db, const struct actor *a, int64_t id, int64_t *approval_id)
{
    json_t *cur = id > 0 ? customer_load(db, a, id, true) : NULL;
    if (!cur)
        return OP_NOT_FOUND;
    int rc = approval_id ? erase_guard(db, a, id, cur, approval_id) : 0;
    json_decref(cur);
    if (rc || (approval_id && *approval_id) || (rc = db_begin(db)))
        return rc;
    return op_end(db, erase_in(db, a, id));
}

/* An approved erasure: the customer as it is now, not erased already. */
static int erase_apply(struct db *db, const struct actor *approver, const char *entity, int64_t id,
                       const json_t *payload)
{
    (void)entity;
    (void)payload;
    json_t *cur = customer_load(db, &actor_system, id, true);
    bool gone = !cur || json_is_true(json_object_get(cur, "erased"));
    json_decref(cur);
    return gone ? OP_CONFLICT : erase_in(db, approver, id);
}

static const struct approval_applier erase_applier = {"customer_erasure", erase_apply};

void customer_erase_init(void)
{
    approval_register_applier(&erase_applier);
}
