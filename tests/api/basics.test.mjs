// Basics: health, routing errors, malformed / oversized bodies, the error
// body shape and its language, the OpenAPI document, graceful shutdown.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useServer, TestServer, TIME_SCALE } from './lib/server.mjs';
import { Client, signInFresh, rawRequest, show } from './lib/client.mjs';
import { expectError, isChinese, isEnglish } from './lib/expect.mjs';

describe('basics', () => {
  const srv = useServer({
    label: 'basics',
    users: [{ login: 'A9001', name: '基础管理员', role: 'admin', branch: 'GD' }],
  });
  const test = srv.it;
  let admin;

  test('health answers {"status":"ok"} without signing in', async () => {
    const anon = new Client(srv);
    const r = await anon.get('/health');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { status: 'ok' });
    assert.match(r.headers.get('content-type') || '', /application\/json/);
  });

  test('a request that needs a session answers 401 unauthorized when not signed in', async () => {
    const anon = new Client(srv);
    expectError(await anon.get('/auth/me'), 401, 'unauthorized');
    expectError(await anon.get('/users'), 401, 'unauthorized');
    expectError(await anon.get('/dictionaries/business_type'), 401, 'unauthorized');
  });

  test('an admin can sign in (set-up for the signed-in checks below)', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9001');
  });

  test('unknown route → 404 not_found with the error shape', async () => {
    expectError(await admin.get('/no-such-thing'), 404, 'not_found');
    expectError(await admin.get('/users/999999'), 404, 'not_found');
    expectError(await admin.get('/no-such-thing', { lang: 'en' }), 404, 'not_found', { lang: 'en' });
  });

  test('wrong method on a known path → 405 method_not_allowed with an Allow header', async () => {
    const anon = new Client(srv);
    let r = await anon.delete('/health');
    expectError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /\bGET\b/, `Allow header for /health: ${r.headers.get('allow')}`);

    r = await anon.get('/auth/login');
    expectError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /\bPOST\b/, `Allow header for /auth/login: ${r.headers.get('allow')}`);

    r = await admin.put('/users', {});
    expectError(r, 405, 'method_not_allowed');
    const allow = r.headers.get('allow') || '';
    assert.match(allow, /\bGET\b/, `Allow for /users: ${allow}`);
    assert.match(allow, /\bPOST\b/, `Allow for /users: ${allow}`);
  });

  test('malformed JSON → 400 bad_request (Chinese by default, English with Accept-Language: en)', async () => {
    const anon = new Client(srv);
    expectError(await anon.post('/auth/login', undefined, { raw: '{"login": "A9001", "password":' }), 400, 'bad_request');
    expectError(
      await anon.post('/auth/login', undefined, { raw: '{"login": "A9001"', lang: 'en' }),
      400,
      'bad_request',
      { lang: 'en' },
    );
    // Valid JSON that is not an object is also a bad request.
    expectError(await anon.post('/auth/login', undefined, { raw: '["A9001","x"]' }), 400, 'bad_request');
    // Signed in, with a CSRF token: still 400, and nothing changed.
    expectError(await admin.patch('/auth/me', undefined, { raw: '{lang: en}' }), 400, 'bad_request');
    const me = await admin.get('/auth/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.user.lang, 'zh-CN', 'language must be unchanged after a malformed PATCH');
  });

  test('a JSON body over 1 MiB → 413 payload_too_large, and the server keeps serving', async () => {
    const big = JSON.stringify({ login: 'A9001', password: 'x'.repeat(1024 * 1024 + 16) });
    let r = await rawRequest(srv, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big) },
      body: big,
    });
    expectError(r, 413, 'payload_too_large');

    r = await rawRequest(srv, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big), 'Accept-Language': 'en' },
      body: big,
    });
    expectError(r, 413, 'payload_too_large', { lang: 'en' });

    // Chunked upload (no Content-Length): the limit still applies.
    r = await rawRequest(srv, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: big,
    });
    expectError(r, 413, 'payload_too_large');

    // A body just under the limit is read and answered normally, not refused as too large.
    const anon = new Client(srv);
    const ok = JSON.stringify({ login: 'nobody-here', password: 'y'.repeat(1000 * 1000) });
    assert.ok(Buffer.byteLength(ok) < 1024 * 1024);
    const under = await anon.post('/auth/login', undefined, { raw: ok });
    // read and validated: a password over 1024 bytes is refused before any lookup
    expectError(under, 422, 'validation_failed', { fields: ['password'] });

    const h = await anon.get('/health');
    assert.equal(h.status, 200, show(h));
  });

  test('error messages are Chinese by default and English with Accept-Language: en', async () => {
    // No Accept-Language header at all.
    let r = await rawRequest(srv, { path: '/auth/me' });
    const zh = expectError(r, 401, 'unauthorized');
    // fetch's default "Accept-Language: *".
    const star = expectError(await new Client(srv).get('/auth/me'), 401, 'unauthorized');
    assert.equal(star.message, zh.message);
    const zhcn = expectError(await new Client(srv, { lang: 'zh-CN' }).get('/auth/me'), 401, 'unauthorized');
    assert.equal(zhcn.message, zh.message);
    const en = expectError(await new Client(srv, { lang: 'en' }).get('/auth/me'), 401, 'unauthorized', { lang: 'en' });
    assert.notEqual(en.message, zh.message);
    assert.ok(isChinese(zh.message) && isEnglish(en.message));
  });

  test('a browser-style Accept-Language "en-US,en;q=0.9" also gets English', async () => {
    const c = new Client(srv, { lang: 'en-US,en;q=0.9' });
    expectError(await c.get('/auth/me'), 401, 'unauthorized', { lang: 'en' });
    expectError(await c.post('/auth/login', { login: 'nobody', password: 'wrong-password-1' }), 401, 'invalid_credentials', {
      lang: 'en',
    });
  });

  test('validation errors carry "fields" in the request language', async () => {
    const c = new Client(srv, { lang: 'en' });
    await c.signIn('A9001', srv.users.A9001.password);
    const r = await c.post('/users', { login: 'Z9999', name: 'Bad Role', role: 'wizard', branch_id: 1 });
    expectError(r, 422, 'validation_failed', { lang: 'en', fields: ['role'] });
    const r2 = await admin.post('/users', { login: 'Z9999', name: 'Bad Role', role: 'wizard', branch_id: 1 });
    expectError(r2, 422, 'validation_failed', { fields: ['role'] });
  });

  test('GET /openapi.json serves an OpenAPI 3.1 document (issue 20)', async () => {
    const r = await new Client(srv).get('/openapi.json');
    assert.equal(r.status, 200, show(r));
    assert.match(String(r.body && r.body.openapi), /^3\.1\./, 'openapi version');
    assert.ok(r.body.paths && Object.keys(r.body.paths).some((k) => k.endsWith('/auth/login')), 'documents /auth/login');
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM → the process exits with code 0 within a few seconds and stops listening', async () => {
    const s = new TestServer({ label: 'shutdown', demo: false });
    await s.start();
    try {
      // Leave a keep-alive connection open in fetch's pool, like a browser would.
      const c = new Client(s);
      const r = await c.get('/health');
      assert.equal(r.status, 200);
      const res = await s.terminate(5000 * TIME_SCALE);
      if (res.timedOut || res.code !== 0) s.printStderr();
      assert.equal(res.timedOut, false, 'did not exit within 5 s of SIGTERM');
      assert.equal(res.code, 0, `exit code (signal ${res.signal})`);
      const refused = await new Promise((resolve) => {
        const sock = net.connect(s.port, '127.0.0.1');
        sock.on('connect', () => {
          sock.destroy();
          resolve(false);
        });
        sock.on('error', () => resolve(true));
      });
      assert.ok(refused, 'port still accepts connections after exit');
    } finally {
      await s.terminate();
      s.cleanup();
    }
  });
});
