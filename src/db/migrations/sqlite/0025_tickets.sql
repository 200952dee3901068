-- 0025_tickets: service tickets (服务工单, issue 17): the ticket with its
-- SLA clocks, its timeline, related waybills, attachments, the breaches
-- and escalations (one row per ticket, target and step: what keeps a
-- restart or a second server from escalating twice), the SLA policies
-- and escalation ladder the admin keeps, staff on duty for round-robin,
-- the enterprise an API key files tickets for, and the ticket types.

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    ticket_no TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'counter', 'portal', 'email', 'api')),
    enterprise_id INTEGER REFERENCES enterprises(id),
    contact_id INTEGER REFERENCES enterprise_contacts(id),
    customer_id INTEGER REFERENCES customers(id),
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'assigned', 'in_progress',
        'waiting_customer', 'resolved', 'closed', 'reopened')),
    -- vip: an enterprise with a dedicated manager; the SLA policy's row
    tier TEXT NOT NULL CHECK (tier IN ('vip', 'standard')),
    calendar TEXT NOT NULL CHECK (calendar IN ('business', '24x7')),
    assignee_id INTEGER REFERENCES users(id),
    branch_id INTEGER NOT NULL REFERENCES branches(id),
    branch_path TEXT NOT NULL,
    first_response_due_at INTEGER,
    first_response_at INTEGER,
    resolution_due_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    -- set while waiting for the customer: the clocks stand still
    paused_at INTEGER,
    -- the next instant the SLA sweep must look at this ticket (a deadline
    -- or the next step of its ladder); NULL when nothing is pending
    next_due_at INTEGER,
    first_response_breached_at INTEGER,
    resolution_breached_at INTEGER,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    -- the satisfaction survey (a later part of issue 17) writes these
    csat INTEGER CHECK (csat BETWEEN 1 AND 5),
    nps INTEGER CHECK (nps BETWEEN 0 AND 10),
    survey_comment TEXT,
    survey_at INTEGER,
    -- the Message-ID an e-mail ticket started from (the IMAP channel)
    email_thread_ref TEXT,
    created_by INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tickets_next_due ON tickets(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX tickets_scope ON tickets(branch_path, status);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_enterprise ON tickets(enterprise_id, created_at);
CREATE INDEX tickets_customer ON tickets(customer_id, created_at);
CREATE INDEX tickets_queue ON tickets(branch_id, created_at) WHERE assignee_id IS NULL;
CREATE INDEX tickets_email_ref ON tickets(email_thread_ref) WHERE email_thread_ref IS NOT NULL;

-- Numbers T + day + serial of the day, counted here (a ticket a write
-- transaction, so the counter never hands a number out twice).
CREATE TABLE ticket_counters (
    day TEXT NOT NULL PRIMARY KEY,
    n INTEGER NOT NULL
);

CREATE TABLE ticket_waybills (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    waybill_no TEXT NOT NULL,
    PRIMARY KEY (ticket_id, waybill_no)
);
CREATE INDEX ticket_waybills_no ON ticket_waybills(waybill_no);

-- The timeline: created, assigned, reassigned, claimed, status, reply (to
-- the customer), note (internal), attachment, breached, escalated.
CREATE TABLE ticket_entries (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    user_id INTEGER,
    actor TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_entries_ticket ON ticket_entries(ticket_id, id);

CREATE TABLE ticket_attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    file_name TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id, id);

-- One row per ticket, target (first_response / resolution) and ladder
-- step, inserted in the transaction of its notification.
CREATE TABLE ticket_escalations (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    target TEXT NOT NULL CHECK (target IN ('first_response', 'resolution')),
    step INTEGER NOT NULL,
    user_id INTEGER,
    escalated_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, target, step)
);

CREATE TABLE sla_policies (
    tier TEXT NOT NULL CHECK (tier IN ('vip', 'standard')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
    calendar TEXT NOT NULL CHECK (calendar IN ('business', '24x7')),
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tier, priority)
);
INSERT INTO sla_policies (tier, priority, first_response_minutes, resolution_minutes, calendar) VALUES
    ('vip', 'urgent', 15, 240, '24x7'),
    ('vip', 'high', 15, 480, 'business'),
    ('vip', 'normal', 15, 960, 'business'),
    ('vip', 'low', 15, 1920, 'business'),
    ('standard', 'urgent', 30, 480, '24x7'),
    ('standard', 'high', 60, 960, 'business'),
    ('standard', 'normal', 240, 1920, 'business'),
    ('standard', 'low', 480, 2880, 'business');

-- The escalation ladder: step n notifies target, delay_minutes after the
-- deadline passed (the assignee holds the ticket before step 1).
CREATE TABLE ticket_escalation_steps (
    step INTEGER NOT NULL PRIMARY KEY CHECK (step BETWEEN 1 AND 5),
    target TEXT NOT NULL CHECK (target IN ('assignee', 'enterprise_supervisor', 'branch_head')),
    delay_minutes INTEGER NOT NULL CHECK (delay_minutes >= 0),
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ticket_escalation_steps (step, target, delay_minutes) VALUES
    (1, 'enterprise_supervisor', 0),
    (2, 'branch_head', 30);

-- Staff on duty (值班) take queue tickets in turn.
CREATE TABLE ticket_duty (
    user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users(id),
    on_duty INTEGER NOT NULL DEFAULT 0,
    -- the order staff last took a queue ticket in (a counter of turns)
    last_turn INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

ALTER TABLE api_keys ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);

INSERT INTO dictionaries (code, name, name_en) VALUES ('ticket_type', '工单类型', 'Ticket types');
INSERT INTO dictionary_items (dict_code, value, label, label_en, sort) VALUES
    ('ticket_type', 'inquiry', '咨询', 'Inquiry', 10),
    ('ticket_type', 'complaint', '投诉', 'Complaint', 20),
    ('ticket_type', 'tracking', '查件', 'Tracking', 30),
    ('ticket_type', 'claim', '理赔', 'Claim', 40),
    ('ticket_type', 'address_change', '改址', 'Address change', 50),
    ('ticket_type', 'invoice', '开票', 'Invoice', 60);
