// A customer moved to another branch takes what belongs to it along (issue
// 13, finding 3), and the account manager belongs to the customer's branch
// (finding 8): after the move the old branch's staff no longer list the
// customer's business records or tasks, the old owner stops owning it, and
// an owner from another branch cannot be set (nor told apart from a
// missing one).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, me } from './lib/customers.mjs';

describe('branch move', () => {
  const srv = useServer({
    label: 'branch-move',
    users: [
      { login: 'A9991', name: '迁移管理员', role: 'admin', branch: 'GD' },
      { login: 'M9991', name: '天河经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9991', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'M9992', name: '福田经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'S9991', name: '广州主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'S9992', name: '深圳主管', role: 'supervisor', branch: 'GD-SZ' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(99);
  let admin, gzMgr, gzClerk, szMgr, gzSup, szSup, branches, gzMgrId, szMgrId, cust, recId, taskId;

  test('set-up: a 天河 customer owned by the 天河 manager, with a business record and a task', async () => {
    ({ A9991: admin, M9991: gzMgr, C9991: gzClerk, M9992: szMgr, S9991: gzSup, S9992: szSup } = await signInAll(srv, ['A9991', 'M9991', 'C9991', 'M9992', 'S9991', 'S9992']));
    branches = await branchesByCode(admin);
    gzMgrId = (await me(gzMgr)).id;
    szMgrId = (await me(szMgr)).id;
    cust = await createCustomer(gzClerk, { name: '迁移客户', phone: u.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: gzMgrId });
    let r = await gzClerk.post(`/customers/${cust.id}/interactions`, { type: 'ems', occurred_at: '2026-11-20T10:00:00+08:00', description: '迁移前的记录' });
    assert.equal(r.status, 201, show(r));
    recId = r.body.interaction.id;
    r = await gzClerk.post('/tasks', { title: '迁移前的待办', due_at: '2026-12-20', customer_id: cust.id });
    assert.equal(r.status, 201, show(r));
    taskId = r.body.task.id;
    assert.equal((await gzSup.get(`/tasks/${taskId}`)).status, 200, 'the 广州 supervisor sees the task before the move');
    assert.equal((await szSup.get(`/tasks/${taskId}`)).status, 404);
  });

  test('an owner from another branch is refused like a missing one', async () => {
    const other = await gzClerk.patch(`/customers/${cust.id}`, { version: cust.version, owner_id: szMgrId });
    const missing = await gzClerk.patch(`/customers/${cust.id}`, { version: cust.version, owner_id: 987654 });
    const e1 = expectError(other, 422, 'validation_failed', { fields: ['owner_id'] });
    const e2 = expectError(missing, 422, 'validation_failed', { fields: ['owner_id'] });
    assert.equal(e1.fields.owner_id, e2.fields.owner_id);
  });

  test('after the move to 福田 the old branch no longer lists its records or tasks (but the task’s own assignee), and the old owner is no longer its owner', async () => {
    const cur = (await admin.get(`/customers/${cust.id}`)).body.customer;
    const r = await admin.patch(`/customers/${cust.id}`, { version: cur.version, branch_id: branches['GD-SZ-01'].id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.customer.owner_id, null, 'the 天河 manager does not own a 福田 customer');

    const gzRecords = await gzClerk.get('/interactions?limit=200');
    assert.equal(gzRecords.status, 200, show(gzRecords));
    assert.ok(!gzRecords.body.items.some((i) => i.id === recId), 'the old branch still lists the record');
    const szRecords = await szMgr.get('/interactions?limit=200');
    assert.ok(szRecords.body.items.some((i) => i.id === recId), 'the new branch lists it');

    // The task left with the customer: the old branch's supervisor no
    // longer sees it, the new one does (its assignee, who promised the
    // call, still has it).
    expectError(await gzSup.get(`/tasks/${taskId}`), 404, 'not_found');
    const szTask = await szSup.get(`/tasks/${taskId}`);
    assert.equal(szTask.status, 200, show(szTask));

    const exp = await gzMgr.post('/exports', { entity: 'interactions', format: 'csv' });
    assert.equal(exp.status, 202, show(exp));
    assert.equal(exp.body.export.count ?? 0, 0);
  });
});
