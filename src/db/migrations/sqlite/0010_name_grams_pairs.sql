-- 0010_name_grams_pairs: the name-fragment table keeps the pairs of
-- neighbouring characters of each name and its last character, no longer
-- every character alone as well. A one-character search reads the range of
-- entries that begin with that character (every character but the last
-- begins a pair; see crm/name_grams.h). A name of n characters now has n
-- entries instead of 2n - 1: a third of the table, and of the time a bulk
-- import spends writing it, is gone.
DELETE FROM customer_name_grams
 WHERE length(gram) = 1
   AND gram <> (SELECT substr(c.name, -1) FROM customers c
                 WHERE c.id = customer_name_grams.customer_id);
