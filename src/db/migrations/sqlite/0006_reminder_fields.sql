-- The date fields the seeded renewal and maturity rules read (seed 000,
-- 三.2: 协议到期前30天提醒续约洽谈, 理财产品到期前7天提醒). They are ordinary
-- custom fields: admins may rename, hide or retire them like any other.
INSERT INTO custom_fields (entity, key, label, label_en, type, help, sort, created_at, updated_at)
VALUES
    ('customer', 'agreement_end', '协议到期日', 'Agreement end', 'date',
     '服务协议到期日，到期前30天生成续约洽谈待办', 900, 0, 0),
    ('customer', 'product_maturity', '理财产品到期日', 'Product maturity', 'date',
     '理财产品到期日，到期前7天生成到期提醒待办', 910, 0, 0)
ON CONFLICT (entity, key) DO NOTHING;

UPDATE reminder_rules SET enabled = 1
 WHERE kind = 'date_offset' AND field IN ('custom.agreement_end', 'custom.product_maturity');
