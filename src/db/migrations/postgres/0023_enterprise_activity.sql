-- 0023_enterprise_activity (PostgreSQL): as the SQLite migration of the
-- same name, where a NOT NULL is simply dropped instead of rebuilding the
-- table.
ALTER TABLE interactions ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE interactions ADD CONSTRAINT interactions_subject
    CHECK (customer_id IS NOT NULL OR enterprise_id IS NOT NULL);
DROP INDEX interactions_enterprise;
CREATE INDEX interactions_enterprise ON interactions(enterprise_id, deleted_at, occurred_at)
    WHERE enterprise_id IS NOT NULL;

CREATE TABLE interaction_contacts (
    interaction_id BIGINT NOT NULL REFERENCES interactions(id),
    contact_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (interaction_id, contact_id)
);

INSERT INTO dictionaries (code, name, name_en) VALUES
    ('activity_type', '大客户业务往来类型', 'Enterprise activity types');
INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('activity_type', 'visit', '上门拜访', 'Visit', 10),
    ('activity_type', 'call', '电话沟通', 'Phone call', 20),
    ('activity_type', 'meeting', '会议', 'Meeting', 30),
    ('activity_type', 'email', '邮件', 'E-mail', 40);
