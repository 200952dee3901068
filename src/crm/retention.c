/*
 * retention.c - retention of inactive customers (see retention.h).
 *
 * "No activity for N years" (docs/privacy.md): with the cutoff at now
 * minus N x 365 days, a customer is inactive when it was created, last
 * edited (updated_at: any change of the profile, its tags included) and
 * last visited (last_visit_at) before the cutoff, has no business record
 * that happened or was entered or changed since, and no task about it
 * that was created or changed since. Erased and already anonymised
 * profiles are never taken; profiles in the recycle bin are.
 */
#include "crm/retention.h"

#include "base/clock.h"
#include "base/i18n.h"
#include "base/log.h"
#include "core/events.h"
#include "core/listing.h"
#include "core/op.h"
#include "core/scheduler.h"
#include "crm/customer.h"
#include "db/db.h"
#include "record/history.h"
#include "record/references.h"

#include <stdio.h>
#include <string.h>

#define YEAR_SECONDS (365 * 86400LL)
#define SAMPLE_SIZE  20
#define BATCH_SIZE   100
/* A dry run older than this is not run: the admin looks again first. */
#define DRY_RUN_TTL 3600

/* The inactive customers of a cutoff: binds the cutoff five times. */
#define INACTIVE_WHERE                                                                             \
    "c.erased_at IS NULL AND c.anonymised_at IS NULL AND c.updated_at < ? AND c.created_at < ? "   \
    "AND COALESCE(c.last_visit_at, 0) < ? "                                                        \
    "AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id "                     \
    "AND (i.occurred_at >= ? OR i.updated_at >= ?)) "                                              \
    "AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = c.id AND t.updated_at >= ?)"
#define CUTOFF_ARGS(t) DB_INT(t), DB_INT(t), DB_INT(t), DB_INT(t), DB_INT(t), DB_INT(t)

int retention_policy(struct db *db, json_t **out)
{
    int rc = listing_one(db, NULL, out, NULL,
                         "SELECT years, action, daily AS is_daily, version, updated_at "
                         "FROM retention_policy WHERE id = 1",
                         DB_NOARGS);
    if (rc == 1) {
        /* the API's name for it */
        json_object_set(*out, "daily", json_object_get(*out, "is_daily"));
        json_object_del(*out, "is_daily");
    }
    return rc == 0 ? DB_ERROR : rc;
}

int retention_policy_set(struct db *db, const struct actor *a, json_t *in, json_t *errors)
{
    json_t *years = json_object_get(in, "years"), *daily = json_object_get(in, "daily");
    const char *action = json_string_value(json_object_get(in, "action"));
    json_t *version = json_object_get(in, "version");
    if (!json_is_integer(years) || json_integer_value(years) < 0 || json_integer_value(years) > 100)
        json_object_set_new(errors, "years",
                            json_string(i18n_msg(a->lang, "retention.years_range")));
    if (!action || (strcmp(action, "anonymise") != 0 && strcmp(action, "purge") != 0))
        json_object_set_new(errors, "action", json_string(i18n_msg(a->lang, "field.invalid")));
    if (daily && !json_is_boolean(daily))
        json_object_set_new(errors, "daily", json_string(i18n_msg(a->lang, "field.invalid")));
    if (!json_is_integer(version))
        json_object_set_new(errors, "version", json_string(i18n_msg(a->lang, "field.required")));
    if (json_object_size(errors))
        return OP_INVALID;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db,
                 "UPDATE retention_policy SET years = ?, action = ?, daily = ?, "
                 "version = version + 1, updated_by = ?, updated_at = ? WHERE id = 1 "
                 "AND version = ?",
                 DB_ARGS(DB_INT(json_integer_value(years)), DB_TEXT(action),
                         DB_INT(json_is_true(daily)), DB_INT_OR_NULL(a->id, a->id),
                         DB_INT(clock_now()), DB_INT(json_integer_value(version))));
    if (!rc && db_changes(db) == 0)
        rc = OP_STALE;
    if (!rc)
        rc = actor_audit(db, a, "retention.policy", "retention_policy", 1,
                         json_pack("{s:O,s:s,s:b}", "years", years, "action", action, "daily",
                                   json_is_true(daily)));
    return op_end(db, rc);
}

static int count_inactive(struct db *db, int64_t cutoff, int64_t *n)
{
    int rc = db_query_int(db, "SELECT COUNT(*) FROM customers c WHERE " INACTIVE_WHERE,
                          DB_ARGS(CUTOFF_ARGS(cutoff)), n);
    return rc < 0 ? rc : 0;
}

/* Who would be affected: the first SAMPLE_SIZE by id, with their last
 * activity as far as the profile tells it. */
static json_t *sample(struct db *db, int64_t cutoff)
{
    struct db_stmt *st =
        db_query(db,
                 "SELECT c.id, c.customer_no, c.name, b.name AS branch_name, c.created_at, "
                 "c.updated_at, c.last_visit_at FROM customers c JOIN branches b ON "
                 "b.id = c.branch_id WHERE " INACTIVE_WHERE " ORDER BY c.id LIMIT ?",
                 DB_ARGS(CUTOFF_ARGS(cutoff), DB_INT(SAMPLE_SIZE)));
    return listing_rows(st, NULL, NULL);
}

/* Insert a run of the policy as it is (in the open transaction). */
static int insert_run(struct db *db, const struct actor *a, int64_t *id, json_t *errors)
{
    json_t *pol = NULL;
    int rc = retention_policy(db, &pol);
    if (rc < 0)
        return rc;
    int64_t years = json_integer_value(json_object_get(pol, "years"));
    const char *action = json_string_value(json_object_get(pol, "action"));
    if (years <= 0) {
        json_object_set_new(errors, "years", json_string(i18n_msg(a->lang, "retention.off")));
        json_decref(pol);
        return OP_INVALID;
    }
    int64_t now = clock_now(), cutoff = now - years * YEAR_SECONDS, n = 0;
    rc = count_inactive(db, cutoff, &n);
    json_t *some = rc ? NULL : sample(db, cutoff);
    char *text = some ? json_dumps(some, JSON_COMPACT) : NULL;
    if (!rc && !text)
        rc = DB_ERROR;
    if (!rc)
        rc = db_query_id(db,
                         "INSERT INTO retention_runs (years, action, cutoff, count, sample, "
                         "user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         DB_ARGS(DB_INT(years), DB_TEXT(action), DB_INT(cutoff), DB_INT(n),
                                 DB_TEXT(text), DB_INT_OR_NULL(a->id, a->id), DB_INT(now)),
                         id);
    if (!rc)
        rc = actor_audit(db, a, "retention.dry_run", "retention_run", *id,
                         json_pack("{s:I,s:s,s:I}", "years", (json_int_t)years, "action", action,
                                   "count", (json_int_t)n));
    free(text);
    json_decref(some);
    json_decref(pol);
    return rc;
}

int retention_dry_run(struct db *db, const struct actor *a, json_t *errors, json_t **out)
{
    int64_t id = 0;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = op_end(db, insert_run(db, a, &id, errors));
    if (!rc && retention_run_json(db, id, out) != 1)
        rc = DB_ERROR;
    return rc;
}

/* Queue the run of dry run id (counted n) in the open transaction. */
static int queue_run(struct db *db, const struct actor *a, int64_t id, int64_t n)
{
    int64_t job = 0;
    json_t *params = json_pack("{s:I}", "run_id", (json_int_t)id);
    int rc = jobs_enqueue(db, "retention", a->id, params, NULL, &job);
    json_decref(params);
    if (!rc)
        rc = db_exec(db, "UPDATE retention_runs SET job_id = ?, started_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(job), DB_INT(clock_now()), DB_INT(id)));
    if (!rc)
        rc = actor_audit(db, a, "retention.run", "retention_run", id,
                         json_pack("{s:I,s:I}", "count", (json_int_t)n, "job_id", (json_int_t)job));
    return rc;
}

/* Why dry run id may not run now (a message key), NULL when it may; its
 * count as found now into *now_count. Negative rc on a database error. */
static const char *refusal(struct db *db, int64_t id, int64_t count, int64_t *now_count, int *rc)
{
    struct db_stmt *st = NULL;
    *rc = db_query_row(
        db, &st,
        "SELECT r.cutoff, r.count, r.job_id, r.created_at, CASE WHEN r.years = p.years "
        "AND r.action = p.action THEN 1 ELSE 0 END, (SELECT COUNT(*) FROM retention_runs o JOIN "
        "jobs j "
        "ON j.id = o.job_id WHERE j.status IN ('queued', 'running')) FROM retention_runs r, "
        "retention_policy p WHERE r.id = ? AND p.id = 1",
        DB_ARGS(DB_INT(id)));
    if (*rc <= 0)
        return NULL;
    int64_t cutoff = db_col_int(st, 0), counted = db_col_int(st, 1);
    bool started = !db_col_is_null(st, 2), same = db_col_int(st, 4) != 0;
    bool old = db_col_int(st, 3)<clock_now() - DRY_RUN_TTL, busy = db_col_int(st, 5)> 0;
    db_finish(st);
    *rc = 0;
    if (started)
        return "retention.dry_run_used";
    if (busy)
        return "retention.busy";
    if (old || !same)
        return "retention.dry_run_old";
    *rc = count_inactive(db, cutoff, now_count);
    if (*rc)
        return NULL;
    return count != counted || *now_count != counted ? "retention.count_changed" : NULL;
}

int retention_start(struct db *db, const struct actor *a, int64_t run_id, int64_t count,
                    json_t *errors, json_t **out)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    int64_t now_count = -1;
    const char *no = refusal(db, run_id, count, &now_count, &rc);
    if (!rc && !no && now_count < 0)
        rc = OP_NOT_FOUND; /* no such dry run */
    if (!rc && no) {
        json_object_set_new(errors, "count", json_string(i18n_msg(a->lang, no)));
        if (now_count >= 0)
            json_object_set_new(errors, "count_now", json_integer(now_count));
        rc = OP_CONFLICT;
    }
    if (!rc)
        rc = queue_run(db, a, run_id, count);
    rc = op_end(db, rc);
    if (!rc && retention_run_json(db, run_id, out) != 1)
        rc = DB_ERROR;
    return rc;
}

int retention_run_json(struct db *db, int64_t id, json_t **out)
{
    int rc = listing_one(db, NULL, out, NULL,
                         "SELECT r.id, r.years, r.action, r.cutoff AS cutoff_at, r.count, "
                         "r.sample AS sample_json, r.created_at, r.started_at, r.done, "
                         "r.finished_at, r.job_id, u.login AS by_login FROM retention_runs r "
                         "LEFT JOIN users u ON u.id = r.user_id WHERE r.id = ?",
                         DB_ARGS(DB_INT(id)));
    if (rc != 1)
        return rc;
    json_t *o = *out, *job_id = json_object_get(o, "job_id");
    json_object_set(o, "sample", json_object_get(o, "sample_json"));
    json_object_del(o, "sample_json");
    json_t *job =
        json_is_integer(job_id) ? jobs_get_json(db, json_integer_value(job_id), NULL) : NULL;
    json_object_set_new(
        o, "status",
        json_string(job ? json_string_value(json_object_get(job, "status")) : "dry_run"));
    json_decref(job);
    return 1;
}

json_t *retention_runs(struct db *db)
{
    struct db_stmt *st =
        db_query(db,
                 "SELECT r.id, r.years, r.action, r.count, r.created_at, r.started_at, r.done, "
                 "r.finished_at, u.login AS by_login FROM retention_runs r LEFT JOIN users u "
                 "ON u.id = r.user_id ORDER BY r.id DESC LIMIT 10",
                 DB_NOARGS);
    return listing_rows(st, NULL, NULL);
}

/* Anonymise customer id (in the open transaction): the person's columns
 * through the one function that knows them, the free text of records and
 * tasks, the recorded values of the history. Tags, amounts, types, dates
 * and counts stay for statistics. */
static int anonymise(struct db *db, const struct actor *a, int64_t id)
{
    char name[96];
    snprintf(name, sizeof(name), "%s #%lld", i18n_msg(a->lang, "customer.anonymised"),
             (long long)id);
    int64_t now = clock_now();
    int rc = customer_clear_personal(db, id, name);
    if (!rc)
        rc = db_exec(db, "UPDATE customers SET anonymised_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(now), DB_INT(id)));
    if (!rc)
        rc = db_exec(db,
                     "UPDATE interactions SET description = '', tracking_no = NULL "
                     "WHERE customer_id = ?",
                     DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(
            db, "UPDATE tasks SET title = ?, note = NULL, outcome = NULL WHERE customer_id = ?",
            DB_ARGS(DB_TEXT(name), DB_INT(id)));
    if (!rc)
        rc = history_erase(db, "customer", id);
    return rc ? rc : events_publish(db, "customer.anonymised", "customer", id, a->id, NULL);
}

/* Purge customer id (in the open transaction): what points at it through
 * the registered references, then the row. */
static int purge(struct db *db, const struct actor *a, int64_t id)
{
    int rc = name_grams_forget(db, id);
    if (!rc)
        rc = entity_purge_references(db, &entity_customer, id);
    if (!rc) /* profiles merged into this one lose the pointer, not their row */
        rc = db_exec(db, "UPDATE customers SET merged_into = NULL WHERE merged_into = ?",
                     DB_ARGS(DB_INT(id)));
    if (!rc)
        rc = db_exec(db, "DELETE FROM customers WHERE id = ?", DB_ARGS(DB_INT(id)));
    return rc ? rc : events_publish(db, "customer.purged", "customer", id, a->id, NULL);
}

/* One batch: up to BATCH_SIZE inactive customers after *last, each
 * anonymised or purged, an audit entry naming them, the run's count; all
 * in one transaction. *n: how many (0: finished). */
static int batch(struct db *db, int64_t run_id, int64_t cutoff, bool purging, int64_t *last,
                 int64_t *n)
{
    int64_t ids[BATCH_SIZE];
    *n = 0;
    int rc = db_begin(db);
    if (rc)
        return rc;
    struct db_stmt *st = db_query(db,
                                  "SELECT c.id FROM customers c WHERE c.id > ? AND " INACTIVE_WHERE
                                  " ORDER BY c.id LIMIT ?",
                                  DB_ARGS(DB_INT(*last), CUTOFF_ARGS(cutoff), DB_INT(BATCH_SIZE)));
    int step = st ? 1 : DB_ERROR;
    while (step == 1 && (step = db_step(st)) == 1)
        ids[(*n)++] = db_col_int(st, 0);
    db_finish(st);
    rc = step;
    json_t *list = json_array();
    for (int64_t i = 0; !rc && i < *n; i++) {
        rc = purging ? purge(db, &actor_system, ids[i]) : anonymise(db, &actor_system, ids[i]);
        json_array_append_new(list, json_integer(ids[i]));
    }
    if (!rc && *n) {
        rc = db_exec(db, "UPDATE retention_runs SET done = done + ? WHERE id = ?",
                     DB_ARGS(DB_INT(*n), DB_INT(run_id)));
        if (!rc)
            rc = actor_audit(db, &actor_system, purging ? "retention.purge" : "retention.anonymise",
                             "retention_run", run_id, json_pack("{s:O}", "customer_ids", list));
        *last = ids[*n - 1];
    }
    json_decref(list);
    return db_end(db, rc);
}

int retention_job(struct job *job)
{
    int64_t run_id = json_integer_value(json_object_get(job->params, "run_id"));
    struct db_stmt *st = NULL;
    int rc = db_query_row(job->db, &st,
                          "SELECT cutoff, count, action, done FROM retention_runs WHERE id = ?",
                          DB_ARGS(DB_INT(run_id)));
    if (rc != 1)
        return job_fail(job, rc == 0 ? "not_found" : "internal");
    int64_t cutoff = db_col_int(st, 0), total = db_col_int(st, 1), done = db_col_int(st, 3);
    bool purging = strcmp(db_col_text(st, 2), "purge") == 0;
    db_finish(st);
    /* Restartable: what a first run did is no longer inactive (anonymised
     * or gone), and the run's count of done ones carries on. */
    int64_t last = 0, n = 1;
    while (n > 0) {
        if (!job_progress(job, done, total))
            return 0;
        rc = batch(job->db, run_id, cutoff, purging, &last, &n);
        if (rc) {
            log_error("retention: run %lld failed after customer %lld (%d)", (long long)run_id,
                      (long long)last, rc);
            return job_fail(job, "internal");
        }
        done += n;
    }
    rc = db_begin(job->db);
    if (!rc)
        rc = db_exec(job->db, "UPDATE retention_runs SET finished_at = ? WHERE id = ?",
                     DB_ARGS(DB_INT(clock_now()), DB_INT(run_id)));
    if (!rc)
        rc = actor_audit(job->db, &actor_system, "retention.finished", "retention_run", run_id,
                         json_pack("{s:s,s:I,s:I}", "action", purging ? "purge" : "anonymise",
                                   "count", (json_int_t)total, "done", (json_int_t)done));
    if (db_end(job->db, rc))
        return job_fail(job, "internal");
    job->result = json_pack("{s:I,s:I}", "run_id", (json_int_t)run_id, "done", (json_int_t)done);
    return 0;
}

int retention_periodic(struct db *db)
{
    json_t *pol = NULL;
    int rc = retention_policy(db, &pol);
    if (rc < 0)
        return rc;
    bool on = json_integer_value(json_object_get(pol, "years")) > 0 &&
              json_is_true(json_object_get(pol, "daily"));
    json_decref(pol);
    if (!on)
        return 0;
    char today[11];
    clock_format_date(clock_now(), today, sizeof(today));
    int64_t day0 = 0;
    clock_parse_date(today, &day0);
    rc = db_begin(db);
    if (rc)
        return rc;
    /* Once a day, whichever process or restart comes first. */
    int claimed = scheduler_claim(db, "retention", "daily", day0);
    int64_t id = 0, n = 0;
    json_t *errors = json_object();
    rc = claimed < 0 ? claimed : 0;
    if (claimed == 1)
        rc = insert_run(db, &actor_system, &id, errors);
    if (claimed == 1 && !rc)
        rc = db_query_int(db, "SELECT count FROM retention_runs WHERE id = ?", DB_ARGS(DB_INT(id)),
                          &n) < 0
                 ? DB_ERROR
                 : 0;
    if (claimed == 1 && !rc && n > 0) /* a day with nobody to take stays a dry run */
        rc = queue_run(db, &actor_system, id, n);
    json_decref(errors);
    return db_end(db, rc > 0 ? 0 : rc);
}
