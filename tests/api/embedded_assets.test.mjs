// One binary: the web UI is compiled into the server (scripts/embed-assets.mjs),
// so a binary copied to a folder without web/dist still serves the whole
// app; text files go out gzip-compressed to browsers that accept it, with
// an ETag that answers 304; an --assets directory still overrides the
// copy inside. `make test` builds web/dist before the server binaries.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import http from 'node:http'
import { gunzipSync } from 'node:zlib'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HONGYAN_BIN, REPO_ROOT, freePort } from './lib/server.mjs'
import { waitFor } from './lib/wait.mjs'

const DIST = path.join(REPO_ROOT, 'web', 'dist')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hongyan-embed-'))
const running = []

after(async () => {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM')
      await new Promise((r) => p.once('exit', r))
    }
  }
  fs.rmSync(work, { recursive: true, force: true })
})

/** GET without any decoding: {status, headers, body: Buffer}. */
function get(base, p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(base + p, { headers, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

/** `hongyan serve` from a copy of the binary in its own folder (no web/dist beside it). */
async function serveCopy(name, extraArgs = []) {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  const bin = path.join(dir, 'hongyan')
  fs.copyFileSync(HONGYAN_BIN, bin)
  fs.chmodSync(bin, 0o755)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env = { ...process.env }
  delete env.HONGYAN_ASSETS
  const proc = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--db', `sqlite:${path.join(dir, 'h.db')}`, ...extraArgs], {
    cwd: dir,
    env,
    stdio: 'ignore',
  })
  running.push(proc)
  await waitFor(
    async () => {
      try {
        return (await get(base, '/api/v1/health')).status === 200
      } catch {
        return false
      }
    },
    { timeoutMs: 20000, what: 'server healthy' },
  )
  return base
}

const assetFile = () => {
  const js = fs.readdirSync(path.join(DIST, 'assets')).filter((n) => n.endsWith('.js'))
  // the largest script: certainly compressed
  return js.map((n) => ({ n, size: fs.statSync(path.join(DIST, 'assets', n)).size })).sort((a, b) => b.size - a.size)[0].n
}

test('a copied binary serves the web UI from inside itself', async () => {
  const base = await serveCopy('copy')
  const page = await get(base, '/customers/12')
  assert.equal(page.status, 200)
  assert.match(page.headers['content-type'], /^text\/html/)
  assert.equal(page.body.toString(), fs.readFileSync(path.join(DIST, 'index.html'), 'utf8'))
  assert.match(page.headers['content-security-policy'], /default-src 'self'/)
  assert.equal(page.headers['cache-control'], 'no-cache')

  const name = assetFile()
  const onDisk = fs.readFileSync(path.join(DIST, 'assets', name))
  const plain = await get(base, `/assets/${name}`)
  assert.equal(plain.status, 200)
  assert.equal(plain.headers['content-encoding'], undefined)
  assert.ok(plain.body.equals(onDisk), 'the script as built')
  assert.match(plain.headers['cache-control'], /immutable/)

  const zipped = await get(base, `/assets/${name}`, { 'Accept-Encoding': 'gzip, deflate, br' })
  assert.equal(zipped.headers['content-encoding'], 'gzip')
  assert.equal(zipped.headers.vary, 'Accept-Encoding')
  assert.ok(zipped.body.length < onDisk.length / 2, `compressed ${zipped.body.length} of ${onDisk.length}`)
  assert.ok(gunzipSync(zipped.body).equals(onDisk), 'the same script once unzipped')
  const refused = await get(base, `/assets/${name}`, { 'Accept-Encoding': 'gzip;q=0, identity' })
  assert.equal(refused.headers['content-encoding'], undefined)

  const again = await get(base, `/assets/${name}`, { 'If-None-Match': plain.headers.etag })
  assert.equal(again.status, 304)
  assert.equal(again.body.length, 0)

  assert.equal((await get(base, '/assets/nothing-here.js')).status, 404)
})

test('an --assets directory overrides the copy inside', async () => {
  const dir = path.join(work, 'ui')
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>override</title>')
  const base = await serveCopy('override', ['--assets', dir])
  const page = await get(base, '/')
  assert.equal(page.status, 200)
  assert.match(page.body.toString(), /override/)
  assert.equal((await get(base, `/assets/${assetFile()}`)).status, 404)
})
