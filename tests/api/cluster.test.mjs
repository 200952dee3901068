// Several servers over one PostgreSQL database (runs under make test-api-pg;
// skipped on SQLite). Two processes share sessions and data; one of them
// runs the scheduler. Writes go to both under load; the scheduler's process
// is killed with SIGKILL. Every acknowledged write must be there, and the
// survivor must take the scheduler over and deliver the outbox.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServerPair, PG_DIR } from './lib/server.mjs';
import { Client, signInFresh, show } from './lib/client.mjs';
import { waitFor as waitUntil } from './lib/wait.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LEADER = 'this process now runs the scheduled work';
const FOLLOWER = 'another process runs the scheduled work';

describe('two servers over one PostgreSQL database', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (make test-api-pg)' }, () => {
  const [a, b] = useServerPair(
    {
      users: [
        { login: 'A9501', name: '集群管理员', role: 'admin', branch: 'GD', phone: '13900009501' },
        { login: 'C9501', name: '集群柜员', role: 'clerk', branch: 'GD-GZ-01', phone: '13900009502' },
      ],
    },
    ['cluster-a', 'cluster-b'],
  );
  const test = a.it;
  let adminA, adminB, clerkA, clerkB;

  const waitFor = (cond, ms, what) => waitUntil(cond, { timeoutMs: ms, what });

  test('exactly one of the two runs the scheduler', async () => {
    // Each scheduler logs which it is as soon as it has tried the leader lock.
    const decided = (s) => s.stderrText().includes(LEADER) || s.stderrText().includes(FOLLOWER);
    await waitFor(() => decided(a) && decided(b), 10000, 'both schedulers to try the leader lock');
    const leaders = [a, b].filter((s) => s.stderrText().includes(LEADER));
    assert.equal(leaders.length, 1, 'one leader, not two');
  });

  test('a session made on one server works on the other', async () => {
    adminA = new Client(a);
    await signInFresh(a, adminA, 'A9501');
    clerkA = new Client(a);
    await signInFresh(a, clerkA, 'C9501');
    // Same cookies, other server.
    adminB = new Client(b);
    adminB.cookies = adminA.cookies;
    adminB.csrf = adminA.csrf;
    clerkB = new Client(b);
    clerkB.cookies = clerkA.cookies;
    clerkB.csrf = clerkA.csrf;
    const me = await clerkB.get('/auth/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.user.login, 'C9501');
  });

  test('writes to both under load, SIGKILL of the scheduler: nothing acknowledged is lost, the survivor takes over', async (t) => {
    const leader = a.stderrText().includes(LEADER) ? a : b;
    const survivor = leader === a ? b : a;
    const acked = []; // {id, name}
    const failed = { count: 0 };
    let stop = false;
    let n = 0;
    async function writer(client) {
      while (!stop) {
        const i = n++;
        const name = `集群客户${i}`;
        const phone = `135${String(10000000 + i).slice(-8)}`;
        try {
          const r = await client.post('/customers', { name, phone });
          if (r.status === 201) acked.push({ id: r.body.customer.id, name });
          else failed.count++;
        } catch {
          failed.count++; // connection refused / reset: not acknowledged
          await sleep(20);
        }
      }
    }
    const clients = [clerkA, clerkB, clerkA, clerkB, clerkA, clerkB];
    const writers = clients.map((c) => writer(c));
    await waitFor(() => acked.length > 50, 30000, 'some writes acknowledged before the kill');
    const beforeKill = acked.length;
    const killed = await leader.kill9();
    assert.equal(killed.signal, 'SIGKILL');
    await waitFor(() => acked.length > beforeKill + 50, 30000, 'the survivor to acknowledge writes after the kill');
    stop = true;
    await Promise.all(writers);
    t.diagnostic(`acknowledged ${acked.length} writes (${beforeKill} before the kill), ${failed.count} not`);
    assert.ok(beforeKill > 20, `writes before the kill: ${beforeKill}`);
    assert.ok(acked.length > beforeKill, 'the survivor kept acknowledging writes');

    // Every acknowledged write is there, read through the survivor.
    const admin = survivor === a ? adminA : adminB;
    for (const { id, name } of acked) {
      const r = await admin.get(`/customers/${id}`);
      assert.equal(r.status, 200, `acknowledged customer ${id} (${name}) missing: ${show(r)}`);
      assert.equal(r.body.customer.name, name);
    }
    const list = await admin.get('/customers?limit=1&q=' + encodeURIComponent('集群客户'));
    assert.ok(list.body.total >= acked.length, `total ${list.body.total} < acknowledged ${acked.length}`);

    // The survivor now runs the scheduler: an outbox message is delivered
    // (to the dev mailbox) by it.
    await waitFor(() => survivor.stderrText().includes(LEADER), 10000, 'the survivor to take the scheduler over');
    const anon = new Client(survivor);
    const r = await anon.post('/auth/forgot', { login: 'C9501', channel: 'sms' });
    assert.equal(r.status, 200, show(r));
    await waitFor(async () => {
      const box = await admin.get('/dev-mailbox?limit=20');
      return box.status === 200 && box.body.items.some((m) => String(m.recipient).includes('13900009502'));
    }, 10000, 'the reset code in the dev mailbox');
  });
});
