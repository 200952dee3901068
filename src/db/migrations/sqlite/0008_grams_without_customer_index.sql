-- 0008_grams_without_customer_index: the name-fragment table loses its
-- index by customer. A rename or an erasure removes a customer's fragments
-- by their keys, computed from the stored name (customer_grams_forget), so
-- nothing reads the table by customer any more; the index cost 55 MB and
-- 2.5 s of every bulk import of a million customers, and a write per
-- fragment on every new customer.
DROP INDEX IF EXISTS customer_name_grams_customer;
