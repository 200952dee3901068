/*
 * group.h - a target group (目标客群) of any entity with a search (record/
 * entity.h): what a request body names of the records its actor may see,
 * not deleted: "ids" (at most ENTITY_GROUP_MAX_IDS chosen in a list),
 * "q" and "filter" (the list's search, read by the entity's search hook),
 * "segment_id" (a saved segment of that entity), all that are given
 * AND-ed. One reading of "the selection", "what the filter finds" and "a
 * saved segment" for every action on many records of any entity; the
 * customers' actions read theirs through customer_group_where, which uses
 * the pieces below.
 */
#ifndef HY_GROUP_H
#define HY_GROUP_H

#include "record/entity.h"
#include "db/sqlbuf.h"
#include "http/http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define ENTITY_GROUP_MAX_IDS 1000

/* Append the group's conditions on e's table (its alias) to w; false
 * having replied 4xx / 5xx. */
bool entity_group_where(struct req *r, const struct entity *e, json_t *group, struct sqlbuf *w);
/* AND "<alias>.id IN (ids)" to w (no ids: no row); nothing when ids is
 * absent or null. False having replied 422 on "ids" for anything but an
 * array of at most ENTITY_GROUP_MAX_IDS integers. */
bool entity_group_ids(struct req *r, const char *alias, json_t *ids, struct sqlbuf *w);
/* The same without a request (export jobs): 0, or -1 for bad ids. */
int entity_ids_where(const char *alias, json_t *ids, struct sqlbuf *w);
/* The group as a body gave it (ids, filter, q, segment_id), for an audit
 * entry: a new reference. */
json_t *entity_group_target(json_t *body);
/* How many records of e w selects into *n: 0 or negative DB_*. */
int entity_group_count(struct db *db, const struct entity *e, const struct sqlbuf *w, int64_t *n);

#endif
