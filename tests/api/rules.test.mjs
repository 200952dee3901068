// The rule engine (流程引擎, issue 20): rules on the domain events with a
// condition in the filter language, their actions (task, notify through a
// template to a DingTalk robot, set a field, tags, webhook), the loop
// guard, "test against a record" without side effects, runs once per
// (rule, event) even when the events come again after a restart, and the
// checks of a rule in the user's language.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { useServer, useServerPair, PG_DIR } from './lib/server.mjs';
import { show, Client, clientFor, advanceClock } from './lib/client.mjs';
import { feed, makeKey, s10, iso } from './lib/waybills.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { signInAll, branchesByCode, createCustomer, Uniq } from './lib/customers.mjs';
import { RobotStub } from './lib/robots.mjs';

const CONTACT_MOBILE = '13700093601';

describe('rules', () => {
  const srv = useServer({
    label: 'rules',
    env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32' },
    users: [
      { login: 'A9361', name: '规则管理员', role: 'admin', branch: 'GD' },
      { login: 'S9361', name: '天河主管', role: 'supervisor', branch: 'GD-GZ-01' },
      { login: 'M9361', name: '天河经理', role: 'manager', branch: 'GD-GZ-01' },
      { login: 'C9361', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const uniq = new Uniq(36);
  let admin, mgr, clerk, users, branches, vip, contact, robot;
  const ding = new RobotStub('dingtalk', 'SECrules-9361-0123456789abcdef');

  before(async () => { await ding.start(); });
  after(async () => { await ding.stop(); });

  const count = (sql) => Number(srv.queryDb(sql)[0][0]);
  const sideEffects = () => ({
    tasks: count('SELECT COUNT(*) FROM tasks'),
    notifications: count('SELECT COUNT(*) FROM notifications'),
    outbox: count('SELECT COUNT(*) FROM outbox'),
    runs: count('SELECT COUNT(*) FROM rule_runs'),
    events: count('SELECT COUNT(*) FROM domain_events'),
  });
  // The rules consumer has handled every event published so far.
  const caughtUp = (timeoutMs = 10000) => waitFor(() => count("SELECT COUNT(*) FROM event_positions WHERE consumer = 'rules' AND last_id >= (SELECT MAX(id) FROM domain_events)") === 1, { what: 'the rules consumer to catch up', timeoutMs });
  const runsOf = async (ruleId, n) => waitFor(async () => {
    const r = await admin.get(`/rules/${ruleId}/runs`);
    assert.equal(r.status, 200, show(r));
    return r.body.items.length >= n ? r.body.items : null;
  }, { what: `${n} runs of rule ${ruleId}` });

  async function createRule(body) {
    const r = await admin.post('/rules', body);
    assert.equal(r.status, 201, show(r));
    return r.body.rule;
  }

  test('set-up: a VIP enterprise with a contact, a DingTalk robot for rule messages', async () => {
    ({ A9361: admin, M9361: mgr, C9361: clerk } = await signInAll(srv, ['A9361', 'M9361', 'C9361']));
    branches = await branchesByCode(admin);
    users = Object.fromEntries((await admin.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    let r = await admin.post('/enterprises', {
      name: '广州规则仪器有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id, owner_id: users.M9361,
    });
    assert.equal(r.status, 201, show(r));
    vip = r.body.enterprise;
    r = await admin.post(`/enterprises/${vip.id}/contacts`, { name: '周采购', mobile: CONTACT_MOBILE, roles: ['liaison'] });
    assert.equal(r.status, 201, show(r));
    contact = r.body.contact;
    r = await admin.post('/notify/robots', { name: '规则群', kind: 'dingtalk', url: ding.url, secret: ding.secret, kinds: ['rule'] });
    assert.equal(r.status, 201, show(r));
    robot = r.body.robot;
  });

  test('a rule that cannot work is refused with the reason, in Chinese or English, and nothing is saved', async () => {
    const before = count('SELECT COUNT(*) FROM rules');
    let r = await admin.post('/rules', { name: '坏规则', entity: 'parcel', trigger: 'created' });
    expectError(r, 422, 'validation_failed', { fields: ['entity'] });
    r = await admin.post('/rules', { name: '坏规则', entity: 'customer', trigger: 'rated' });
    expectError(r, 422, 'validation_failed', { fields: ['trigger'] });
    r = await admin.post('/rules', {
      name: '坏规则', entity: 'customer', trigger: 'created',
      condition: { field: 'no_such_field', op: 'eq', value: 1 },
      actions: [{ type: 'launch_rocket' }, { type: 'create_task', title: '跟进', assignee: { type: 'role', role: 'king' } }],
    });
    expectError(r, 422, 'validation_failed', { fields: ['condition', 'actions.0', 'actions.1'] });
    assert.match(r.body.error.fields['actions.0'], /未知的动作类型/);
    const enAdmin = await clientFor(srv, 'A9361', { lang: 'en' });
    const en = await enAdmin.post('/rules', { name: 'bad', entity: 'ticket', trigger: 'rated', trigger_params: { max_score: 9 } });
    expectError(en, 422, 'validation_failed', { fields: ['trigger_params'], lang: 'en' });
    assert.equal(count('SELECT COUNT(*) FROM rules'), before);
    // Only an administrator edits rules.
    r = await mgr.get('/rules');
    assert.equal(r.status, 403, show(r));
  });

  let custRule;
  test('created + condition: a new customer whose name matches gets a task for the owner; one that does not leaves no run', async () => {
    custRule = await createRule({
      name: '新客户回访', entity: 'customer', trigger: 'created',
      condition: { field: 'name', op: 'starts_with', value: '规则' },
      actions: [{ type: 'create_task', title: '回访新客户 {{name}}', due_in_days: 2, priority: 'high', assignee: { type: 'field', field: 'owner_id' } }],
    });
    assert.equal(custRule.version, 1);
    assert.equal(custRule.enabled, true, 'a new rule is enabled');
    const hit = await createCustomer(clerk, { name: '规则甲', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: users.M9361 });
    const miss = await createCustomer(clerk, { name: '普通乙', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id, owner_id: users.M9361 });
    await runsOf(custRule.id, 1);
    await caughtUp();
    // Only a rule whose trigger and condition matched writes a run (the
    // benchmark's 100 rules would otherwise write 100 rows per event).
    const runs = (await admin.get(`/rules/${custRule.id}/runs`)).body.items;
    assert.deepEqual(runs.map((x) => x.object_id), [hit.id]);
    const byObject = Object.fromEntries(runs.map((x) => [x.object_id, x]));
    assert.equal(byObject[hit.id].outcome, 'done');
    assert.equal(byObject[hit.id].rule_version, 1);
    assert.equal(byObject[hit.id].event_kind, 'customer.created');
    const task = byObject[hit.id].actions[0];
    assert.equal(task.assignee_id, users.M9361);
    const tasks = (await mgr.get('/tasks?view=all&limit=100')).body.items;
    const made = tasks.find((t) => t.id === task.task_id);
    assert.ok(made, `task ${task.task_id} in ${JSON.stringify(tasks.map((t) => t.title))}`);
    assert.equal(made.title, '回访新客户 规则甲');
    assert.equal(made.priority, 'high');
    assert.equal(made.customer_id, hit.id);
    assert.ok(!tasks.some((t) => t.customer_id === miss.id), 'no task for the customer that did not match');
    const rule = (await admin.get(`/rules/${custRule.id}`)).body.rule;
    assert.equal(rule.runs_count, 1);
    assert.ok(rule.last_run_at);
    // The customer's run log.
    const log = await admin.get(`/rule-runs?entity=customer&object_id=${hit.id}`);
    assert.equal(log.status, 200, show(log));
    assert.deepEqual(log.body.items.map((x) => [x.rule_name, x.outcome]), [['新客户回访', 'done']]);
  });

  test('field_changed: a tag is added only when the named field changes; the rule is versioned', async () => {
    let r = await admin.get('/tags');
    const tag = r.body.items.find((x) => x.name === '需重点跟进');
    const rule = await createRule({
      name: '改名打标签', entity: 'customer', trigger: 'field_changed', trigger_params: { field: 'name' },
      actions: [{ type: 'add_tag', tag_id: tag.id }],
    });
    const c = await createCustomer(clerk, { name: '待改名', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id });
    let cur = (await clerk.get(`/customers/${c.id}`)).body.customer;
    r = await clerk.patch(`/customers/${c.id}`, { version: cur.version, address: '天河路1号' });
    assert.equal(r.status, 200, show(r));
    cur = r.body.customer;
    r = await clerk.patch(`/customers/${c.id}`, { version: cur.version, name: '已改名' });
    assert.equal(r.status, 200, show(r));
    const runs = await runsOf(rule.id, 1);
    assert.equal(runs.length, 1, 'the address change did not trigger it');
    assert.equal(runs[0].outcome, 'done');
    await waitFor(async () => (await clerk.get(`/customers/${c.id}`)).body.customer.tags.some((t) => (t.id ?? t) === tag.id || t.name === tag.name), { what: 'the tag' });
    // An edit is a new version; the old text is kept.
    r = await admin.put(`/rules/${rule.id}`, { version: rule.version, name: '改名后打标签' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.rule.version, 2);
    r = await admin.put(`/rules/${rule.id}`, { version: 1, name: '过期的编辑' });
    assert.equal(r.status, 409, show(r));
    const v = await admin.get(`/rules/${rule.id}/versions`);
    assert.deepEqual(v.body.items.map((x) => [x.version, x.snapshot.name]), [[2, '改名后打标签'], [1, '改名打标签']]);
  });

  let ticket;
  test('a template renders the record with each channel\'s escaping; the preview says which variables are unknown', async () => {
    let r = await admin.post('/message-templates', {
      name: '差评提醒', channel: 'dingtalk', subject: '差评：{{ticket_no}}',
      body: '### 工单 {{ticket_no}} 差评\n大客户：{{enterprise_name}}，满意度 {{csat}} 分\n{{nope}}',
    });
    assert.equal(r.status, 201, show(r));
    r = await admin.post('/message-templates/preview', { channel: 'dingtalk', body: '客户 {{name}}', variables: { name: '*张三*[链接](http://x)' } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.body, '客户 \\*张三\\*\\[链接\\]\\(http://x\\)');
    r = await admin.post('/message-templates/preview', { channel: 'sms', body: '客户 {{name}} 到 {{where}}', variables: { name: '张三\n李四' } });
    assert.equal(r.body.body, '客户 张三 李四 到 ');
    assert.deepEqual(r.body.unknown_variables, ['where']);
    r = await admin.post('/message-templates', { name: '差评提醒', channel: 'dingtalk', body: 'x' });
    expectError(r, 422, 'validation_failed', { fields: ['name'] });
    r = await admin.post('/message-templates', { name: '坏渠道', channel: 'fax', body: 'x' });
    expectError(r, 422, 'validation_failed', { fields: ['channel'] });
  });

  let ratedRule;
  test('test against a record answers the match and the resolved actions, and writes nothing', async () => {
    const tpl = (await admin.get('/message-templates')).body.items.find((t) => t.name === '差评提醒');
    let r = await clerk.post('/tickets', {
      channel: 'counter', type: 'complaint', subject: '仪器包裹外箱破损', enterprise_id: vip.id, contact_id: contact.id,
    });
    assert.equal(r.status, 201, show(r));
    ticket = r.body.ticket;
    assert.equal(ticket.tier, 'vip');
    ratedRule = await createRule({
      name: 'VIP 差评', entity: 'ticket', trigger: 'rated', trigger_params: { max_score: 2 },
      condition: { field: 'tier', op: 'eq', value: 'vip' },
      related: [{ path: 'enterprise', filter: { field: 'status', op: 'eq', value: 'active' } }],
      actions: [
        { type: 'create_task', title: '回访差评工单 {{ticket_no}}', assignee: { type: 'role', role: 'supervisor' } },
        { type: 'notify', to: { type: 'field', field: 'enterprise_owner_id' }, template_id: tpl.id, channels: ['dingtalk'] },
      ],
    });
    // Let the ticket's own events pass first so the counts stand still.
    await caughtUp();
    const before = sideEffects();
    r = await admin.post(`/rules/${ratedRule.id}/test`, { record_id: ticket.id, payload: { csat: 1 } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.matched, true);
    const [task, note] = r.body.actions;
    assert.equal(task.type, 'create_task');
    assert.equal(task.assignee_id, users.S9361);
    assert.equal(task.assignee_name, '天河主管');
    assert.equal(task.title, `回访差评工单 ${ticket.ticket_no}`);
    assert.equal(note.assignee_id, users.M9361);
    assert.deepEqual(note.channels, ['dingtalk']);
    assert.match(note.message, new RegExp(`大客户：广州规则仪器有限公司，满意度  分`));
    assert.deepEqual(note.unknown_variables, ['nope']);
    // A score above the rule's is no match; a standard-tier draft neither.
    r = await admin.post(`/rules/${ratedRule.id}/test`, { record_id: ticket.id, payload: { csat: 4 } });
    assert.equal(r.body.matched, false);
    r = await admin.post('/rules/test', {
      record_id: ticket.id,
      rule: { name: '草稿', entity: 'ticket', trigger: 'created', condition: { field: 'tier', op: 'eq', value: 'standard' }, actions: [] },
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.matched, false);
    assert.equal(r.body.reason, 'no_match');
    r = await admin.post(`/rules/${ratedRule.id}/test`, { record_id: 987654321 });
    expectError(r, 422, 'validation_failed', { fields: ['record_id'] });
    assert.deepEqual(sideEffects(), before, 'a test run changes nothing');
  });

  test('rated ≤ 2 on a VIP ticket: a task for the supervisor and the DingTalk robot gets the message; the ticket\'s timeline shows the run', async () => {
    let r = await mgr.post(`/tickets/${ticket.id}/status`, { status: 'resolved', note: '已处理' });
    assert.equal(r.status, 200, show(r));
    const sms = await waitFor(async () => (await admin.get('/dev-mailbox?limit=50')).body.items.find((m) => String(m.recipient).includes(CONTACT_MOBILE) && /\/survey\//.test(m.body)), { what: 'the survey link' });
    const token = String(sms.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/)[1];
    r = await new Client(srv).post(`/surveys/${token}`, { csat: 2, nps: 3, comment: '太慢了' });
    assert.equal(r.status, 200, show(r));
    const runs = await runsOf(ratedRule.id, 1);
    assert.equal(runs[0].outcome, 'done', JSON.stringify(runs[0]));
    const taskId = runs[0].actions[0].task_id;
    const sup = (await signInAll(srv, ['S9361'])).S9361;
    const tasks = (await sup.get('/tasks?view=all&limit=100')).body.items;
    assert.ok(tasks.some((t) => t.id === taskId && t.title === `回访差评工单 ${ticket.ticket_no}`), JSON.stringify(tasks));
    const msg = await waitFor(() => ding.accepted.find((m) => JSON.stringify(m).includes(ticket.ticket_no)), { what: 'the robot message' });
    assert.match(JSON.stringify(msg), /满意度 2 分/);
    const t = (await mgr.get(`/tickets/${ticket.id}`)).body.ticket;
    assert.ok(t.timeline.some((e) => e.kind === 'rule' && e.body === 'VIP 差评'), JSON.stringify(t.timeline.map((e) => e.kind)));
  });

  test('loop guard: a rule that changes its own ticket stops after depth 3 and says skipped_depth', async () => {
    let r = await clerk.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '循环测试', enterprise_id: vip.id, contact_id: contact.id });
    const t = r.body.ticket;
    // The ticket's own events (created, assigned) are past before the rule exists.
    await caughtUp();
    const rule = await createRule({
      name: '自我修改', entity: 'ticket', trigger: 'updated',
      condition: { field: 'ticket_no', op: 'eq', value: t.ticket_no },
      actions: [{ type: 'set_field', field: 'priority', value: 'high' }],
    });
    r = await mgr.post(`/tickets/${t.id}/status`, { status: 'in_progress' });
    assert.equal(r.status, 200, show(r));
    const runs = await runsOf(rule.id, 5);
    const outcomes = runs.map((x) => x.outcome + (x.reason ? `:${x.reason}` : '')).reverse();
    assert.deepEqual(outcomes, ['done', 'done', 'done', 'done', 'skipped:skipped_depth']);
    assert.equal((await mgr.get(`/tickets/${t.id}`)).body.ticket.priority, 'high');
    const meta = await admin.get('/rule-meta');
    assert.equal(meta.body.max_depth, 3);
  });

  test('webhook: the run queues a webhook row in the outbox with the event as JSON', async () => {
    const rule = await createRule({
      name: '大客户变更推送', entity: 'enterprise', trigger: 'updated',
      actions: [{ type: 'webhook', url: 'https://erp.example.cn/hooks/hongyan' }],
    });
    const e = (await admin.get(`/enterprises/${vip.id}`)).body.enterprise;
    const r = await admin.patch(`/enterprises/${vip.id}`, { version: e.version, website: 'https://vip.example.cn' });
    assert.equal(r.status, 200, show(r));
    await runsOf(rule.id, 1);
    const rows = srv.queryDb("SELECT recipient, body FROM outbox WHERE channel = 'webhook'");
    assert.equal(rows.length, 1);
    assert.equal(rows[0][0], 'https://erp.example.cn/hooks/hongyan');
    const body = JSON.parse(rows[0][1]);
    assert.equal(body.event, 'enterprise.changed');
    assert.equal(body.object_id, vip.id);
    assert.equal(body.rule_id, rule.id);
  });

  test('request_approval: the change is filed in the record\'s branch (its supervisor decides, not only admins) and applied once approved', async () => {
    const sup = await clientFor(srv, 'S9361');
    const rule = await createRule({
      name: '大客户授信审批', entity: 'enterprise', trigger: 'updated',
      condition: { field: 'website', op: 'eq', value: 'https://credit.example.cn' },
      actions: [{ type: 'request_approval', flow: 'credit_limit', after: { credit_limit: '50000' } }],
    });
    // A flow of another kind of record is refused.
    let r = await admin.post('/rules', { name: '错误审批', entity: 'enterprise', trigger: 'updated', actions: [{ type: 'request_approval', flow: 'customer_erasure' }] });
    expectError(r, 422, 'validation_failed', { fields: ['actions.0'] });
    const e = (await admin.get(`/enterprises/${vip.id}`)).body.enterprise;
    r = await admin.patch(`/enterprises/${vip.id}`, { version: e.version, website: 'https://credit.example.cn' });
    assert.equal(r.status, 200, show(r));
    const runs = await runsOf(rule.id, 1);
    assert.equal(runs[0].outcome, 'done', JSON.stringify(runs[0]));
    const id = runs[0].actions[0].approval_id;
    assert.ok(id, JSON.stringify(runs[0].actions));
    const inbox = async (c) => (await c.get('/approvals?box=inbox')).body.items.map((x) => x.id);
    assert.ok((await inbox(sup)).includes(id), 'the supervisor of the enterprise\'s branch is asked first');
    assert.ok(!(await inbox(admin)).includes(id), 'the admin only at step 2');
    const settings = () => admin.get(`/enterprises/${vip.id}/billing-settings`);
    assert.equal((await settings()).body.credit_limit, '0.00', 'nothing applied while pending');
    r = await sup.post(`/approvals/${id}/approve`, { comment: '同意' });
    assert.equal(r.status, 200, show(r));
    r = await admin.post(`/approvals/${id}/approve`, { comment: '同意' });
    assert.equal(r.status, 200, show(r));
    assert.equal((await settings()).body.credit_limit, '50000.00');
  });

  test('assign: a new ticket matching the rule is given to the supervisor of its branch, on its timeline; other kinds refuse the action', async () => {
    let r = await admin.post('/rules', { name: '错误分派', entity: 'customer', trigger: 'created', actions: [{ type: 'assign', assignee: { type: 'role', role: 'supervisor' } }] });
    expectError(r, 422, 'validation_failed', { fields: ['actions.0'] });
    const rule = await createRule({
      name: '投诉分派主管', entity: 'ticket', trigger: 'created',
      condition: { field: 'subject', op: 'eq', value: '自动分派测试' },
      actions: [{ type: 'assign', assignee: { type: 'role', role: 'supervisor' } }],
    });
    r = await clerk.post('/tickets', { channel: 'counter', type: 'inquiry', subject: '自动分派测试', enterprise_id: vip.id, contact_id: contact.id });
    assert.equal(r.status, 201, show(r));
    const t = r.body.ticket;
    const runs = await runsOf(rule.id, 1);
    assert.equal(runs[0].outcome, 'done', JSON.stringify(runs[0]));
    assert.equal(runs[0].actions[0].assignee_id, users.S9361);
    const after = (await mgr.get(`/tickets/${t.id}`)).body.ticket;
    assert.equal(after.assignee_id, users.S9361);
    // The ticket desk assigned it on creation; the rule reassigned it.
    assert.ok(after.timeline.some((e) => e.kind === 'reassigned' && e.detail?.assignee_id === users.S9361), JSON.stringify(after.timeline));
  });

  test('disabled rules do not run; a custom rule is deleted, a missing one is 404', async () => {
    let r = await admin.put(`/rules/${custRule.id}`, { version: (await admin.get(`/rules/${custRule.id}`)).body.rule.version, enabled: false });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.rule.enabled, false);
    const before = count(`SELECT COUNT(*) FROM rule_runs WHERE rule_id = ${custRule.id}`);
    const c = await createCustomer(clerk, { name: '规则丙', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id });
    await caughtUp();
    assert.equal(count(`SELECT COUNT(*) FROM rule_runs WHERE rule_id = ${custRule.id}`), before);
    assert.ok(c.id);
    r = await admin.delete(`/rules/${custRule.id}`);
    assert.equal(r.status, 200, show(r));
    r = await admin.get(`/rules/${custRule.id}`);
    expectError(r, 404, 'not_found');
  });

  test('idempotent after a restart: events handed again to the rules make no second task or message', async (t) => {
    if (PG_DIR) return t.skip('rewinds the SQLite file directly');
    const before = sideEffects();
    const ratedRuns = count(`SELECT COUNT(*) FROM rule_runs WHERE rule_id = ${ratedRule.id}`);
    await srv.terminate();
    const r = spawnSync('sqlite3', [srv.dbPath, "UPDATE event_positions SET last_id = 0 WHERE consumer = 'rules'"], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    srv.stopping = false;
    srv.exited = null;
    await srv.launch();
    await caughtUp(30000);
    const after = sideEffects();
    assert.equal(after.tasks, before.tasks);
    assert.equal(after.outbox, before.outbox);
    assert.equal(count(`SELECT COUNT(*) FROM rule_runs WHERE rule_id = ${ratedRule.id}`), ratedRuns);
    assert.ok(robot.id);
  });
});

describe('built-in rules', () => {
  const srv = useServer({
    label: 'rules-builtin',
    users: [
      { login: 'A9363', name: '内置规则管理员', role: 'admin', branch: 'GD' },
      { login: 'M9363', name: '停滞经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin, m1, ent, key, now, serial = 9363000;
  const line = (over = {}) => ({
    waybill_no: s10(serial++), enterprise_id: ent.id, product: 'standard', channel: 'api',
    origin: '广东省/广州市/天河区', destination: '北京市/北京市/朝阳区', weight: 1.25, fee: '23.00',
    collected_at: iso(now - 600), recipient_name: '王小五', recipient_phone: '13812341234', recipient_address: '北京市朝阳区建国路1号院',
    ...over,
  });
  const arrive = (wb) => feed(srv, '/waybill-events:batch', key.secret, [
    { waybill_no: wb.waybill_no, at: iso(now), event_type: 'arrived', node_code: 'WH-TR-01', node_type: 'transit', node_name: '武汉转运中心' },
  ]);
  const alertsOf = async (wb) => (await m1.get(`/waybill-alerts?waybill_no=${wb.waybill_no}`)).body.items;

  test('the stuck-shipment alerts are a built-in rule: listed, not deletable; its threshold is the one the alerts use', async () => {
    ({ A9363: admin, M9363: m1 } = await signInAll(srv, ['A9363', 'M9363']));
    let r = await m1.post('/enterprises', { name: '广州停滞测试有限公司', tier: 'regular', status: 'active' });
    assert.equal(r.status, 201, show(r));
    ent = r.body.enterprise;
    key = await makeKey(admin, '规则测试对接');
    now = Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000);

    const list = await admin.get('/rules');
    const builtin = list.body.items.find((x) => x.builtin_key === 'waybill_stalled');
    assert.ok(builtin, show(list));
    assert.equal(builtin.kind, 'builtin');
    assert.equal(builtin.enabled, true);
    expectError(await admin.delete(`/rules/${builtin.id}`), 409, 'conflict');
    const rule = (await admin.get(`/rules/${builtin.id}`)).body.rule;
    const standard = rule.trigger_params.thresholds.find((x) => x.product === 'standard' && x.node_type === '*' && x.tier === '');
    assert.equal(standard.minutes, 720);

    // Before: a standard waybill 40 minutes at a transit centre is not stuck.
    const before = line();
    assert.equal((await feed(srv, '/waybills:batch', key.secret, [before])).status, 200);
    await arrive(before);
    r = await admin.put(`/rules/${rule.id}`, { version: rule.version, trigger_params: { thresholds: [{ id: standard.id, minutes: 30 }] } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.rule.trigger_params.thresholds.find((x) => x.id === standard.id).minutes, 30);
    const th = (await admin.get('/waybill-thresholds')).body.items.find((x) => x.id === standard.id);
    assert.equal(th.minutes, 30, 'the rule wrote the setting the alerts read');
    r = await admin.put(`/rules/${rule.id}`, { version: r.body.rule.version, trigger_params: { thresholds: [{ id: standard.id, minutes: 0 }] } });
    expectError(r, 422, 'validation_failed', { fields: ['trigger_params'] });

    // After: the same journey alerts after 30 minutes.
    const after = line();
    assert.equal((await feed(srv, '/waybills:batch', key.secret, [after])).status, 200);
    await arrive(after);
    now = Math.floor(Date.parse(await advanceClock(srv, 40 * 60)) / 1000);
    const alerts = await waitFor(async () => {
      const a = await alertsOf(after);
      return a.length === 1 ? a : null;
    }, { what: 'the alert under the threshold set in the rule' });
    assert.equal(alerts[0].threshold_minutes, 30);
    assert.deepEqual(await alertsOf(before), [], 'the waybill timed under the old threshold did not alert');
  });

  test('disabling the built-in rule stops the alerts', async () => {
    const list = await admin.get('/rules');
    const b = list.body.items.find((x) => x.builtin_key === 'waybill_stalled');
    let r = await admin.put(`/rules/${b.id}`, { version: b.version, enabled: false });
    assert.equal(r.status, 200, show(r));
    const quiet = line();
    assert.equal((await feed(srv, '/waybills:batch', key.secret, [quiet])).status, 200);
    await arrive(quiet);
    now = Math.floor(Date.parse(await advanceClock(srv, 40 * 60)) / 1000);
    // The pass has run past the waybill's due time: its clock moved on.
    await waitFor(() => Number(srv.queryDb(`SELECT COUNT(*) FROM waybills WHERE waybill_no = '${quiet.waybill_no}' AND stop_due_at IS NULL`)[0][0]) === 1, { what: 'the alert pass to pass the waybill' });
    assert.deepEqual(await alertsOf(quiet), []);
  });
});

describe('rules: two servers over one PostgreSQL database run a rule once', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (scripts/with-pg.sh)' }, () => {
  const [a, b] = useServerPair({
    users: [
      { login: 'A9364', name: '双机规则管理员', role: 'admin', branch: 'GD' },
      { login: 'M9364', name: '双机经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  }, ['rules-a', 'rules-b']);
  const test = a.it;

  test('a rule made on one server fires once for a customer created on the other', async () => {
    const adminA = (await signInAll(a, ['A9364'])).A9364;
    const mgrB = (await signInAll(b, ['M9364'])).M9364;
    const branches = await branchesByCode(adminA);
    const users = Object.fromEntries((await adminA.get('/users?limit=200')).body.items.map((u) => [u.login, u.id]));
    let r = await adminA.post('/rules', {
      name: '双机新客户回访', entity: 'customer', trigger: 'created',
      actions: [{ type: 'create_task', title: '回访 {{name}}', assignee: { type: 'field', field: 'owner_id' } }],
    });
    assert.equal(r.status, 201, show(r));
    const rule = r.body.rule;
    const c = await createCustomer(mgrB, { name: '双机客户', phone: '13900093640', branch_id: branches['GD-GZ-01'].id, owner_id: users.M9364 });
    await waitFor(async () => (await adminA.get(`/rules/${rule.id}/runs`)).body.items.length === 1, { what: 'the run' });
    // Both servers' consumers had the chance: wait until neither lags.
    await waitFor(() => Number(a.queryDb("SELECT COUNT(*) FROM event_positions WHERE consumer = 'rules' AND last_id >= (SELECT MAX(id) FROM domain_events)")[0][0]) === 1, { what: 'the consumer to catch up' });
    assert.equal(Number(a.queryDb(`SELECT COUNT(*) FROM rule_runs WHERE rule_id = ${rule.id}`)[0][0]), 1);
    assert.equal(Number(a.queryDb(`SELECT COUNT(*) FROM tasks WHERE customer_id = ${c.id} AND source_ref LIKE 'rule:%'`)[0][0]), 1);
  });

  test('a rule edited on the other server is run as edited (the compiled rules are dropped on both)', async () => {
    const adminA = await clientFor(a, 'A9364');
    const adminB = await clientFor(b, 'A9364');
    const mgrB = await clientFor(b, 'M9364');
    const branches = await branchesByCode(adminA);
    const rule = (await adminA.get('/rules')).body.items.find((x) => x.name === '双机新客户回访');
    const r = await adminB.put(`/rules/${rule.id}`, { version: rule.version, condition: { field: 'name', op: 'starts_with', value: '双机贵宾' } });
    assert.equal(r.status, 200, show(r));
    const plain = await createCustomer(mgrB, { name: '双机普通', phone: '13900093641', branch_id: branches['GD-GZ-01'].id });
    const vip = await createCustomer(mgrB, { name: '双机贵宾', phone: '13900093642', branch_id: branches['GD-GZ-01'].id });
    await waitFor(async () => (await adminA.get(`/rules/${rule.id}/runs`)).body.items.length === 2, { what: 'the run on the VIP customer' });
    await waitFor(() => Number(a.queryDb("SELECT COUNT(*) FROM event_positions WHERE consumer = 'rules' AND last_id >= (SELECT MAX(id) FROM domain_events)")[0][0]) === 1, { what: 'the consumer to catch up' });
    const objects = a.queryDb(`SELECT object_id FROM rule_runs WHERE rule_id = ${rule.id} ORDER BY id`).map((x) => Number(x[0]));
    assert.equal(objects[1], vip.id);
    assert.ok(!objects.includes(plain.id), 'the customer the edited condition excludes was not run on');
  });
});
