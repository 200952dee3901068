// A customer moved to another branch takes what belongs to it along (issue
// 13, finding 3), and the account manager belongs to the customer's branch
// (finding 8): after the move the old branch's staff no longer list the
// customer's business records or tasks, the old owner stops owning it, and
// an owner from another branch cannot be set (nor told apart from a
// missing one). Open tasks of the old branch's staff, reminders' included,
// go to the customer's owner in the new branch (or its queue when it has
// none), audited; the old staff's notifications about them are withdrawn.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, branchesByCode, createCustomer, me, findAudit } from './lib/customers.mjs';

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
  let admin, gzMgr, gzClerk, szMgr, gzSup, szSup, branches, gzMgrId, szMgrId, gzClerkId, cust, recId, taskId;
  let givenId, ownerReminderId, queueReminderId;

  /** The open tasks the reminder rules made for the customer, by assignee. */
  async function reminderTasks(customerId) {
    const r = await admin.get(`/tasks?scope=team&view=open&customer_id=${customerId}&limit=200`);
    assert.equal(r.status, 200, show(r));
    return r.body.items.filter((t) => t.source === 'reminder');
  }
  /** The bell of client: its notifications that name the customer or link to one of tasks. */
  async function bellAbout(client, taskIds) {
    const r = await client.get('/notifications?limit=200');
    assert.equal(r.status, 200, show(r));
    return r.body.items.filter((n) => taskIds.some((id) => n.link === `/tasks?task=${id}`) || n.title.includes('迁移客户'));
  }

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
    // A task the supervisor gives the clerk (the clerk's bell says so) and
    // the reminders of two daily rules: one for the owner, one for the
    // branch's queue, titled with the customer's name.
    gzClerkId = (await me(gzClerk)).id;
    r = await gzSup.post('/tasks', { title: '给迁移客户回电', due_at: '2026-12-21', customer_id: cust.id, assignee_id: gzClerkId });
    assert.equal(r.status, 201, show(r));
    givenId = r.body.task.id;
    for (const assign of ['owner', 'branch']) {
      r = await admin.post('/reminder-rules', {
        name: `迁移回访-${assign}`, kind: 'periodic', rrule: 'FREQ=DAILY', title_template: '{name}回访',
        assign_to: assign, filter: { field: 'name', op: 'eq', value: '迁移客户' },
      });
      assert.equal(r.status, 201, show(r));
    }
    r = await admin.post('/reminder-rules/run', {});
    assert.equal(r.status, 200, show(r));
    const made = await reminderTasks(cust.id);
    ownerReminderId = made.find((t) => t.assignee_id === gzMgrId).id;
    queueReminderId = made.find((t) => t.assignee_id === null).id;
    assert.equal((await bellAbout(gzClerk, [givenId])).length, 1, 'the clerk was told of the task given to him');
    assert.equal((await bellAbout(gzMgr, [ownerReminderId])).length, 1, 'the owner was told of the reminder');
    assert.equal((await gzClerk.get(`/tasks/${queueReminderId}`)).status, 200, 'the queue task is the 天河 queue’s');
  });

  test('an owner from another branch is refused like a missing one', async () => {
    const other = await gzClerk.patch(`/customers/${cust.id}`, { version: cust.version, owner_id: szMgrId });
    const missing = await gzClerk.patch(`/customers/${cust.id}`, { version: cust.version, owner_id: 987654 });
    const e1 = expectError(other, 422, 'validation_failed', { fields: ['owner_id'] });
    const e2 = expectError(missing, 422, 'validation_failed', { fields: ['owner_id'] });
    assert.equal(e1.fields.owner_id, e2.fields.owner_id);
  });

  test('after the move to 福田 the old branch no longer lists its records or tasks, and the old owner is no longer its owner', async () => {
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
    // longer sees it, the new one does.
    expectError(await gzSup.get(`/tasks/${taskId}`), 404, 'not_found');
    const szTask = await szSup.get(`/tasks/${taskId}`);
    assert.equal(szTask.status, 200, show(szTask));

    const exp = await gzMgr.post('/exports', { entity: 'interactions', format: 'csv' });
    assert.equal(exp.status, 202, show(exp));
    assert.equal(exp.body.export.count ?? 0, 0);
  });

  test('with no owner in 福田 the old staff’s open tasks, reminders included, wait in the 福田 queue, audited; their bell no longer names the customer', async () => {
    const all = [taskId, givenId, ownerReminderId, queueReminderId];
    for (const id of all) {
      const t = (await admin.get(`/tasks/${id}`)).body.task;
      assert.equal(t.assignee_id, null, `task ${id} is in a queue`);
      assert.equal(t.branch_id, branches['GD-SZ-01'].id, `task ${id} is in the 福田 queue`);
      expectError(await gzClerk.get(`/tasks/${id}`), 404, 'not_found');
      expectError(await gzMgr.get(`/tasks/${id}`), 404, 'not_found');
      assert.equal((await szMgr.get(`/tasks/${id}`)).status, 200, `the 福田 manager picks task ${id} up from the queue`);
    }
    const open = await gzClerk.get('/tasks?view=open&limit=200');
    assert.equal(open.status, 200, show(open));
    assert.ok(!open.body.items.some((t) => all.includes(t.id)), 'the 天河 clerk still lists a task of the customer');
    assert.deepEqual(await bellAbout(gzClerk, all), [], 'the clerk’s bell still has the task given to him');
    assert.deepEqual(await bellAbout(gzMgr, all), [], 'the old owner’s bell still names the customer');
    for (const [id, from] of [[taskId, gzClerkId], [givenId, gzClerkId], [ownerReminderId, gzMgrId]]) {
      const audit = await findAudit(admin, (e) => e.action === 'task.assign' && Number(e.object_id) === id, { action: 'task.assign' });
      assert.equal(audit.length, 1, `one audit entry for the hand-over of task ${id}`);
      const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
      assert.deepEqual(detail, { assignee_id: null, from, reason: 'customer_moved' });
    }
  });

  test('moved with a 福田 owner, the old staff’s open tasks go to that owner, who is told', async () => {
    const c2 = await createCustomer(gzClerk, { name: '迁移客户乙', phone: u.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: gzMgrId });
    let r = await gzClerk.post('/tasks', { title: '乙的待办', due_at: '2026-12-22', customer_id: c2.id });
    assert.equal(r.status, 201, show(r));
    const t2 = r.body.task.id;
    const cur = (await admin.get(`/customers/${c2.id}`)).body.customer;
    r = await admin.patch(`/customers/${c2.id}`, { version: cur.version, branch_id: branches['GD-SZ-01'].id, owner_id: szMgrId });
    assert.equal(r.status, 200, show(r));
    const t = (await szMgr.get(`/tasks/${t2}`)).body.task;
    assert.equal(t.assignee_id, szMgrId, 'the new owner has the task');
    expectError(await gzClerk.get(`/tasks/${t2}`), 404, 'not_found');
    assert.equal((await bellAbout(szMgr, [t2])).filter((n) => n.link === `/tasks?task=${t2}`).length, 1, 'the new owner is told');
  });
});
