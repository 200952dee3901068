-- 0017_refunds: a refund is a business record of its own kind, linked to the
-- record it pays back (issue 14). Its amount is stored negative, so every
-- sum of amount_fen (the profile's spend, exports, reports) nets it; a
-- business record's amount can no longer be negative (checked by the API).

ALTER TABLE interactions ADD COLUMN kind TEXT NOT NULL DEFAULT 'business'
    CHECK (kind IN ('business', 'refund'));
ALTER TABLE interactions ADD COLUMN refund_of INTEGER REFERENCES interactions(id);
-- the refunds of a record, summed when one more is checked against it
CREATE INDEX interactions_refund_of ON interactions(refund_of) WHERE refund_of IS NOT NULL;
