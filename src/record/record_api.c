/*
 * record_api.c - see record_api.h.
 */
#include "record/record_api.h"

#include "core/audit.h"
#include "core/op.h"
#include "db/db.h"
#include "record/history.h"
#include "record/segments.h"
#include "record/tags.h"

#include <stdio.h>
#include <stdlib.h>

int record_api_segment(struct db *db, const struct actor *u, const struct record_api *k,
                       const char *segment_id, bool deleted, struct sqlbuf *ws, int nw,
                       struct filter_error *err)
{
    if (!segment_id || !*segment_id)
        return 0;
    json_t *sf = NULL;
    char *sq = NULL;
    int rc = segments_resolve(db, u, k->key, strtoll(segment_id, NULL, 10), &sf, &sq);
    if (rc == 0)
        return OP_NOT_FOUND;
    if (rc == 1) {
        /* The segment's values are bound from sf: copied by the appends
         * before sf goes. */
        struct sqlbuf sw;
        sqlbuf_init(&sw);
        rc = k->where(db, u, sq, sf, deleted, &sw, err);
        for (int i = 0; rc == 0 && i < nw; i++) {
            sqlbuf_add(&ws[i], " AND ");
            sqlbuf_append(&ws[i], &sw);
        }
        sqlbuf_release(&sw);
    }
    json_decref(sf);
    free(sq);
    return rc;
}

int record_api_search(record_where_fn where, struct db *db, const struct actor *u, json_t *params,
                      struct sqlbuf *w, const char **err_field, const char **err_key)
{
    const char *q = json_string_value(json_object_get(params, "q"));
    json_t *filter = json_object_get(params, "filter");
    struct filter_error ferr;
    int rc = where(db, u, q, json_is_object(filter) ? filter : NULL, false, w, &ferr);
    if (rc == -1) {
        *err_field = "filter";
        *err_key = ferr.key;
    }
    return rc;
}

json_t *record_api_load(struct req *r, const struct record_api *k, bool deleted)
{
    int64_t id = req_param_id(r, 0);
    json_t *rec = NULL;
    int rc = id > 0 ? k->find(r->db, r->actor, id, deleted, &rec) : 0;
    if (rc != 1)
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
    return rc == 1 ? rec : NULL;
}

int64_t record_api_id_or_404(struct req *r, const struct record_api *k, bool deleted)
{
    json_t *rec = record_api_load(r, k, deleted);
    int64_t id = rec ? json_integer_value(json_object_get(rec, "id")) : 0;
    json_decref(rec);
    return id;
}

/* Answer rec (borrowed) as presented, as {key: …}. */
static void reply_record(struct req *r, const struct record_api *k, unsigned status, json_t *rec)
{
    json_t *o = k->present(r->db, r->actor, rec);
    reply_json(r, status, json_pack("{s:o}", k->key, o));
}

void record_api_reply(struct req *r, const struct record_api *k, unsigned status, int64_t id)
{
    json_t *rec = NULL;
    int rc = k->find(r->db, r->actor, id, true, &rec);
    if (rc == 1)
        reply_record(r, k, status, rec);
    else
        rc < 0 ? reply_db_error(r, rc) : reply_error(r, 404, "not_found");
    json_decref(rec);
}

void record_api_get(struct req *r, const struct record_api *k)
{
    json_t *rec = record_api_load(r, k, true);
    if (rec)
        reply_record(r, k, 200, rec);
    json_decref(rec);
}

void record_api_create(struct req *r, const struct record_api *k)
{
    json_t *errors = json_object();
    int64_t id = 0;
    int rc = k->insert(r->db, r->actor, r->json, &id, errors);
    if (!op_reply(r, rc, errors))
        record_api_reply(r, k, 201, id);
    json_decref(errors);
}

void record_api_update(struct req *r, const struct record_api *k)
{
    json_t *errors = json_object();
    int64_t id = req_param_id(r, 0);
    int rc = id > 0 ? k->update(r->db, r->actor, id, r->json, errors) : OP_NOT_FOUND;
    if (!op_reply(r, rc, errors))
        record_api_reply(r, k, 200, id);
    json_decref(errors);
}

void record_api_delete(struct req *r, const struct record_api *k)
{
    if (!op_reply(r, k->remove(r->db, r->actor, req_param_id(r, 0)), NULL))
        reply_ok(r);
}

void record_api_restore(struct req *r, const struct record_api *k)
{
    int64_t id = req_param_id(r, 0);
    if (!op_reply(r, k->restore(r->db, r->actor, id), NULL))
        record_api_reply(r, k, 200, id);
}

void record_api_history(struct req *r, const struct record_api *k)
{
    int64_t id = record_api_id_or_404(r, k, true);
    if (id)
        history_reply(r, k->key, id);
}

/* "<key>.<verb>": the audit action of a kind. */
static const char *action(const struct record_api *k, const char *verb, char *buf, size_t len)
{
    snprintf(buf, len, "%s.%s", k->key, verb);
    return buf;
}

void record_api_tags_add(struct req *r, const struct record_api *k)
{
    int64_t id = record_api_id_or_404(r, k, false);
    if (!id)
        return;
    json_t *errors = json_object(), *ids = json_object_get(r->json, "tag_ids");
    char act[64];
    int rc = db_begin(r->db);
    if (!rc)
        rc = tags_attach_list(r->db, r, r->actor->lang, k->key, id, ids, errors);
    if (!rc)
        rc = audit_write(r->db, r, NULL, action(k, "tag", act, sizeof(act)), k->key, id,
                         json_pack("{s:O}", "add", ids));
    if (!op_reply(r, op_end(r->db, rc), errors))
        record_api_reply(r, k, 200, id);
    json_decref(errors);
}

void record_api_tags_remove(struct req *r, const struct record_api *k)
{
    int64_t id = record_api_id_or_404(r, k, false);
    if (!id)
        return;
    int64_t tag = req_param_id(r, 1);
    char act[64];
    int rc = db_begin(r->db);
    if (!rc)
        rc = tags_detach(r->db, k->key, id, tag);
    if (!rc && db_changes(r->db) == 1)
        rc = tags_note(r->db, r, k->key, id, tag, false);
    if (!rc)
        rc = audit_write(r->db, r, NULL, action(k, "untag", act, sizeof(act)), k->key, id,
                         json_pack("{s:I}", "remove", (json_int_t)tag));
    if (!op_reply(r, op_end(r->db, rc), NULL))
        record_api_reply(r, k, 200, id);
}
