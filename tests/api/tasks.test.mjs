// Tasks (待办, issue 4): the views today / overdue / next 7 days / done and
// their counts move with the (test-controlled) clock; completing needs an
// outcome and keeps it; snooze; reassignment only by a supervisor; cancel;
// a promise to call back from the customer page; the supervisor's team
// view; notifications (the bell) with unread count and mark-read; scoping.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { Uniq, signInAll, resignIn, branchesByCode, me, createCustomer } from './lib/customers.mjs';

const NOW = '2026-11-23T10:00:00+08:00'; // a Monday morning
const at = (day, time = '09:00:00') => `${day}T${time}+08:00`;

describe('tasks', () => {
  const srv = useServer({
    label: 'tasks',
    users: [
      { login: 'A9671', name: '待办管理员', role: 'admin', branch: 'GD' },
      { login: 'C9671', name: '天河柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9672', name: '天河柜员乙', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'S9671', name: '广州主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C9673', name: '福田柜员', role: 'clerk', branch: 'GD-SZ-01' },
      { login: 'S9672', name: '天河营业所主管', role: 'supervisor', branch: 'GD-GZ-01' },
      { login: 'S9673', name: '越秀营业所主管', role: 'supervisor', branch: 'GD-GZ-02' },
      { login: 'C9674', name: '越秀柜员', role: 'clerk', branch: 'GD-GZ-02' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(67);
  const logins = ['A9671', 'C9671', 'C9672', 'S9671', 'C9673', 'S9672', 'S9673', 'C9674'];
  let admin, clerk, clerk2, sup, szClerk, thSup, yxSup, yxClerk;
  let clerkMe, clerk2Me, szMe, yxMe, branches;
  let gzCustomer, szCustomer;
  const T = {};

  async function signInEveryone() {
    for (const [login, c] of [
      ['A9671', admin],
      ['C9671', clerk],
      ['C9672', clerk2],
      ['S9671', sup],
      ['C9673', szClerk],
      ['S9672', thSup],
      ['S9673', yxSup],
      ['C9674', yxClerk],
    ]) {
      await resignIn(srv, c, login);
    }
  }
  /** Move the clock; sessions idle for more than 8 hours end, so sign in again. */
  async function advance(seconds) {
    const r = await new Client(srv).post('/_test/clock', { advance_seconds: seconds });
    assert.equal(r.status, 200, show(r));
    await signInEveryone();
    return r.body.now;
  }
  const view = async (client, v, extra = '') => {
    const r = await client.get(`/tasks?view=${v}&limit=200${extra}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.total, r.body.items.length, show(r));
    return r.body.items.map((t) => t.title);
  };
  const counts = async (client) => {
    const r = await client.get('/tasks/counts');
    assert.equal(r.status, 200, show(r));
    return r.body;
  };
  const newTask = async (client, body) => {
    const r = await client.post('/tasks', body);
    assert.equal(r.status, 201, `create task: ${show(r)}`);
    return r.body.task;
  };

  test('set-up: a fixed clock, staff sign in, a customer in GD-GZ-01 and one in GD-SZ-01', async () => {
    const r = await new Client(srv).post('/_test/clock', { now: NOW });
    assert.equal(r.status, 200, show(r));
    ({
      A9671: admin,
      C9671: clerk,
      C9672: clerk2,
      S9671: sup,
      C9673: szClerk,
      S9672: thSup,
      S9673: yxSup,
      C9674: yxClerk,
    } = await signInAll(srv, logins));
    branches = await branchesByCode(admin);
    clerkMe = await me(clerk);
    clerk2Me = await me(clerk2);
    szMe = await me(szClerk);
    yxMe = await me(yxClerk);
    gzCustomer = await createCustomer(admin, { name: '待办客户', phone: u.phone(), branch_id: branches['GD-GZ-01'].id });
    szCustomer = await createCustomer(admin, { name: '福田待办客户', phone: u.phone(), branch_id: branches['GD-SZ-01'].id });
  });

  test('tasks land in 今日 / 逾期 / 未来7天 by due day, with matching counts', async () => {
    T.yesterday = await newTask(clerk, { title: '昨天的事', due_at: at('2026-11-22', '16:00:00') });
    T.today = await newTask(clerk, { title: '今天下午', due_at: at('2026-11-23', '15:00:00'), priority: 'high' });
    T.tonight = await newTask(clerk, { title: '今晚', due_at: at('2026-11-23', '23:30:00') });
    T.tomorrow = await newTask(clerk, { title: '明天', due_at: '2026-11-24' });
    T.week = await newTask(clerk, { title: '第七天', due_at: at('2026-11-30', '18:00:00') });
    T.later = await newTask(clerk, { title: '第八天', due_at: at('2026-12-01', '09:00:00') });
    assert.equal(T.today.source, 'manual');
    assert.equal(T.today.priority, 'high');
    assert.equal(T.today.assignee_id, clerkMe.id);
    assert.equal(Date.parse(T.tomorrow.due_at), Date.parse(at('2026-11-24')), 'a date alone is due at nine');
    assert.equal(T.yesterday.overdue, true);
    assert.equal(T.today.overdue, false);

    assert.deepEqual(await view(clerk, 'today'), ['今天下午', '今晚']);
    assert.deepEqual(await view(clerk, 'overdue'), ['昨天的事']);
    assert.deepEqual(await view(clerk, 'upcoming'), ['明天', '第七天']);
    assert.deepEqual(await view(clerk, 'done'), []);
    const n = await counts(clerk);
    assert.deepEqual({ today: n.today, overdue: n.overdue, upcoming: n.upcoming }, { today: 2, overdue: 1, upcoming: 2 });
    // Someone else's tasks are not in my views.
    assert.deepEqual(await view(clerk2, 'today'), []);
    expectError(await clerk.get('/tasks?view=someday'), 422, 'validation_failed', { fields: ['view'] });
  });

  test('bad task input: 422 with messages in zh and en', async () => {
    const bad = { title: '', due_at: 'tomorrow-ish', priority: 'urgent' };
    expectError(await clerk.post('/tasks', bad), 422, 'validation_failed', { fields: ['title', 'due_at', 'priority'] });
    expectError(await clerk.post('/tasks', bad, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['title', 'due_at', 'priority'],
    });
    // A clerk cannot give a task to someone else.
    expectError(
      await clerk.post('/tasks', { title: '给同事', due_at: '2026-11-24', assignee_id: clerk2Me.id }),
      422,
      'validation_failed',
      { fields: ['assignee_id'] },
    );
  });

  test('the views move with the clock: a day later, today\'s tasks are overdue and tomorrow\'s are today\'s', async () => {
    await advance(86400);
    assert.deepEqual(await view(clerk, 'overdue'), ['昨天的事', '今天下午', '今晚']);
    assert.deepEqual(await view(clerk, 'today'), ['明天']);
    assert.deepEqual(await view(clerk, 'upcoming'), ['第七天', '第八天']);
    const n = await counts(clerk);
    assert.deepEqual({ today: n.today, overdue: n.overdue, upcoming: n.upcoming }, { today: 1, overdue: 3, upcoming: 2 });
  });

  test('complete needs an outcome and keeps it; the task moves to 已完成; completing twice is a conflict', async () => {
    const none = await clerk.post(`/tasks/${T.yesterday.id}/complete`, {});
    expectError(none, 422, 'validation_failed', { fields: ['outcome'] });
    expectError(await clerk.post(`/tasks/${T.yesterday.id}/complete`, { outcome: '   ' }, { lang: 'en' }), 422, 'validation_failed', {
      lang: 'en',
      fields: ['outcome'],
    });
    const r = await clerk.post(`/tasks/${T.yesterday.id}/complete`, { outcome: '已电话联系，客户满意' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.task.status, 'done');
    assert.equal(r.body.task.outcome, '已电话联系，客户满意');
    assert.ok(r.body.task.completed_at);
    assert.equal(r.body.task.overdue, false);
    assert.deepEqual(await view(clerk, 'done'), ['昨天的事']);
    assert.ok(!(await view(clerk, 'overdue')).includes('昨天的事'));
    expectError(await clerk.post(`/tasks/${T.yesterday.id}/complete`, { outcome: '再来一次' }), 409, 'conflict');
    const all = await clerk.get('/tasks?view=all&limit=200');
    assert.equal(all.body.items.find((t) => t.id === T.yesterday.id).outcome, '已电话联系，客户满意');
    assert.equal((await counts(clerk)).overdue, 2);
  });

  test('snooze moves the due time: by days, or until a date (nine o\'clock); bad values are refused', async () => {
    let r = await clerk.post(`/tasks/${T.today.id}/snooze`, { days: 2 });
    assert.equal(r.status, 200, show(r));
    assert.ok(Date.parse(r.body.task.due_at) > Date.parse(at('2026-11-25', '00:00:00')), r.body.task.due_at);
    assert.equal(r.body.task.overdue, false);
    assert.ok((await view(clerk, 'upcoming')).includes('今天下午'));
    r = await clerk.post(`/tasks/${T.tonight.id}/snooze`, { until: '2026-11-24' });
    assert.equal(r.status, 200, show(r));
    assert.equal(Date.parse(r.body.task.due_at), Date.parse(at('2026-11-24')));
    assert.deepEqual(await view(clerk, 'today'), ['今晚', '明天']);
    expectError(await clerk.post(`/tasks/${T.tonight.id}/snooze`, {}), 422, 'validation_failed', { fields: ['until'] });
    expectError(await clerk.post(`/tasks/${T.tonight.id}/snooze`, { until: 'never' }), 422, 'validation_failed', { fields: ['until'] });
    expectError(await clerk.post(`/tasks/${T.tonight.id}/snooze`, { days: -3 }), 422, 'validation_failed');
    expectError(await clerk.post(`/tasks/${T.yesterday.id}/snooze`, { days: 1 }), 409, 'conflict');
  });

  test('a promise to call back from the customer page is a task on that customer', async () => {
    const t = await newTask(clerk, { title: '答应客户周五回电', customer_id: gzCustomer.id, due_at: at('2026-11-27', '16:00:00') });
    T.promise = t;
    assert.equal(t.customer_id, gzCustomer.id);
    assert.equal(t.customer_name, '待办客户');
    assert.equal(t.assignee_id, clerkMe.id);
    const r = await clerk2.get(`/tasks?customer_id=${gzCustomer.id}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(
      r.body.items.map((x) => x.title),
      ['答应客户周五回电'],
      'anyone who may see the customer sees its tasks',
    );
    // Another branch's customer is as unknown as a missing one.
    const other = await clerk.post('/tasks', { title: '越权', customer_id: szCustomer.id, due_at: '2026-11-27' });
    const missing = await clerk.post('/tasks', { title: '不存在', customer_id: 987654321, due_at: '2026-11-27' });
    expectError(other, 422, 'validation_failed', { fields: ['customer_id'] });
    expectError(missing, 422, 'validation_failed', { fields: ['customer_id'] });
    assert.equal(other.body.error.fields.customer_id, missing.body.error.fields.customer_id);
    expectError(await clerk.get(`/tasks?customer_id=${szCustomer.id}`), 404, 'not_found');
  });

  test('reassignment: a clerk gets 403; the supervisor reassigns, the new assignee is notified and sees it', async () => {
    expectError(await clerk.post(`/tasks/${T.week.id}/assign`, { assignee_id: clerk2Me.id }), 403, 'forbidden');
    const before = (await counts(clerk2)).unread_notifications;
    const r = await sup.post(`/tasks/${T.week.id}/assign`, { assignee_id: clerk2Me.id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.task.assignee_id, clerk2Me.id);
    assert.ok((await view(clerk2, 'upcoming')).includes('第七天'));
    assert.ok(!(await view(clerk, 'upcoming')).includes('第七天'));
    // The old assignee can no longer act on it.
    expectError(await clerk.post(`/tasks/${T.week.id}/snooze`, { days: 1 }), 404, 'not_found');
    assert.equal((await counts(clerk2)).unread_notifications, before + 1);
    // The bell links to the task itself, which the new assignee may open.
    const rang = (await clerk2.get('/notifications?unread=1')).body.items.find((x) => x.title === '第七天');
    assert.equal(rang && rang.link, `/tasks?task=${T.week.id}`, JSON.stringify(rang));
    const opened = await clerk2.get(`/tasks/${T.week.id}`);
    assert.equal(opened.status, 200, show(opened));
    assert.equal(opened.body.task.title, '第七天');
    expectError(await clerk.get(`/tasks/${T.week.id}`), 404, 'not_found');
    expectError(await szClerk.get(`/tasks/${T.week.id}`), 404, 'not_found');
    // Not to someone outside the supervisor's scope, nor to nobody.
    expectError(await sup.post(`/tasks/${T.week.id}/assign`, { assignee_id: szMe.id }), 422, 'validation_failed', {
      fields: ['assignee_id'],
    });
    expectError(await sup.post(`/tasks/${T.week.id}/assign`, {}), 422, 'validation_failed', { fields: ['assignee_id'] });
    // A completed task keeps who did it.
    expectError(await sup.post(`/tasks/${T.yesterday.id}/assign`, { assignee_id: clerk2Me.id }), 409, 'conflict');
    // A supervisor creating a task for someone outside the scope: refused too.
    expectError(
      await sup.post('/tasks', { title: '跨区任务', due_at: '2026-11-26', assignee_id: szMe.id }),
      422,
      'validation_failed',
      { fields: ['assignee_id'] },
    );
    const given = await newTask(sup, { title: '主管交办', due_at: '2026-11-26', assignee_id: clerkMe.id });
    assert.equal(given.assignee_id, clerkMe.id);
    T.given = given;
  });

  test('the bell: notifications list, unread count, mark some or all read', async () => {
    const n0 = (await counts(clerk)).unread_notifications;
    assert.ok(n0 >= 1, 'the task given by the supervisor rang the bell');
    let r = await clerk.get('/notifications?unread=1');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.items.length, n0);
    const given = r.body.items.find((x) => x.title === '主管交办' && x.kind === 'task.assigned');
    assert.ok(given, JSON.stringify(r.body.items));
    assert.equal(given.link, `/tasks?task=${T.given.id}`, 'the notification names the task');
    r = await clerk.post('/notifications/read', { ids: [r.body.items[0].id] });
    assert.equal(r.status, 200, show(r));
    assert.equal((await counts(clerk)).unread_notifications, n0 - 1);
    // Someone else's notification ids change nothing.
    const theirs = (await clerk2.get('/notifications?unread=1')).body.items;
    assert.ok(theirs.length >= 1);
    await clerk.post('/notifications/read', { ids: theirs.map((x) => x.id) });
    assert.equal((await counts(clerk2)).unread_notifications, theirs.length);
    r = await clerk2.post('/notifications/read', {});
    assert.equal(r.status, 200, show(r));
    assert.equal((await counts(clerk2)).unread_notifications, 0);
    assert.equal((await clerk2.get('/notifications?unread=1')).body.items.length, 0);
    assert.ok((await clerk2.get('/notifications')).body.items.every((x) => x.read_at));
  });

  test('cancel: the task leaves the open views and shows under 已完成 as cancelled', async () => {
    const r = await clerk.post(`/tasks/${T.later.id}/cancel`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.task.status, 'cancelled');
    assert.ok(!(await view(clerk, 'upcoming')).includes('第八天'));
    assert.ok((await view(clerk, 'done')).includes('第八天'));
    expectError(await clerk.post(`/tasks/${T.later.id}/cancel`, {}), 409, 'conflict');
  });

  test('edit with version; a stale version is a conflict', async () => {
    const cur = (await clerk.get('/tasks?view=all&limit=200')).body.items.find((t) => t.id === T.promise.id);
    let r = await clerk.patch(`/tasks/${T.promise.id}`, { version: cur.version, title: '答应客户周五下午回电' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.task.title, '答应客户周五下午回电');
    r = await clerk.patch(`/tasks/${T.promise.id}`, { version: cur.version, title: '旧版本' });
    expectError(r, 409, 'stale_version');
  });

  test('team view: the supervisor sees the team\'s tasks; a clerk may not ask for it', async () => {
    expectError(await clerk.get('/tasks?scope=team'), 403, 'forbidden');
    const r = await sup.get('/tasks?scope=team&view=open&limit=200');
    assert.equal(r.status, 200, show(r));
    const who = new Set(r.body.items.map((t) => t.assignee_id));
    assert.ok(who.has(clerkMe.id) && who.has(clerk2Me.id), JSON.stringify([...who]));
    const byClerk2 = await sup.get(`/tasks?scope=team&view=open&assignee_id=${clerk2Me.id}`);
    assert.deepEqual(
      byClerk2.body.items.map((t) => t.title),
      ['第七天'],
    );
  });

  test('reassigning to another branch moves the task between the branch supervisors\' team views', async () => {
    const team = async (client) => {
      const r = await client.get('/tasks?scope=team&view=open&limit=200');
      assert.equal(r.status, 200, show(r));
      return r.body.items.map((t) => t.id);
    };
    // A GD-GZ-01 clerk's task: the GD-GZ-01 supervisor sees it, GD-GZ-02's does not.
    const moved = await newTask(clerk, { title: '天河转越秀', due_at: '2026-11-26' });
    assert.ok((await team(thSup)).includes(moved.id));
    assert.ok(!(await team(yxSup)).includes(moved.id));
    // The city supervisor gives it to a clerk of GD-GZ-02, a branch below them.
    let r = await sup.post(`/tasks/${moved.id}/assign`, { assignee_id: yxMe.id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.task.branch_id, branches['GD-GZ-02'].id);
    assert.ok(!(await team(thSup)).includes(moved.id), 'the old branch supervisor no longer sees it');
    assert.ok((await team(yxSup)).includes(moved.id), 'the new branch supervisor sees it');
    assert.ok((await team(sup)).includes(moved.id), 'the city supervisor still does');
    expectError(await thSup.post(`/tasks/${moved.id}/assign`, { assignee_id: clerkMe.id }), 404, 'not_found');
    r = await yxSup.post(`/tasks/${moved.id}/snooze`, { days: 1 });
    assert.equal(r.status, 200, `the new branch supervisor may act on it: ${show(r)}`);
    // The city supervisor's own task, handed down to GD-GZ-02: its supervisor now sees it.
    const down = await newTask(sup, { title: '市局交办越秀', due_at: '2026-11-26' });
    assert.ok(!(await team(yxSup)).includes(down.id));
    r = await sup.post(`/tasks/${down.id}/assign`, { assignee_id: yxMe.id });
    assert.equal(r.status, 200, show(r));
    assert.ok((await team(yxSup)).includes(down.id), 'handed down: the branch supervisor sees it');
    assert.ok(!(await team(thSup)).includes(down.id));
    // Given straight to a GD-GZ-02 clerk when created: in that branch's team view at once.
    const given = await newTask(sup, { title: '市局直接交办越秀', due_at: '2026-11-26', assignee_id: yxMe.id });
    assert.equal(given.branch_id, branches['GD-GZ-02'].id);
    assert.ok((await team(yxSup)).includes(given.id), 'created for a GD-GZ-02 clerk: its supervisor sees it');
    assert.ok(!(await team(thSup)).includes(given.id));
  });

  test('scoping: a GD-SZ-01 clerk gets 404 for GD-GZ-01 tasks and never sees them', async () => {
    const szTask = await newTask(szClerk, { title: '福田的事', customer_id: szCustomer.id, due_at: '2026-11-24' });
    for (const [method, path, body] of [
      ['post', `/tasks/${T.tonight.id}/complete`, { outcome: '越权完成' }],
      ['post', `/tasks/${T.tonight.id}/cancel`, {}],
      ['post', `/tasks/${T.tonight.id}/snooze`, { days: 1 }],
      ['patch', `/tasks/${T.tonight.id}`, { version: 1, title: '越权' }],
    ]) {
      expectError(await szClerk[method](path, body), 404, 'not_found');
    }
    // The GD-GZ supervisor cannot reach a GD-SZ-01 task either.
    expectError(await sup.post(`/tasks/${szTask.id}/assign`, { assignee_id: clerkMe.id }), 404, 'not_found');
    expectError(await clerk.post(`/tasks/${szTask.id}/complete`, { outcome: 'x' }), 404, 'not_found');
    const team = await sup.get('/tasks?scope=team&view=all&limit=200');
    assert.ok(!team.body.items.some((t) => t.id === szTask.id));
    assert.deepEqual(await view(szClerk, 'today'), ['福田的事']);
  });
  test('staff picker: a supervisor sees the team of the city, a clerk the branch, nobody sees other cities; q filters', async () => {
    const logins = async (client, q = '') => {
      const r = await client.get(`/staff${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      assert.equal(r.status, 200, show(r));
      for (const s of r.body.items) assert.deepEqual(Object.keys(s).sort(), ['branch_id', 'branch_name', 'id', 'login', 'name', 'role']);
      return r.body.items.map((s) => s.login);
    };
    const supSees = await logins(sup);
    for (const l of ['C9671', 'C9672', 'S9671']) assert.ok(supSees.includes(l), `${l} in ${supSees}`);
    assert.ok(!supSees.includes('C9673'), 'a Shenzhen clerk is not in the Guangzhou team');
    const clerkSees = await logins(clerk);
    assert.ok(clerkSees.includes('C9672') && !clerkSees.includes('S9671') && !clerkSees.includes('C9673'), clerkSees.join());
    assert.deepEqual(await logins(sup, '柜员乙'), ['C9672']);
    assert.deepEqual(await logins(sup, '%'), [], 'a wildcard is matched literally');
    assert.ok((await logins(admin)).includes('C9673'));
  });
});
