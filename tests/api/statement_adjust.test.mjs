// Adjustments of a statement (调整, issue 18): claims, credits and manual
// corrections with a required reason, signed amounts, in the total, carried
// into a re-run version and named in the difference between versions;
// refused on a confirmed, paid or superseded version and below what was
// paid; audited; bad input named field by field, changing nothing.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { iso } from './lib/waybills.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, fetchBytes } from './lib/customers.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monthlyStatement, fen } from './lib/statements.mjs';

describe('statement adjustments', () => {
  const srv = useServer({
    label: 'statement-adjust',
    users: [
      { login: 'A9401', name: '调整管理员', role: 'admin', branch: 'GD' },
      { login: 'S9401', name: '调整主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9401', name: '调整经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9402', name: '深圳调整经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, m2, st, linesFen;
  const get = async (id) => {
    const r = await m1.get(`/statements/${id}`);
    assert.equal(r.status, 200, show(r));
    return r.body;
  };
  const adjust = (id, body, opts) => sup.post(`/statements/${id}/adjustments`, body, opts);

  test('set-up: a 月结 enterprise with last month\'s statement', async () => {
    ({ A9401: admin, S9401: sup, M9401: m1, M9402: m2 } = await signInAll(srv, ['A9401', 'S9401', 'M9401', 'M9402']));
    ({ statement: st } = await monthlyStatement(srv, { admin, sup, owner: m1, name: '广州调整测试有限公司', serial: 94010001 }));
    linesFen = fen(st.total);
    assert.ok(linesFen > 6000, `total ${st.total}`);
  });

  test('a credit and a correction change the total; the statement shows them with their reasons', async () => {
    let r = await adjust(st.id, { kind: 'credit', amount: '-50.00', reason: '季度返利冲减' });
    assert.equal(r.status, 201, show(r));
    r = await adjust(st.id, { kind: 'correction', amount: '12.30', reason: '补收上月漏计保价费' });
    assert.equal(r.status, 201, show(r));
    const s = await get(st.id);
    assert.equal(fen(s.total), linesFen - 5000 + 1230);
    assert.equal(s.adjust, '-37.70');
    assert.deepEqual(
      s.adjustments.map((a) => [a.kind, a.amount, a.amount_fen, a.reason, a.created_by_name]),
      [['credit', '-50.00', -5000, '季度返利冲减', '调整主管'], ['correction', '12.30', 1230, '补收上月漏计保价费', '调整主管']],
    );
    assert.match(s.adjustments[0].created_at, /^\d{4}-\d\d-\d\dT/);
    const list = (await m1.get(`/statements?enterprise_id=${s.enterprise_id}`)).body.items[0];
    assert.equal(list.total, s.total, 'the list shows the adjusted total');
    const audit = await findAudit(admin, (e) => e.detail && e.detail.statement_id === st.id, { action: 'statement.adjust' });
    assert.deepEqual(audit.map((e) => e.detail.amount_fen).sort((a, b) => a - b), [-5000, 1230]);
  });

  test('the PDF and the XLSX show the adjustments with their reasons, so the total adds up on the page', async () => {
    const s = await get(st.id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-adjust-'));
    try {
      const pdf = await fetchBytes(m1, `/statements/${st.id}/pdf`);
      assert.equal(pdf.status, 200);
      fs.writeFileSync(path.join(dir, 's.pdf'), pdf.bytes);
      const text = spawnSync('pdftotext', ['-layout', path.join(dir, 's.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, '');
      const yuan = (f) => (f / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      // the waybills' sum, each adjustment, then the total that includes them
      const at = (needle) => { const i = text.indexOf(needle); assert.ok(i >= 0, `the PDF lacks ${needle}`); return i; };
      const sub = at(`运费小计${yuan(linesFen)}`);
      const credit = at('优惠/冲减季度返利冲减-50.00');
      const corr = at('手工更正补收上月漏计保价费12.30');
      const total = at(`合计金额：${yuan(fen(s.total))}元`);
      assert.ok(sub < credit && credit < corr && corr < total, 'in that order');
      const xlsx = await fetchBytes(m1, `/statements/${st.id}/xlsx`);
      assert.equal(xlsx.status, 200);
      fs.writeFileSync(path.join(dir, 's.xlsx'), xlsx.bytes);
      // the 汇总 sheet (written row by row: its strings are inline)
      const sheet = spawnSync('unzip', ['-p', path.join(dir, 's.xlsx'), 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' }).stdout;
      for (const w of ['调整', '季度返利冲减', '补收上月漏计保价费', '优惠/冲减', '手工更正']) assert.ok(sheet.includes(`>${w}<`), `the XLSX lacks ${w}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad input is named field by field in zh and en and changes nothing', async () => {
    const before = await get(st.id);
    let r = await adjust(st.id, { kind: 'gift', amount: '0', reason: '   ' });
    expectError(r, 422, 'validation_failed', { fields: ['kind', 'amount', 'reason'] });
    r = await adjust(st.id, { kind: 'claim', amount: 12.5, reason: '理赔' }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['amount'] });
    r = await adjust(st.id, { kind: 'credit', amount: `-${(linesFen / 100 + 1).toFixed(2)}`, reason: '全额冲减' });
    expectError(r, 422, 'validation_failed', { fields: ['amount'] });
    const after = await get(st.id);
    assert.deepEqual([after.total, after.adjustments.length], [before.total, before.adjustments.length]);
  });

  test('a manager cannot adjust; another branch sees no such statement', async () => {
    expectError(await m1.post(`/statements/${st.id}/adjustments`, { kind: 'claim', amount: '-5.00', reason: '破损理赔' }), 403, 'forbidden');
    expectError(await m2.get(`/statements/${st.id}`), 404, 'not_found');
    const s = await get(st.id);
    expectError(await m2.delete(`/statements/${st.id}/adjustments/${s.adjustments[0].id}`), 403, 'forbidden');
  });

  test('重新生成 carries the adjustments; the difference names the ones added and removed since', async () => {
    const r = await sup.post(`/statements/${st.id}/regenerate`);
    assert.equal(r.status, 201, show(r));
    const v2id = r.body.id;
    let v2 = await get(v2id);
    assert.equal(v2.total, (await get(st.id)).total, 'the same waybills and the carried adjustments');
    assert.deepEqual(v2.adjustments.map((a) => a.reason), ['季度返利冲减', '补收上月漏计保价费']);
    assert.deepEqual([v2.difference.adjustments_added, v2.difference.adjustments_removed, v2.difference.delta], [[], [], '0.00']);
    expectError(await adjust(st.id, { kind: 'claim', amount: '-5.00', reason: '破损理赔' }), 409, 'statement_status');
    const credit = v2.adjustments.find((a) => a.kind === 'credit');
    let d = await sup.delete(`/statements/${v2id}/adjustments/${credit.id}`);
    assert.equal(d.status, 200, show(d));
    d = await adjust(v2id, { kind: 'claim', amount: '-8.80', reason: '运单 3 破损理赔' });
    assert.equal(d.status, 201, show(d));
    v2 = await get(v2id);
    assert.deepEqual(v2.difference.adjustments_removed.map((a) => [a.kind, a.amount]), [['credit', '-50.00']]);
    assert.deepEqual(v2.difference.adjustments_added.map((a) => [a.kind, a.amount, a.reason]), [['claim', '-8.80', '运单 3 破损理赔']]);
    assert.equal(v2.difference.delta, '41.20');
    assert.equal(fen(v2.total), linesFen + 1230 - 880);
    st = v2;
    assert.equal((await findAudit(admin, (e) => e.detail && e.detail.statement_id === v2id, { action: 'statement.adjust_delete' })).length, 1);
  });

  test('below what was paid is refused; a confirmed or paid statement takes no adjustment', async () => {
    let r = await sup.post(`/statements/${st.id}/send`);
    expectError(r, 422, 'validation_failed', { fields: ['contacts'] });
    r = await m1.post(`/enterprises/${st.enterprise_id}/contacts`, { name: '钱会计', mobile: '13800094011', email: 'qian@example.com', roles: ['finance'] });
    assert.equal(r.status, 201, show(r));
    r = await sup.post(`/statements/${st.id}/send`);
    assert.equal(r.status, 200, show(r));
    const today = iso(Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000)).slice(0, 10);
    const total = fen(st.total);
    r = await sup.post(`/statements/${st.id}/payments`, { paid_on: today, amount: ((total - 1000) / 100).toFixed(2), method: 'transfer' });
    assert.equal(r.status, 200, show(r));
    expectError(await adjust(st.id, { kind: 'credit', amount: '-10.01', reason: '冲减' }), 422, 'validation_failed', { fields: ['amount'] });
    r = await adjust(st.id, { kind: 'credit', amount: '-10.00', reason: '尾差冲减' });
    assert.equal(r.status, 201, show(r));
    const s = await get(st.id);
    assert.deepEqual([s.status, s.outstanding], ['paid', '0.00'], 'a credit that meets the payments settles it');
    expectError(await adjust(st.id, { kind: 'correction', amount: '1.00', reason: '补收' }), 409, 'statement_status');
  });
});
