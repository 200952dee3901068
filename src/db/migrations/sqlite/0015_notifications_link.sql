-- 0015_notifications_link: notifications found by what they link to. A
-- customer's move withdraws the bell's notifications about its tasks from
-- staff who no longer see it (crm/customer_move.c), one lookup per task.
CREATE INDEX notifications_link ON notifications(link);
