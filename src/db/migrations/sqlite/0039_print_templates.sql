-- 0039_print_templates: statement print templates (打印模板,
-- docs/billing.md). The shared default (enterprise_id NULL, scope_key 0)
-- and at most one of an enterprise's own (scope_key = its id), which its
-- statements use instead. layout is the template as JSON (blocks in order
-- with their visibility and labels, the waybill table's columns, page
-- size, footer, bank details); what it leaves out reads as the default.
-- The logo and seal are PNG files in the files directory, named here.
CREATE TABLE print_templates (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER REFERENCES enterprises(id),
    -- enterprise_id, or 0 for the shared default: NULLs are never equal
    -- in a unique key
    scope_key INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    layout TEXT NOT NULL DEFAULT '{}',
    logo_file TEXT,
    seal_file TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

INSERT INTO print_templates (scope_key, name, layout, created_at, updated_at)
VALUES (0, '默认模板', '{}', 0, 0);
