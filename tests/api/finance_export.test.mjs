// Finance export (issue 18): the account codes an admin sets, the
// receivables of a period as JSON for an ERP (the latest version of each
// statement, drafts left out; or the statements picked), and receivables
// vouchers in the Kingdee and Yonyou import layouts as CSV (UTF-8 with BOM)
// and XLSX: one balanced voucher a statement, debit 应收账款 with the
// customer, credit 主营业务收入 and 应交税费 when a VAT rate is set.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, fetchBytes, parseCsv, readXlsx } from './lib/customers.mjs';
import { monthlyStatement, fen } from './lib/statements.mjs';

describe('finance export', () => {
  const srv = useServer({
    label: 'finance-export',
    users: [
      { login: 'A9421', name: '财务管理员', role: 'admin', branch: 'GD' },
      { login: 'S9421', name: '财务主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9421', name: '财务经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'S9422', name: '深圳财务主管', role: 'supervisor', branch: 'GD-SZ' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, sz, sent, draft, period, sentEnt;

  test('set-up: two 月结 enterprises, one statement sent and one a draft', async () => {
    ({ A9421: admin, S9421: sup, M9421: m1, S9422: sz } = await signInAll(srv, ['A9421', 'S9421', 'M9421', 'S9422']));
    const fin = { name: '陈会计', mobile: '13800094211', email: 'chen@example.com', roles: ['finance'] };
    ({ statement: sent, period, ent: sentEnt } = await monthlyStatement(srv, { admin, sup, owner: m1, name: '广州凭证甲有限公司', serial: 94210001, contacts: [fin] }));
    ({ statement: draft } = await monthlyStatement(srv, { admin, sup, owner: m1, name: '广州凭证乙有限公司', serial: 94210101 }));
    const r = await sup.post(`/statements/${sent.id}/send`);
    assert.equal(r.status, 200, show(r));
  });

  test('the account codes: defaults, only an admin changes them, bad input named, audited', async () => {
    let r = await sup.get('/finance/settings');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.receivable_account, r.body.revenue_account, r.body.vat_rate, r.body.voucher_word], ['1122', '6001', '0', '记']);
    expectError(await sup.put('/finance/settings', { version: r.body.version, vat_rate: '6' }), 403, 'forbidden');
    expectError(await m1.get('/finance/settings'), 403, 'forbidden');
    r = await admin.put('/finance/settings', { version: 1, receivable_account: '11-22', vat_rate: '31', voucher_word: '' }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['receivable_account', 'vat_rate', 'voucher_word'] });
    expectError(await admin.put('/finance/settings', { version: 7, vat_rate: '6' }), 409, 'stale_version');
    r = await admin.put('/finance/settings', { version: 1, receivable_account: '112201', vat_rate: '6', tax_account: '22210106' });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.receivable_account, r.body.revenue_account, r.body.vat_rate, r.body.version], ['112201', '6001', '6', 2]);
    assert.equal((await findAudit(admin, () => true, { action: 'finance_settings.update' })).length, 1);
  });

  test('receivables of a period: the sent statement with stable fields, the draft left out, scoped', async () => {
    let r = await sup.get(`/finance/receivables?period=${period}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.items.map((x) => x.statement_id), [sent.id]);
    const x = r.body.items[0];
    const total = fen(sent.total);
    const tax = Math.round((total * 600) / 10600);
    assert.deepEqual(
      [x.customer_code, x.customer_name, x.period, x.currency, x.status, x.total_fen, x.tax_fen, x.revenue_fen, x.outstanding_fen],
      [sentEnt.customer_no, '广州凭证甲有限公司', period, 'CNY', 'sent', total, tax, total - tax, total],
    );
    assert.equal(r.body.accounts.receivable_account, '112201');
    r = await sup.get(`/finance/receivables?ids=${draft.id},${sent.id}`);
    assert.deepEqual(r.body.items.map((i) => i.statement_id).sort(), [sent.id, draft.id].sort(), 'picked statements, drafts too');
    r = await sz.get(`/finance/receivables?period=${period}`);
    assert.deepEqual(r.body.items, [], 'another branch sees none of them');
    expectError(await sup.get('/finance/receivables?period=2026-13'), 422, 'validation_failed', { fields: ['period'] });
    expectError(await m1.get(`/finance/receivables?period=${period}`), 403, 'forbidden');
  });

  const balanced = (rows, debitCol, creditCol) => {
    const sum = (c) => rows.reduce((s, r) => s + fen(r[c] || '0'), 0);
    assert.equal(sum(debitCol), sum(creditCol), 'debits equal credits');
    return sum(debitCol);
  };

  test('Kingdee CSV: UTF-8 with BOM, the 凭证导入 header, one balanced voucher with the customer on 应收账款', async () => {
    const f = await fetchBytes(sup, `/finance/vouchers?period=${period}&layout=kingdee&format=csv&start_no=7`);
    assert.equal(f.status, 200, f.bytes.toString());
    assert.deepEqual([...f.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = parseCsv(f.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    assert.deepEqual(rows[0], ['日期', '凭证字', '凭证号', '附件数', '分录序号', '摘要', '科目代码', '科目名称', '借方金额', '贷方金额', '客户', '部门', '币别', '汇率']);
    const body = rows.slice(1).filter((r) => r.length > 1);
    assert.deepEqual(body.map((r) => [r[2], r[4], r[6]]), [['7', '1', '112201'], ['7', '2', '6001'], ['7', '3', '22210106']]);
    assert.equal(body[0][0], `${period}-${String(new Date(Date.UTC(+period.slice(0, 4), +period.slice(5), 0)).getUTCDate())}`);
    assert.deepEqual([body[0][1], body[0][10], body[1][10]], ['记', sentEnt.customer_no, '']);
    assert.equal(balanced(body, 8, 9), fen(sent.total));
    assert.match(body[0][5], new RegExp(`对账单#${sent.id}`));
  });

  test('Yonyou XLSX: the 凭证引入 columns, amounts as numbers, picked statements; audited', async () => {
    const f = await fetchBytes(sup, `/finance/vouchers?ids=${sent.id}&layout=yonyou&format=xlsx`);
    assert.equal(f.status, 200, f.bytes.toString());
    const x = readXlsx(f.bytes);
    assert.deepEqual(x.rows[0], ['制单日期', '凭证类别', '凭证号', '附单据数', '摘要', '科目编码', '科目名称', '借方金额', '贷方金额', '币种', '客户编码', '客户名称', '部门编码']);
    const body = x.rows.slice(1);
    assert.deepEqual(body.map((r) => [r[2], r[5], r[10]]), [['1', '112201', sentEnt.customer_no], ['1', '6001', ''], ['1', '22210106', '']]);
    assert.equal(balanced(body, 7, 8), fen(sent.total));
    assert.equal(x.formulas, 0);
    expectError(await sup.get(`/finance/vouchers?period=${period}&layout=sap`), 422, 'validation_failed', { fields: ['layout'] });
    const audit = await findAudit(admin, () => true, { action: 'finance.export' });
    assert.deepEqual(audit.map((e) => e.detail.layout).sort(), ['kingdee', 'yonyou']);
  });
});
