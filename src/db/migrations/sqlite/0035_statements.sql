-- 0035_statements: how an enterprise is billed (结算设置, docs/billing.md).
-- Money is integer fen. One row an enterprise; an enterprise without one
-- is billed 现结 (cash) with nothing else set.
CREATE TABLE enterprise_billing (
    enterprise_id INTEGER PRIMARY KEY REFERENCES enterprises(id),
    -- monthly 月结, cash 现结, prepaid 预付
    mode TEXT NOT NULL DEFAULT 'cash' CHECK (mode IN ('monthly', 'cash', 'prepaid')),
    -- the day of the month (1-28, +08:00) the previous month's statement is made
    statement_day INTEGER NOT NULL DEFAULT 1 CHECK (statement_day BETWEEN 1 AND 28),
    -- 账期: days from the statement to payment due
    payment_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_days BETWEEN 0 AND 365),
    -- 信用额度; 0: none set
    credit_limit_fen INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_fen >= 0),
    -- departments billed on their own (enterprise_departments.own_billing)
    -- get statements of their own
    split_departments INTEGER NOT NULL DEFAULT 0,
    -- 1 while unpaid statements plus this month's spend are over the
    -- limit and the account manager was told: told once per crossing
    credit_alerted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);

-- A statement (对账单) of an enterprise, or of one of its departments
-- billed on its own, for a calendar month (+08:00). Re-running a period
-- makes the next version; the older ones stay as they were. The unique key
-- is what makes a period's statement exactly once across restarts and
-- servers: a second maker's insert fails and it makes nothing.
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    department_id INTEGER REFERENCES enterprise_departments(id),
    -- department_id, or 0 for the enterprise's own: NULLs are never equal
    -- in a unique key
    dept_key INTEGER NOT NULL DEFAULT 0,
    period TEXT NOT NULL, -- 'YYYY-MM'
    version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'sent', 'confirmed', 'disputed', 'paid')),
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    waybill_count INTEGER NOT NULL DEFAULT 0,
    total_fen INTEGER NOT NULL DEFAULT 0,
    paid_fen INTEGER NOT NULL DEFAULT 0,
    -- the service ticket a dispute opened
    ticket_id INTEGER,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (enterprise_id, dept_key, period, version)
);
CREATE INDEX statements_period ON statements(period, enterprise_id);

-- One priced waybill of a statement: its amount and a compact
-- explanation (zone, chargeable weight, the engine's lines as key=fen).
CREATE TABLE statement_lines (
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    waybill_no TEXT NOT NULL,
    department_id INTEGER,
    product TEXT NOT NULL,
    collected_at INTEGER NOT NULL,
    destination TEXT NOT NULL,
    weight_g INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    why TEXT NOT NULL,
    PRIMARY KEY (statement_id, waybill_no)
);

-- A payment received against a statement version (partial payments add
-- up; the statement is paid when they reach its total).
CREATE TABLE statement_payments (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    paid_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    method TEXT NOT NULL CHECK (method IN ('transfer', 'cash', 'cheque', 'other')),
    reference TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX statement_payments_statement ON statement_payments(statement_id, id);
