-- 0026_work_calendar: the business calendar that SLA timers count on
-- (core/workcal.c, issue 17): working hours, and per year the exceptions
-- to "Monday to Friday work, weekends off": public holidays (法定节假日,
-- with their name) and make-up working days (调休上班, usually a Saturday
-- or Sunday). A year with no row in work_calendar_years was never
-- configured: weekends only, and the admin page says 未配置节假日.

-- One row: the working hours (minutes after 00:00 +08:00; the second
-- period is optional) and the calendar's version, moved by every edit of
-- the hours or of a year, so that every server notices a change made by
-- another within a second (core/workcal.c checks it at most once a second).
CREATE TABLE work_calendar (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    am_start INTEGER NOT NULL,
    am_end INTEGER NOT NULL,
    pm_start INTEGER,
    pm_end INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);
-- The default working day: 08:30-12:00 and 13:30-18:00.
INSERT INTO work_calendar (id, am_start, am_end, pm_start, pm_end) VALUES (1, 510, 720, 810, 1080);

-- The years an admin configured (or that were seeded), even with no entry.
CREATE TABLE work_calendar_years (
    year INTEGER PRIMARY KEY,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);

-- One exception a day: 'holiday' (off, whatever the weekday) or 'workday'
-- (a make-up working day). day is 'YYYY-MM-DD' (+08:00).
CREATE TABLE work_calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL DEFAULT ''
);

-- 2026 as the State Council's notice (国务院办公厅关于2026年部分节假日
-- 安排的通知) sets it, as known when this was written: an admin should
-- check it against the official notice every year (系统管理 → 工作日历),
-- and enter each new year when its notice is out.
INSERT INTO work_calendar_years (year) VALUES (2026);
-- One line a festival: its days off, then its make-up working days.
INSERT INTO work_calendar_days (day, kind, name) VALUES
    -- 元旦
    ('2026-01-01', 'holiday', '元旦'), ('2026-01-02', 'holiday', '元旦'), ('2026-01-03', 'holiday', '元旦'), ('2026-01-04', 'workday', '元旦调休'),
    -- 春节
    ('2026-02-14', 'workday', '春节调休'), ('2026-02-15', 'holiday', '春节'), ('2026-02-16', 'holiday', '春节'), ('2026-02-17', 'holiday', '春节'), ('2026-02-18', 'holiday', '春节'), ('2026-02-19', 'holiday', '春节'), ('2026-02-20', 'holiday', '春节'), ('2026-02-21', 'holiday', '春节'), ('2026-02-22', 'holiday', '春节'), ('2026-02-23', 'holiday', '春节'), ('2026-02-28', 'workday', '春节调休'),
    -- 清明节
    ('2026-04-04', 'holiday', '清明节'), ('2026-04-05', 'holiday', '清明节'), ('2026-04-06', 'holiday', '清明节'),
    -- 劳动节
    ('2026-05-01', 'holiday', '劳动节'), ('2026-05-02', 'holiday', '劳动节'), ('2026-05-03', 'holiday', '劳动节'), ('2026-05-04', 'holiday', '劳动节'), ('2026-05-05', 'holiday', '劳动节'), ('2026-05-09', 'workday', '劳动节调休'),
    -- 端午节
    ('2026-06-19', 'holiday', '端午节'), ('2026-06-20', 'holiday', '端午节'), ('2026-06-21', 'holiday', '端午节'),
    -- 国庆节
    ('2026-09-20', 'workday', '国庆节调休'), ('2026-10-01', 'holiday', '国庆节'), ('2026-10-02', 'holiday', '国庆节'), ('2026-10-03', 'holiday', '国庆节'), ('2026-10-04', 'holiday', '国庆节'), ('2026-10-05', 'holiday', '国庆节'), ('2026-10-06', 'holiday', '国庆节'), ('2026-10-07', 'holiday', '国庆节'), ('2026-10-10', 'workday', '国庆节调休'),
    -- 中秋节
    ('2026-09-25', 'holiday', '中秋节'), ('2026-09-26', 'holiday', '中秋节'), ('2026-09-27', 'holiday', '中秋节');
