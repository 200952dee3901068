// Two servers writing in parallel to one PostgreSQL database, without a
// global write lock (issue 21, docs/decisions/0020-pg-multi-writer.md).
// Transactions are SERIALIZABLE; one that loses a conflict is run again
// whole by the server, so the user sees what one-at-a-time writers would
// give: non-conflicting writes all succeed, a version conflict is a 409,
// numbers never repeat, and every acknowledged write is in the database.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServerPair, PG_DIR } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { Uniq } from './lib/customers.mjs';

const WRITERS = 8; // concurrent requests in flight per server

// Run fn(i) for i in 0..n-1 with at most `width` at once; results in order.
async function pool(n, width, fn) {
  const out = new Array(n);
  let next = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  return out;
}

describe('PostgreSQL: writers on two servers at once', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (scripts/with-pg.sh); SQLite has one writer by design' }, () => {
  const [a, b] = useServerPair(
    {
      users: [
        { login: 'C9601', name: '并发柜员甲', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009601' },
        { login: 'C9602', name: '并发柜员乙', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009602' },
      ],
    },
    ['mw-a', 'mw-b'],
  );
  const test = a.it;
  const u = new Uniq(61);
  let onA, onB; // the same session on either server
  let created = []; // customers acknowledged with 201

  // Even i on server a, odd on server b.
  const via = (i) => (i % 2 ? onB : onA);

  test('a session signed in on one server writes on both', async () => {
    onA = new Client(a);
    await signInFresh(a, onA, 'C9601');
    onB = new Client(b);
    onB.cookies = onA.cookies;
    onB.csrf = onA.csrf;
    const me = await onB.get('/auth/me');
    assert.equal(me.status, 200, show(me));
  });

  test('concurrent creates in one branch on both servers all succeed, each with its own customer number', async () => {
    const n = 48;
    const res = await pool(n, 2 * WRITERS, (i) => via(i).post('/customers', { name: `并发客户${i}`, phone: u.phone() }));
    for (const r of res) assert.equal(r.status, 201, show(r));
    created = res.map((r) => r.body.customer);
    const numbers = new Set(created.map((c) => c.customer_no));
    assert.equal(numbers.size, n, `customer numbers repeat: ${created.map((c) => c.customer_no).sort().join(' ')}`);
  });

  test('concurrent updates of different customers and records with follow-up tasks all succeed', async () => {
    const upd = await pool(created.length, 2 * WRITERS, (i) =>
      via(i + 1).patch(`/customers/${created[i].id}`, { version: created[i].version, occupation: `职业${i}` }),
    );
    for (const r of upd) assert.equal(r.status, 200, show(r));
    const rec = await pool(created.length, 2 * WRITERS, (i) =>
      via(i).post(`/customers/${created[i].id}/interactions`, {
        type: 'parcel',
        description: `并发记录${i}`,
        follow_up: { title: `并发回访${i}`, due_at: '2026-12-20' },
      }),
    );
    for (const r of rec) {
      assert.equal(r.status, 201, show(r));
      assert.ok(r.body.task, `a follow-up task in ${JSON.stringify(r.body)}`);
    }
  });

  test('conflicting updates of one customer with the same version: exactly one 200, every other one 409 stale_version', async () => {
    const c = created[0];
    const cur = await onA.get(`/customers/${c.id}`);
    assert.equal(cur.status, 200, show(cur));
    const version = cur.body.customer.version;
    const n = 16;
    const res = await Promise.all(
      Array.from({ length: n }, (_, i) => via(i).patch(`/customers/${c.id}`, { version, occupation: `抢写${i}` })),
    );
    const ok = res.filter((r) => r.status === 200);
    const stale = res.filter((r) => r.status === 409 && r.body.error?.code === 'stale_version');
    assert.equal(ok.length, 1, res.map((r) => r.status).join(' '));
    assert.equal(stale.length, n - 1, res.filter((r) => r.status !== 200).map(show).join('\n'));
    const after = await onB.get(`/customers/${c.id}`);
    assert.equal(after.body.customer.occupation, ok[0].body.customer.occupation, 'the acknowledged write is the one stored');
    assert.equal(after.body.customer.version, version + 1, 'one update, not several');
  });

  test('every acknowledged write is in the database, seen from either server', async () => {
    assert.equal(created.length, 48, 'the creates above were acknowledged');
    for (let i = 1; i < created.length; i++) {
      const c = created[i];
      const r = await via(i + 1).get(`/customers/${c.id}`);
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.customer.occupation, `职业${i}`, `update of ${c.customer_no} lost`);
      assert.equal(r.body.customer.version, c.version + 1);
    }
    const [[records, tasks]] = a.queryDb(
      `SELECT count(*), count(DISTINCT i.task_id) FROM interactions i JOIN tasks t ON t.id = i.task_id ` +
        `WHERE i.description LIKE '并发记录%' AND t.title LIKE '并发回访%'`,
    );
    assert.equal(Number(records), created.length, 'a record lost');
    assert.equal(Number(tasks), created.length, 'a follow-up task lost or shared');
  });
});
