-- 0041_reports: the report builder (报表引擎, issue 19; report/builder.c,
-- report/saved.c).
--
-- saved_reports: a report definition (the JSON the builder compiles:
--   source, dimensions, measures, filter, sort, limit, chart) kept with a
--   name and its owner; schedule ('' none, 'weekly', 'monthly') mails it
--   to recipients (a JSON array of staff e-mails) once per period.
-- report_dashboards: a custom dashboard; layout is a JSON array of its
--   widgets {i, report_id, x, y, w, h} (grid units), read and written
--   whole by the grid editor.
-- report_shares: who besides the owner (and admins) sees a report or a
--   dashboard: a role, or a branch (with its path: a share with a branch
--   reaches everyone working in it or below it).
CREATE TABLE saved_reports (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    schedule TEXT NOT NULL DEFAULT '' CHECK (schedule IN ('', 'weekly', 'monthly')),
    recipients TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX saved_reports_owner ON saved_reports(owner_id);

CREATE TABLE report_dashboards (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    layout TEXT NOT NULL DEFAULT '[]',
    owner_id INTEGER NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX report_dashboards_owner ON report_dashboards(owner_id);

CREATE TABLE report_shares (
    kind TEXT NOT NULL CHECK (kind IN ('report', 'dashboard')),
    object_id INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    branch_id INTEGER NOT NULL DEFAULT 0,
    branch_path TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, object_id, role, branch_id)
);
