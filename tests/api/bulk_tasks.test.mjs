// 批量建跟进任务 (issue 14): one follow-up task per customer of a group, to
// each customer's manager (the caller for a customer without one) or to a
// chosen colleague of the customers' branch line, spread over working days
// from 09:00 +08:00; a preview counts per assignee and makes nothing; the
// same client token twice makes one batch; audited.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, me, findAudit } from './lib/customers.mjs';

describe('bulk tasks', () => {
  const srv = useServer({
    label: 'bulk-tasks',
    users: [
      { login: 'A9831', name: '任务管理员', role: 'admin', branch: 'GD' },
      { login: 'M9831', name: '甲经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9832', name: '乙经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9833', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'C9831', name: '任务柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(83);
  let admin, m1, clerk, branches, id1, id2, szId;
  const custs = [];
  const group = () => ({ ids: custs.map((c) => c.id) });

  test('set-up: two customers of 甲, one of 乙, one without a manager', async () => {
    ({ A9831: admin, M9831: m1, C9831: clerk } = await signInAll(srv, ['A9831', 'M9831', 'M9832', 'M9833', 'C9831']));
    branches = await branchesByCode(admin);
    id1 = (await me(m1)).id;
    const ids = Object.fromEntries(srv.queryDb("SELECT login, id FROM users WHERE login IN ('M9832', 'M9833')").map(([l, i]) => [l, Number(i)]));
    id2 = ids.M9832;
    szId = ids.M9833;
    const b = branches['GD-GZ-01'].id;
    for (const owner of [id1, id1, id2, null]) custs.push(await createCustomer(m1, { name: '跟进客户', phone: u.phone(), branch_id: b, owner_id: owner }));
  });

  test('the preview counts per manager and makes nothing', async () => {
    const r = await m1.post('/customers/bulk-tasks', { ...group(), title: '新春回访', preview: true });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.count, 4);
    assert.deepEqual(r.body.by_assignee.map((x) => [x.assignee_id, x.count]), [[id1, 3], [id2, 1]]);
    assert.equal(srv.queryDb("SELECT COUNT(*) FROM tasks WHERE title = '新春回访'")[0][0], '0');
  });

  test('a colleague of another branch is refused, a clerk may not, a title is required', async () => {
    expectError(await m1.post('/customers/bulk-tasks', { ...group(), title: 'x', assignee: 'user', assignee_id: szId }), 422, 'validation_failed', { fields: ['assignee_id'] });
    expectError(await m1.post('/customers/bulk-tasks', { ...group() }), 422, 'validation_failed', { fields: ['title'] });
    expectError(await clerk.post('/customers/bulk-tasks', { ...group(), title: 'x' }), 403, 'forbidden');
    assert.equal(srv.queryDb('SELECT COUNT(*) FROM tasks')[0][0], '0');
  });

  test('tasks go to each manager, over two working days from 09:00, once per token, audited', async () => {
    // 2026-12-04 is a Friday: the second day is Monday the 7th.
    const body = { ...group(), title: '新春回访', note: '问候', days: 2, start: '2026-12-04', client_token: 'bt-1' };
    const r = await m1.post('/customers/bulk-tasks', body);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.created, 4);
    const again = await m1.post('/customers/bulk-tasks', body);
    assert.equal(again.status, 201, show(again));
    assert.equal(again.body.repeated, true);
    const rows = srv.queryDb("SELECT customer_id, assignee_id, due_at FROM tasks WHERE title = '新春回访' ORDER BY customer_id");
    assert.equal(rows.length, 4, 'one batch only');
    assert.deepEqual(rows.map((x) => Number(x[1])), [id1, id1, id2, id1]);
    const due = rows.map((x) => new Date(Number(x[2]) * 1000 + 8 * 3600 * 1000).toISOString().slice(0, 16));
    assert.deepEqual(due, ['2026-12-04T09:00', '2026-12-07T09:00', '2026-12-04T10:00', '2026-12-07T10:00']);
    const audit = await findAudit(admin, () => true, { action: 'task.bulk_create' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.created, 4);
  });

  test('a chosen colleague of the branch gets them all', async () => {
    const r = await m1.post('/customers/bulk-tasks', { ...group(), title: '集中回访', assignee: 'user', assignee_id: id2 });
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(srv.queryDb("SELECT DISTINCT assignee_id FROM tasks WHERE title = '集中回访'"), [[String(id2)]]);
  });
});
