// Sessions across two servers on one PostgreSQL database (issue 21): a
// sign-out, a disabled account and a role change on one server take effect
// at the next request on the other, with nothing stale kept in a process.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServerPair, PG_DIR } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';

// The same session on the other server.
function twin(srv, c) {
  const t = new Client(srv);
  t.cookies = c.cookies;
  t.csrf = c.csrf;
  return t;
}

describe('PostgreSQL: sessions on two servers', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (scripts/with-pg.sh); one SQLite process has no second server' }, () => {
  const [a, b] = useServerPair(
    {
      users: [
        { login: 'A9701', name: '会话管理员', role: 'admin', branch: 'GD', phone: '13900009701' },
        { login: 'C9701', name: '会话柜员甲', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009702' },
        { login: 'C9702', name: '会话柜员乙', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009703' },
        { login: 'C9703', name: '会话柜员丙', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009704' },
      ],
    },
    ['sess-a', 'sess-b'],
  );
  const test = a.it;
  let admin;
  const userId = async (login) => (await admin.get('/users?q=' + login)).body.items.find((u) => u.login === login).id;

  test('a sign-out on one server: the next request on the other is 401', async () => {
    admin = new Client(a);
    await signInFresh(a, admin, 'A9701');
    const onA = new Client(a);
    await signInFresh(a, onA, 'C9701');
    const onB = twin(b, onA);
    assert.equal((await onB.get('/auth/me')).status, 200);
    const out = await onA.post('/auth/logout', {});
    assert.equal(out.status, 200, show(out));
    const r = await onB.get('/auth/me');
    assert.equal(r.status, 401, show(r));
  });

  test('an account disabled on one server: its session on the other is 401 at once', async () => {
    const onA = new Client(a);
    await signInFresh(a, onA, 'C9702');
    const onB = twin(b, onA);
    assert.equal((await onB.get('/customers?limit=1')).status, 200);
    const d = await admin.post(`/users/${await userId('C9702')}/disable`, {});
    assert.equal(d.status, 200, show(d));
    const r = await onB.get('/customers?limit=1');
    assert.equal(r.status, 401, show(r));
  });

  test('a role changed on one server: the other server grants the new role at the next request', async () => {
    const onA = new Client(a);
    await signInFresh(a, onA, 'C9703');
    const onB = twin(b, onA);
    assert.equal((await onB.get('/users')).status, 403, 'a clerk lists no accounts');
    const id = await userId('C9703');
    const cur = await admin.get(`/users/${id}`);
    const p = await admin.patch(`/users/${id}`, { role: 'admin', version: cur.body.user.version });
    assert.equal(p.status, 200, show(p));
    const r = await onB.get('/users');
    assert.equal(r.status, 200, show(r));
  });
});
