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
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);
