/*
 * enterprise_int.h - what the enterprise files share and nobody else needs.
 */
#ifndef HY_ENTERPRISE_INT_H
#define HY_ENTERPRISE_INT_H

#include "core/perms.h"
#include "db/db.h"
#include "record/entity.h"
#include "vip/enterprise.h"

/* The right that shows a whole branch tree's enterprises rather than
 * one's own (supervisors and admins: the team view of tasks too). */
#define ENTERPRISE_TEAM PERM_MERGE

#define ENTERPRISE_COLUMNS                                                                         \
    "e.id, e.customer_no, e.name, e.name_pinyin, e.name_initials, e.short_name, e.uscc, "          \
    "e.uscc_override_reason, e.industry, e.size, e.address, e.region, e.website, e.tier, "         \
    "e.status, e.acquired_on, e.owner_id, o.name AS owner_name, e.supervisor_id, "                 \
    "sv.name AS supervisor_name, e.credit_days, e.credit_limit_fen, e.billing_day, e.settlement, " \
    "e.order_channels AS order_channels_json, e.price_sensitivity, e.timeliness, "                 \
    "e.value_added AS value_added_json, e.branch_id, b.name AS branch_name, e.branch_path, "       \
    "e.custom AS custom_json, e.deleted_at, e.version, e.created_at, e.updated_at"

/* Shipping figures of enterprise e (logistics, migrations 0022 and 0030),
 * for the list's columns, sorts and filters: the newest waybill by the
 * (enterprise, collected) index; the fee (fen) and pieces of the last 90
 * days from the day rollup, counted back from the day the alert pass
 * keeps (shipping_today: the same on both backends, follows the test
 * clock). */
#define ENTERPRISE_LAST_WAYBILL                                                                    \
    "(SELECT MAX(w.collected_at) FROM waybills w WHERE w.enterprise_id = e.id)"
#define ENTERPRISE_90D(col)                                                                        \
    "(SELECT COALESCE(SUM(r." col "), 0) FROM waybill_rollups_day r WHERE r.enterprise_id = "      \
    "e.id AND r.day > (SELECT t.day FROM shipping_today t) - 90)"
#define ENTERPRISE_FIGURE_COLUMNS                                                                  \
    ENTERPRISE_LAST_WAYBILL " AS last_waybill_at, " ENTERPRISE_90D(                                \
        "fee_fen") " AS spend_90d_fen, " ENTERPRISE_90D("pieces") " AS pieces_90d"

/* Validate the fields of in on top of cur (NULL: a new enterprise) into
 * out, messages into errors (u's language). Negative only on a database
 * failure. */
int enterprise_check(struct db *db, const struct actor *u, json_t *in, json_t *cur, json_t *out,
                     json_t *errors);
/* The writing steps of the operations, in the caller's transaction, for
 * a record enterprise_check made (imports): insert it (number given,
 * grams, the new manager's bell, "enterprise.created"), or write it over
 * enterprise id at version with cur its stored record (OP_STALE when the
 * version moved; history, reassignment, "enterprise.changed"). No audit. */
int enterprise_add(struct db *db, const struct actor *a, json_t *rec, int64_t *id);
int enterprise_write(struct db *db, const struct actor *a, int64_t id, json_int_t version,
                     json_t *cur, json_t *rec);
/* The import hooks (enterprise_import.c). */
extern const struct entity_import enterprise_import;
/* The enterprise the path's first parameter names when the request's
 * actor may see it (deleted: the recycle bin's too), or 0 after a 404
 * (or the database error). */
int64_t enterprise_param_or_404(struct req *r, bool deleted);
/* 1 when u may see enterprise ent (not deleted), 0 not, <0 error. */
/* The contacts given with a new enterprise (in: a JSON array or NULL),
 * checked as the contacts endpoint checks one, into checked (an array of
 * the records to write); messages keyed "contacts[i].<field>", at most one
 * primary. <0 only on a database failure. */
int contact_check_new(struct db *db, const struct actor *a, json_t *in, json_t *checked,
                      json_t *errors);
/* Write the checked contacts of the new enterprise ent, in the caller's
 * transaction, each audited (the first or the one flagged is primary). */
int contact_add_checked(struct db *db, const struct actor *a, int64_t ent, json_t *checked);

int enterprise_visible(struct db *db, const struct actor *u, int64_t ent);
/* "12.30" → 1230 (text made by fields_check_value's money check). */
int64_t enterprise_fen(const char *yuan);

/*
 * The parts of an enterprise with rows of their own, contacts (contact.c)
 * and departments (department.c), each described for enterprise_part.c.
 */
struct form;
/* A part (enterprise.h) described for enterprise_part.c. */
struct enterprise_part {
    const char *name; /* "contact": audited enterprise.contact_create with contact_id */
    /* Part id of enterprise ent as stored (clear), NULL when there is none. */
    json_t *(*get)(struct db *db, int64_t ent, int64_t id);
    /* Validate in on top of cur (NULL: a new one, id 0) into out; messages
     * into errors (u's language). Negative only on a database failure. */
    int (*check)(struct db *db, const struct actor *u, int64_t ent, int64_t id, json_t *in,
                 json_t *cur, json_t *out, json_t *errors);
    /* Write rec over part *id, or insert it (*id 0: its id into *id). */
    int (*save)(struct db *db, int64_t ent, int64_t *id, json_t *rec);
    /* 0 when part id (cur) may go, OP_INVALID with errors when not. */
    int (*deletable)(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *cur,
                     json_t *errors);
    /* Delete part id and what points at it. */
    int (*remove)(struct db *db, int64_t id);
};
/* 0 when a may change enterprise ent (sees it: managers their own),
 * OP_NOT_FOUND, or DB_*. */
int enterprise_writable(struct db *db, const struct actor *a, int64_t ent);
/* Whether sql (a COUNT(*) with two integers x, y bound) counts any row:
 * 1, 0, or DB_*. */
int enterprise_any(struct db *db, const char *sql, int64_t x, int64_t y);
/* The integer field key of f, a reference to a row of enterprise ent that
 * sql counts (its id and ent bound): into out[key] (null clears) when
 * given; 1 when it names such a row, 0 when not given or not such a row
 * (then unknown is key's message), DB_*. */
int enterprise_part_ref(struct db *db, struct form *f, json_t *out, const char *key,
                        const char *sql, int64_t ent, const char *unknown, int64_t *ref);
/* A department / contact of enterprise ent by id (id, ent bound). */
#define ENTERPRISE_HAS_DEPARTMENT                                                                  \
    "SELECT COUNT(*) FROM enterprise_departments WHERE id = ? AND enterprise_id = ?"
#define ENTERPRISE_HAS_CONTACT                                                                     \
    "SELECT COUNT(*) FROM enterprise_contacts WHERE id = ? AND enterprise_id = ?"
/* The text / integer (SQL NULL unless one) at key of a checked record. */
const char *enterprise_str(json_t *rec, const char *key);
struct db_val enterprise_int_or_null(json_t *rec, const char *key);

#endif
