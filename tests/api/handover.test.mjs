// 客户交接 (issue 14): a leaving manager's customers and open tasks go to
// a colleague. The dry run counts without changing anything; the run moves
// the customers and their open tasks (not the done ones), with a history
// entry on each customer and one audit row; a colleague outside the
// customers' branch line is refused like a missing one; clerks may not.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, me, findAudit } from './lib/customers.mjs';

describe('handover', () => {
  const srv = useServer({
    label: 'handover',
    users: [
      { login: 'A9821', name: '交接管理员', role: 'admin', branch: 'GD' },
      { login: 'S9821', name: '交接主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'M9821', name: '离职经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9822', name: '接手经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9823', name: '深圳经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'C9821', name: '交接柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(82);
  let admin, sup, leaving, clerk, branches, fromId, toId, szId;
  const custs = [];
  let openTask, doneTask, otherTask;

  test('set-up: three customers of the leaving manager, one of another, open and done tasks', async () => {
    ({ A9821: admin, S9821: sup, M9821: leaving, C9821: clerk } = await signInAll(srv, ['A9821', 'S9821', 'M9821', 'M9822', 'M9823', 'C9821']));
    branches = await branchesByCode(admin);
    fromId = (await me(leaving)).id;
    const ids = srv.queryDb("SELECT login, id FROM users WHERE login IN ('M9822', 'M9823')");
    toId = Number(ids.find((x) => x[0] === 'M9822')[1]);
    szId = Number(ids.find((x) => x[0] === 'M9823')[1]);
    for (let i = 0; i < 3; i++)
      custs.push(await createCustomer(leaving, { name: `交接客户${i}`, phone: u.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: fromId }));
    custs.push(await createCustomer(leaving, { name: '别人的客户', phone: u.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: toId }));
    let r = await leaving.post('/tasks', { title: '回访', due_at: '2026-12-20', customer_id: custs[0].id });
    assert.equal(r.status, 201, show(r));
    openTask = r.body.task;
    r = await leaving.post('/tasks', { title: '已办', due_at: '2026-12-20', customer_id: custs[1].id });
    doneTask = r.body.task;
    r = await leaving.post(`/tasks/${doneTask.id}/complete`, { outcome: '已联系' });
    assert.equal(r.status, 200, show(r));
    r = await leaving.post('/tasks', { title: '没有客户的待办', due_at: '2026-12-20' });
    otherTask = r.body.task;
  });

  const owners = () => srv.queryDb(`SELECT id, owner_id FROM customers WHERE id IN (${custs.map((c) => c.id).join(',')}) ORDER BY id`).map((x) => Number(x[1]));

  test('the dry run counts customers and open tasks and changes nothing', async () => {
    const before = owners();
    const r = await sup.post('/customers/handover', { from_user: fromId, to_user: toId, dry_run: true });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { customers: 3, open_tasks: 1, reminders: 0, dry_run: true });
    assert.deepEqual(owners(), before);
    assert.equal(srv.queryDb(`SELECT assignee_id FROM tasks WHERE id = ${openTask.id}`)[0][0], String(fromId));
  });

  test('a colleague of another branch is refused like a missing one, and nothing moves', async () => {
    const other = expectError(await sup.post('/customers/handover', { from_user: fromId, to_user: szId }), 422, 'validation_failed', { fields: ['to_user'] });
    const missing = expectError(await sup.post('/customers/handover', { from_user: fromId, to_user: 987654 }), 422, 'validation_failed', { fields: ['to_user'] });
    assert.equal(other.fields.to_user, missing.fields.to_user);
    assert.deepEqual(owners(), [fromId, fromId, fromId, toId]);
  });

  test('a clerk may not hand customers over', async () => {
    expectError(await clerk.post('/customers/handover', { from_user: fromId, to_user: toId }), 403, 'forbidden');
  });

  test('the run moves the customers and their open tasks, not the done ones, with history and one audit row', async () => {
    const r = await sup.post('/customers/handover', { from_user: fromId, to_user: toId });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { customers: 3, open_tasks: 1, reminders: 0, dry_run: false });
    assert.deepEqual(owners(), [toId, toId, toId, toId]);
    const task = (id) => srv.queryDb(`SELECT assignee_id FROM tasks WHERE id = ${id}`)[0][0];
    assert.equal(task(openTask.id), String(toId), 'the open task goes along');
    assert.equal(task(doneTask.id), String(fromId), 'a done task stays who did it');
    assert.equal(task(otherTask.id), String(fromId), 'a task of no handed customer stays');
    const h = await sup.get(`/customers/${custs[0].id}/history`);
    assert.equal(h.status, 200, show(h));
    assert.ok(h.body.items.some((x) => x.field === 'owner_id'), show(h));
    const audit = await findAudit(admin, () => true, { action: 'customer.handover' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.customers, 3);
    assert.equal(audit[0].detail.open_tasks, 1);
  });

  test('a selection hands over only the chosen customers', async () => {
    const r = await sup.post('/customers/handover', { from_user: toId, to_user: fromId, ids: [custs[2].id] });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.customers, 1);
    assert.deepEqual(owners(), [toId, toId, fromId, toId]);
  });
});
