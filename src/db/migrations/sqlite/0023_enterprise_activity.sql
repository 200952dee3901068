-- 0023_enterprise_activity: business records and to-dos on an enterprise
-- (issue 15, the 360 page's 业务往来 and 待办 tabs).
--
-- A record about an enterprise has no customer: customer_id becomes
-- nullable. SQLite cannot drop a NOT NULL, so the table is rebuilt as its
-- documentation says (new table, copy, drop, rename); the new table's
-- self-reference names interactions_new, which the rename turns into
-- interactions. PostgreSQL has its own file (migrations/postgres/).

CREATE TABLE interactions_new (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    type TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tracking_no TEXT,
    destination TEXT,
    amount_fen INTEGER,
    channel TEXT,
    handled_by INTEGER REFERENCES users(id),
    branch_id INTEGER REFERENCES branches(id),
    branch_path TEXT NOT NULL,
    task_id INTEGER,
    deleted_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'business' CHECK (kind IN ('business', 'refund')),
    refund_of INTEGER REFERENCES interactions_new(id),
    enterprise_id INTEGER REFERENCES enterprises(id),
    -- a record is about a customer or an enterprise
    CHECK (customer_id IS NOT NULL OR enterprise_id IS NOT NULL)
);
INSERT INTO interactions_new (id, customer_id, type, occurred_at, description, tracking_no,
    destination, amount_fen, channel, handled_by, branch_id, branch_path, task_id, deleted_at,
    version, created_at, updated_at, kind, refund_of, enterprise_id)
SELECT id, customer_id, type, occurred_at, description, tracking_no, destination, amount_fen,
    channel, handled_by, branch_id, branch_path, task_id, deleted_at, version, created_at,
    updated_at, kind, refund_of, enterprise_id FROM interactions ORDER BY id;
DROP TABLE interactions;
ALTER TABLE interactions_new RENAME TO interactions;
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);
CREATE INDEX interactions_scope ON interactions(branch_path, occurred_at);
CREATE INDEX interactions_occurred ON interactions(occurred_at, id);
CREATE INDEX interactions_type ON interactions(type, occurred_at);
CREATE INDEX interactions_handler ON interactions(handled_by, occurred_at);
CREATE INDEX interactions_tracking ON interactions(tracking_no);
CREATE INDEX interactions_refund_of ON interactions(refund_of) WHERE refund_of IS NOT NULL;
-- an enterprise's records: its page newest first and the 360 overview's
-- count, both of the records not deleted, from the index alone
CREATE INDEX interactions_enterprise ON interactions(enterprise_id, deleted_at, occurred_at)
    WHERE enterprise_id IS NOT NULL;
