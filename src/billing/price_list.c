/*
 * price_list.c - the list price table (价目表) in versions: a version is
 * in force from its effective date (00:00 +08:00) until the next one's.
 * A version that is or was in force is never changed (the prices of the
 * waybills it priced must stay explainable): a new version, a copy of the
 * current one effective from a future date, is made and edited instead.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEN   100000000LL /* 1,000,000.00 yuan: far above any list price */
#define MAX_GRAMS 100000000LL /* 100 t */
#define MAX_BP    10000LL     /* 1000 ‰ */

static void fail(json_t *errors, const char *lang, const char *key, const char *msg_key)
{
    if (!json_object_get(errors, key))
        json_object_set_new(errors, key, json_string(i18n_msg(lang, msg_key)));
}

const char *price_list_status(int64_t effective_at, int64_t next_at, int64_t now)
{
    if (effective_at > now)
        return "future";
    return next_at && next_at <= now ? "past" : "current";
}

/* ---- reading ---- */

static json_t *rate_json(struct db_stmt *st, int c)
{
    char a[32], b[32], d[32], e[32], f[32];
    pricing_kg_text(db_col_int(st, c), a);
    money_format(db_col_int(st, c + 1), b, sizeof(b));
    pricing_kg_text(db_col_int(st, c + 2), d);
    money_format(db_col_int(st, c + 3), e, sizeof(e));
    money_format(db_col_int(st, c + 4), f, sizeof(f));
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "first_weight", a, "first_price", b, "step_weight", d,
                     "step_price", e, "min_charge", f);
}

static int add_parts(struct db *db, int64_t id, json_t *o)
{
    json_t *products = json_object(), *zones = json_array(), *remote = json_array();
    json_object_set_new(o, "products", products);
    json_object_set_new(o, "zones", zones);
    json_object_set_new(o, "remote", remote);
    struct db_stmt *st =
        db_query(db, "SELECT product, volume_divisor FROM price_list_products WHERE list_id = ?",
                 DB_ARGS(DB_INT(id)));
    while (st && db_step(st) == 1)
        json_object_set_new(
            products, db_col_text(st, 0),
            json_pack("{s:I,s:{}}", "volume_divisor", (json_int_t)db_col_int(st, 1), "rates"));
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db,
                  "SELECT product, zone, first_g, first_fen, step_g, step_fen, min_fen FROM "
                  "price_list_rates WHERE list_id = ?",
                  DB_ARGS(DB_INT(id)));
    while (st && db_step(st) == 1) {
        json_t *p = json_object_get(products, db_col_text(st, 0));
        if (p)
            json_object_set_new(json_object_get(p, "rates"), db_col_text(st, 1), rate_json(st, 2));
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db,
                  "SELECT origin, dest, zone FROM price_list_zones WHERE list_id = ? ORDER BY "
                  "origin, dest",
                  DB_ARGS(DB_INT(id)));
    while (st && db_step(st) == 1)
        json_array_append_new(zones,
                              json_pack("{s:s,s:s,s:s}", "origin", db_col_text(st, 0), "dest",
                                        db_col_text(st, 1), "zone", db_col_text(st, 2)));
    if (!st)
        return DB_ERROR;
    db_finish(st);
    st = db_query(db,
                  "SELECT province, city, fen FROM price_list_remote WHERE list_id = ? ORDER BY "
                  "province, city",
                  DB_ARGS(DB_INT(id)));
    while (st && db_step(st) == 1) {
        char fee[32];
        money_format(db_col_int(st, 2), fee, sizeof(fee));
        json_array_append_new(remote, json_pack("{s:s,s:s,s:s}", "province", db_col_text(st, 0),
                                                "city", db_col_text(st, 1), "fee", fee));
    }
    if (!st)
        return DB_ERROR;
    db_finish(st);
    return 0;
}

#define LIST_COLUMNS                                                                               \
    "l.id, l.name, l.effective_on, l.effective_at, l.note, l.insured_rate_bp, l.insured_min_fen, " \
    "l.cod_rate_bp, l.cod_min_fen, l.version, l.created_at, l.updated_at, (SELECT "                \
    "MIN(n.effective_at) FROM price_lists n WHERE n.effective_at > l.effective_at)"

/* A version's header from a LIST_COLUMNS row. */
static json_t *list_row(struct db_stmt *st)
{
    char a[32], b[32], c[32], d[32], created[40], updated[40];
    int64_t now = clock_now(), next = db_col_is_null(st, 12) ? 0 : db_col_int(st, 12);
    pricing_permille_text(db_col_int(st, 5), a);
    money_format(db_col_int(st, 6), b, sizeof(b));
    pricing_permille_text(db_col_int(st, 7), c);
    money_format(db_col_int(st, 8), d, sizeof(d));
    clock_format_iso(db_col_int(st, 10), created, sizeof(created));
    clock_format_iso(db_col_int(st, 11), updated, sizeof(updated));
    const char *status = price_list_status(db_col_int(st, 3), next, now);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "id",
                  (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1), "effective_on",
                  db_col_text(st, 2), "note", db_col_text(st, 4), "status", status, "editable",
                  strcmp(status, "future") == 0, "insured_rate", a, "insured_min", b, "cod_rate", c,
                  "cod_min", d, "version", (json_int_t)db_col_int(st, 9), "created_at", created,
                  "updated_at", updated);
    json_object_set_new(o, "effective_until", json_null());
    if (next) {
        char until[11];
        date_format(date_of_time(next - 1), until);
        json_object_set_new(o, "effective_until", json_string(until));
    }
    return o;
}

json_t *price_list_versions(struct db *db)
{
    struct db_stmt *st = db_query(
        db, "SELECT " LIST_COLUMNS " FROM price_lists l ORDER BY l.effective_at DESC", DB_NOARGS);
    if (!st)
        return NULL;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == 1)
        json_array_append_new(items, list_row(st));
    db_finish(st);
    if (rc < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

int price_list_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st = NULL;
    *out = NULL;
    int rc = db_query_row(db, &st, "SELECT " LIST_COLUMNS " FROM price_lists l WHERE l.id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    json_t *o = list_row(st);
    db_finish(st);
    rc = add_parts(db, id, o);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 1;
}

/* ---- checks ---- */

/* A future effective date at key: its start time into *at, or a message. */
static bool future_date(json_t *in, const char *key, const char *lang, json_t *errors, char on[11],
                        int64_t *at)
{
    const char *s = json_string_value(json_object_get(in, key));
    struct date d;
    if (!s || date_parse(s, strlen(s), &d) != 0) {
        fail(errors, lang, key, "price.date");
        return false;
    }
    *at = date_start_time(d);
    if (*at <= clock_now()) {
        fail(errors, lang, key, "price.future_date");
        return false;
    }
    date_format(d, on);
    return true;
}

/* A weight in grams (kilograms text, three decimals, above 0) or money in
 * fen (two decimals) at key of in: 1 given, 0 absent, -1 refused with the
 * message at err_key. */
static int number(json_t *in, const char *key, bool weight, const char *lang, json_t *errors,
                  const char *err_key, int64_t *v)
{
    int got =
        pricing_json_decimal(in, key, weight ? 3 : 2, weight ? MAX_GRAMS : MAX_FEN, v, NULL, lang);
    if (got < 0 || (weight && got > 0 && *v <= 0)) {
        fail(errors, lang, err_key, weight ? "price.weight" : "price.money");
        return -1;
    }
    return got;
}

struct rate_in {
    const char *product;
    int zone;
    int64_t v[5]; /* first_g, first_fen, step_g, step_fen, min_fen */
    bool have[5];
};

/* The products part of an edit: [{product, volume_divisor, rates: {zone:
 * {first_weight, first_price, step_weight, step_price, min_charge}}}]
 * checked into rates (at most cap) and divisors. */
static int check_products(struct db *db, int64_t id, json_t *products, const char *lang,
                          json_t *errors, struct rate_in *rates, int cap, int *nrates)
{
    static const char *const keys[5] = {"first_weight", "first_price", "step_weight", "step_price",
                                        "min_charge"};
    *nrates = 0;
    if (!json_is_array(products)) {
        fail(errors, lang, "products", "field.invalid");
        return 0;
    }
    size_t i;
    json_t *p;
    json_array_foreach(products, i, p)
    {
        const char *code = json_string_value(json_object_get(p, "product"));
        int64_t known = 0;
        int rc = code ? db_query_int(db,
                                     "SELECT COUNT(*) FROM price_list_products WHERE list_id = ? "
                                     "AND product = ?",
                                     DB_ARGS(DB_INT(id), DB_TEXT(code)), &known)
                      : 0;
        if (rc < 0)
            return rc;
        char key[96];
        if (!known) {
            snprintf(key, sizeof(key), "products[%zu].product", i);
            fail(errors, lang, key, "price.unknown_product");
            continue;
        }
        json_t *dv = json_object_get(p, "volume_divisor");
        if (dv && (!json_is_integer(dv) || json_integer_value(dv) < 0 ||
                   json_integer_value(dv) > 1000000)) {
            snprintf(key, sizeof(key), "products.%s.volume_divisor", code);
            fail(errors, lang, key, "price.divisor");
        }
        const char *zone;
        json_t *r;
        json_object_foreach(json_object_get(p, "rates"), zone, r)
        {
            int z = pricing_zone_index(zone);
            if (z < 0) {
                snprintf(key, sizeof(key), "products.%s.%s", code, zone);
                fail(errors, lang, key, "price.unknown_zone");
                continue;
            }
            if (*nrates >= cap)
                break;
            struct rate_in *ri = &rates[(*nrates)++];
            memset(ri, 0, sizeof(*ri));
            ri->product = code;
            ri->zone = z;
            for (int k = 0; k < 5; k++) {
                snprintf(key, sizeof(key), "products.%s.%s.%s", code, zone, keys[k]);
                int got = number(r, keys[k], k == 0 || k == 2, lang, errors, key, &ri->v[k]);
                ri->have[k] = got > 0;
            }
        }
    }
    return 0;
}

static int write_products(struct db *db, int64_t id, json_t *products, struct rate_in *rates,
                          int nrates)
{
    static const char *const cols[5] = {"first_g", "first_fen", "step_g", "step_fen", "min_fen"};
    int rc = 0;
    size_t i;
    json_t *p;
    json_array_foreach(products, i, p)
    {
        json_t *dv = json_object_get(p, "volume_divisor");
        if (!rc && dv)
            rc = db_exec(db,
                         "UPDATE price_list_products SET volume_divisor = ? WHERE list_id = ? AND "
                         "product = ?",
                         DB_ARGS(DB_INT(json_integer_value(dv)), DB_INT(id),
                                 DB_TEXT(json_string_value(json_object_get(p, "product")))));
    }
    for (int n = 0; !rc && n < nrates; n++) {
        struct rate_in *ri = &rates[n];
        /* a zone the product was not sold to yet starts from the list's
         * first rate of that product, then takes what is given */
        rc = db_exec(db,
                     "INSERT INTO price_list_rates (list_id, product, zone, first_g, first_fen, "
                     "step_g, step_fen, min_fen) SELECT ?, ?, ?, 1000, 0, 1000, 0, 0 WHERE NOT "
                     "EXISTS (SELECT 1 FROM price_list_rates WHERE list_id = ? AND product = ? "
                     "AND zone = ?)",
                     DB_ARGS(DB_INT(id), DB_TEXT(ri->product), DB_TEXT(pricing_zone_code(ri->zone)),
                             DB_INT(id), DB_TEXT(ri->product),
                             DB_TEXT(pricing_zone_code(ri->zone))));
        for (int k = 0; !rc && k < 5; k++) {
            if (!ri->have[k])
                continue;
            char sql[160];
            snprintf(sql, sizeof(sql),
                     "UPDATE price_list_rates SET %s = ? WHERE list_id = ? AND product = ? AND "
                     "zone = ?",
                     cols[k]);
            rc = db_exec(db, sql,
                         DB_ARGS(DB_INT(ri->v[k]), DB_INT(id), DB_TEXT(ri->product),
                                 DB_TEXT(pricing_zone_code(ri->zone))));
        }
    }
    return rc;
}

/* The zone map part: [{origin, dest, zone}] of provinces the map knows. */
static int check_zones(struct db *db, int64_t id, json_t *zones, const char *lang, json_t *errors)
{
    if (!json_is_array(zones)) {
        fail(errors, lang, "zones", "field.invalid");
        return 0;
    }
    size_t i;
    json_t *z;
    json_array_foreach(zones, i, z)
    {
        char key[48];
        int64_t n = 0;
        int rc = db_query_int(
            db,
            "SELECT COUNT(*) FROM price_list_zones WHERE list_id = ? AND origin = ? AND dest = ?",
            DB_ARGS(DB_INT(id), DB_TEXT(json_string_value(json_object_get(z, "origin"))),
                    DB_TEXT(json_string_value(json_object_get(z, "dest")))),
            &n);
        if (rc < 0)
            return rc;
        snprintf(key, sizeof(key), "zones[%zu]", i);
        if (!n)
            fail(errors, lang, key, "price.unknown_province");
        else if (pricing_zone_index(json_string_value(json_object_get(z, "zone"))) < 0)
            fail(errors, lang, key, "price.unknown_zone");
    }
    return 0;
}

static int check_remote(json_t *remote, const char *lang, json_t *errors)
{
    if (!json_is_array(remote)) {
        fail(errors, lang, "remote", "field.invalid");
        return 0;
    }
    size_t i;
    json_t *r;
    json_array_foreach(remote, i, r)
    {
        char key[48];
        int64_t v;
        const char *prov = json_string_value(json_object_get(r, "province"));
        snprintf(key, sizeof(key), "remote[%zu].province", i);
        if (!prov || !*prov || strlen(prov) >= 48)
            fail(errors, lang, key, "price.unknown_province");
        snprintf(key, sizeof(key), "remote[%zu].fee", i);
        if (number(r, "fee", false, lang, errors, key, &v) == 0)
            fail(errors, lang, key, "price.money");
    }
    if (json_array_size(remote) > PRICING_MAX_REMOTE)
        fail(errors, lang, "remote", "field.invalid");
    return 0;
}

/* ---- operations ---- */

static int audit(struct db *db, const struct actor *a, const char *verb, int64_t id, json_t *detail)
{
    char action[48], event[48];
    snprintf(action, sizeof(action), "price_list.%s", verb);
    snprintf(event, sizeof(event), "price_list.%sd",
             strcmp(verb, "create") == 0   ? "create"
             : strcmp(verb, "update") == 0 ? "change"
                                           : "delete");
    int rc = actor_audit(db, a, action, "price_list", id, detail);
    return rc ? rc : events_publish(db, event, "price_list", id, a->id, NULL);
}

int price_list_create(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors)
{
    const char *lang = a->lang;
    char on[11] = "";
    int64_t at = 0, from = 0;
    const char *name = json_string_value(json_object_get(in, "name"));
    if (!name || !*name || utf8_len(name) > 60)
        fail(errors, lang, "name", "price.name");
    future_date(in, "effective_on", lang, errors, on, &at);
    json_t *cf = json_object_get(in, "copy_from");
    if (cf && !json_is_null(cf)) {
        if (!json_is_integer(cf))
            fail(errors, lang, "copy_from", "field.invalid");
        else
            from = json_integer_value(cf);
    }
    if (json_object_size(errors))
        return OP_INVALID;
    int rc = from ? db_query_int(db, "SELECT id FROM price_lists WHERE id = ?",
                                 DB_ARGS(DB_INT(from)), &from)
                  : db_query_int(db,
                                 "SELECT id FROM price_lists WHERE effective_at <= ? ORDER BY "
                                 "effective_at DESC LIMIT 1",
                                 DB_ARGS(DB_INT(clock_now())), &from);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        fail(errors, lang, "copy_from", "price.no_list");
        return OP_INVALID;
    }
    int64_t taken = 0;
    rc = db_query_int(db, "SELECT COUNT(*) FROM price_lists WHERE effective_on = ?",
                      DB_ARGS(DB_TEXT(on)), &taken);
    if (rc < 0)
        return rc;
    if (taken) {
        fail(errors, lang, "effective_on", "price.date_taken");
        return OP_INVALID;
    }
    if ((rc = db_begin(db)))
        return rc;
    int64_t now = clock_now();
    rc =
        db_exec(db,
                "INSERT INTO price_lists (name, effective_on, effective_at, note, insured_rate_bp, "
                "insured_min_fen, cod_rate_bp, cod_min_fen, created_by, created_at, updated_at) "
                "SELECT ?, ?, ?, note, insured_rate_bp, insured_min_fen, cod_rate_bp, "
                "cod_min_fen, ?, ?, ? FROM price_lists WHERE id = ?",
                DB_ARGS(DB_TEXT(name), DB_TEXT(on), DB_INT(at), DB_INT_OR_NULL(a->id, a->id),
                        DB_INT(now), DB_INT(now), DB_INT(from)));
    if (!rc)
        rc = db_query_id(db, "SELECT id FROM price_lists WHERE effective_on = ?",
                         DB_ARGS(DB_TEXT(on)), id);
    static const char *const copies[] = {
        "INSERT INTO price_list_products (list_id, product, volume_divisor) SELECT ?, product, "
        "volume_divisor FROM price_list_products WHERE list_id = ?",
        "INSERT INTO price_list_rates (list_id, product, zone, first_g, first_fen, step_g, "
        "step_fen, min_fen) SELECT ?, product, zone, first_g, first_fen, step_g, step_fen, min_fen "
        "FROM price_list_rates WHERE list_id = ?",
        "INSERT INTO price_list_zones (list_id, origin, dest, zone) SELECT ?, origin, dest, zone "
        "FROM price_list_zones WHERE list_id = ?",
        "INSERT INTO price_list_remote (list_id, province, city, fen) SELECT ?, province, city, "
        "fen FROM price_list_remote WHERE list_id = ?",
    };
    for (size_t i = 0; !rc && i < sizeof(copies) / sizeof(copies[0]); i++)
        rc = db_exec(db, copies[i], DB_ARGS(DB_INT(*id), DB_INT(from)));
    if (!rc)
        rc = audit(db, a, "create", *id,
                   json_pack("{s:s,s:s,s:I}", "name", name, "effective_on", on, "copy_from",
                             (json_int_t)from));
    return op_end(db, rc);
}

/* OP_CONFLICT ("price.locked") unless version id is still to come. */
static int still_future(struct db *db, int64_t id, json_t *errors)
{
    int64_t at = 0;
    int rc = db_query_int(db, "SELECT effective_at FROM price_lists WHERE id = ?",
                          DB_ARGS(DB_INT(id)), &at);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return OP_NOT_FOUND;
    if (at <= clock_now()) {
        json_object_set_new(errors, "message_key", json_string("price.locked"));
        return OP_CONFLICT;
    }
    return 0;
}

#define RATE_CAP (PRICING_MAX_PRODUCTS * ZONE_COUNT)

int price_list_update(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors)
{
    const char *lang = a->lang;
    int rc = still_future(db, id, errors);
    if (rc)
        return rc;
    json_t *cur = NULL;
    if ((rc = price_list_get(db, id, &cur)) <= 0)
        return rc < 0 ? rc : OP_NOT_FOUND;
    json_int_t version = 0;
    rc = op_check_version(in, cur, lang, errors, &version);
    json_decref(cur);
    if (rc)
        return rc;
    char on[11] = "";
    int64_t at = 0;
    const char *name = json_string_value(json_object_get(in, "name"));
    if (json_object_get(in, "name") && (!name || !*name || utf8_len(name) > 60))
        fail(errors, lang, "name", "price.name");
    if (json_object_get(in, "effective_on"))
        future_date(in, "effective_on", lang, errors, on, &at);
    const char *note = json_string_value(json_object_get(in, "note"));
    if (note && utf8_len(note) > 500)
        fail(errors, lang, "note", "field.invalid");
    int64_t sur[4] = {0};
    int have[4];
    static const char *const skeys[4] = {"insured_rate", "insured_min", "cod_rate", "cod_min"};
    for (int k = 0; k < 4; k++) {
        have[k] = k % 2 ? number(in, skeys[k], false, lang, errors, skeys[k], &sur[k])
                        : pricing_json_decimal(in, skeys[k], 1, MAX_BP, &sur[k], errors, lang);
    }
    struct rate_in *rates = NULL;
    int nrates = 0;
    json_t *products = json_object_get(in, "products");
    json_t *zones = json_object_get(in, "zones"), *remote = json_object_get(in, "remote");
    if (products) {
        rates = calloc(RATE_CAP, sizeof(*rates));
        if (!rates)
            abort();
        rc = check_products(db, id, products, lang, errors, rates, RATE_CAP, &nrates);
    }
    if (!rc && zones)
        rc = check_zones(db, id, zones, lang, errors);
    if (!rc && remote)
        rc = check_remote(remote, lang, errors);
    if (!rc && on[0]) {
        int64_t taken = 0;
        rc = db_query_int(db, "SELECT COUNT(*) FROM price_lists WHERE effective_on = ? AND id <> ?",
                          DB_ARGS(DB_TEXT(on), DB_INT(id)), &taken);
        rc = rc < 0 ? rc : 0; /* 1 is "a row answered", not a refusal */
        if (taken)
            fail(errors, lang, "effective_on", "price.date_taken");
    }
    if (!rc && json_object_size(errors))
        rc = OP_INVALID;
    if (!rc && !(rc = db_begin(db))) {
        /* checked again inside: the day may have turned meanwhile */
        rc = still_future(db, id, errors);
        int64_t now = clock_now();
        if (!rc)
            rc = db_exec(db,
                         "UPDATE price_lists SET name = COALESCE(?, name), effective_on = "
                         "COALESCE(?, effective_on), effective_at = COALESCE(?, effective_at), "
                         "note = COALESCE(?, note), updated_at = ?, version = version + 1 WHERE "
                         "id = ? AND version = ?",
                         DB_ARGS(DB_TEXT(name), DB_TEXT(on[0] ? on : NULL),
                                 DB_INT_OR_NULL(on[0], at), DB_TEXT(note), DB_INT(now), DB_INT(id),
                                 DB_INT(version)));
        if (!rc && db_changes(db) == 0)
            rc = OP_STALE;
        static const char *const cols[4] = {"insured_rate_bp", "insured_min_fen", "cod_rate_bp",
                                            "cod_min_fen"};
        for (int k = 0; !rc && k < 4; k++) {
            char sql[96];
            snprintf(sql, sizeof(sql), "UPDATE price_lists SET %s = ? WHERE id = ?", cols[k]);
            if (have[k] > 0)
                rc = db_exec(db, sql, DB_ARGS(DB_INT(sur[k]), DB_INT(id)));
        }
        if (!rc && products)
            rc = write_products(db, id, products, rates, nrates);
        size_t i;
        json_t *z;
        json_array_foreach(zones, i, z)
        {
            if (!rc)
                rc = db_exec(
                    db,
                    "UPDATE price_list_zones SET zone = ? WHERE list_id = ? AND origin = ? "
                    "AND dest = ?",
                    DB_ARGS(DB_TEXT(json_string_value(json_object_get(z, "zone"))), DB_INT(id),
                            DB_TEXT(json_string_value(json_object_get(z, "origin"))),
                            DB_TEXT(json_string_value(json_object_get(z, "dest")))));
        }
        if (!rc && remote)
            rc =
                db_exec(db, "DELETE FROM price_list_remote WHERE list_id = ?", DB_ARGS(DB_INT(id)));
        json_array_foreach(remote, i, z)
        {
            int64_t v = 0;
            pricing_json_decimal(z, "fee", 2, MAX_FEN, &v, NULL, lang);
            const char *city = json_string_value(json_object_get(z, "city"));
            if (!rc)
                rc = db_exec(db,
                             "INSERT INTO price_list_remote (list_id, province, city, fen) VALUES "
                             "(?, ?, ?, ?) ON CONFLICT (list_id, province, city) DO UPDATE SET "
                             "fen = excluded.fen",
                             DB_ARGS(DB_INT(id),
                                     DB_TEXT(json_string_value(json_object_get(z, "province"))),
                                     DB_TEXT(city ? city : ""), DB_INT(v)));
        }
        if (!rc)
            rc = audit(db, a, "update", id, json_deep_copy(in));
        rc = op_end(db, rc);
    }
    free(rates);
    return rc;
}

int price_list_delete(struct db *db, const struct actor *a, int64_t id, json_t *errors)
{
    int rc = still_future(db, id, errors);
    if (rc || (rc = db_begin(db)))
        return rc;
    rc = still_future(db, id, errors);
    static const char *const parts[] = {
        "DELETE FROM price_list_products WHERE list_id = ?",
        "DELETE FROM price_list_rates WHERE list_id = ?",
        "DELETE FROM price_list_zones WHERE list_id = ?",
        "DELETE FROM price_list_remote WHERE list_id = ?",
        "DELETE FROM price_lists WHERE id = ?",
    };
    for (size_t i = 0; !rc && i < sizeof(parts) / sizeof(parts[0]); i++)
        rc = db_exec(db, parts[i], DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = audit(db, a, "delete", id, NULL);
    return op_end(db, rc);
}
