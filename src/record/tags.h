/*
 * tags.h - tags and tag groups (标签 / 标签组) for segmenting customers (and
 * later enterprises): admin-managed, attached through object_tags.
 */
#ifndef HY_TAGS_H
#define HY_TAGS_H

#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* {"<object id>": [{"id","name","group","color"}…]} for the given ids. */
json_t *tags_for_objects(struct db *db, const char *entity, const int64_t *ids, size_t n);
/* Attach / detach; attaching twice is a no-op. DB_CONSTRAINT for an unknown tag. */
int tags_attach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id);
int tags_detach(struct db *db, const char *entity, int64_t object_id, int64_t tag_id);
/* 1 when tag_id exists. */
bool tags_exists(struct db *db, int64_t tag_id);

extern const struct route tags_routes[];

#endif
