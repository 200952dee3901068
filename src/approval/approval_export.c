/*
 * approval_export.c - the flow personal_export: an export of more than
 * max_rows records (default 5,000) of an entity with personal data
 * (params.entities, default customers) waits for approval; once approved
 * the export job is queued for its requester, who downloads it as usual.
 * The record layer knows nothing of approvals: it calls the guard this
 * file installs (record/export.h).
 */
#include "approval/approval.h"
#include "approval/approval_int.h"

#include "core/op.h"
#include "db/db.h"
#include "record/export.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ROWS 5000

static bool listed(json_t *entities, const char *entity)
{
    if (!json_is_array(entities))
        return strcmp(entity, "customer") == 0;
    size_t i;
    json_t *v;
    json_array_foreach(entities, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), entity) == 0)
            return true;
    }
    return false;
}

static int guard(struct db *db, const struct actor *a, const char *entity, int64_t count,
                 json_t *params, json_t *detail, int64_t *request_id)
{
    json_t *fp = NULL;
    int rc = approval_flow_params(db, "personal_export", &fp);
    if (rc <= 0)
        return rc;
    /* a whole number, or its text as the flows page sends it */
    json_t *max = json_object_get(fp, "max_rows");
    const char *text = json_string_value(max);
    char *end = NULL;
    int64_t limit = json_is_integer(max) ? json_integer_value(max)
                    : text && *text      ? strtoll(text, &end, 10)
                                         : DEFAULT_MAX_ROWS;
    if (end && *end)
        limit = DEFAULT_MAX_ROWS;
    bool guarded = count > limit && listed(json_object_get(fp, "entities"), entity);
    json_decref(fp);
    if (!guarded)
        return 0;
    json_t *change =
        json_pack("{s:n,s:O,s:{s:O,s:O,s:I,s:s}}", "before", "after", detail, "apply", "params",
                  params, "detail", detail, "user_id", (json_int_t)a->id, "login", a->login);
    rc = approval_request(db, a, "personal_export", "export", 0, change, request_id);
    /* nobody may approve it (1 with no request: the export answers 409) */
    if (rc == OP_CONFLICT)
        return 1;
    return rc ? (rc < 0 ? rc : DB_ERROR) : *request_id ? 1 : 0;
}

static int apply(struct db *db, const struct actor *approver, const char *entity, int64_t id,
                 const json_t *payload)
{
    (void)approver;
    (void)entity;
    (void)id;
    int64_t job = 0;
    json_t *p = (json_t *)payload;
    return export_enqueue(db, json_integer_value(json_object_get(p, "user_id")),
                          json_string_value(json_object_get(p, "login")),
                          json_object_get(p, "params"),
                          json_deep_copy(json_object_get(p, "detail")), &job);
}

static const struct approval_applier applier = {"personal_export", apply};

void approval_export_init(void)
{
    export_set_guard(guard);
    approval_register_applier(&applier);
}
