-- 0019_campaigns: from a target group to action (issue 14).
--
-- Marketing consent (PIPL): whether the customer agreed to marketing
-- messages, when and how that was recorded, and an opt-out per channel.
-- 'unknown' is the default and means "not contacted": consent to marketing
-- must be given, it is never presumed (PIPL art. 13-14), so a campaign
-- reaches only 'granted' customers who have not opted out of its channel.
-- The e-mail address is a contact field of its own, for e-mail campaigns.
ALTER TABLE customers ADD COLUMN email TEXT;
ALTER TABLE customers ADD COLUMN marketing_consent TEXT NOT NULL DEFAULT 'unknown'
    CHECK (marketing_consent IN ('granted', 'refused', 'unknown'));
ALTER TABLE customers ADD COLUMN consent_at INTEGER;
ALTER TABLE customers ADD COLUMN consent_source TEXT
    CHECK (consent_source IN ('counter', 'paper', 'phone', 'web', 'import'));
ALTER TABLE customers ADD COLUMN sms_opt_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN email_opt_out INTEGER NOT NULL DEFAULT 0;

-- A campaign: one message rendered for each recipient of a target group,
-- each through the outbox (dedupe key campaign:<id>:<customer id>). The
-- group is kept as it was given (ids / filter / q / segment), the counts as
-- they were at sending. client_token makes a double submit one campaign.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    subject TEXT,
    body TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent')),
    matched INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    excluded_consent INTEGER NOT NULL,
    excluded_opt_out INTEGER NOT NULL,
    excluded_no_contact INTEGER NOT NULL,
    branch_path TEXT NOT NULL,
    client_token TEXT UNIQUE,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX campaigns_branch ON campaigns(branch_path);

-- A client's token of a batch of follow-up tasks: the second submit of the
-- same dialog makes nothing.
CREATE TABLE bulk_task_batches (
    client_token TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
