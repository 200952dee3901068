-- 0012_domain_events: what happened to which record, written by the
-- operation that caused it in its own transaction, and read by consumers
-- (reminders, alerts, SLA timers, rules, webhooks) that each keep their
-- position. Delivery is at least once: a consumer's handler and its new
-- position commit together, and a failed handler is retried on the next
-- pass, so handlers are idempotent.
-- Writers are serialised (SQLite's write lock; PostgreSQL's until
-- row-level concurrency arrives), so ids grow in commit order and a
-- position never skips an event that commits later.

CREATE TABLE domain_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,          -- Unix seconds (the clock of the change)
    kind TEXT NOT NULL,           -- 'customer.created', 'customer.changed', ...
    entity TEXT NOT NULL,         -- registered entity name ('customer')
    object_id INTEGER NOT NULL,
    actor_id INTEGER,             -- users.id; NULL for the system
    payload TEXT                  -- JSON object, or NULL
);

CREATE TABLE event_positions (
    consumer TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
