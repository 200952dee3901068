// Signing in and out, the forced password change, CSRF protection and
// session revocation (disable, password change, admin reset).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, goodPassword } from './lib/server.mjs';
import { Client, signInFresh, clientFor, parseSetCookie, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;

describe('auth', () => {
  const srv = useServer({
    label: 'auth',
    users: [
      { login: 'A9101', name: '认证管理员', role: 'admin', branch: 'GD' },
      { login: 'A9102', name: '强制改密管理员', role: 'admin', branch: 'GD' },
      { login: 'C9101', name: '柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9102', name: '柜员乙', role: 'clerk', branch: 'GD-GZ-02' },
      { login: 'M9101', name: '客户经理甲', role: 'manager', branch: 'GD-SZ-01' },
    ],
  });
  const test = srv.it;
  let admin; // Client signed in as A9101 with the password changed

  async function findUser(login) {
    const r = await admin.get(`/users?q=${encodeURIComponent(login)}`);
    assert.equal(r.status, 200, show(r));
    const u = r.body.items.find((x) => x.login === login);
    assert.ok(u, `user ${login} in GET /users?q=${login}: ${show(r)}`);
    return u;
  }

  test('login succeeds with an HttpOnly, SameSite=Strict hy_session cookie and the user', async () => {
    const c = new Client(srv);
    const r = await c.login('A9101', srv.users.A9101.password);
    assert.equal(r.status, 200, show(r));
    const setCookies = c.lastSetCookies;
    // Finish the forced change first so later tests have an admin even if a check below fails.
    const newPassword = goodPassword();
    const ch = await c.post('/auth/password', { old_password: srv.users.A9101.password, new_password: newPassword });
    assert.equal(ch.status, 200, show(ch));
    srv.users.A9101.password = newPassword;
    admin = c;

    const line = setCookies.find((l) => /^hy_session=/.test(l));
    assert.ok(line, `Set-Cookie hy_session missing: ${JSON.stringify(setCookies)}`);
    const ck = parseSetCookie(line);
    assert.ok(ck.value.length >= 16, `session token too short: ${line}`);
    assert.equal(ck.attrs.httponly, true, `HttpOnly missing: ${line}`);
    assert.equal(String(ck.attrs.samesite).toLowerCase(), 'strict', `SameSite=Strict missing: ${line}`);
    assert.equal(ck.attrs.path, '/', `Path=/ missing: ${line}`);
    assert.equal(typeof r.body.csrf_token, 'string');
    assert.ok(r.body.csrf_token.length >= 16, 'csrf_token too short');
    assert.notEqual(r.body.csrf_token, ck.value, 'csrf token must differ from the session token');
    assert.equal(r.body.must_change_password, true, 'a CLI-created user must change the password');
    const u = r.body.user;
    assert.equal(u.login, 'A9101');
    assert.equal(u.name, '认证管理员');
    assert.equal(u.role, 'admin');
    assert.equal(u.status, 'active');
    assert.equal(u.must_change_password, true);
    assert.equal(typeof u.id, 'number');
    assert.equal(typeof u.version, 'number');
    assert.match(String(u.created_at), ISO);
    for (const k of Object.keys(u)) {
      assert.ok(!/password|salt|hash/i.test(k.replace('must_change_password', '')), `user object exposes ${k}`);
    }
    assert.ok(!r.text.includes('$argon2'), 'login response leaks a password hash');
  });

  test('wrong password and unknown login both answer 401 invalid_credentials with the same message', async () => {
    for (const lang of [undefined, 'en']) {
      const c = new Client(srv, { lang });
      const wrong = await c.login('A9101', 'Wrong-password-123');
      const unknown = await c.login('NOSUCHUSER', 'Wrong-password-123');
      const l = lang === 'en' ? 'en' : 'zh';
      const e1 = expectError(wrong, 401, 'invalid_credentials', { lang: l });
      const e2 = expectError(unknown, 401, 'invalid_credentials', { lang: l });
      assert.equal(e1.message, e2.message, 'wrong password and unknown login must look the same');
      assert.equal(c.cookies.has('hy_session'), false, 'failed login must not set a session cookie');
    }
    // The right password still works (two failures do not lock the account).
    await new Client(srv).signIn('A9101', srv.users.A9101.password);
  });

  test('GET /auth/me returns the user, the CSRF token and the permissions', async () => {
    const r = await admin.get('/auth/me');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.user.login, 'A9101');
    assert.equal(r.body.must_change_password, false);
    assert.equal(typeof r.body.csrf_token, 'string');
    assert.ok(Array.isArray(r.body.permissions), show(r));
    assert.ok(r.body.permissions.includes('admin'), `admin permissions: ${r.body.permissions}`);
    assert.ok(r.body.permissions.includes('reports.read'), `admin permissions: ${r.body.permissions}`);
  });

  test('PATCH /auth/me changes the UI language; an unsupported language is rejected', async () => {
    let r = await admin.patch('/auth/me', { lang: 'en' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.user.lang, 'en');
    r = await admin.get('/auth/me');
    assert.equal(r.body.user.lang, 'en', 'language preference is stored');
    expectError(await admin.patch('/auth/me', { lang: 'fr' }), 422, 'validation_failed', { fields: ['lang'] });
    r = await admin.patch('/auth/me', { lang: 'zh-CN' });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.user.lang, 'zh-CN');
  });

  test('forced change: every endpoint but /auth/me answers 403 password_change_required until a good password is set', async () => {
    const login = 'A9102';
    const old = srv.users[login].password;
    const c = new Client(srv);
    const r = await c.signIn(login, old);
    assert.equal(r.body.must_change_password, true, show(r));
    assert.equal(r.body.user.must_change_password, true, show(r));

    expectError(await c.get('/users'), 403, 'password_change_required');
    expectError(await c.get('/dictionaries/business_type'), 403, 'password_change_required');
    expectError(await c.get('/branches'), 403, 'password_change_required');
    expectError(await c.get('/audit-log'), 403, 'password_change_required');
    expectError(await c.get('/users', { lang: 'en' }), 403, 'password_change_required', { lang: 'en' });

    const me = await c.get('/auth/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.must_change_password, true);
    assert.equal(me.body.user.login, login);

    const weak = {
      'too short': 'ab12cd34',
      'no digits': 'abcdefghijklmn',
      'no letters': '12345678901234',
      'containing the login': `xy${login}abc123`,
      'a common password (password123456)': 'password123456',
      'a common password (qwerty123456)': 'qwerty123456',
      'the same as the old one': old,
    };
    for (const [why, pw] of Object.entries(weak)) {
      const w = await c.post('/auth/password', { old_password: old, new_password: pw });
      assert.equal(w.status, 422, `new password ${why} (${pw}) must be rejected: ${show(w)}`);
      expectError(w, 422, 'validation_failed', { fields: ['new_password'] });
    }
    // English field message.
    expectError(
      await c.post('/auth/password', { old_password: old, new_password: 'short1' }, { lang: 'en' }),
      422,
      'validation_failed',
      { lang: 'en', fields: ['new_password'] },
    );
    // Wrong old password.
    expectError(
      await c.post('/auth/password', { old_password: 'Not-the-old-one-42', new_password: goodPassword() }),
      422,
      'validation_failed',
      { fields: ['old_password'] },
    );
    // Still blocked after all the rejected attempts.
    expectError(await c.get('/users'), 403, 'password_change_required');

    const good = goodPassword();
    const ok = await c.post('/auth/password', { old_password: old, new_password: good });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.must_change_password, false);
    assert.equal(ok.body.user.must_change_password, false);
    assert.equal(typeof ok.body.csrf_token, 'string');
    srv.users[login].password = good;

    const users = await c.get('/users');
    assert.equal(users.status, 200, show(users));
    const dict = await c.get('/dictionaries/business_type');
    assert.equal(dict.status, 200, show(dict));
    const patch = await c.patch('/auth/me', { lang: 'zh-CN' });
    assert.equal(patch.status, 200, show(patch));

    // The new password signs in without a forced change; the old one no longer works.
    const again = await new Client(srv).signIn(login, good);
    assert.equal(again.body.must_change_password, false);
    expectError(await new Client(srv).login(login, old), 401, 'invalid_credentials');
  });

  test('logout works during the forced change too, clears the cookie and ends the session', async () => {
    const c = new Client(srv);
    await c.signIn('M9101', srv.users.M9101.password); // still must change
    const token = c.cookies.get('hy_session');
    const r = await c.post('/auth/logout', {});
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body, { ok: true });
    const line = c.lastSetCookies.find((l) => /^hy_session=/.test(l));
    assert.ok(line, 'logout must send a Set-Cookie clearing hy_session');
    const ck = parseSetCookie(line);
    const cleared =
      ck.value === '' || Number(ck.attrs['max-age']) <= 0 || Date.parse(ck.attrs.expires || '') < Date.now();
    assert.ok(cleared, `logout cookie not cleared: ${line}`);
    expectError(await c.get('/auth/me'), 401, 'unauthorized');
    // Replaying the old cookie: the session was deleted on the server.
    const replay = new Client(srv);
    replay.cookies.set('hy_session', token);
    expectError(await replay.get('/auth/me'), 401, 'unauthorized');
  });

  test('CSRF: a state change with the cookie but without X-CSRF-Token → 403 csrf_failed, nothing changes', async () => {
    // Creating a user.
    const body = { login: 'X9101', name: '跨站测试', role: 'clerk', branch_id: (await findUser('C9101')).branch_id };
    expectError(await admin.post('/users', body, { csrf: false }), 403, 'csrf_failed');
    expectError(await admin.post('/users', body, { csrf: 'forged-token-0123456789abcdef' }), 403, 'csrf_failed');
    expectError(await admin.post('/users', body, { csrf: false, lang: 'en' }), 403, 'csrf_failed', { lang: 'en' });
    let list = await admin.get('/users?q=X9101');
    assert.equal(list.status, 200, show(list));
    assert.equal(list.body.total, 0, `user was created despite the missing CSRF token: ${show(list)}`);

    // Changing the language.
    expectError(await admin.patch('/auth/me', { lang: 'en' }, { csrf: false }), 403, 'csrf_failed');
    let me = await admin.get('/auth/me');
    assert.equal(me.body.user.lang, 'zh-CN', 'language changed despite the missing CSRF token');

    // Logging out.
    expectError(await admin.post('/auth/logout', {}, { csrf: false }), 403, 'csrf_failed');
    me = await admin.get('/auth/me');
    assert.equal(me.status, 200, `session ended despite the missing CSRF token: ${show(me)}`);

    // With the token the same request goes through.
    const ok = await admin.post('/users', body);
    assert.equal(ok.status, 201, show(ok));
    list = await admin.get('/users?q=X9101');
    assert.equal(list.body.total, 1, show(list));
  });

  test('disabling a user ends all their sessions; enabling lets them sign in again', async () => {
    const a = new Client(srv);
    await signInFresh(srv, a, 'C9101');
    const b = await clientFor(srv, 'C9101');
    assert.equal((await a.get('/auth/me')).status, 200);
    assert.equal((await b.get('/auth/me')).status, 200);

    const u = await findUser('C9101');
    const d = await admin.post(`/users/${u.id}/disable`, {});
    assert.equal(d.status, 200, show(d));
    assert.equal(d.body.user.status, 'disabled');

    expectError(await a.get('/auth/me'), 401, 'unauthorized');
    expectError(await b.get('/auth/me'), 401, 'unauthorized');
    expectError(await b.get('/dictionaries/business_type'), 401, 'unauthorized');
    // A disabled account cannot sign in, and does not say why.
    expectError(await new Client(srv).login('C9101', srv.users.C9101.password), 401, 'invalid_credentials');

    const e = await admin.post(`/users/${u.id}/enable`, {});
    assert.equal(e.status, 200, show(e));
    assert.equal(e.body.user.status, 'active');
    const again = await new Client(srv).signIn('C9101', srv.users.C9101.password);
    assert.equal(again.body.must_change_password, false);
  });

  test('changing the password on one client signs out the others; the current session stays', async () => {
    const a = await clientFor(srv, 'C9101');
    const b = await clientFor(srv, 'C9101');
    const old = srv.users.C9101.password;
    const pw = goodPassword();
    const r = await a.post('/auth/password', { old_password: old, new_password: pw });
    assert.equal(r.status, 200, show(r));
    srv.users.C9101.password = pw;

    expectError(await b.get('/auth/me'), 401, 'unauthorized');
    const me = await a.get('/auth/me');
    assert.equal(me.status, 200, `the session that changed the password must stay valid: ${show(me)}`);
    // …and can still change state with its (possibly renewed) CSRF token.
    const p = await a.patch('/auth/me', { lang: 'zh-CN' });
    assert.equal(p.status, 200, show(p));
    const dict = await a.get('/dictionaries/business_type');
    assert.equal(dict.status, 200, show(dict));

    expectError(await new Client(srv).login('C9101', old), 401, 'invalid_credentials');
    await new Client(srv).signIn('C9101', pw);
  });

  test('an admin password reset ends the user\'s sessions and forces a change with the new initial password', async () => {
    const m = new Client(srv);
    await signInFresh(srv, m, 'M9101');
    assert.equal((await m.get('/dictionaries/business_type')).status, 200);
    const old = srv.users.M9101.password;

    const u = await findUser('M9101');
    const r = await admin.post(`/users/${u.id}/reset-password`, {});
    assert.equal(r.status, 200, show(r));
    const initial = r.body.initial_password;
    assert.equal(typeof initial, 'string');
    assert.ok(initial.length >= 10, `initial password too short: ${initial}`);

    expectError(await m.get('/auth/me'), 401, 'unauthorized');
    expectError(await new Client(srv).login('M9101', old), 401, 'invalid_credentials');

    const c = new Client(srv);
    const li = await c.signIn('M9101', initial);
    assert.equal(li.body.must_change_password, true, show(li));
    expectError(await c.get('/dictionaries/business_type'), 403, 'password_change_required');
    await signInFresh(srv, new Client(srv), 'M9101', initial);
  });
});
