/*
 * jobs.c - the job queue and its worker threads (see jobs.h).
 *
 * Every worker owns one database connection (db_get) and loops: queue
 * again the jobs whose lease ran out, claim the oldest queued job of a kind
 * this process knows, run it, store its outcome; sleep up to a second (or
 * until jobs_wake) when there is nothing to do. The table is read before
 * it is written, so idle workers never take SQLite's write lock.
 */
#include "core/jobs.h"

#include "base/clock.h"
#include "base/wakeup.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MAX_KINDS      32
#define MAX_THREADS    64
#define BATCH          8 /* queued jobs looked at per pass */
#define EXPIRY_PERIOD  5 /* seconds between looks for expired leases */
#define IDLE_WAIT_SECS 1

struct kind {
    const char *name;
    job_fn fn;
};

static struct kind kinds[MAX_KINDS];
static int nkinds;
/* "SELECT … WHERE status = 'queued' AND kind IN (?, …)" for the kinds above. */
static char *select_sql;

static pthread_t threads[MAX_THREADS];
static unsigned nthreads_running;
static struct wakeup idle = WAKEUP_INIT; /* the workers' sleep between jobs */
static _Atomic int64_t last_expiry_check;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A positive random token naming one claim. */
static int64_t new_claim(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = ((uint64_t)getpid() << 32) ^ (uint64_t)now_ms() ^ (uint64_t)(uintptr_t)&v;
    v &= INT64_MAX;
    return v ? (int64_t)v : 1;
}

static job_fn find_kind(const char *name)
{
    for (int i = 0; i < nkinds; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return kinds[i].fn;
    return NULL;
}

void jobs_register(const char *kind, job_fn fn)
{
    for (int i = 0; i < nkinds; i++) {
        if (strcmp(kinds[i].name, kind) == 0) {
            kinds[i].fn = fn;
            return;
        }
    }
    if (nkinds == MAX_KINDS) {
        log_error("jobs: too many job kinds, '%s' not registered", kind);
        abort();
    }
    kinds[nkinds++] = (struct kind){kind, fn};
}

int jobs_enqueue(struct db *db, const char *kind, int64_t user_id, json_t *params,
                 const char *file_path, int64_t *id)
{
    char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
    int64_t new_id = 0;
    int rc =
        db_query_int(db,
                     "INSERT INTO jobs (kind, status, user_id, params, file_path, "
                     "created_at) VALUES (?, 'queued', ?, ?, ?, ?) RETURNING id",
                     DB_ARGS(DB_TEXT(kind), DB_INT_OR_NULL(user_id > 0, user_id),
                             DB_TEXT(text ? text : "{}"), DB_TEXT(file_path), DB_INT(clock_now())),
                     &new_id);
    free(text);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return DB_ERROR;
    if (id)
        *id = new_id;
    /* Wake a worker once the row is visible to its connection. */
    db_on_commit(db, jobs_wake);
    return 0;
}

/* Queue again the running jobs whose lease ran out (their process died or
 * hung), at most every EXPIRY_PERIOD seconds per process. */
static void requeue_expired(struct db *db)
{
    int64_t now = clock_now();
    int64_t last = atomic_load(&last_expiry_check);
    if (now - last < EXPIRY_PERIOD ||
        !atomic_compare_exchange_strong(&last_expiry_check, &last, now))
        return;
    int64_t found = 0;
    if (db_query_int(db, "SELECT 1 FROM jobs WHERE status = 'running' AND lease_until < ? LIMIT 1",
                     DB_ARGS(DB_INT(now)), &found) != 1)
        return;
    if (db_exec(db,
                "UPDATE jobs SET status = 'queued', started_at = NULL, lease_until = NULL, "
                "claim = NULL, processed = 0, total = 0 "
                "WHERE status = 'running' AND lease_until < ?",
                DB_ARGS(DB_INT(now))) == 0 &&
        db_changes(db) > 0)
        log_warn("jobs: %lld job(s) with an expired lease queued again", (long long)db_changes(db));
}

struct candidate {
    int64_t id, user_id;
    char *kind, *params, *file_path;
};

static void candidate_clear(struct candidate *c)
{
    free(c->kind);
    free(c->params);
    free(c->file_path);
    memset(c, 0, sizeof(*c));
}

/* Switch job id from queued to running under token claim; 1 when this
 * worker got it, 0 when another did, negative on error. */
static int claim_job(struct db *db, int64_t id, int64_t claim)
{
    int64_t now = clock_now();
    int rc =
        db_exec(db,
                "UPDATE jobs SET status = 'running', started_at = ?, lease_until = ?, "
                "claim = ?, processed = 0, total = 0, result = NULL, error = NULL "
                "WHERE id = ? AND status = 'queued'",
                DB_ARGS(DB_INT(now), DB_INT(now + JOBS_LEASE_SECONDS), DB_INT(claim), DB_INT(id)));
    if (rc)
        return rc;
    return db_changes(db) == 1;
}

/* Store the outcome of a finished run (in a transaction of its own: a job
 * function that left one open has it rolled back first). */
static void finish(struct db *db, struct job *job, int rc)
{
    int64_t now = clock_now();
    char *result = NULL;
    const char *kind = job->kind;
    long long id = (long long)job->id;
    int err = db_begin(db);
    if (err) {
        log_error("jobs: job %lld (%s): cannot begin a transaction (did the job leave one "
                  "open?); rolling back and retrying",
                  id, kind);
        db_rollback(db);
        err = db_begin(db);
    }
    if (err)
        goto out;
    if (job->interrupted) {
        err = db_exec(db,
                      "UPDATE jobs SET status = 'queued', started_at = NULL, lease_until = NULL, "
                      "claim = NULL, processed = 0, total = 0 WHERE id = ? AND claim = ?",
                      DB_ARGS(DB_INT(job->id), DB_INT(job->claim)));
    } else if (rc == 0) {
        result = job->result ? json_dumps(job->result, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        err =
            db_exec(db,
                    "UPDATE jobs SET status = 'done', result = ?, processed = ?, total = ?, "
                    "finished_at = ?, lease_until = NULL, error = NULL "
                    "WHERE id = ? AND claim = ?",
                    DB_ARGS(DB_TEXT(result ? result : "{}"), DB_INT(job->processed),
                            DB_INT(job->total), DB_INT(now), DB_INT(job->id), DB_INT(job->claim)));
    } else {
        err = db_exec(db,
                      "UPDATE jobs SET status = 'failed', error = ?, processed = ?, total = ?, "
                      "finished_at = ?, lease_until = NULL WHERE id = ? AND claim = ?",
                      DB_ARGS(DB_TEXT(job->error ? job->error : "internal_error"),
                              DB_INT(job->processed), DB_INT(job->total), DB_INT(now),
                              DB_INT(job->id), DB_INT(job->claim)));
    }
    if (!err && db_changes(db) != 1)
        log_warn("jobs: job %lld (%s) was taken over by another worker; outcome dropped", id, kind);
    err = db_end(db, err);
out:
    if (err)
        log_error("jobs: cannot store the outcome of job %lld (%s)", id, kind);
    else if (job->interrupted)
        log_info("jobs: job %lld (%s) interrupted by shutdown, queued again", id, kind);
    else
        log_info("jobs: job %lld (%s) %s", id, kind, rc == 0 ? "done" : "failed");
    free(result);
}

static void run_job(struct db *db, struct candidate *c, int64_t claim, job_fn fn)
{
    json_error_t jerr;
    json_t *params = c->params ? json_loads(c->params, 0, &jerr) : NULL;
    if (!json_is_object(params)) {
        json_decref(params);
        params = json_object();
    }
    struct job job = {
        .id = c->id,
        .kind = c->kind,
        .user_id = c->user_id,
        .params = params,
        .file_path = c->file_path,
        .db = db,
        .claim = claim,
        .last_write_ms = now_ms(),
    };
    log_info("jobs: job %lld (%s) started", (long long)job.id, job.kind);
    int rc = fn(&job);
    if (job.held_slot)
        job_hold_transaction(&job, false);
    if (!job.lost)
        finish(db, &job, rc < 0 ? rc : 0);
    json_decref(job.result);
    json_decref(params);
    free(job.error);
}

/* Claim and run one job. 1 = ran one, 0 = nothing to do, negative = error. */
static int run_one(struct db *db)
{
    struct candidate batch[BATCH];
    struct db_val args[MAX_KINDS + 1];
    int n = 0, ran = 0;
    requeue_expired(db);
    if (!nkinds)
        return 0;
    for (int i = 0; i < nkinds; i++)
        args[i] = DB_TEXT(kinds[i].name);
    args[nkinds] = DB_INT(BATCH);
    struct db_stmt *st = db_query(db, select_sql, args, nkinds + 1);
    if (!st)
        return -1;
    while (n < BATCH && db_step(st) == 1) {
        struct candidate *c = &batch[n++];
        c->id = db_col_int(st, 0);
        c->kind = xstrdup(db_col_text(st, 1));
        c->user_id = db_col_is_null(st, 2) ? 0 : db_col_int(st, 2);
        c->params = db_col_is_null(st, 3) ? NULL : xstrdup(db_col_text(st, 3));
        c->file_path = db_col_is_null(st, 4) ? NULL : xstrdup(db_col_text(st, 4));
    }
    db_finish(st);
    for (int i = 0; i < n; i++) {
        if (ran || wakeup_stopping(&idle))
            break;
        job_fn fn = find_kind(batch[i].kind);
        int64_t claim = new_claim();
        if (fn && claim_job(db, batch[i].id, claim) == 1) {
            run_job(db, &batch[i], claim, fn);
            ran = 1;
        }
    }
    for (int i = 0; i < n; i++)
        candidate_clear(&batch[i]);
    return ran;
}

static void *worker(void *arg)
{
    (void)arg;
    struct db *db = db_get();
    /* Imports and exports read and write whole tables: the longer limit. */
    db_limit_work(db, DB_WORK_BACKGROUND);
    while (!wakeup_stopping(&idle)) {
        uint64_t seen = wakeup_seen(&idle);
        if (run_one(db) != 1)
            wakeup_wait(&idle, seen, IDLE_WAIT_SECS);
    }
    db_release_thread();
    return NULL;
}

/* Build the candidate query for the registered kinds. */
static char *build_select(void)
{
    size_t cap = 256 + (size_t)nkinds * 3;
    char *sql = xmalloc(cap);
    size_t len = (size_t)snprintf(sql, cap,
                                  "SELECT id, kind, user_id, params, file_path FROM jobs "
                                  "WHERE status = 'queued' AND kind IN (");
    for (int i = 0; i < nkinds; i++)
        len += (size_t)snprintf(sql + len, cap - len, i ? ", ?" : "?");
    snprintf(sql + len, cap - len, ") ORDER BY id LIMIT ?");
    return sql;
}

int jobs_start(unsigned nthreads)
{
    if (nthreads_running)
        return -1;
    if (nthreads == 0)
        nthreads = 1;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    free(select_sql);
    select_sql = nkinds ? build_select() : NULL;
    wakeup_restart(&idle);
    atomic_store(&last_expiry_check, 0);
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&threads[i], NULL, worker, NULL)) {
            log_error("jobs: cannot start worker thread %u", i);
            jobs_stop();
            return -1;
        }
        nthreads_running++;
    }
    log_info("jobs: %u worker(s) started, %d kind(s)", nthreads, nkinds);
    return 0;
}

void jobs_stop(void)
{
    if (!nthreads_running)
        return;
    wakeup_stop(&idle);
    for (unsigned i = 0; i < nthreads_running; i++)
        pthread_join(threads[i], NULL);
    nthreads_running = 0;
    free(select_sql);
    select_sql = NULL;
    log_info("jobs: workers stopped");
}

void jobs_wake(void)
{
    wakeup_wake(&idle);
}

/* Progress of jobs inside one long transaction (job_hold_transaction). */
#define MAX_HELD 8
static struct {
    int64_t id, processed, total;
} held[MAX_HELD];
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

int job_renew_lease(struct job *job)
{
    int rc = db_exec(job->db,
                     "UPDATE jobs SET processed = ?, total = ?, lease_until = ? "
                     "WHERE id = ? AND claim = ? AND status = 'running'",
                     DB_ARGS(DB_INT(job->processed), DB_INT(job->total),
                             DB_INT(clock_now() + JOBS_LEASE_SECONDS), DB_INT(job->id),
                             DB_INT(job->claim)));
    if (!rc && db_changes(job->db) != 1) {
        job->lost = true;
        rc = DB_ERROR;
    }
    return rc;
}

int job_hold_transaction(struct job *job, bool on)
{
    pthread_mutex_lock(&held_lock);
    if (job->held_slot) {
        held[job->held_slot - 1].id = 0;
        job->held_slot = 0;
    }
    for (int i = 0; on && i < MAX_HELD; i++)
        if (held[i].id == 0) {
            held[i].id = job->id;
            held[i].processed = job->processed;
            held[i].total = job->total;
            job->held_slot = i + 1;
            break;
        }
    pthread_mutex_unlock(&held_lock);
    return on ? job_renew_lease(job) : 0;
}

/* The live progress of a held job of this process into *processed /
 * *total; false when the job is not held here. */
static bool held_progress(int64_t id, int64_t *processed, int64_t *total)
{
    bool found = false;
    pthread_mutex_lock(&held_lock);
    for (int i = 0; i < MAX_HELD && !found; i++)
        if (held[i].id == id) {
            *processed = held[i].processed;
            *total = held[i].total;
            found = true;
        }
    pthread_mutex_unlock(&held_lock);
    return found;
}

void job_note_progress(struct job *job, int64_t processed, int64_t total)
{
    job->processed = processed;
    job->total = total;
    if (job->held_slot) {
        pthread_mutex_lock(&held_lock);
        held[job->held_slot - 1].processed = processed;
        held[job->held_slot - 1].total = total;
        pthread_mutex_unlock(&held_lock);
    }
}

bool jobs_stopping(void)
{
    return wakeup_stopping(&idle);
}

bool job_should_stop(struct job *job)
{
    if (job->lost || job->interrupted)
        return true;
    if (wakeup_stopping(&idle)) {
        job->interrupted = true;
        return true;
    }
    return false;
}

bool job_progress(struct job *job, int64_t processed, int64_t total)
{
    job_note_progress(job, processed, total);
    if (job_should_stop(job))
        return false;
    if (job->held_slot)
        return true;
    int64_t t = now_ms();
    if (t - job->last_write_ms < JOBS_PROGRESS_MS)
        return true;
    job->last_write_ms = t;
    int rc =
        db_exec(job->db,
                "UPDATE jobs SET processed = ?, total = ?, lease_until = ? "
                "WHERE id = ? AND claim = ? AND status = 'running'",
                DB_ARGS(DB_INT(processed), DB_INT(total), DB_INT(clock_now() + JOBS_LEASE_SECONDS),
                        DB_INT(job->id), DB_INT(job->claim)));
    if (rc)
        return true; /* busy or transient: the next call tries again */
    if (db_changes(job->db) != 1) {
        log_warn("jobs: job %lld (%s) lost its claim; stopping this run", (long long)job->id,
                 job->kind);
        job->lost = true;
        return false;
    }
    return true;
}

int job_fail(struct job *job, const char *message)
{
    free(job->error);
    job->error = xstrdup(message ? message : "internal_error");
    return -1;
}

/* Set key to the ISO time in column i, or null. */
static void set_time(json_t *o, const char *key, struct db_stmt *st, int i)
{
    if (db_col_is_null(st, i)) {
        json_object_set_new(o, key, json_null());
        return;
    }
    char iso[32];
    clock_format_iso(db_col_int(st, i), iso, sizeof(iso));
    json_object_set_new(o, key, json_string(iso));
}

json_t *jobs_get_json(struct db *db, int64_t id, const char *lang)
{
    json_t *o = NULL;
    struct db_stmt *st;
    if (db_query_row(db, &st,
                     "SELECT id, kind, status, processed, total, result, error, created_at, "
                     "started_at, finished_at, params FROM jobs WHERE id = ?",
                     DB_ARGS(DB_INT(id))) != 1)
        return NULL;
    json_t *result = NULL;
    if (!db_col_is_null(st, 5)) {
        json_error_t jerr;
        result = json_loads(db_col_text(st, 5), JSON_DECODE_ANY, &jerr);
    }
    o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
                  "kind", db_col_text(st, 1), "status", db_col_text(st, 2), "processed",
                  (json_int_t)db_col_int(st, 3), "total", (json_int_t)db_col_int(st, 4), "result",
                  result ? result : json_null(), "error",
                  db_col_is_null(st, 6) ? json_null()
                                        : json_string(lang ? i18n_msg(lang, db_col_text(st, 6))
                                                           : db_col_text(st, 6)));
    if (!o)
        goto out;
    int64_t processed, total;
    if (strcmp(db_col_text(st, 2), "running") == 0 && held_progress(id, &processed, &total)) {
        json_object_set_new(o, "processed", json_integer(processed));
        json_object_set_new(o, "total", json_integer(total));
    }
    set_time(o, "created_at", st, 7);
    set_time(o, "started_at", st, 8);
    set_time(o, "finished_at", st, 9);
    json_t *params = db_col_is_null(st, 10) ? NULL : json_loads(db_col_text(st, 10), 0, NULL);
    json_object_set_new(o, "params", params ? params : json_null());
out:
    db_finish(st);
    return o;
}

int jobs_user_id(struct db *db, int64_t id, int64_t *user_id)
{
    /* A job of nobody (the command line) has user_id NULL: 0. */
    return db_query_int(db, "SELECT COALESCE(user_id, 0) FROM jobs WHERE id = ?",
                        DB_ARGS(DB_INT(id)), user_id);
}
