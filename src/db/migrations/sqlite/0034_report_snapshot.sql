-- 0034_report_snapshot: the customer-health snapshot of the report module
-- (issue 19 at province scale). Health is a rule over the 180 days of
-- each enterprise's waybills before a day, counted at twelve points:
-- worked out at request time it read every rollup day of every visible
-- enterprise (5 s and more for an admin at 100,000 enterprises). A
-- periodic pass (and POST /dashboards/refresh) works it out once for all
-- enterprises from waybill_rollups_day and keeps:
--
-- report_health: one row per enterprise that shipped in a window of any
--   point: its status today (0 healthy, 1 churn, 2 dormant, -1 none), the
--   figures its list shows, the list's sort key, and `trend`, its status
--   at each point k (0..11, 11 the refresh day) as 2 bits (status + 1)
--   at bit 2k. branch_path and owner_id are the enterprise's as of the
--   refresh, named as in enterprises so that enterprise_visible_sql
--   scopes these rows as it scopes the enterprise list.
-- report_health_counts: how many enterprises of each (branch_path,
--   owner_id) had each status at each point: what the cards and the
--   trend sum for a scope (a few rows per branch and manager).
-- report_refresh: when the snapshot was made (one row).
CREATE TABLE report_health (
    enterprise_id INTEGER NOT NULL PRIMARY KEY,
    branch_path TEXT NOT NULL,
    owner_id INTEGER,
    status INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    recent INTEGER NOT NULL,
    prior INTEGER NOT NULL,
    sort_key REAL NOT NULL,
    trend INTEGER NOT NULL
);
CREATE INDEX report_health_by_status ON report_health(status, sort_key, enterprise_id);
CREATE INDEX report_health_by_owner ON report_health(owner_id, status, sort_key);

CREATE TABLE report_health_counts (
    branch_path TEXT NOT NULL,
    owner_id INTEGER,
    point INTEGER NOT NULL,
    status INTEGER NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX report_health_counts_by_path ON report_health_counts(branch_path, owner_id);

CREATE TABLE report_refresh (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    as_of_day INTEGER NOT NULL,      -- the day the statuses are of (+08:00)
    refreshed_at INTEGER NOT NULL    -- unix seconds
);
