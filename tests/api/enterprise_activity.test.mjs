// Business records (业务往来) and to-dos (待办) on an enterprise (issue 15):
// recorded through crm's operations with the enterprise's scope (managers
// their own, supervisors their tree, clerks read in their branch), the
// contacts who took part (the enterprise's own), keyset pages, audit and
// events; to-dos go to the account manager and show in 我的待办 with the
// enterprise's name; the 360 overview counts them; reassigning the
// manager rings both managers.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit } from './lib/customers.mjs';

describe('enterprise business records and to-dos', () => {
  const srv = useServer({
    label: 'ent-activity',
    users: [
      { login: 'A9231', name: '往来管理员', role: 'admin', branch: 'GD' },
      { login: 'M9231', name: '往来经理甲', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9232', name: '往来经理乙', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9231', name: '往来柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'S9231', name: '往来主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'C9232', name: '深圳往来柜员', role: 'clerk', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, m2, clerk, sup, szClerk, users;
  let ent, other, liaison, finance, stranger;

  test('set-up: two enterprises of manager 甲 and one of 乙, with contacts', async () => {
    ({ A9231: admin, M9231: m1, M9232: m2, C9231: clerk, S9231: sup, C9232: szClerk } = await signInAll(srv, ['A9231', 'M9231', 'M9232', 'C9231', 'S9231', 'C9232']));
    const r = await admin.get('/users?limit=200');
    users = Object.fromEntries(r.body.items.map((x) => [x.login, x.id]));
    ent = (await m1.post('/enterprises', { name: '广州往来物流有限公司', status: 'active' })).body.enterprise;
    other = (await m2.post('/enterprises', { name: '广州别家贸易有限公司', status: 'active' })).body.enterprise;
    assert.ok(ent && other);
    liaison = (await m1.post(`/enterprises/${ent.id}/contacts`, { name: '王联络', roles: ['liaison'], mobile: '13800231001' })).body.contact;
    finance = (await m1.post(`/enterprises/${ent.id}/contacts`, { name: '李财务', roles: ['finance'] })).body.contact;
    stranger = (await m2.post(`/enterprises/${other.id}/contacts`, { name: '赵别家', roles: ['liaison'] })).body.contact;
    assert.ok(liaison && finance && stranger);
  });

  test('a manager records a visit with two contacts and a follow-up: audited, the follow-up is a to-do on the enterprise', async () => {
    const r = await m1.post(`/enterprises/${ent.id}/interactions`, {
      type: 'visit',
      occurred_at: '2026-11-20T10:00:00+08:00',
      description: '上门拜访，洽谈月结续约',
      contact_ids: [liaison.id, finance.id],
      follow_up: { title: '寄送续约合同', due_at: '2026-12-30' },
    });
    assert.equal(r.status, 201, show(r));
    const rec = r.body.interaction;
    assert.equal(rec.enterprise_id, ent.id);
    assert.equal(rec.type, 'visit');
    assert.equal(rec.handled_by_name, '往来经理甲');
    assert.equal(rec.channel, null, 'a visit has no counter channel');
    assert.deepEqual(rec.contacts.map((c) => c.name), ['王联络', '李财务']);
    assert.equal(r.body.task.title, '寄送续约合同');
    assert.equal(r.body.task.enterprise_id, ent.id);
    assert.equal(r.body.task.enterprise_name, '广州往来物流有限公司');
    assert.ok(await findAudit(admin, (a) => a.action === 'interaction.create' && a.object_id === rec.id));
  });

  test('bad input changes nothing: an unknown type, another enterprise\'s contact (422, in the user\'s language)', async () => {
    const before = (await m1.get(`/enterprises/${ent.id}/interactions`)).body.total;
    expectError(await m1.post(`/enterprises/${ent.id}/interactions`, { type: 'parcel' }), 422, 'validation_failed', { fields: ['type'] });
    const e = expectError(
      await m1.post(`/enterprises/${ent.id}/interactions`, { type: 'call', contact_ids: [liaison.id, stranger.id] }, { lang: 'en' }),
      422, 'validation_failed', { lang: 'en', fields: ['contact_ids'] });
    assert.equal(e.fields.contact_ids, 'Choose contacts of this enterprise');
    expectError(await m1.post(`/enterprises/${ent.id}/interactions`, { type: 'call', contact_ids: 'x' }), 422, 'validation_failed', { fields: ['contact_ids'] });
    assert.equal((await m1.get(`/enterprises/${ent.id}/interactions`)).body.total, before, 'nothing half written');
  });

  test('scoping: another manager\'s enterprise is 404, a clerk reads in the branch but may not write (403), another branch sees nothing', async () => {
    expectError(await m2.post(`/enterprises/${ent.id}/interactions`, { type: 'call' }), 404, 'not_found');
    expectError(await m2.get(`/enterprises/${ent.id}/interactions`), 404, 'not_found');
    expectError(await m2.post(`/enterprises/${ent.id}/tasks`, { title: '越权', due_at: '2026-12-30' }), 404, 'not_found');
    expectError(await m2.get(`/enterprises/${ent.id}/tasks`), 404, 'not_found');
    expectError(await clerk.post(`/enterprises/${ent.id}/interactions`, { type: 'call' }), 403, 'forbidden');
    expectError(await clerk.post(`/enterprises/${ent.id}/tasks`, { title: '柜员', due_at: '2026-12-30' }), 403, 'forbidden');
    const seen = await clerk.get(`/enterprises/${ent.id}/interactions`);
    assert.equal(seen.status, 200, show(seen));
    assert.equal(seen.body.total, 1);
    expectError(await szClerk.get(`/enterprises/${ent.id}/interactions`), 404, 'not_found');
    // a supervisor of the tree records a call
    const r = await sup.post(`/enterprises/${ent.id}/interactions`, { type: 'call', description: '主管电话回访', contact_ids: [liaison.id] });
    assert.equal(r.status, 201, show(r));
  });

  test('records page newest first with the one cursor; the global list of customer records does not show them', async () => {
    for (let i = 1; i <= 4; i++) {
      const r = await m1.post(`/enterprises/${ent.id}/interactions`, { type: 'meeting', occurred_at: `2026-10-0${i}T09:00:00+08:00`, description: `例会${i}` });
      assert.equal(r.status, 201, show(r));
    }
    const seen = [];
    let cursor = '';
    let pages = 0;
    do {
      const r = await m1.get(`/enterprises/${ent.id}/interactions?limit=2${cursor ? '&cursor=' + cursor : ''}`);
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.total, 6);
      seen.push(...r.body.items);
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.equal(new Set(seen.map((x) => x.id)).size, 6);
    const times = seen.map((x) => x.occurred_at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    assert.deepEqual(seen.slice(-4).map((x) => x.description), ['例会4', '例会3', '例会2', '例会1']);
    const meetings = await m1.get(`/enterprises/${ent.id}/interactions?type=meeting`);
    assert.equal(meetings.body.total, 4);
    expectError(await m1.get(`/enterprises/${ent.id}/interactions?cursor=nonsense`), 422, 'validation_failed', { fields: ['cursor'] });
    const all = await admin.get('/interactions?limit=200');
    assert.equal(all.status, 200, show(all));
    assert.ok(!all.body.items.some((x) => seen.some((s) => s.id === x.id)), 'the customer records list keeps to customers');
  });

  test('a to-do on the enterprise goes to its account manager, shows in their 我的待办 with the enterprise, and on the enterprise', async () => {
    // the supervisor adds it: no assignee given, the manager gets it and is told
    const r = await sup.post(`/enterprises/${ent.id}/tasks`, { title: '核对十一月对账单', due_at: '2026-12-01', priority: 'high' });
    assert.equal(r.status, 201, show(r));
    const task = r.body.task;
    assert.equal(task.assignee_id, users.M9231);
    assert.equal(task.enterprise_id, ent.id);
    assert.equal(task.enterprise_name, '广州往来物流有限公司');
    const bell = (await m1.get('/notifications')).body.items;
    assert.ok(bell.some((n) => n.kind === 'task.assigned' && n.title === '核对十一月对账单'), JSON.stringify(bell));
    const mine = await m1.get('/tasks?view=all&limit=200');
    const listed = mine.body.items.find((x) => x.id === task.id);
    assert.ok(listed, show(mine));
    assert.equal(listed.enterprise_name, '广州往来物流有限公司');
    const onEnt = await clerk.get(`/enterprises/${ent.id}/tasks`);
    assert.equal(onEnt.status, 200, show(onEnt));
    assert.deepEqual(onEnt.body.items.map((x) => x.title), ['核对十一月对账单', '寄送续约合同'], 'open to-dos, soonest due first');
    assert.ok(await findAudit(admin, (a) => a.action === 'task.create' && a.object_id === task.id));
    // a manager may not give it to someone else; a bad date is refused
    expectError(await m1.post(`/enterprises/${ent.id}/tasks`, { title: 'x', due_at: '2026-12-01', assignee_id: users.M9232 }), 422, 'validation_failed', { fields: ['assignee_id'] });
    expectError(await m1.post(`/enterprises/${ent.id}/tasks`, { title: 'x', due_at: '明天' }), 422, 'validation_failed', { fields: ['due_at'] });
    // done, it leaves the open view for the done one
    const done = await m1.post(`/tasks/${task.id}/complete`, { outcome: '已核对' });
    assert.equal(done.status, 200, show(done));
    assert.deepEqual((await m1.get(`/enterprises/${ent.id}/tasks`)).body.items.map((x) => x.title), ['寄送续约合同']);
    assert.deepEqual((await m1.get(`/enterprises/${ent.id}/tasks?view=done`)).body.items.map((x) => x.title), ['核对十一月对账单']);
    expectError(await m1.get(`/enterprises/${ent.id}/tasks?view=later`), 422, 'validation_failed', { fields: ['view'] });
  });

  test('the 360 overview counts records and open to-dos and shows the latest', async () => {
    const r = await m1.get(`/enterprises/${ent.id}/overview`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.counts, { contacts: 2, departments: 0, records: 6, open_tasks: 1 });
    assert.equal(r.body.records[0].description, '主管电话回访');
    assert.deepEqual(r.body.tasks.map((x) => x.title), ['寄送续约合同']);
    const o = await m2.get(`/enterprises/${other.id}/overview`);
    assert.deepEqual(o.body.counts, { contacts: 1, departments: 0, records: 0, open_tasks: 0 });
  });

  test('reassigning the account manager is audited and rings both the old and the new manager', async () => {
    const cur = (await admin.get(`/enterprises/${ent.id}`)).body.enterprise;
    const r = await sup.patch(`/enterprises/${ent.id}`, { version: cur.version, owner_id: users.M9232 });
    assert.equal(r.status, 200, show(r));
    const told = async (client, kind) =>
      (await client.get('/notifications')).body.items.find((n) => n.kind === kind && n.link === `/enterprises/${ent.id}`);
    assert.ok(await told(m2, 'enterprise.assigned'), 'the new manager is told');
    assert.ok(await told(m1, 'enterprise.unassigned'), 'the old manager is told');
    assert.ok(await findAudit(admin, (a) => a.action === 'enterprise.reassign' && a.object_id === ent.id));
    // now it is 乙's: 甲 cannot record on it any more, 乙 can
    expectError(await m1.post(`/enterprises/${ent.id}/interactions`, { type: 'call' }), 404, 'not_found');
    const rec = await m2.post(`/enterprises/${ent.id}/interactions`, { type: 'email', contact_ids: [finance.id] });
    assert.equal(rec.status, 201, show(rec));
  });

  test('a deleted enterprise takes no new records; its page still lists the old ones', async () => {
    assert.equal((await admin.delete(`/enterprises/${ent.id}`)).status, 200);
    expectError(await m2.post(`/enterprises/${ent.id}/interactions`, { type: 'call' }), 404, 'not_found');
    const r = await admin.get(`/enterprises/${ent.id}/interactions`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.total, 7);
    assert.equal((await admin.post(`/enterprises/${ent.id}/restore`, {})).status, 200);
  });
});
