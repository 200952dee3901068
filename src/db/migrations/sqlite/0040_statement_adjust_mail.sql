-- 0040_statement_adjust_mail: adjustments to statements, e-mailing them
-- with the PDF attached, and the finance export's account codes (issue 18,
-- docs/billing.md). Money is integer fen.

-- An adjustment (调整) of a statement version: a claim paid to the customer
-- (理赔), a credit (优惠/冲减) or a manual correction, signed (a credit is
-- negative), always with the reason. Included in the statement's total.
-- carried_from: the adjustment of the previous version this one was copied
-- from when the period was re-run (NULL: made on this version), so the
-- difference between versions can name the adjustments added and removed.
CREATE TABLE statement_adjustments (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    kind TEXT NOT NULL CHECK (kind IN ('claim', 'credit', 'correction')),
    amount_fen INTEGER NOT NULL CHECK (amount_fen <> 0),
    reason TEXT NOT NULL,
    carried_from INTEGER REFERENCES statement_adjustments(id),
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX statement_adjustments_statement ON statement_adjustments(statement_id, id);

-- The sum of a version's adjustments (its total_fen includes it; the
-- lines alone are total_fen - adjust_fen).
ALTER TABLE statements ADD COLUMN adjust_fen INTEGER NOT NULL DEFAULT 0;

-- An outbox e-mail may carry one attachment: a file in the files directory
-- (core/files.h) named here, never the bytes in the row. The file is a
-- snapshot of what was sent; re-sending makes a new one.
ALTER TABLE outbox ADD COLUMN attachment TEXT;
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;

-- Each e-mail of a statement to a finance contact: the outbox row says
-- whether it is queued, sent or failed (and why).
CREATE TABLE statement_mails (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    recipient TEXT NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX statement_mails_statement ON statement_mails(statement_id, id);

-- The account codes of the receivables vouchers (应收凭证), one row: what
-- an accountant sets to match the chart of accounts of the finance
-- software. vat_bp: the VAT rate in basis points (600 = 6 %), 0: no tax
-- line (the whole amount is revenue).
CREATE TABLE finance_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    receivable_account TEXT NOT NULL DEFAULT '1122',
    revenue_account TEXT NOT NULL DEFAULT '6001',
    tax_account TEXT NOT NULL DEFAULT '22210106',
    vat_bp INTEGER NOT NULL DEFAULT 0 CHECK (vat_bp BETWEEN 0 AND 3000),
    voucher_word TEXT NOT NULL DEFAULT '记',
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO finance_settings (id) VALUES (1);
