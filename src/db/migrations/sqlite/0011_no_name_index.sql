-- 0011_no_name_index: a list sorted by name is in pinyin order now (张 after
-- 王, as people expect, where code-point order put 张 first), which the
-- customers_pinyin index serves. Nothing else looks names up whole: the
-- quick search goes through the name fragments. The index cost 40 MB and
-- 1.2 s of every bulk import of a million customers.
DROP INDEX IF EXISTS customers_name;
