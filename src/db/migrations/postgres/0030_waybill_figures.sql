-- 0030_waybill_figures (PostgreSQL): as the SQLite migration of the same
-- name, less the rebuild of the event table (partitioned here, and its
-- CHECK costs nothing worth a rebuild).
CREATE TABLE waybill_rollups_day (
    enterprise_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    pieces BIGINT NOT NULL,
    weight_g BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, day)
);
INSERT INTO waybill_rollups_day (enterprise_id, day, pieces, weight_g, fee_fen)
SELECT enterprise_id, day, SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups
GROUP BY enterprise_id, day;

CREATE TABLE waybill_rollups_month (
    enterprise_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    dim TEXT NOT NULL CHECK (dim IN ('product', 'province', 'channel')),
    value TEXT NOT NULL,
    pieces BIGINT NOT NULL,
    weight_g BIGINT NOT NULL,
    fee_fen BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, month, dim, value)
);
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, date_trunc('month', date '1970-01-01' + day::int)::date - date '1970-01-01',
       'product', product, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, date_trunc('month', date '1970-01-01' + day::int)::date - date '1970-01-01',
       'province', dest_province, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;
INSERT INTO waybill_rollups_month (enterprise_id, month, dim, value, pieces, weight_g, fee_fen)
SELECT enterprise_id, date_trunc('month', date '1970-01-01' + day::int)::date - date '1970-01-01',
       'channel', channel, SUM(pieces), SUM(weight_g), SUM(fee_fen)
FROM waybill_rollups GROUP BY 1, 2, 4;

UPDATE waybill_thresholds SET updated_at = extract(epoch FROM now())::bigint WHERE updated_at = 0;
