/*
 * tags.h - tags and tag groups (标签 / 标签组) for segmenting customers (and
 * later enterprises): admin-managed, attached through object_tags.
 */
#ifndef HY_TAGS_H
#define HY_TAGS_H

#include "auth/actor.h"
#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;
struct entity;
struct sqlbuf;

/* {"<object id>": [{"id","name","group","color"}…]} for the given ids. */
json_t *tags_for_objects(struct db *db, const char *entity, const int64_t *ids, size_t n);
/* o's "tags": object id's list in tags (an answer of tags_for_objects),
 * [] when it has none. */
void tags_put(json_t *o, json_t *tags, int64_t id);
/* Attach / detach; attaching twice is a no-op. DB_CONSTRAINT for an unknown tag. */
int tags_attach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id);
int tags_detach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id);
/* 1 when tag_id exists. */
bool tags_exists(struct db *db, int64_t tag_id);
/* Note in the change history of entity's object id that tag_id was added
 * (or removed), written by who (history_note's author). 0 or DB_*. */
int tags_note(struct db *db, struct req *who, const char *entity, int64_t id, int64_t tag_id,
              bool added);
/* Attach the tags of ids (a JSON array of at most 50 tag ids; NULL attaches
 * nothing) to entity's object id, each new one noted in its history.
 * OP_INVALID with errors["tag_ids"] in lang for a bad list or an unknown
 * tag; 0 or DB_* otherwise. Inside the caller's transaction. */
int tags_attach_list(struct db *db, struct req *who, const char *lang, const char *entity,
                     int64_t id, json_t *ids, json_t *errors);
/* The same for an operation: by actor a, in a's language. */
int tags_attach_as(struct db *db, const struct actor *a, const char *entity, int64_t id,
                   json_t *ids, json_t *errors);
/* The end of creating a record of entity (customer, enterprise) in the
 * open transaction: the input's "tag_ids" attached (tags_attach_as) and
 * the audit entry "<entity>.create" written. 0, OP_INVALID or DB_*. */
int tags_attach_created(struct db *db, const struct actor *a, const char *entity, int64_t id,
                        json_t *in, json_t *errors);

/* A bulk-tags endpoint of entity e (tags_bulk.c): {"add":[tag ids],
 * "remove":[tag ids]} on every record w selects (a target group, record/
 * group.h), one statement a tag in one transaction, with the 变更历史 of
 * every record whose tags change and one audit entry "<entity>.bulk_tag"
 * ({add, remove, count}). Replies {"updated": how many w selects}. */
void tags_bulk_reply(struct req *r, const struct entity *e, const struct sqlbuf *w);

extern const struct route tags_routes[];

#endif
