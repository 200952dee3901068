-- 0007_perf_indexes: indexes for a million customers.
--
-- Quick search by pinyin initials or pinyin prefix answered from the index
-- alone. A two-letter prefix ("zs") matches tens of
-- thousands of customers among a million; with deleted_at, updated_at and
-- branch_path in the index the count and the newest-first page no longer
-- read every matching row of the table. Same keys first, so these replace
-- the plain indexes of 0002 (no extra cost per insert). name_initials in the
-- pinyin index: the search asks "pinyin prefix and not initials prefix" so
-- the two halves are disjoint ("zh" is both 张浩's initials and the pinyin
-- prefix of 15% of all names).
DROP INDEX IF EXISTS customers_initials;
DROP INDEX IF EXISTS customers_pinyin;
CREATE INDEX customers_initials ON customers(name_initials, deleted_at, updated_at, branch_path);
CREATE INDEX customers_pinyin ON customers(name_pinyin, deleted_at, updated_at, branch_path,
                                           name_initials);
