// Test harness for the Hongyan API tests (node:test, no npm dependencies).
//
// useServer() registers before()/after() hooks in the enclosing describe():
// a temp dir with a demo database, users created with `hongyan user add`,
// `hongyan serve --test-mode` on a free port, and on teardown a SIGTERM that
// must end the server with exit code 0 (graceful shutdown).
//
// HONGYAN_BIN overrides the binary (default: <repo>/build/hongyan).

import { before, after, it as nodeIt } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const HONGYAN_BIN = path.resolve(REPO_ROOT, process.env.HONGYAN_BIN || 'build/hongyan');

// Slow builds (AddressSanitizer, valgrind) can raise this.
export const PG_DIR = process.env.HONGYAN_TEST_PG || ''
export const TIME_SCALE = Number(process.env.HONGYAN_TEST_TIME_SCALE || 1);

/** A password that satisfies the policy (>=10 chars, letters and digits, not common). */
export function goodPassword(prefix = 'Hy') {
  return `${prefix}${crypto.randomBytes(5).toString('hex')}Qz7`;
}

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(text, lines = 80) {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

export class TestServer {
  // sharedWith: another (started) TestServer whose PostgreSQL database and
  // users this one shares: several servers over one database.
  // env: extra environment variables for the server process.
  constructor({ users = [], demo = true, demoCustomers = 0, demoEnterprises = 0, label = 'hongyan', sharedWith = null, env = {} } = {}) {
    this.env = env;
    this.demoCustomers = demoCustomers;
    this.demoEnterprises = demoEnterprises;
    this.sharedWith = sharedWith;
    this.userSpecs = users;
    this.demo = demo;
    this.label = label;
    this.users = {}; // login -> {login, password, name, role, branch, phone, email}
    this.proc = null;
    this.exited = null; // {code, signal} once the process ended
    this.stopping = false;
    this.failed = false;
    this.stderrPrinted = false;
  }

  // HONGYAN_TEST_PG=<socket dir of a running cluster> (see
  // scripts/pg-temp.sh) runs against PostgreSQL: each server gets a database
  // of its own, dropped at cleanup. Otherwise a SQLite file in this.dir.
  get dbUrl() {
    if (PG_DIR) return `postgres:///${this.pgName}?host=${PG_DIR}&user=hongyan`;
    return `sqlite:${this.dbPath}`;
  }

  pgAdmin(sql) {
    const r = spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', 'hongyan', '-qAtc', sql], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
  }

  /**
   * Read the server's database directly (sqlite3 -readonly, or psql on its
   * PostgreSQL database): the rows of one SELECT, each an array of text
   * cells. For conditions the API does not show, like an outbox drained.
   */
  queryDb(sql) {
    const r = PG_DIR
      ? spawnSync('psql', ['-h', PG_DIR, '-U', 'hongyan', '-d', this.pgName, '-qAt', '-F', '\t', '-c', sql], { encoding: 'utf8' })
      : spawnSync('sqlite3', ['-readonly', '-separator', '\t', this.dbPath, sql], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`query ${sql}: ${r.stderr || r.error}`);
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  }

  run(args, { input, timeoutMs = 60000, env = {} } = {}) {
    const r = spawnSync(HONGYAN_BIN, args, {
      input,
      encoding: 'utf8',
      timeout: timeoutMs * TIME_SCALE,
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, ...env },
    });
    if (r.error) throw new Error(`${HONGYAN_BIN} ${args.join(' ')}: ${r.error.message}`);
    return r;
  }

  runOk(args, opts) {
    const r = this.run(args, opts);
    if (r.status !== 0) {
      throw new Error(
        `\`hongyan ${args.join(' ')}\` exited with ${r.status} (signal ${r.signal})\n` +
          `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
      );
    }
    return r;
  }

  /** Create a user with the CLI (`user add … --password-stdin`). */
  addUser({ login, name, role, branch, phone, email, password = goodPassword('Init') }) {
    const args = ['user', 'add', login, '--name', name, '--role', role];
    if (branch) args.push('--branch', branch);
    if (phone) args.push('--phone', phone);
    if (email) args.push('--email', email);
    args.push('--password-stdin', '--db', this.dbUrl);
    this.runOk(args, { input: `${password}\n` });
    const u = { login, name, role, branch, phone, email, password };
    this.users[login] = u;
    return u;
  }

  async start() {
    if (!fs.existsSync(HONGYAN_BIN)) {
      throw new Error(`server binary not found: ${HONGYAN_BIN} (build it with make, or set HONGYAN_BIN)`);
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `hy-api-${this.label}-`));
    this.dbPath = path.join(this.dir, 'hy.db');
    if (this.sharedWith) {
      this.pgName = this.sharedWith.pgName;
      this.users = this.sharedWith.users;
    } else if (PG_DIR) {
      this.pgName = `t_${path.basename(this.dir).replace(/[^a-zA-Z0-9]/g, '_').toLowerCase()}`;
      this.pgAdmin(`CREATE DATABASE ${this.pgName}`);
    }
    // The data key (docs/deploy.md): beside a SQLite database the server
    // makes one; a PostgreSQL database gets one here, shared with the
    // servers that share the database.
    if (PG_DIR && !this.env.HONGYAN_DATA_KEY_FILE && !this.env.HONGYAN_DATA_KEY) {
      this.keyFile = this.sharedWith ? this.sharedWith.keyFile : path.join(this.dir, 'hongyan.key');
      if (!this.sharedWith) fs.writeFileSync(this.keyFile, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      this.env = { ...this.env, HONGYAN_DATA_KEY_FILE: this.keyFile };
    }
    this.stderrPath = path.join(this.dir, 'server.stderr.log');
    this.stdoutPath = path.join(this.dir, 'server.stdout.log');
    // Staff and branches only unless asked: most tests count the customers
    // they make.
    if (this.demo && !this.sharedWith)
      this.runOk(['demo', '--db', this.dbUrl, '--customers', String(this.demoCustomers), '--enterprises', String(this.demoEnterprises)]);
    if (!this.sharedWith) for (const spec of this.userSpecs) this.addUser(spec);
    await this.launch();
  }

  /**
   * Stop the server (SIGTERM, must exit 0) and start it again on the same
   * database, on a new port. The test clock starts afresh: set it again.
   */
  async restart() {
    const res = await this.terminate();
    assert.ok(res && !res.timedOut && res.code === 0, `restart: server exit ${JSON.stringify(res)}`);
    this.stopping = false;
    this.exited = null;
    await this.launch();
  }

  /** Spawn `hongyan serve` on the database and wait until it is healthy. */
  async launch() {
    this.port = await freePort();
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    const errFd = fs.openSync(this.stderrPath, 'a');
    const outFd = fs.openSync(this.stdoutPath, 'a');
    this.proc = spawn(
      HONGYAN_BIN,
      ['serve', '--listen', `127.0.0.1:${this.port}`, '--db', this.dbUrl, '--test-mode'],
      { cwd: REPO_ROOT, stdio: ['ignore', outFd, errFd], env: { ...process.env, ...this.env } },
    );
    fs.closeSync(errFd);
    fs.closeSync(outFd);
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        if (!this.stopping) {
          process.stderr.write(
            `\n[${this.label}] server exited unexpectedly (code ${code}, signal ${signal})\n`,
          );
          this.printStderr();
        }
        resolve(this.exited);
      });
    });
    this.proc.on('error', (e) => {
      process.stderr.write(`[${this.label}] failed to spawn server: ${e.message}\n`);
    });

    const deadline = Date.now() + 15000 * TIME_SCALE;
    let lastErr;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(
          `server exited during start-up (code ${this.exited.code}, signal ${this.exited.signal})\n` +
            this.stderrTail(),
        );
      }
      try {
        const r = await fetch(`${this.baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) {
          await r.arrayBuffer();
          return;
        }
        lastErr = new Error(`health answered ${r.status}`);
      } catch (e) {
        lastErr = e;
      }
      await sleep(50);
    }
    this.printStderr();
    throw new Error(`server did not become healthy: ${lastErr && lastErr.message}`);
  }

  /** SIGKILL, as a crash would: no shutdown of any kind. */
  async kill9() {
    this.stopping = true;
    this.killed = true;
    this.proc.kill('SIGKILL');
    return this.exitPromise;
  }

  stderrText() {
    try {
      return fs.readFileSync(this.stderrPath, 'utf8');
    } catch {
      return '';
    }
  }

  stderrTail(lines = 80) {
    try {
      return `--- server stderr (${this.stderrPath}) ---\n${tail(fs.readFileSync(this.stderrPath, 'utf8'), lines)}\n--- end ---`;
    } catch {
      return '(no server stderr)';
    }
  }

  printStderr() {
    if (this.stderrPrinted) return;
    this.stderrPrinted = true;
    process.stderr.write(`\n[${this.label}] ${this.stderrTail()}\n`);
  }

  /** SIGTERM; resolves to {code, signal, ms}. Kills with SIGKILL after timeoutMs. */
  async terminate(timeoutMs = 5000 * TIME_SCALE) {
    if (!this.proc) return null;
    this.stopping = true;
    const t0 = Date.now();
    if (!this.exited) this.proc.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((r) => {
      timer = setTimeout(() => r(null), timeoutMs);
    });
    let res = await Promise.race([this.exitPromise, timedOut]);
    clearTimeout(timer);
    if (!res) {
      this.proc.kill('SIGKILL');
      await this.exitPromise;
      return { code: null, signal: 'SIGKILL', ms: Date.now() - t0, timedOut: true };
    }
    return { ...res, ms: Date.now() - t0, timedOut: false };
  }

  cleanup() {
    if (PG_DIR && this.pgName && !this.sharedWith && !process.env.HONGYAN_KEEP_TMP) {
      try {
        this.pgAdmin(`DROP DATABASE IF EXISTS ${this.pgName} WITH (FORCE)`);
      } catch (e) {
        console.error(e.message);
      }
    }
    if (this.dir && !process.env.HONGYAN_KEEP_TMP) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async stop() {
    if (this.startFailed) return;
    try {
      const wasDead = this.exited && !this.stopping;
      const res = await this.terminate();
      if (res && !this.killed) {
        if (wasDead || res.timedOut || res.code !== 0) this.printStderr();
        assert.ok(!wasDead, `server had already exited unexpectedly: ${JSON.stringify(this.exited)}`);
        assert.ok(!res.timedOut, 'server did not exit within 5 s of SIGTERM');
        assert.equal(res.code, 0, `server exit code after SIGTERM (signal ${res.signal})`);
      }
    } finally {
      this.cleanup();
    }
  }

  /** node:test `it` that prints the server's stderr when the test fails. */
  get it() {
    return (name, opts, fn) => {
      if (typeof opts === 'function') {
        fn = opts;
        opts = {};
      }
      return nodeIt(name, opts, async (t) => {
        try {
          await fn(t);
        } catch (e) {
          this.failed = true;
          if (this.exited && !this.stopping) {
            e.message += `\n(server had exited: ${JSON.stringify(this.exited)})`;
          }
          process.stderr.write(`\n[${this.label}] test failed: ${name}\n`);
          process.stderr.write(`[${this.label}] ${this.stderrTail(60)}\n`);
          throw e;
        }
      });
    };
  }

}

/** Call inside describe(): starts one server for the suite, stops it after. */
export function useServer(opts = {}) {
  const srv = new TestServer(opts);
  before(async () => {
    try {
      await srv.start();
    } catch (e) {
      srv.startFailed = true;
      await srv.terminate();
      srv.cleanup();
      throw e;
    }
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await srv.stop();
  }, { timeout: 30000 * TIME_SCALE });
  return srv;
}

/**
 * Call inside describe(): two servers over one PostgreSQL database (the
 * second shares the first's database and users), started before the
 * suite and stopped after it. opts go to the first; labels name both.
 */
export function useServerPair(opts = {}, labels = ['pair-a', 'pair-b']) {
  const a = new TestServer({ ...opts, label: labels[0] });
  const b = new TestServer({ label: labels[1], sharedWith: a });
  before(async () => {
    await a.start();
    await b.start();
  }, { timeout: 120000 * TIME_SCALE });
  after(async () => {
    await b.stop();
    await a.stop();
  }, { timeout: 30000 * TIME_SCALE });
  return [a, b];
}
