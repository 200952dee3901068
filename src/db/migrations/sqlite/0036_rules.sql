-- 0036_rules: the rule engine (流程引擎, issue 20). A rule is a trigger on
-- a kind of record, a condition in the filter language and a list of
-- actions; every edit keeps the previous text as a numbered version; every
-- run is logged once per (rule, event) - the unique run row, written in the
-- transaction of the run's actions, is what makes a rule idempotent across
-- retries, restarts and several servers. Message templates are the texts
-- the notify action sends.

CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'custom' CHECK (kind IN ('custom', 'builtin')),
    -- a built-in automation's key (reminders, waybill_stalled ...); NULL for custom
    builtin_key TEXT UNIQUE,
    entity TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    trigger_params TEXT NOT NULL DEFAULT '{}',
    condition_json TEXT,
    -- conditions on related records: [{"path":"enterprise","filter":{…}}]
    related_json TEXT,
    actions_json TEXT NOT NULL DEFAULT '[]',
    enabled INTEGER NOT NULL DEFAULT 1,
    branch_id INTEGER REFERENCES branches(id), -- NULL: every branch
    branch_path TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    runs_count INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER,
    created_by INTEGER REFERENCES users(id),
    updated_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX rules_trigger ON rules(entity, trigger_kind, enabled);

CREATE TABLE rule_versions (
    rule_id INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL, -- the rule as the API showed it at that version
    changed_by INTEGER REFERENCES users(id),
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, version)
);

CREATE TABLE rule_runs (
    id INTEGER PRIMARY KEY,
    rule_id INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    -- 'e<event id>' for an event, 's<occurrence day>:<record>' for a schedule
    run_key TEXT NOT NULL,
    event_id INTEGER,
    event_kind TEXT,
    rule_version INTEGER NOT NULL,
    entity TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'failed')),
    reason TEXT, -- why skipped: no_match, out_of_scope, skipped_depth
    error TEXT,
    actions TEXT NOT NULL DEFAULT '[]', -- what was done, with resolved values
    at INTEGER NOT NULL,
    UNIQUE (rule_id, run_key)
);
CREATE INDEX rule_runs_object ON rule_runs(entity, object_id, id);
CREATE INDEX rule_runs_rule ON rule_runs(rule_id, id);

CREATE TABLE message_templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('bell', 'sms', 'email', 'dingtalk', 'wecom')),
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The built-in automations, listed as rules so an administrator sees and
-- tunes them in one place: they cannot be deleted, can be disabled, and
-- their parameters are the settings the features read (the stuck-shipment
-- thresholds are waybill_thresholds; see src/rules/rule_builtin.c).
INSERT INTO rules (name, kind, builtin_key, entity, trigger_kind, actions_json, created_at, updated_at)
VALUES ('运单停滞预警', 'builtin', 'waybill_stalled', 'waybill', 'waybill_stalled', '[]', 0, 0);
