/*
 * filter.h - the one filter language: a JSON condition tree compiled to a
 * parameterised SQL boolean expression. The same compiler serves list
 * search, saved segments, rule conditions, report filters and exports.
 *
 *   {"and":[…]} | {"or":[…]} | {"not":{…}} | {"field":F,"op":OP,"value":V}
 *
 * Field names are looked up in the entity's whitelist or its custom field
 * definitions; operators are checked against the field's type; values are
 * always bound, never spliced. See docs/filter-language.md.
 */
#ifndef HY_FILTER_H
#define HY_FILTER_H

#include "record/entity.h"
#include "db/sqlbuf.h"

#include <jansson.h>

struct db;

#define FILTER_MAX_DEPTH      8
#define FILTER_MAX_CONDITIONS 100

struct filter_error {
    const char *key; /* message key: filter.unknown_field, filter.unknown_op, ... */
    char where[96];  /* the offending field or operator, for the message */
};

/* Append "(<expression>)" for tree to out. 0 on success; -1 with err filled
 * when the tree is not valid; a negative DB_* when a lookup failed. */
int filter_compile(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                   struct filter_error *err);

#endif
