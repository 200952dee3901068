-- 0037_approvals: approval flows (审批流), the requests they guard, who
-- is to decide each step and what they decided (docs/decisions/0016).

-- A flow: its steps, a JSON list of {"kind": "role"|"user", "role",
-- "user_id", "mode": "any"|"all", "deadline_hours"}, and its thresholds
-- (params, JSON). A disabled flow guards nothing: the change applies at
-- once, as if the flow did not exist.
CREATE TABLE approval_flows (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    entity TEXT NOT NULL,
    steps TEXT NOT NULL DEFAULT '[]',
    params TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A guarded change waiting for (or past) its decisions. steps is the
-- flow's steps as they were when it was asked (an edit of the flow does
-- not move requests in flight); change is {"before", "after"} as shown,
-- payload what the flow's applier gets once the last step approves.
CREATE TABLE approval_requests (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER NOT NULL REFERENCES approval_flows(id),
    flow_key TEXT NOT NULL,
    entity TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    requester_id INTEGER REFERENCES users(id),
    -- the requester's branch: role steps look for approvers on its line
    branch_path TEXT NOT NULL DEFAULT '',
    steps TEXT NOT NULL,
    change TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT 'null',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'approved'
        OR status = 'rejected' OR status = 'returned' OR status = 'cancelled'),
    step INTEGER NOT NULL DEFAULT 0,
    step_started_at INTEGER NOT NULL,
    -- reminder and escalation instants of the current step (business time)
    remind_at INTEGER,
    due_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE INDEX approval_requests_requester ON approval_requests(requester_id, id);
CREATE INDEX approval_requests_pending ON approval_requests(status, due_at);
CREATE INDEX approval_requests_object ON approval_requests(entity, object_id);

-- Who decides a step. slot_user is the approver the step resolved to; an
-- escalation adds the approver's supervisor with the same slot, and a
-- decision of either fills the slot (all-of needs every slot approved).
CREATE TABLE approval_assignees (
    request_id INTEGER NOT NULL REFERENCES approval_requests(id),
    step INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    slot_user INTEGER NOT NULL,
    escalated INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    decided_at INTEGER,
    PRIMARY KEY (request_id, step, user_id)
);
CREATE INDEX approval_assignees_user ON approval_assignees(user_id, decision);

CREATE TABLE approval_decisions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES approval_requests(id),
    step INTEGER NOT NULL,
    approver_id INTEGER REFERENCES users(id),
    decision TEXT NOT NULL CHECK (decision = 'approve' OR decision = 'reject'
        OR decision = 'return' OR decision = 'cancel' OR decision = 'escalate'),
    comment TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX approval_decisions_request ON approval_decisions(request_id, id);

-- The flows shipped, editable by admins (系统管理 → 审批流程).
INSERT INTO approval_flows (key, name, name_en, entity, steps, params, created_at, updated_at)
VALUES
('contract_discount', '合同折扣超过阈值', 'Contract discount above a threshold', 'enterprise',
 '[{"kind":"role","role":"supervisor","mode":"any","deadline_hours":8}]',
 '{"max_discount_percent":30}', 0, 0),
('credit_limit', '信用额度变更', 'Credit limit change', 'enterprise',
 '[{"kind":"role","role":"supervisor","mode":"any","deadline_hours":8},{"kind":"role","role":"admin","mode":"any","deadline_hours":8}]',
 '{"min_change":"0"}', 0, 0),
('customer_erasure', '客户个人信息擦除', 'Customer erasure', 'customer',
 '[{"kind":"role","role":"admin","mode":"any","deadline_hours":16}]',
 '{}', 0, 0),
('personal_export', '个人信息批量导出', 'Export of personal data', 'export',
 '[{"kind":"role","role":"admin","mode":"any","deadline_hours":8}]',
 '{"max_rows":5000,"entities":["customer"]}', 0, 0);
