// `hongyan migrate-db`: a SQLite database moved into PostgreSQL serves the
// same data (runs under make test-api-pg; skipped on SQLite). The command
// verifies row counts and checksums itself; this checks what a user sees
// afterwards, and that a non-empty target is refused.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HONGYAN_BIN, PG_DIR, REPO_ROOT } from './lib/server.mjs';

function hongyan(args, input) {
  return spawnSync(HONGYAN_BIN, args, { cwd: REPO_ROOT, encoding: 'utf8', input, timeout: 120000 });
}
function psql(db, sql) {
  const r = spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', db, '-qAtc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('migrate-db from SQLite to PostgreSQL', { skip: !PG_DIR && 'needs HONGYAN_TEST_PG (make test-api-pg)' }, () => {
  it('copies every table, verified, and refuses a target that already holds data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-migrate-'));
    const name = `t_migrate_${process.pid}`;
    try {
      const src = `sqlite:${path.join(dir, 'src.db')}`;
      let r = hongyan(['demo', '--db', src, '--customers', '60']);
      assert.equal(r.status, 0, r.stderr);
      const sqliteCustomers = spawnSync('sqlite3', [path.join(dir, 'src.db'), 'SELECT COUNT(*) FROM customers'], {
        encoding: 'utf8',
      }).stdout.trim();
      psql('hongyan', `CREATE DATABASE ${name}`);
      const dst = `postgres:///${name}?host=${PG_DIR}&user=hongyan`;
      r = hongyan(['migrate-db', '--from', src, '--to', dst]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /row counts and checksums match/);
      assert.doesNotMatch(r.stdout, /MISMATCH/);
      for (const table of ['customers', 'interactions', 'tasks', 'users', 'branches', 'object_tags']) {
        assert.match(r.stdout, new RegExp(`^${table}\\s+(\\d+)\\s+\\1\\s+[0-9a-f]{16} ok$`, 'm'), `${table}: ${r.stdout}`);
      }
      assert.equal(psql(name, 'SELECT COUNT(*) FROM customers'), sqliteCustomers);
      // ID numbers travel sealed, with their indexes, as they are (the
      // PostgreSQL servers take the same data key): none in clear.
      const sealedSql = spawnSync('sqlite3', [path.join(dir, 'src.db'), "SELECT COUNT(*) || ':' || COUNT(DISTINCT id_index) FROM customers WHERE id_sealed IS NOT NULL"], {
        encoding: 'utf8',
      }).stdout.trim();
      assert.notEqual(sealedSql.split(':')[0], '0', 'the demo has ID numbers');
      assert.equal(psql(name, "SELECT COUNT(*) || ':' || COUNT(DISTINCT id_index) FROM customers WHERE id_sealed IS NOT NULL"), sealedSql);
      assert.equal(psql(name, "SELECT COUNT(*) FROM customers WHERE id_number IS NOT NULL AND id_number <> ''"), '0');
      // The copied staff can be used, and new rows get fresh ids.
      r = hongyan(['user', 'add', 'C9901', '--name', '迁移后柜员', '--role', 'clerk', '--branch', 'GD-GZ-01',
        '--password-stdin', '--db', dst], 'Migrated2026x\n');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(psql(name, "SELECT COUNT(*) FROM users WHERE login = 'c9901'"), '1', 'citext login');
      // A second run into the same (now full) target is refused, nothing changes.
      const before = psql(name, 'SELECT COUNT(*) FROM customers');
      r = hongyan(['migrate-db', '--from', src, '--to', dst]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /already holds data/);
      assert.equal(psql(name, 'SELECT COUNT(*) FROM customers'), before);
    } finally {
      spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', 'hongyan', '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
