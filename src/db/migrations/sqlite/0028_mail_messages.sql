-- 0028_mail_messages: the service mailbox (issue 17, e-mail in over IMAP;
-- src/mail/). Each message of the mailbox is stored once: unique by its
-- place on the server (UIDVALIDITY, UID) and by its Message-ID. A message
-- is committed here before it is marked \Seen on the server (seen_at
-- records that it was); the poll state keeps the last UID taken and the
-- lease that lets one process poll at a time.

CREATE TABLE mail_messages (
    id INTEGER PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_id TEXT,
    from_addr TEXT NOT NULL DEFAULT '',
    from_name TEXT NOT NULL DEFAULT '',
    to_addrs TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    in_reply_to TEXT,
    refs TEXT,
    sent_at INTEGER,
    body_text TEXT NOT NULL DEFAULT '',
    body_from_html INTEGER NOT NULL DEFAULT 0,
    attachments_json TEXT NOT NULL DEFAULT '[]',
    size INTEGER NOT NULL DEFAULT 0,
    thread_ref TEXT,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'processed', 'ignored', 'failed')),
    error TEXT,
    record_kind TEXT,
    record_id INTEGER,
    received_at INTEGER NOT NULL,
    seen_at INTEGER,
    updated_at INTEGER NOT NULL,
    UNIQUE (uidvalidity, uid)
);
CREATE UNIQUE INDEX mail_messages_message_id ON mail_messages (message_id);
CREATE INDEX mail_messages_unseen ON mail_messages (uidvalidity, uid) WHERE seen_at IS NULL;
CREATE INDEX mail_messages_thread_ref ON mail_messages (thread_ref);
CREATE INDEX mail_messages_status ON mail_messages (status, id);

CREATE TABLE mailin_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    uidvalidity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    last_attempt_at INTEGER,
    last_success_at INTEGER,
    last_error_code TEXT,
    last_error TEXT,
    last_error_at INTEGER
);
INSERT INTO mailin_state (id, last_uid) VALUES (1, 0);
