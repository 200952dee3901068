/*
 * alert_api.c - the HTTP endpoints of stuck-shipment alerts (the list the
 * bell leads to, one alert, what the manager told the customer) and of
 * the thresholds the admin keeps.
 */
#include "logistics/waybill.h"

#include "base/clock.h"
#include "core/audit.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/sqlbuf.h"
#include "http/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of ALERT_COLUMNS the row reads as numbers. */
enum { COL_SINCE = 11, COL_CLOSED_AT = 18, COL_TOLD_AT = 21 };

json_t *alert_row(struct db_stmt *st, struct req *r)
{
    json_t *o = listing_row_json(st, r);
    int64_t since = db_col_int(st, COL_SINCE);
    int64_t end = db_col_is_null(st, COL_CLOSED_AT) ? clock_now() : db_col_int(st, COL_CLOSED_AT);
    char iso[32];
    clock_format_iso(since, iso, sizeof(iso));
    json_object_set_new(o, "since", json_string(iso));
    json_object_set_new(o, "stalled_minutes", json_integer((end - since) / 60));
    json_t *told = json_null();
    if (!db_col_is_null(st, COL_TOLD_AT))
        told = json_pack("{s:O,s:O,s:O,s:O}", "note", json_object_get(o, "told_note"), "at",
                         json_object_get(o, "told_at"), "by_id", json_object_get(o, "told_by"),
                         "by_name", json_object_get(o, "told_by_name"));
    json_object_set_new(o, "told", told);
    json_object_del(o, "told_note");
    json_object_del(o, "told_at");
    json_object_del(o, "told_by");
    json_object_del(o, "told_by_name");
    return o;
}

static void list(struct req *r)
{
    const char *status = req_query(r, "status"), *ent = req_query(r, "enterprise_id");
    const char *no = req_query(r, "waybill_no");
    int64_t limit;
    json_t *cursor;
    if (status && *status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0) {
        reply_invalid(r, json_pack("{s:s}", "status", req_msg(r, "field.invalid")));
        return;
    }
    if (!waybill_page_query(r, &limit, &cursor))
        return;
    struct sqlbuf w, q;
    sqlbuf_init(&w);
    sqlbuf_init(&q);
    waybill_visible_sql(r->actor, &w);
    if (status && *status) {
        sqlbuf_add(&w, " AND a.status = ?");
        sqlbuf_bind(&w, DB_TEXT(status));
    }
    if (ent && *ent) {
        sqlbuf_add(&w, " AND a.enterprise_id = ?");
        sqlbuf_bind(&w, DB_INT(strtoll(ent, NULL, 10)));
    }
    if (no && *no) {
        sqlbuf_add(&w, " AND w.waybill_no = ?");
        sqlbuf_bind(&w, DB_TEXT(no));
    }
    json_t *body = json_object();
    int64_t total = 0;
    sqlbuf_add(&q, "SELECT COUNT(*) FROM " ALERT_FROM " WHERE ");
    sqlbuf_append(&q, &w);
    int rc = db_query_int(r->db, q.sql, q.args, q.nargs, &total);
    sqlbuf_release(&q);
    sqlbuf_init(&q);
    if (rc < 0) {
        reply_db_error(r, rc);
        json_decref(body);
        goto out;
    }
    json_object_set_new(body, "total", json_integer(total));
    sqlbuf_add(&q, "SELECT " ALERT_COLUMNS ", a.id AS k FROM " ALERT_FROM " WHERE ");
    sqlbuf_append(&q, &w);
    if (cursor)
        listing_cursor_after(&q, "a.id", "a.id", true, cursor);
    sqlbuf_addf(&q, " ORDER BY a.id DESC LIMIT %lld", (long long)limit + 1);
    listing_keyed_page(body, db_query(r->db, q.sql, q.args, q.nargs), r, limit, alert_row);
    reply_json(r, 200, body);
out:
    json_decref(cursor);
    sqlbuf_release(&w);
    sqlbuf_release(&q);
}

/* Reply {"alert"} for alert id when the caller sees its enterprise (404
 * otherwise). */
static void reply_alert(struct req *r, int64_t id)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " ALERT_COLUMNS " FROM " ALERT_FROM " WHERE a.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    waybill_visible_sql(r->actor, &b);
    listing_reply_one(r, 200, "alert", alert_row, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
}

static void get(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        reply_alert(r, id);
}

static void told(struct req *r)
{
    struct form f;
    int64_t id;
    if (!form_init_id(&f, r, 0, &id))
        return;
    const char *note = form_str(&f, "note", true, 500);
    if (!form_done(&f))
        return;
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT a.id FROM " ALERT_FROM " WHERE a.id = ? AND ");
    sqlbuf_bind(&b, DB_INT(id));
    waybill_visible_sql(r->actor, &b);
    int64_t found;
    int rc = db_query_int(r->db, b.sql, b.args, b.nargs, &found);
    sqlbuf_release(&b);
    if (rc <= 0) {
        if (rc == 0)
            reply_error(r, 404, "not_found");
        else
            reply_db_error(r, rc);
        return;
    }
    if (!audit_change(r, id, NULL,
                      "UPDATE waybill_alerts SET told_note = ?, told_at = ?, told_by = ? "
                      "WHERE id = ?",
                      DB_ARGS(DB_TEXT(note), DB_INT(clock_now()), DB_INT(r->actor_id), DB_INT(id)),
                      "waybill_alert.told", "waybill_alert", json_pack("{s:s}", "note", note)))
        return;
    reply_alert(r, id);
}

/* ---- thresholds ---- */

#define THRESHOLD_SQL                                                                              \
    "SELECT id, product, node_type, tier, minutes, updated_at FROM waybill_thresholds"

static void thresholds(struct req *r)
{
    listing_reply_query(r, NULL, THRESHOLD_SQL " ORDER BY product, node_type, tier", DB_NOARGS);
}

static bool known(struct req *r, const char *dict, const char *value)
{
    int64_t one;
    return db_query_int(r->db, "SELECT 1 FROM dictionary_items WHERE dict_code = ? AND value = ?",
                        DB_ARGS(DB_TEXT(dict), DB_TEXT(value)), &one) == 1;
}

static void read_minutes(struct form *f, bool required, int64_t *minutes)
{
    if (form_int(f, "minutes", required, minutes) == 1 && (*minutes < 1 || *minutes > 43200))
        form_fail(f, "minutes", "threshold.minutes");
}

static void threshold_create(struct req *r)
{
    struct form f;
    form_init(&f, r);
    const char *product = form_str(&f, "product", true, 32);
    const char *node_type = form_str(&f, "node_type", true, 16);
    const char *tier = form_str(&f, "tier", false, 16);
    int64_t minutes = 0;
    read_minutes(&f, true, &minutes);
    if (product && strcmp(product, "*") != 0 && !known(r, "waybill_product", product))
        form_fail(&f, "product", "waybill.product");
    if (node_type && strcmp(node_type, "*") != 0 && strcmp(node_type, "promise") != 0 &&
        !known(r, "waybill_node_type", node_type))
        form_fail(&f, "node_type", "threshold.node_type");
    if (tier && !known(r, "vip_tier", tier))
        form_fail(&f, "tier", "threshold.tier");
    if (!form_done(&f))
        return;
    if (!audit_begin(r))
        return;
    int64_t id = 0;
    /* db_exec, which tells a unique key refused (DB_CONSTRAINT) on every
     * backend; the id after. */
    int rc = db_exec(r->db,
                     "INSERT INTO waybill_thresholds (product, node_type, tier, minutes, "
                     "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(product), DB_TEXT(node_type), DB_TEXT(tier ? tier : ""),
                             DB_INT(minutes), DB_INT(r->actor_id), DB_INT(clock_now())));
    if (!rc)
        rc = db_query_id(r->db,
                         "SELECT id FROM waybill_thresholds WHERE product = ? AND node_type = ? "
                         "AND tier = ?",
                         DB_ARGS(DB_TEXT(product), DB_TEXT(node_type), DB_TEXT(tier ? tier : "")),
                         &id);
    if (!audit_end_unique(r, rc, "node_type", "field.value_taken", "waybill_threshold.create",
                          "waybill_threshold", id, json_deep_copy(r->json)))
        return;
    listing_reply_one(r, 201, "threshold", NULL, THRESHOLD_SQL " WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void threshold_update(struct req *r)
{
    struct form f;
    int64_t id, minutes = 0;
    if (!form_init_id(&f, r, 0, &id))
        return;
    read_minutes(&f, true, &minutes);
    if (!form_done(&f))
        return;
    if (!audit_change(
            r, id, NULL,
            "UPDATE waybill_thresholds SET minutes = ?, updated_by = ?, updated_at = ? "
            "WHERE id = ?",
            DB_ARGS(DB_INT(minutes), DB_INT(r->actor_id), DB_INT(clock_now()), DB_INT(id)),
            "waybill_threshold.update", "waybill_threshold",
            json_pack("{s:I}", "minutes", (json_int_t)minutes)))
        return;
    listing_reply_one(r, 200, "threshold", NULL, THRESHOLD_SQL " WHERE id = ?",
                      DB_ARGS(DB_INT(id)));
}

static void threshold_delete(struct req *r)
{
    int64_t id;
    if (req_param_id_or_404(r, 0, &id))
        audit_delete(r, "DELETE FROM waybill_thresholds WHERE id = ?", DB_ARGS(DB_INT(id)),
                     "waybill_threshold.delete", "waybill_threshold", id);
}

#include "logistics/alert_api.routes.h"
