-- 0004_imports: uploaded import files and their runs. Runs and exports are
-- jobs (0003); this table keeps what an upload is between upload and run.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    file_path TEXT NOT NULL,
    file_name TEXT,
    encoding TEXT NOT NULL,
    columns TEXT NOT NULL,
    job_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX imports_user ON imports(user_id, id);
