-- 0005_interactions_tasks: business records (业务记录), the figures they keep
-- current on the profile, tasks (待办), reminder rules, notifications and
-- personal calendar feeds.

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    type TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tracking_no TEXT,
    destination TEXT,
    -- money in fen (1/100 yuan): exact, and sums stay integers
    amount_fen INTEGER,
    channel TEXT,
    handled_by INTEGER REFERENCES users(id),
    branch_id INTEGER REFERENCES branches(id),
    -- the customer's branch path: records are scoped like their customer
    branch_path TEXT NOT NULL,
    task_id INTEGER,
    deleted_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);
CREATE INDEX interactions_scope ON interactions(branch_path, occurred_at);
CREATE INDEX interactions_occurred ON interactions(occurred_at, id);
CREATE INDEX interactions_type ON interactions(type, occurred_at);
CREATE INDEX interactions_handler ON interactions(handled_by, occurred_at);
CREATE INDEX interactions_tracking ON interactions(tracking_no);

-- Figures kept current on the profile, usable in filters and lists.
ALTER TABLE customers ADD COLUMN last_visit_at INTEGER;
ALTER TABLE customers ADD COLUMN visits_90d INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN spend_12m_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN top_types TEXT NOT NULL DEFAULT '[]';
-- lunar month-day of the birthday ('08-15'), for lunar birthday reminders
ALTER TABLE customers ADD COLUMN birthday_lunar_md TEXT;
CREATE INDEX customers_last_visit ON customers(last_visit_at);
CREATE INDEX customers_birthday_md ON customers(substr(birthday, 6, 5));
CREATE INDEX customers_lunar_md ON customers(birthday_lunar_md);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    customer_id INTEGER REFERENCES customers(id),
    due_at INTEGER NOT NULL,
    -- NULL: the branch's queue, for anyone of the branch to pick up
    assignee_id INTEGER REFERENCES users(id),
    branch_id INTEGER REFERENCES branches(id),
    branch_path TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'follow_up', 'reminder')),
    -- what created it, unique: a reminder never makes the same task twice
    source_ref TEXT UNIQUE,
    rule_id INTEGER,
    interaction_id INTEGER,
    note TEXT,
    outcome TEXT,
    completed_at INTEGER,
    completed_by INTEGER,
    created_by INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status, due_at);
CREATE INDEX tasks_scope ON tasks(branch_path, status, due_at);
CREATE INDEX tasks_customer ON tasks(customer_id, due_at);

CREATE TABLE reminder_rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('birthday', 'date_offset', 'periodic')),
    filter TEXT NOT NULL DEFAULT '{"and":[]}',
    field TEXT,
    offset_days INTEGER NOT NULL DEFAULT 0,
    rrule TEXT,
    start_date TEXT,
    title_template TEXT NOT NULL,
    assign_to TEXT NOT NULL DEFAULT 'owner' CHECK (assign_to IN ('owner', 'branch')),
    priority TEXT NOT NULL DEFAULT 'normal',
    notify TEXT NOT NULL DEFAULT 'none' CHECK (notify IN ('none', 'email', 'sms')),
    enabled INTEGER NOT NULL DEFAULT 1,
    last_run_date TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    link TEXT,
    read_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);

CREATE TABLE calendar_feeds (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

INSERT INTO dictionaries (code, name, name_en) VALUES
    ('quick_phrase', '业务快捷用语', 'Quick phrases');
-- value: "<business type>:<n>"; the UI offers a type's phrases when it is chosen
INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('quick_phrase', 'parcel:1', '办理包裹寄递，目的地', 'Parcel sent to', 10),
    ('quick_phrase', 'parcel:2', '包裹查询，已告知物流状态', 'Parcel enquiry; status given', 20),
    ('quick_phrase', 'ems:1', '办理EMS特快专递，目的地', 'EMS sent to', 10),
    ('quick_phrase', 'ems:2', 'EMS查询，已告知物流状态', 'EMS enquiry; status given', 20),
    ('quick_phrase', 'international:1', '办理国际寄递，目的国', 'International item to', 10),
    ('quick_phrase', 'remittance:1', '办理汇款，收款人', 'Remittance to', 10),
    ('quick_phrase', 'newspaper:1', '订阅报刊，订期', 'Newspaper subscription, term', 10),
    ('quick_phrase', 'newspaper:2', '续订报刊', 'Subscription renewed', 20),
    ('quick_phrase', 'wealth:1', '咨询理财产品，已介绍', 'Wealth product advice given on', 10),
    ('quick_phrase', 'wealth:2', '购买理财产品，到期日', 'Wealth product bought, matures', 20),
    ('quick_phrase', 'philately:1', '购买集邮产品', 'Philatelic products bought', 10),
    ('quick_phrase', 'philately:2', '预订新邮', 'New stamp issue reserved', 20),
    ('quick_phrase', 'insurance:1', '咨询保险产品', 'Insurance advice', 10),
    ('quick_phrase', 'other:1', '其他业务', 'Other business', 10);

INSERT INTO reminder_rules (name, kind, filter, offset_days, title_template, assign_to,
                            created_at, updated_at) VALUES
    ('生日祝福', 'birthday', '{"and":[]}', 3, '{name} 生日祝福（{date}）', 'owner', 0, 0);
INSERT INTO reminder_rules (name, kind, filter, field, offset_days, title_template, assign_to,
                            enabled, created_at, updated_at) VALUES
    ('协议续约洽谈', 'date_offset', '{"and":[]}', 'custom.agreement_end', 30,
     '{name} 协议将于 {date} 到期，续约洽谈', 'owner', 0, 0, 0),
    ('理财产品到期提醒', 'date_offset', '{"and":[]}', 'custom.product_maturity', 7,
     '{name} 理财产品 {date} 到期，再投资建议', 'owner', 0, 0, 0);
INSERT INTO reminder_rules (name, kind, filter, rrule, start_date, title_template, assign_to,
                            created_at, updated_at) VALUES
    ('高价值客户季度回访', 'periodic',
     '{"field":"tags","op":"has","value":"高价值客户"}', 'FREQ=MONTHLY;INTERVAL=3',
     '2026-01-05', '{name} 季度回访', 'owner', 0, 0);
