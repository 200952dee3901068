// Audit log: sign-in failures and successes, password changes and user
// administration are recorded, newest first, filterable by action.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, goodPassword } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { expectError } from './lib/expect.mjs';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;

describe('audit log', () => {
  const srv = useServer({
    label: 'audit',
    users: [
      { login: 'A9501', name: '审计管理员', role: 'admin', branch: 'GD' },
      { login: 'C9501', name: '审计柜员', role: 'clerk', branch: 'GD-GZ-01' },
    ],
  });
  const test = srv.it;
  let admin;
  let adminId;
  let clerkId;
  let createdId;
  const WRONG = 'Wrong-audit-pw-31337';

  test('set-up: failed login, login, password change, user creation', async () => {
    admin = new Client(srv);
    await signInFresh(srv, admin, 'A9501');
    adminId = (await admin.get('/auth/me')).body.user.id;

    const c = new Client(srv);
    expectError(await c.login('C9501', WRONG), 401, 'invalid_credentials');
    const li = await c.signIn('C9501', srv.users.C9501.password);
    clerkId = li.body.user.id;
    const pw = goodPassword();
    const ch = await c.post('/auth/password', { old_password: srv.users.C9501.password, new_password: pw });
    assert.equal(ch.status, 200, show(ch));
    srv.users.C9501.password = pw;

    const r = await admin.post('/users', {
      login: 'C9502',
      name: '审计新建',
      role: 'clerk',
      branch_id: li.body.user.branch_id,
    });
    assert.equal(r.status, 201, show(r));
    createdId = r.body.user.id;
  });

  test('GET /audit-log lists the actions newest first, with who, what and from where', async () => {
    const r = await admin.get('/audit-log?limit=100');
    assert.equal(r.status, 200, show(r));
    const items = r.body.items;
    assert.ok(Array.isArray(items), show(r));
    assert.equal(typeof r.body.total, 'number');
    assert.ok(r.body.total >= items.length);

    for (const it of items) {
      for (const k of ['id', 'at', 'user_id', 'login', 'action', 'object_type', 'object_id', 'ip', 'request_id', 'detail']) {
        assert.ok(k in it, `audit item lacks ${k}: ${JSON.stringify(it)}`);
      }
    }
    const time = (at) => (typeof at === 'number' ? at * 1000 : Date.parse(at));
    for (let i = 1; i < items.length; i++) {
      assert.ok(time(items[i - 1].at) >= time(items[i].at), `not newest first at ${i}: ${items[i - 1].at} < ${items[i].at}`);
      assert.ok(items[i - 1].id > items[i].id, `ids not descending at ${i}`);
    }

    const isClerk = (it) => it.login === 'C9501' || it.user_id === clerkId;
    const idx = (pred, what) => {
      const i = items.findIndex(pred);
      assert.ok(i >= 0, `${what} not in the audit log: ${JSON.stringify(items.map((x) => [x.action, x.login]))}`);
      return i;
    };
    const iCreate = idx((it) => it.action === 'user.create' && String(it.object_id) === String(createdId), 'user.create');
    const iChange = idx((it) => it.action === 'auth.password_change' && isClerk(it), 'auth.password_change');
    const iLogin = idx((it) => it.action === 'auth.login' && isClerk(it), 'auth.login');
    const iFailed = idx((it) => it.action === 'auth.login_failed' && it.login === 'C9501', 'auth.login_failed');
    assert.ok(iCreate < iChange && iChange < iLogin && iLogin < iFailed,
      `order (newest first) create ${iCreate} < change ${iChange} < login ${iLogin} < failed ${iFailed}`);

    const failed = items[iFailed];
    assert.equal(failed.ip, '127.0.0.1', `ip of the failed login: ${JSON.stringify(failed)}`);
    assert.ok(!JSON.stringify(failed).includes(WRONG), 'the audit log must not record the attempted password');
    assert.equal(items[iLogin].ip, '127.0.0.1');

    const create = items[iCreate];
    assert.equal(create.user_id, adminId, 'user.create is attributed to the admin');
    assert.equal(create.login, 'A9501');
    assert.ok(!JSON.stringify(items).includes(srv.users.C9501.password), 'a password is in the audit log');
  });

  test('audit timestamps are ISO 8601 with offset', async () => {
    const r = await admin.get('/audit-log?limit=5');
    assert.equal(r.status, 200, show(r));
    assert.ok(r.body.items.length > 0);
    for (const it of r.body.items) assert.match(String(it.at), ISO, `audit "at": ${JSON.stringify(it.at)}`);
  });

  test('?action=user.create returns only user.create entries', async () => {
    const r = await admin.get('/audit-log?action=user.create');
    assert.equal(r.status, 200, show(r));
    assert.ok(r.body.items.length >= 1, show(r));
    for (const it of r.body.items) assert.equal(it.action, 'user.create', JSON.stringify(it));
    assert.ok(r.body.items.some((it) => String(it.object_id) === String(createdId)), 'the created user is there');
    assert.equal(r.body.total, r.body.items.length, 'total counts the filtered entries');

    const f = await admin.get('/audit-log?action=auth.login_failed');
    assert.equal(f.status, 200, show(f));
    assert.ok(f.body.items.length >= 1);
    for (const it of f.body.items) assert.equal(it.action, 'auth.login_failed');

    const u = await admin.get(`/audit-log?user_id=${adminId}`);
    assert.equal(u.status, 200, show(u));
    assert.ok(u.body.items.length >= 1);
    for (const it of u.body.items) assert.equal(it.user_id, adminId, JSON.stringify(it));
  });

  test('the audit log pages with a cursor without duplicates', async () => {
    const all = await admin.get('/audit-log?limit=200');
    const ids = [];
    let cursor = null;
    let pages = 0;
    do {
      const r = await admin.get(`/audit-log?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, show(r));
      assert.ok(r.body.items.length <= 2);
      ids.push(...r.body.items.map((x) => x.id));
      cursor = r.body.next_cursor;
      assert.ok(++pages <= 200, 'paging does not end');
    } while (cursor);
    assert.equal(new Set(ids).size, ids.length, 'duplicate entries across pages');
    // Reading the log may itself be audited; every entry of the first full read must have been seen.
    for (const it of all.body.items) assert.ok(ids.includes(it.id), `entry ${it.id} missed while paging`);
  });
});
