/*
 * references.h - merge and erasure of references (record/entity.h,
 * struct entity_ref): what other tables hold that points at a record of an
 * entity, its tags and its field history.
 */
#ifndef HY_REFERENCES_H
#define HY_REFERENCES_H

#include "record/entity.h"

#include <stdint.h>

struct db;

/* Move everything that points at record from_id to record to_id (merge):
 * every registered reference, tags (when the entity has them). Call inside
 * the merge's transaction. 0 or a negative DB_* error. */
int entity_move_references(struct db *db, const struct entity *e, int64_t from_id, int64_t to_id);
/* Erase what points at record id as each reference says, its tags and its
 * field history's values (PIPL erasure). Call inside the erasure's
 * transaction. 0 or a negative DB_* error. */
int entity_erase_references(struct db *db, const struct entity *e, int64_t id);
/* Delete every row that points at record id, whatever on_erase says, its
 * tags and its field history, so that the record itself can be deleted
 * (retention's purge). Call inside the purge's transaction. */
int entity_purge_references(struct db *db, const struct entity *e, int64_t id);

#endif
