-- 0042_service_dashboard_index: the tickets behind a row of the 服务效率
-- leaderboard (report/service.c: one manager's, the unassigned, or one
-- branch's, logged in a period, newest first) by key: without these a
-- page of them scanned every ticket (1.7 s p50 at a million tickets,
-- bench/results-2026-12-04-dashboards-3.md). tickets_assignee leads with
-- the status and tickets_queue holds only the unassigned, so neither
-- serves a period.
CREATE INDEX tickets_assignee_created ON tickets(assignee_id, created_at);
CREATE INDEX tickets_branch_created ON tickets(branch_id, created_at);
