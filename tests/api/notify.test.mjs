// Notification channels (issue 17): DingTalk and WeCom group robots as
// admin settings, delivered through the outbox to strict stub robots on
// 127.0.0.1 (signature, payload shape, errcode), their 20-a-minute limit,
// retries until accepted exactly once, each user's choice of channels and
// bound mobile, the SSRF guard on robot addresses, and secrets that never
// come back out of the server.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, TestServer } from './lib/server.mjs';
import { show, advanceClock, Client, signInFresh } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { signInAll, branchesByCode, me, findAudit, resignIn } from './lib/customers.mjs';
import { RobotStub } from './lib/robots.mjs';
import { rotateAndRestart } from './lib/rotate.mjs';

const PUBLIC_URL = 'https://crm.post.example.cn';
const MGR_PHONE = '13912340001';
const MGR_DINGTALK = '13912340002';
const MGR_WECOM = '13912340003';

describe('notification channels', () => {
  const srv = useServer({
    label: 'notify',
    env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32,169.254.0.0/16', HONGYAN_PUBLIC_URL: PUBLIC_URL },
    users: [
      { login: 'A9901', name: '通知管理员', role: 'admin', branch: 'GD' },
      { login: 'M9901', name: '通知经理', role: 'manager', branch: 'GD-GZ-01', phone: MGR_PHONE, email: 'm9901@post.example.cn' },
    ],
  });
  const test = srv.it;
  const secrets = [];
  const answers = []; // every answer text the admin and manager received
  const stubs = {};
  let admin, mgr, mgrId, branches;

  const record = (client) => {
    const request = client.request.bind(client);
    client.request = async (...args) => {
      const r = await request(...args);
      answers.push(r.text || JSON.stringify(r.body));
      return r;
    };
  };

  before(async () => {
    stubs.ding = await new RobotStub('dingtalk', 'SECb3f1a8c0d2e94e7f9a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3').start();
    stubs.wrong = await new RobotStub('dingtalk', 'SECthe-right-secret-only-the-robot-knows').start();
    stubs.flaky = await new RobotStub('dingtalk', 'SECflaky-secret-0123456789', { failFirst: 2 }).start();
    stubs.late = await new RobotStub('dingtalk', 'SEClate-disable-0123456789', { failFirst: 1 }).start();
    stubs.wecom = await new RobotStub('wecom', 'wecom-key-7f3e9a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b').start();
    secrets.push(...Object.values(stubs).map((s) => s.secret), ...Object.values(stubs).map((s) => s.token));
  });
  after(async () => {
    for (const s of Object.values(stubs)) await s.stop();
  });

  const robotBody = (stub, extra = {}) => ({ name: `机器人-${stub.kind}-${stub.port}`, kind: stub.kind, url: stub.url, secret: stub.secret, ...extra });

  async function addRobot(stub, extra) {
    const r = await admin.post('/notify/robots', robotBody(stub, extra));
    assert.equal(r.status, 201, show(r));
    return r.body.robot;
  }

  async function deliveries(robot) {
    const r = await admin.get(`/outbox?channel=${robot.kind}&recipient=${robot.id}&limit=100`);
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  }

  // A robot out of the way of later tests (a disabled robot gets no user's message).
  async function disable(robot) {
    const r = await admin.put(`/notify/robots/${robot.id}`, { version: robot.version, enabled: false });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.robot.enabled, false);
  }

  async function testSend(robot) {
    const r = await admin.post(`/notify/robots/${robot.id}/test`, {});
    assert.equal(r.status, 202, show(r));
    return r.body.outbox_id;
  }

  test('set-up: an admin and an account manager', async () => {
    ({ A9901: admin, M9901: mgr } = await signInAll(srv, ['A9901', 'M9901']));
    record(admin);
    record(mgr);
    mgrId = (await me(mgr)).id;
    branches = await branchesByCode(admin);
  });

  test('a robot is saved with its secret sealed: the answers show •••• and "set", never the token or secret', async () => {
    const robot = await addRobot(stubs.ding);
    assert.equal(robot.secret_set, true);
    assert.equal(robot.secret, undefined);
    assert.equal(robot.url, `http://127.0.0.1:${stubs.ding.port}/robot/send?access_token=••••`);
    assert.equal(robot.enabled, true);
    const list = await admin.get('/notify/robots');
    assert.equal(list.status, 200, show(list));
    assert.ok(list.body.items.some((x) => x.id === robot.id));
    // The database holds them sealed too.
    const stored = srv.queryDb(`SELECT url_sealed || secret_sealed FROM notify_robots WHERE id = ${robot.id}`)[0][0];
    assert.ok(!stored.includes(stubs.ding.secret) && !stored.includes(stubs.ding.token), 'sealed at rest');
    stubs.ding.robot = robot;
  });

  test('a test send reaches the DingTalk robot signed and as Markdown, and is shown as sent', async () => {
    const id = await testSend(stubs.ding.robot);
    await waitFor(() => stubs.ding.accepted.length === 1, { what: 'the signed message' });
    const msg = stubs.ding.accepted[0].body;
    assert.equal(msg.msgtype, 'markdown');
    assert.equal(msg.markdown.title, '鸿雁测试消息');
    await waitFor(async () => (await deliveries(stubs.ding.robot)).find((d) => d.id === id && d.status === 'sent'), { what: 'the delivery marked sent' });
  });

  test('a wrong secret is refused by the robot (310000): the delivery stays failing, with the robot\'s error shown', async () => {
    const robot = await addRobot(stubs.wrong, { secret: 'SECa-secret-that-is-wrong' });
    secrets.push('SECa-secret-that-is-wrong');
    const id = await testSend(robot);
    const d = await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.attempts >= 1), { what: 'a failed attempt' });
    assert.equal(d.status, 'pending', 'retried later, not given up at once');
    assert.match(d.last_error, /errcode 310000: sign not match/);
    assert.equal(stubs.wrong.accepted.length, 0);
    assert.equal(stubs.wrong.requests.length, 1);
    await disable(robot);
  });

  test('a robot that fails twice then accepts receives the message exactly once', async () => {
    const robot = await addRobot(stubs.flaky);
    const id = await testSend(robot);
    const first = await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.attempts === 1), { what: 'the first failure' });
    assert.match(first.last_error, /errcode -1: system busy/);
    await advanceClock(srv, 31);
    await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.attempts === 2), { what: 'the second failure' });
    await advanceClock(srv, 61);
    const sent = await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.status === 'sent'), { what: 'the delivery' });
    assert.equal(sent.attempts, 2);
    assert.equal(stubs.flaky.requests.length, 3);
    assert.equal(stubs.flaky.accepted.length, 1);
    await disable(robot);
  });

  test('a robot disabled after a message was queued to it sends nothing more: the retry fails as "disabled"', async () => {
    const robot = await addRobot(stubs.late);
    const id = await testSend(robot);
    await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.attempts === 1), { what: 'the first failure' });
    await disable(robot);
    await advanceClock(srv, 31);
    const d = await waitFor(async () => (await deliveries(robot)).find((x) => x.id === id && x.attempts === 2), { what: 'the retry' });
    assert.equal(d.last_error, 'the robot is disabled');
    assert.equal(stubs.late.requests.length, 1, 'the retry never reached the robot');
    assert.equal(stubs.late.accepted.length, 0);
  });

  test('WeCom: a wrong key is refused by the robot and shown; the right key delivers Markdown', async () => {
    const bad = await addRobot(stubs.wecom, { secret: 'not-the-key' });
    const badId = await testSend(bad);
    const d = await waitFor(async () => (await deliveries(bad)).find((x) => x.id === badId && x.attempts >= 1), { what: 'the refused attempt' });
    assert.match(d.last_error, /wecom errcode 93000/);
    const del = await admin.delete(`/notify/robots/${bad.id}`);
    assert.equal(del.status, 200, show(del));
    const dead = (await deliveries(bad)).find((x) => x.id === badId);
    assert.equal(dead.status, 'dead', 'a removed robot\'s messages are not retried');
    assert.equal(dead.last_error, 'robot removed');

    const robot = await addRobot(stubs.wecom);
    stubs.wecom.robot = robot;
    await testSend(robot);
    await waitFor(() => stubs.wecom.accepted.length === 1, { what: 'the WeCom message' });
    const msg = stubs.wecom.accepted[0].body;
    assert.equal(msg.msgtype, 'markdown');
    assert.match(msg.markdown.content, /鸿雁测试消息/);
  });

  test('robot addresses: the cloud metadata address is refused even when allow-listed; http only for allow-listed hosts', async () => {
    const meta = await admin.post('/notify/robots', { name: '元数据', kind: 'dingtalk', url: 'http://169.254.169.254/latest/meta-data/', secret: 'SECx' });
    expectError(meta, 422, 'validation_failed', { fields: ['url'] });
    assert.equal(meta.body.error.fields.url, '该地址指向内网或保留地址，不允许访问');
    const mapped = await admin.post('/notify/robots', { name: '映射', kind: 'wecom', url: 'http://[::ffff:169.254.169.254]/x', secret: 'k' }, { lang: 'en' });
    expectError(mapped, 422, 'validation_failed', { lang: 'en', fields: ['url'] });
    assert.match(mapped.body.error.fields.url, /not allowed/);
    const plain = await admin.post('/notify/robots', { name: '明文', kind: 'dingtalk', url: 'http://oapi.dingtalk.com/robot/send?access_token=x', secret: 'SECx' });
    expectError(plain, 422, 'validation_failed', { fields: ['url'] });
    const ftp = await admin.post('/notify/robots', { name: 'ftp', kind: 'wecom', url: 'ftp://qyapi.weixin.qq.com/x', secret: 'k' });
    expectError(ftp, 422, 'validation_failed', { fields: ['url'] });
    const none = await admin.post('/notify/robots', { name: '缺密钥', kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x' });
    expectError(none, 422, 'validation_failed', { fields: ['secret'] });
    const count = srv.queryDb("SELECT COUNT(*) FROM notify_robots WHERE name IN ('元数据', '映射', '明文', 'ftp', '缺密钥')")[0][0];
    assert.equal(count, '0', 'nothing saved');
  });

  test('only admins manage robots', async () => {
    expectError(await mgr.get('/notify/robots'), 403, 'forbidden');
    expectError(await mgr.post('/notify/robots', robotBody(stubs.ding)), 403, 'forbidden');
    expectError(await mgr.post(`/notify/robots/${stubs.ding.robot.id}/test`, {}), 403, 'forbidden');
  });

  test('a user\'s choice is honoured: SMS chosen, an SMS in the dev mailbox; not chosen, none', async () => {
    const due = '2026-12-31T10:00:00+08:00';
    let r = await mgr.put('/me/notify-settings', { choices: { 'task.assigned': ['sms'] } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.choices['task.assigned'], ['sms']);
    assert.equal(r.body.phone, MGR_PHONE);
    const t1 = await admin.post('/tasks', { title: '短信通知测试甲', due_at: due, assignee_id: mgrId });
    assert.equal(t1.status, 201, show(t1));
    const sms = await waitFor(async () => {
      const box = await admin.get('/dev-mailbox?limit=50');
      return box.body.items.find((m) => m.channel === 'sms' && m.body.startsWith('短信通知测试甲'));
    }, { what: 'the SMS in the dev mailbox' });
    assert.equal(sms.recipient, MGR_PHONE);
    assert.ok(sms.body.includes(`${PUBLIC_URL}/tasks?task=${t1.body.task.id}`), sms.body);

    r = await mgr.put('/me/notify-settings', { choices: { 'task.assigned': [] } });
    assert.equal(r.status, 200, show(r));
    const t2 = await admin.post('/tasks', { title: '短信通知测试乙', due_at: due, assignee_id: mgrId });
    assert.equal(t2.status, 201, show(t2));
    // The outbox row would be written with the task, in its transaction.
    const queued = srv.queryDb("SELECT COUNT(*) FROM outbox WHERE subject = '短信通知测试乙'")[0][0];
    assert.equal(queued, '0');
    const bell = await mgr.get('/notifications');
    assert.equal(bell.status, 200, show(bell));
    assert.ok(bell.body.items.some((n) => n.title === '短信通知测试乙'), 'the bell rings always');
  });

  test('robot choice with a bound mobile: DingTalk @-mentions it with a link to the task; WeCom mentions by a text message', async () => {
    const bad = await mgr.put('/me/notify-settings', { choices: { 'task.assigned': ['dingtalk', 'fax'], 'no.such': [] }, dingtalk_mobile: '1234' });
    expectError(bad, 422, 'validation_failed', { fields: ['choices', 'dingtalk_mobile'] });
    const r = await mgr.put('/me/notify-settings', {
      choices: { 'task.assigned': ['dingtalk', 'wecom'] },
      dingtalk_mobile: MGR_DINGTALK,
      wecom_mobile: MGR_WECOM,
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.dingtalk_mobile, MGR_DINGTALK);
    const dingBefore = stubs.ding.accepted.length;
    const wecomBefore = stubs.wecom.accepted.length;
    const t = await admin.post('/tasks', { title: '钉钉通知测试', due_at: '2026-12-31T10:00:00+08:00', assignee_id: mgrId });
    assert.equal(t.status, 201, show(t));
    await waitFor(() => stubs.ding.accepted.length > dingBefore && stubs.wecom.accepted.length > wecomBefore, { what: 'both robot messages' });
    const ding = stubs.ding.accepted.at(-1).body;
    assert.equal(ding.markdown.title, '钉钉通知测试');
    assert.deepEqual(ding.at.atMobiles, [MGR_DINGTALK]);
    assert.ok(ding.markdown.text.includes(`@${MGR_DINGTALK}`));
    assert.ok(ding.markdown.text.includes(`](${PUBLIC_URL}/tasks?task=${t.body.task.id})`), ding.markdown.text);
    const wecom = stubs.wecom.accepted.at(-1).body;
    assert.equal(wecom.msgtype, 'text');
    assert.deepEqual(wecom.text.mentioned_mobile_list, [MGR_WECOM]);
    assert.match(wecom.text.content, /钉钉通知测试/);
    // Disabled robots get nothing.
    assert.equal(stubs.flaky.accepted.length, 1);
  });

  test('a robot serving another branch or other kinds is not used', async () => {
    const other = branches['GD-SZ']; // a sibling line: not the manager's branch nor above it
    const r = await admin.put(`/notify/robots/${stubs.ding.robot.id}`, { version: stubs.ding.robot.version, branch_id: other.id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.robot.url, stubs.ding.robot.url, 'the address is kept when not sent');
    const r2 = await admin.put(`/notify/robots/${stubs.wecom.robot.id}`, { version: stubs.wecom.robot.version, kinds: ['waybill.stalled'] });
    assert.equal(r2.status, 200, show(r2));
    assert.deepEqual(r2.body.robot.kinds, ['waybill.stalled']);
    await admin.post('/tasks', { title: '不该发到机器人', due_at: '2026-12-31T10:00:00+08:00', assignee_id: mgrId });
    const queued = srv.queryDb("SELECT COUNT(*) FROM outbox WHERE subject = '不该发到机器人'")[0][0];
    assert.equal(queued, '0');
    const stale = await admin.put(`/notify/robots/${stubs.ding.robot.id}`, { version: stubs.ding.robot.version, name: '旧版本' });
    expectError(stale, 409, 'stale_version');
    // Back to serving everything, for the next test.
    await admin.put(`/notify/robots/${stubs.wecom.robot.id}`, { version: r2.body.robot.version, kinds: [] });
  });

  test('25 messages to one robot within a minute: 20 go at once, the rest wait (not failed) and go when the window has passed', async () => {
    const robot = (await admin.get('/notify/robots')).body.items.find((x) => x.id === stubs.wecom.robot.id);
    // Clear of the minute in which this robot took earlier messages.
    await advanceClock(srv, 61);
    const before = stubs.wecom.accepted.length;
    const ids = [];
    for (let i = 0; i < 25; i++) ids.push(await testSend(robot));
    await waitFor(() => stubs.wecom.accepted.length >= before + 20, { what: '20 messages' });
    const mine = async () => (await deliveries(robot)).filter((d) => ids.includes(d.id));
    // The five left over are deferred (not failed: no attempt counted) to
    // the moment the minute after the first of the 20 has passed.
    await waitFor(async () => {
      const rows = await mine();
      const sent = rows.filter((d) => d.status === 'sent');
      const w = rows.filter((d) => d.status === 'pending');
      if (sent.length !== 20 || w.length !== 5) return false;
      const windowEnd = Math.min(...sent.map((d) => Date.parse(d.sent_at))) + 60000;
      return w.every((d) => d.attempts === 0 && d.last_error === null && Date.parse(d.next_attempt_at) >= windowEnd);
    }, { what: '20 sent and 5 deferred to the end of the minute' });
    assert.equal(stubs.wecom.accepted.length, before + 20, 'the robot saw no more than 20 in the minute');
    await advanceClock(srv, 61);
    await waitFor(async () => (await mine()).every((d) => d.status === 'sent'), { what: 'the last five' });
    assert.equal(stubs.wecom.accepted.length, before + 25);
  });

  test('rotate-key re-seals the robots: after it, a robot still signs with its secret', async () => {
    const before = srv.queryDb(`SELECT url_sealed FROM notify_robots WHERE id = ${stubs.ding.robot.id}`)[0][0];
    const rot = await rotateAndRestart(srv, 'notify-new.key');
    // Every robot still stored (one was removed above) is re-sealed.
    const stored = Number(srv.queryDb('SELECT COUNT(*) FROM notify_robots')[0][0]);
    assert.equal(stored, 5);
    assert.match(rot.stdout, new RegExp(`${stored} robot secrets re-sealed`));
    const after = srv.queryDb(`SELECT url_sealed FROM notify_robots WHERE id = ${stubs.ding.robot.id}`)[0][0];
    assert.notEqual(after.slice(0, 8), before.slice(0, 8), 'sealed under the new key id');
    await resignIn(srv, admin, 'A9901');
    // The DingTalk robot serves another branch now, but a test send goes to it regardless.
    const count = stubs.ding.accepted.length;
    await testSend(stubs.ding.robot);
    await waitFor(() => stubs.ding.accepted.length === count + 1, { what: 'a signed message after the rotation' });
  });

  test('secrets never appear in any answer or in the audit log', async () => {
    const audit = await findAudit(admin, (e) => e.action.startsWith('notify.'));
    assert.ok(audit.some((e) => e.action === 'notify.robot.create'));
    assert.ok(audit.some((e) => e.action === 'notify.robot.test'));
    assert.ok(audit.some((e) => e.action === 'notify.settings'));
    const texts = [...answers, JSON.stringify(audit), JSON.stringify((await admin.get('/outbox?limit=200')).body)];
    for (const s of secrets) for (const t of texts) assert.ok(!t.includes(s), `a secret leaked: ${s}`);
  });
});

describe('outgoing HTTP without an allow-list', () => {
  const srv2 = new TestServer({ label: 'notify-ssrf', demo: false, users: [{ login: 'A9902', name: '无白名单管理员', role: 'admin' }] });
  before(async () => srv2.start(), { timeout: 120000 });
  after(async () => srv2.stop());

  srv2.it('a robot on 127.0.0.1 or localhost is refused, and so is the decimal form of loopback', async () => {
    const admin = new Client(srv2);
    await signInFresh(srv2, admin, 'A9902');
    for (const url of ['http://127.0.0.1:9/robot/send?access_token=x', 'http://localhost:9/robot/send', 'http://2130706433/x', 'http://[::1]:9/x', 'http://10.1.2.3/x']) {
      const r = await admin.post('/notify/robots', { name: 'x', kind: 'dingtalk', url, secret: 'SECx' });
      expectError(r, 422, 'validation_failed', { fields: ['url'] });
      assert.equal(r.body.error.fields.url, '该地址指向内网或保留地址，不允许访问', url);
    }
  });
});
