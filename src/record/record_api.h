/*
 * record_api.h - what the API of every kind of record with a profile page
 * (customers, enterprises) does alike: its list's conditions with a saved
 * segment on top, and the handlers that read one record, create, edit,
 * delete and restore it through the kind's operations (core/op.h) and
 * answer {key: record}. A kind describes itself in a struct record_api;
 * its own handlers call these, so every kind answers the same way.
 */
#ifndef HY_RECORD_API_H
#define HY_RECORD_API_H

#include "auth/actor.h"
#include "db/sqlbuf.h"
#include "http/http.h"
#include "record/filter.h"

#include <jansson.h>
#include <stdbool.h>

struct db;

/* A kind's list conditions: scope, quick search q and filter tree (may be
 * NULL), in the bin or not, into w. 0, -1 with err (a bad filter), or a
 * negative DB_*. */
typedef int (*record_where_fn)(struct db *db, const struct actor *u, const char *q, json_t *filter,
                               bool deleted, struct sqlbuf *w, struct filter_error *err);

struct record_api {
    const char *key; /* the member of the answer, and history's entity: "customer" */
    record_where_fn where;
    /* 1 and *out when u sees record id (deleted: also in the bin), 0 not, <0 error. */
    int (*find)(struct db *db, const struct actor *u, int64_t id, bool deleted, json_t **out);
    /* The record as u may see it (masked), a new reference. */
    json_t *(*present)(struct db *db, const struct actor *u, json_t *rec);
    /* The operations (core/op.h). */
    int (*insert)(struct db *db, const struct actor *a, json_t *in, int64_t *id, json_t *errors);
    int (*update)(struct db *db, const struct actor *a, int64_t id, json_t *in, json_t *errors);
    int (*remove)(struct db *db, const struct actor *a, int64_t id);
    int (*restore)(struct db *db, const struct actor *a, int64_t id);
};

/* AND the conditions of the saved segment segment_id (NULL or empty:
 * none) to each of ws[0..nw-1], read through k's where. 0, OP_NOT_FOUND
 * when the caller may not use such a segment, -1 with err, or DB_*. */
int record_api_segment(struct db *db, const struct actor *u, const struct record_api *k,
                       const char *segment_id, bool deleted, struct sqlbuf *ws, int nw,
                       struct filter_error *err);
/* What a kind's entity search hook (record/entity.h) does: where of the
 * params' q and filter, not in the bin. */
int record_api_search(record_where_fn where, struct db *db, const struct actor *u, json_t *params,
                      struct sqlbuf *w, const char **err_field, const char **err_key);

/* The record the path's first {id} names, or NULL having replied 404 (or
 * the database error). */
json_t *record_api_load(struct req *r, const struct record_api *k, bool deleted);
/* Its id, or 0 having replied. */
int64_t record_api_id_or_404(struct req *r, const struct record_api *k, bool deleted);
/* Answer {key: record id as presented} with status (404 when gone). */
void record_api_reply(struct req *r, const struct record_api *k, unsigned status, int64_t id);

/* The handlers: GET /x/{id} (the bin too), POST /x (201), PATCH /x/{id},
 * DELETE /x/{id} ({"ok":true}), POST /x/{id}/restore, GET
 * /x/{id}/history, and POST /x/{id}/tags ({"tag_ids"}) and DELETE
 * /x/{id}/tags/{tag_id} (in the history; audited "<key>.tag" /
 * "<key>.untag"). */
void record_api_get(struct req *r, const struct record_api *k);
void record_api_create(struct req *r, const struct record_api *k);
void record_api_update(struct req *r, const struct record_api *k);
void record_api_delete(struct req *r, const struct record_api *k);
void record_api_restore(struct req *r, const struct record_api *k);
void record_api_history(struct req *r, const struct record_api *k);
void record_api_tags_add(struct req *r, const struct record_api *k);
void record_api_tags_remove(struct req *r, const struct record_api *k);

/* Those handlers as the static functions a kind's route table names
 * (get, create, update, remove_one, restore, history, tags_add,
 * tags_remove), over its struct record_api k: one line in the kind's
 * _api.c instead of a copy of the same bodies in each. */
/* clang-format off */
#define RECORD_API_HANDLERS(k)                                                     \
    static void get(struct req *r) { record_api_get(r, &(k)); }                   \
    static void create(struct req *r) { record_api_create(r, &(k)); }             \
    static void update(struct req *r) { record_api_update(r, &(k)); }             \
    static void remove_one(struct req *r) { record_api_delete(r, &(k)); }         \
    static void restore(struct req *r) { record_api_restore(r, &(k)); }           \
    static void history(struct req *r) { record_api_history(r, &(k)); }           \
    static void tags_add(struct req *r) { record_api_tags_add(r, &(k)); }         \
    static void tags_remove(struct req *r) { record_api_tags_remove(r, &(k)); }
/* clang-format on */

#endif
