-- 0003_jobs: background jobs (imports, exports, later statements and
-- reports) run by worker threads, with progress the UI polls.
-- A worker claims a queued job by switching it to 'running' with a lease;
-- a job whose lease ran out (its process died) is queued again by any
-- worker. Each claim also writes a random claim token; the claiming
-- worker's progress and final writes match on it, so a worker whose job
-- was taken over (lease expired while it was stuck) cannot overwrite the
-- new run, and a progress write rolled back with the job's own transaction
-- does not make the worker think it lost the job.
-- Times are Unix seconds.

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    user_id INTEGER,
    params TEXT,            -- JSON object given at enqueue
    result TEXT,            -- JSON the job function produced
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    error TEXT,             -- message key or text when failed
    file_path TEXT,         -- input (import) or output (export) file
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    lease_until INTEGER,
    claim INTEGER           -- token of the current claim (see above)
);
CREATE INDEX jobs_status ON jobs(status, id);
CREATE INDEX jobs_user ON jobs(user_id, id);
