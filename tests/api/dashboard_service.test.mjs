// 服务效率 (issue 19): the service dashboard's every figure — totals of the
// period, the leaderboard per manager and per branch, the twelve-month
// trend — equals a recount from the raw tickets (each read with its
// timeline) and their survey answers, for an admin, a supervisor (their
// branch tree) and a manager, each over the tickets their own ticket list
// shows; the tickets behind a row are exactly the ones it counts; a clerk
// without reports.read is refused; bad input is a 422 naming the field in
// the caller's language. Tickets are logged over three months with the
// test clock, answered fast or late (breaching the 15-minute VIP first
// response), resolved with one reply or more, reopened, and rated.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, branchesByCode, resignIn } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';

const DAY = 86400;
const secs = (iso) => Math.floor(Date.parse(iso) / 1000);
const monthOf = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 7); // +08:00
// C's round(): halves away from zero (Math.round takes -2.5 to -2)
const roundC = (x) => Math.sign(x) * Math.round(Math.abs(x));
const rate = (n, d) => (d ? roundC((n / d) * 10000) / 10000 : null);
const avg = (xs) => (xs.length ? roundC(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

// The dashboard reads a snapshot whose first-response p90 is the top of
// the histogram bucket holding the exact one (ticket_kpi.h: one bucket per
// second below 8 s, then eight per doubling).
function bucketTop(s) {
  if (s < 8) return s;
  const w = 2 ** (Math.floor(Math.log2(s)) - 3);
  return Math.floor(s / w) * w + w - 1;
}

/** The KPIs of ticket_kpi.c recounted from tickets with their timelines. */
function kpi(ts) {
  const fr = ts.filter((t) => t.first_response_at).map((t) => secs(t.first_response_at) - secs(t.created_at)).sort((a, b) => a - b);
  const resolved = ts.filter((t) => t.resolved_at);
  const rated = ts.filter((t) => t.csat && t.nps !== null);
  const fcr = resolved.filter((t) => t.reopen_count === 0 && t.timeline.filter((e) => e.kind === 'reply').length === 1);
  const attained = resolved.filter((t) => !t.first_response_breached_at && !t.resolution_breached_at);
  const promoters = rated.filter((t) => t.nps >= 9).length, detractors = rated.filter((t) => t.nps <= 6).length;
  return {
    tickets: ts.length,
    first_response: { count: fr.length, avg_seconds: avg(fr), p90_seconds: fr.length ? bucketTop(fr[Math.ceil(0.9 * fr.length) - 1]) : null },
    resolution: { count: resolved.length, avg_seconds: avg(resolved.map((t) => secs(t.resolved_at) - secs(t.created_at))) },
    first_contact_resolution: { resolved: resolved.length, count: fcr.length, rate: rate(fcr.length, resolved.length) },
    reopen_rate: rate(ts.filter((t) => t.reopen_count > 0).length, ts.filter((t) => t.resolved_at || t.reopen_count > 0).length),
    sla_attainment: rate(attained.length, resolved.length),
    csat: rated.length ? roundC((rated.reduce((a, t) => a + t.csat, 0) / rated.length) * 100) / 100 : null,
    nps: rated.length ? roundC(((100 * (promoters - detractors)) / rated.length) * 10) / 10 : null,
    survey_responses: rated.length,
  };
}
const strip = ({ id, name, ...rest }) => rest;

describe('dashboards: service efficiency', () => {
  const srv = useServer({
    label: 'dash-service',
    users: [
      { login: 'A9451', name: '服务报表管理员', role: 'admin', branch: 'GD' },
      { login: 'M9451', name: '服务经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9452', name: '服务经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9453', name: '深圳服务经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'S9453', name: '深圳服务主管', role: 'supervisor', branch: 'GD-SZ-01' },
      { login: 'C9451', name: '服务柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, m2, m3, szSup, clerk, users, month;
  const viewers = {};
  const ents = {}; // who -> {ent, contact}
  const seen = new Set();

  /** The survey token sent for ticket no (the SMS of its resolution). */
  async function surveyToken(no) {
    const m = await waitFor(async () => (await admin.get('/dev-mailbox?limit=100')).body.items.find((x) => !seen.has(x.id) && String(x.body).includes(no) && String(x.body).includes('/survey/')), { what: `the survey of ${no}` });
    seen.add(m.id);
    return String(m.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/)[1];
  }

  test('set-up: three managers\' VIP enterprises, tickets over three months answered, resolved, reopened and rated', async () => {
    ({ A9451: admin, M9451: m1, M9452: m2, M9453: m3, S9453: szSup, C9451: clerk } = await signInAll(srv, ['A9451', 'M9451', 'M9452', 'M9453', 'S9453', 'C9451']));
    Object.assign(viewers, { admin, m1, szSup });
    const branches = await branchesByCode(admin);
    users = Object.fromEntries((await admin.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    let r = await admin.put('/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 2880, calendar: '24x7' });
    assert.equal(r.status, 200, show(r));
    const plan = { m1: ['M9451', 'GD-GZ-01', '13712345101'], m2: ['M9452', 'GD-GZ-01', '13712345102'], m3: ['M9453', 'GD-SZ-01', '13712345103'] };
    for (const [who, [login, branch, mobile]] of Object.entries(plan)) {
      r = await admin.post('/enterprises', { name: `服务报表企业${who}有限公司`, status: 'active', branch_id: branches[branch].id, owner_id: users[login] });
      assert.equal(r.status, 201, show(r));
      const ent = r.body.enterprise;
      r = await admin.post(`/enterprises/${ent.id}/contacts`, { name: `联系人${who}`, mobile, roles: ['liaison'] });
      assert.equal(r.status, 201, show(r));
      ents[who] = { ent, contact: r.body.contact };
    }
    const by = { m1, m2, m3 };
    // per month: [who, minutes to the first reply (null: none), replies, resolve?, reopen?, [csat, nps]]
    const rounds = [
      [['m1', 5, 1, true, false, [5, 10]], ['m1', 30, 2, true, false, [3, 6]], ['m2', 2, 1, true, false, [4, 8]], ['m3', 10, 1, true, true, null]],
      [['m1', 1, 1, true, false, [5, 9]], ['m2', 40, 1, true, false, [2, 0]], ['m3', 3, 1, true, false, [4, 7]], ['m3', null, 0, false, false, null]],
      [['m1', 7, 1, true, true, null], ['m1', 4, 1, true, false, [4, 9]], ['m2', 12, 3, true, false, null], ['m3', 6, 1, true, false, [1, 3]]],
    ];
    for (const [k, round] of rounds.entries()) {
      if (k) {
        await advanceClock(srv, 31 * DAY);
        // a month on, every session has lapsed
        for (const [c, login] of [[admin, 'A9451'], [m1, 'M9451'], [m2, 'M9452'], [m3, 'M9453'], [szSup, 'S9453'], [clerk, 'C9451']]) await resignIn(srv, c, login);
      }
      for (const [who, minutes, replies, resolve, reopen, rating] of round) {
        const { ent, contact } = ents[who];
        r = await admin.post('/tickets', { channel: 'counter', type: 'complaint', subject: `服务报表工单${k}${who}`, enterprise_id: ent.id, contact_id: contact.id });
        assert.equal(r.status, 201, show(r));
        const tk = r.body.ticket;
        if (minutes === null) continue;
        await advanceClock(srv, minutes * 60);
        // past the 15 minutes: the sweep stamps the breach before the reply
        if (minutes > 15) await waitFor(async () => (await admin.get(`/tickets/${tk.id}`)).body.ticket.first_response_breached_at, { what: `the breach of ${tk.ticket_no}` });
        for (let i = 0; i < replies; i++) {
          r = await by[who].post(`/tickets/${tk.id}/replies`, { body: `答复${i}` });
          assert.equal(r.status, 201, show(r));
        }
        if (!resolve) continue;
        await advanceClock(srv, 600);
        r = await by[who].post(`/tickets/${tk.id}/status`, { status: 'resolved' });
        assert.equal(r.status, 200, show(r));
        if (reopen) {
          r = await by[who].post(`/tickets/${tk.id}/status`, { status: 'reopened' });
          assert.equal(r.status, 200, show(r));
          r = await by[who].post(`/tickets/${tk.id}/status`, { status: 'resolved' });
          assert.equal(r.status, 200, show(r));
        }
        const token = await surveyToken(tk.ticket_no);
        if (rating) {
          r = await new Client(srv).post(`/surveys/${token}`, { csat: rating[0], nps: rating[1] });
          assert.equal(r.status, 200, show(r));
        }
      }
    }
    month = (await advanceClock(srv, 0)).slice(0, 7);
    // the dashboard reads the snapshot: made now rather than waited for
    r = await admin.post('/dashboards/refresh');
    assert.equal(r.status, 200, show(r));
  });

  /** Every ticket viewer's own list shows, each read whole by the admin. */
  async function visible(viewer) {
    const ids = [];
    for (let cursor; ;) {
      const page = await viewer.get(`/tickets?view=all&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, show(page));
      ids.push(...page.body.items.map((t) => t.id));
      if (!(cursor = page.body.next_cursor)) break;
    }
    return Promise.all(ids.map(async (id) => (await admin.get(`/tickets/${id}`)).body.ticket));
  }

  for (const who of ['admin', 'm1', 'szSup']) {
    test(`${who}: totals, both leaderboards and the twelve-month trend equal a recount of the tickets in sight`, async () => {
      const viewer = viewers[who];
      const all = await visible(viewer);
      assert.ok(all.length >= (who === 'admin' ? 12 : 4), `${who} sees ${all.length}`);
      const inMonth = all.filter((t) => monthOf(secs(t.created_at)) === month);
      for (const group of ['manager', 'branch']) {
        const r = await viewer.get(`/dashboards/service?period=month&date=${month}&group=${group}`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.body.p90_approx, true, 'read from the snapshot');
        assert.ok(r.body.refreshed_at, show(r));
        assert.deepEqual(r.body.totals, kpi(inMonth));
        const key = (t) => (group === 'branch' ? t.branch_id : t.assignee_id || 0);
        const ids = [...new Set(inMonth.map(key))].sort((a, b) => a - b);
        assert.deepEqual(r.body.leaderboard.map((x) => x.id), ids);
        for (const row of r.body.leaderboard) {
          const mine = inMonth.filter((t) => key(t) === row.id);
          assert.deepEqual(strip(row), kpi(mine), `${group} ${row.name}`);
          const d = await viewer.get(`/dashboards/service/tickets?period=month&date=${month}&group=${group}&id=${row.id}&limit=200`);
          assert.equal(d.status, 200, show(d));
          assert.equal(d.body.total, mine.length);
          assert.deepEqual(d.body.items.map((t) => t.id).sort(), mine.map((t) => t.id).sort());
        }
        assert.equal(r.body.trend.months.length, 12);
        assert.equal(r.body.trend.months[11], month);
        r.body.trend.months.forEach((m, i) => assert.deepEqual(r.body.trend.items[i], kpi(all.filter((t) => monthOf(secs(t.created_at)) === m)), `trend ${m}`));
      }
    });
  }

  test('scope: a manager\'s figures leave out the other managers\' tickets; the supervisor of Shenzhen sees none of Guangzhou\'s', async () => {
    const r = await m1.get(`/dashboards/service?period=year&date=${month}&group=manager`);
    assert.equal(r.status, 200, show(r));
    const sz = await szSup.get(`/dashboards/service?period=year&date=${month}&group=manager`);
    assert.deepEqual(sz.body.leaderboard.map((x) => x.id), [users.M9453]);
    assert.ok(!r.body.leaderboard.some((x) => x.id === users.M9453), 'Shenzhen tickets in a Guangzhou manager\'s board');
    const d = await szSup.get(`/dashboards/service/tickets?period=year&date=${month}&group=manager&id=${users.M9451}`);
    assert.equal(d.status, 200, show(d));
    assert.equal(d.body.total, 0);
    const rated = (await visible(admin)).filter((t) => t.csat);
    assert.ok(rated.length >= 7 && rated.some((t) => t.nps <= 6) && rated.some((t) => t.first_response_breached_at), 'the data covers detractors and breaches');
  });

  test('the figures are as of the last refresh: a ticket logged after it counts once the snapshot is made again', async () => {
    const before = await admin.get(`/dashboards/service?period=month&date=${month}&group=manager`);
    assert.equal(before.status, 200, show(before));
    const { ent, contact } = ents.m1;
    let r = await admin.post('/tickets', { channel: 'counter', type: 'complaint', subject: '服务报表工单刷新', enterprise_id: ent.id, contact_id: contact.id });
    assert.equal(r.status, 201, show(r));
    const stale = await admin.get(`/dashboards/service?period=month&date=${month}&group=manager`);
    assert.equal(stale.body.totals.tickets, before.body.totals.tickets, 'not counted before the refresh');
    r = await admin.post('/dashboards/refresh');
    assert.equal(r.status, 200, show(r));
    const after = await admin.get(`/dashboards/service?period=month&date=${month}&group=manager`);
    const all = (await visible(admin)).filter((t) => monthOf(secs(t.created_at)) === month);
    assert.equal(after.body.totals.tickets, before.body.totals.tickets + 1);
    assert.deepEqual(after.body.totals, kpi(all));
  });

  test('refused and bad input: a clerk gets 403; a bad group, period or row is a 422 in the caller\'s language', async () => {
    expectError(await clerk.get('/dashboards/service'), 403, 'forbidden');
    let r = await admin.get('/dashboards/service?group=team');
    expectError(r, 422, 'validation_failed', { fields: ['group'] });
    assert.match(r.body.error.fields.group, /客户经理/);
    r = await admin.get('/dashboards/service?period=week', { lang: 'en' });
    expectError(r, 422, 'validation_failed', { fields: ['period'], lang: 'en' });
    r = await admin.get('/dashboards/service/tickets?group=branch&id=0', { lang: 'en' });
    expectError(r, 422, 'validation_failed', { fields: ['id'], lang: 'en' });
    r = await admin.get('/dashboards/service/tickets?group=manager');
    expectError(r, 422, 'validation_failed', { fields: ['id'] });
  });
});
