// API keys with scopes (issue 20): each scope opens exactly the routes it
// lists and no other (every route of the served OpenAPI document is tried
// with every scope's key), read scopes see their branch's records only and
// masked; the per-key rate limit answers 429 with Retry-After; an expired
// key is unknown. Idempotency-Key on POST, for a signed-in user and for a
// key: a repeat replays the first answer, another request under the same
// key is refused (422), concurrent duplicates run once.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { show, advanceClock } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { signInAll, resignIn, maskPhone, branchesByCode, createCustomer, Uniq } from './lib/customers.mjs';

describe('API key scopes, rate limits and idempotency keys', () => {
  const srv = useServer({
    label: 'apikeys',
    users: [
      { login: 'A9701', name: '密钥管理员', role: 'admin', branch: 'GD' },
      { login: 'M9701', name: '密钥经理', role: 'manager', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  const uniq = new Uniq(97);
  let admin, mgr, branches, scopes, gzCustomer, szCustomer, gzPhone, vip;
  const keys = {};

  const call = async (secret, method, path, { body, headers = {}, lang } = {}) => {
    const h = { Authorization: `Bearer ${secret}`, Accept: 'application/json', ...headers };
    if (lang) h['Accept-Language'] = lang;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(`${srv.baseUrl}/api/v1${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: json, text, method, path };
  };

  async function makeKey(body) {
    const r = await admin.post('/api-keys', body);
    assert.equal(r.status, 201, show(r));
    return { ...r.body.api_key, secret: r.body.secret };
  }

  test('set-up: a customer in Guangzhou and one in Shenzhen; the scopes as the server lists them', async () => {
    ({ A9701: admin, M9701: mgr } = await signInAll(srv, ['A9701', 'M9701']));
    branches = await branchesByCode(admin);
    gzPhone = uniq.phone();
    gzCustomer = await createCustomer(admin, { name: '广州对接客户', phone: gzPhone, branch_id: branches['GD-GZ-01'].id });
    const e = await admin.post('/enterprises', { name: '广州对接贸易有限公司', status: 'active', branch_id: branches['GD-GZ-01'].id });
    assert.equal(e.status, 201, show(e));
    vip = e.body.enterprise;
    szCustomer = await createCustomer(admin, { name: '深圳对接客户', phone: uniq.phone(), branch_id: branches['GD-SZ-01'].id });
    const r = await admin.get('/api-keys/scopes');
    assert.equal(r.status, 200, show(r));
    scopes = r.body.items;
    assert.deepEqual(scopes.map((s) => s.name), ['customers.read', 'enterprises.read', 'statements.read', 'waybills.write', 'tickets.write']);
    expectError(await mgr.get('/api-keys/scopes'), 403, 'forbidden');
    for (const s of scopes) {
      keys[s.name] = await makeKey({
        name: `对接-${s.name}`,
        scopes: [s.name],
        branch_id: s.needs_branch ? branches['GD-GZ-01'].id : undefined,
        enterprise_id: s.name === 'tickets.write' ? vip.id : undefined,
        rate_per_minute: 100000,
      });
    }
  });

  test('a read scope needs a branch; bad limits are refused in the caller\'s language', async () => {
    expectError(await admin.post('/api-keys', { name: '无机构', scopes: ['customers.read'] }), 422, 'validation_failed', { fields: ['branch_id'] });
    expectError(await admin.post('/api-keys', { name: '无机构', scopes: ['customers.read'] }, { lang: 'en' }), 422, 'validation_failed', { lang: 'en', fields: ['branch_id'] });
    expectError(await admin.post('/api-keys', { name: '太快', scopes: ['waybills.write'], rate_per_minute: 0 }), 422, 'validation_failed', { fields: ['rate_per_minute'] });
    expectError(await admin.post('/api-keys', { name: '太久', scopes: ['waybills.write'], expires_in_days: 99999 }), 422, 'validation_failed', { fields: ['expires_in_days'] });
    expectError(await admin.post('/api-keys', { name: '未知', scopes: ['customers.delete'] }), 422, 'validation_failed', { fields: ['scopes'] });
  });

  test('each scope opens exactly its routes: every other route of the API answers 403 to its key', async () => {
    const doc = await (await fetch(`${srv.baseUrl}/api/v1/openapi.json`)).json();
    const routes = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        if (op['x-permission'] === 'public') continue;
        routes.push({ method: m.toUpperCase(), path: p });
      }
    }
    assert.ok(routes.length > 100, `${routes.length} routes`);
    for (const s of scopes) {
      const open = new Set(s.routes);
      const opened = [];
      for (const { method, path } of routes) {
        const id = `${method} /api/v1${path}`;
        const concrete = path.replace(/\{[^}]+\}/g, String(gzCustomer.id));
        const r = await call(keys[s.name].secret, method, concrete, method === 'GET' ? {} : { body: {} });
        if (open.has(id)) {
          assert.ok(r.status !== 401 && r.status !== 403, `${s.name} should open ${id}: ${show(r)}`);
          opened.push(id);
        } else {
          assert.equal(r.status, 403, `${s.name} must not open ${id}: ${show(r)}`);
        }
      }
      assert.deepEqual(opened.sort(), [...open].sort(), `${s.name} opened every route it lists`);
    }
  });

  test('customers.read sees its branch\'s customers, masked, and not another branch\'s', async () => {
    const k = keys['customers.read'].secret;
    const one = await call(k, 'GET', `/customers/${gzCustomer.id}`);
    assert.equal(one.status, 200, show(one));
    assert.equal(one.body.customer.name, '广州对接客户');
    assert.ok(!one.text.includes(gzPhone), 'no clear phone number');
    assert.equal(one.body.customer.phone, maskPhone(gzPhone), 'the phone number is masked');
    expectError(await call(k, 'GET', `/customers/${szCustomer.id}`), 404, 'not_found');
    const list = await call(k, 'GET', '/customers?limit=200');
    assert.equal(list.status, 200, show(list));
    const ids = list.body.items.map((c) => c.id);
    assert.ok(ids.includes(gzCustomer.id) && !ids.includes(szCustomer.id), JSON.stringify(ids));
  });

  test('the rate limit: the fourth request of a minute gets 429 with Retry-After, the next minute passes; last use is shown', async () => {
    const k = await makeKey({ name: '限速对接', scopes: ['customers.read'], branch_id: branches['GD-GZ-01'].id, rate_per_minute: 3 });
    await advanceClock(srv, 60 - (Math.floor(Date.parse(await advanceClock(srv, 0)) / 1000) % 60)); // start of a minute
    for (let i = 0; i < 3; i++) assert.equal((await call(k.secret, 'GET', '/customers?limit=1')).status, 200);
    const over = await call(k.secret, 'GET', '/customers?limit=1');
    expectError(over, 429, 'rate_limited');
    const wait = Number(over.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${over.headers.get('retry-after')}`);
    expectError(await call(k.secret, 'GET', '/customers?limit=1', { lang: 'en' }), 429, 'rate_limited', { lang: 'en' });
    await advanceClock(srv, wait);
    assert.equal((await call(k.secret, 'GET', '/customers?limit=1')).status, 200);
    const row = (await admin.get('/api-keys')).body.items.find((x) => x.id === k.id);
    assert.equal(row.rate_per_minute, 3);
    assert.ok(row.last_used_at, 'last use shown');
  });

  test('an expired key is unknown (401); the list shows when it expires', async () => {
    const k = await makeKey({ name: '临时对接', scopes: ['customers.read'], branch_id: branches['GD-GZ-01'].id, expires_in_days: 1 });
    assert.ok(k.expires_at);
    assert.equal((await call(k.secret, 'GET', '/customers?limit=1')).status, 200);
    await advanceClock(srv, 86400 + 1);
    expectError(await call(k.secret, 'GET', '/customers?limit=1'), 401, 'unauthorized');
    await signInAgain();
  });

  async function signInAgain() {
    await resignIn(srv, admin, 'A9701');
    await resignIn(srv, mgr, 'M9701');
  }

  const customerCount = (phone) => Number(srv.queryDb(`SELECT COUNT(*) FROM customers WHERE name = '${phone}'`)[0][0]);

  test('Idempotency-Key (signed-in user): a repeat replays the first answer and creates nothing more', async () => {
    const name = `幂等客户${uniq.phone()}`;
    const body = { name, phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id };
    const key = `create-${body.phone}`;
    const first = await admin.post('/customers', body, { headers: { 'Idempotency-Key': key } });
    assert.equal(first.status, 201, show(first));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await admin.post('/customers', body, { headers: { 'Idempotency-Key': key } });
    assert.equal(again.status, 201, show(again));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(customerCount(name), 1);
    // Another request under the same key: refused, nothing made.
    const other = await admin.post('/customers', { ...body, name: `${name}乙` }, { headers: { 'Idempotency-Key': key } });
    expectError(other, 422, 'idempotency_conflict');
    expectError(await admin.post('/customers', { ...body, name: `${name}乙` }, { headers: { 'Idempotency-Key': key }, lang: 'en' }), 422, 'idempotency_conflict', { lang: 'en' });
    assert.equal(customerCount(`${name}乙`), 0);
    // Keys are per caller: the manager's same key is a request of its own.
    const mine = await mgr.post('/customers', { ...body, name: `${name}丙`, phone: uniq.phone() }, { headers: { 'Idempotency-Key': key } });
    assert.equal(mine.status, 201, show(mine));
    assert.equal(mine.headers.get('idempotent-replayed'), null);
    expectError(await admin.post('/customers', body, { headers: { 'Idempotency-Key': 'has space' } }), 400, 'bad_request');
  });

  test('Idempotency-Key: concurrent duplicates run once; the others are told to retry or get the same answer', async () => {
    const name = `并发客户${uniq.phone()}`;
    const body = { name, phone: uniq.phone(), branch_id: branches['GD-GZ-01'].id };
    const answers = await Promise.all(Array.from({ length: 6 }, () => admin.post('/customers', body, { headers: { 'Idempotency-Key': `race-${body.phone}` } })));
    assert.equal(customerCount(name), 1, 'one customer made');
    const made = answers.filter((r) => r.status === 201);
    assert.ok(made.length >= 1, answers.map(show).join('\n'));
    assert.equal(new Set(made.map((r) => r.body.customer.id)).size, 1, 'every 201 names the same customer');
    for (const r of answers.filter((x) => x.status !== 201)) {
      expectError(r, 409, 'idempotency_in_progress');
      assert.equal(r.headers.get('retry-after'), '1');
    }
  });

  test('Idempotency-Key (API key, NDJSON feed): the repeat is replayed; after 24 hours the key is free again', async () => {
    const k = keys['waybills.write'].secret;
    const lines = [{ waybill_no: 'EA12345678CN' }];
    const send = (key) => fetch(`${srv.baseUrl}/api/v1/waybills:batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${k}`, 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': key },
      body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    }).then(async (res) => ({ status: res.status, headers: res.headers, text: await res.text() }));
    const first = await send('feed-1');
    const again = await send('feed-1');
    assert.equal(again.status, first.status, again.text);
    assert.equal(again.text, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    await advanceClock(srv, 86400 + 1);
    const later = await send('feed-1');
    assert.equal(later.headers.get('idempotent-replayed'), null, 'kept 24 hours only');
  });
});
