-- 0001_foundation: organisation, staff, sessions, outbox, audit, dictionaries.
-- Times are Unix seconds (INTEGER); the API formats them as +08:00.

CREATE TABLE branches (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'branch')),
    parent_id INTEGER REFERENCES branches(id),
    -- materialised path '/1/3/7/': "this branch and below" is a prefix match
    path TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX branches_parent ON branches(parent_id);
CREATE INDEX branches_path ON branches(path);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'manager', 'clerk')),
    branch_id INTEGER REFERENCES branches(id),
    phone TEXT,
    email TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    lang TEXT NOT NULL DEFAULT 'zh-CN',
    last_login_at INTEGER,
    password_changed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX users_branch ON users(branch_id);

-- Only a hash of the session token is stored: a copy of the database does
-- not let anyone sign in as the staff.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Failed sign-ins counted per login text, known or not, so that the lockout
-- answer does not reveal which staff numbers exist.
CREATE TABLE login_failures (
    login TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    locked_until INTEGER
);

CREATE TABLE reset_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX reset_codes_user ON reset_codes(user_id, id);

CREATE TABLE rate_events (
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_key ON rate_events(key, at);

-- Every outgoing message is a row written in the transaction that caused it;
-- the scheduler delivers it (see src/core/outbox.c).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE dev_mailbox (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL UNIQUE REFERENCES outbox(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER,
    login TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    ip TEXT,
    request_id TEXT,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE INDEX audit_log_user ON audit_log(user_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE dictionaries (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE dictionary_items (
    id INTEGER PRIMARY KEY,
    dict_code TEXT NOT NULL REFERENCES dictionaries(code),
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (dict_code, value)
);

-- Scheduler idempotency: a job is keyed by (kind, subject, due time), so a
-- restart or a second process never runs it twice.
CREATE TABLE job_runs (
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    done_at INTEGER NOT NULL,
    PRIMARY KEY (kind, subject, due_at)
);

INSERT INTO dictionaries (code, name, name_en) VALUES
    ('business_type', '业务类型', 'Business types'),
    ('customer_level', '客户等级', 'Customer levels'),
    ('service_level', '服务需求等级', 'Service need levels'),
    ('channel', '办理渠道', 'Channels'),
    ('occupation', '职业', 'Occupations'),
    ('region', '所在区域', 'Regions');

INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('business_type', 'parcel', '包裹寄递', 'Parcel', 10),
    ('business_type', 'ems', 'EMS特快专递', 'EMS express', 20),
    ('business_type', 'international', '国际寄递', 'International mail', 30),
    ('business_type', 'remittance', '金融汇款', 'Remittance', 40),
    ('business_type', 'newspaper', '报刊订阅', 'Newspaper subscription', 50),
    ('business_type', 'wealth', '理财咨询', 'Wealth-management advice', 60),
    ('business_type', 'philately', '集邮', 'Philately', 70),
    ('business_type', 'insurance', '保险代理', 'Insurance agency', 80),
    ('business_type', 'other', '其他', 'Other', 90),
    ('customer_level', '高价值', '高价值', 'High value', 10),
    ('customer_level', '潜力', '潜力', 'Potential', 20),
    ('customer_level', '普通', '普通', 'Regular', 30),
    ('service_level', 'A', 'A 重点服务', 'A priority service', 10),
    ('service_level', 'B', 'B 常规服务', 'B regular service', 20),
    ('service_level', 'C', 'C 基础服务', 'C basic service', 30),
    ('channel', 'counter', '柜台', 'Counter', 10),
    ('channel', 'phone', '电话', 'Phone', 20),
    ('channel', 'visit', '上门', 'Visit', 30),
    ('channel', 'online', '线上', 'Online', 40),
    ('occupation', '教师', '教师', 'Teacher', 10),
    ('occupation', '公务员', '公务员', 'Civil servant', 20),
    ('occupation', '企业职员', '企业职员', 'Office worker', 30),
    ('occupation', '个体经营', '个体经营', 'Self-employed', 40),
    ('occupation', '退休', '退休', 'Retired', 50),
    ('occupation', '学生', '学生', 'Student', 60),
    ('occupation', '其他', '其他', 'Other', 90),
    ('region', '广东省/广州市/天河区', '广东省/广州市/天河区', 'Guangdong/Guangzhou/Tianhe', 10),
    ('region', '广东省/广州市/越秀区', '广东省/广州市/越秀区', 'Guangdong/Guangzhou/Yuexiu', 20),
    ('region', '广东省/广州市/海珠区', '广东省/广州市/海珠区', 'Guangdong/Guangzhou/Haizhu', 30),
    ('region', '广东省/深圳市/福田区', '广东省/深圳市/福田区', 'Guangdong/Shenzhen/Futian', 40),
    ('region', '广东省/深圳市/南山区', '广东省/深圳市/南山区', 'Guangdong/Shenzhen/Nanshan', 50);
