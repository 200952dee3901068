
-- (appended to every PostgreSQL migration by scripts/embed-migrations.sh)
-- Rows inserted with explicit ids do not move identity sequences: move
-- each past the largest id, so the next default id is free.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT table_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'id'
               AND is_identity = 'YES'
    LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), '
                       'GREATEST((SELECT COALESCE(MAX(id), 0) FROM %I), 1), '
                       '(SELECT COUNT(*) > 0 FROM %I))',
                       r.table_name, r.table_name, r.table_name);
    END LOOP;
END $$;
