// Demo data (`hongyan demo`, what `make run` serves): customers with valid
// identity data, business records and figures, tags and open tasks, scoped
// to the demo branches like real data.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';

describe('demo data', () => {
  const srv = useServer({
    label: 'demo',
    demoCustomers: 120,
    demoEnterprises: 40,
    users: [
      { login: 'A9001', name: '演示管理员', role: 'admin', branch: 'GD' },
      { login: 'C9001', name: '演示柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const signed = {};
  async function clientFor(_srv, login) {
    if (!signed[login]) {
      signed[login] = new Client(srv);
      await signInFresh(srv, signed[login], login);
    }
    return signed[login];
  }

  test('an admin sees about the number of customers asked for, each a valid profile', async () => {
    const admin = await clientFor(srv, 'A9001');
    const r = await admin.get('/customers?limit=200');
    assert.equal(r.status, 200, show(r));
    // A made-up phone number may collide and be skipped; nearly all stay.
    assert.ok(r.body.total >= 110 && r.body.total <= 120, `total ${r.body.total}`);
    for (const c of r.body.items) {
      assert.match(c.customer_no, /\S/);
      assert.match(c.phone, /^1\d{2}\*{4}\d{4}$/, 'phone masked in lists');
      assert.ok(c.birthday && c.gender, 'birthday and gender derived from the ID number');
      assert.match(c.region, /^广东省\//);
    }
    // Some have business records, hence figures, and tags.
    assert.ok(r.body.items.some((c) => c.visits_90d > 0 && Number(c.spend_12m) > 0 && c.last_visit_at));
    const one = await admin.get(`/customers/${r.body.items.find((c) => c.visits_90d > 0).id}`);
    assert.ok(one.body.customer.tags.length >= 1, show(one));
    const recs = await admin.get(`/customers/${one.body.customer.id}/interactions`);
    assert.equal(recs.status, 200, show(recs));
    assert.ok(recs.body.items.length >= 1);
  });

  test('a clerk sees only the customers of the branch, and has tasks to do', async () => {
    const clerk = await clientFor(srv, 'C9001');
    const admin = await clientFor(srv, 'A9001');
    const mine = await clerk.get('/customers?limit=200');
    const all = await admin.get('/customers?limit=200');
    assert.ok(mine.body.total > 0 && mine.body.total < all.body.total, `${mine.body.total} of ${all.body.total}`);
    assert.ok(mine.body.items.every((c) => c.region === '广东省/广州市/天河区'));
    const tasks = await admin.get('/tasks/counts');
    assert.equal(tasks.status, 200, show(tasks));
  });
  test('VIP enterprises: as many as asked for, valid credit codes, contacts with one primary, scoped like customers', async () => {
    const admin = await clientFor(srv, 'A9001');
    const r = await admin.get('/enterprises?limit=200');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.total, 40);
    const kinds = new Set();
    for (const e of r.body.items) {
      assert.match(e.uscc, /^(91|11)44\d{4}[0-9A-HJ-NPQRTUWXY]{10}$/);
      assert.equal(e.uscc_override_reason, null, 'generated codes carry a right check character');
      assert.match(e.customer_no, /^E-GD-/);
      kinds.add(e.industry);
    }
    assert.ok(kinds.size >= 3, `industries: ${[...kinds]}`);
    const one = r.body.items[0];
    const c = await admin.get(`/enterprises/${one.id}/contacts`);
    assert.ok(c.body.items.length >= 1);
    assert.equal(c.body.items.filter((x) => x.is_primary).length, 1);
    const clerk = await clientFor(srv, 'C9001');
    const mine = await clerk.get('/enterprises?limit=200');
    assert.ok(mine.body.total > 0 && mine.body.total < 40, `clerk sees ${mine.body.total}`);
    assert.ok(mine.body.items.every((e) => e.customer_no.startsWith('E-GD-GZ-01-')));
  });
  test('VIP enterprises with an account manager have visits and calls with their contacts, and open to-dos for the manager', async () => {
    const admin = await clientFor(srv, 'A9001');
    const managed = (await admin.get('/enterprises?limit=200')).body.items.filter((e) => e.owner_id);
    assert.ok(managed.length > 0);
    let records = 0;
    let tasks = 0;
    for (const e of managed) {
      const o = (await admin.get(`/enterprises/${e.id}/overview`)).body;
      records += o.counts.records;
      tasks += o.counts.open_tasks;
      for (const x of o.tasks) assert.equal(x.assignee_id, e.owner_id, 'a demo to-do is its manager\'s');
      for (const x of o.records) assert.equal(x.handled_by, e.owner_id, 'a demo record is its manager\'s');
    }
    assert.ok(records > managed.length / 2, `${records} records on ${managed.length} enterprises`);
    assert.ok(tasks > 0, 'some open to-dos');
    const withRecords = managed[0];
    const page = await admin.get(`/enterprises/${withRecords.id}/interactions`);
    assert.ok(page.body.items.every((x) => x.contacts.length === 1), 'each with the contact who took part');
  });
  test('half a year of service tickets: most answered in time, closed and rated; a few open today; the KPIs and 满意度 count them', async () => {
    const admin = await clientFor(srv, 'A9001');
    const all = await admin.get('/tickets?limit=200');
    assert.equal(all.status, 200, show(all));
    assert.equal(all.body.total, 120);
    const items = all.body.items;
    const open = items.filter((t) => !['resolved', 'closed'].includes(t.status));
    assert.ok(open.length >= 3 && open.length <= 20, `${open.length} open tickets`);
    assert.ok(items.filter((t) => t.status === 'closed').length >= 80);
    const days = items.map((t) => (Date.now() - Date.parse(t.created_at)) / 86400000);
    assert.ok(Math.max(...days) > 170 && Math.max(...days) < 182, `the oldest is ${Math.max(...days)} days old`);
    assert.ok(Math.min(...days) < 1, 'one opened today');
    assert.ok(items.every((t) => /^T\d{12}$/.test(t.ticket_no)));
    // each ticket's number carries the day it was opened (+08:00)
    for (const t of items) assert.equal(t.ticket_no.slice(1, 9), t.created_at.slice(0, 10).replace(/-/g, ''), t.ticket_no);

    const day = (d) => new Date(Date.now() + 8 * 3600000 - d * 86400000).toISOString().slice(0, 10);
    const k = await admin.get(`/tickets/kpis?group=manager&from=${day(200)}&to=${day(0)}`);
    assert.equal(k.status, 200, show(k));
    const sum = (f) => k.body.items.reduce((n, x) => n + f(x), 0);
    assert.equal(sum((x) => x.tickets), 120);
    assert.ok(sum((x) => x.first_response.count) >= 110, 'nearly every ticket answered');
    assert.ok(sum((x) => x.survey_responses) >= 60, 'most resolved tickets rated');
    for (const x of k.body.items.filter((g) => g.first_response.count >= 10)) {
      assert.ok(x.first_response.avg_seconds > 0 && x.first_response.p90_seconds > 0, JSON.stringify(x));
      // a third settled at the first answer
      assert.ok(x.first_contact_resolution.rate > 0.1 && x.first_contact_resolution.rate < 0.7, JSON.stringify(x));
      // most within the VIP target, not all: the figures have something to show
      assert.ok(x.sla_attainment > 0.5 && x.sla_attainment < 1, JSON.stringify(x));
      assert.ok(x.csat >= 3.5 && x.csat <= 5, JSON.stringify(x));
    }
    const rated = items.find((t) => t.status === 'closed' && t.enterprise_id);
    const sat = await admin.get(`/enterprises/${rated.enterprise_id}/satisfaction`);
    assert.equal(sat.status, 200, show(sat));
  });
});
