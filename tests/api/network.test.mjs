// What a hostile network can do to the server, and what it must not
// achieve: slow clients that trickle headers to hold connections, a body
// announced larger than the cap, a URL with an encoded NUL, and an
// X-Forwarded-For header from anyone but the configured proxy.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useServer, TIME_SCALE } from './lib/server.mjs';
import { Client, signInFresh, show, rawRequest } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';

const HEADER_SECONDS = 2;
const PER_IP = 20;

/** Resolve when cond() is true, polling; fail after ms. */
async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Send raw bytes on a fresh connection; resolve with everything the server
 * answered once it closes the connection. */
function rawExchange(port, bytes, ms = 10000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('the server kept the connection open'));
    }, ms);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.write(bytes);
  });
}

describe('network abuse', () => {
  const srv = useServer({
    label: 'network',
    users: [{ login: 'A9101', name: '网络管理员', role: 'admin', branch: 'GD' }],
    env: {
      HONGYAN_HEADER_TIMEOUT: String(HEADER_SECONDS),
      HONGYAN_MAX_CONN_PER_IP: String(PER_IP),
      HONGYAN_TRUSTED_PROXIES: '127.0.0.1',
    },
  });
  const test = srv.it;
  let admin;

  test('a URL with an encoded NUL is refused with 400, not read as a shorter path', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9101');
    expectError(await admin.get('/customers/%00'), 400, 'bad_request');
    expectError(await admin.get('/customers%00'), 400, 'bad_request');
    // The same path without the NUL still answers.
    const r = await admin.get('/customers?limit=1');
    assert.equal(r.status, 200, show(r));
  });

  test('a body announced over the cap is refused with 413 before it is sent, and the connection closes', async () => {
    const port = new URL(srv.baseUrl).port;
    const answer = await rawExchange(
      port,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000000000000\r\n\r\n{"login":',
      5000 * TIME_SCALE,
    );
    assert.match(answer, /^HTTP\/1\.1 413 /, answer);
    assert.match(answer, /payload_too_large/, answer);
  });

  test('clients that trickle headers are cut off at the deadline, one address holds at most its share, and others are served meanwhile', async () => {
    const port = Number(new URL(srv.baseUrl).port);
    const n = PER_IP * 2;
    const socks = [];
    let closed = 0;
    for (let i = 0; i < n; i++) {
      // From another loopback address than the clients below.
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      s.on('error', () => {});
      s.on('close', () => closed++);
      s.on('connect', () => s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'));
      socks.push(s);
    }
    // Each one sends a header line every 200 ms, well inside the idle
    // timeout, and never ends its headers.
    const trickle = setInterval(() => {
      for (const s of socks) if (!s.destroyed && s.writable) s.write(`X-Slow-${Date.now()}: 1\r\n`);
    }, 200);
    try {
      // Past the per-address cap the server closes the connection at once.
      await waitFor(() => closed >= n - PER_IP, 5000 * TIME_SCALE, 'the connections past the per-address cap to close');
      // Meanwhile another client is served (on a connection of its own:
      // an idle kept-alive one is ended at the same deadline, by design).
      const h = await rawRequest(srv, { path: '/health' });
      assert.equal(h.status, 200, show(h));
      // And every trickling connection is ended, though it never went idle.
      await waitFor(() => closed === n, (HEADER_SECONDS + 8) * 1000 * TIME_SCALE, 'every trickling connection to be ended');
    } finally {
      clearInterval(trickle);
      for (const s of socks) s.destroy();
    }
    const h = await rawRequest(srv, { path: '/health' });
    assert.equal(h.status, 200, show(h));
  });

  test("X-Forwarded-For names the client only when it comes from a trusted proxy, and only its right-most entry", async () => {
    // The test server is reached from 127.0.0.1, the configured proxy: the
    // audit row of this sign-in carries the address the proxy appended, not
    // the one the client made up at the left.
    const anon = new Client(srv);
    const r = await anon.post('/auth/login', { login: 'nobody-here', password: 'wrong-password-1' }, {
      headers: { 'X-Forwarded-For': '6.6.6.6, 203.0.113.9' },
    });
    assert.equal(r.status, 401, show(r));
    const log = await admin.get('/audit-log?action=auth.login_failed');
    assert.equal(log.status, 200, show(log));
    const row = log.body.items.find((it) => it.login === 'nobody-here');
    assert.ok(row, show(log));
    assert.equal(row.ip, '203.0.113.9');
  });
});

describe('network abuse: no trusted proxy configured', () => {
  const srv = useServer({
    label: 'network-noproxy',
    users: [{ login: 'A9102', name: '网络管理员二', role: 'admin', branch: 'GD' }],
  });
  const test = srv.it;

  test('X-Forwarded-For is ignored: the audit row has the socket address', async () => {
    const admin = new Client(srv);
    const r = await admin.post('/auth/login', { login: 'nobody-there', password: 'wrong-password-1' }, {
      headers: { 'X-Forwarded-For': '203.0.113.9' },
    });
    assert.equal(r.status, 401, show(r));
    await signInFresh(srv, admin, 'A9102');
    const log = await admin.get('/audit-log?action=auth.login_failed');
    const row = log.body.items.find((it) => it.login === 'nobody-there');
    assert.ok(row, show(log));
    assert.equal(row.ip, '127.0.0.1');
  });
});
