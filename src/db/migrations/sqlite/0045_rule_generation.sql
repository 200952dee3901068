-- 0045_rule_generation: the rule engine keeps the enabled rules compiled in
-- memory (src/rules/rule_engine.c); every change to a rule bumps this
-- number in its transaction, and each event reads it, so every server
-- drops its compiled rules at the first event after a change.
CREATE TABLE rule_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    gen INTEGER NOT NULL
);
INSERT INTO rule_generation (id, gen) VALUES (1, 1);
