// Account lockout after 5 wrong passwords, lifted after 15 minutes of
// (test) clock time. Own server, because it moves the server's clock.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './lib/server.mjs';
import { Client, advanceClock, show, signInFresh } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';

describe('lockout', () => {
  const srv = useServer({
    label: 'lockout',
    users: [
      { login: 'C9201', name: '锁定柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9202', name: '旁观柜员', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9203', name: '并发柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;

  test('5 wrong passwords lock the account for 15 minutes, even for the right password', async () => {
    const c = new Client(srv);
    for (let i = 1; i <= 5; i++) {
      expectError(await c.login('C9201', `Wrong-pass-${i}0000`), 401, 'invalid_credentials');
    }
    let e = expectError(await c.login('C9201', srv.users.C9201.password), 429, 'account_locked');
    assert.match(e.message, /15/, `the message should say 15 minutes: ${e.message}`);
    assert.equal(c.cookies.has('hy_session'), false, 'a locked account must not get a session');

    e = expectError(
      await new Client(srv, { lang: 'en' }).login('C9201', srv.users.C9201.password),
      429,
      'account_locked',
      { lang: 'en' },
    );
    assert.match(e.message, /15 min/i, `the English message should say 15 minutes: ${e.message}`);
    // A wrong password while locked is also answered with the lock.
    expectError(await c.login('C9201', 'Wrong-pass-60000'), 429, 'account_locked');
  });

  test('60 wrong passwords at once get exactly 5 tries: five 401s, then the lock, even for the right password', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => new Client(srv).login('C9203', `Wrong-pass-${i}9999`)),
    );
    const byStatus = {};
    for (const r of answers) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
    assert.deepEqual(byStatus, { 401: 5, 429: 55 });
    expectError(await new Client(srv).login('C9203', srv.users.C9203.password), 429, 'account_locked');
  });

  test('the lock is per login: another user signs in normally', async () => {
    const r = await new Client(srv).login('C9202', srv.users.C9202.password);
    assert.equal(r.status, 200, show(r));
  });

  test('after 10 minutes the account is still locked', async () => {
    await advanceClock(srv, 600);
    expectError(await new Client(srv).login('C9201', srv.users.C9201.password), 429, 'account_locked');
  });

  test('15 minutes (+1 s) after the fifth failure the right password works again', async () => {
    await advanceClock(srv, 301); // 600 + 301 = 901 s
    const c = new Client(srv);
    const r = await c.login('C9201', srv.users.C9201.password);
    assert.equal(r.status, 200, `still locked after 15 min: ${show(r)}`);
    assert.ok(c.cookies.has('hy_session'));
    // The failure count starts over: one wrong password is a plain 401.
    expectError(await new Client(srv).login('C9201', 'Wrong-pass-70000'), 401, 'invalid_credentials');
  });

  test('the test clock endpoint reports the moved time', async () => {
    const before = Date.parse(await advanceClock(srv, 1));
    const after = Date.parse(await advanceClock(srv, 3600));
    assert.ok(Number.isFinite(before) && Number.isFinite(after), 'now must be an ISO timestamp');
    const diff = (after - before) / 1000;
    assert.ok(diff >= 3600 && diff < 3660, `clock moved by ${diff} s, expected ~3600`);
  });
});

// Issue 14: an admin ends a lockout (audited), an admin's password reset
// ends it too, and the user list shows who is locked and until when.
describe('lockout: the admin side', () => {
  const srv = useServer({
    label: 'unlock',
    users: [
      { login: 'A9211', name: '解锁管理员', role: 'admin', branch: 'GD' },
      { login: 'C9211', name: '被锁柜员甲', role: 'clerk', branch: 'GD-GZ-01' },
      { login: 'C9212', name: '被锁柜员乙', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin;
  const ids = {};

  async function lock(login) {
    const c = new Client(srv);
    for (let i = 1; i <= 5; i++) expectError(await c.login(login, `Wrong-pass-${i}1111`), 401, 'invalid_credentials');
    expectError(await c.login(login, srv.users[login].password), 429, 'account_locked');
  }

  test('the list shows a locked account with its end, and filters the locked', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9211');
    for (const [login, id] of srv.queryDb("SELECT login, id FROM users WHERE login IN ('C9211', 'C9212')")) ids[login] = Number(id);
    await lock('C9211');
    await lock('C9212');
    const r = await admin.get('/users?locked=1');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.items.map((x) => x.login).sort(), ['C9211', 'C9212']);
    const until = r.body.items[0].locked_until;
    assert.match(until, /\+08:00$/);
    const left = (Date.parse(until) - Date.parse(await advanceClock(srv, 0))) / 1000;
    assert.ok(left > 800 && left <= 900, `locked for ${left} s more`);
    const all = await admin.get('/users?limit=200');
    assert.equal(all.body.items.find((x) => x.login === 'A9211').locked_until, null);
  });

  test('an admin unlocks an account: it signs in at once, and the unlock is audited', async () => {
    const r = await admin.post(`/users/${ids.C9211}/unlock`, {});
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.user.locked_until, null);
    const c = new Client(srv);
    assert.equal((await c.login('C9211', srv.users.C9211.password)).status, 200);
    const audit = await admin.get('/audit-log?action=user.unlock');
    assert.equal(audit.body.items.filter((x) => x.object_id === String(ids.C9211)).length, 1);
    expectError(await admin.post('/users/987654/unlock', {}), 404, 'not_found');
  });

  test("an admin's password reset unlocks: the new initial password signs in", async () => {
    const r = await admin.post(`/users/${ids.C9212}/reset-password`, {});
    assert.equal(r.status, 200, show(r));
    const c = new Client(srv);
    assert.equal((await c.login('C9212', r.body.initial_password)).status, 200);
    assert.deepEqual((await admin.get('/users?locked=1')).body.items, []);
  });
});
