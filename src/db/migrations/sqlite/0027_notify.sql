-- 0027_notify: notification channels (issue 17). The outbox learns the
-- DingTalk and WeCom robot channels (its channel check is widened, which
-- SQLite can only do by making the table again; the dev mailbox, which
-- points at it, is put aside and back), the robots as admin settings
-- (webhook address and secret sealed with the data key), each user's
-- choice of channels per notification kind and the mobile a robot
-- message @-mentions, and the bell's de-duplication key.

CREATE TABLE dev_mailbox_kept AS SELECT * FROM dev_mailbox;
DROP TABLE dev_mailbox;

CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'dingtalk', 'wecom')),
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
INSERT INTO outbox_new (id, channel, recipient, subject, body, dedupe_key, status, attempts,
                        next_attempt_at, lease_until, last_error, created_at, sent_at)
    SELECT id, channel, recipient, subject, body, dedupe_key, status, attempts, next_attempt_at,
           lease_until, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
-- A robot's sends of the last minute (its rate limit).
CREATE INDEX outbox_recipient_sent ON outbox(channel, recipient, sent_at);

CREATE TABLE dev_mailbox (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL UNIQUE REFERENCES outbox(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO dev_mailbox (id, outbox_id, channel, recipient, subject, body, created_at)
    SELECT id, outbox_id, channel, recipient, subject, body, created_at FROM dev_mailbox_kept;
DROP TABLE dev_mailbox_kept;

CREATE TABLE notify_robots (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dingtalk', 'wecom')),
    url_sealed TEXT NOT NULL,   -- the whole webhook address (it holds a token)
    url_shown TEXT NOT NULL,    -- the same with query values hidden
    secret_sealed TEXT NOT NULL, -- DingTalk signing secret / WeCom key
    enabled INTEGER NOT NULL DEFAULT 1,
    branch_id INTEGER REFERENCES branches(id), -- NULL: every branch
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The notification kinds a robot serves; none listed: every kind.
CREATE TABLE notify_robot_kinds (
    robot_id INTEGER NOT NULL REFERENCES notify_robots(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (robot_id, kind)
);

-- The channels besides the bell that reach a user for a kind.
CREATE TABLE notify_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'dingtalk', 'wecom')),
    PRIMARY KEY (user_id, kind, channel)
);

-- The mobiles a user bound for robot @-mentions.
CREATE TABLE notify_bindings (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    dingtalk_mobile TEXT,
    wecom_mobile TEXT,
    updated_at INTEGER NOT NULL
);

ALTER TABLE notifications ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX notifications_dedupe ON notifications(dedupe_key);
