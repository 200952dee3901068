// What an operator relies on: a settings file as well as the environment
// (the environment wins; a typo stops the start with its line number),
// JSON log lines for collectors, and `make install` laying out the binary,
// the systemd unit and a settings file it never overwrites.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HONGYAN_BIN, REPO_ROOT, freePort } from './lib/server.mjs'
import { waitFor } from './lib/wait.mjs'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hongyan-ops-'))
const running = []
after(async () => {
  for (const p of running)
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM')
      await new Promise((r) => p.once('exit', r))
    }
  fs.rmSync(work, { recursive: true, force: true })
})

function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra }
  for (const k of Object.keys(env)) if (k.startsWith('HONGYAN_') && !(k in extra)) delete env[k]
  return env
}

/** Start `hongyan serve --config FILE` on its own port; resolves {base, stderr()}. */
async function serveWith(name, settings, env = {}) {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  const port = await freePort()
  const conf = path.join(dir, 'hongyan.conf')
  fs.writeFileSync(conf, `# test settings\nHONGYAN_LISTEN=127.0.0.1:${port}\nHONGYAN_DB="sqlite:${dir}/h.db"\n${settings}`)
  let stderr = ''
  const proc = spawn(HONGYAN_BIN, ['serve', '--config', conf], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] })
  proc.stderr.on('data', (d) => (stderr += d))
  running.push(proc)
  const base = `http://127.0.0.1:${port}`
  await waitFor(
    async () => {
      try {
        return (await fetch(base + '/api/v1/health')).ok
      } catch {
        return false
      }
    },
    { timeoutMs: 20000, what: `server ${name} healthy` },
  )
  return { base, stderr: () => stderr }
}

const bigBody = JSON.stringify({ login: 'x', password: 'y'.repeat(4000) })
const post = (base) =>
  fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: bigBody })

test('settings come from the file, and the environment wins over it', async () => {
  const fromFile = await serveWith('file', 'HONGYAN_MAX_BODY=2048\n')
  assert.equal((await post(fromFile.base)).status, 413, 'the file caps the body at 2 KB')
  const envWins = await serveWith('env', 'HONGYAN_MAX_BODY=2048\n', { HONGYAN_MAX_BODY: '1048576' })
  assert.equal((await post(envWins.base)).status, 422, 'the environment lifts the cap: the body is read and judged')
})

test('a typo in the settings file stops the start and names the line', () => {
  const conf = path.join(work, 'typo.conf')
  fs.writeFileSync(conf, 'HONGYAN_LISTEN=127.0.0.1:1\nHONGYAN_MAX_BODY=1\nMAX_UPLOAD=5\n')
  const r = spawnSync(HONGYAN_BIN, ['serve', '--config', conf], { env: cleanEnv(), encoding: 'utf8', timeout: 20000 })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /typo\.conf:3: unknown setting "MAX_UPLOAD"/)
})

test('JSON log lines carry the time, level, request id and message', async () => {
  const srv = await serveWith('json', 'HONGYAN_LOG_FORMAT=json\n')
  const r = await fetch(srv.base + '/api/v1/health')
  const rid = r.headers.get('x-request-id')
  assert.ok(rid, 'the reply names its request')
  const line = await waitFor(
    () =>
      srv
        .stderr()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((o) => o.request_id === rid),
    { what: 'the request logged as JSON' },
  )
  assert.equal(line.level, 'info')
  assert.match(line.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  assert.match(line.msg, /GET \/api\/v1\/health 200/)
})

test('make install lays out the binary, the unit and settings it never overwrites', () => {
  const dest = path.join(work, 'root')
  const run = () =>
    // the binary under test (already built) rather than a release build
    spawnSync('make', ['-s', 'install', `INSTALL_BIN=${HONGYAN_BIN}`, `DESTDIR=${dest}`, 'PREFIX=/opt/hy', 'SYSCONFDIR=/etc'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 600000,
    })
  let r = run()
  assert.equal(r.status, 0, r.stderr)
  assert.ok(fs.statSync(path.join(dest, 'opt/hy/bin/hongyan')).mode & 0o100, 'binary installed, executable')
  const unit = fs.readFileSync(path.join(dest, 'lib/systemd/system/hongyan.service'), 'utf8')
  assert.match(unit, /^ExecStart=\/opt\/hy\/bin\/hongyan serve --config \/etc\/hongyan\/hongyan\.conf$/m)
  assert.match(unit, /^DynamicUser=yes$/m)
  const conf = path.join(dest, 'etc/hongyan/hongyan.conf')
  assert.match(fs.readFileSync(conf, 'utf8'), /^HONGYAN_DB=sqlite:\/var\/lib\/hongyan\/hongyan\.db$/m)
  fs.writeFileSync(conf, 'HONGYAN_LISTEN=0.0.0.0:9999\n')
  r = run()
  assert.equal(r.status, 0, r.stderr)
  assert.equal(fs.readFileSync(conf, 'utf8'), 'HONGYAN_LISTEN=0.0.0.0:9999\n', 'the operator’s settings kept')
})
