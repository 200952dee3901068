// Durability: acknowledged writes survive a crash (kill -9 under four
// writers, on SQLite and on PostgreSQL), and a backup taken under write
// load restores with every write acknowledged before it began (SQLite).

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, HONGYAN_BIN, PG_DIR, REPO_ROOT, TIME_SCALE } from './lib/server.mjs';
import { show } from './lib/client.mjs';
import { signInAll, branchesByCode } from './lib/customers.mjs';

const WRITERS = ['C9811', 'C9812', 'C9813', 'C9814'];

async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Four writers creating customers until stopped; acked holds the ids the
 * server answered 201 for. */
function startWriters(clients, branchId, tag, series) {
  const state = { stop: false, acked: [], errors: 0 };
  let n = 0;
  const one = async (c, w) => {
    while (!state.stop) {
      const k = n++;
      const phone = `13${series}${String(w)}${String(k).padStart(7, '0')}`;
      try {
        const r = await c.post('/customers', { name: `${tag}${k}`, phone, branch_id: branchId });
        if (r.status === 201) state.acked.push({ id: r.body.customer.id, name: `${tag}${k}` });
        else state.errors++;
      } catch {
        state.errors++; // the server is gone: nothing was acknowledged
        if (state.stop) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  state.done = Promise.all(clients.map((c, i) => one(c, i)));
  return state;
}

function sqlite(dbPath, sql) {
  const r = spawnSync('sqlite3', [dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function hongyan(args) {
  return new Promise((resolve) => {
    const p = spawn(HONGYAN_BIN, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('durability', () => {
  const srv = useServer({
    label: 'durable',
    users: [
      { login: 'A9811', name: '持久管理员', role: 'admin', branch: 'GD' },
      ...WRITERS.map((login, i) => ({ login, name: `写入柜员${i}`, role: 'clerk', branch: 'GD-GZ-01' })),
    ],
  });
  const test = srv.it;
  let clients, admin, branchId;

  test('set-up: four clerks and an admin sign in', async () => {
    const c = await signInAll(srv, ['A9811', ...WRITERS]);
    admin = c.A9811;
    clients = WRITERS.map((l) => c[l]);
    branchId = (await branchesByCode(admin))['GD-GZ-01'].id;
  });

  test('kill -9 under four writers: every acknowledged write is there after the restart', async () => {
    const w = startWriters(clients, branchId, '崩溃', 7);
    await waitFor(() => w.acked.length >= 120, 60000 * TIME_SCALE, '120 acknowledged writes');
    const killed = await srv.kill9();
    assert.equal(killed.signal, 'SIGKILL');
    const acked = [...w.acked];
    w.stop = true;
    await w.done;
    srv.stopping = false;
    srv.killed = false;
    srv.exited = null;
    await srv.launch();
    // Sessions live in the database: the same clients go on.
    const missing = [];
    for (const a of acked) {
      const r = await admin.get(`/customers/${a.id}`);
      if (r.status !== 200) missing.push(`${a.id}: ${r.status}`);
      else if (r.body.customer.name !== a.name) missing.push(`${a.id}: ${r.body.customer.name}`);
    }
    assert.deepEqual(missing, [], `acknowledged before the kill but gone after it (${acked.length} acknowledged)`);
    if (!PG_DIR) assert.equal(sqlite(srv.dbPath, 'PRAGMA integrity_check'), 'ok');
  });

  test('a backup taken under write load restores with every write acknowledged before it began', { skip: PG_DIR ? 'SQLite backup; PostgreSQL uses pg_dump' : false }, async () => {
    const w = startWriters(clients, branchId, '备份', 8);
    await waitFor(() => w.acked.length >= 40, 60000 * TIME_SCALE, '40 acknowledged writes');
    const before = [...w.acked];
    const file = path.join(srv.dir, 'backup.db');
    const b = await hongyan(['backup', '--db', srv.dbUrl, '--to', file]);
    const during = w.acked.length;
    await waitFor(() => w.acked.length >= during + 20, 60000 * TIME_SCALE, 'writes after the backup');
    w.stop = true;
    await w.done;
    assert.equal(b.code, 0, b.out);
    assert.ok(before.length >= 40 && w.errors === 0, `writers: ${before.length} before, ${w.errors} errors`);

    // Restore into a fresh path and read it there.
    const restored = path.join(srv.dir, 'restored.db');
    const r = await hongyan(['restore', '--from', file, '--db', `sqlite:${restored}`]);
    assert.equal(r.code, 0, r.out);
    assert.equal(sqlite(restored, 'PRAGMA integrity_check'), 'ok');
    const ids = new Set(sqlite(restored, 'SELECT id FROM customers').split('\n').map(Number));
    const lost = before.filter((a) => !ids.has(a.id)).map((a) => a.id);
    assert.deepEqual(lost, [], 'acknowledged before the backup began, missing from it');

    // A backup onto an existing file, or of PostgreSQL, is refused.
    const again = await hongyan(['backup', '--db', srv.dbUrl, '--to', file]);
    assert.notEqual(again.code, 0);
    assert.match(again.out, /exists already/);
    assert.ok(fs.statSync(file).size > 0);
  });
});
