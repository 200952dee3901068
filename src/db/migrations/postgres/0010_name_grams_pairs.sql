-- 0010_name_grams_pairs (PostgreSQL): as the SQLite migration of the same
-- name, and the fragments compare byte by byte whatever the database's
-- collation, as in SQLite: a one-character search is the range of entries
-- that begin with it, [c, c with its last byte + 1), which only holds
-- under byte order.
DELETE FROM customer_name_grams g
 WHERE char_length(g.gram) = 1
   AND g.gram <> (SELECT right(c.name, 1) FROM customers c WHERE c.id = g.customer_id);
ALTER TABLE customer_name_grams ALTER COLUMN gram TYPE TEXT COLLATE "C";
