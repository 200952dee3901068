-- 0023_enterprise_activity (PostgreSQL): as the SQLite migration of the
-- same name, where a NOT NULL is simply dropped instead of rebuilding the
-- table.
ALTER TABLE interactions ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE interactions ADD CONSTRAINT interactions_subject
    CHECK (customer_id IS NOT NULL OR enterprise_id IS NOT NULL);
DROP INDEX interactions_enterprise;
CREATE INDEX interactions_enterprise ON interactions(enterprise_id, deleted_at, occurred_at)
    WHERE enterprise_id IS NOT NULL;
