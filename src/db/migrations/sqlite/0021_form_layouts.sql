-- 0021_form_layouts: the form designer's saved layouts (表单引擎). Each
-- save is a new version of an entity's layout; the highest is current.
-- Until an admin saves one, an entity's layout is derived from its
-- descriptor and custom fields (record/form_layout.c). The primary key
-- makes two saves from the same base version collide: the second is
-- answered 409 instead of silently replacing the first.

CREATE TABLE form_layouts (
    entity TEXT NOT NULL,
    version INTEGER NOT NULL,
    layout TEXT NOT NULL,
    note TEXT,
    author_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (entity, version)
);
