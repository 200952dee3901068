-- 0031_dashboard_index: the dashboards of 统计分析 sum the waybill rollups
-- of every visible enterprise over a period; the primary key leads with
-- the enterprise, so a period of all enterprises would read the whole
-- table. This index walks the rollups by day with the figures in it, so
-- a period is one range of it and no table row is read.
CREATE INDEX waybill_rollups_by_day ON waybill_rollups(day, enterprise_id, product, pieces, fee_fen);
