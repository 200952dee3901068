-- PostgreSQL after 0022_waybills: the event table is partitioned by month
-- (declarative range partitioning on the event time, months of +08:00),
-- so that the retention pass drops a whole old month instead of deleting
-- its rows one by one (logistics/waybill_retention.c). Months from 2024
-- to 2028 exist from the start; the scheduler adds the coming months, and
-- the default partition takes whatever falls outside them.
DROP TABLE waybill_events;
CREATE TABLE waybill_events (
    waybill_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    node_code TEXT NOT NULL,
    event_type TEXT NOT NULL CHECK (event_type IN
        ('collected', 'arrived', 'departed', 'delivering', 'signed', 'exception', 'returned')),
    node_name TEXT NOT NULL DEFAULT '',
    node_type TEXT NOT NULL,
    description TEXT,
    PRIMARY KEY (waybill_id, at, node_code, event_type)
) PARTITION BY RANGE (at);
CREATE TABLE waybill_events_default PARTITION OF waybill_events DEFAULT;
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT generate_series(date '2024-01-01', date '2028-12-01', interval '1 month')::date LOOP
        EXECUTE format('CREATE TABLE waybill_events_%s PARTITION OF waybill_events '
                       'FOR VALUES FROM (%s) TO (%s)', to_char(m, 'YYYYMM'),
                       extract(epoch FROM m::timestamp)::bigint - 28800,
                       extract(epoch FROM (m + interval '1 month')::timestamp)::bigint - 28800);
    END LOOP;
END $$;
