-- PostgreSQL before 0001_foundation: case-blind staff numbers, as SQLite's
-- COLLATE NOCASE.
CREATE EXTENSION IF NOT EXISTS citext;
