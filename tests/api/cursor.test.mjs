// One keyset cursor for every list: following next_cursor visits every row
// exactly once in the list's order (to-dos, business records, admin lists),
// the task list's page numbers (offset) still work, and a forged or foreign
// cursor is refused with 422 on every list.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, createCustomer, Uniq } from './lib/customers.mjs';

describe('list cursors', () => {
  const srv = useServer({
    label: 'cursor',
    users: [
      { login: 'A7302', name: '游标管理员', role: 'admin', branch: 'GD' },
      { login: 'C7302', name: '游标柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(73);
  let admin, clerk, customer;

  /** Every item of path following next_cursor, limit 2 a page. */
  async function follow(client, path) {
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 50; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const r = await client.get(`${path}${sep}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, show(r));
      seen.push(...r.body.items.map((x) => x.id));
      cursor = r.body.next_cursor;
      if (!cursor) return seen;
      assert.equal(typeof cursor, 'string');
    }
    throw new Error('too many pages');
  }

  test('set-up: staff sign in, a customer with records, seven to-dos (two due at the same time)', async () => {
    ({ A7302: admin, C7302: clerk } = await signInAll(srv, ['A7302', 'C7302']));
    customer = await createCustomer(clerk, { name: '游标客户', phone: u.phone() });
    const due = ['2026-12-01', '2026-12-02', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'];
    for (const [i, d] of due.entries()) {
      const r = await clerk.post('/tasks', { title: `游标待办${i}`, due_at: d, customer_id: customer.id });
      assert.equal(r.status, 201, show(r));
    }
    for (let i = 0; i < 5; i++) {
      const r = await clerk.post(`/customers/${customer.id}/interactions`, {
        type: 'ems',
        occurred_at: `2026-11-0${1 + (i % 3)}T10:00:00+08:00`,
        description: `游标记录${i}`,
      });
      assert.equal(r.status, 201, show(r));
    }
  });

  test('to-dos: the cursor pages give the whole list once, in order; page numbers still work', async () => {
    const all = await clerk.get(`/tasks?view=all&customer_id=${customer.id}&limit=200`);
    assert.equal(all.status, 200, show(all));
    const ids = all.body.items.map((t) => t.id);
    assert.equal(ids.length, 7);
    assert.deepEqual(await follow(clerk, `/tasks?view=all&customer_id=${customer.id}`), ids);
    const page2 = await clerk.get(`/tasks?view=all&customer_id=${customer.id}&limit=2&offset=2`);
    assert.equal(page2.status, 200, show(page2));
    assert.deepEqual(page2.body.items.map((t) => t.id), ids.slice(2, 4));
    assert.equal(page2.body.total, 7);
  });

  test('business records: newest first across pages, records at the same time included', async () => {
    const all = await clerk.get(`/customers/${customer.id}/interactions?limit=200`);
    assert.equal(all.status, 200, show(all));
    const ids = all.body.items.map((x) => x.id);
    assert.equal(ids.length, 5);
    assert.deepEqual(await follow(clerk, `/customers/${customer.id}/interactions`), ids);
  });

  test('admin lists (users) page with the same cursor', async () => {
    const all = await admin.get('/users?limit=200');
    assert.equal(all.status, 200, show(all));
    assert.deepEqual(await follow(admin, '/users'), all.body.items.map((x) => x.id));
  });

  test('forged cursors, and the old text and number formats, are 422 on every list', async () => {
    for (const bad of ["x' OR 1=1 --", '12.34', '17', 'W10']) {
      const c = encodeURIComponent(bad);
      expectError(await clerk.get(`/tasks?view=all&cursor=${c}`), 422, 'validation_failed', { fields: ['cursor'] });
      expectError(await clerk.get(`/customers/${customer.id}/interactions?cursor=${c}`), 422, 'validation_failed', {
        fields: ['cursor'],
      });
      expectError(await admin.get(`/users?cursor=${c}`), 422, 'validation_failed', { fields: ['cursor'] });
      expectError(await clerk.get(`/customers?cursor=${c}`), 422, 'validation_failed', { fields: ['cursor'] });
    }
  });
});
