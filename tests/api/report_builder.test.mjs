// The report builder (报表引擎, issue 19): report answers compared with a
// recount of the rows the test sent (waybills fed on chosen days with
// chosen products, enterprises of two managers), for an admin and for a
// manager (their own enterprises only); refusal of unknown sources, fields,
// functions and masked fields in the caller's language with nothing saved;
// SQL text in every string position of a definition is refused or bound;
// saved reports shared with a role, their data run as the viewer sees it,
// XLSX and PDF; dashboards; the drill to the rows behind a bar; and the
// cost limit (time and row cap) answering a clear error.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { useServer, PG_DIR } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { signInAll } from './lib/customers.mjs';
import { s10, feed, makeKey, iso } from './lib/waybills.mjs';

const DAY = 86400;
const dayOf = (t) => Math.floor((t + 8 * 3600) / DAY);
const monthLabel = (day) => new Date(day * 86400000).toISOString().slice(0, 7);
const PRODUCTS = ['standard', 'economy', 'cold_chain', 'medical'];
const PRODUCT_ZH = { standard: '标准快递', economy: '特惠', cold_chain: '冷链', medical: '医药' };
const INJECT = "x'); DROP TABLE saved_reports; --";

/** Sum of fen in yuan as the report answers it (fee_fen / 100.0 summed). */
const yuan = (fen) => Math.round(fen) / 100;

describe('report builder', () => {
  const srv = useServer({
    label: 'report-builder',
    users: [
      { login: 'A9281', name: '报表引擎管理员', role: 'admin', branch: 'GD' },
      { login: 'M9281', name: '引擎经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9282', name: '引擎经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9281', name: '引擎柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, m2, clerk, now;
  const E = {};
  const lines = []; // {ent, day, fee_fen, product}

  const plans = {
    a: { who: 'm1', industry: 'F', backs: [3, 10, 17, 40, 41, 70, 100, 130, 200] },
    b: { who: 'm1', industry: 'C', backs: [5, 6, 35, 65, 95] },
    c: { who: 'm2', industry: 'F', backs: [2, 33, 64, 150] },
  };

  test('set-up: enterprises of two managers with waybills on chosen days and products', async () => {
    ({ A9281: admin, M9281: m1, M9282: m2, C9281: clerk } = await signInAll(srv, ['A9281', 'M9281', 'M9282', 'C9281']));
    const by = { m1, m2 };
    for (const [name, p] of Object.entries(plans)) {
      const r = await by[p.who].post('/enterprises', { name: `引擎企业${name}有限公司`, industry: p.industry, region: '广东省/广州市/天河区', status: 'active' });
      assert.equal(r.status, 201, show(r));
      E[name] = { id: r.body.enterprise.id, owner: p.who, industry: p.industry };
    }
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    const key = await makeKey(admin, '报表引擎对接');
    const out = [];
    let serial = 52000000 + (now % 1000000);
    let i = 0;
    for (const [name, p] of Object.entries(plans)) {
      for (const back of p.backs) {
        const at = now - back * DAY;
        const fee = 1200 + (i % 5) * 310;
        const product = PRODUCTS[i++ % PRODUCTS.length];
        out.push({ waybill_no: s10(serial++), enterprise_id: E[name].id, product, destination: '北京市/北京市/朝阳区', weight: 2, fee: (fee / 100).toFixed(2), collected_at: iso(at) });
        lines.push({ ent: E[name], day: dayOf(at), fee_fen: fee, product });
      }
    }
    const r = await feed(srv, '/waybills:batch', key.secret, out);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.created, out.length);
  });

  const visible = (who) => lines.filter((l) => who === 'admin' || l.ent.owner === who);

  const monthByProduct = {
    source: 'waybills_month',
    dimensions: [{ field: 'month', grain: 'month' }, { field: 'product' }],
    measures: [
      { fn: 'sum', field: 'fee', as: 'fee' },
      { fn: 'count_distinct', field: 'enterprise_id', as: 'firms' },
      { fn: 'sum', field: 'pieces', as: 'pieces' },
      { fn: 'ratio', of: ['fee', 'pieces'], as: 'per_piece' },
    ],
    chart: { type: 'bar' },
  };

  function recountMonthProduct(who) {
    const g = new Map();
    for (const l of visible(who)) {
      const k = `${monthLabel(l.day)}|${PRODUCT_ZH[l.product]}`;
      const x = g.get(k) || { fee: 0, firms: new Set(), pieces: 0 };
      x.fee += l.fee_fen;
      x.firms.add(l.ent.id);
      x.pieces += 1;
      g.set(k, x);
    }
    return [...g.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => ({ k, fee: yuan(x.fee), firms: x.firms.size, pieces: x.pieces }));
  }

  for (const who of ['admin', 'm1']) {
    test(`month × product: fee, distinct enterprises, pieces and a ratio match a recount (${who})`, async () => {
      const client = { admin, m1 }[who];
      const r = await client.post('/reports:run', { definition: monthByProduct });
      assert.equal(r.status, 200, show(r));
      const got = r.body.rows.map((x) => ({ k: `${x.month_month}|${x.product}`, fee: Math.round(x.fee * 100) / 100, firms: x.firms, pieces: x.pieces }));
      got.sort((a, b) => (a.k < b.k ? -1 : 1));
      assert.deepEqual(got, recountMonthProduct(who));
      for (const x of r.body.rows) assert.ok(Math.abs(x.per_piece - x.fee / x.pieces) < 1e-9);
      assert.deepEqual(r.body.columns.map((c) => c.key), ['month_month', 'product', 'fee', 'firms', 'pieces', 'per_piece']);
    });
  }

  test('a manager sees only their enterprises: weekly pieces by industry, filtered', async () => {
    const def = {
      source: 'waybills_day',
      dimensions: [{ field: 'day', grain: 'week' }],
      measures: [{ fn: 'sum', field: 'pieces', as: 'pieces' }],
      filter: { field: 'industry', op: 'eq', value: 'F' },
    };
    for (const who of ['admin', 'm1', 'm2']) {
      const client = { admin, m1, m2 }[who];
      const r = await client.post('/reports:run', { definition: def });
      assert.equal(r.status, 200, show(r));
      const want = new Map();
      for (const l of visible(who).filter((l) => l.ent.industry === 'F')) {
        const monday = l.day - ((l.day + 3) % 7);
        const k = new Date(monday * 86400000).toISOString().slice(0, 10);
        want.set(k, (want.get(k) || 0) + 1);
      }
      const got = Object.fromEntries(r.body.rows.map((x) => [x.day_week, x.pieces]));
      assert.deepEqual(got, Object.fromEntries([...want.entries()].sort()), who);
    }
  });

  test('enterprises by account manager: the names, and each manager their own count', async () => {
    const def = { source: 'enterprises', dimensions: [{ field: 'owner_id' }], measures: [{ fn: 'count', as: 'n' }] };
    const all = await admin.post('/reports:run', { definition: def });
    assert.equal(all.status, 200, show(all));
    const names = Object.fromEntries(all.body.rows.map((x) => [x.owner_id, x.n]));
    assert.equal(names['引擎经理甲'], 2);
    assert.equal(names['引擎经理乙'], 1);
    const mine = await m2.post('/reports:run', { definition: def });
    assert.deepEqual(mine.body.rows.map((x) => [x.owner_id, x.n]), [['引擎经理乙', 1]]);
  });

  test('drill into a bar: the rows behind it, each linking its enterprise', async () => {
    const def = { source: 'waybills_day', dimensions: [{ field: 'industry' }], measures: [{ fn: 'sum', field: 'pieces', as: 'pieces' }] };
    const r = await admin.post('/reports:run', { definition: def });
    assert.equal(r.status, 200, show(r));
    const i = r.body.rows.findIndex((x) => x.pieces > 0 && r.body.keys[r.body.rows.indexOf(x)][0] === 'C');
    assert.ok(i >= 0, show(r));
    const d = await admin.post('/reports:drill', { definition: def, keys: r.body.keys[i] });
    assert.equal(d.status, 200, show(d));
    assert.equal(d.body.link, 'enterprise');
    const want = new Set(lines.filter((l) => l.ent.industry === 'C').map((l) => l.day));
    assert.equal(d.body.rows.length, want.size);
    assert.ok(d.body.rows.every((x) => x.enterprise_id === E.b.id));
  });

  test('unknown source, field and function, a phone or the sealed ID number: 422 in the caller’s language, nothing saved', async () => {
    const before = (await m1.get('/reports')).body.items.length;
    const cases = [
      [{ source: 'nosuch', measures: [{ fn: 'count' }] }, 'source', '数据源'],
      [{ source: 'enterprises', dimensions: [{ field: 'nosuch' }], measures: [{ fn: 'count' }] }, 'dimensions', '字段不存在'],
      [{ source: 'enterprises', measures: [{ fn: 'median', field: 'credit_days' }] }, 'measures', '统计函数'],
      [{ source: 'customers', dimensions: [{ field: 'phone' }], measures: [{ fn: 'count' }] }, 'dimensions', '不能作为维度'],
      [{ source: 'customers', dimensions: [{ field: 'id_number' }], measures: [{ fn: 'count' }] }, 'dimensions', '看不到'],
      [{ source: 'customers', measures: [{ fn: 'count_distinct', field: 'id_number' }] }, 'measures', '看不到'],
      [{ source: 'enterprises', measures: [{ fn: 'sum', field: 'name' }] }, 'measures', '数值'],
    ];
    for (const [definition, part, words] of cases) {
      const zh = expectError(await m1.post('/reports:run', { definition }), 422, 'validation_failed', { fields: [part] });
      assert.match(zh.fields[part], new RegExp(words), JSON.stringify(definition));
      expectError(await m1.post('/reports:run', { definition }, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: [part] });
      const s = await m1.post('/reports', { name: '不应保存', definition });
      expectError(s, 422, 'validation_failed', { fields: ['definition'] });
    }
    assert.equal((await m1.get('/reports')).body.items.length, before);
  });

  test('SQL text in every string position is refused as unknown, or bound as a value', async () => {
    const base = () => ({ source: 'enterprises', dimensions: [{ field: 'industry' }], measures: [{ fn: 'count', as: 'n' }] });
    const positions = [
      (d) => (d.source = INJECT),
      (d) => (d.dimensions[0].field = INJECT),
      (d) => (d.dimensions[0].grain = INJECT),
      (d) => (d.measures[0].fn = INJECT),
      (d) => (d.measures[0].as = INJECT),
      (d) => (d.measures = [{ fn: 'sum', field: INJECT }]),
      (d) => (d.sort = { by: INJECT }),
      (d) => (d.sort = { by: 'n', dir: INJECT }),
      (d) => (d.chart = { type: INJECT }),
      (d) => (d.filter = { field: INJECT, op: 'eq', value: 'F' }),
      (d) => (d.filter = { field: 'industry', op: INJECT, value: 'F' }),
    ];
    for (const change of positions) {
      const d = base();
      change(d);
      expectError(await admin.post('/reports:run', { definition: d }), 422, 'validation_failed');
    }
    // values are bound: no match, no error, the table still there
    const d = base();
    d.filter = { field: 'industry', op: 'eq', value: INJECT };
    const r = await admin.post('/reports:run', { definition: d });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.rows, []);
    const drill = await admin.post('/reports:drill', { definition: base(), keys: [INJECT] });
    assert.equal(drill.status, 200, show(drill));
    assert.deepEqual(drill.body.rows, []);
    const s = await admin.post('/reports', { name: INJECT, definition: base() });
    assert.equal(s.status, 201, show(s));
    assert.equal(s.body.name, INJECT);
    assert.equal((await admin.get(`/reports/${s.body.id}`)).body.name, INJECT);
  });

  let saved;
  test('a saved report is its owner’s until shared with a role; the viewer sees their own figures', async () => {
    const r = await m1.post('/reports', { name: '月度产品运费', definition: monthByProduct });
    assert.equal(r.status, 201, show(r));
    saved = r.body;
    assert.equal(saved.mine, true);
    expectError(await m2.get(`/reports/${saved.id}`), 404, 'not_found');
    expectError(await m2.get(`/reports/${saved.id}/data`), 404, 'not_found');
    assert.ok(!(await m2.get('/reports')).body.items.some((x) => x.id === saved.id));
    const p = await m1.patch(`/reports/${saved.id}`, { version: saved.version, shared: { roles: ['manager'] } });
    assert.equal(p.status, 200, show(p));
    assert.deepEqual(p.body.shared.roles, ['manager']);
    const list = await m2.get('/reports');
    assert.ok(list.body.items.some((x) => x.id === saved.id && x.mine === false));
    const data = await m2.get(`/reports/${saved.id}/data`);
    assert.equal(data.status, 200, show(data));
    const got = data.body.rows.map((x) => `${x.month_month}|${x.product}|${x.pieces}`).sort();
    assert.deepEqual(got, recountMonthProduct('m2').map((x) => `${x.k}|${x.pieces}`).sort());
    expectError(await m2.patch(`/reports/${saved.id}`, { version: p.body.version, name: '改名' }), 403, 'forbidden');
    expectError(await m2.delete(`/reports/${saved.id}`), 403, 'forbidden');
    expectError(await m1.patch(`/reports/${saved.id}`, { version: saved.version, name: '旧版本' }), 409, 'stale_version');
    saved = p.body;
  });

  test('a clerk without reports.read is refused', async () => {
    expectError(await clerk.post('/reports:run', { definition: monthByProduct }), 403, 'forbidden');
    expectError(await clerk.get('/reports'), 403, 'forbidden');
  });

  test('XLSX and PDF of a saved report', async () => {
    const x = await m1.get(`/reports/${saved.id}/xlsx`);
    assert.equal(x.status, 200, show(x));
    assert.match(x.headers.get('content-type'), /spreadsheetml/);
    assert.ok(x.text.startsWith('PK'));
    assert.match(x.headers.get('content-disposition') || '', /attachment/);
    const p = await m1.get(`/reports/${saved.id}/pdf`);
    assert.equal(p.status, 200, show(p));
    assert.match(p.headers.get('content-type'), /application\/pdf/);
    assert.ok(p.text.startsWith('%PDF'));
  });

  test('a dashboard holds report widgets on a grid; a widget of a report one cannot see is refused', async () => {
    const layout = [{ i: 'w1', report_id: saved.id, x: 0, y: 0, w: 6, h: 8 }];
    const d = await m1.post('/report-dashboards', { name: '我的看板', layout });
    assert.equal(d.status, 201, show(d));
    assert.deepEqual(d.body.layout, layout);
    const mine = await admin.post('/reports', { name: '管理员私有', definition: monthByProduct });
    expectError(await m1.post('/report-dashboards', { name: '越权', layout: [{ i: 'w', report_id: mine.body.id, x: 0, y: 0, w: 4, h: 4 }] }), 422, 'validation_failed', { fields: ['layout'] });
    expectError(await m1.post('/report-dashboards', { name: '坏布局', layout: [{ i: 'w', report_id: saved.id, x: 20, y: 0, w: 4, h: 4 }] }), 422, 'validation_failed', { fields: ['layout'] });
    const moved = await m1.patch(`/report-dashboards/${d.body.id}`, { version: d.body.version, layout: [{ ...layout[0], x: 6, w: 6 }] });
    assert.equal(moved.status, 200, show(moved));
    assert.equal(moved.body.layout[0].x, 6);
    expectError(await m2.get(`/report-dashboards/${d.body.id}`), 404, 'not_found');
  });

  test('a weekly schedule needs valid recipients', async () => {
    expectError(await m1.patch(`/reports/${saved.id}`, { version: saved.version, schedule: 'weekly', recipients: ['not-an-address'] }), 422, 'validation_failed', { fields: ['recipients'] });
    expectError(await m1.patch(`/reports/${saved.id}`, { version: saved.version, schedule: 'daily', recipients: ['boss@example.com'] }), 422, 'validation_failed', { fields: ['schedule'] });
    const ok = await m1.patch(`/reports/${saved.id}`, { version: saved.version, schedule: 'weekly', recipients: ['boss@example.com', 'chief@example.com'] });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.schedule, 'weekly');
  });

  test('a weekly report is mailed once to each recipient, its table as the owner sees it', async () => {
    // the periodic pass runs each minute of the server's clock
    await advanceClock(srv, 61);
    const mine = `dedupe_key LIKE 'report:${saved.id}:%'`;
    const rows = await waitFor(
      () => {
        const r = srv.queryDb(`SELECT recipient, subject FROM outbox WHERE ${mine} ORDER BY recipient`);
        return r.length === 2 ? r : null;
      },
      { what: 'the report in the outbox', timeoutMs: 20000 },
    );
    assert.deepEqual(rows, [['boss@example.com', '月度产品运费'], ['chief@example.com', '月度产品运费']]);
    // a line per group of the owner's (m1's), none of the groups only others' enterprises make
    const has = (g) => srv.queryDb(`SELECT COUNT(*) FROM outbox WHERE ${mine} AND recipient = 'boss@example.com' AND body LIKE '%${g.k.replace('|', '_')}_%'`)[0][0] === '1';
    const own = recountMonthProduct('m1');
    assert.ok(own.length > 0 && own.every(has));
    const others = recountMonthProduct('admin').filter((g) => !own.some((x) => x.k === g.k));
    assert.ok(others.length > 0 && !others.some(has));
    assert.deepEqual(srv.queryDb(`SELECT COUNT(*) FROM job_runs WHERE kind = 'report.mail' AND subject = '${saved.id}'`), [['1']]);
  });
});

/** Write to the server's database directly (the seeding of a large data set). */
function execDb(srv, sql) {
  const r = PG_DIR
    ? spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', srv.pgName, '-qAtc', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${sql}: ${r.stderr}`);
}

describe('report builder cost limits', () => {
  const srv = useServer({
    label: 'report-limits',
    demoCustomers: 3000,
    env: { HONGYAN_REPORT_TIMEOUT_MS: '200', HONGYAN_REPORT_MAX_ROWS: '5' },
    users: [{ login: 'A9282', name: '限额管理员', role: 'admin', branch: 'GD' }],
  });
  const test = srv.it;
  let admin;

  test('a report past its time limit answers 503 query_timeout in the user’s language', async () => {
    ({ A9282: admin } = await signInAll(srv, ['A9282']));
    const interests = JSON.stringify(Array.from({ length: 40 }, (_, i) => `爱好${i}`));
    execDb(srv, `UPDATE customers SET interests = '${interests}'`);
    // 7 conditions of 50 interests each: every customer's interests walked
    // 350 times, seconds on either backend (tests/api/statement_limits).
    const filter = { or: Array.from({ length: 7 }, (_, k) => ({ field: 'interests', op: 'has_any', value: Array.from({ length: 50 }, (_, i) => `无此爱好${k}-${i}`) })) };
    const definition = { source: 'customers', dimensions: [{ field: 'gender' }], measures: [{ fn: 'count' }], filter };
    const e = expectError(await admin.post('/reports:run', { definition }), 503, 'query_timeout');
    assert.equal(e.message, '查询过于复杂或耗时过长，请缩小条件后重试');
    expectError(await admin.post('/reports:run', { definition }, { lang: 'en' }), 503, 'query_timeout', { lang: 'en' });
    // the same report without the costly filter answers
    const ok = await admin.post('/reports:run', { definition: { ...definition, filter: undefined } });
    assert.equal(ok.status, 200, show(ok));
  });

  test('more groups than the row cap: a clear error, unless sorted with a limit', async () => {
    const definition = { source: 'customers', dimensions: [{ field: 'created_at', grain: 'day' }, { field: 'customer_no' }], measures: [{ fn: 'count' }] };
    const e = expectError(await admin.post('/reports:run', { definition }), 422, 'too_many_rows');
    assert.match(e.message, /行数过多/);
    expectError(await admin.post('/reports:run', { definition }, { lang: 'en' }), 422, 'too_many_rows', { lang: 'en' });
    const top = await admin.post('/reports:run', { definition: { ...definition, sort: { by: 'count', dir: 'desc' }, limit: 5 } });
    assert.equal(top.status, 200, show(top));
    assert.equal(top.body.rows.length, 5);
  });
});
