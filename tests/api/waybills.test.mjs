// Waybills and tracking events (issue 16, the backend): the NDJSON feeds
// behind API keys with scopes, the check digits, per-line refusals in the
// caller's language, idempotent replay, the rollups against a recount,
// the 360 shipping figures, the timeline, stuck-shipment alerts (raised
// once, not again after a restart, closed by the next event, what the
// manager told the customer), the masked recipient and who sees what.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, TestServer, TIME_SCALE, PG_DIR } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, resignIn, uploadCsv, pollJob, fetchBytes, parseCsv, runExport } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';
import { s10, domestic, wrongDigit, feed, makeKey, iso } from './lib/waybills.mjs';

const PRODUCTS = ['standard', 'economy', 'heavy', 'medical'];
const PROVINCES = ['北京市', '上海市', '广东省', '浙江省'];
const CHANNELS = ['api', 'pc', 'miniapp', 'counter'];

describe('waybills, events, shipping figures and alerts', () => {
  const srv = useServer({
    label: 'waybills',
    users: [
      { login: 'A9161', name: '运单管理员', role: 'admin', branch: 'GD' },
      { login: 'M9161', name: '运单经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9162', name: '运单经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9161', name: '运单柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9162', name: '深圳柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, m2, clerk, szClerk, key, ent1, ent2, dept1, now;
  const sent = []; // waybill lines accepted for ent1
  let serial = 100;

  const line = (over = {}) => ({
    waybill_no: s10(serial++),
    enterprise_id: ent1.id,
    product: 'standard',
    channel: 'api',
    origin: '广东省/广州市/天河区',
    destination: '北京市/北京市/朝阳区',
    weight: 1.25,
    fee: '23.00',
    collected_at: iso(now - 3600),
    recipient_name: '王小五',
    recipient_phone: '13812341234',
    recipient_address: '北京市朝阳区建国路1号院',
    ...over,
  });

  test('set-up: enterprises of two managers, an API key', async () => {
    ({ A9161: admin, M9161: m1, M9162: m2, C9161: clerk, C9162: szClerk } = await signInAll(srv, ['A9161', 'M9161', 'M9162', 'C9161', 'C9162']));
    let r = await m1.post('/enterprises', { name: '广州医药物流有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent1 = r.body.enterprise;
    r = await m2.post('/enterprises', { name: '广州电子商务有限公司', tier: 'regular', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent2 = r.body.enterprise;
    r = await m1.post(`/enterprises/${ent1.id}/departments`, { name: '华南事业部' });
    assert.equal(r.status, 201, show(r));
    dept1 = r.body.department;
    key = await makeKey(admin, '物流系统对接');
    assert.match(key.secret, /^hyk_[A-Za-z0-9_-]{43}$/);
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
  });

  test('API keys: listed by prefix only, the scope decides, a revoked key is unknown, staff cannot feed', async () => {
    const list = await admin.get('/api-keys');
    assert.equal(list.status, 200, show(list));
    const row = list.body.items.find((k) => k.id === key.id);
    assert.equal(row.prefix, key.secret.slice(0, 12));
    assert.deepEqual(row.scopes, ['waybills.write']);
    assert.ok(!list.text.includes(key.secret), 'the secret is never shown again');
    expectError(await m1.get('/api-keys'), 403, 'forbidden');

    const noScope = await makeKey(admin, '只读对接', []);
    const ok = line();
    expectError(await feed(srv, '/waybills:batch', noScope.secret, [ok]), 403, 'forbidden');
    expectError(await feed(srv, '/waybills:batch', null, [ok]), 401, 'unauthorized');
    expectError(await feed(srv, '/waybills:batch', 'hyk_not-a-key', [ok]), 401, 'unauthorized');
    // A signed-in admin holds no feed right: feeds are integrations' work.
    expectError(await admin.post('/waybills:batch', undefined, { raw: JSON.stringify(ok) }), 403, 'forbidden');
    // The key is no person: it reads nothing.
    const read = await fetch(`${srv.baseUrl}/api/v1/waybills`, { headers: { Authorization: `Bearer ${key.secret}` } });
    assert.equal(read.status, 403);

    const revoked = await makeKey(admin, '停用对接');
    const rv = await admin.post(`/api-keys/${revoked.id}/revoke`);
    assert.equal(rv.status, 200, show(rv));
    assert.ok(rv.body.api_key.revoked_at);
    expectError(await feed(srv, '/waybills:batch', revoked.secret, [ok]), 401, 'unauthorized');
    const audit = await findAudit(admin, (e) => e.action === 'apikey.revoke' && String(e.object_id) === String(revoked.id));
    assert.equal(audit.length, 1);
    const none = await admin.get(`/waybills?number=${ok.waybill_no}`);
    assert.equal(none.body.total, 0, 'nothing refused was stored');
  });

  test('feeding waybills: check digits, per-line refusals with field messages in the caller\'s language', async () => {
    const good = line({ department_id: dept1.id, product: 'medical', declared_value: 2000, cod_amount: '0' });
    const dom = line({ waybill_no: domestic('981234567890'), product: 'economy', destination: '上海市/上海市/浦东新区', channel: 'pc' });
    const badCheck = line({ waybill_no: wrongDigit(s10(serial++)) });
    const badShape = line({ waybill_no: 'EA12345678CN' });
    const badFields = line({ product: 'teleport', weight: -1, collected_at: '2026-11-30 09:00', destination: '北京市//朝阳区' });
    const otherDept = line({ department_id: 999999 });
    const r = await feed(srv, '/waybills:batch', key.secret, [good, dom, badCheck, '{"waybill_no": ', badShape, '', badFields, otherDept]);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.lines, 7, 'blank lines do not count');
    assert.equal(r.body.created, 2, show(r));
    assert.equal(r.body.refused, 5, show(r));
    const byLine = Object.fromEntries(r.body.errors.map((e) => [e.line, e]));
    const expected = badCheck.waybill_no[10] === '0' ? '9' : String(Number(badCheck.waybill_no[10]) - 1);
    assert.match(byLine[3].fields.waybill_no, new RegExp(`校验位.*${expected}`), show(r));
    assert.equal(byLine[3].waybill_no, badCheck.waybill_no);
    assert.ok(byLine[4].fields.line, 'a line that is not JSON is named');
    assert.match(byLine[5].fields.waybill_no, /13位/);
    assert.deepEqual(Object.keys(byLine[7].fields).sort(), ['collected_at', 'destination', 'product', 'weight']);
    assert.ok(byLine[8].fields.department_id, show(r));
    sent.push(good, dom);

    const en = await feed(srv, '/waybills:batch', key.secret, [badCheck], { lang: 'en' });
    assert.match(en.body.errors[0].fields.waybill_no, new RegExp(`check digit.*${expected}`));
    const stored = await admin.get(`/waybills?number=${badCheck.waybill_no}`);
    assert.equal(stored.body.total, 0, 'a refused line is not stored');
  });

  test('a batch of more than 10,000 lines is refused whole', async () => {
    const lines = Array.from({ length: 10001 }, () => '{}');
    const r = await feed(srv, '/waybills:batch', key.secret, lines);
    expectError(r, 413, 'batch_too_large');
  });

  test('replaying a feed changes nothing; a corrected line updates the waybill and moves the rollups', async () => {
    const again = await feed(srv, '/waybills:batch', key.secret, sent);
    assert.equal(again.status, 200, show(again));
    assert.deepEqual([again.body.created, again.body.updated, again.body.unchanged], [0, 0, 2], show(again));
    const before = (await m1.get(`/enterprises/${ent1.id}/shipping`)).body.totals;
    const fixed = { ...sent[1], weight: 3.5, fee: '40.00' };
    const r = await feed(srv, '/waybills:batch', key.secret, [fixed]);
    assert.equal(r.body.updated, 1, show(r));
    sent[1] = fixed;
    const after = (await m1.get(`/enterprises/${ent1.id}/shipping`)).body.totals;
    assert.equal(after.pieces, before.pieces, 'a correction is no new piece');
    assert.equal(Number(after.fee) - Number(before.fee), 40 - 23);
    const w = await m1.get(`/waybills/${fixed.waybill_no}`);
    assert.equal(w.body.waybill.weight, '3.500');
    assert.equal(w.body.waybill.fee, '40.00');
  });

  test('the shipping figures equal a recount of the waybills fed', async () => {
    // 60 more waybills over the last 80 days, products, provinces and channels mixed.
    const more = [];
    for (let i = 0; i < 60; i++) {
      more.push(line({
        product: PRODUCTS[i % 4],
        destination: `${PROVINCES[i % 4]}/某市`,
        channel: CHANNELS[(i * 7) % 4],
        weight: 0.5 + (i % 9) * 0.75,
        fee: `${10 + (i % 13)}.${i % 10}0`,
        collected_at: iso(now - 3600 - i * 80000),
        department_id: i % 3 === 0 ? dept1.id : null,
      }));
    }
    const r = await feed(srv, '/waybills:batch', key.secret, more);
    assert.equal(r.body.created, 60, show(r));
    sent.push(...more);
    const fig = await m1.get(`/enterprises/${ent1.id}/shipping?period=quarter`);
    assert.equal(fig.status, 200, show(fig));
    const f = fig.body;
    const inPeriod = sent.filter((l) => Date.parse(l.collected_at) / 1000 >= Date.parse(`${f.from}T00:00:00+08:00`) / 1000);
    const sum = (ls, k) => ls.reduce((s, l) => s + Math.round(Number(l[k]) * (k === 'weight' ? 1000 : 100)), 0);
    assert.equal(f.totals.pieces, inPeriod.length);
    assert.equal(Math.round(Number(f.totals.fee) * 100), sum(inPeriod, 'fee'));
    assert.equal(Math.round(Number(f.totals.weight) * 1000), sum(inPeriod, 'weight'));
    assert.equal(f.daily.length, 90);
    assert.equal(f.daily.reduce((s, d) => s + d.pieces, 0), inPeriod.length);
    assert.equal(f.trend.length, 90);
    for (const p of PRODUCTS.concat(['economy'])) {
      const want = inPeriod.filter((l) => l.product === p).length;
      const got = f.products.find((x) => x.product === p);
      assert.equal(got ? got.pieces : 0, want, `product ${p}`);
    }
    for (const c of ['api', 'pc', 'miniapp', 'counter']) {
      const want = inPeriod.filter((l) => (l.channel || '') === c).length;
      const got = f.channels.find((x) => x.channel === c);
      assert.equal(got ? got.pieces : 0, want, `channel ${c}`);
    }
    const bj = f.destinations.find((d) => d.province === '北京市');
    assert.equal(bj.pieces, inPeriod.filter((l) => l.destination.startsWith('北京市')).length);
    assert.equal(f.monthly.reduce((s, m) => s + m.pieces, 0), inPeriod.length);
    assert.equal(f.quarterly.reduce((s, m) => s + Math.round(Number(m.fee) * 100), 0), sum(inPeriod, 'fee'));
    // The same against the database: the rollups hold what the waybills say.
    const [[n, g, fee]] = srv.queryDb(`SELECT COUNT(*), SUM(weight_g), SUM(fee_fen) FROM waybills WHERE enterprise_id = ${ent1.id}`);
    const [[rn, rg, rfee]] = srv.queryDb(`SELECT SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups WHERE enterprise_id = ${ent1.id}`);
    assert.deepEqual([rn, rg, rfee], [n, g, fee]);
    // The coarser rollups (migration 0030: per day, per month and dimension) hold the same.
    const [[dn, dg, dfee]] = srv.queryDb(`SELECT SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups_day WHERE enterprise_id = ${ent1.id}`);
    assert.deepEqual([dn, dg, dfee], [n, g, fee]);
    for (const dim of ['product', 'province', 'channel']) {
      const [[mn, mg, mfee]] = srv.queryDb(`SELECT SUM(pieces), SUM(weight_g), SUM(fee_fen) FROM waybill_rollups_month WHERE enterprise_id = ${ent1.id} AND dim = '${dim}'`);
      assert.deepEqual([mn, mg, mfee], [n, g, fee], `month rollup by ${dim}`);
    }
    // A year (whole months from the month rollup, the partial ones at its
    // ends from the detailed rows) and a month (detailed rows only) equal a recount.
    for (const period of ['year', 'month']) {
      const y = (await m1.get(`/enterprises/${ent1.id}/shipping?period=${period}`)).body;
      const from = Date.parse(`${y.from}T00:00:00+08:00`) / 1000;
      const mine = sent.filter((l) => Date.parse(l.collected_at) / 1000 >= from);
      assert.equal(y.totals.pieces, mine.length, period);
      for (const p of PRODUCTS.concat(['economy'])) {
        const want = mine.filter((l) => l.product === p);
        const got = y.products.find((x) => x.product === p);
        assert.equal(got ? got.pieces : 0, want.length, `${period} product ${p}`);
        assert.equal(got ? Math.round(Number(got.fee) * 100) : 0, sum(want, 'fee'), `${period} product ${p} fee`);
      }
      for (const c of CHANNELS) {
        const got = y.channels.find((x) => x.channel === c);
        assert.equal(got ? got.pieces : 0, mine.filter((l) => (l.channel || '') === c).length, `${period} channel ${c}`);
      }
      for (const pr of PROVINCES) {
        const got = y.destinations.find((x) => x.province === pr);
        assert.equal(got ? got.pieces : 0, mine.filter((l) => l.destination.startsWith(pr)).length, `${period} province ${pr}`);
      }
    }
    const dept = await m1.get(`/enterprises/${ent1.id}/shipping?period=year&department_id=${dept1.id}`);
    assert.equal(dept.body.totals.pieces, sent.filter((l) => l.department_id === dept1.id).length);
    expectError(await m1.get(`/enterprises/${ent1.id}/shipping?period=decade`), 422, 'validation_failed', { fields: ['period'] });
  });

  test('the enterprise list filters by the figures: spend of the last 90 days, no waybill for 30 days', async () => {
    const q = (f) => admin.get(`/enterprises?limit=200&filter=${encodeURIComponent(JSON.stringify(f))}`);
    const spend = sent.filter((l) => Date.parse(l.collected_at) / 1000 > now - 89 * 86400).reduce((s, l) => s + Number(l.fee), 0);
    // The pass keeps today's day for the filters: wait for its first round.
    const big = await waitFor(async () => {
      const r = await q({ field: 'spend_90d', op: 'gt', value: Math.floor(spend) - 1 });
      return r.body.items?.length ? r : null;
    }, { what: 'the spend filter to see today' });
    assert.deepEqual(big.body.items.map((e) => e.id), [ent1.id]);
    assert.equal((await q({ field: 'spend_90d', op: 'gt', value: Math.ceil(spend) + 1 })).body.total, 0);
    const idle = await q({ field: 'last_waybill_at', op: 'older_than_days', value: 30 });
    assert.ok(idle.body.items.some((e) => e.id === ent2.id), 'an enterprise that never shipped');
    assert.ok(!idle.body.items.some((e) => e.id === ent1.id), 'one that shipped today');
  });

  test('the enterprise list shows and sorts by the figures: last waybill, spend and pieces of 90 days', async () => {
    const in90 = sent.filter((l) => Date.parse(l.collected_at) / 1000 > now - 89 * 86400);
    const spendFen = in90.reduce((s, l) => s + Math.round(Number(l.fee) * 100), 0);
    const order = async (sort) => {
      const r = await admin.get(`/enterprises?limit=200&sort=${sort}`);
      assert.equal(r.status, 200, show(r));
      return r.body.items.filter((e) => e.id === ent1.id || e.id === ent2.id);
    };
    const desc = await order('-spend_90d');
    assert.deepEqual(desc.map((e) => e.id), [ent1.id, ent2.id]);
    assert.equal(Math.round(Number(desc[0].spend_90d) * 100), spendFen);
    assert.equal(desc[0].pieces_90d, in90.length);
    assert.ok(desc[0].last_waybill_at, 'the newest waybill\'s time');
    assert.equal(desc[1].spend_90d, '0.00');
    assert.equal(desc[1].last_waybill_at, null);
    assert.deepEqual((await order('spend_90d')).map((e) => e.id), [ent2.id, ent1.id]);
    assert.deepEqual((await order('-pieces_90d')).map((e) => e.id), [ent1.id, ent2.id]);
    assert.deepEqual((await order('last_waybill_at')).map((e) => e.id), [ent2.id, ent1.id]);
    // Keyset pages over a figure sort: one a page, each once.
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const p = await admin.get(`/enterprises?limit=1&sort=-spend_90d${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(p.status, 200, show(p));
      seen.push(...p.body.items.map((e) => e.id));
      if (!p.body.next_cursor) break;
      cursor = p.body.next_cursor;
    }
    assert.equal(new Set(seen).size, seen.length, 'no enterprise twice');
    assert.ok(seen.indexOf(ent1.id) < seen.indexOf(ent2.id));
  });

  test('events: the newest sets status and stop, an older one only joins the timeline, a replay is unchanged', async () => {
    const wb = sent[0];
    const ev = (at, event_type, node_code, node_type, node_name) => ({ waybill_no: wb.waybill_no, at: iso(at), event_type, node_code, node_type, node_name });
    const evs = [
      ev(now - 3000, 'collected', 'GZ-TH-01', 'outlet', '天河网点'),
      ev(now - 1200, 'arrived', 'GZ-PC-01', 'processing', '广州处理中心'),
    ];
    let r = await feed(srv, '/waybill-events:batch', key.secret, evs);
    assert.equal(r.body.created, 2, show(r));
    const late = ev(now - 2000, 'departed', 'GZ-TH-01', 'outlet', '天河网点');
    const unknown = { ...ev(now, 'arrived', 'X', 'transit'), waybill_no: s10(99999999) };
    const badType = ev(now, 'teleported', 'X', 'space');
    r = await feed(srv, '/waybill-events:batch', key.secret, [late, ...evs, unknown, badType]);
    assert.deepEqual([r.body.created, r.body.unchanged, r.body.refused], [1, 2, 2], show(r));
    assert.match(r.body.errors[0].fields.waybill_no, /运单不存在/);
    assert.deepEqual(Object.keys(r.body.errors[1].fields).sort(), ['event_type', 'node_type']);
    const w = await m1.get(`/waybills/${wb.waybill_no.toLowerCase()}`);
    assert.equal(w.status, 200, show(w));
    assert.equal(w.body.waybill.status, 'in_transit');
    assert.equal(w.body.waybill.last_event.node_name, '广州处理中心');
    assert.deepEqual(w.body.events.map((e) => e.event_type), ['collected', 'departed', 'arrived']);
  });

  test('a medical waybill stalled at a processing centre raises one alert, a task and a bell for its manager', async () => {
    const wb = sent[0]; // medical, at 广州处理中心 since now - 1200 (threshold 120 min)
    const sentinel = sent[1];
    await feed(srv, '/waybill-events:batch', key.secret, [
      { waybill_no: sentinel.waybill_no, at: iso(now - 600), event_type: 'arrived', node_code: 'SH-PC-01', node_type: 'processing', node_name: '上海处理中心' },
    ]);
    now = Math.floor(Date.parse(await advanceClock(srv, 2 * 3600)) / 1000);
    const alerts = await waitFor(async () => {
      const r = await m1.get(`/waybill-alerts?waybill_no=${wb.waybill_no}`);
      return r.body.total === 1 ? r.body.items : null;
    }, { what: 'the alert of the stalled waybill' });
    const a = alerts[0];
    assert.equal(a.kind, 'stalled');
    assert.equal(a.status, 'open');
    assert.equal(a.node_name, '广州处理中心');
    assert.equal(a.threshold_minutes, 120);
    assert.ok(a.stalled_minutes >= 120, JSON.stringify(a));
    const me = await m1.get('/auth/me');
    assert.equal(a.manager_id, me.body.user.id);
    const tasks = await m1.get('/tasks?view=today');
    const task = tasks.body.items.find((t) => t.id === a.task_id);
    assert.ok(task, `the manager has the alert's task: ${show(tasks)}`);
    assert.match(task.title, new RegExp(wb.waybill_no));
    const [[taskEnt]] = srv.queryDb(`SELECT enterprise_id FROM tasks WHERE id = ${a.task_id}`);
    assert.equal(Number(taskEnt), ent1.id);
    const bell = await m1.get('/notifications');
    const n = bell.body.items.filter((x) => x.kind === 'waybill.stalled' && x.link === `/waybills/${wb.waybill_no}`);
    assert.equal(n.length, 1, show(bell));
    assert.equal(bell.body.items.filter((x) => x.kind === 'task.assigned' && x.link && x.link.includes(String(a.task_id))).length, 0, 'one bell, not two');
    const [[events]] = srv.queryDb(`SELECT COUNT(*) FROM domain_events WHERE kind = 'waybill.stalled' AND object_id = (SELECT id FROM waybills WHERE waybill_no = '${wb.waybill_no}')`);
    assert.equal(events, '1');
    // The other manager does not see it; the clerk of the branch does.
    expectError(await m2.get(`/waybill-alerts/${a.id}`), 404, 'not_found');
    assert.equal((await clerk.get(`/waybill-alerts/${a.id}`)).status, 200);
    expectError(await szClerk.get(`/waybill-alerts/${a.id}`), 404, 'not_found');
    // The economy sentinel (24 h) has not stalled yet.
    const s = await m1.get(`/waybill-alerts?waybill_no=${sentinel.waybill_no}`);
    assert.equal(s.body.total, 0);
  });

  test('after a restart the pass runs again and raises nothing twice', async () => {
    await srv.restart();
    // The restarted server's clock starts afresh: 25 h on, the sentinel
    // (economy, 24 h) stalls, which proves a pass ran after the restart.
    now = Math.floor(Date.parse(await advanceClock(srv, 25 * 3600)) / 1000);
    // A day later the sessions have timed out: sign in again.
    for (const [login, c] of Object.entries({ A9161: admin, M9161: m1, M9162: m2, C9161: clerk, C9162: szClerk })) await resignIn(srv, c, login);
    await waitFor(async () => (await m1.get(`/waybill-alerts?waybill_no=${sent[1].waybill_no}`)).body.total === 1, { what: 'the sentinel alert' });
    const [[count]] = srv.queryDb(`SELECT COUNT(*) FROM waybill_alerts a JOIN waybills w ON w.id = a.waybill_id WHERE w.waybill_no = '${sent[0].waybill_no}'`);
    assert.equal(count, '1');
    const [[tasks]] = srv.queryDb(`SELECT COUNT(*) FROM tasks WHERE source_ref LIKE 'waybill_alert:%' AND enterprise_id = ${ent1.id}`);
    assert.equal(tasks, '2', 'one task per alert');
  });

  test('the manager records what was told; the next event closes the alert with a note', async () => {
    const wb = sent[0];
    const a = (await m1.get(`/waybill-alerts?waybill_no=${wb.waybill_no}`)).body.items[0];
    expectError(await clerk.post(`/waybill-alerts/${a.id}/told`, { note: '已告知' }), 403, 'forbidden');
    expectError(await m2.post(`/waybill-alerts/${a.id}/told`, { note: '已告知' }), 404, 'not_found');
    expectError(await m1.post(`/waybill-alerts/${a.id}/told`, {}), 422, 'validation_failed', { fields: ['note'] });
    const t = await m1.post(`/waybill-alerts/${a.id}/told`, { note: '已电话告知客户延误约半天' });
    assert.equal(t.status, 200, show(t));
    assert.equal(t.body.alert.told.note, '已电话告知客户延误约半天');
    assert.equal(t.body.alert.told.by_name, '运单经理甲');
    const r = await feed(srv, '/waybill-events:batch', key.secret, [
      { waybill_no: wb.waybill_no, at: iso(now - 60), event_type: 'departed', node_code: 'GZ-PC-01', node_type: 'processing', node_name: '广州处理中心' },
    ]);
    assert.equal(r.body.created, 1, show(r));
    const closed = (await m1.get(`/waybill-alerts/${a.id}`)).body.alert;
    assert.equal(closed.status, 'closed');
    assert.match(closed.close_note, /自动关闭/);
    assert.ok(closed.closed_at);
    // its to-do is done in the same stroke, with the note in the manager's language
    const [[taskId]] = srv.queryDb(`SELECT id FROM tasks WHERE source_ref = 'waybill_alert:${a.id}'`);
    const task = (await m1.get(`/tasks/${taskId}`)).body.task;
    assert.equal(task.status, 'done', show(task));
    assert.match(task.outcome, /^已有新的物流事件，预警自动关闭：.*广州处理中心 departed$/);
    const [[audited]] = srv.queryDb(`SELECT COUNT(*) FROM audit_log WHERE action = 'task.complete' AND object_type = 'task' AND object_id = '${taskId}'`);
    assert.equal(audited, '1');
    const w = await m1.get(`/waybills/${wb.waybill_no}`);
    assert.equal(w.body.alerts[0].status, 'closed');
    assert.equal(w.body.waybill.open_alert_id, null);
  });

  test('the recipient is masked for every role, revealed to those allowed (audited), never searched by a masked role', async () => {
    const wb = sent[2];
    for (const c of [m1, clerk, admin]) {
      const w = (await c.get(`/waybills/${wb.waybill_no}`)).body.waybill;
      assert.equal(w.recipient_phone, '138****1234');
      assert.equal(w.recipient_name, '王*');
      assert.equal(w.recipient_address, '北京市朝阳区****');
      const list = await c.get(`/waybills?enterprise_id=${ent1.id}&limit=200`);
      assert.ok(!list.text.includes('13812341234'), 'no clear phone in a list');
      assert.ok(!list.text.includes('王小五'));
    }
    expectError(await clerk.post(`/waybills/${wb.waybill_no}/reveal`), 403, 'forbidden');
    const rv = await m1.post(`/waybills/${wb.waybill_no}/reveal`);
    assert.equal(rv.status, 200, show(rv));
    assert.deepEqual(rv.body, { recipient_name: '王小五', recipient_phone: '13812341234', recipient_address: '北京市朝阳区建国路1号院' });
    const audit = await findAudit(admin, (e) => e.action === 'waybill.reveal');
    assert.equal(audit.length, 1);
    expectError(await clerk.get('/waybills?recipient_phone=13812341234'), 422, 'validation_failed', { fields: ['recipient_phone'] });
    expectError(await m1.get('/waybills?recipient_phone=1234'), 422, 'validation_failed', { fields: ['recipient_phone'] });
    const found = await m1.get('/waybills?recipient_phone=13812341234&limit=200');
    assert.equal(found.body.total, sent.length);
  });

  test('who sees what: a manager only their enterprises\' waybills, another branch none', async () => {
    const other = await feed(srv, '/waybills:batch', key.secret, [line({ enterprise_id: ent2.id })]);
    assert.equal(other.body.created, 1, show(other));
    const no2 = other.body.created && s10(serial - 1);
    const mine = await m1.get('/waybills?limit=200');
    assert.equal(mine.body.total, sent.length);
    assert.ok(mine.body.items.every((w) => w.enterprise_id === ent1.id));
    const theirs = await m2.get('/waybills?limit=200');
    assert.equal(theirs.body.total, 1);
    expectError(await m2.get(`/waybills/${sent[0].waybill_no}`), 404, 'not_found');
    expectError(await m2.get(`/enterprises/${ent1.id}/shipping`), 404, 'not_found');
    expectError(await szClerk.get(`/waybills/${no2}`), 404, 'not_found');
    assert.equal((await szClerk.get('/waybills')).body.total, 0);
    assert.equal((await clerk.get('/waybills?limit=1')).body.total, sent.length + 1, 'a clerk sees the branch\'s');
  });

  test('search: by number prefix, enterprise and period, status; keyset pages', async () => {
    const pre = sent[5].waybill_no.slice(0, 9);
    const byPrefix = await m1.get(`/waybills?number=${pre}&limit=200`);
    assert.ok(byPrefix.body.items.some((w) => w.waybill_no === sent[5].waybill_no));
    assert.ok(byPrefix.body.items.every((w) => w.waybill_no.startsWith(pre)));
    const from = iso(now - 10 * 86400).slice(0, 10);
    const period = await m1.get(`/waybills?enterprise_id=${ent1.id}&from=${from}&limit=200`);
    const want = sent.filter((l) => l.collected_at.slice(0, 10) >= from).length;
    assert.equal(period.body.total, want);
    const transit = await m1.get('/waybills?status=in_transit');
    assert.equal(transit.body.total, 2);
    expectError(await m1.get('/waybills?status=lost'), 422, 'validation_failed', { fields: ['status'] });
    const seen = new Set();
    let cursor = '';
    for (let i = 0; i < 20; i++) {
      const p = await m1.get(`/waybills?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      for (const w of p.body.items) seen.add(w.waybill_no);
      if (!p.body.next_cursor) break;
      cursor = p.body.next_cursor;
    }
    assert.equal(seen.size, sent.length, 'every waybill once over the pages');
  });

  test('thresholds: the admin edits them, others may not, and a new one applies to the next event', async () => {
    expectError(await m1.get('/waybill-thresholds'), 403, 'forbidden');
    const bad = await admin.post('/waybill-thresholds', { product: 'teleport', node_type: 'space', minutes: 0 });
    expectError(bad, 422, 'validation_failed', { fields: ['product', 'node_type', 'minutes'] });
    const r = await admin.post('/waybill-thresholds', { product: 'standard', node_type: 'transit', tier: 'key', minutes: 30 });
    assert.equal(r.status, 201, show(r));
    expectError(await admin.post('/waybill-thresholds', { product: 'standard', node_type: 'transit', tier: 'key', minutes: 60 }), 409, 'conflict');
    const wb = sent.find((l, i) => i > 5 && l.product === 'standard'); // ent1 is a key account
    await feed(srv, '/waybill-events:batch', key.secret, [
      { waybill_no: wb.waybill_no, at: iso(now), event_type: 'arrived', node_code: 'WH-TR-01', node_type: 'transit', node_name: '武汉转运中心' },
    ]);
    now = Math.floor(Date.parse(await advanceClock(srv, 40 * 60)) / 1000);
    const alerts = await waitFor(async () => {
      const x = await m1.get(`/waybill-alerts?waybill_no=${wb.waybill_no}`);
      return x.body.total === 1 ? x.body.items : null;
    }, { what: 'the alert under the new threshold' });
    assert.equal(alerts[0].threshold_minutes, 30);
    const list = await admin.get('/waybill-thresholds');
    const shipped = list.body.items.find((t) => t.product === 'medical' && t.node_type === 'processing');
    assert.equal(shipped.minutes, 120);
    // The shipped defaults carry the time they were installed, not 1970.
    assert.ok(Date.parse(shipped.updated_at) > Date.parse('2026-01-01T00:00:00+08:00'), shipped.updated_at);
    const del = await admin.delete(`/waybill-thresholds/${r.body.threshold.id}`);
    assert.equal(del.status, 200, show(del));
  });

  test('a promised time about to be missed raises a promise warning, which the signature closes', async () => {
    // Promised in an hour: the default warning comes two hours before.
    const wb = line({ promised_at: iso(now + 3600), collected_at: iso(now - 600) });
    const r = await feed(srv, '/waybills:batch', key.secret, [wb]);
    assert.equal(r.body.created, 1, show(r));
    sent.push(wb);
    const alerts = await waitFor(async () => {
      const x = await m1.get(`/waybill-alerts?waybill_no=${wb.waybill_no}`);
      return x.body.total === 1 ? x.body.items : null;
    }, { what: 'the promise warning' });
    assert.equal(alerts[0].kind, 'promise');
    assert.equal(alerts[0].threshold_minutes, 120);
    assert.equal(alerts[0].promised_at, wb.promised_at);
    // The bell tells a promise warning from a stalled shipment by its kind.
    const bell = (await m1.get('/notifications')).body.items.filter((x) => x.link === `/waybills/${wb.waybill_no}`);
    assert.deepEqual(bell.map((x) => x.kind), ['waybill.promise_at_risk'], show(bell));
    await feed(srv, '/waybill-events:batch', key.secret, [
      { waybill_no: wb.waybill_no, at: iso(now), event_type: 'signed', node_code: 'BJ-DL-09', node_type: 'delivery', node_name: '朝阳派送段' },
    ]);
    const closed = (await m1.get(`/waybill-alerts/${alerts[0].id}`)).body.alert;
    assert.equal(closed.status, 'closed');
  });

  test('signed stops the clock; a signed waybill raises nothing more', async () => {
    const wb = sent[4];
    const r = await feed(srv, '/waybill-events:batch', key.secret, [
      { waybill_no: wb.waybill_no, at: iso(now - 30), event_type: 'signed', node_code: 'BJ-DL-09', node_type: 'delivery', node_name: '朝阳派送段' },
    ]);
    assert.equal(r.body.created, 1, show(r));
    const w = (await m1.get(`/waybills/${wb.waybill_no}`)).body.waybill;
    assert.equal(w.status, 'signed');
    assert.ok(w.signed_at);
    assert.equal(w.stop_due_at, null);
  });

  test('import of waybills through the import engine: the feed\'s checks per row, the bad check digit named, a replay changes nothing', async () => {
    const good1 = s10(serial++), good2 = domestic('771234567890'), bad = wrongDigit(s10(serial++));
    const expected = bad[10] === '0' ? '9' : String(Number(bad[10]) - 1);
    const csv = [
      '运单号,大客户ID,产品,下单渠道,目的地,重量(kg),运费,揽收时间,收件人,收件人电话,收件地址',
      `${good1},${ent1.id},标准快递,PC,上海市/上海市/浦东新区,2.5,18.00,2026-10-02 09:30,李四,13900001111,上海市浦东新区世纪大道100号`,
      `${bad},${ent1.id},standard,api,北京市,1,10.00,2026-10-02 10:00,,,`,
      `${good2},${ent1.id},医药,api,广东省/深圳市,0.8,30.50,2026/10/03 14:05:00,,,`,
      `${s10(serial++)},${ent1.id},teleport,api,北京市,-1,10.00,yesterday,,,`,
    ].join('\n') + '\n';
    const before = (await admin.get(`/enterprises/${ent1.id}/shipping?period=year`)).body.totals;
    const run = async (dry) => {
      const up = await uploadCsv(admin, Buffer.from(csv), { entity: 'waybill' });
      assert.equal(up.status, 201, show(up));
      const imp = up.body.import;
      assert.equal(imp.suggested_mapping['运单号'], 'waybill_no');
      assert.equal(imp.suggested_mapping['揽收时间'], 'collected_at');
      const r = await admin.post(`/imports/${imp.id}/run`, { mapping: imp.suggested_mapping, dry_run: dry, on_duplicate: 'skip' });
      assert.equal(r.status, 202, show(r));
      const job = await pollJob(admin, `/imports/${imp.id}`, 'import');
      assert.equal(job.status, 'done', JSON.stringify(job));
      return { imp, res: job.result || job };
    };
    const dry = await run(true);
    assert.deepEqual([dry.res.created, dry.res.failed], [2, 2], JSON.stringify(dry.res));
    assert.equal((await admin.get(`/waybills?number=${good1}`)).body.total, 0, 'a dry run writes nothing');
    const first = await run(false);
    assert.deepEqual([first.res.created, first.res.skipped, first.res.failed], [2, 0, 2], JSON.stringify(first.res));
    const w = (await admin.get(`/waybills/${good1}`)).body.waybill;
    assert.equal(w.product, 'standard', 'a label becomes its code');
    assert.equal(w.channel, 'pc');
    assert.equal(w.collected_at, '2026-10-02T09:30:00+08:00');
    assert.equal(w.fee, '18.00');
    assert.equal(w.recipient_name, '李*');
    // The bad check digit is named on its row with the right digit.
    const rep = await fetchBytes(admin, `/imports/${first.imp.id}/report`);
    const rows = parseCsv(rep.bytes.toString('utf8'));
    const badRow = rows.find((r) => r.includes(bad));
    assert.ok(badRow, rep.bytes.toString('utf8'));
    assert.match(badRow[badRow.length - 1], new RegExp(`运单号.*校验位.*${expected}`));
    const other = rows.find((r) => r.includes('teleport'));
    assert.match(other[other.length - 1], /产品/);
    assert.match(other[other.length - 1], /重量/);
    const mid = (await admin.get(`/enterprises/${ent1.id}/shipping?period=year`)).body.totals;
    assert.equal(mid.pieces - before.pieces, 2, 'the rollups moved with the imported waybills');
    assert.equal(Math.round(Number(mid.fee) * 100) - Math.round(Number(before.fee) * 100), 1800 + 3050);
    // The same file again: nothing new, nothing moved.
    const again = await run(false);
    assert.deepEqual([again.res.created, again.res.updated, again.res.skipped], [0, 0, 2], JSON.stringify(again.res));
    assert.deepEqual((await admin.get(`/enterprises/${ent1.id}/shipping?period=year`)).body.totals, mid);
    const [[n]] = srv.queryDb(`SELECT COUNT(*) FROM waybills WHERE waybill_no IN ('${good1}', '${good2}')`);
    assert.equal(n, '2');
    // An Excel file is refused at upload, as for customers: the engine reads CSV.
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]), Buffer.alloc(64, 0)]);
    const xlsx = await uploadCsv(admin, zip, { entity: 'waybill' });
    expectError(xlsx, 422, 'validation_failed', { fields: ['file'] });
    assert.match(xlsx.body.error.fields.file, /Excel.*另存为CSV/, show(xlsx));
    // Only admins back-fill history.
    expectError(await uploadCsv(m1, Buffer.from(csv), { entity: 'waybill' }), 403, 'forbidden');
  });

  test('export of a waybill search: CSV of the enterprise\'s waybills, the recipient masked for a clerk, clear for a manager who may reveal', async () => {
    const wb = sent[2];
    const { file, job } = await runExport(clerk, { entity: 'waybills', format: 'csv', enterprise_id: ent1.id, number: wb.waybill_no });
    const rows = parseCsv(file.bytes.toString('utf8'));
    assert.equal(rows[0][0], '运单号');
    assert.equal(rows.length, 2, JSON.stringify(rows));
    const col = (name) => rows[0].indexOf(name);
    assert.equal(rows[1][col('运单号')], wb.waybill_no);
    assert.equal(rows[1][col('收件人')], '王*');
    assert.equal(rows[1][col('收件人电话')], '138****1234');
    assert.equal(rows[1][col('收件地址')], '北京市朝阳区****');
    assert.equal(rows[1][col('产品')], { standard: '标准快递', economy: '特惠', heavy: '重货', medical: '医药' }[wb.product], 'the product by its label');
    assert.ok(!file.bytes.toString('utf8').includes('13812341234'));
    assert.equal(job.result?.masked ?? job.masked, true, JSON.stringify(job));
    const mine = await runExport(m1, { entity: 'waybills', format: 'csv', enterprise_id: ent1.id, number: wb.waybill_no });
    const mrows = parseCsv(mine.file.bytes.toString('utf8'));
    assert.equal(mrows[1][mrows[0].indexOf('收件人电话')], '13812341234');
    // The search's scope: another branch's clerk exports none of ent1's waybills.
    const none = await runExport(szClerk, { entity: 'waybills', format: 'csv', enterprise_id: ent1.id });
    assert.equal(parseCsv(none.file.bytes.toString('utf8')).length, 1, 'the header alone');
    // A bad search parameter is refused before any job runs.
    expectError(await clerk.post('/exports', { entity: 'waybills', format: 'csv', status: 'teleported' }), 422, 'validation_failed', { fields: ['status'] });
    const x = await runExport(clerk, { entity: 'waybills', format: 'xlsx', enterprise_id: ent1.id });
    assert.equal(x.file.bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file');
  });

  test('the retention setting erases old recipients, keeps the waybill and its figures', async () => {
    const pol = await admin.get('/admin/retention');
    assert.equal(pol.status, 200, show(pol));
    const set = await admin.patch('/admin/retention', { years: 1, action: 'anonymise', daily: false, version: pol.body.policy.version });
    assert.equal(set.status, 200, show(set));
    const old = line({ collected_at: iso(now - 500 * 86400), recipient_phone: '13900001111' });
    const r = await feed(srv, '/waybills:batch', key.secret, [old]);
    assert.equal(r.body.created, 1, show(r));
    // The pass is daily: a day on, it runs.
    now = Math.floor(Date.parse(await advanceClock(srv, 86400 + 60)) / 1000);
    for (const [login, c] of Object.entries({ A9161: admin, M9161: m1 })) await resignIn(srv, c, login);
    const w = await waitFor(async () => {
      const x = (await m1.get(`/waybills/${old.waybill_no}`)).body.waybill;
      return x.recipient_erased ? x : null;
    }, { what: 'the old recipient erased' });
    assert.equal(w.recipient_phone, null);
    assert.equal(w.recipient_name, null);
    assert.equal(w.fee, old.fee, 'the waybill stays');
    const rv = await m1.post(`/waybills/${old.waybill_no}/reveal`);
    assert.deepEqual(rv.body, { recipient_name: null, recipient_phone: null, recipient_address: null });
    const recent = (await m1.get(`/waybills/${sent[2].waybill_no}`)).body.waybill;
    assert.equal(recent.recipient_erased, false);
    assert.equal(recent.recipient_phone, '138****1234');
    if (PG_DIR) {
      // PostgreSQL: the months of events wholly before the cutoff are dropped whole.
      const months = () => srv.queryDb("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'waybill_events'").map(([n]) => n);
      await waitFor(() => !months().includes('waybill_events_202401'), { what: 'the oldest month dropped' });
      const thisMonth = `waybill_events_${iso(now).slice(0, 7).replace('-', '')}`;
      assert.ok(months().includes(thisMonth), `${thisMonth} stays`);
      assert.equal((await m1.get(`/waybills/${sent[0].waybill_no}`)).body.events.length, 4, 'this year\'s events stay');
    }
  });
});

describe('two servers over one PostgreSQL database raise an alert once', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG' }, () => {
  const a = new TestServer({ label: 'waybills-a', users: [{ login: 'A9163', name: '双机管理员', role: 'admin', branch: 'GD' }, { login: 'M9163', name: '双机经理', role: 'manager', branch: 'GD-GZ-01' }] });
  const b = new TestServer({ label: 'waybills-b', sharedWith: a });
  before(async () => {
    await a.start();
    await b.start();
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await b.stop();
    await a.stop();
  }, { timeout: 30000 * TIME_SCALE });
  const LEADER = 'this process now runs the scheduled work';
  const alerts = (srv) => Number(srv.queryDb('SELECT COUNT(*) FROM waybill_alerts')[0][0]);

  a.it('events through both servers, both clocks past the threshold, a leader killed: one alert a stop', async () => {
    const { A9163: admin, M9163: m } = await signInAll(a, ['A9163', 'M9163']);
    const ent = (await m.post('/enterprises', { name: '双机医药公司', tier: 'key' })).body.enterprise;
    const key = await makeKey(admin, '双机对接');
    const now = Math.floor(Date.parse(await advanceClock(a, 0)) / 1000);
    const nos = [s10(70000001), s10(70000002), s10(70000003)];
    const sentinel = s10(70000004);
    const wbs = nos.map((no) => ({ waybill_no: no, enterprise_id: ent.id, product: 'medical', destination: '北京市', weight: 1, collected_at: iso(now - 3600) }));
    wbs.push({ ...wbs[0], waybill_no: sentinel, product: 'standard' });
    assert.equal((await feed(a, '/waybills:batch', key.secret, wbs)).body.created, 4);
    const evs = nos.concat([sentinel]).map((no) => ({ waybill_no: no, at: iso(now - 1800), event_type: 'arrived', node_code: 'GZ-PC-01', node_type: 'processing' }));
    assert.equal((await feed(b, '/waybill-events:batch', key.secret, evs)).body.created, 4);
    assert.equal((await feed(a, '/waybill-events:batch', key.secret, evs)).body.unchanged, 4, 'the same events through the other server');
    await advanceClock(a, 3 * 3600);
    await advanceClock(b, 3 * 3600);
    await waitFor(() => alerts(a) === 3, { what: 'three alerts', timeoutMs: 20000 });
    // The follower takes over when the leader dies and raises nothing again;
    // the sentinel (standard, 12 h) proves its pass ran.
    const leader = a.stderrText().includes(LEADER) ? a : b;
    const survivor = leader === a ? b : a;
    await leader.kill9();
    await waitFor(() => survivor.stderrText().includes(LEADER), { what: 'the survivor to lead', timeoutMs: 30000 });
    await advanceClock(survivor, 12 * 3600);
    await waitFor(() => alerts(survivor) === 4, { what: 'the sentinel alert', timeoutMs: 20000 });
    const perStop = survivor.queryDb('SELECT waybill_id, stop_seq, COUNT(*) FROM waybill_alerts GROUP BY waybill_id, stop_seq');
    assert.equal(perStop.length, 4);
    assert.ok(perStop.every(([, , n]) => n === '1'));
    const [[tasks]] = survivor.queryDb("SELECT COUNT(*) FROM tasks WHERE source_ref LIKE 'waybill_alert:%'");
    assert.equal(tasks, '4');
  });
});
