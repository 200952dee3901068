/*
 * price_rule.c - the contract price rules (合同价) of an enterprise or of
 * one of its departments: product discounts, volume tiers, fixed zone
 * prices and waived value-added services, each valid over dates. Two
 * rules of one kind that would both apply to a waybill on one day are
 * refused (same department, product and zone / service / threshold,
 * overlapping validity): the engine's choice never depends on an order.
 */
#include "billing/billing.h"

#include "base/clock.h"
#include "base/date.h"
#include "base/i18n.h"
#include "base/utf8.h"
#include "base/validate.h"
#include "core/events.h"
#include "core/op.h"
#include "db/db.h"
#include "db/sqlbuf.h"
#include "record/dictionaries.h"
#include "vip/enterprise.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAX_FEN   100000000LL
#define MAX_GRAMS 100000000LL

static void fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

#define RULE_COLUMNS                                                                               \
    "r.id, r.kind, r.department_id, r.product, r.zone, r.service, r.basis, r.threshold, "          \
    "r.percent_bp, r.fixed_mode, r.fixed_fen, r.first_g, r.first_fen, r.step_g, r.step_fen, "      \
    "r.from_at, r.to_at, r.enterprise_id, d.name, r.valid_from, r.valid_to, r.note, r.version, "   \
    "r.created_at, r.updated_at"
#define RULE_FROM "price_rules r LEFT JOIN enterprise_departments d ON d.id = r.department_id"

static json_t *rule_row(struct db_stmt *st)
{
    struct price_rule r;
    price_rule_from_row(st, 0, &r);
    char pct[32], created[40], updated[40];
    pricing_percent_text(r.percent_bp, pct);
    clock_format_iso(db_col_int(st, 23), created, sizeof(created));
    clock_format_iso(db_col_int(st, 24), updated, sizeof(updated));
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)r.id,
                          "enterprise_id", (json_int_t)db_col_int(st, 17), "kind",
                          db_col_text(st, 1), "product", r.product, "valid_from",
                          db_col_text(st, 19), "note", db_col_text(st, 21), "created_at", created,
                          "version", (json_int_t)db_col_int(st, 22), "updated_at", updated, "zone",
                          db_col_text(st, 4));
    json_object_set_new(o, "department_id",
                        r.department_id ? json_integer(r.department_id) : json_null());
    json_object_set_new(o, "department_name",
                        db_col_is_null(st, 18) ? json_null() : json_string(db_col_text(st, 18)));
    json_object_set_new(o, "valid_to",
                        db_col_is_null(st, 20) ? json_null() : json_string(db_col_text(st, 20)));
    switch (r.kind) {
    case RULE_DISCOUNT:
        json_object_set_new(o, "percent", json_string(pct));
        break;
    case RULE_TIER:
        json_object_set_new(o, "percent", json_string(pct));
        json_object_set_new(o, "basis", json_string(r.by_spend ? "spend" : "pieces"));
        json_object_set_new(o, "threshold",
                            r.by_spend ? pricing_money_json(r.threshold)
                                       : json_integer(r.threshold));
        break;
    case RULE_FIXED:
        json_object_set_new(o, "mode", json_string(r.per_piece ? "piece" : "weight"));
        if (r.per_piece) {
            json_object_set_new(o, "price", pricing_money_json(r.fixed_fen));
        } else {
            json_object_set_new(o, "first_weight", pricing_kg_json(r.first_g));
            json_object_set_new(o, "first_price", pricing_money_json(r.first_fen));
            json_object_set_new(o, "step_weight", pricing_kg_json(r.step_g));
            json_object_set_new(o, "step_price", pricing_money_json(r.step_fen));
        }
        break;
    case RULE_WAIVE:
        json_object_set_new(o, "service", json_string(db_col_text(st, 5)));
        break;
    }
    return o;
}

json_t *price_rule_list(struct db *db, int64_t ent)
{
    struct db_stmt *st = db_query(db,
                                  "SELECT " RULE_COLUMNS " FROM " RULE_FROM
                                  " WHERE r.enterprise_id = ? ORDER BY r.from_at DESC, r.id DESC",
                                  DB_ARGS(DB_INT(ent)));
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1)
        json_array_append_new(items, rule_row(st));
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/* ---- checks ---- */

/* A checked rule: the row's values. */
struct rule_in {
    const char *kind, *product, *zone, *service, *basis, *mode, *note;
    int64_t department_id, threshold, percent_bp, fixed_fen, first_g, first_fen, step_g, step_fen;
    char valid_from[11], valid_to[11];
    int64_t from_at, to_at; /* to_at 0: open */
};

static const char *one_of(json_t *in, const char *key, const char *const *allowed)
{
    const char *s = json_string_value(json_object_get(in, key));
    for (int i = 0; s && allowed[i]; i++)
        if (strcmp(s, allowed[i]) == 0)
            return allowed[i];
    return NULL;
}

static bool read_date(json_t *in, const char *key, bool required, char out[11], int64_t *at,
                      const char *lang, json_t *errors)
{
    json_t *v = json_object_get(in, key);
    const char *s = json_string_value(v);
    if (!v || json_is_null(v) || (s && !*s)) {
        if (required)
            fail(errors, lang, key, "field.required");
        return false;
    }
    struct date d;
    if (!s || date_parse(s, strlen(s), &d) != 0) {
        fail(errors, lang, key, "price.date");
        return false;
    }
    date_format(d, out);
    *at = date_start_time(d);
    return true;
}

/* Number at key; required: a message when absent. 0 when given and good. */
static void need(json_t *in, const char *key, int decimals, int64_t max, int64_t *out,
                 const char *msg_key, const char *lang, json_t *errors)
{
    int got = pricing_json_decimal(in, key, decimals, max, out, NULL, lang);
    if (got == 0)
        fail(errors, lang, key, "field.required");
    else if (got < 0)
        fail(errors, lang, key, msg_key);
}

static int check(struct db *db, const struct actor *a, int64_t ent, json_t *in, struct rule_in *r,
                 json_t *errors)
{
    static const char *const kinds[] = {"discount", "tier", "fixed", "waive", NULL};
    static const char *const bases[] = {"pieces", "spend", NULL};
    static const char *const modes[] = {"piece", "weight", NULL};
    static const char *const services[] = {"insured", "cod", NULL};
    const char *lang = a->lang;
    memset(r, 0, sizeof(*r));
    r->product = r->zone = r->service = r->basis = r->mode = "";
    r->percent_bp = 10000;
    if (!(r->kind = one_of(in, "kind", kinds))) {
        fail(errors, lang, "kind", "price.kind");
        return OP_INVALID;
    }
    json_t *dv = json_object_get(in, "department_id");
    if (dv && !json_is_null(dv)) {
        int64_t n = 0;
        int rc = json_is_integer(dv)
                     ? db_query_int(db,
                                    "SELECT COUNT(*) FROM enterprise_departments WHERE id = ? AND "
                                    "enterprise_id = ?",
                                    DB_ARGS(DB_INT(json_integer_value(dv)), DB_INT(ent)), &n)
                     : 0;
        if (rc < 0)
            return rc;
        if (!n)
            fail(errors, lang, "department_id", "enterprise.unknown_department");
        r->department_id = json_integer_value(dv);
    }
    const char *product = json_string_value(json_object_get(in, "product"));
    if (product && *product) {
        if (!dictionaries_has(db, "waybill_product", product))
            fail(errors, lang, "product", "price.unknown_product");
        r->product = product;
    }
    bool discounted = strcmp(r->kind, "discount") == 0 || strcmp(r->kind, "tier") == 0;
    if (discounted) {
        int got = pricing_json_decimal(in, "percent", 2, 10000, &r->percent_bp, NULL, lang);
        if (got <= 0 || r->percent_bp < 100)
            fail(errors, lang, "percent", "price.percent");
    }
    if (strcmp(r->kind, "tier") == 0) {
        if (!(r->basis = one_of(in, "basis", bases))) {
            r->basis = "";
            fail(errors, lang, "basis", "price.basis");
        } else if (strcmp(r->basis, "spend") == 0) {
            need(in, "threshold", 2, MAX_FEN * 100, &r->threshold, "price.money", lang, errors);
        } else {
            json_t *t = json_object_get(in, "threshold");
            if (!json_is_integer(t) || json_integer_value(t) < 1)
                fail(errors, lang, "threshold", "price.pieces");
            r->threshold = json_integer_value(t);
        }
    }
    if (strcmp(r->kind, "fixed") == 0) {
        const char *zone = json_string_value(json_object_get(in, "zone"));
        if (pricing_zone_index(zone) < 0)
            fail(errors, lang, "zone", "price.unknown_zone");
        else
            r->zone = zone;
        if (!(r->mode = one_of(in, "mode", modes))) {
            r->mode = "";
            fail(errors, lang, "mode", "price.mode");
        } else if (strcmp(r->mode, "piece") == 0) {
            need(in, "price", 2, MAX_FEN, &r->fixed_fen, "price.money", lang, errors);
        } else {
            need(in, "first_weight", 3, MAX_GRAMS, &r->first_g, "price.weight", lang, errors);
            need(in, "first_price", 2, MAX_FEN, &r->first_fen, "price.money", lang, errors);
            need(in, "step_weight", 3, MAX_GRAMS, &r->step_g, "price.weight", lang, errors);
            need(in, "step_price", 2, MAX_FEN, &r->step_fen, "price.money", lang, errors);
            if (!json_object_get(errors, "first_weight") && r->first_g <= 0)
                fail(errors, lang, "first_weight", "price.weight");
            if (!json_object_get(errors, "step_weight") && r->step_g <= 0)
                fail(errors, lang, "step_weight", "price.weight");
        }
    }
    if (strcmp(r->kind, "waive") == 0 && !(r->service = one_of(in, "service", services))) {
        r->service = "";
        fail(errors, lang, "service", "price.service");
    }
    bool from = read_date(in, "valid_from", true, r->valid_from, &r->from_at, lang, errors);
    int64_t to_start = 0;
    if (read_date(in, "valid_to", false, r->valid_to, &to_start, lang, errors)) {
        r->to_at = to_start + DATE_DAY_SECONDS; /* the last day is included */
        if (from && to_start < r->from_at)
            fail(errors, lang, "valid_to", "price.valid_to");
    }
    r->note = json_string_value(json_object_get(in, "note"));
    if (r->note && utf8_len(r->note) > 200)
        fail(errors, lang, "note", "field.invalid");
    return json_object_size(errors) ? OP_INVALID : 0;
}

/* The rule of the same kind and reach whose validity overlaps r's (other
 * than id): its id into *other, 1; 0 none; <0. */
static int overlap(struct db *db, int64_t ent, int64_t id, const struct rule_in *r, int64_t *other)
{
    return db_query_int(
        db,
        "SELECT id FROM price_rules WHERE enterprise_id = ? AND id <> ? AND kind = ? AND "
        "COALESCE(department_id, 0) = ? AND product = ? AND zone = ? AND service = ? AND "
        "basis = ? AND threshold = ? AND from_at < COALESCE(?, 9223372036854775807) AND "
        "COALESCE(to_at, 9223372036854775807) > ? ORDER BY id LIMIT 1",
        DB_ARGS(DB_INT(ent), DB_INT(id), DB_TEXT(r->kind), DB_INT(r->department_id),
                DB_TEXT(r->product), DB_TEXT(r->zone), DB_TEXT(r->service), DB_TEXT(r->basis),
                DB_INT(r->threshold), DB_INT_OR_NULL(r->to_at, r->to_at), DB_INT(r->from_at)),
        other);
}

/* ---- operations ---- */

/* 0 when a may see enterprise ent (the route asked for the right to
 * change prices), OP_NOT_FOUND, or DB_*. */
static int visible(struct db *db, const struct actor *a, int64_t ent)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b,
               "SELECT COUNT(*) FROM enterprises e WHERE e.id = ? AND e.deleted_at IS NULL AND ");
    sqlbuf_bind(&b, DB_INT(ent));
    enterprise_visible_sql(a, &b);
    int64_t n = 0;
    int rc = db_query_int(db, b.sql, b.args, b.nargs, &n);
    sqlbuf_release(&b);
    return rc < 0 ? rc : n ? 0 : OP_NOT_FOUND;
}

int price_rule_visible(struct db *db, const struct actor *a, int64_t ent)
{
    return visible(db, a, ent);
}

static int audit(struct db *db, const struct actor *a, const char *verb, int64_t ent, int64_t id,
                 json_t *detail)
{
    char action[48];
    snprintf(action, sizeof(action), "price_rule.%s", verb);
    if (!detail)
        detail = json_object();
    json_object_set_new(detail, "rule_id", json_integer(id));
    int rc = actor_audit(db, a, action, "enterprise", ent, detail);
    return rc ? rc
              : events_publish(db, "price_rule.changed", "enterprise", ent, a->id,
                               json_pack("{s:I,s:s}", "rule_id", (json_int_t)id, "change", verb));
}

/* Rule *id (0: new, its id into *id) of ent as r, over stored version,
 * and its audit entry, inside the caller's transaction. */
static int write_rule(struct db *db, const struct actor *a, int64_t ent, int64_t *id,
                      const struct rule_in *r, json_int_t version, json_t *in)
{
    int64_t now = clock_now();
    int rc;
    struct db_val vals[] = {
        DB_INT_OR_NULL(r->department_id, r->department_id),
        DB_TEXT(r->kind),
        DB_TEXT(r->product),
        DB_TEXT(r->zone),
        DB_TEXT(r->service),
        DB_TEXT(r->basis),
        DB_INT(r->threshold),
        DB_INT(r->percent_bp),
        DB_TEXT(r->mode),
        DB_INT(r->fixed_fen),
        DB_INT(r->first_g),
        DB_INT(r->first_fen),
        DB_INT(r->step_g),
        DB_INT(r->step_fen),
        DB_TEXT(r->valid_from),
        DB_TEXT(r->valid_to[0] ? r->valid_to : NULL),
        DB_INT(r->from_at),
        DB_INT_OR_NULL(r->to_at, r->to_at),
        DB_TEXT(r->note ? r->note : ""),
        DB_INT(now),
        DB_INT(ent),
        DB_INT(*id ? *id : a->id),
        DB_INT(*id ? version : now),
    };
    const int n = (int)(sizeof(vals) / sizeof(vals[0]));
    bool created = *id == 0;
    if (created) {
        vals[n - 2] = DB_INT_OR_NULL(a->id, a->id);
        rc = db_exec(db,
                     "INSERT INTO price_rules (department_id, kind, product, zone, service, basis, "
                     "threshold, percent_bp, fixed_mode, fixed_fen, first_g, first_fen, step_g, "
                     "step_fen, valid_from, valid_to, from_at, to_at, note, updated_at, "
                     "enterprise_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     vals, n);
        if (!rc)
            rc = db_query_id(db, "SELECT MAX(id) FROM price_rules WHERE enterprise_id = ?",
                             DB_ARGS(DB_INT(ent)), id);
    } else {
        rc = db_exec(db,
                     "UPDATE price_rules SET department_id = ?, kind = ?, product = ?, zone = ?, "
                     "service = ?, basis = ?, threshold = ?, percent_bp = ?, fixed_mode = ?, "
                     "fixed_fen = ?, first_g = ?, first_fen = ?, step_g = ?, step_fen = ?, "
                     "valid_from = ?, valid_to = ?, from_at = ?, to_at = ?, note = ?, updated_at = "
                     "?, version = version + 1 WHERE enterprise_id = ? AND id = ? AND version = ?",
                     vals, n);
        if (!rc && db_changes(db) == 0)
            rc = OP_STALE;
    }
    if (!rc)
        rc = audit(db, a, created ? "create" : "update", ent, *id, json_deep_copy(in));
    return rc;
}

/* The checks of saving rule id of ent as in, into *r and *version. */
static int prepare(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *in,
                   struct rule_in *r, json_int_t *version, json_t *errors)
{
    int rc = 0;
    *version = 0;
    if (id) {
        int64_t cur = 0;
        rc = db_query_int(db, "SELECT version FROM price_rules WHERE id = ? AND enterprise_id = ?",
                          DB_ARGS(DB_INT(id), DB_INT(ent)), &cur);
        if (rc == 0)
            return OP_NOT_FOUND;
        if (rc < 0)
            return rc;
        json_t *cj = json_pack("{s:I}", "version", (json_int_t)cur);
        rc = op_check_version(in, cj, a->lang, errors, version);
        json_decref(cj);
    }
    if (!rc)
        rc = check(db, a, ent, in, r, errors);
    int64_t other = 0;
    if (!rc && (rc = overlap(db, ent, id, r, &other)) == 1) {
        char msg[256];
        snprintf(msg, sizeof(msg), "%s #%" PRId64, i18n_msg(a->lang, "price.overlap"), other);
        json_object_set_new(errors, "valid_from", json_string(msg));
        rc = OP_INVALID;
    }
    return rc;
}

int price_rule_save(struct db *db, const struct actor *a, int64_t ent, int64_t *id, json_t *in,
                    json_t *errors, int64_t *approval_id)
{
    struct rule_in r;
    json_int_t version = 0;
    int rc = visible(db, a, ent);
    if (!rc)
        rc = prepare(db, a, ent, *id, in, &r, &version, errors);
    /* A discount deeper than the flow allows waits for approval instead. */
    if (!rc && approval_id &&
        ((rc = billing_guard_discount(db, a, ent, *id, in, r.percent_bp, approval_id)) ||
         *approval_id)) {
        if (rc == OP_CONFLICT) /* nobody may approve it */
            json_object_set_new(errors, "message_key", json_string("approval.no_approver"));
        return rc;
    }
    if (rc || (rc = db_begin(db)))
        return rc;
    return op_end(db, write_rule(db, a, ent, id, &r, version, in));
}

int price_rule_apply(struct db *db, const struct actor *a, int64_t ent, int64_t id, json_t *in)
{
    struct rule_in r;
    json_int_t version = 0;
    json_t *errors = json_object();
    int rc = prepare(db, a, ent, id, in, &r, &version, errors);
    json_decref(errors);
    return rc ? rc : write_rule(db, a, ent, &id, &r, version, in);
}

int price_rule_delete(struct db *db, const struct actor *a, int64_t ent, int64_t id)
{
    int rc = visible(db, a, ent);
    if (rc || (rc = db_begin(db)))
        return rc;
    rc = db_exec(db, "DELETE FROM price_rules WHERE enterprise_id = ? AND id = ?",
                 DB_ARGS(DB_INT(ent), DB_INT(id)));
    if (!rc && db_changes(db) == 0)
        rc = OP_NOT_FOUND;
    if (!rc)
        rc = audit(db, a, "delete", ent, id, NULL);
    return op_end(db, rc);
}
