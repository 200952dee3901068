/*
 * history.h - field-level change history of records (变更历史): who changed
 * which field from what to what, when. Shared by every entity.
 */
#ifndef HY_HISTORY_H
#define HY_HISTORY_H

#include "http/http.h"

#include <jansson.h>
#include <stdint.h>

struct actor;
struct db;
struct sqlbuf;

/* The author the functions below take, for an operation that has an
 * actor rather than a request: who carries only a's id and login. */
void history_author(const struct actor *a, struct req *who);

/* Record one row per top-level key whose value differs between before and
 * after (custom values per "custom.<key>"). Keys in `masked` (NULL-ended)
 * are stored masked with mask(). Call inside the change's transaction. */
int history_record(struct db *db, struct req *r, const char *entity, int64_t id, json_t *before,
                   json_t *after, const char *const *skip);
/* One change not made through history_record (e.g. a tag added: field
 * "tags", old NULL, new "集邮爱好者"). old / new are borrowed, may be NULL. */
int history_note(struct db *db, struct req *r, const char *entity, int64_t id, const char *field,
                 json_t *old, json_t *new);
/* history_note for every record `ids` selects, in one statement: ids is
 * "SELECT x.id FROM … WHERE …" (one column named id) with its values bound.
 * For bulk changes; select only the records the change really alters. */
int history_note_each(struct db *db, struct req *r, const char *entity, const struct sqlbuf *ids,
                      const char *field, json_t *old, json_t *new);
/* Reply the history page of one record (newest first, keyset on id). */
void history_reply(struct req *r, const char *entity, int64_t id);
/* Blank the recorded values of a record (PIPL erasure). */
int history_erase(struct db *db, const char *entity, int64_t id);
/* Delete the recorded changes of a record (retention's purge). */
int history_purge(struct db *db, const char *entity, int64_t id);

#endif
