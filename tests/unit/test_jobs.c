/*
 * test_jobs.c - unit tests for src/core/jobs.c on a temporary SQLite
 * database (all migrations applied): a job runs to 'done' with its result
 * and progress, a failing job ends 'failed' with its message, stopping the
 * pool during a long job queues it again and the next start runs it from
 * scratch, a job left 'running' by a dead process is taken over, and many
 * jobs on several workers each run exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/xmalloc.h"
#include "core/jobs.h"
#include "base/clock.h"
#include "db/db.h"
#include "testdb.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/hy_jobs_XXXXXX";

/* ---- job functions -------------------------------------------------------- */

/* Sums 1..params.n, reporting progress per step. */
static int job_sum(struct job *job)
{
    json_int_t n = json_integer_value(json_object_get(job->params, "n"));
    json_int_t sum = 0;
    for (json_int_t i = 1; i <= n; i++) {
        sum += i;
        if (!job_progress(job, i, n))
            return -1;
    }
    job->result = json_pack("{s:I, s:I, s:s?}", "sum", sum, "user", (json_int_t)job->user_id,
                            "file", job->file_path);
    return 0;
}

static int job_broken(struct job *job)
{
    return job_fail(job, "import.file_missing");
}

/* Runs until told to stop on its first attempt; finishes at once after. */
static atomic_int long_attempts;
static atomic_bool long_running;

static int job_long(struct job *job)
{
    int attempt = atomic_fetch_add(&long_attempts, 1) + 1;
    if (attempt > 1) {
        job->result = json_pack("{s:i}", "attempt", attempt);
        return 0;
    }
    atomic_store(&long_running, true);
    for (int64_t i = 0;; i++) {
        if (!job_progress(job, i, 0))
            return -1;
        usleep(2000);
    }
}

/* Counts its runs per job id. */
#define COUNT_JOBS 24
static atomic_int runs[COUNT_JOBS + 1];
static int64_t count_ids[COUNT_JOBS + 1];

static int job_count(struct job *job)
{
    int slot = (int)json_integer_value(json_object_get(job->params, "slot"));
    if (slot < 1 || slot > COUNT_JOBS)
        abort(); /* not a cmocka assert: this runs on a worker thread */
    atomic_fetch_add(&runs[slot], 1);
    usleep(1000);
    return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static const char *status_of(int64_t id, json_t **out)
{
    json_t *j = jobs_get_json(db_get(), id, NULL);
    assert_non_null(j);
    if (*out)
        json_decref(*out);
    *out = j;
    return json_string_value(json_object_get(j, "status"));
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll job id until it has status want and, when min_processed >= 0, at
 * least that progress; fail once timeout_ms have passed on the monotonic
 * clock. Answers its JSON, which the caller frees. A wait on a condition
 * with a deadline, never a fixed sleep. */
static json_t *wait_job(int64_t id, const char *want, json_int_t min_processed, int timeout_ms)
{
    json_t *j = NULL;
    int64_t deadline = monotonic_ms() + timeout_ms;
    for (;;) {
        if (strcmp(status_of(id, &j), want) == 0 &&
            json_integer_value(json_object_get(j, "processed")) >= min_processed)
            return j;
        if (monotonic_ms() >= deadline)
            fail_msg("job %lld: status %s, processed %lld after %d ms, wanted %s", (long long)id,
                     json_string_value(json_object_get(j, "status")),
                     (long long)json_integer_value(json_object_get(j, "processed")), timeout_ms,
                     want);
        usleep(2000);
    }
}

static json_t *wait_status(int64_t id, const char *want, int timeout_ms)
{
    return wait_job(id, want, 0, timeout_ms);
}

static int64_t enqueue(const char *kind, json_t *params)
{
    int64_t id = 0;
    assert_int_equal(jobs_enqueue(db_get(), kind, 0, params, NULL, &id), 0);
    assert_true(id > 0);
    return id;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_job_done(void **state)
{
    (void)state;
    struct db *db = db_get();
    /* Enqueued in a transaction: visible, and the workers woken, at commit. */
    json_t *params = json_pack("{s:i}", "n", 5);
    int64_t id = 0;
    assert_int_equal(jobs_start(2), 0);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(jobs_enqueue(db, "test.sum", 42, params, "/tmp/x.csv", &id), 0);
    assert_int_equal(db_commit(db), 0);
    json_decref(params);

    json_t *j = wait_status(id, "done", 3000);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), id);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "test.sum");
    assert_int_equal(json_integer_value(json_object_get(j, "processed")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
    json_t *result = json_object_get(j, "result");
    assert_int_equal(json_integer_value(json_object_get(result, "sum")), 15);
    assert_int_equal(json_integer_value(json_object_get(result, "user")), 42);
    assert_string_equal(json_string_value(json_object_get(result, "file")), "/tmp/x.csv");
    assert_true(json_is_null(json_object_get(j, "error")));
    const char *created = json_string_value(json_object_get(j, "created_at"));
    assert_non_null(created);
    assert_non_null(strstr(created, "+08:00"));
    assert_true(json_is_string(json_object_get(j, "started_at")));
    assert_true(json_is_string(json_object_get(j, "finished_at")));
    json_decref(j);

    int64_t user = -1;
    assert_int_equal(jobs_user_id(db, id, &user), 1);
    assert_int_equal(user, 42);
    assert_int_equal(jobs_user_id(db, id + 1000, &user), 0);
    assert_null(jobs_get_json(db, id + 1000, NULL));
    jobs_stop();
}

static void test_job_failed(void **state)
{
    (void)state;
    assert_int_equal(jobs_start(1), 0);
    int64_t id = enqueue("test.broken", NULL);
    json_t *j = wait_status(id, "failed", 3000);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "import.file_missing");
    assert_true(json_is_null(json_object_get(j, "result")));
    /* Shown to a user, the error is a message in their language. */
    json_t *zh = jobs_get_json(db_get(), id, "zh-CN"), *en = jobs_get_json(db_get(), id, "en");
    assert_string_equal(json_string_value(json_object_get(zh, "error")),
                        "导入文件已不存在，请重新上传");
    assert_string_equal(json_string_value(json_object_get(en, "error")),
                        "The import file is gone; please upload it again");
    json_decref(zh);
    json_decref(en);
    assert_true(json_is_string(json_object_get(j, "finished_at")));
    json_decref(j);
    jobs_stop();
}

static void test_stop_requeues(void **state)
{
    (void)state;
    assert_int_equal(jobs_start(2), 0);
    int64_t id = enqueue("test.long", NULL);
    /* running, with some progress written */
    json_t *j = wait_job(id, "running", 1, 5000);
    assert_true(atomic_load(&long_running));
    json_decref(j);

    jobs_stop(); /* returns once the job has seen job_progress answer false */
    j = wait_status(id, "queued", 0);
    assert_int_equal(json_integer_value(json_object_get(j, "processed")), 0);
    assert_true(json_is_null(json_object_get(j, "started_at")));
    json_decref(j);
    assert_int_equal(atomic_load(&long_attempts), 1);

    /* the next start runs it again from scratch */
    assert_int_equal(jobs_start(1), 0);
    j = wait_status(id, "done", 3000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "attempt")),
                     2);
    json_decref(j);
    jobs_stop();
}

static void test_expired_lease_taken_over(void **state)
{
    (void)state;
    struct db *db = db_get();
    /* A job a dead process left running, its lease long gone. */
    json_t *params = json_pack("{s:i}", "n", 3);
    int64_t id = enqueue("test.sum", params);
    json_decref(params);
    int64_t now = clock_now();
    assert_int_equal(db_exec(db,
                             "UPDATE jobs SET status = 'running', started_at = ?, "
                             "lease_until = ?, claim = 12345 WHERE id = ?",
                             DB_ARGS(DB_INT(now - 400), DB_INT(now - 100), DB_INT(id))),
                     0);
    assert_int_equal(jobs_start(1), 0);
    json_t *j = wait_status(id, "done", 3000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "sum")), 6);
    json_decref(j);
    jobs_stop();
}

static void test_each_job_runs_once(void **state)
{
    (void)state;
    /* Queue them all before any worker runs, so that four workers race for
     * the same rows. */
    for (int i = 1; i <= COUNT_JOBS; i++) {
        json_t *params = json_pack("{s:i}", "slot", i);
        count_ids[i] = enqueue("test.count", params);
        json_decref(params);
    }
    /* one of an unknown kind: left alone */
    int64_t other = enqueue("test.unknown", NULL);
    assert_int_equal(jobs_start(4), 0);
    for (int i = 1; i <= COUNT_JOBS; i++)
        json_decref(wait_status(count_ids[i], "done", 4000));
    jobs_stop();
    for (int i = 1; i <= COUNT_JOBS; i++)
        assert_int_equal(atomic_load(&runs[i]), 1);
    json_t *j = NULL;
    assert_string_equal(status_of(other, &j), "queued");
    json_decref(j);
}

static int setup(void **state)
{
    (void)state;
    if (testdb_open(dir, "jobs.db", false))
        return -1;
    jobs_register("test.sum", job_sum);
    jobs_register("test.broken", job_broken);
    jobs_register("test.long", job_long);
    jobs_register("test.count", job_count);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    jobs_stop();
    return testdb_close(dir);
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free); /* as the server does: OOM aborts */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_done),           cmocka_unit_test(test_job_failed),
        cmocka_unit_test(test_stop_requeues),      cmocka_unit_test(test_expired_lease_taken_over),
        cmocka_unit_test(test_each_job_runs_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
