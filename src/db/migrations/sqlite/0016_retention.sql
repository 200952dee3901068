-- 0016_retention: per-person rights (PIPL arts. 45, 47, docs/privacy.md).
-- The retention policy (one row), its runs (a dry run, then the run of
-- that dry run), the mark an anonymised profile carries, and an index to
-- find what the audit log says about one record (the access report).

-- When set, retention never takes the profile again.
ALTER TABLE customers ADD COLUMN anonymised_at INTEGER;

CREATE TABLE retention_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- customers with no activity for this many years are affected; 0 = off
    years INTEGER NOT NULL DEFAULT 0 CHECK (years >= 0 AND years <= 100),
    action TEXT NOT NULL DEFAULT 'anonymise' CHECK (action IN ('anonymise', 'purge')),
    -- the scheduler runs the policy once a day (dry run and run as the system)
    daily INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO retention_policy (id) VALUES (1);

-- A dry run fixes the cutoff (activity before it is "none") and the count;
-- the run of it must name both, and works through the same condition.
CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY,
    years INTEGER NOT NULL,
    action TEXT NOT NULL,
    cutoff INTEGER NOT NULL,
    count INTEGER NOT NULL,
    sample TEXT NOT NULL DEFAULT '[]',
    user_id INTEGER,
    created_at INTEGER NOT NULL,
    job_id INTEGER,
    started_at INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER
);

CREATE INDEX audit_log_object ON audit_log(object_type, object_id, id);
