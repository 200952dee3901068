/*
 * segments.h - saved filters (目标客户群): a name, an entity, a filter tree
 * and a quick-search text, private or shared with the owner's branch. The
 * filter is checked against the segment's entity (record/entity.h).
 */
#ifndef HY_SEGMENTS_H
#define HY_SEGMENTS_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>

struct db;

/* Load segment id of entity (its name) if u may use it: 1 with *filter
 * (new reference, may be NULL) and *q (caller frees), 0 when not found,
 * not visible or saved for another entity (an enterprise segment's
 * filter means nothing on customers, even where the field names agree),
 * <0 error. */
int segments_resolve(struct db *db, const struct actor *u, const char *entity, int64_t id,
                     json_t **filter, char **q);

extern const struct route segments_routes[];

#endif
