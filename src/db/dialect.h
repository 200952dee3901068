/*
 * dialect.h - the few SQL snippets that differ between SQLite and
 * PostgreSQL, in one place so domain code stays backend-neutral. Each
 * returns a printf format whose %s is a column expression; the '?' in it
 * is bound by the caller.
 */
#ifndef HY_DIALECT_H
#define HY_DIALECT_H

/* Text value at JSON path key of a JSON column: bind the key ("wechat"). */
const char *dialect_json_get_text(void);
/* The same for a JSON boolean, as 1 / 0 (NULL when absent). */
const char *dialect_json_get_bool(void);
/* True when the JSON array column contains the text value bound. */
const char *dialect_json_array_has(void);

/* "SELECT key, integer ..." over a bound JSON object of integer arrays,
 * {"a":[1,2],"b":[3]} -> (a,1) (a,2) (b,3), in the object's order; one
 * '?' takes the object's text, no %s. */
const char *dialect_json_int_arrays(void);

/* Aggregate of text values joined by '|' (tag names in exports): the
 * format's %s is the value expression. */
const char *dialect_group_concat(void);

/* " INDEXED BY <index>" after a table name where SQLite's planner must be
 * told which index walks rows in the wanted order; "" where the planner
 * chooses by statistics (PostgreSQL). index is program text, never input. */
const char *dialect_indexed_by(const char *index);

#endif
