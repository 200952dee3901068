// Approvals (审批流, issue 20): each shipped flow holds its change until the
// last step approves and applies it in that step's transaction (an
// approval whose change can no longer be applied leaves no decision
// behind); reject and return change nothing; all-of waits for every
// approver, any-of for one; whoever was not asked sees nothing (404); a
// disabled flow lets the change apply directly; past a step's deadline (on
// the business calendar, moved with the test clock) the approver is
// reminded, then their supervisor joins the step.
//
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/api/approvals.test.mjs
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, findAudit, Uniq, createCustomer, pollJob, me, resignIn } from './lib/customers.mjs';
import { waitFor } from './lib/wait.mjs';
import { setFlow, flowOf } from './lib/approvals.mjs';

describe('approvals', () => {
  const srv = useServer({
    label: 'approvals',
    users: [
      { login: 'A9371', name: '审批管理员甲', role: 'admin', branch: 'GD' },
      { login: 'A9372', name: '审批管理员乙', role: 'admin', branch: 'GD' },
      { login: 'S9371', name: '广州审批主管', role: 'supervisor', branch: 'GD-GZ' },
      { login: 'S9372', name: '广东审批主管', role: 'supervisor', branch: 'GD' },
      { login: 'M9371', name: '审批客户经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'M9372', name: '深圳审批经理', role: 'manager', branch: 'GD-SZ-01' },
      { login: 'C9371', name: '审批柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const u = new Uniq(37);
  let admin, admin2, sup, sup2, mgr, other, clerk, ent;
  const settingsUrl = () => `/enterprises/${ent.id}/billing-settings`;
  const limit = async () => (await mgr.get(settingsUrl())).body.credit_limit;
  const askLimit = async (credit_limit, client = mgr) => {
    const cur = (await client.get(settingsUrl())).body;
    const r = await client.put(settingsUrl(), { version: cur.version, credit_limit });
    assert.equal(r.status, 202, show(r));
    assert.equal(r.body.status, 'pending');
    return r.body.approval_id;
  };
  const inbox = async (client) => {
    const r = await client.get('/approvals?box=inbox');
    assert.equal(r.status, 200, show(r));
    return r.body.items.map((x) => x.id);
  };
  const decide = async (client, id, verb, comment) => {
    const r = await client.post(`/approvals/${id}/${verb}`, comment === undefined ? {} : { comment });
    assert.equal(r.status, 200, show(r));
    return r.body;
  };

  test('set-up: staff sign in; a manager\'s enterprise', async () => {
    ({ A9371: admin, A9372: admin2, S9371: sup, S9372: sup2, M9371: mgr, M9372: other, C9371: clerk } = await signInAll(srv, ['A9371', 'A9372', 'S9371', 'S9372', 'M9371', 'M9372', 'C9371']));
    const r = await mgr.post('/enterprises', { name: '广州审批测试有限公司', tier: 'key', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
  });

  test('the four default flows are shipped, enabled, with their thresholds', async () => {
    const r = await admin.get('/approval-flows');
    assert.equal(r.status, 200, show(r));
    const byKey = Object.fromEntries(r.body.items.map((f) => [f.key, f]));
    assert.deepEqual(Object.keys(byKey).sort(), ['contract_discount', 'credit_limit', 'customer_erasure', 'personal_export']);
    assert.ok(r.body.items.every((f) => f.enabled));
    assert.equal(byKey.contract_discount.params.max_discount_percent, 30);
    assert.equal(byKey.personal_export.params.max_rows, 5000);
    assert.deepEqual(byKey.credit_limit.steps.map((s) => s.role), ['supervisor', 'admin']);
    expectError(await sup.get('/approval-flows'), 403, 'forbidden');
  });

  test('credit limit: a manager\'s change waits for the supervisor, then the admin; applied only by the last approval', async () => {
    const cur = (await mgr.get(settingsUrl())).body;
    const r = await mgr.put(settingsUrl(), { version: cur.version, credit_limit: '80000' });
    assert.equal(r.status, 202, show(r));
    assert.equal(r.body.message, '已提交审批');
    const id = r.body.approval_id;
    assert.equal(await limit(), '0.00', 'nothing changed while pending');
    assert.ok((await inbox(sup)).includes(id), 'the branch line\'s supervisor is asked first');
    assert.ok(!(await inbox(admin)).includes(id), 'the admin only at step 2');
    const mine = (await mgr.get('/approvals?box=mine')).body.items.find((x) => x.id === id);
    assert.equal(mine.status, 'pending');

    let body = await decide(sup, id, 'approve', '额度合理');
    assert.deepEqual([body.status, body.step], ['pending', 1]);
    assert.equal(await limit(), '0.00', 'still unchanged after the first step');
    assert.ok((await inbox(admin)).includes(id));
    assert.ok(!(await inbox(sup2)).includes(id), 'the other supervisor is no longer asked: any-of took one');

    body = await decide(admin, id, 'approve');
    assert.equal(body.status, 'approved');
    assert.equal(await limit(), '80000.00', 'applied by the last approval');
    assert.deepEqual(body.diff.filter((d) => d.changed).map((d) => [d.field, d.before, d.after]), [['credit_limit', '0.00', '80000.00']]);
    assert.deepEqual(body.decisions.map((d) => [d.step, d.decision, d.approver_name]), [[0, 'approve', '广州审批主管'], [1, 'approve', '审批管理员甲']]);
    const audit = await findAudit(admin, (e) => e.object_id === String(ent.id), { action: 'billing_settings.update' });
    assert.equal(audit.length, 1, 'one change, once');
    assert.ok((await findAudit(admin, (e) => e.object_id === String(id), { action: 'approval.decide' })).length === 2);
    const told = (await mgr.get('/notifications')).body.items.find((n) => n.link === `/approvals/${id}`);
    assert.ok(told && /审批通过/.test(told.title), 'the requester is told');
  });

  test('English callers read the answer in English', async () => {
    const cur = (await mgr.get(settingsUrl())).body;
    const r = await mgr.put(settingsUrl(), { version: cur.version, credit_limit: '81000' }, { lang: 'en' });
    assert.equal(r.status, 202, show(r));
    assert.equal(r.body.message, 'Submitted for approval');
    await decide(mgr, r.body.approval_id, 'cancel');
  });

  test('reject and return need a comment and leave the limit as it was', async () => {
    const id = await askLimit('90000');
    expectError(await sup.post(`/approvals/${id}/reject`, {}), 422, 'validation_failed', { fields: ['comment'] });
    let body = await decide(sup, id, 'reject', '超出授信政策');
    assert.equal(body.status, 'rejected');
    assert.equal(await limit(), '80000.00');
    expectError(await sup2.post(`/approvals/${id}/approve`, {}), 409, 'conflict');

    const id2 = await askLimit('95000');
    body = await decide(sup2, id2, 'return', '请补充近三个月对账单');
    assert.equal(body.status, 'returned');
    assert.equal(await limit(), '80000.00');
    expectError(await admin.post(`/approvals/${id2}/approve`, {}), 404, 'not_found');
  });

  test('the requester may cancel; nobody decides a cancelled request', async () => {
    const id = await askLimit('70000');
    expectError(await other.post(`/approvals/${id}/cancel`, {}), 404, 'not_found');
    const body = await decide(mgr, id, 'cancel');
    assert.equal(body.status, 'cancelled');
    expectError(await sup.post(`/approvals/${id}/approve`, {}), 409, 'conflict');
    assert.equal(await limit(), '80000.00');
  });

  test('who was not asked sees nothing: 404 for another manager, a clerk, and the requester deciding', async () => {
    const id = await askLimit('60000');
    for (const c of [other, clerk]) {
      expectError(await c.get(`/approvals/${id}`), 404, 'not_found');
      expectError(await c.post(`/approvals/${id}/approve`, {}), 404, 'not_found');
      assert.ok(!(await inbox(c)).includes(id));
    }
    expectError(await mgr.post(`/approvals/${id}/approve`, {}), 404, 'not_found');
    assert.equal((await mgr.get(`/approvals/${id}`)).body.can_decide, false);
    assert.equal((await sup.get(`/approvals/${id}`)).body.can_decide, true);
    await decide(mgr, id, 'cancel');
  });

  test('all-of waits for every approver of the step; any-of for one', async () => {
    const ids = [(await me(sup)).id, (await me(sup2)).id];
    await setFlow(admin, 'credit_limit', { steps: [{ kind: 'user', user_ids: ids, mode: 'all', deadline_hours: 8 }] });
    const id = await askLimit('66000');
    let body = await decide(sup, id, 'approve');
    assert.deepEqual([body.status, body.step], ['pending', 0], 'one of two supervisors is not enough');
    assert.equal(await limit(), '80000.00');
    expectError(await sup.post(`/approvals/${id}/approve`, {}), 404, 'not_found');
    body = await decide(sup2, id, 'approve');
    assert.equal(body.status, 'approved');
    assert.equal(await limit(), '66000.00');

    await setFlow(admin, 'credit_limit', { steps: [{ kind: 'user', user_ids: ids, mode: 'any', deadline_hours: 8 }] });
    const id2 = await askLimit('67000');
    body = await decide(sup2, id2, 'approve');
    assert.equal(body.status, 'approved');
    assert.equal(await limit(), '67000.00');
  });

  test('flow edits are checked field by field in the caller\'s language and change nothing', async () => {
    const f = await flowOf(admin, 'credit_limit');
    let r = await admin.put(`/approval-flows/${f.id}`, { version: f.version, steps: [{ kind: 'robot', mode: 'some', deadline_hours: -1 }], params: { min_change: 'abc' }, name: '' });
    expectError(r, 422, 'validation_failed', { fields: ['steps', 'params', 'name'] });
    r = await admin.put(`/approval-flows/${f.id}`, { version: f.version, steps: [] }, { lang: 'en' });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['steps'] });
    expectError(await admin.put(`/approval-flows/${f.id}`, { version: f.version + 5, enabled: false }), 409, 'stale_version');
    assert.deepEqual((await flowOf(admin, 'credit_limit')).steps, f.steps);
  });

  test('a disabled flow guards nothing: a supervisor\'s change applies at once; a manager may only ask, so 403', async () => {
    await setFlow(admin, 'credit_limit', { enabled: false });
    let cur = (await sup.get(settingsUrl())).body;
    let r = await sup.put(settingsUrl(), { version: cur.version, credit_limit: '55000' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.credit_limit, '55000.00');
    cur = (await mgr.get(settingsUrl())).body;
    expectError(await mgr.put(settingsUrl(), { version: cur.version, credit_limit: '56000' }), 403, 'forbidden');
    await setFlow(admin, 'credit_limit', { enabled: true });
    expectError(await mgr.put(settingsUrl(), { version: cur.version, statement_day: 9 }), 403, 'forbidden');
    // an administrator's change is not guarded
    r = await admin.put(settingsUrl(), { version: cur.version, credit_limit: '57000' });
    assert.equal(r.status, 200, show(r));
  });

  test('contract discount: deeper than 30 % waits for another supervisor; shallower saves at once', async () => {
    const rules = `/enterprises/${ent.id}/price-rules`;
    let r = await sup.post(rules, { kind: 'discount', percent: '80', valid_from: '2027-01-01', product: '' });
    assert.equal(r.status, 201, show(r));
    const shallow = r.body;
    r = await sup.post(rules, { kind: 'discount', percent: '60', valid_from: '2027-01-01', valid_to: '2027-06-30', product: 'standard' });
    assert.equal(r.status, 202, show(r));
    const id = r.body.approval_id;
    const list = async () => (await sup.get(rules)).body.items;
    assert.equal((await list()).length, 1, 'the deep discount is not saved while pending');
    assert.ok(!(await inbox(sup)).includes(id), 'not the requester\'s own to approve');
    const body = await decide(sup2, id, 'approve');
    assert.equal(body.status, 'approved');
    const saved = (await list()).find((x) => x.product === 'standard');
    assert.ok(saved, 'saved by the approval');
    assert.equal(saved.percent, '60');

    // an approval whose change went stale is refused whole: no decision kept
    r = await sup.patch(`${rules}/${shallow.id}`, { ...shallow, percent: '50', version: shallow.version });
    assert.equal(r.status, 202, show(r));
    const id2 = r.body.approval_id;
    r = await admin.patch(`${rules}/${shallow.id}`, { ...shallow, percent: '90', version: shallow.version });
    assert.equal(r.status, 200, show(r));
    expectError(await sup2.post(`/approvals/${id2}/approve`, {}), 409, 'stale_version');
    const after = (await sup2.get(`/approvals/${id2}`)).body;
    assert.deepEqual([after.status, after.decisions.length, after.can_decide], ['pending', 0, true]);
    assert.equal((await list()).find((x) => x.id === shallow.id).percent, '90');
  });

  test('customer erasure waits for another administrator; the data is erased only by the approval', async () => {
    const c = await createCustomer(admin, { name: '待擦除客户', phone: u.phone() });
    const r = await admin.post(`/customers/${c.id}/erase`, {});
    assert.equal(r.status, 202, show(r));
    const id = r.body.approval_id;
    let cur = (await admin.get(`/customers/${c.id}`)).body.customer;
    assert.equal(cur.name, '待擦除客户');
    assert.ok((await inbox(admin2)).includes(id));
    assert.ok(!(await inbox(admin)).includes(id));
    const body = await decide(admin2, id, 'approve');
    assert.equal(body.status, 'approved');
    assert.deepEqual(body.diff.find((d) => d.field === 'erased'), { field: 'erased', before: false, after: true, changed: true });
    const gone = await admin.get(`/customers/${c.id}`);
    assert.ok(gone.status === 404 || gone.body.customer.erased === true, show(gone));
    assert.equal((await findAudit(admin, (e) => e.object_id === String(c.id), { action: 'customer.erase' })).length, 1);
  });

  test('an export of more personal rows than the threshold waits; approved, it runs for the requester', async () => {
    await setFlow(admin, 'personal_export', { params: { max_rows: 2, entities: ['customer'] } });
    for (let i = 0; i < 3; i++) await createCustomer(mgr, { name: `导出客户${i}`, phone: u.phone() });
    const small = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name'], q: '导出客户0' });
    assert.equal(small.status, 202, show(small));
    assert.ok(small.body.export, 'under the threshold: the export runs at once');
    const before = (await findAudit(admin, (e) => e.login === 'M9371', { action: 'export.create' })).length;
    const r = await mgr.post('/exports', { entity: 'customer', format: 'csv', columns: ['name', 'phone'] });
    assert.equal(r.status, 202, show(r));
    assert.equal(r.body.export, undefined, 'no export job while pending');
    const id = r.body.approval_id;
    const req = (await admin.get(`/approvals/${id}`)).body;
    assert.ok(req.change.after.count >= 3, show({ body: req }));
    assert.equal((await findAudit(admin, (e) => e.login === 'M9371', { action: 'export.create' })).length, before);
    await decide(admin, id, 'approve');
    const made = await findAudit(admin, (e) => e.login === 'M9371', { action: 'export.create' });
    assert.equal(made.length, before + 1, 'queued by the approval');
    const job = await pollJob(mgr, `/exports/${made[0].object_id}`, 'export');
    assert.equal(job.status, 'done');
  });

  test('deadline: the approver is reminded half-way, and past it their supervisor joins the step', async () => {
    // moving the clock ends idle sessions: sign in again after each move
    const setClock = async (now) => {
      assert.equal((await new Client(srv).post('/_test/clock', { now })).status, 200);
      for (const [c, login] of [[sup, 'S9371'], [sup2, 'S9372'], [mgr, 'M9371']]) await resignIn(srv, c, login);
    };
    const supId = (await me(sup)).id;
    await setFlow(admin, 'credit_limit', { steps: [{ kind: 'user', user_id: supId, mode: 'any', deadline_hours: 2 }] });
    await setClock('2026-12-07T09:00:00+08:00'); // a Monday, working hours 08:30-12:00
    const id = await askLimit('58000');
    const bells = async (client) => (await client.get('/notifications')).body.items.filter((n) => n.link === `/approvals/${id}`);
    assert.equal((await bells(sup)).length, 1, 'told when asked');
    assert.ok(!(await inbox(sup2)).includes(id));
    await setClock('2026-12-07T10:15:00+08:00');
    await waitFor(async () => (await bells(sup)).length === 2, { what: 'the reminder' });
    assert.ok(!(await inbox(sup2)).includes(id), 'not escalated before the deadline');
    await setClock('2026-12-07T11:15:00+08:00');
    await waitFor(async () => (await inbox(sup2)).includes(id), { what: 'the escalation to the supervisor above' });
    assert.equal((await bells(sup2)).length, 1, 'the supervisor is told once');
    const body = await decide(sup2, id, 'approve');
    assert.equal(body.status, 'approved');
    assert.equal(await limit(), '58000.00');
    assert.ok(body.assignees.some((a) => a.user_id !== supId && a.escalated));
    assert.equal(body.decisions.filter((d) => d.decision === 'escalate').length, 1);
  });
});
