-- 0018_duplicate_dismissals: pairs of customers a user marked "not the
-- same person" in the suspected-duplicate worklist (crm/customer_dupes.c),
-- the lower id first. The worklist finds pairs from the phone and ID
-- number indexes and asks this table, by its key, which to leave out.
CREATE TABLE customer_duplicate_dismissals (
    customer_a INTEGER NOT NULL,
    customer_b INTEGER NOT NULL,
    dismissed_by INTEGER,
    dismissed_at INTEGER NOT NULL,
    PRIMARY KEY (customer_a, customer_b)
);
