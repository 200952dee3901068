/*
 * builder.h - the report builder (报表引擎, issue 19): a report definition
 *
 *   {"source": S, "dimensions": [{"field": F, "grain": G}],
 *    "measures": [{"fn": FN, "field": F, "as": A}], "filter": <filter tree>,
 *    "sort": {"by": A or F, "dir": "asc"|"desc"}, "limit": N,
 *    "chart": {"type": T, "options": {…}}}
 *
 * compiled to one parameterised GROUP BY over a source of the table in
 * builder.c (individual customers, business records, enterprises, waybill
 * rollups by day and by month × product, tickets, statements). Every
 * identifier comes from the source's field whitelist (record/entity.h
 * descriptors), every value is bound; the rows are those the caller may
 * see (the source's scope rule), fields masked for the caller are refused,
 * and one run is cut at a time limit and a row cap.
 */
#ifndef HY_REPORT_BUILDER_H
#define HY_REPORT_BUILDER_H

#include "auth/actor.h"

#include <jansson.h>

struct db;

#define BUILDER_MAX_DIMENSIONS 3
#define BUILDER_MAX_MEASURES   8
/* Rows of a drill (the records behind one bar or slice). */
#define BUILDER_DRILL_ROWS 200

/* Why a definition was refused: the part of it (source, dimensions,
 * measures, filter, sort, limit, chart, drill) and the message key, with
 * what it named (a field, a function) for the message. */
struct builder_error {
    const char *part;
    const char *key;
    char where[96];
};

/* Answers besides 0 and the negative DB_* of db.h. */
#define BUILDER_INVALID  1 /* err says why */
#define BUILDER_TOO_MANY 2 /* more groups than the row cap */

/* The sources u may use, with their fields as dimensions (grains) and
 * measures, for the builder's pickers, in u's language. */
json_t *builder_catalog(const struct actor *u);
/* Check def as u would run it, without running it: 0 or BUILDER_INVALID. */
int builder_check(struct db *db, const struct actor *u, json_t *def, struct builder_error *err);
/* Run def for u: *out {columns: [{key, label, kind}], rows: [{key: value}],
 * keys: [[the raw value of each dimension]] (what a drill names)}. */
int builder_run(struct db *db, const struct actor *u, json_t *def, json_t **out,
                struct builder_error *err);
/* The records behind one group: keys (an array, one raw value per
 * dimension, as run answered them) applied as conditions; *out {columns,
 * rows, link} with at most BUILDER_DRILL_ROWS rows; link names the page a
 * row opens ("enterprise": rows carry enterprise_id). */
int builder_drill(struct db *db, const struct actor *u, json_t *def, json_t *keys, json_t **out,
                  struct builder_error *err);
/* The row cap (HONGYAN_REPORT_MAX_ROWS, default 5000) and time limit of
 * one run (HONGYAN_REPORT_TIMEOUT_MS, default 10000), read at start. */
void builder_configure(void);

#endif
