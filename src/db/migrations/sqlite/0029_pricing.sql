-- 0029_pricing: the list-price table (价目表) in versions by effective date,
-- and the contract price rules (合同价) of the enterprises (docs/billing.md).
-- Money is integer fen, weights integer grams, rates integer basis points
-- (1/10000: 3‰ = 30, 92 % = 9200): nothing in pricing is a float.

-- A version of the price list is in force from effective_at (00:00 +08:00
-- of effective_on) until the next version's; one that is in force or was
-- is never edited again (a new version is made instead).
CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    effective_on TEXT NOT NULL UNIQUE,
    effective_at INTEGER NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    -- surcharges: 保价 (declared value × rate, at least the minimum) and
    -- 代收货款 (COD amount × rate, at least the minimum)
    insured_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (insured_rate_bp >= 0),
    insured_min_fen INTEGER NOT NULL DEFAULT 0 CHECK (insured_min_fen >= 0),
    cod_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (cod_rate_bp >= 0),
    cod_min_fen INTEGER NOT NULL DEFAULT 0 CHECK (cod_min_fen >= 0),
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Per product: how volume weight counts (0: the volume weight the feed
-- gives; N: length × width × height in cm³ / N when the dimensions are
-- given, else the fed one).
CREATE TABLE price_list_products (
    list_id INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product TEXT NOT NULL,
    volume_divisor INTEGER NOT NULL DEFAULT 0 CHECK (volume_divisor >= 0),
    PRIMARY KEY (list_id, product)
);

-- Per product × zone: first weight and its price, the additional weight
-- per step and its price, the minimum charge.
CREATE TABLE price_list_rates (
    list_id INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product TEXT NOT NULL,
    zone TEXT NOT NULL,
    first_g INTEGER NOT NULL CHECK (first_g > 0),
    first_fen INTEGER NOT NULL CHECK (first_fen >= 0),
    step_g INTEGER NOT NULL CHECK (step_g > 0),
    step_fen INTEGER NOT NULL CHECK (step_fen >= 0),
    min_fen INTEGER NOT NULL DEFAULT 0 CHECK (min_fen >= 0),
    PRIMARY KEY (list_id, product, zone)
);

-- Origin province → destination province → zone (same city is 同城
-- whatever this says).
CREATE TABLE price_list_zones (
    list_id INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    dest TEXT NOT NULL,
    zone TEXT NOT NULL,
    PRIMARY KEY (list_id, origin, dest)
);

-- Remote-area surcharge per piece by destination province ('' city: the
-- whole province) or city (the city's row wins).
CREATE TABLE price_list_remote (
    list_id INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    province TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    fen INTEGER NOT NULL CHECK (fen >= 0),
    PRIMARY KEY (list_id, province, city)
);

-- Contract rules of an enterprise (department_id NULL) or of one of its
-- departments, valid from valid_from to valid_to (dates, both included;
-- valid_to NULL: open). kind: discount (percent_bp of the list freight,
-- by product or '' all), tier (percent_bp once the month's pieces or
-- spend reach threshold), fixed (a zone's freight replaced: per piece
-- fixed_fen, or first_g/first_fen/step_g/step_fen), waive (service
-- 'insured' or 'cod' free of charge).
CREATE TABLE price_rules (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    department_id INTEGER REFERENCES enterprise_departments(id),
    kind TEXT NOT NULL CHECK (kind IN ('discount', 'tier', 'fixed', 'waive')),
    product TEXT NOT NULL DEFAULT '',
    zone TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL DEFAULT '',
    basis TEXT NOT NULL DEFAULT '',
    threshold INTEGER NOT NULL DEFAULT 0,
    percent_bp INTEGER NOT NULL DEFAULT 10000,
    fixed_mode TEXT NOT NULL DEFAULT '',
    fixed_fen INTEGER NOT NULL DEFAULT 0,
    first_g INTEGER NOT NULL DEFAULT 0,
    first_fen INTEGER NOT NULL DEFAULT 0,
    step_g INTEGER NOT NULL DEFAULT 0,
    step_fen INTEGER NOT NULL DEFAULT 0,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    -- [from_at, to_at) in Unix seconds at +08:00; to_at NULL: open
    from_at INTEGER NOT NULL,
    to_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX price_rules_enterprise ON price_rules(enterprise_id, kind);

-- The default list, in force since 2020: the seven regions of the
-- mainland give the zones (same province 省内; same region 一区; then one
-- zone more per region further away, up to 五区; Tibet and Xinjiang from
-- elsewhere 偏远). Prices are the demo's, not a real tariff.
INSERT INTO price_lists (id, name, effective_on, effective_at, note, insured_rate_bp,
    insured_min_fen, cod_rate_bp, cod_min_fen, created_at, updated_at)
VALUES (1, '默认价目表', '2020-01-01', 1577808000, '', 30, 100, 10, 300, 1577808000, 1577808000);

WITH p(name, region) AS (VALUES
    ('北京市', 'N'), ('天津市', 'N'), ('河北省', 'N'), ('山西省', 'N'), ('内蒙古自治区', 'N'),
    ('辽宁省', 'NE'), ('吉林省', 'NE'), ('黑龙江省', 'NE'),
    ('上海市', 'E'), ('江苏省', 'E'), ('浙江省', 'E'), ('安徽省', 'E'), ('福建省', 'E'),
    ('江西省', 'E'), ('山东省', 'E'),
    ('河南省', 'C'), ('湖北省', 'C'), ('湖南省', 'C'),
    ('广东省', 'S'), ('广西壮族自治区', 'S'), ('海南省', 'S'),
    ('重庆市', 'SW'), ('四川省', 'SW'), ('贵州省', 'SW'), ('云南省', 'SW'), ('西藏自治区', 'SW'),
    ('陕西省', 'NW'), ('甘肃省', 'NW'), ('青海省', 'NW'), ('宁夏回族自治区', 'NW'),
    ('新疆维吾尔自治区', 'NW')),
d(a, b, n) AS (VALUES
    ('N', 'N', 1), ('N', 'NE', 2), ('N', 'E', 2), ('N', 'C', 2), ('N', 'S', 4), ('N', 'SW', 4),
    ('N', 'NW', 3), ('NE', 'NE', 1), ('NE', 'E', 3), ('NE', 'C', 3), ('NE', 'S', 5),
    ('NE', 'SW', 5), ('NE', 'NW', 4), ('E', 'E', 1), ('E', 'C', 2), ('E', 'S', 3), ('E', 'SW', 4),
    ('E', 'NW', 4), ('C', 'C', 1), ('C', 'S', 2), ('C', 'SW', 3), ('C', 'NW', 3), ('S', 'S', 1),
    ('S', 'SW', 3), ('S', 'NW', 5), ('SW', 'SW', 1), ('SW', 'NW', 3), ('NW', 'NW', 1))
INSERT INTO price_list_zones (list_id, origin, dest, zone)
SELECT 1, o.name, t.name,
       CASE WHEN o.name = t.name THEN 'intra'
            WHEN t.name IN ('西藏自治区', '新疆维吾尔自治区') THEN 'remote'
            ELSE 'z' || CAST(d.n AS TEXT) END
FROM p o CROSS JOIN p t
JOIN d ON (d.a = o.region AND d.b = t.region) OR (d.b = o.region AND d.a = t.region);

INSERT INTO price_list_products (list_id, product, volume_divisor) VALUES
    (1, 'standard', 6000), (1, 'economy', 6000), (1, 'heavy', 0), (1, 'cold_chain', 6000),
    (1, 'medical', 6000), (1, 'international', 5000);

-- Per product a base (first kg, per extra kg, minimum) grown by zone.
WITH b(product, first_fen, step_fen, first_g, step_g, min_fen) AS (VALUES
    ('standard', 1000, 200, 1000, 1000, 800), ('economy', 800, 150, 1000, 1000, 600),
    ('heavy', 3000, 100, 10000, 1000, 3000), ('cold_chain', 2500, 500, 1000, 1000, 2500),
    ('medical', 2000, 400, 1000, 1000, 2000), ('international', 9000, 3000, 500, 500, 9000)),
z(zone, k) AS (VALUES ('local', 80), ('intra', 100), ('z1', 120), ('z2', 140), ('z3', 160),
    ('z4', 180), ('z5', 200), ('remote', 250))
INSERT INTO price_list_rates (list_id, product, zone, first_g, first_fen, step_g, step_fen,
    min_fen)
SELECT 1, b.product, z.zone, b.first_g, b.first_fen * z.k / 100, b.step_g, b.step_fen * z.k / 100,
       b.min_fen
FROM b CROSS JOIN z;

INSERT INTO price_list_remote (list_id, province, city, fen) VALUES
    (1, '西藏自治区', '', 1000), (1, '新疆维吾尔自治区', '', 800), (1, '青海省', '', 500),
    (1, '内蒙古自治区', '呼伦贝尔市', 300);
