-- 0020_enterprises: VIP enterprises (大客户), their contact matrix and
-- departments (多部门独立核算), the dictionaries their forms offer, and the
-- enterprise a business record is about.

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    customer_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_pinyin TEXT NOT NULL DEFAULT '',
    name_initials TEXT NOT NULL DEFAULT '',
    short_name TEXT,
    uscc TEXT,
    -- set when the user kept a USCC whose check character is wrong
    uscc_override_reason TEXT,
    industry TEXT,
    size TEXT,
    address TEXT,
    region TEXT,
    website TEXT,
    tier TEXT,
    status TEXT NOT NULL DEFAULT 'prospect'
        CHECK (status IN ('prospect', 'active', 'dormant', 'lost')),
    acquired_on TEXT,
    owner_id INTEGER REFERENCES users(id),
    supervisor_id INTEGER REFERENCES users(id),
    credit_days INTEGER,
    credit_limit_fen INTEGER,
    billing_day INTEGER CHECK (billing_day BETWEEN 1 AND 28),
    settlement TEXT CHECK (settlement IN ('monthly', 'cash', 'prepaid')),
    order_channels TEXT NOT NULL DEFAULT '[]',
    price_sensitivity TEXT,
    timeliness TEXT,
    value_added TEXT NOT NULL DEFAULT '[]',
    branch_id INTEGER NOT NULL REFERENCES branches(id),
    branch_path TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    deleted_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX enterprises_uscc ON enterprises(uscc);
CREATE INDEX enterprises_initials ON enterprises(name_initials);
CREATE INDEX enterprises_pinyin ON enterprises(name_pinyin);
CREATE INDEX enterprises_scope ON enterprises(branch_path, updated_at);
CREATE INDEX enterprises_updated ON enterprises(updated_at, id);
CREATE INDEX enterprises_owner ON enterprises(owner_id, updated_at);

-- Name fragments of enterprise names, as customer_name_grams holds those
-- of customers (crm/name_grams.c makes the fragments).
CREATE TABLE enterprise_name_grams (
    gram TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL,
    PRIMARY KEY (gram, enterprise_id)
) WITHOUT ROWID;

CREATE TABLE enterprise_departments (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    parent_id INTEGER REFERENCES enterprise_departments(id),
    name TEXT NOT NULL,
    cost_centre TEXT,
    finance_contact_id INTEGER,
    own_billing INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (enterprise_id, cost_centre)
);
CREATE INDEX enterprise_departments_parent ON enterprise_departments(enterprise_id, parent_id);

CREATE TABLE enterprise_contacts (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    name TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    title TEXT,
    department_id INTEGER REFERENCES enterprise_departments(id),
    mobile TEXT,
    mobile_last4 TEXT,
    phone TEXT,
    email TEXT,
    wechat TEXT,
    preferred_channel TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0,
    receives_statements INTEGER NOT NULL DEFAULT 0,
    receives_notices INTEGER NOT NULL DEFAULT 0,
    customer_id INTEGER REFERENCES customers(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX enterprise_contacts_enterprise ON enterprise_contacts(enterprise_id, id);
CREATE INDEX enterprise_contacts_mobile ON enterprise_contacts(mobile);
CREATE INDEX enterprise_contacts_last4 ON enterprise_contacts(mobile_last4);
-- exactly one primary contact an enterprise: at most one by the index, at
-- least one by the operations (the first contact is primary)
CREATE UNIQUE INDEX enterprise_contacts_primary ON enterprise_contacts(enterprise_id)
    WHERE is_primary = 1;

-- A business record (visit, call, meeting) may be about an enterprise.
ALTER TABLE interactions ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX interactions_enterprise ON interactions(enterprise_id, occurred_at)
    WHERE enterprise_id IS NOT NULL;
ALTER TABLE tasks ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX tasks_enterprise ON tasks(enterprise_id, status) WHERE enterprise_id IS NOT NULL;

INSERT INTO dictionaries (code, name, name_en) VALUES
    ('industry', '行业（GB/T 4754 门类）', 'Industries (GB/T 4754 sections)'),
    ('enterprise_size', '企业规模', 'Enterprise sizes'),
    ('vip_tier', '大客户等级', 'VIP tiers'),
    ('order_channel', '下单渠道', 'Order channels'),
    ('price_sensitivity', '价格敏感度', 'Price sensitivity'),
    ('timeliness', '时效偏好', 'Preferred timeliness'),
    ('value_added', '增值服务需求', 'Value-added needs'),
    ('contact_channel', '联系方式偏好', 'Preferred contact channels');

INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('industry', 'A', 'A 农、林、牧、渔业', 'A Agriculture, forestry, animal husbandry and fishery', 10),
    ('industry', 'B', 'B 采矿业', 'B Mining', 20),
    ('industry', 'C', 'C 制造业', 'C Manufacturing', 30),
    ('industry', 'D', 'D 电力、热力、燃气及水生产和供应业', 'D Electricity, heat, gas and water', 40),
    ('industry', 'E', 'E 建筑业', 'E Construction', 50),
    ('industry', 'F', 'F 批发和零售业', 'F Wholesale and retail trade', 60),
    ('industry', 'G', 'G 交通运输、仓储和邮政业', 'G Transport, storage and post', 70),
    ('industry', 'H', 'H 住宿和餐饮业', 'H Accommodation and catering', 80),
    ('industry', 'I', 'I 信息传输、软件和信息技术服务业', 'I Information transmission, software and IT services', 90),
    ('industry', 'J', 'J 金融业', 'J Finance', 100),
    ('industry', 'K', 'K 房地产业', 'K Real estate', 110),
    ('industry', 'L', 'L 租赁和商务服务业', 'L Leasing and business services', 120),
    ('industry', 'M', 'M 科学研究和技术服务业', 'M Scientific research and technical services', 130),
    ('industry', 'N', 'N 水利、环境和公共设施管理业', 'N Water, environment and public facilities', 140),
    ('industry', 'O', 'O 居民服务、修理和其他服务业', 'O Resident, repair and other services', 150),
    ('industry', 'P', 'P 教育', 'P Education', 160),
    ('industry', 'Q', 'Q 卫生和社会工作', 'Q Health and social work', 170),
    ('industry', 'R', 'R 文化、体育和娱乐业', 'R Culture, sports and entertainment', 180),
    ('industry', 'S', 'S 公共管理、社会保障和社会组织', 'S Public administration, social security and organisations', 190),
    ('industry', 'T', 'T 国际组织', 'T International organisations', 200),
    ('enterprise_size', 'large', '大型', 'Large', 10),
    ('enterprise_size', 'medium', '中型', 'Medium', 20),
    ('enterprise_size', 'small', '小型', 'Small', 30),
    ('enterprise_size', 'micro', '微型', 'Micro', 40),
    ('vip_tier', 'strategic', '战略', 'Strategic', 10),
    ('vip_tier', 'key', '重点', 'Key', 20),
    ('vip_tier', 'regular', '普通', 'Regular', 30),
    ('order_channel', 'pc', 'PC 端', 'PC', 10),
    ('order_channel', 'api', 'API 对接', 'API integration', 20),
    ('order_channel', 'miniapp', '小程序', 'Mini program', 30),
    ('order_channel', 'counter', '柜台', 'Counter', 40),
    ('price_sensitivity', 'high', '高', 'High', 10),
    ('price_sensitivity', 'medium', '中', 'Medium', 20),
    ('price_sensitivity', 'low', '低', 'Low', 30),
    ('timeliness', 'same_day', '当日达', 'Same day', 10),
    ('timeliness', 'next_day', '次日达', 'Next day', 20),
    ('timeliness', 'standard', '标准', 'Standard', 30),
    ('timeliness', 'economy', '经济', 'Economy', 40),
    ('value_added', 'insured', '保价', 'Insured value', 10),
    ('value_added', 'cod', '代收货款', 'Cash on delivery', 20),
    ('value_added', 'cold_chain', '冷链', 'Cold chain', 30),
    ('value_added', 'pickup', '上门揽收', 'Pickup at the door', 40),
    ('value_added', 'return', '退换货', 'Returns', 50),
    ('contact_channel', 'mobile', '手机', 'Mobile', 10),
    ('contact_channel', 'phone', '座机', 'Landline', 20),
    ('contact_channel', 'email', '邮箱', 'E-mail', 30),
    ('contact_channel', 'wechat', '微信', 'WeChat', 40);

-- Tags of the enterprises' lines of business (editable like every tag).
INSERT INTO tag_groups (name, color, sort) VALUES ('大客户行业', '#409EFF', 50);
INSERT INTO tags (group_id, name, color, sort)
    SELECT g.id, t.name, '#409EFF', t.sort FROM tag_groups g,
        (SELECT '电商大客户' AS name, 10 AS sort UNION ALL SELECT '制造业', 20
         UNION ALL SELECT '医药冷链', 30 UNION ALL SELECT '政务机关', 40
         UNION ALL SELECT '金融机构', 50) t
    WHERE g.name = '大客户行业';
