// Forgotten password: a 6-digit code through the outbox (read back from the
// dev mailbox), reset, single use, expiry, rate limit, no enumeration.
// Own server, because it moves the server's clock.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, goodPassword } from './lib/server.mjs';
import { Client, signInFresh, advanceClock, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';
import { waitFor } from './lib/wait.mjs';

const PHONE = '13800138301';
const EMAIL = 'c9302.reset@example.com';

describe('forgot / reset password', () => {
  const srv = useServer({
    label: 'reset',
    users: [
      { login: 'A9301', name: '重置管理员', role: 'admin', branch: 'GD' },
      { login: 'C9301', name: '忘记密码柜员', role: 'clerk', branch: 'GD-GZ-01', phone: PHONE },
      { login: 'C9302', name: '邮件柜员', role: 'clerk', branch: 'GD-SZ-01', email: EMAIL },
    ],
  });
  const test = srv.it;
  let admin;
  const seen = new Set(); // dev-mailbox message ids already looked at

  async function mailbox() {
    const r = await admin.get('/dev-mailbox?limit=50');
    assert.equal(r.status, 200, show(r));
    assert.ok(Array.isArray(r.body.items), show(r));
    return r.body.items;
  }

  async function markSeen() {
    for (const m of await mailbox()) seen.add(m.id);
  }

  /** Wait for a new message to `recipient`; returns {message, code}. */
  async function waitForCode(recipient, channel) {
    // newest first: the first unseen message to the recipient is the latest
    const m = await waitFor(async () => (await mailbox()).find((x) => !seen.has(x.id) && String(x.recipient).includes(recipient)), {
      what: `a new message to ${recipient} in the dev mailbox`,
    });
    seen.add(m.id);
    assert.equal(m.channel, channel, `channel of ${JSON.stringify(m)}`);
    const code = String(m.body).match(/(?<!\d)\d{6}(?!\d)/);
    assert.ok(code, `no 6-digit code in the message body: ${JSON.stringify(m)}`);
    return { message: m, code: code[0] };
  }

  /**
   * Wait until the scheduler has delivered every queued message. A request
   * queues its messages in its own transaction, so once its answer is in and
   * the outbox is drained, the mailbox holds everything it will ever send.
   */
  async function outboxDrained() {
    await waitFor(() => srv.queryDb("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")[0][0] === '0', {
      what: 'the outbox to be delivered',
    });
  }

  function otherCode(code) {
    return String((Number(code) + 1) % 1000000).padStart(6, '0');
  }

  let code1;
  let sessionBeforeReset;
  let resetPassword;

  test('set-up: an admin who can read the dev mailbox', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9301');
    // Newest first.
    const items = await mailbox();
    for (let i = 1; i < items.length; i++) {
      assert.ok(items[i - 1].created_at >= items[i].created_at, 'dev mailbox must list newest first');
    }
    await markSeen();
  });

  test('POST /auth/forgot sends a 6-digit code by SMS; a second request within 60 s → 429 rate_limited', async () => {
    sessionBeforeReset = new Client(srv);
    await sessionBeforeReset.signIn('C9301', srv.users.C9301.password);

    const anon = new Client(srv);
    const r = await anon.post('/auth/forgot', { login: 'C9301', channel: 'sms' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.sent, true, show(r));
    assert.equal(typeof r.body.message, 'string', show(r));

    expectError(await anon.post('/auth/forgot', { login: 'C9301', channel: 'sms' }), 429, 'rate_limited');
    expectError(
      await new Client(srv, { lang: 'en' }).post('/auth/forgot', { login: 'C9301', channel: 'sms' }),
      429,
      'rate_limited',
      { lang: 'en' },
    );

    const { message, code } = await waitForCode(PHONE, 'sms');
    code1 = code;
    assert.ok(!String(message.body).includes(srv.users.C9301.password), 'the message must not contain the password');
    // Only one code was sent despite the repeated requests.
    await outboxDrained();
    const extra = (await mailbox()).filter((m) => !seen.has(m.id) && String(m.recipient).includes(PHONE));
    assert.equal(extra.length, 0, `rate-limited requests still sent messages: ${JSON.stringify(extra)}`);
  });

  test('a wrong code → 422 with fields.code', async () => {
    const anon = new Client(srv);
    const r = await anon.post('/auth/reset', { login: 'C9301', code: otherCode(code1), new_password: goodPassword() });
    expectError(r, 422, 'validation_failed', { fields: ['code'] });
    // The old password is untouched.
    const li = await new Client(srv).login('C9301', srv.users.C9301.password);
    assert.equal(li.status, 200, show(li));
  });

  test('the right code with a good password resets it: new password works, old fails, sessions end', async () => {
    const anon = new Client(srv);
    const old = srv.users.C9301.password;
    resetPassword = goodPassword('Rst');
    const r = await anon.post('/auth/reset', { login: 'C9301', code: code1, new_password: resetPassword });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { ok: true });
    srv.users.C9301.password = resetPassword;

    expectError(await sessionBeforeReset.get('/auth/me'), 401, 'unauthorized');
    expectError(await new Client(srv).login('C9301', old), 401, 'invalid_credentials');
    const c = new Client(srv);
    const li = await c.signIn('C9301', resetPassword);
    assert.equal(li.body.must_change_password, false, `after a reset no forced change: ${show(li)}`);
    const d = await c.get('/dictionaries/business_type');
    assert.equal(d.status, 200, show(d));
  });

  test('the same code cannot be used twice', async () => {
    const r = await new Client(srv).post('/auth/reset', { login: 'C9301', code: code1, new_password: goodPassword() });
    expectError(r, 422, 'validation_failed', { fields: ['code'] });
    await new Client(srv).signIn('C9301', resetPassword);
  });

  test('a weak new password → 422 fields.new_password; a code older than 10 minutes → 422 fields.code', async () => {
    await advanceClock(srv, 61); // past the 60 s rate limit
    const anon = new Client(srv);
    const r = await anon.post('/auth/forgot', { login: 'C9301', channel: 'sms' });
    assert.equal(r.status, 200, show(r));
    const { code } = await waitForCode(PHONE, 'sms');

    expectError(
      await anon.post('/auth/reset', { login: 'C9301', code, new_password: 'qwerty123456' }),
      422,
      'validation_failed',
      { fields: ['new_password'] },
    );
    expectError(
      await anon.post('/auth/reset', { login: 'C9301', code, new_password: 'short1' }, { lang: 'en' }),
      422,
      'validation_failed',
      { lang: 'en', fields: ['new_password'] },
    );

    await advanceClock(srv, 11 * 60);
    expectError(
      await anon.post('/auth/reset', { login: 'C9301', code, new_password: goodPassword() }),
      422,
      'validation_failed',
      { fields: ['code'] },
    );
    await new Client(srv).signIn('C9301', resetPassword);
  });

  test('forgot for an unknown login answers 200 like a known one, and sends nothing', async () => {
    const anon = new Client(srv);
    const known = await anon.post('/auth/forgot', { login: 'C9301', channel: 'sms' }); // clock moved > 60 s
    const unknown = await anon.post('/auth/forgot', { login: 'NOSUCH9', channel: 'sms' });
    assert.equal(known.status, 200, show(known));
    assert.equal(unknown.status, 200, show(unknown));
    assert.deepEqual(Object.keys(unknown.body).sort(), Object.keys(known.body).sort());
    assert.equal(unknown.body.sent, true);
    assert.equal(unknown.body.message, known.body.message, 'the message must not reveal whether the login exists');
    await waitForCode(PHONE, 'sms');
    await outboxDrained();
    const extra = (await mailbox()).filter((m) => !seen.has(m.id));
    assert.equal(extra.length, 0, `messages sent for an unknown login: ${JSON.stringify(extra)}`);
  });

  test('a code by e-mail works the same way', async () => {
    const anon = new Client(srv);
    const r = await anon.post('/auth/forgot', { login: 'C9302', channel: 'email' });
    assert.equal(r.status, 200, show(r));
    const { code } = await waitForCode(EMAIL, 'email');
    const pw = goodPassword('Mail');
    const ok = await anon.post('/auth/reset', { login: 'C9302', code, new_password: pw });
    assert.equal(ok.status, 200, show(ok));
    srv.users.C9302.password = pw;
    await new Client(srv).signIn('C9302', pw);
  });

  test('after 5 wrong codes the code is void', async () => {
    await advanceClock(srv, 61);
    const anon = new Client(srv);
    const r = await anon.post('/auth/forgot', { login: 'C9302', channel: 'email' });
    assert.equal(r.status, 200, show(r));
    const { code } = await waitForCode(EMAIL, 'email');
    for (let i = 0; i < 5; i++) {
      const wrong = String((Number(code) + 1 + i) % 1000000).padStart(6, '0');
      expectError(
        await anon.post('/auth/reset', { login: 'C9302', code: wrong, new_password: goodPassword() }),
        422,
        'validation_failed',
        { fields: ['code'] },
      );
    }
    expectError(
      await anon.post('/auth/reset', { login: 'C9302', code, new_password: goodPassword() }),
      422,
      'validation_failed',
      { fields: ['code'] },
    );
    await new Client(srv).signIn('C9302', srv.users.C9302.password);
  });
});
