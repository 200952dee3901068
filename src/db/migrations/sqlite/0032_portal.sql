-- 0032_portal: the contact portal (an enterprise contact signs in with
-- mobile + SMS code) and the satisfaction survey of resolved tickets.

-- One-time sign-in codes, by mobile (known as a contact or not: the
-- answer must not tell). Only the hash of code and mobile is kept.
CREATE TABLE portal_codes (
    id INTEGER PRIMARY KEY,
    mobile TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX portal_codes_mobile ON portal_codes(mobile, id);

-- Portal sessions, apart from staff sessions. No foreign key on the
-- contact: deleting a contact must not wait for its sessions; a session
-- whose contact is gone, or whose mobile changed, no longer resolves.
CREATE TABLE portal_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL,
    mobile TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT
);
CREATE INDEX portal_sessions_contact ON portal_sessions(contact_id);

-- Survey links: the token's hash, single use, expiring.
CREATE TABLE ticket_surveys (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_surveys_ticket ON ticket_surveys(ticket_id);
CREATE INDEX tickets_survey ON tickets(enterprise_id, survey_at) WHERE survey_at IS NOT NULL;
