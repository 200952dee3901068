-- 0022_waybills: waybills of the VIP enterprises with their tracking
-- events (fed by other systems through the NDJSON batch endpoints), the
-- shipping rollups the 360 page reads, stuck-shipment thresholds and
-- alerts, and API keys that act with scopes rather than as a person
-- (docs/waybills-api.md).

-- API keys: an integration's key holds only its scopes; the first
-- characters of the key are kept to tell keys apart in the list.
ALTER TABLE api_keys ADD COLUMN prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;

CREATE TABLE waybills (
    id INTEGER PRIMARY KEY,
    waybill_no TEXT NOT NULL UNIQUE,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    department_id INTEGER REFERENCES enterprise_departments(id),
    product TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL,
    -- the first part of destination: the rollups' dimension
    dest_province TEXT NOT NULL,
    weight_g INTEGER NOT NULL,
    volume_weight_g INTEGER,
    declared_fen INTEGER,
    cod_fen INTEGER,
    fee_fen INTEGER NOT NULL DEFAULT 0,
    collected_at INTEGER NOT NULL,
    promised_at INTEGER,
    status TEXT NOT NULL DEFAULT 'collected' CHECK (status IN
        ('collected', 'in_transit', 'delivering', 'signed', 'exception', 'returned')),
    signed_at INTEGER,
    -- personal data: masked in every answer, erased by the retention pass
    recipient_name TEXT,
    recipient_phone TEXT,
    recipient_address TEXT,
    recipient_erased_at INTEGER,
    -- the newest event: the current stop
    last_event_at INTEGER,
    last_event_type TEXT,
    last_node_code TEXT,
    last_node_name TEXT,
    last_node_type TEXT,
    -- how many times the waybill moved to a newer event: one alert per stop
    stop_seq INTEGER NOT NULL DEFAULT 0,
    -- when the current stop's threshold runs out; the promise warning's
    -- time; the earlier of the two still pending (the pass reads this one)
    stop_due_at INTEGER,
    promise_due_at INTEGER,
    due_at INTEGER,
    open_alert_id INTEGER,
    -- BLAKE2b of the line as last ingested: a replayed line changes nothing
    content_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX waybills_enterprise ON waybills(enterprise_id, collected_at);
CREATE INDEX waybills_collected ON waybills(collected_at);
CREATE INDEX waybills_due ON waybills(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX waybills_recipient_phone ON waybills(recipient_phone) WHERE recipient_phone IS NOT NULL;

-- One row an event; the key is what makes a replayed event the same one.
CREATE TABLE waybill_events (
    waybill_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    node_code TEXT NOT NULL,
    event_type TEXT NOT NULL CHECK (event_type IN
        ('collected', 'arrived', 'departed', 'delivering', 'signed', 'exception', 'returned')),
    node_name TEXT NOT NULL DEFAULT '',
    node_type TEXT NOT NULL,
    description TEXT,
    PRIMARY KEY (waybill_id, at, node_code, event_type)
) WITHOUT ROWID;

-- Pieces, weight and fee per enterprise × department × +08:00 day ×
-- product × destination province × channel, moved in the transaction of
-- the waybill that counts in them (never recounted at read time).
CREATE TABLE waybill_rollups (
    enterprise_id INTEGER NOT NULL,
    day INTEGER NOT NULL,            -- days since 1970-01-01 (+08:00)
    department_id INTEGER NOT NULL,  -- 0: none
    product TEXT NOT NULL,
    dest_province TEXT NOT NULL,
    channel TEXT NOT NULL,
    pieces INTEGER NOT NULL,
    weight_g INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, day, department_id, product, dest_province, channel)
) WITHOUT ROWID;

-- Today's +08:00 day number, kept by the alert pass: the enterprise list's
-- figure filters ("spend in the last 90 days") count back from it in SQL
-- that is the same on both backends and follows the test clock.
CREATE TABLE shipping_today (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    day INTEGER NOT NULL
);
INSERT INTO shipping_today (id, day) VALUES (1, 0);

-- How long a waybill may stay at one stop: product × node type ('*' any,
-- 'promise' = warn that many minutes before the promised time) × VIP tier
-- ('' any).
CREATE TABLE waybill_thresholds (
    id INTEGER PRIMARY KEY,
    product TEXT NOT NULL,
    node_type TEXT NOT NULL,
    tier TEXT NOT NULL DEFAULT '',
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (product, node_type, tier)
);
INSERT INTO waybill_thresholds (product, node_type, tier, minutes) VALUES
    ('medical', 'processing', '', 120),
    ('medical', '*', '', 240),
    ('cold_chain', '*', '', 240),
    ('standard', '*', '', 720),
    ('economy', '*', '', 1440),
    ('heavy', '*', '', 1440),
    ('international', '*', '', 2880),
    ('*', 'promise', '', 120);

-- One alert per waybill and stop (stop_seq; -1 for the promise warning):
-- the unique key is what keeps restarts and a second server from
-- raising it twice.
CREATE TABLE waybill_alerts (
    id INTEGER PRIMARY KEY,
    waybill_id INTEGER NOT NULL REFERENCES waybills(id),
    stop_seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('stalled', 'promise')),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    manager_id INTEGER REFERENCES users(id),
    task_id INTEGER,
    event_type TEXT,
    node_code TEXT,
    node_name TEXT,
    node_type TEXT,
    since INTEGER NOT NULL,
    threshold_minutes INTEGER,
    raised_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at INTEGER,
    close_note TEXT,
    told_note TEXT,
    told_at INTEGER,
    told_by INTEGER REFERENCES users(id),
    UNIQUE (waybill_id, stop_seq)
);
CREATE INDEX waybill_alerts_enterprise ON waybill_alerts(enterprise_id, id);
CREATE INDEX waybill_alerts_open ON waybill_alerts(status, id);

INSERT INTO dictionaries (code, name, name_en) VALUES
    ('waybill_product', '寄递产品', 'Shipping products'),
    ('waybill_node_type', '网点类型', 'Node types');
INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('waybill_product', 'standard', '标准快递', 'Standard express', 10),
    ('waybill_product', 'economy', '特惠', 'Economy', 20),
    ('waybill_product', 'heavy', '重货', 'Heavy freight', 30),
    ('waybill_product', 'cold_chain', '冷链', 'Cold chain', 40),
    ('waybill_product', 'medical', '医药', 'Medical', 50),
    ('waybill_product', 'international', '国际', 'International', 60),
    ('waybill_node_type', 'outlet', '网点', 'Outlet', 10),
    ('waybill_node_type', 'processing', '处理中心', 'Processing centre', 20),
    ('waybill_node_type', 'transit', '转运中心', 'Transit hub', 30),
    ('waybill_node_type', 'delivery', '派送段', 'Delivery leg', 40);
