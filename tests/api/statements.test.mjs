// Monthly statements (issue 18, second part). How an enterprise is billed
// (结算设置): the settings read as 现结 until set, change only with
// billing.write within the enterprise's scope, refuse bad input field by
// field in the caller's language without changing anything, are audited,
// and show the contacts with the finance role. Statements: the scheduler
// makes last month's once (passes and a restart make no second), its total
// is the recount of every waybill through POST /pricing/quote, a late
// waybill and 重新生成 make version 2 with the difference, the first stays.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, useServerPair, PG_DIR } from './lib/server.mjs';
import { Client, show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, resignIn, findAudit, fetchBytes } from './lib/customers.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { feed, makeKey, s10, iso } from './lib/waybills.mjs';
import { waitFor } from './lib/wait.mjs';
import { setFlow } from './lib/approvals.mjs';

describe('statements: billing settings', () => {
  const srv = useServer({
    label: 'statements',
    users: [
      { login: 'A9351', name: '对账管理员', role: 'admin', branch: 'GD' },
      { login: 'S9351', name: '对账主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9351', name: '对账经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9352', name: '深圳对账经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, sup, m1, m2, ent;
  const url = () => `/enterprises/${ent.id}/billing-settings`;

  test('set-up: an enterprise of a Guangzhou manager with a finance contact', async () => {
    ({ A9351: admin, S9351: sup, M9351: m1, M9352: m2 } = await signInAll(srv, ['A9351', 'S9351', 'M9351', 'M9352']));
    // a supervisor's credit-limit change waits for approval while the flow
    // is on (tests/api/approvals.test.mjs); these tests are about the settings
    await setFlow(admin, 'credit_limit', { enabled: false });
    let r = await m1.post('/enterprises', { name: '广州对账测试有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    r = await m1.post(`/enterprises/${ent.id}/contacts`, { name: '王会计', mobile: '13800093511', roles: ['finance'] });
    assert.equal(r.status, 201, show(r));
    r = await m1.post(`/enterprises/${ent.id}/contacts`, { name: '李联络', mobile: '13800093512', roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
  });

  test('an enterprise never set is billed 现结, and shows its finance contacts only', async () => {
    const r = await m1.get(url());
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.mode, 'cash');
    assert.equal(r.body.version, 0);
    assert.equal(r.body.credit_limit, '0.00');
    assert.deepEqual(r.body.finance_contacts.map((c) => c.name), ['王会计']);
  });

  test('billing.write within scope sets 月结; the change is audited', async () => {
    let r = await sup.put(url(), { version: 0, mode: 'monthly', statement_day: 5, payment_days: 30, credit_limit: '50000.00', split_departments: true });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.mode, r.body.statement_day, r.body.payment_days, r.body.credit_limit, r.body.split_departments, r.body.version], ['monthly', 5, 30, '50000.00', true, 1]);
    r = await m1.get(url());
    assert.equal(r.body.credit_limit, '50000.00', 'the manager reads what the supervisor set');
    const audit = await findAudit(admin, (e) => e.object_id === String(ent.id), { action: 'billing_settings.update' });
    assert.equal(audit.length, 1, 'one audit entry');
    assert.equal(audit[0].detail.credit_limit_fen, 5000000);
  });

  test('bad input: every field named in the caller language, nothing changed', async () => {
    let r = await sup.put(url(), { version: 1, mode: 'weekly', statement_day: 29, payment_days: -1, credit_limit: 12.5, split_departments: 'yes' });
    expectError(r, 422, 'validation_failed', { fields: ['mode', 'statement_day', 'payment_days', 'credit_limit', 'split_departments'] });
    r = await sup.put(url(), { version: 1, statement_day: 0 }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['statement_day'] });
    r = await sup.put(url(), { version: 0, statement_day: 10 });
    expectError(r, 409, 'stale_version');
    r = await m1.get(url());
    assert.deepEqual([r.body.mode, r.body.statement_day, r.body.version], ['monthly', 5, 1]);
  });

  test('a manager cannot change them; another branch sees no such enterprise', async () => {
    expectError(await m1.put(url(), { version: 1, statement_day: 10 }), 403, 'forbidden');
    expectError(await m2.get(url()), 404, 'not_found');
    const r = await sup.put(url(), { version: 1, credit_limit: null });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.credit_limit, r.body.statement_day, r.body.version], ['0.00', 5, 2], 'null clears the limit, the rest kept');
  });
});

describe('statements: made once, priced like the quote, versions', () => {
  const srv = useServer({
    label: 'statements-gen',
    users: [
      { login: 'A9353', name: '出账管理员', role: 'admin', branch: 'GD' },
      { login: 'S9353', name: '出账主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9353', name: '出账经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9354', name: '深圳出账经理', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  const GZ = '广东省/广州市/天河区';
  const DESTS = ['北京市/北京市/朝阳区', '广东省/广州市/越秀区', '上海市/上海市/浦东新区', '新疆维吾尔自治区/乌鲁木齐市/天山区'];
  let admin, sup, m1, m2, ent, key, now, period, fed = [];

  const lastMonth = (t) => {
    const d = new Date((t + 8 * 3600) * 1000);
    d.setUTCDate(0); // the last day of the month before
    return d.toISOString().slice(0, 7);
  };
  const statementsOf = async (client = m1) => {
    const r = await client.get(`/statements?enterprise_id=${ent.id}&all_versions=1`);
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  };
  const feedOne = async (serial, at, i) => {
    const w = { waybill_no: s10(serial), enterprise_id: ent.id, product: 'standard', origin: GZ, destination: DESTS[i % DESTS.length], weight: ((4 + (i % 7) * 9) / 10).toFixed(1), collected_at: iso(at) };
    const r = await feed(srv, '/waybills:batch', key.secret, [w]);
    assert.equal(r.body.created, 1, show(r));
    return w;
  };

  test('set-up: a 月结 enterprise with waybills last month and this month', async () => {
    ({ A9353: admin, S9353: sup, M9353: m1, M9354: m2 } = await signInAll(srv, ['A9353', 'S9353', 'M9353', 'M9354']));
    await setFlow(admin, 'credit_limit', { enabled: false }); // approvals.test.mjs tests the flow
    const r = await m1.post('/enterprises', { name: '广州月结测试有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    // 发送 e-mails the statement: a finance contact with an address to send to
    const c = await m1.post(`/enterprises/${ent.id}/contacts`, { name: '赵会计', mobile: '13800093531', email: 'zhao@example.com', roles: ['finance'] });
    assert.equal(c.status, 201, show(c));
    key = await makeKey(admin, '对账对接');
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    period = lastMonth(now);
    const [y, m] = period.split('-').map(Number);
    const mid = Date.UTC(y, m - 1, 15, 2) / 1000; // the 15th, 10:00 +08:00
    for (let i = 0; i < 12; i++) fed.push(await feedOne(93530001 + i, mid + i * 3600, i));
    await feedOne(93530100, now - 60, 0); // this month: not on last month's statement
  });

  test('the scheduler makes last month\'s statement once: more passes and a restart make no second', async () => {
    const r = await sup.put(`/enterprises/${ent.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1, payment_days: 15 });
    assert.equal(r.status, 200, show(r));
    const items = await waitFor(async () => {
      const it = await statementsOf();
      return it.length ? it : null;
    }, { what: 'the statement of last month', timeoutMs: 20000 });
    assert.deepEqual(items.map((s) => [s.period, s.version, s.status, s.waybill_count]), [[period, 1, 'draft', 12]]);
    const seen = (await findAudit(admin, (e) => e.object_id === String(ent.id), { action: 'statement.generate' })).length;
    assert.equal(seen, 1);
    await srv.restart();
    for (const [c, login] of [[admin, 'A9353'], [sup, 'S9353'], [m1, 'M9353'], [m2, 'M9354']]) await resignIn(srv, c, login);
    // A second enterprise turned 月结 after the restart: its statement
    // appearing proves a pass ran since, and the first got no second.
    const r2 = await m1.post('/enterprises', { name: '广州月结第二有限公司', tier: 'key', status: 'active' });
    assert.equal(r2.status, 201, show(r2));
    const other = r2.body.enterprise;
    assert.equal((await sup.put(`/enterprises/${other.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 })).status, 200);
    await waitFor(async () => (await m1.get(`/statements?enterprise_id=${other.id}`)).body.items.length === 1, { what: 'a pass after the restart', timeoutMs: 20000 });
    assert.equal((await statementsOf()).length, 1);
    assert.equal((await findAudit(admin, (e) => e.object_id === String(ent.id), { action: 'statement.generate' })).length, 1);
  });

  test('the total is the recount of every waybill through the quote; 大写 and due date shown', async () => {
    const [s] = await statementsOf();
    const r = await m1.get(`/statements/${s.id}?limit=500`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.lines.length, 12);
    let fen = 0;
    for (const w of fed) {
      const q = await m1.post('/pricing/quote', { enterprise_id: ent.id, product: w.product, origin: w.origin, destination: w.destination, weight: w.weight, at: w.collected_at });
      assert.equal(q.status, 200, show(q));
      const line = r.body.lines.find((l) => l.waybill_no === w.waybill_no);
      assert.equal(line.amount, q.body.total, `${w.waybill_no} priced as the quote`);
      fen += Math.round(Number(q.body.total) * 100);
    }
    assert.equal(r.body.total, (fen / 100).toFixed(2));
    assert.ok(r.body.total_words.endsWith('整') || r.body.total_words.includes('分'), r.body.total_words);
    assert.equal(r.body.by_product.length, 1);
    assert.equal(r.body.by_product[0].amount, r.body.total);
    assert.equal(r.body.difference, null, 'a first version has no difference');
  });

  test('a late waybill and 重新生成 make version 2 with the difference; version 1 stays readable', async () => {
    const [s1] = await statementsOf();
    const [y, m] = period.split('-').map(Number);
    const late = await feedOne(93530200, Date.UTC(y, m - 1, 20, 2) / 1000, 2);
    expectError(await m1.post(`/statements/${s1.id}/regenerate`), 403, 'forbidden');
    expectError(await m2.get(`/statements/${s1.id}`), 404, 'not_found');
    const r = await sup.post(`/statements/${s1.id}/regenerate`);
    assert.equal(r.status, 201, show(r));
    assert.deepEqual([r.body.version, r.body.waybill_count], [2, 13]);
    const v2 = (await m1.get(`/statements/${r.body.id}`)).body;
    assert.deepEqual(v2.difference.added.map((a) => a.waybill_no), [late.waybill_no]);
    assert.deepEqual([v2.difference.removed.length, v2.difference.changed.length], [0, 0]);
    assert.equal(v2.difference.delta, v2.difference.added[0].amount);
    assert.deepEqual(v2.versions.map((v) => v.version), [1, 2]);
    const v1 = (await m1.get(`/statements/${s1.id}`)).body;
    assert.deepEqual([v1.version, v1.waybill_count, v1.total], [1, 12, s1.total]);
    const latest = (await m1.get(`/statements?enterprise_id=${ent.id}`)).body.items;
    assert.deepEqual(latest.map((x) => x.version), [2], 'the list shows the latest version');
  });

  test('statuses: send, bad transitions refused in zh/en, the old version frozen, partial payments until paid', async () => {
    const [s2] = (await m1.get(`/statements?enterprise_id=${ent.id}`)).body.items;
    const s1 = (await statementsOf()).find((x) => x.version === 1);
    const pay = (body, opts) => sup.post(`/statements/${s2.id}/payments`, { paid_on: iso(now).slice(0, 10), method: 'transfer', reference: 'HK-001', ...body }, opts);
    expectError(await pay({ amount: '1.00' }), 409, 'statement_status');
    expectError(await sup.post(`/statements/${s2.id}/confirm`, {}, { lang: 'en' }), 409, 'statement_status', { lang: 'en' });
    expectError(await sup.post(`/statements/${s1.id}/send`), 409, 'statement_status');
    expectError(await m1.post(`/statements/${s2.id}/send`), 403, 'forbidden');
    let r = await sup.post(`/statements/${s2.id}/send`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.status, 'sent');
    expectError(await sup.post(`/statements/${s2.id}/send`), 409, 'statement_status');
    const totalFen = Math.round(Number(s2.total) * 100);
    const part = ((totalFen - 100) / 100).toFixed(2);
    r = await pay({ amount: '0', method: 'barter', paid_on: '2026-13-01' });
    expectError(r, 422, 'validation_failed', { fields: ['amount', 'method', 'paid_on'] });
    expectError(await pay({ amount: s2.total + '1' }), 422, 'validation_failed', { fields: ['amount'] });
    r = await pay({ amount: part });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.status, r.body.paid], ['sent', part], 'a partial payment leaves it sent');
    expectError(await pay({ amount: '1.01' }), 422, 'validation_failed', { fields: ['amount'] });
    r = await pay({ amount: '1.00', method: 'cash', reference: '' });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([r.body.status, r.body.paid], ['paid', s2.total]);
    const full = (await m1.get(`/statements/${s2.id}`)).body;
    assert.deepEqual(full.payments.map((p) => [p.amount, p.method]), [[part, 'transfer'], ['1.00', 'cash']]);
    expectError(await pay({ amount: '1.00' }), 409, 'statement_status');
  });

  test('a dispute opens a 投诉 ticket of the enterprise with the reason, linked to the statement', async () => {
    const [s1] = await statementsOf();
    const regen = await sup.post(`/statements/${s1.id}/regenerate`);
    assert.equal(regen.status, 201, show(regen));
    const id = regen.body.id;
    expectError(await sup.post(`/statements/${id}/dispute`, { reason: '运单重复计费' }), 409, 'statement_status');
    assert.equal((await sup.post(`/statements/${id}/send`)).status, 200);
    expectError(await sup.post(`/statements/${id}/dispute`, { reason: '' }), 422, 'validation_failed', { fields: ['reason'] });
    const r = await sup.post(`/statements/${id}/dispute`, { reason: '运单重复计费，请核对 11 月第 3 单' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.status, 'disputed');
    const st = (await m1.get(`/statements/${id}`)).body;
    assert.ok(Number.isInteger(st.ticket_id), show(r));
    const t = await sup.get(`/tickets/${st.ticket_id}`);
    assert.equal(t.status, 200, show(t));
    const tk = t.body.ticket || t.body;
    assert.equal(tk.type, 'complaint');
    assert.equal(tk.enterprise_id, ent.id);
    assert.ok(JSON.stringify(tk).includes('运单重复计费'), 'the reason is on the ticket');
    const c = await sup.post(`/statements/${id}/confirm`);
    assert.equal(c.body.status, 'confirmed', 'confirmed once the dispute is settled');
  });

  test('credit alert: the account manager is told once per crossing of the limit', async () => {
    const alerts = async () => {
      const r = await m1.get('/notifications');
      assert.equal(r.status, 200, show(r));
      return r.body.items.filter((n) => n.kind === 'statement.credit_alert');
    };
    assert.equal((await alerts()).length, 0);
    const settings = async (body) => {
      const cur = (await sup.get(`/enterprises/${ent.id}/billing-settings`)).body;
      const r = await sup.put(`/enterprises/${ent.id}/billing-settings`, { version: cur.version, ...body });
      assert.equal(r.status, 200, show(r));
    };
    await settings({ credit_limit: '1.00' });
    const first = await waitFor(async () => ((await alerts()).length ? await alerts() : null), { what: 'the credit alert', timeoutMs: 20000 });
    assert.ok(first[0].title.includes('广州月结测试有限公司'), first[0].title);
    assert.equal((await m1.get(`/enterprises/${ent.id}/billing-settings`)).body.over_credit_limit, true);
    await settings({ credit_limit: '99999999.00' });
    await waitFor(async () => (await m1.get(`/enterprises/${ent.id}/billing-settings`)).body.over_credit_limit === false, { what: 'back under the limit', timeoutMs: 20000 });
    assert.equal((await alerts()).length, 1, 'going back under tells nobody');
    await settings({ credit_limit: '2.00' });
    // Told again only after it went back under and crossed anew: passes in
    // between (several, 5 s apart) told nobody.
    const again = await waitFor(async () => ((await alerts()).length >= 2 ? await alerts() : null), { what: 'the second crossing', timeoutMs: 20000 });
    assert.equal(again.length, 2);
  });

  test('the PDF of a statement of 300 waybills: Chinese text, total and 大写, every page numbered of the count, renders', async () => {
    const r = await m1.post('/enterprises', { name: '广州三百单有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    const big = r.body.enterprise;
    const [y, m] = period.split('-').map(Number);
    const start = Date.UTC(y, m - 1, 3, 2) / 1000;
    for (let b = 0; b < 3; b++) {
      const lines = [];
      for (let i = 0; i < 100; i++) {
        const k = b * 100 + i;
        lines.push({ waybill_no: s10(93531000 + k), enterprise_id: big.id, product: 'standard', origin: GZ, destination: DESTS[k % DESTS.length], weight: ((5 + (k % 9) * 7) / 10).toFixed(1), collected_at: iso(start + k * 600) });
      }
      const f = await feed(srv, '/waybills:batch', key.secret, lines);
      assert.equal(f.body.created, 100, show(f));
    }
    assert.equal((await sup.put(`/enterprises/${big.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1, payment_days: 30 })).status, 200);
    const st = await waitFor(async () => (await m1.get(`/statements?enterprise_id=${big.id}`)).body.items[0], { what: 'the big statement', timeoutMs: 30000 });
    assert.equal(st.waybill_count, 300);
    const got = await fetchBytes(m1, `/statements/${st.id}/pdf`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/pdf');
    const bytes = got.bytes;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-stmt-'));
    const file = path.join(dir, 's.pdf');
    fs.writeFileSync(file, bytes);
    if (process.env.HONGYAN_KEEP_PDF) fs.copyFileSync(file, path.join(process.env.HONGYAN_KEEP_PDF, 'statement.pdf'));
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
    const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout)[1]);
    const png = spawnSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', file, path.join(dir, 'p')]);
    const rendered = fs.readdirSync(dir).filter((n) => n.endsWith('.png'));
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(png.status, 0);
    assert.equal(rendered.length, 1, 'the first page renders');
    assert.ok(pages >= 6 && pages <= 20, `300 lines over several pages: ${pages}`);
    for (let n = 1; n <= pages; n++) assert.ok(text.includes(`第 ${n} 页 / 共 ${pages} 页`), `page ${n} of ${pages} numbered`);
    assert.ok(text.includes('广州三百单有限公司') && text.includes('运单明细'), 'Chinese text present');
    assert.ok(text.includes(`合计金额：${st.total} 元`), `the total ${st.total}`);
    assert.ok(text.includes(`大写：${st.total_words}`), `大写 ${st.total_words}`);
    const headers = text.split('\n').filter((l) => l.includes('运单号') && l.includes('金额(元)')).length;
    assert.ok(headers >= pages - 1, `the table header repeated on the table's pages: ${headers} of ${pages}`);
    for (const no of [s10(93531000), s10(93531299)]) assert.ok(text.includes(no), `${no} listed`);
    expectError(await m2.get(`/statements/${st.id}/pdf`), 404, 'not_found');
  });
});

describe('statements: two servers over one PostgreSQL database make one', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (scripts/with-pg.sh)' }, () => {
  const [a, b] = useServerPair({ users: [{ login: 'A9355', name: '双机出账管理员', role: 'admin', branch: 'GD' }] }, ['stmt-a', 'stmt-b']);
  const test = a.it;

  test('with both servers running, a period\'s statement is made once', async () => {
    const { A9355: adminA } = await signInAll(a, ['A9355']);
    const adminB = new Client(b);
    await adminB.signIn('A9355', a.users.A9355.password);
    const made = async (client, ent) => (await client.get(`/statements?enterprise_id=${ent}&all_versions=1`)).body.items;
    let r = await adminA.post('/enterprises', { name: '双机月结有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    const ent = r.body.enterprise.id;
    assert.equal((await adminB.put(`/enterprises/${ent}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 })).status, 200);
    await waitFor(async () => (await made(adminA, ent)).length === 1, { what: 'the statement', timeoutMs: 20000 });
    // a second enterprise set through the other server: its statement
    // proves later passes ran, and the first is still one
    r = await adminB.post('/enterprises', { name: '双机月结第二有限公司', tier: 'key', status: 'active' });
    const ent2 = r.body.enterprise.id;
    assert.equal((await adminA.put(`/enterprises/${ent2}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 })).status, 200);
    await waitFor(async () => (await made(adminB, ent2)).length === 1, { what: 'a later pass', timeoutMs: 20000 });
    const client = adminB;
    assert.equal((await made(client, ent)).length, 1, 'still one statement of the first');
  });
});

