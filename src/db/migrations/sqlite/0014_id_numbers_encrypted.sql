-- 0014_id_numbers_encrypted: ID numbers (身份证号) are kept sealed with the
-- data key (base/datakey.h), never in clear (issue 13). id_sealed holds the
-- ciphertext, id_index a keyed BLAKE2b digest of the whole number (exact
-- search, duplicate checks) and id_last4_index one of its last four
-- characters (last-4 search for roles that may see ID numbers). The rows
-- stored before are sealed by the program at start-up (SQL cannot
-- encrypt: crm/customer_idcrypt.c), which then empties id_number; the
-- column stays only because dropping one rewrites the table.

ALTER TABLE customers ADD COLUMN id_sealed TEXT;
ALTER TABLE customers ADD COLUMN id_index TEXT;
ALTER TABLE customers ADD COLUMN id_last4_index TEXT;
DROP INDEX customers_id_number;
CREATE INDEX customers_id_index ON customers(id_index) WHERE id_index IS NOT NULL;
CREATE INDEX customers_id_last4_index ON customers(id_last4_index) WHERE id_last4_index IS NOT NULL;

-- The key the sealed values are under (its id, never the key), and the one
-- a rotation is moving them to: the server refuses a key that is not the
-- stored one, and refuses to start while a rotation is unfinished.
CREATE TABLE data_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_id TEXT NOT NULL,
    rotating_to TEXT
);
