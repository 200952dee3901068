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
/* The cost of a tree: one per group and per condition, a list value counts
 * its values (100 tag conditions of 50 ids each took 1.5 s on 50k
 * customers). Past it the tree is refused as too complex. */
#define FILTER_MAX_COST 400

struct filter_error {
    const char *key; /* message key: filter.unknown_field, filter.unknown_op, ... */
    char where[96];  /* the offending field or operator, for the message */
};

/* Append "(<expression>)" for tree to out. 0 on success; -1 with err filled
 * when the tree is not valid; a negative DB_* when a lookup failed. */
int filter_compile(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                   struct filter_error *err);

/* Which of a quick search's matchers keys[0..n-1] u may use on q
 * (form_layout_visible_mask): 0 when q is empty. A negative DB_* on a
 * database error, with err cleared as filter_compile_as leaves it. */
int filter_quick_mask(struct db *db, const struct entity *e, const struct actor *u, const char *q,
                      const char *const keys[], size_t n, struct filter_error *err);

/* For a caller who sees phones and ID numbers masked (no reveal right):
 * on those fields (masking class, or a phone-type custom field) only eq,
 * is_null and not_null, else filter.masked_field; on a date that holds a
 * year of birth (MASK_YEAR) only is_null and not_null, else
 * filter.masked_year. Sealed fields (entity_field.lookup) take eq, in,
 * is_null and not_null from anyone (filter.sealed_field). */
#define FILTER_MASKED 1u

/* filter_compile with FILTER_* flags. */
int filter_compile_for(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                       struct filter_error *err, unsigned flags);

/* filter_compile_for as u may filter: masked fields as FILTER_MASKED says
 * unless u may reveal e's values, and no field the form layout hides from
 * u's role (filter.unknown_field). */
int filter_compile_as(struct db *db, const struct entity *e, json_t *tree, struct sqlbuf *out,
                      struct filter_error *err, const struct actor *u);

#endif
