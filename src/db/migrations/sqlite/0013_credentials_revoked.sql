-- 0013_credentials_revoked: a counter of a user's credentials, raised
-- whenever they are revoked (account disabled, password reset by an admin
-- or by e-mail code, password changed). What grants access without a
-- session carries the counter it was made under and stops working once the
-- user's moves on: the calendar feed's secret URL. A counter, not a time,
-- so that a revocation in the same second as the feed's making still wins.

ALTER TABLE users ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendar_feeds ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 0;
