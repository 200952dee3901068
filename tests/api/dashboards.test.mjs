// 统计分析: the built-in dashboards (issue 19). Every figure is compared with
// a recount of the rows the test sent: waybills fed through an API key on
// chosen days (health, contribution), customers, business records and
// to-dos made through the API (individual customers); each for an admin,
// a manager (their own enterprises) and a supervisor (their branch tree);
// the lists behind the numbers hold exactly the enterprises counted; a
// clerk without reports.read is refused; a bad period is a 422 that names
// it in the caller's language.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, branchesByCode, createCustomer, Uniq } from './lib/customers.mjs';
import { s10, feed, makeKey, iso } from './lib/waybills.mjs';

const DAY = 86400;
const dayOf = (t) => Math.floor((t + 8 * 3600) / DAY);
const monthFirst = (y, m) => Math.floor(Date.UTC(y, m, 1) / 86400000); // m 0-based, may overflow
const ymOf = (day) => {
  const d = new Date(day * 86400000);
  return [d.getUTCFullYear(), d.getUTCMonth()];
};
const label = (y, m) => `${y}-${String(m + 1).padStart(2, '0')}`;
const PRODUCTS = ['standard', 'economy', 'cold_chain', 'medical'];

// The health rule of report.h, recounted: shipped in the 180 days up to
// asof; none in the last 30: dormant; recent 90 down more than 20 % on the
// 90 before: churn; else healthy.
function statusAt(days, asof) {
  const inWin = days.filter((d) => d <= asof && d > asof - 180);
  if (!inWin.length) return null;
  if (!inWin.some((d) => d > asof - 30)) return 'dormant';
  const recent = inWin.filter((d) => d > asof - 90).length;
  const prior = inWin.length - recent;
  return prior > 0 && recent * 5 < prior * 4 ? 'churn' : 'healthy';
}

describe('dashboards: health, contribution, individual customers', () => {
  const srv = useServer({
    label: 'dashboards',
    users: [
      { login: 'A9191', name: '报表管理员', role: 'admin', branch: 'GD' },
      { login: 'M9191', name: '报表经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9192', name: '报表经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9193', name: '深圳报表经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'S9193', name: '深圳主管', role: 'supervisor', branch: 'GD-SZ-01' },
      { login: 'C9191', name: '报表柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, m2, m3, szSup, clerk, now, today;
  const E = {}; // name -> {id, owner, industry, region, days: [], lines: []}
  const lines = []; // every waybill sent: {ent, day, fee_fen, product}

  // Days back of each enterprise's waybills: steady, falling, gone quiet.
  const plans = {
    steady: { who: 'm1', industry: 'F', region: '广东省/广州市/天河区', days: range(3, 430, 7) },
    falling: { who: 'm1', industry: 'F', region: '广东省/广州市/天河区', days: [...range(95, 175, 8), ...range(5, 85, 20)] },
    quiet: { who: 'm1', industry: 'C', region: '广东省/广州市/海珠区', days: range(45, 170, 15) },
    other: { who: 'm2', industry: 'C', region: '广东省/广州市/越秀区', days: range(2, 200, 10) },
    szQuiet: { who: 'm3', industry: 'G', region: '广东省/深圳市/福田区', days: [40, 60, 90, 130] },
    szBusy: { who: 'm3', industry: 'G', region: '广东省/深圳市/南山区', days: range(1, 150, 5) },
    never: { who: 'm1', industry: 'F', region: '广东省/广州市/天河区', days: [] },
  };
  function range(from, to, step) {
    const out = [];
    for (let d = from; d <= to; d += step) out.push(d);
    return out;
  }

  const visibleTo = (who) => Object.values(E).filter((e) => who === 'admin' || e.owner === who || (who === 'szSup' && e.owner === 'm3'));

  test('set-up: enterprises of three managers with waybills on chosen days', async () => {
    ({ A9191: admin, M9191: m1, M9192: m2, M9193: m3, S9193: szSup, C9191: clerk } = await signInAll(srv, ['A9191', 'M9191', 'M9192', 'M9193', 'S9193', 'C9191']));
    const by = { m1, m2, m3 };
    for (const [name, p] of Object.entries(plans)) {
      const r = await by[p.who].post('/enterprises', { name: `报表企业${name}有限公司`, industry: p.industry, region: p.region, status: 'active' });
      assert.equal(r.status, 201, show(r));
      E[name] = { id: r.body.enterprise.id, name: r.body.enterprise.name, owner: p.who, industry: p.industry, region: p.region, branch_id: r.body.enterprise.branch_id, days: [] };
    }
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);
    today = dayOf(now);
    const key = await makeKey(admin, '报表测试对接');
    const out = [];
    let serial = 40000000 + (now % 1000000);
    let i = 0;
    for (const [name, p] of Object.entries(plans)) {
      for (const back of p.days) {
        const at = now - back * DAY;
        const fee = 1000 + (i % 7) * 350;
        const product = PRODUCTS[i++ % PRODUCTS.length];
        out.push({
          waybill_no: s10(serial++),
          enterprise_id: E[name].id,
          product,
          destination: '北京市/北京市/朝阳区',
          weight: 1.5,
          fee: (fee / 100).toFixed(2),
          collected_at: iso(at),
        });
        E[name].days.push(dayOf(at));
        lines.push({ ent: E[name], day: dayOf(at), fee_fen: fee, product });
      }
    }
    const r = await feed(srv, '/waybills:batch', key.secret, out);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.refused, 0, show(r));
    assert.equal(r.body.created, out.length);
    // Health is read from a snapshot: made now rather than waited for.
    const f = await admin.post('/dashboards/refresh');
    assert.equal(f.status, 200, show(f));
    assert.equal(f.body.as_of, new Date(today * 86400000).toISOString().slice(0, 10));
  });

  test('a clerk without reports.read is refused; a manager may look', async () => {
    expectError(await clerk.get('/dashboards/health'), 403, 'forbidden');
    expectError(await clerk.get('/dashboards/contribution'), 403, 'forbidden');
    expectError(await clerk.get('/dashboards/customers'), 403, 'forbidden');
    const r = await m1.get('/dashboards/health');
    assert.equal(r.status, 200, show(r));
  });

  // Month ends of the trend (the last eleven) and today.
  function points() {
    const [y, m] = ymOf(today);
    const out = [];
    for (let k = 10; k >= 0; k--) out.push({ month: label(...ymOf(monthFirst(y, m - k) - 1)), asof: monthFirst(y, m - k) - 1 });
    out.push({ month: label(y, m), asof: today });
    return out;
  }

  function healthRecount(who, asof) {
    const c = { healthy: 0, churn: 0, dormant: 0, total: 0 };
    const members = { healthy: [], churn: [], dormant: [] };
    for (const e of visibleTo(who)) {
      const s = statusAt(e.days, asof);
      if (!s) continue;
      c[s]++;
      c.total++;
      members[s].push(e.id);
    }
    return { c, members };
  }

  for (const who of ['admin', 'm1', 'szSup']) {
    test(`health counts and trend match a recount (${who})`, async () => {
      const client = { admin, m1, szSup }[who];
      const r = await client.get('/dashboards/health');
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.body.counts, healthRecount(who, today).c);
      const pts = points();
      assert.deepEqual(r.body.previous, healthRecount(who, pts[10].asof).c);
      assert.deepEqual(
        r.body.trend.map((p) => p.month),
        pts.map((p) => p.month),
      );
      for (let k = 0; k < pts.length; k++) {
        const { month, ...counts } = r.body.trend[k];
        assert.deepEqual(counts, healthRecount(who, pts[k].asof).c, `trend ${month}`);
      }
    });

    test(`the list behind each health count holds exactly those enterprises (${who})`, async () => {
      const client = { admin, m1, szSup }[who];
      const { members } = healthRecount(who, today);
      for (const status of ['healthy', 'churn', 'dormant']) {
        const r = await client.get(`/dashboards/health/enterprises?status=${status}&limit=200`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.body.total, members[status].length, status);
        assert.deepEqual(r.body.items.map((x) => x.id).sort(), [...members[status]].sort(), status);
        assert.deepEqual([...r.body.ids].sort(), [...members[status]].sort());
      }
    });
  }

  test('the recount has all three kinds for the admin, and scope keeps other managers out', async () => {
    const all = healthRecount('admin', today).c;
    assert.ok(all.healthy >= 2 && all.churn >= 1 && all.dormant >= 2, JSON.stringify(all));
    const r = await m1.get('/dashboards/health/enterprises?status=healthy');
    assert.ok(!r.body.items.some((x) => x.id === E.other.id || x.id === E.szBusy.id));
  });

  test('a churn row names its manager, last waybill and the change', async () => {
    const r = await m1.get('/dashboards/health/enterprises?status=churn');
    assert.equal(r.status, 200, show(r));
    const row = r.body.items.find((x) => x.id === E.falling.id);
    assert.ok(row, show(r));
    assert.equal(row.owner_name, '报表经理甲');
    const recent = E.falling.days.filter((d) => d > today - 90).length;
    const prior = E.falling.days.filter((d) => d <= today - 90 && d > today - 180).length;
    assert.equal(row.recent, recent);
    assert.equal(row.prior, prior);
    assert.ok(Math.abs(row.change - (recent - prior) / prior) < 1e-9);
    const last = new Date(Math.max(...E.falling.days) * 86400000).toISOString().slice(0, 10);
    assert.equal(row.last_waybill_on, last);
  });

  test('health shows a new ingest once the snapshot is made again, not before; only an admin makes it', async () => {
    expectError(await m1.post('/dashboards/refresh'), 403, 'forbidden');
    const before = await m1.get('/dashboards/health');
    assert.equal(before.status, 200, show(before));
    assert.equal(before.body.as_of, new Date(today * 86400000).toISOString().slice(0, 10));
    assert.ok(before.body.refreshed_at, show(before));
    // "never" had no waybill: one today makes it healthy.
    const key = await makeKey(admin, '报表刷新对接');
    const w = { waybill_no: s10(41000000 + (now % 1000000)), enterprise_id: E.never.id, product: 'standard', destination: '北京市/北京市/朝阳区', weight: 1.5, fee: '10.00', collected_at: iso(now - 60) };
    const r = await feed(srv, '/waybills:batch', key.secret, [w]);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.created, 1, show(r));
    const stale = await m1.get('/dashboards/health');
    assert.deepEqual(stale.body.counts, before.body.counts, 'as of the last refresh until the next');
    E.never.days.push(dayOf(now - 60));
    lines.push({ ent: E.never, day: dayOf(now - 60), fee_fen: 1000, product: 'standard' });
    const f = await admin.post('/dashboards/refresh');
    assert.equal(f.status, 200, show(f));
    const after = await m1.get('/dashboards/health');
    assert.deepEqual(after.body.counts, healthRecount('m1', today).c);
    assert.equal(after.body.counts.healthy, before.body.counts.healthy + 1);
    const list = await m1.get('/dashboards/health/enterprises?status=healthy&limit=200');
    assert.ok(list.body.items.some((x) => x.id === E.never.id), show(list));
  });

  // The previous full month: no cut at today, so its neighbours are whole too.
  function monthPeriod(back) {
    const [y, m] = ymOf(today);
    return { from: monthFirst(y, m - back), to: monthFirst(y, m - back + 1) - 1, label: label(...ymOf(monthFirst(y, m - back))) };
  }
  const inP = (p) => (l) => l.day >= p.from && l.day <= p.to;
  const sum = (ls) => ({ fee_fen: ls.reduce((s, l) => s + l.fee_fen, 0), pieces: ls.length });
  const groupSum = (ls, keyOf) => {
    const g = {};
    for (const l of ls) {
      const k = keyOf(l);
      g[k] = g[k] || { fee_fen: 0, pieces: 0 };
      g[k].fee_fen += l.fee_fen;
      g[k].pieces++;
    }
    return g;
  };
  const ofWho = (who) => {
    const ids = new Set(visibleTo(who).map((e) => e.id));
    return lines.filter((l) => ids.has(l.ent.id));
  };

  for (const who of ['admin', 'm1', 'szSup']) {
    test(`contribution of last month matches a recount (${who})`, async () => {
      const client = { admin, m1, szSup }[who];
      const P = monthPeriod(1), prev = monthPeriod(2), yoy = monthPeriod(13);
      const r = await client.get(`/dashboards/contribution?period=month&date=${P.label}`);
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.as_of, new Date(today * 86400000).toISOString().slice(0, 10), 'read from the snapshot');
      const mine = ofWho(who);
      const cur = mine.filter(inP(P));
      assert.equal(r.body.period.label, P.label);
      for (const [k, p] of [['totals', P], ['previous', prev], ['year_before', yoy]]) {
        const ls = mine.filter(inP(p));
        assert.equal(r.body[k].fee_fen, sum(ls).fee_fen, k);
        assert.equal(r.body[k].pieces, ls.length, k);
        assert.equal(r.body[k].enterprises, new Set(ls.map((l) => l.ent.id)).size, k);
      }
      assert.ok(r.body.year_before.pieces > 0 || who === 'szSup', 'the steady shipper was there a year before');
      const ind = groupSum(cur, (l) => l.ent.industry);
      assert.deepEqual(Object.fromEntries(r.body.by_industry.map((x) => [x.key, { fee_fen: x.fee_fen, pieces: x.pieces }])), ind);
      assert.equal(r.body.by_region.level, 'province');
      assert.deepEqual(Object.fromEntries(r.body.by_region.items.map((x) => [x.key, x.fee_fen])), Object.fromEntries(Object.entries(groupSum(cur, (l) => l.ent.region.split('/')[0])).map(([k, v]) => [k, v.fee_fen])));
      // the twelve months up to P by product
      const [y, m] = ymOf(P.from);
      const months = [];
      for (let k = 11; k >= 0; k--) months.push(monthFirst(y, m - k));
      assert.deepEqual(r.body.by_product.months, months.map((d) => label(...ymOf(d))));
      for (const s of r.body.by_product.series) {
        const want = months.map((first, i) => {
          const end = i < 11 ? months[i + 1] - 1 : P.to;
          return mine.filter((l) => l.product === s.product && l.day >= first && l.day <= end).reduce((a, l) => a + l.fee_fen, 0);
        });
        assert.deepEqual(s.fee_fen, want, s.product);
      }
      const top = Object.entries(groupSum(cur, (l) => l.ent.id)).sort((a, b) => b[1].fee_fen - a[1].fee_fen || a[0] - b[0]);
      assert.deepEqual(
        r.body.top.map((x) => [x.id, x.fee_fen]),
        top.slice(0, 10).map(([id, v]) => [Number(id), v.fee_fen]),
      );
    });
  }

  test('drilling: province to cities to branches, and the enterprises behind a bar and a slice', async () => {
    const P = monthPeriod(1);
    const cur = lines.filter(inP(P));
    let r = await admin.get(`/dashboards/contribution?period=month&date=${P.label}&province=${encodeURIComponent('广东省')}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.by_region.level, 'city');
    assert.deepEqual(Object.fromEntries(r.body.by_region.items.map((x) => [x.key, x.fee_fen])), Object.fromEntries(Object.entries(groupSum(cur, (l) => l.ent.region.split('/')[1])).map(([k, v]) => [k, v.fee_fen])));
    r = await admin.get(`/dashboards/contribution?period=month&date=${P.label}&province=${encodeURIComponent('广东省')}&city=${encodeURIComponent('广东省/深圳市')}`);
    assert.equal(r.body.by_region.level, 'branch');
    const sz = cur.filter((l) => l.ent.region.startsWith('广东省/深圳市/'));
    assert.deepEqual(
      r.body.by_region.items.map((x) => [x.branch_id, x.fee_fen]),
      Object.entries(groupSum(sz, (l) => l.ent.branch_id)).map(([k, v]) => [Number(k), v.fee_fen]),
    );
    // the enterprises behind the 深圳 bar, then behind the industry F slice
    r = await admin.get(`/dashboards/contribution/enterprises?period=month&date=${P.label}&province=${encodeURIComponent('广东省')}&city=${encodeURIComponent('广东省/深圳市')}`);
    assert.equal(r.status, 200, show(r));
    const want = groupSum(sz, (l) => l.ent.id);
    assert.equal(r.body.total, Object.keys(want).length);
    assert.deepEqual(Object.fromEntries(r.body.items.map((x) => [x.id, x.fee_fen])), Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v.fee_fen])));
    r = await m1.get(`/dashboards/contribution/enterprises?period=month&date=${P.label}&industry=F`);
    const f = groupSum(ofWho('m1').filter(inP(P)).filter((l) => l.ent.industry === 'F'), (l) => l.ent.id);
    assert.deepEqual(Object.fromEntries(r.body.items.map((x) => [x.id, x.fee_fen])), Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.fee_fen])));
  });

  test('a quarter and a year: the period holding the date, compared with the one before', async () => {
    const [y] = ymOf(today);
    const r = await admin.get(`/dashboards/contribution?period=year&date=${y - 1}-06-15`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.period.label, String(y - 1));
    const ls = lines.filter((l) => l.day >= monthFirst(y - 1, 0) && l.day <= monthFirst(y, 0) - 1);
    assert.equal(r.body.totals.fee_fen, sum(ls).fee_fen);
    const q = await admin.get(`/dashboards/contribution?period=quarter&date=${y - 1}-11`);
    assert.equal(q.body.period.label, `${y - 1}-Q4`);
    assert.equal(q.body.period.from, `${y - 1}-10-01`);
    assert.equal(q.body.period.to, `${y - 1}-12-31`);
  });

  // The period of `months` holding today, cut at today, and the one it is
  // compared with `back` months before, as many days long (report.h).
  function currentPeriod(months) {
    const [y, m] = ymOf(today);
    const start = m - (m % months);
    return { from: monthFirst(y, start), to: today, start: [y, start], months };
  }
  function backOf(p, back) {
    const from = monthFirst(p.start[0], p.start[1] - back);
    const end = monthFirst(p.start[0], p.start[1] - back + p.months) - 1;
    return { from, to: Math.min(from + (p.to - p.from), end) };
  }
  const isoDay = (d) => new Date(d * 86400000).toISOString().slice(0, 10);

  for (const [kind, months] of [['month', 1], ['quarter', 3], ['year', 12]]) {
    for (const who of ['admin', 'm1', 'szSup']) {
      test(`contribution of the current ${kind}, cut at today, and its cut neighbours match a recount from the snapshot (${who})`, async () => {
        const client = { admin, m1, szSup }[who];
        const P = currentPeriod(months);
        const r = await client.get(`/dashboards/contribution?period=${kind}`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.body.as_of, isoDay(today), 'read from the snapshot, which says its day');
        assert.ok(r.body.refreshed_at, show(r));
        assert.equal(r.body.period.to, isoDay(today));
        const mine = ofWho(who);
        for (const [k, p] of [['totals', P], ['previous', backOf(P, months)], ['year_before', backOf(P, 12)]]) {
          const ls = mine.filter(inP(p));
          assert.equal(r.body[k].period.from, isoDay(p.from), k);
          assert.equal(r.body[k].period.to, isoDay(p.to), k);
          assert.deepEqual([r.body[k].fee_fen, r.body[k].pieces, r.body[k].enterprises], [sum(ls).fee_fen, ls.length, new Set(ls.map((l) => l.ent.id)).size], k);
        }
        const cur = mine.filter(inP(P));
        const top = Object.entries(groupSum(cur, (l) => l.ent.id)).sort((a, b) => b[1].fee_fen - a[1].fee_fen || a[0] - b[0]);
        assert.deepEqual(r.body.top.map((x) => [x.id, x.fee_fen, x.pieces]), top.slice(0, 10).map(([id, v]) => [Number(id), v.fee_fen, v.pieces]));
        const [y, m] = ymOf(today);
        for (const s of r.body.by_product.series) {
          const want = [];
          for (let k = 11; k >= 0; k--) {
            const first = monthFirst(y, m - k);
            const end = k ? monthFirst(y, m - k + 1) - 1 : today;
            want.push(mine.filter((l) => l.product === s.product && l.day >= first && l.day <= end).reduce((a, l) => a + l.fee_fen, 0));
          }
          assert.deepEqual(s.fee_fen, want, s.product);
        }
        const list = await client.get(`/dashboards/contribution/enterprises?period=${kind}&limit=200`);
        assert.equal(list.body.as_of, isoDay(today));
        assert.equal(list.body.total, top.length);
        assert.deepEqual(list.body.items.map((x) => [x.id, x.fee_fen]), top.map(([id, v]) => [Number(id), v.fee_fen]));
      });
    }
  }

  test('contribution is as of the last refresh: a new waybill shows after the next one; a product slice is summed at the request', async () => {
    const before = await m1.get('/dashboards/contribution?period=month');
    assert.equal(before.status, 200, show(before));
    const key = await makeKey(admin, '报表贡献刷新');
    const w = { waybill_no: s10(42000000 + (now % 1000000)), enterprise_id: E.steady.id, product: 'medical', destination: '北京市/北京市/朝阳区', weight: 1.5, fee: '77.00', collected_at: iso(now - 30) };
    const r = await feed(srv, '/waybills:batch', key.secret, [w]);
    assert.equal(r.body.created, 1, show(r));
    const stale = await m1.get('/dashboards/contribution?period=month');
    assert.equal(stale.body.totals.fee_fen, before.body.totals.fee_fen, 'the snapshot is not changed by an ingest');
    const slice = await m1.get('/dashboards/contribution?period=month&product=medical');
    assert.equal(slice.status, 200, show(slice));
    assert.equal(slice.body.as_of, undefined, 'a product slice is not in the snapshot');
    lines.push({ ent: E.steady, day: dayOf(now - 30), fee_fen: 7700, product: 'medical' });
    const P = currentPeriod(1);
    assert.equal(slice.body.totals.fee_fen, sum(ofWho('m1').filter(inP(P)).filter((l) => l.product === 'medical')).fee_fen);
    const f = await admin.post('/dashboards/refresh');
    assert.equal(f.status, 200, show(f));
    const after = await m1.get('/dashboards/contribution?period=month');
    assert.equal(after.body.totals.fee_fen, before.body.totals.fee_fen + 7700);
    assert.equal(after.body.totals.fee_fen, sum(ofWho('m1').filter(inP(P))).fee_fen);
  });

  test('a bad period, date, status or kind is a 422 naming it, in the caller\'s language; nothing else answers', async () => {
    expectError(await admin.get('/dashboards/contribution?period=week'), 422, 'validation_failed', { fields: ['period'] });
    const en = await admin.get('/dashboards/contribution?period=decade', { lang: 'en' });
    expectError(en, 422, 'validation_failed', { lang: 'en', fields: ['period'] });
    assert.match(en.body.error.fields.period, /month, quarter or year/);
    expectError(await admin.get('/dashboards/contribution?date=2026-13'), 422, 'validation_failed', { fields: ['date'] });
    expectError(await admin.get('/dashboards/customers?date=yesterday'), 422, 'validation_failed', { fields: ['date'] });
    expectError(await admin.get('/dashboards/health/enterprises?status=sleepy'), 422, 'validation_failed', { fields: ['status'] });
    expectError(await admin.get('/dashboards/health/enterprises?status=churn&limit=0'), 422, 'validation_failed', { fields: ['limit'] });
    expectError(await admin.get('/dashboards/customers/list?kind=everyone'), 422, 'validation_failed', { fields: ['kind'] });
  });

  test('from the dormant list a manager makes one to-do per enterprise, only on their own', async () => {
    const list = await m1.get('/dashboards/health/enterprises?status=dormant');
    const ids = list.body.ids;
    assert.deepEqual(ids, [E.quiet.id]);
    const body = { ids: [...ids, E.szQuiet.id], title: '回访沉睡大客户', days: 1 };
    let r = await m1.post('/enterprises/bulk-tasks', { ...body, preview: true });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.count, 1, 'the other manager\'s enterprise is not in the group');
    r = await m1.post('/enterprises/bulk-tasks', { ...body, client_token: 'dash-bulk-1' });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.created, 1);
    const tasks = await m1.get(`/enterprises/${E.quiet.id}/tasks`);
    assert.equal(tasks.status, 200, show(tasks));
    assert.deepEqual(
      tasks.body.items.map((t) => t.title),
      ['回访沉睡大客户'],
    );
    const other = await m3.get(`/enterprises/${E.szQuiet.id}/tasks`);
    assert.equal(other.body.items.length, 0);
  });

  // ---- individual customers ----
  const C = [];
  test('set-up: customers with birthdays and maturities, records and to-dos', async () => {
    const branches = await branchesByCode(admin);
    const u = new Uniq(91);
    const md = (back) => new Date((today + back) * 86400000).toISOString().slice(5, 10);
    const plus = (n) => new Date((today + n) * 86400000).toISOString().slice(0, 10);
    const specs = [
      { code: 'GD-GZ-01', birthday: `1980-${md(3)}`, maturity: plus(10) },
      { code: 'GD-GZ-01', birthday: `1975-${md(45)}`, maturity: plus(60) },
      { code: 'GD-GZ-01', birthday: `1990-${md(0)}` },
      { code: 'GD-SZ-01', birthday: `1985-${md(20)}`, maturity: plus(29) },
      { code: 'GD-SZ-01', birthday: `1970-${md(31)}` },
    ];
    for (const [i, s] of specs.entries()) {
      const body = { name: `报表客户${'甲乙丙丁戊'[i]}`, phone: u.phone(), branch_id: branches[s.code].id, birthday: s.birthday };
      if (s.maturity) body.custom = { product_maturity: s.maturity };
      const c = await createCustomer(admin, body);
      C.push({ ...s, id: c.id, birthday: s.birthday });
    }
    const at = iso(now - 60);
    for (const [i, type] of ['ems', 'ems', 'parcel'].entries()) {
      const r = await admin.post(`/customers/${C[i === 2 ? 3 : i].id}/interactions`, { type, occurred_at: at, description: '报表记录' });
      assert.equal(r.status, 201, show(r));
    }
    const yesterday = new Date((today - 1) * 86400000).toISOString().slice(0, 10);
    let r = await m1.post('/tasks', { title: '逾期的回访', due_at: `${yesterday}T10:00:00+08:00`, customer_id: C[0].id });
    assert.equal(r.status, 201, show(r));
    r = await m1.post('/tasks', { title: '完成的回访', due_at: `${yesterday}T11:00:00+08:00`, customer_id: C[1].id });
    assert.equal(r.status, 201, show(r));
    r = await m1.post(`/tasks/${r.body.task.id}/complete`, { outcome: '已联系' });
    assert.equal(r.status, 200, show(r));
  });

  for (const who of ['admin', 'szSup']) {
    test(`individual customers' figures match a recount (${who})`, async () => {
      const client = { admin, szSup }[who];
      const mine = who === 'admin' ? C : C.filter((c) => c.code === 'GD-SZ-01');
      const r = await client.get('/dashboards/customers');
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.new_in_period, mine.length);
      assert.equal(r.body.new_customers.counts.at(-1), mine.length);
      const soon = (d) => d >= today && d <= today + 29;
      const bdays = mine.filter((c) => [0, 1].some((y) => soon(Math.floor(Date.UTC(ymOf(today)[0] + y, Number(c.birthday.slice(5, 7)) - 1, Number(c.birthday.slice(8))) / 86400000))));
      assert.equal(r.body.birthdays, bdays.length);
      assert.equal(r.body.maturities, mine.filter((c) => c.maturity && soon(Math.floor(Date.parse(c.maturity) / 86400000))).length);
      const types = who === 'admin' ? { ems: 2, parcel: 1 } : { parcel: 1 };
      assert.deepEqual(Object.fromEntries(r.body.records_by_type.map((x) => [x.key, x.count])), types);
      if (who === 'admin') {
        const row = r.body.tasks_by_assignee.find((x) => x.name === '报表经理甲');
        assert.deepEqual([row.done, row.overdue], [1, 1]);
      } else {
        assert.deepEqual(r.body.tasks_by_assignee, []);
      }
      const list = await client.get('/dashboards/customers/list?kind=birthdays');
      assert.deepEqual(list.body.items.map((x) => x.id).sort(), bdays.map((c) => c.id).sort());
      assert.equal(list.body.total, bdays.length);
      const news = await client.get('/dashboards/customers/list?kind=new');
      assert.equal(news.body.total, mine.length);
    });
  }
});
