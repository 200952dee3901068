/*
 * waybill.h - the logistics domain: waybills of the VIP enterprises and
 * their tracking events, fed by other systems through NDJSON batches; the
 * shipping rollups behind the enterprise 360 figures; stuck-shipment
 * thresholds and alerts (docs/waybills-api.md).
 *
 * Who sees a waybill: whoever sees its enterprise (enterprise_visible_sql
 * of vip/). The recipient (name, phone, address) is personal data, masked
 * in every answer and shown in clear by the audited reveal.
 */
#ifndef HY_WAYBILL_H
#define HY_WAYBILL_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* ---- waybill numbers (waybill_no.c) ---- */

enum waybill_no_result {
    WAYBILL_NO_OK = 0,
    WAYBILL_NO_FORMAT = -1, /* neither UPU S10 nor 13 digits */
    WAYBILL_NO_CHECK = -2,  /* the right shape, a wrong check digit */
};
/* The check digit (0-9) of UPU S10's eight serial digits: weights
 * 8 6 4 2 3 5 9 7, 11 - (sum mod 11), 10 -> 0, 11 -> 5. */
int waybill_s10_check_digit(const char digits[8]);
/* The check digit of a domestic number's first twelve digits: the S10
 * weights continued cyclically (8 6 4 2 3 5 9 7 8 6 4 2), the same rule. */
int waybill_domestic_check_digit(const char digits[12]);
/* Check s (a UPU S10 number "EA123456785CN", letters in any case, or 13
 * digits): WAYBILL_NO_OK with the upper-case number in out; for
 * WAYBILL_NO_CHECK *expected is the right check digit ('0'-'9'). */
int waybill_no_check(const char *s, char out[14], char *expected);

/* ---- ingestion (waybill_ingest.c) ---- */

#define WAYBILL_BATCH_MAX_LINES 10000

struct ingest_result {
    int lines, created, updated, unchanged, refused;
    json_t *errors; /* [{"line","waybill_no","fields"}] */
};

/* Ingest the NDJSON body[0..len) of waybill lines (events false) or event
 * lines (events true) as a (an API key, the simulator, the demo): every
 * line checked, the good ones written idempotently in chunks of their own
 * transactions (rollups, stop clocks, alert closing in the same one), the
 * refused ones named in res->errors (messages in a's language). 0, or a
 * negative DB_* when a chunk could not be written (the chunks before it
 * stay: a replay is harmless). res->errors is set either way; the caller
 * frees it. */
int waybill_ingest(struct db *db, const struct actor *a, const char *body, size_t len, bool events,
                   struct ingest_result *res);

/* Rows of the import engine (record/import_pipeline.c through the
 * waybill entity's hooks, waybill_entity.c): the feed's checks and writes
 * for one row as the API-shaped line in (product and channel also by
 * their labels), in the pipeline's transaction. dry_run decides without
 * writing; update false leaves a changed waybill as it is. *outcome is a
 * WAYBILL_IMPORT_*; a refused row's messages (in lang) are in errors.
 * The rollups move at waybill_import_flush, before the pipeline commits.
 * 0 or a negative DB_*. */
enum {
    WAYBILL_IMPORT_CREATED,
    WAYBILL_IMPORT_UPDATED,
    WAYBILL_IMPORT_UNCHANGED,
    WAYBILL_IMPORT_REFUSED,
};
struct waybill_import;
struct waybill_import *waybill_import_open(void);
int waybill_import_row(struct waybill_import *s, struct db *db, const struct actor *a,
                       const char *lang, json_t *in, bool dry_run, bool update, json_t *errors,
                       int *outcome);
int waybill_import_flush(struct waybill_import *s, struct db *db);
void waybill_import_close(struct waybill_import *s);

/* ---- stuck-shipment alerts (alert.c) ---- */

/* Minutes a waybill of product (at an enterprise of VIP tier, "" for
 * none) may stay at a node of node_type ("promise": how long before the
 * promised time to warn) before it counts as stalled; 0 when no threshold
 * applies. Reads the thresholds table once a batch: thresholds_load. */
struct thresholds;
struct thresholds *thresholds_load(struct db *db);
int thresholds_minutes(const struct thresholds *t, const char *product, const char *node_type,
                       const char *tier);
void thresholds_free(struct thresholds *t);

/* Close the open alert id of waybill wid (a newer event came: at, node),
 * in the caller's transaction, with a note in the system's language,
 * complete its to-do (task_finish, the note in the assignee's language) and
 * publish "waybill.alert_closed". 0 or negative DB_*. */
int alert_close_by_event(struct db *db, int64_t alert_id, int64_t wid, int64_t at,
                         const char *node_name, const char *event_type);
/* The scheduler's pass: alerts for the waybills whose clock ran out by
 * now (read from the index on due_at only). Answers how many alerts were
 * raised, or a negative DB_*. */
int alert_pass(struct db *db);

/* ---- retention (waybill_retention.c) ---- */

/* Daily: erase the recipient of waybills collected longer ago than the
 * retention policy's years (none while the policy is off); on PostgreSQL
 * also drop the months of events wholly before that. 0 or negative DB_*. */
int waybill_retention(struct db *db);

/* ---- reading (waybill.c) ---- */

/* Append "(waybill w's enterprise e within what u may see)" to b (the
 * query joins enterprises e on w.enterprise_id). */
struct sqlbuf;
void waybill_visible_sql(const struct actor *u, struct sqlbuf *b);
/* The conditions of a waybill search into w (over WAYBILL_FROM), u's
 * visibility first: params (texts or integers) number (whole or a prefix
 * of 4+), enterprise_id, department_id, from, to (dates on collected_at),
 * status, product, recipient_phone (whole, roles with the reveal right
 * only). A bad one goes into bad as key → message key (untranslated). The
 * list (GET /waybills) and the export both search through it. */
void waybill_where(const struct actor *u, json_t *params, struct sqlbuf *w, json_t *bad);
/* The waybill of the current row of a WAYBILL_COLUMNS query as the API
 * shows it, recipient masked. */
json_t *waybill_row(struct db_stmt *st, struct req *r);

#define WAYBILL_COLUMNS                                                                            \
    "w.id, w.waybill_no, w.enterprise_id, e.name AS enterprise_name, w.department_id, "            \
    "d.name AS department_name, w.product, w.channel, w.origin, w.destination, w.weight_g, "       \
    "w.volume_weight_g, w.declared_fen, w.cod_fen, w.fee_fen, w.collected_at, w.promised_at, "     \
    "w.status, w.signed_at, w.recipient_name, w.recipient_phone, w.recipient_address, "            \
    "w.recipient_erased_at, w.last_event_at, w.last_event_type, w.last_node_code, "                \
    "w.last_node_name, w.last_node_type, w.stop_due_at, w.open_alert_id, w.created_at, "           \
    "w.updated_at"
#define WAYBILL_FROM                                                                               \
    "waybills w JOIN enterprises e ON e.id = w.enterprise_id LEFT JOIN enterprise_departments d "  \
    "ON d.id = w.department_id"

#define ALERT_COLUMNS                                                                              \
    "a.id, a.kind, a.status, w.waybill_no, a.enterprise_id, e.name AS enterprise_name, "           \
    "w.product, a.event_type, a.node_code, a.node_name, a.node_type, a.since, a.raised_at, "       \
    "a.threshold_minutes, w.promised_at, a.manager_id, m.name AS manager_name, a.task_id, "        \
    "a.closed_at, a.close_note, a.told_note, a.told_at, a.told_by, tb.name AS told_by_name"
#define ALERT_FROM                                                                                 \
    "waybill_alerts a JOIN waybills w ON w.id = a.waybill_id JOIN enterprises e ON "               \
    "e.id = a.enterprise_id LEFT JOIN users m ON m.id = a.manager_id LEFT JOIN users tb ON "       \
    "tb.id = a.told_by"
/* The alert of the current row of an ALERT_COLUMNS query as the API shows
 * it (alert_api.c). */
json_t *alert_row(struct db_stmt *st, struct req *r);

/* A list's limit (1-200, default 20) and keyset cursor ([key, id]) from
 * the query string; false having answered 422 on the one that is bad.
 * *cursor (NULL when none) is the caller's to release. */
bool waybill_page_query(struct req *r, int64_t *limit, json_t **cursor);

/* Weight in grams as kilograms text with three decimals ("1.250"). */
void waybill_kg(int64_t g, char out[32]);

/* Waybills for the record layer's export and import (waybill_entity.c). */
struct entity;
extern const struct entity entity_waybill;

extern const struct route waybills_routes[];
extern const struct route shipping_routes[];
extern const struct route waybill_alerts_routes[];

#endif
