-- 0044_dashboard_snapshots: the contribution snapshot of the report module
-- (issue 19 at province scale; bench/results-2026-12-04-dashboards-3.md).
-- Contribution summed the rollups of every visible enterprise at each
-- request (cut at 5 s for an admin at 10 M waybills). The pass that makes
-- the health snapshot (and POST /dashboards/refresh) now also sums, for a
-- set of periods, once:
--
-- report_contrib_periods: the periods summed, as day ranges [pfrom, pto]
--   (+08:00 day numbers, both included). kind 0: a whole month; 1: a month
--   cut before its end (the current one at the refresh day, or the first
--   days of a month that a cut period is compared with), read from the
--   detailed rollups' days; 2: several months (a quarter, a year, or a cut
--   comparison period), summed from the month rows of kinds 0 and 1.
-- report_contrib_ents: fee and pieces per period and enterprise (all
--   products), with the enterprise's branch_path, owner_id, branch_id,
--   industry and region as of the refresh (named as in enterprises so that
--   enterprise_visible_sql and the filters scope it the same way): the
--   top ten and the list behind a slice.
-- report_contrib_cells: the same summed per period × branch path ×
--   manager × branch × industry × region × product, with the enterprises
--   counted; product '' is all products (every period), a product's own
--   rows exist for the month rows only (the product lines). An enterprise
--   has one branch, manager, industry and region, so the counts of the
--   cells of a scope add up to its distinct enterprises.
CREATE TABLE report_contrib_periods (
    pfrom INTEGER NOT NULL,
    pto INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY (pfrom, pto)
);

CREATE TABLE report_contrib_ents (
    pfrom INTEGER NOT NULL,
    pto INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL,
    branch_path TEXT NOT NULL,
    owner_id INTEGER,
    branch_id INTEGER,
    industry TEXT NOT NULL,
    region TEXT NOT NULL,
    fee_fen INTEGER NOT NULL,
    pieces INTEGER NOT NULL
);
CREATE INDEX report_contrib_ents_by_fee ON report_contrib_ents(pfrom, pto, fee_fen DESC, enterprise_id);
-- a manager's own (enterprise_visible_sql: owner_id = ?), by fee
CREATE INDEX report_contrib_ents_by_owner ON report_contrib_ents(owner_id, pfrom, pto, fee_fen DESC, enterprise_id);

CREATE TABLE report_contrib_cells (
    pfrom INTEGER NOT NULL,
    pto INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    branch_path TEXT NOT NULL,
    owner_id INTEGER,
    branch_id INTEGER,
    industry TEXT NOT NULL,
    region TEXT NOT NULL,
    product TEXT NOT NULL,
    fee_fen INTEGER NOT NULL,
    pieces INTEGER NOT NULL,
    enterprises INTEGER NOT NULL
);
CREATE INDEX report_contrib_cells_by_period ON report_contrib_cells(pfrom, pto, product);
CREATE INDEX report_contrib_cells_by_product ON report_contrib_cells(product, pfrom);

-- The service snapshot (服务效率): the tickets read once by the same pass
-- (they were read at each request: cut at 5 s at 1 M tickets). Per month
-- of logging (+08:00, year * 12 + month - 1) × the ticket's branch path ×
-- branch × assignee (0: none), the additive tallies of service/ticket_kpi.c;
-- report_service_fr holds the first-response seconds of the same cells as
-- counts per bucket (ticket_kpi_bucket: exact below 8 s, then eight
-- buckets per doubling), from which the p90 of any scope and period is
-- read as the top of the bucket holding it (at most 12.5 % above the
-- exact one). branch_path and assignee_id are named as in tickets so that
-- ticket_visible_sql scopes these rows as it scopes the ticket list.
CREATE TABLE report_service (
    month INTEGER NOT NULL,
    branch_path TEXT NOT NULL,
    branch_id INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    fr_n INTEGER NOT NULL,
    fr_sum INTEGER NOT NULL,
    res_n INTEGER NOT NULL,
    res_sum INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    fcr INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    ever_resolved INTEGER NOT NULL,
    attained INTEGER NOT NULL,
    surveys INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL
);
CREATE INDEX report_service_by_month ON report_service(month);

CREATE TABLE report_service_fr (
    month INTEGER NOT NULL,
    branch_path TEXT NOT NULL,
    branch_id INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX report_service_fr_by_month ON report_service_fr(month);
