-- 0024_activity_contacts: who took part in an enterprise's business
-- records, and the types of those records. Apart from 0023 because that
-- one rebuilds a table on SQLite and alters a column on PostgreSQL (its
-- own file there), while this one is the same SQL on both.

-- The enterprise's contacts who took part in a record, with the name they
-- had: the record keeps who was there when a contact is later deleted.
CREATE TABLE interaction_contacts (
    interaction_id INTEGER NOT NULL REFERENCES interactions(id),
    contact_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (interaction_id, contact_id)
);

-- What is done with an enterprise: the types of its business records
-- (a customer's record types are postal business, business_type).
INSERT INTO dictionaries (code, name, name_en) VALUES
    ('activity_type', '大客户业务往来类型', 'Enterprise activity types');
INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('activity_type', 'visit', '上门拜访', 'Visit', 10),
    ('activity_type', 'call', '电话沟通', 'Phone call', 20),
    ('activity_type', 'meeting', '会议', 'Meeting', 30),
    ('activity_type', 'email', '邮件', 'E-mail', 40);
