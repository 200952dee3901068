// Money is a decimal with a range (issue 13, finding 10): 1e308 was stored
// as -1.00 and -1e308 as 1.00. Amounts are parsed as text, never through a
// double that can overflow; out of range is a clear 422.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, createCustomer, runExport, parseCsv, readXlsx } from './lib/customers.mjs';

describe('money amounts', () => {
  const srv = useServer({ label: 'money', users: [{ login: 'C9971', name: '金额柜员', role: 'clerk', branch: 'GD-GZ-01' }] });
  const test = srv.it;
  const u = new Uniq(97);
  let clerk, cust;
  const record = (amount, lang) =>
    clerk.post(`/customers/${cust.id}/interactions`, { type: 'ems', occurred_at: '2026-11-20T10:00:00+08:00', amount }, lang ? { lang } : {});

  test('set-up', async () => {
    ({ C9971: clerk } = await signInAll(srv, ['C9971']));
    cust = await createCustomer(clerk, { name: '金额客户', phone: u.phone() });
  });

  test('huge amounts, as numbers or as text, are refused with 422 on amount in the user\'s language', async () => {
    for (const amount of [1e308, -1e308, 1e13, '12345678901234', '-99999999999999.5']) {
      const e = expectError(await record(amount), 422, 'validation_failed', { fields: ['amount'] });
      assert.match(e.fields.amount, /超出范围/, `${amount}: ${e.fields.amount}`);
    }
    const en = expectError(await record(1e308, 'en'), 422, 'validation_failed', { lang: 'en', fields: ['amount'] });
    assert.match(en.fields.amount, /out of range/);
  });

  test('amounts in range are stored exactly, to the fen', async () => {
    for (const [amount, shown] of [['9999999999999.99', '9999999999999.99'], ['0028.5', '28.50'], [12.5, '12.50'], ['0.5', '0.50'], [7, '7.00']]) {
      const r = await record(amount);
      assert.equal(r.status, 201, show(r));
      assert.equal(r.body.interaction.amount, shown, `${amount}`);
    }
  });

  test('exports write amounts as numbers: a refund is -50.00 in CSV and a number cell in XLSX, while text is still neutralised', async () => {
    const paid = await record('50');
    assert.equal(paid.status, 201, show(paid));
    const r = await clerk.post(`/customers/${cust.id}/interactions`, {
      kind: 'refund', refund_of: paid.body.interaction.id, occurred_at: '2026-11-21T10:00:00+08:00', amount: '50', description: '-退款说明',
    });
    assert.equal(r.status, 201, show(r));
    const csv = parseCsv((await runExport(clerk, { entity: 'interactions', format: 'csv' })).file.bytes.toString('utf8').replace(/^\ufeff/, ''));
    const h = csv[0];
    const refund = csv.slice(1).find((r) => r[h.indexOf('业务描述')] === "'-退款说明");
    assert.ok(refund, `the description is neutralised as text: ${JSON.stringify(csv)}`);
    assert.equal(refund[h.indexOf('金额（元）')], '-50.00');

    const x = readXlsx((await runExport(clerk, { entity: 'interactions', format: 'xlsx' })).file.bytes);
    const xh = x.rows[0];
    const xrow = x.rows.slice(1).find((r) => r[xh.indexOf('业务描述')] === "'-退款说明");
    assert.ok(xrow, JSON.stringify(x.rows));
    assert.equal(Number(xrow[xh.indexOf('金额（元）')]), -50);
    const sheetXml = Object.entries(x.files).find(([n]) => /worksheets\/sheet1\.xml$/.test(n))[1].toString('utf8');
    assert.match(sheetXml, /<c r="[A-Z]+\d+"(?: s="\d+")?><v>-50<\/v><\/c>/, 'a number cell, not a string');
    assert.equal(x.formulas, 0);
  });
});
