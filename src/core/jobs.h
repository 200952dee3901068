/*
 * jobs.h - background jobs for long tasks (imports, exports, later
 * statements and reports): rows in the jobs table, run by a pool of worker
 * threads, with progress the UI polls.
 *
 * Life of a job: jobs_enqueue writes it 'queued' (in the caller's
 * transaction if one is open); a worker claims it ('running', with a lease),
 * calls the function registered for its kind, and stores 'done' with the
 * result JSON or 'failed' with an error. Several processes may share one
 * database: a claim is a conditional UPDATE that only one of them wins, and
 * a job whose lease ran out (its process died) is queued again by any
 * worker.
 *
 * Job functions MUST BE RESTARTABLE: a job interrupted by shutdown, or
 * whose process died, runs again from the start (on the next jobs_start or
 * in another process). Write outputs so that a second run replaces the
 * first (truncate the output file, key imported rows so they are not
 * created twice, or do the work in one transaction).
 */
#ifndef HY_JOBS_H
#define HY_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct db;

/* Seconds a claim lasts; job_progress renews it. A job that does not call
 * job_progress for this long is presumed dead and may be run again. */
#define JOBS_LEASE_SECONDS 300
/* job_progress writes to the database at most this often. */
#define JOBS_PROGRESS_MS 250

struct job {
    int64_t id;
    const char *kind;
    int64_t user_id;       /* 0 when the job has no user */
    json_t *params;        /* borrowed; an empty object when none was given */
    const char *file_path; /* NULL when none */
    /* The function may set this (the job takes the reference); it is stored
     * as the job's result when the function answers 0. */
    json_t *result;
    /* The worker thread's connection, free for the function to use. */
    struct db *db;

    /* private to jobs.c */
    char *error;
    int64_t claim;
    int64_t processed, total;
    int64_t last_write_ms;
    bool interrupted, lost;
    int held_slot; /* job_hold_transaction: index into the live table + 1 */
};

/*
 * A job function: 0 = done (job->result stored, NULL meaning {}), negative
 * = failed (with the message given to job_fail, else "internal_error").
 * Once job_progress has answered false the function should return at once;
 * whatever it answers then, the job is queued again (shutdown) or left to
 * whoever took it over (lost lease).
 */
typedef int (*job_fn)(struct job *job);

/* Register fn for kind, at start-up before jobs_start (not thread-safe).
 * kind must outlive the pool (a string literal). At most 32 kinds. */
void jobs_register(const char *kind, job_fn fn);

/*
 * Queue a job; params is borrowed (NULL: {}), file_path may be NULL, *id
 * gets the new job's id (id may be NULL). Inside an open transaction the
 * job becomes visible, and the workers are woken, when it commits.
 * 0 or a negative DB_E*.
 */
int jobs_enqueue(struct db *db, const char *kind, int64_t user_id, json_t *params,
                 const char *file_path, int64_t *id);

/*
 * Start nthreads worker threads (0 means 1). Workers poll about once a
 * second (to see jobs queued by other processes and expired leases) and at
 * once after jobs_wake. 0 on success, -1 when already started or a thread
 * could not be created.
 */
int jobs_start(unsigned nthreads);

/*
 * Ask running jobs to stop at their next job_progress and wait for every
 * worker to exit. Jobs interrupted this way are queued again. Safe to call
 * when not started.
 */
void jobs_stop(void);

/* Make an idle worker look for work now (db_on_commit hook). */
void jobs_wake(void);

/*
 * Report progress (processed of total, in any unit the UI can show as a
 * fraction; total 0 when unknown). Written to the database at most every
 * JOBS_PROGRESS_MS, which also renews the lease, so call it often (say every
 * row or every 100 rows); call it between transactions, since inside one
 * the write only shows at commit. Answers false when the job must stop
 * (shutdown, or the lease was lost to another worker).
 */
bool job_progress(struct job *job, int64_t processed, int64_t total);
/* Whether the job must stop now (shutdown, or its lease lost), without
 * writing anything: cheap enough for every row, so that a server asked to
 * stop is not held by a batch (a row on PostgreSQL can take milliseconds).
 * Marks the job interrupted like job_progress. Call it from the job's own
 * thread only. */
bool job_should_stop(struct job *job);
/* Whether the workers are being stopped; safe from any thread. */
bool jobs_stopping(void);

/*
 * For a job about to do its work in ONE long transaction (a bulk import):
 * on = renew the lease now (it must finish within JOBS_LEASE_SECONDS) and
 * keep later job_progress reports in this process's memory, where
 * jobs_get_json finds them, because a write inside the transaction would
 * not show until the commit. off = back to writing progress. Only for
 * backends with one process per database (SQLite). 0, or negative when
 * the lease could not be renewed (the job must stop).
 */
int job_hold_transaction(struct job *job, bool on);
/* Progress of a held job without asking whether to stop: for the last
 * steps of its transaction, which run to the commit either way (a stop
 * noticed there would queue the job again after its work was committed). */
void job_note_progress(struct job *job, int64_t processed, int64_t total);
/* Renew the lease inside the job's open transaction, so that it shows
 * together with the work at the commit. 0 or negative DB_E*. */
int job_renew_lease(struct job *job);

/* Record why the job failed (an i18n message key or plain text) and answer
 * -1, for `return job_fail(job, "import.file_missing");`. */
int job_fail(struct job *job, const char *message);

/*
 * The job as the API shows it: {"id","kind","status","processed","total",
 * "result","error","created_at","started_at","finished_at"} with times as
 * ISO 8601 (+08:00) or null, result parsed JSON or null. NULL when there is
 * no such job or on a database error. lang: the error (an i18n message key
 * as given to job_fail) in that language; NULL leaves it as stored. The
 * caller checks ownership (see jobs_user_id) and owns the answer.
 */
json_t *jobs_get_json(struct db *db, int64_t id, const char *lang);

/* The job's user_id into *user_id (0 when none): 1 = found, 0 = no such
 * job, negative on error. For "may this user see this job?" checks. */
int jobs_user_id(struct db *db, int64_t id, int64_t *user_id);

#endif
