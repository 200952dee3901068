// Outgoing webhooks (issue 20, docs/webhooks.md): a subscription's events
// reach a local receiver signed with HMAC-SHA256 over "timestamp.body"
// (recomputed here), once per event; a 500 is retried after the backoff;
// every attempt is logged and a delivery can be replayed; a redirect is
// not followed. The SSRF guard refuses every internal address when no
// allow-list names it, and the allow-list (HONGYAN_OUTBOUND_ALLOW) is what
// lets the local receiver through.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { useServer, PG_DIR } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';
import { rotateAndRestart } from './lib/rotate.mjs';
import { signInAll, resignIn, branchesByCode, createCustomer, Uniq } from './lib/customers.mjs';

// A receiver on 127.0.0.1 that keeps every request (raw body, headers) and
// answers from a queue of statuses per path (200 once the queue is empty).
class Receiver {
  constructor() {
    this.requests = [];
    this.plan = {};
  }
  async start() {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ path: req.url, method: req.method, headers: req.headers, raw });
        const queue = this.plan[req.url] || [];
        const answer = queue.length ? queue.shift() : { status: 200 };
        res.writeHead(answer.status, answer.headers || { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
    return this;
  }
  url(p) {
    return `http://127.0.0.1:${this.port}${p}`;
  }
  at(p) {
    return this.requests.filter((q) => q.path === p);
  }
  async stop() {
    await new Promise((r) => this.server.close(r));
  }
}

// The rule engine queues its own rows; a test stands in for it by writing
// one straight into the database.
function writeDb(srv, sql) {
  const r = PG_DIR
    ? spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', srv.pgName, '-qAt', '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', [srv.dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${sql}: ${r.stderr}`);
}

const sign = (secret, ts, raw) => 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');

describe('webhooks delivered to an allow-listed receiver', () => {
  const srv = useServer({
    label: 'webhooks',
    env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32' },
    users: [
      { login: 'A9801', name: '接口管理员', role: 'admin', branch: 'GD' },
      { login: 'M9801', name: '接口经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const uniq = new Uniq(98);
  let admin, mgr, branches, rx, thief;

  before(async () => {
    rx = await new Receiver().start();
    thief = await new Receiver().start();
  });
  after(async () => {
    await rx.stop();
    await thief.stop();
  });

  async function subscribe(body) {
    const r = await admin.post('/webhooks', body);
    assert.equal(r.status, 201, show(r));
    return r.body;
  }
  async function deliveries(hook) {
    const r = await admin.get(`/webhooks/${hook.id}/deliveries`);
    assert.equal(r.status, 200, show(r));
    return r.body.items;
  }
  const newCustomer = () => createCustomer(admin, { name: '钩子客户', phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id });

  let hook, secret, ticketHook, customer;

  test('set-up: an admin, a manager and two subscriptions', async () => {
    ({ A9801: admin, M9801: mgr } = await signInAll(srv, ['A9801', 'M9801']));
    branches = await branchesByCode(admin);
    ({ webhook: hook, secret } = await subscribe({ url: rx.url('/hook'), events: ['customer.*'], description: 'ERP 客户同步' }));
    ({ webhook: ticketHook } = await subscribe({ url: rx.url('/tickets'), events: ['ticket.*'] }));
  });

  test('the secret is shown once: whsec_…, never in the list, sealed in the database', async () => {
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(hook.events, ['customer.*']);
    assert.equal(hook.enabled, true);
    assert.equal(hook.secret_set, true);
    const list = await admin.get('/webhooks');
    assert.equal(list.status, 200, show(list));
    assert.ok(list.body.items.some((h) => h.id === hook.id && h.description === 'ERP 客户同步'));
    assert.ok(!list.text.includes(secret), 'the list never shows the secret');
    const stored = srv.queryDb(`SELECT secret_sealed FROM webhook_subscriptions WHERE id = ${hook.id}`)[0][0];
    assert.ok(!stored.includes(secret), 'sealed at rest');
  });

  test('only an admin manages subscriptions', async () => {
    expectError(await mgr.get('/webhooks'), 403, 'forbidden');
    expectError(await mgr.post('/webhooks', { url: rx.url('/x'), events: ['*'] }), 403, 'forbidden');
  });

  test('bad event patterns are refused in the caller\'s language and nothing is saved', async () => {
    const before = (await admin.get('/webhooks')).body.items.length;
    for (const events of [[], ['Customer.Created'], ['customer.'], 'customer.*', [42]]) {
      expectError(await admin.post('/webhooks', { url: rx.url('/bad'), events }), 422, 'validation_failed', { fields: ['events'] });
    }
    expectError(await admin.post('/webhooks', { url: rx.url('/bad'), events: ['x..*'] }, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['events'] });
    assert.equal((await admin.get('/webhooks')).body.items.length, before);
  });

  test('a new customer reaches the receiver once, signed over timestamp.body, with the event headers', async () => {
    customer = await newCustomer();
    const got = await waitFor(() => rx.at('/hook').find((q) => JSON.parse(q.raw).data.object_id === customer.id), { what: 'the customer.created delivery' });
    assert.equal(got.method, 'POST');
    assert.match(got.headers['content-type'], /^application\/json/);
    assert.equal(got.headers['x-hongyan-event'], 'customer.created');
    const ts = Number(got.headers['x-hongyan-timestamp']);
    assert.ok(Math.abs(Date.now() / 1000 - ts) < 300, `timestamp ${ts} is now`);
    assert.equal(got.headers['x-hongyan-signature'], sign(secret, ts, got.raw));
    assert.notEqual(got.headers['x-hongyan-signature'], sign('whsec_wrong', ts, got.raw));
    const body = JSON.parse(got.raw);
    assert.deepEqual(Object.keys(body).sort(), ['data', 'id', 'occurred_at', 'type']);
    assert.match(body.id, /^evt_\d+$/);
    assert.equal(body.type, 'customer.created');
    assert.match(body.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(body.data.entity, 'customer');
    const list = await waitFor(async () => {
      const d = await deliveries(hook);
      return d.find((x) => x.status === 'sent') && d;
    }, { what: 'the delivery marked sent' });
    const d = list.find((x) => String(x.id) === got.headers['x-hongyan-delivery']);
    assert.ok(d, `delivery ${got.headers['x-hongyan-delivery']} in ${JSON.stringify(list)}`);
    assert.equal(d.type, 'customer.created');
    assert.equal(d.log.length, 1);
    assert.equal(d.log[0].status_code, 200);
    assert.equal(typeof d.log[0].duration_ms, 'number');
    // One row per (subscription, event): the ticket subscription got none.
    assert.equal(rx.at('/hook').filter((q) => JSON.parse(q.raw).id === body.id).length, 1);
    assert.deepEqual(await deliveries(ticketHook), []);
  });

  test('a 500 is logged and retried after the backoff, then delivered; the log shows both attempts', async () => {
    rx.plan['/hook'] = [{ status: 500 }];
    const c = await newCustomer();
    const mine = () => rx.at('/hook').filter((q) => JSON.parse(q.raw).data.object_id === c.id && JSON.parse(q.raw).type === 'customer.created');
    const failing = await waitFor(async () => (await deliveries(hook)).find((x) => x.attempts === 1 && x.status === 'pending' && x.log.length === 1), { what: 'the failed first attempt logged' });
    assert.equal(failing.log[0].status_code, 500);
    assert.match(failing.last_error, /http 500/);
    assert.ok(Date.parse(failing.next_attempt_at) - Date.parse(failing.log[0].at) >= 30000, 'backoff of at least 30 s');
    assert.equal(mine().length, 1, 'no retry before the backoff ran out');
    await advanceClock(srv, 31);
    await waitFor(() => mine().length === 2, { what: 'the retry' });
    const done = await waitFor(async () => (await deliveries(hook)).find((x) => x.id === failing.id && x.status === 'sent'), { what: 'the retry marked sent' });
    assert.deepEqual(done.log.map((a) => [a.attempt, a.status_code]), [[1, 500], [2, 200]]);
    const [first, second] = mine();
    assert.equal(first.raw, second.raw, 'the same body');
    assert.equal(first.headers['x-hongyan-delivery'], second.headers['x-hongyan-delivery']);
  });

  test('replay sends the same event again as a new delivery, and is audited', async () => {
    const original = (await deliveries(hook)).find((x) => x.status === 'sent' && x.type === 'customer.created');
    const before = rx.at('/hook').find((q) => q.headers['x-hongyan-delivery'] === String(original.id));
    const r = await admin.post(`/webhook-deliveries/${original.id}/replay`, {});
    assert.equal(r.status, 202, show(r));
    const again = await waitFor(() => rx.at('/hook').find((q) => q.headers['x-hongyan-delivery'] === String(r.body.outbox_id)), { what: 'the replayed delivery' });
    assert.notEqual(r.body.outbox_id, original.id);
    assert.equal(again.raw, before.raw);
    assert.equal(again.headers['x-hongyan-signature'], sign(secret, Number(again.headers['x-hongyan-timestamp']), again.raw));
    expectError(await admin.post('/webhook-deliveries/999999/replay', {}), 404, 'not_found');
    expectError(await mgr.post(`/webhook-deliveries/${original.id}/replay`, {}), 403, 'forbidden');
  });

  test('a redirect is not followed: the delivery fails with the 302 logged and the target gets nothing', async () => {
    rx.plan['/moved'] = Array(10).fill({ status: 302, headers: { Location: thief.url('/stolen') } });
    const { webhook: moved } = await subscribe({ url: rx.url('/moved'), events: ['customer.created'] });
    await newCustomer();
    const d = await waitFor(async () => (await deliveries(moved)).find((x) => x.log.length >= 1), { what: 'the attempt on the redirecting receiver' });
    assert.equal(d.log[0].status_code, 302);
    assert.match(d.log[0].error, /redirects are not followed/);
    assert.notEqual(d.status, 'sent');
    assert.equal(thief.requests.length, 0);
    const off = await admin.put(`/webhooks/${moved.id}`, { version: moved.version, enabled: false });
    assert.equal(off.status, 200, show(off));
    assert.equal(off.body.webhook.enabled, false);
  });

  test('a disabled or removed subscription gets no new events', async () => {
    const off = (await admin.get('/webhooks')).body.items.find((h) => h.id === ticketHook.id);
    const r = await admin.put(`/webhooks/${off.id}`, { version: off.version, events: ['*'], enabled: false });
    assert.equal(r.status, 200, show(r));
    const del = await admin.delete(`/webhooks/${hook.id}`);
    assert.equal(del.status, 200, show(del));
    // Every subscription is handed an event in the same pass: once the
    // enabled probe has it, the others had their chance.
    const { webhook: probe } = await subscribe({ url: rx.url('/probe'), events: ['customer.created'] });
    const c = await newCustomer();
    await waitFor(() => rx.at('/probe').some((q) => JSON.parse(q.raw).data.object_id === c.id), { what: 'the probe subscription\'s event' });
    assert.equal((await deliveries(probe)).length, 1);
    assert.deepEqual(await deliveries(ticketHook), []);
    assert.equal(rx.at('/hook').filter((q) => JSON.parse(q.raw).data.object_id === c.id).length, 0);
    expectError(await admin.get(`/webhooks/${hook.id}/deliveries`), 404, 'not_found');
  });

  test('rotate-key re-seals the secrets: after it, a delivery is still signed with the secret shown at creation', async () => {
    const { webhook: h, secret: s } = await subscribe({ url: rx.url('/rotated'), events: ['customer.created'] });
    const before = srv.queryDb(`SELECT secret_sealed FROM webhook_subscriptions WHERE id = ${h.id}`)[0][0];
    const rot = await rotateAndRestart(srv, 'webhooks-new.key');
    assert.match(rot.stdout, /[1-9]\d* webhook secrets re-sealed/);
    const after = srv.queryDb(`SELECT secret_sealed FROM webhook_subscriptions WHERE id = ${h.id}`)[0][0];
    assert.notEqual(after.slice(0, 8), before.slice(0, 8), 'sealed under the new key id');
    await resignIn(srv, admin, 'A9801');
    const c = await newCustomer();
    const got = await waitFor(() => rx.at('/rotated').find((q) => JSON.parse(q.raw).data.object_id === c.id), { what: 'a signed delivery after the rotation' });
    assert.equal(got.headers['x-hongyan-signature'], sign(s, Number(got.headers['x-hongyan-timestamp']), got.raw));
  });

  test('a subscription to an internal address other than the allow-listed one is still refused', async () => {
    expectError(await admin.post('/webhooks', { url: 'http://10.0.0.8/hook', events: ['*'] }), 422, 'validation_failed', { fields: ['url'] });
    expectError(await admin.post('/webhooks', { url: 'http://169.254.169.254/latest/meta-data/', events: ['*'] }), 422, 'validation_failed', { fields: ['url'] });
  });
});

describe('webhook SSRF guard without an allow-list', () => {
  const srv = useServer({
    label: 'webhooks-ssrf',
    users: [{ login: 'A9802', name: '安全管理员', role: 'admin', branch: 'GD' }],
  });
  const test = srv.it;
  let admin, rx;
  before(async () => {
    rx = await new Receiver().start();
  });
  after(async () => {
    await rx.stop();
  });

  test('set-up', async () => {
    ({ A9802: admin } = await signInAll(srv, ['A9802']));
  });

  const refused = () => [
    ['loopback 127.0.0.1', `http://127.0.0.1:${rx.port}/hook`],
    ['IPv6 loopback ::1', `http://[::1]:${rx.port}/hook`],
    ['10/8', 'http://10.20.30.40/hook'],
    ['172.16/12', 'http://172.16.5.4/hook'],
    ['172.31 (still 172.16/12)', 'http://172.31.255.1/hook'],
    ['192.168/16', 'http://192.168.1.10/hook'],
    ['cloud metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['a host name resolving to loopback', `http://localhost:${rx.port}/hook`],
    ['IPv4-mapped IPv6 loopback', `http://[::ffff:127.0.0.1]:${rx.port}/hook`],
  ];

  test('every internal address is refused with a clear message, in Chinese and English, and nothing is saved', async () => {
    for (const [what, url] of refused()) {
      const zh = await admin.post('/webhooks', { url, events: ['*'] });
      expectError(zh, 422, 'validation_failed', { fields: ['url'] });
      assert.match(zh.body.error.fields.url, /内网|保留/, `${what}: ${show(zh)}`);
      const en = await admin.post('/webhooks', { url, events: ['*'] }, { lang: 'en' });
      expectError(en, 422, 'validation_failed', { lang: 'en', fields: ['url'] });
    }
    expectError(await admin.post('/webhooks', { url: 'ftp://example.com/x', events: ['*'] }), 422, 'validation_failed', { fields: ['url'] });
    assert.deepEqual((await admin.get('/webhooks')).body.items, []);
    assert.equal(rx.requests.length, 0);
  });

  test('a row queued for an internal URL (the rule engine\'s shape) is refused at delivery and never reaches it', async () => {
    writeDb(srv, `INSERT INTO outbox (channel, recipient, subject, body, next_attempt_at, created_at) VALUES ('webhook', 'http://127.0.0.1:${rx.port}/rule', 'rule.fired', '{"id":"x"}', 0, 0)`);
    await advanceClock(srv, 1);
    const r = await waitFor(async () => {
      const list = await admin.get('/outbox?channel=webhook');
      return list.body.items.find((x) => x.attempts >= 1);
    }, { what: 'the refused attempt' });
    assert.match(r.last_error, /not allowed/);
    assert.equal(rx.requests.length, 0);
  });
});
