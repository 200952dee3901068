/*
 * import_api.c - the import endpoints (see import.h), for every entity with
 * import hooks (record/entity.h).
 *
 * Upload: the raw CSV streams to disk (ROUTE_UPLOAD); the header and a few
 * rows are read back to show the columns and suggest a mapping (field keys,
 * labels, the entity's aliases, custom fields). Run: checks the mapping
 * against the entity's importable and required fields and queues the job
 * (record/import_pipeline.c). Report: the bad rows as CSV.
 */
#include "record/import.h"

#include "auth/actor.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/listing.h"
#include "core/tabular.h"
#include "db/db.h"
#include "record/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SAMPLE_ROWS 5

/* The importable entity a request names (the default one when it names
 * none); NULL having replied 422 on "entity" when there is no such
 * importable entity, 403 when the caller may not write its records. The
 * routes ask only for a signed-in user: the right is the entity's own
 * (enterprises.write for enterprises, customers.write for customers). */
static const struct entity *importable(struct req *r, const char *name)
{
    const struct entity *e = name && *name ? entity_find(name) : entity_default();
    if (!e || !e->import) {
        reply_invalid(r, json_pack("{s:s}", "entity", req_msg(r, "field.invalid")));
        return NULL;
    }
    if ((r->actor->perms & e->perm_write) != e->perm_write) {
        reply_error(r, 403, "forbidden");
        return NULL;
    }
    return e;
}

/* A field key that may be a target of e's import mapping. */
static bool is_target(const struct entity *e, const char *key)
{
    if (strncmp(key, "custom.", 7) == 0)
        return e->custom_column != NULL;
    const struct entity_field *f = entity_field(e, key);
    return f && (f->flags & EF_IMPORT);
}

/* Suggest a target for a column title: a field key, label or alias, or a
 * custom field's key or label; "-" (ignore) when nothing fits. */
static json_t *suggest(struct db *db, const struct entity *e, const char *title)
{
    for (const char *const(*a)[2] = e->import->aliases; a && (*a)[0]; a++)
        if (strcmp((*a)[0], title) == 0)
            return json_string((*a)[1]);
    for (const struct entity_field *f = e->fields; f->key; f++)
        if ((f->flags & EF_IMPORT) &&
            (strcasecmp(f->key, title) == 0 || strcmp(f->label, title) == 0 ||
             strcasecmp(f->label_en, title) == 0))
            return json_string(f->key);
    json_t *out = NULL;
    struct db_stmt *st = NULL;
    /* Only a suggestion: a failed lookup suggests nothing, as no match does. */
    int found = e->custom_column
                    ? db_query_row(
                          db, &st,
                          "SELECT key FROM custom_fields WHERE entity = ? AND "
                          "retired = 0 AND (key = ? OR label = ? OR label_en = ?)",
                          DB_ARGS(DB_TEXT(e->name), DB_TEXT(title), DB_TEXT(title), DB_TEXT(title)))
                    : 0;
    if (found == 1) {
        char *k = xasprintf("custom.%s", db_col_text(st, 0));
        out = json_string(k);
        free(k);
    }
    db_finish(st);
    return out ? out : json_string("-");
}

static json_t *import_json(struct db *db, struct req *r, int64_t id);

/* The first SAMPLE_ROWS readable rows after the header, as arrays. */
static void read_sample(struct tabular_reader *rd, json_t *sample)
{
    struct tabular_row row;
    for (int n = 0; n < SAMPLE_ROWS;) {
        int rc = tabular_next_row(rd, &row);
        if (rc == 0 || rc == TABULAR_EFATAL)
            break;
        if (rc != 1)
            continue;
        json_t *cells = json_array();
        for (size_t i = 0; i < row.ncells; i++)
            json_array_append_new(cells, json_string(row.cells[i]));
        json_array_append_new(sample, cells);
        n++;
    }
}

/* POST /imports?entity=customer with the CSV as the body. */
static void upload(struct req *r)
{
    const struct entity *e = importable(r, req_query(r, "entity"));
    if (!e)
        return;
    char err[256];
    const char *err_key;
    struct tabular_reader *rd = tabular_open_csv(r->upload_path, err, sizeof(err), &err_key);
    if (!rd) {
        log_info("import upload refused: %s", err);
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, err_key)));
        return;
    }
    const struct tabular_row *h = tabular_header(rd);
    json_t *columns = json_array(), *mapping = json_object(), *sample = json_array();
    for (size_t i = 0; h && i < h->ncells; i++) {
        json_array_append_new(columns, json_string(h->cells[i]));
        json_object_set_new(mapping, h->cells[i], suggest(r->db, e, h->cells[i]));
    }
    read_sample(rd, sample);
    const char *encoding = tabular_encoding(rd);
    tabular_close(rd);
    if (json_array_size(columns) == 0) {
        json_decref(columns);
        json_decref(mapping);
        json_decref(sample);
        reply_invalid(r, json_pack("{s:s}", "file", req_msg(r, "field.required")));
        return;
    }

    /* Keep the file under the files directory, named by a random id. */
    char rnd[24];
    session_random_token(rnd, sizeof(rnd), 12);
    char *name = xasprintf("import-%s.csv", rnd);
    char *path = files_path(name);
    free(name);
    char *cols = json_dumps(columns, JSON_COMPACT);
    int64_t id = 0;
    int rc = rename(r->upload_path, path) == 0 ? 0 : DB_ERROR;
    if (!rc)
        rc = db_begin(r->db);
    if (!rc)
        rc = db_exec(r->db,
                     "INSERT INTO imports (entity, user_id, file_path, encoding, columns, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     DB_ARGS(DB_TEXT(e->name), DB_INT(r->actor->id), DB_TEXT(path),
                             DB_TEXT(encoding), DB_TEXT(cols), DB_INT(clock_now())));
    if (!rc && db_query_int(r->db, "SELECT MAX(id) FROM imports WHERE user_id = ?",
                            DB_ARGS(DB_INT(r->actor->id)), &id) != 1)
        rc = DB_ERROR;
    if (!rc)
        rc = audit_write(
            r->db, r, NULL, "import.upload", "import", id,
            json_pack("{s:I,s:s}", "bytes", (json_int_t)r->upload_size, "encoding", encoding));
    if (!rc)
        rc = db_commit(r->db);
    free(cols);
    if (rc) {
        db_rollback(r->db);
        unlink(path);
        free(path);
        json_decref(columns);
        json_decref(mapping);
        json_decref(sample);
        reply_db_error(r, rc);
        return;
    }
    free(path);
    json_t *imp = import_json(r->db, r, id);
    json_object_set_new(imp, "sample", sample);
    json_object_set_new(imp, "suggested_mapping", mapping);
    json_decref(columns);
    reply_json(r, 201, json_pack("{s:o}", "import", imp));
}

/* The import as the API shows it: upload facts plus its run's progress. */
static json_t *import_json(struct db *db, struct req *r, int64_t id)
{
    json_t *o = NULL;
    if (listing_one(db, r, &o, NULL,
                    "SELECT id, entity, encoding, columns AS columns_json, job_id, "
                    "created_at FROM imports WHERE id = ?",
                    DB_ARGS(DB_INT(id))) != 1)
        return NULL;
    json_object_set(o, "columns", json_object_get(o, "columns_json"));
    json_object_del(o, "columns_json");
    json_t *job_id = json_object_get(o, "job_id");
    json_t *job = json_is_integer(job_id)
                      ? jobs_get_json(db, json_integer_value(job_id), r ? r->lang : NULL)
                      : NULL;
    if (!job) {
        json_object_set_new(o, "status", json_string("uploaded"));
        return o;
    }
    json_object_set(o, "status", json_object_get(job, "status"));
    json_object_set(o, "processed", json_object_get(job, "processed"));
    json_object_set(o, "total", json_object_get(job, "total"));
    json_object_set(o, "error", json_object_get(job, "error"));
    json_t *result = json_object_get(job, "result");
    const char *k;
    json_t *v;
    json_object_foreach(result, k, v) json_object_set(o, k, v);
    if (json_integer_value(json_object_get(result, "failed")) > 0) {
        char url[64];
        snprintf(url, sizeof(url), "/api/v1/imports/%lld/report", (long long)id);
        json_object_set_new(o, "report_url", json_string(url));
    }
    json_decref(job);
    return o;
}

/* Load an import of the caller (admins: anyone's); NULL + 404 otherwise. */
static int64_t own_import(struct req *r)
{
    int64_t id = req_param_id(r, 0), owner = 0;
    if (id < 0 ||
        db_query_int(r->db, "SELECT user_id FROM imports WHERE id = ?", DB_ARGS(DB_INT(id)),
                     &owner) != 1 ||
        (owner != r->actor->id && !(r->actor->perms & PERM_ADMIN))) {
        reply_error(r, 404, "not_found");
        return -1;
    }
    return id;
}

static void get(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    reply_json(r, 200, json_pack("{s:o}", "import", import_json(r->db, r, id)));
}

static void list(struct req *r)
{
    struct listing l;
    if (listing_begin(&l, r))
        return;
    listing_where_int(&l, "i.user_id = ?", r->actor->id);
    listing_run_with(&l,
                     "i.id, i.entity, i.encoding, i.job_id, i.created_at, "
                     "COALESCE(j.status, 'uploaded') AS status, j.result AS result_json",
                     "imports i LEFT JOIN jobs j ON j.id = i.job_id", NULL);
}

/* Every target is a field of e (or "-": ignored), and every required
 * field of e has a column. */
/* Values every row gets unless its file gives them: only the branch, for a
 * user without one of their own (an admin picks it in the wizard). The
 * rows' checks judge the value as if the file had it. */
static bool defaults_valid(const struct entity *e, json_t *defaults)
{
    if (!json_is_object(defaults))
        return false;
    const char *k;
    json_t *v;
    json_object_foreach(defaults, k, v)
    {
        const struct entity_field *f = entity_field(e, k);
        if (!f || f->type != FT_BRANCH || !json_is_integer(v))
            return false;
    }
    return true;
}

static void check_mapping(struct req *r, const struct entity *e, json_t *mapping, json_t *errors)
{
    const char *k;
    json_t *v;
    json_object_foreach(mapping, k, v)
    {
        const char *t = json_string_value(v);
        if (!t || (strcmp(t, "-") != 0 && !is_target(e, t))) {
            json_object_set_new(errors, "mapping", json_string(req_msg(r, "field.invalid")));
            return;
        }
    }
    for (const struct entity_field *f = e->fields; f->key; f++) {
        if ((f->flags & (EF_IMPORT | EF_REQUIRED)) != (EF_IMPORT | EF_REQUIRED))
            continue;
        bool mapped = false;
        json_object_foreach(mapping, k, v) mapped |=
            json_is_string(v) && strcmp(json_string_value(v), f->key) == 0;
        if (!mapped) {
            const char *key = e->import->missing_required;
            json_object_set_new(errors, "mapping",
                                json_string(req_msg(r, key ? key : "field.required")));
            return;
        }
    }
}

static void run(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    char *path = NULL, *entity = NULL;
    struct db_stmt *st;
    int found = db_query_row(r->db, &st, "SELECT file_path, entity FROM imports WHERE id = ?",
                             DB_ARGS(DB_INT(id)));
    if (found < 0) {
        reply_db_error(r, found);
        return;
    }
    if (found == 1) {
        path = xstrdup(db_col_text(st, 0));
        entity = xstrdup(db_col_text(st, 1));
    }
    db_finish(st);
    const struct entity *e = importable(r, entity);
    if (!e) {
        free(path);
        free(entity);
        return;
    }
    json_t *mapping = json_object_get(r->json, "mapping");
    const char *dup = json_string_value(json_object_get(r->json, "on_duplicate"));
    json_t *dry = json_object_get(r->json, "dry_run");
    json_t *errors = json_object();
    if (!json_is_object(mapping))
        json_object_set_new(errors, "mapping", json_string(req_msg(r, "field.required")));
    else
        check_mapping(r, e, mapping, errors);
    if (dup && strcmp(dup, "skip") != 0 && strcmp(dup, "update") != 0)
        json_object_set_new(errors, "on_duplicate", json_string(req_msg(r, "field.invalid")));
    json_t *defaults = json_object_get(r->json, "defaults");
    if (defaults && !defaults_valid(e, defaults))
        json_object_set_new(errors, "defaults", json_string(req_msg(r, "field.invalid")));
    free(entity);
    if (json_object_size(errors)) {
        free(path);
        reply_invalid(r, errors);
        return;
    }
    json_decref(errors);
    json_t *params = json_pack("{s:I,s:s,s:O,s:b,s:s,s:s}", "import_id", (json_int_t)id, "entity",
                               e->name, "mapping", mapping, "dry_run", dry ? json_is_true(dry) : 1,
                               "on_duplicate", dup ? dup : "skip", "lang", r->lang);
    if (json_object_size(defaults))
        json_object_set(params, "defaults", defaults);
    int64_t job = 0;
    int rc = db_begin(r->db);
    if (!rc)
        rc = jobs_enqueue(r->db, "import", r->actor->id, params, path, &job);
    if (!rc)
        rc = db_exec(r->db, "UPDATE imports SET job_id = ? WHERE id = ?",
                     DB_ARGS(DB_INT(job), DB_INT(id)));
    if (!rc)
        rc = audit_write(r->db, r, NULL, "import.run", "import", id, json_incref(params));
    /* The answer shows the import as committed ("queued"), read before a
     * worker can take the job: the same answer however fast it starts. */
    json_t *imp = rc ? NULL : import_json(r->db, r, id);
    if (!rc && !imp)
        rc = DB_ERROR;
    if (!rc)
        rc = db_commit(r->db);
    json_decref(params);
    free(path);
    if (rc) {
        json_decref(imp);
        db_rollback(r->db);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 202, json_pack("{s:o}", "import", imp));
}

static void report(struct req *r)
{
    int64_t id = own_import(r);
    if (id < 0)
        return;
    char name[64];
    snprintf(name, sizeof(name), "import-%lld-report.csv", (long long)id);
    char *path = files_path(name);
    reply_file(r, path, "text/csv; charset=utf-8", name);
    free(path);
}

/* The route table imports_routes[], made from import_api.routes. */
#include "record/import_api.routes.h"
