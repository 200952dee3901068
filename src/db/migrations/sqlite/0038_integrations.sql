-- 0038_integrations: the integration surface (issue 20, docs/webhooks.md,
-- docs/decisions/0017-webhooks-and-openapi.md): outgoing webhook
-- subscriptions and the log of each delivery attempt, a per-key rate limit
-- and expiry for API keys, and the stored first answers of POSTs made
-- with an Idempotency-Key.

-- A URL subscribed to domain events. events: JSON array of patterns
-- ("ticket.created", "ticket.*", "*"); the signing secret is sealed with
-- the data key and shown once, when the subscription is made.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL DEFAULT '[]',
    secret_sealed TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per attempt to deliver an outbox row of channel 'webhook': what
-- the receiver answered (status NULL: no answer), how long it took, why it
-- failed. The outbox row keeps the state and the retry schedule.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    attempt INTEGER NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    error TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_outbox ON webhook_attempts(outbox_id);

-- Requests a minute the key may make (NULL: the default of the server),
-- the moment it stops working (NULL: never), and the branch whose records
-- a key with a read scope sees (its subtree, like a staff member there).
ALTER TABLE api_keys ADD COLUMN rate_per_minute INTEGER;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN branch_id INTEGER REFERENCES branches(id);

-- The first answer to a POST carrying an Idempotency-Key, per caller
-- ("u:<user id>" or "k:<api key id>"), for 24 hours. A row with status 0
-- is a request still running: a concurrent duplicate sees it and is told
-- to retry instead of running the change twice.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    body TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
