/*
 * waybill_api.c - the HTTP endpoints of waybills: the two NDJSON feeds
 * (API keys with the waybills.write scope), the search, one waybill with
 * its timeline and alerts, and the audited reveal of its recipient.
 */
#include "logistics/waybill.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/date.h"
#include "core/listing.h"
#include "core/perms.h"
#include "db/sqlbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A batch body is 10,000 lines; a line of a few hundred bytes makes this
 * generous while keeping a hostile body out of memory. */
#define BATCH_MAX_BYTES (64 * 1024 * 1024)

/* The body of an upload route, read whole; NULL having replied. */
static char *read_body(struct req *r, size_t *len)
{
    if (r->upload_size > BATCH_MAX_BYTES) {
        reply_error_key(r, 413, "payload_too_large", "batch_too_large");
        return NULL;
    }
    FILE *f = fopen(r->upload_path, "rb");
    char *buf = malloc((size_t)r->upload_size + 1);
    size_t n = f && buf ? fread(buf, 1, (size_t)r->upload_size, f) : 0;
    if (f)
        fclose(f);
    if (!buf || n != (size_t)r->upload_size) {
        free(buf);
        reply_error(r, 500, "internal");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    size_t lines = 0;
    for (const char *p = buf, *end = buf + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        for (const char *q = p; q < stop; q++)
            if (*q != ' ' && *q != '\r' && *q != '\t') {
                lines++;
                break;
            }
        p = stop + 1;
    }
    if (lines > WAYBILL_BATCH_MAX_LINES) {
        free(buf);
        reply_error_key(r, 413, "batch_too_large", "batch_too_large");
        return NULL;
    }
    return buf;
}

static void batch(struct req *r, bool events)
{
    size_t len;
    char *body = read_body(r, &len);
    if (!body)
        return;
    struct ingest_result res;
    int rc = waybill_ingest(r->db, r->actor, body, len, events, &res);
    free(body);
    if (rc) {
        json_decref(res.errors);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:i,s:i,s:i,s:i,s:i,s:o}", "lines", res.lines, "created", res.created,
                         "updated", res.updated, "unchanged", res.unchanged, "refused", res.refused,
                         "errors", res.errors));
}

static void batch_waybills(struct req *r)
{
    batch(r, false);
}

static void batch_events(struct req *r)
{
    batch(r, true);
}

/* ---- search ---- */

/* The count of a search, stopped at this many: an admin's search over
 * every waybill has millions of matches, and counting them all cost more
 * than finding the page. */
#define WAYBILL_COUNT_CAP 10000

/* The search's conditions into w (after visibility); false having replied. */
static bool search_where(struct req *r, struct sqlbuf *w)
{
    static const char *const keys[] = {"number", "enterprise_id", "department_id",  "from", "to",
                                       "status", "product",       "recipient_phone"};
    json_t *params = json_object(), *bad = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = req_query(r, keys[i]);
        if (v && *v)
            json_object_set_new(params, keys[i], json_string(v));
    }
    waybill_where(r->actor, params, w, bad);
    json_decref(params);
    if (json_object_size(bad)) {
        const char *k;
        json_t *v;
        json_object_foreach(bad, k, v)
            json_object_set_new(bad, k, json_string(req_msg(r, json_string_value(v))));
        reply_invalid(r, bad);
        return false;
    }
    json_decref(bad);
    return true;
}

static void list(struct req *r)
{
    const char *count_s = req_query(r, "count");
    int64_t limit;
    json_t *cursor;
    if (!waybill_page_query(r, &limit, &cursor))
        return;
    struct sqlbuf w, q;
    sqlbuf_init(&w);
    sqlbuf_init(&q);
    json_t *body = json_object();
    if (!search_where(r, &w))
        goto out;
    if (!count_s || strcmp(count_s, "none") != 0) {
        struct sqlbuf c;
        sqlbuf_init(&c);
        sqlbuf_add(&c, "SELECT COUNT(*) FROM (SELECT 1 FROM " WAYBILL_FROM " WHERE ");
        sqlbuf_append(&c, &w);
        sqlbuf_addf(&c, " LIMIT %d) capped", WAYBILL_COUNT_CAP);
        int64_t total = 0;
        int rc = db_query_int(r->db, c.sql, c.args, c.nargs, &total);
        sqlbuf_release(&c);
        if (rc < 0) {
            reply_db_error(r, rc);
            goto out;
        }
        json_object_set_new(body, "total", json_integer(total));
        json_object_set_new(body, "total_capped", json_boolean(total >= WAYBILL_COUNT_CAP));
    }
    sqlbuf_add(&q, "SELECT " WAYBILL_COLUMNS ", w.collected_at AS k FROM " WAYBILL_FROM " WHERE ");
    sqlbuf_append(&q, &w);
    if (cursor)
        listing_cursor_after(&q, "w.collected_at", "w.id", true, cursor);
    sqlbuf_addf(&q, " ORDER BY w.collected_at DESC, w.id DESC LIMIT %lld", (long long)limit + 1);
    struct db_stmt *st = db_query(r->db, q.sql, q.args, q.nargs);
    if (!st) {
        reply_db_error(r, DB_ERROR);
        goto out;
    }
    listing_keyed_page(body, st, r, limit, waybill_row);
    reply_json(r, 200, body);
    body = NULL;
out:
    json_decref(body);
    json_decref(cursor);
    sqlbuf_release(&w);
    sqlbuf_release(&q);
}

/* The waybill the path names, visible to the caller: 1 with *out (the
 * row) and *id, 0 having replied 404, negative having replied. */
static int find(struct req *r, json_t **out, int64_t *id)
{
    struct sqlbuf b;
    sqlbuf_init(&b);
    sqlbuf_add(&b, "SELECT " WAYBILL_COLUMNS " FROM " WAYBILL_FROM " WHERE w.waybill_no = ? AND ");
    char up[16];
    snprintf(up, sizeof(up), "%s", r->params[0]);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    sqlbuf_bind(&b, DB_TEXT(up));
    waybill_visible_sql(r->actor, &b);
    int rc = listing_one(r->db, r, out, waybill_row, b.sql, b.args, b.nargs);
    sqlbuf_release(&b);
    if (rc == 0)
        reply_error(r, 404, "not_found");
    else if (rc < 0)
        reply_db_error(r, rc);
    if (rc == 1)
        *id = json_integer_value(json_object_get(*out, "id"));
    return rc;
}

static void get(struct req *r)
{
    json_t *w;
    int64_t id;
    if (find(r, &w, &id) != 1)
        return;
    struct db_stmt *st = db_query(r->db,
                                  "SELECT at, event_type, node_code, node_name, node_type, "
                                  "description FROM waybill_events WHERE waybill_id = ? "
                                  "ORDER BY at, node_code, event_type",
                                  DB_ARGS(DB_INT(id)));
    json_t *events = listing_rows(st, r, NULL);
    st = db_query(
        r->db, "SELECT " ALERT_COLUMNS " FROM " ALERT_FROM " WHERE a.waybill_id = ? ORDER BY a.id",
        DB_ARGS(DB_INT(id)));
    json_t *alerts = listing_rows(st, r, alert_row);
    if (!events || !alerts) {
        json_decref(w);
        json_decref(events);
        json_decref(alerts);
        reply_db_error(r, DB_ERROR);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o,s:o,s:o}", "waybill", w, "events", events, "alerts", alerts));
}

static void reveal(struct req *r)
{
    json_t *w;
    int64_t id;
    if (find(r, &w, &id) != 1)
        return;
    json_decref(w);
    struct db_stmt *st;
    int rc = db_query_row(r->db, &st,
                          "SELECT recipient_name, recipient_phone, recipient_address FROM waybills "
                          "WHERE id = ?",
                          DB_ARGS(DB_INT(id)));
    if (rc != 1) {
        reply_db_error(r, rc < 0 ? rc : DB_ERROR);
        return;
    }
    json_t *body = listing_row_json(st, r);
    db_finish(st);
    rc = actor_audit(r->db, r->actor, "waybill.reveal", "waybill", id,
                     json_pack("{s:s}", "waybill_no", r->params[0]));
    if (rc) {
        json_decref(body);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, body);
}

#include "logistics/waybill_api.routes.h"
