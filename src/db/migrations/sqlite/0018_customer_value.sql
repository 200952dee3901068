-- 0018_customer_value: what the customer-value screens need (issue 14).
--
-- Pairs of customers a user marked "not the same person" in the
-- suspected-duplicate worklist (crm/customer_dupes.c), the lower id first.
-- The worklist finds pairs from the phone and ID number indexes and asks
-- this table, by its key, which to leave out.
CREATE TABLE customer_duplicate_dismissals (
    customer_a INTEGER NOT NULL,
    customer_b INTEGER NOT NULL,
    dismissed_by INTEGER,
    dismissed_at INTEGER NOT NULL,
    PRIMARY KEY (customer_a, customer_b)
);

-- The customer list sorted by spend in 12 months ("who spends most"), in
-- keyset pages: ORDER BY spend_12m_fen, id walks this index (id is the
-- rowid, part of every SQLite index entry; PostgreSQL gets the pair).
CREATE INDEX customers_spend ON customers(spend_12m_fen, id);
