-- 0002_customers: individual customers, tags, custom fields, segments and
-- field-level change history. Tags, custom fields, segments and history are
-- keyed by entity so enterprises reuse them.

-- Counters that only ever grow (customer numbers are never reused).
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    customer_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_pinyin TEXT NOT NULL DEFAULT '',
    name_initials TEXT NOT NULL DEFAULT '',
    gender TEXT CHECK (gender IN ('male', 'female')),
    phone TEXT NOT NULL,
    phone_last4 TEXT NOT NULL,
    id_number TEXT,
    birthday TEXT,
    birthday_lunar INTEGER NOT NULL DEFAULT 0,
    address TEXT,
    region TEXT,
    occupation TEXT,
    interests TEXT NOT NULL DEFAULT '[]',
    family_members TEXT NOT NULL DEFAULT '[]',
    business_prefs TEXT NOT NULL DEFAULT '[]',
    service_level TEXT,
    level TEXT,
    owner_id INTEGER REFERENCES users(id),
    branch_id INTEGER NOT NULL REFERENCES branches(id),
    -- copy of the branch's path: scoping is a range on this column
    branch_path TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    deleted_at INTEGER,
    erased_at INTEGER,
    merged_into INTEGER REFERENCES customers(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX customers_phone ON customers(phone);
CREATE INDEX customers_phone_last4 ON customers(phone_last4);
CREATE INDEX customers_id_number ON customers(id_number);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_initials ON customers(name_initials);
CREATE INDEX customers_pinyin ON customers(name_pinyin);
CREATE INDEX customers_scope ON customers(branch_path, updated_at);
CREATE INDEX customers_updated ON customers(updated_at, id);
CREATE INDEX customers_created ON customers(created_at, id);
CREATE INDEX customers_owner ON customers(owner_id);
CREATE INDEX customers_level ON customers(level);
CREATE INDEX customers_region ON customers(region);

-- Every two-character piece of every name: "any 2 characters of the name"
-- is one index lookup instead of a scan.
CREATE TABLE customer_name_grams (
    gram TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (gram, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_name_grams_customer ON customer_name_grams(customer_id);

CREATE TABLE tag_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    color TEXT NOT NULL DEFAULT '#909399',
    sort INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    group_id INTEGER REFERENCES tag_groups(id),
    name TEXT NOT NULL UNIQUE,
    color TEXT NOT NULL DEFAULT '#909399',
    sort INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE object_tags (
    entity TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (entity, object_id, tag_id)
);
CREATE INDEX object_tags_tag ON object_tags(tag_id, entity, object_id);

CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    required INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '[]',
    help TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    retired INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (entity, key)
);

CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    filter TEXT NOT NULL DEFAULT '{"and":[]}',
    q TEXT NOT NULL DEFAULT '',
    shared INTEGER NOT NULL DEFAULT 0,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    branch_id INTEGER REFERENCES branches(id),
    branch_path TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX segments_owner ON segments(owner_id);

CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    user_id INTEGER,
    login TEXT,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX change_log_object ON change_log(entity, object_id, id);

INSERT INTO tag_groups (id, name, color, sort) VALUES
    (1, '价值分层', '#F56C6C', 10),
    (2, '业务偏好', '#E6A23C', 20),
    (3, '服务需求', '#409EFF', 30);
INSERT INTO tags (group_id, name, color, sort) VALUES
    (1, '高价值客户', '#F56C6C', 10),
    (1, '潜力客户', '#F89898', 20),
    (1, '普通客户', '#909399', 30),
    (2, '集邮爱好者', '#E6A23C', 10),
    (2, '理财需求', '#D4A017', 20),
    (2, '国际寄递', '#B88230', 30),
    (2, '电商卖家', '#CF9236', 40),
    (3, '需重点跟进', '#409EFF', 10),
    (3, '投诉历史', '#79BBFF', 20),
    (3, '生日关怀', '#337ECC', 30);
