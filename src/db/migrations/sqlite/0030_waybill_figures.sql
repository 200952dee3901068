-- 0030_waybill_figures: what the waybill bench asked for (issue 16) and
-- the shipped thresholds' change time.
--
-- 1. Two coarser shipping rollups beside waybill_rollups, moved in the
--    same transaction as it: per enterprise × +08:00 day (the 360 page's
--    daily, weekly, monthly and quarterly series and its totals), and per
--    enterprise × +08:00 month × one dimension (product, destination
--    province, channel: the mixes over the whole months of a period). A
--    year of one enterprise's figures then reads ~365 + ~300 rows and the
--    detailed rows of the two partial months at its ends, instead of
--    every detailed row (about 10,000 in the bench).
-- 2. The event table's CHECK on event_type as comparisons joined by OR:
--    SQLite evaluates "IN (list)" in a CHECK by building a temporary
--    table for every statement execution, which cost 3.6 µs of the
--    ingest's ~25 µs per event (the ingest checks the type itself before
--    writing). SQLite cannot change a CHECK, so the table is rebuilt as
--    its documentation says. PostgreSQL (a partitioned table whose IN is
--    cheap) keeps its table: it has its own file (migrations/postgres/).
-- 3. The shipped thresholds of 0022 carried updated_at 0 (shown as
--    1970): they get the time this migration ran.

CREATE TABLE waybill_rollups_day (
    enterprise_id INTEGER NOT NULL,
    day INTEGER NOT NULL,            -- days since 1970-01-01 (+08:00)
    pieces INTEGER NOT NULL,
    weight_g INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, day)
) WITHOUT ROWID;
INSERT INTO waybill_rollups_day (enterprise_id, day, pieces, weight_g, fee_fen)
SELECT enterprise_id, day, SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups
GROUP BY enterprise_id, day;

CREATE TABLE waybill_rollups_month (
    enterprise_id INTEGER NOT NULL,
    month INTEGER NOT NULL,          -- the day number of the month's first day
    dim TEXT NOT NULL CHECK (dim = 'product' OR dim = 'province' OR dim = 'channel'),
    value TEXT NOT NULL,
    pieces INTEGER NOT NULL,
    weight_g INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, month, dim, value)
) WITHOUT ROWID;
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, CAST(strftime('%s', date(day * 86400, 'unixepoch', 'start of month')) AS INTEGER) / 86400,
       'product', product, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, CAST(strftime('%s', date(day * 86400, 'unixepoch', 'start of month')) AS INTEGER) / 86400,
       'province', dest_province, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, CAST(strftime('%s', date(day * 86400, 'unixepoch', 'start of month')) AS INTEGER) / 86400,
       'channel', channel, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;

CREATE TABLE waybill_events_new (
    waybill_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    node_code TEXT NOT NULL,
    event_type TEXT NOT NULL CHECK (event_type = 'collected' OR event_type = 'arrived'
        OR event_type = 'departed' OR event_type = 'delivering' OR event_type = 'signed'
        OR event_type = 'exception' OR event_type = 'returned'),
    node_name TEXT NOT NULL DEFAULT '',
    node_type TEXT NOT NULL,
    description TEXT,
    PRIMARY KEY (waybill_id, at, node_code, event_type)
) WITHOUT ROWID;
INSERT INTO waybill_events_new (waybill_id, at, node_code, event_type, node_name, node_type,
    description)
SELECT waybill_id, at, node_code, event_type, node_name, node_type, description
FROM waybill_events ORDER BY waybill_id, at, node_code, event_type;
DROP TABLE waybill_events;
ALTER TABLE waybill_events_new RENAME TO waybill_events;

UPDATE waybill_thresholds SET updated_at = CAST(strftime('%s', 'now') AS INTEGER)
WHERE updated_at = 0;
