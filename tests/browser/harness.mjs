// Browser-test harness: starts the real hongyan binary on a temporary
// SQLite database and a free port, drives Debian's chromium through
// playwright-core (no browser download), and cleans both up.
//
//   HONGYAN_BIN      server binary (default build/hongyan)
//   HONGYAN_ASSETS   built web UI (default web/dist; run `npm --prefix web run build`)
//   CHROMIUM         browser executable (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = path.resolve(ROOT, process.env.HONGYAN_BIN || 'build/hongyan')
export const ASSETS = path.resolve(ROOT, process.env.HONGYAN_ASSETS || 'web/dist')
export const SHOTS = path.join(ROOT, 'build', 'screenshots')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Fails early, with the fix, when something the tests need is missing. */
export function checkPrerequisites() {
  const missing = []
  if (!existsSync(BIN)) missing.push(`server binary ${BIN} (run make, or set HONGYAN_BIN)`)
  if (!existsSync(path.join(ASSETS, 'index.html')))
    missing.push(`web UI ${ASSETS}/index.html (run: npm --prefix web ci && npm --prefix web run build)`)
  if (!existsSync(CHROMIUM)) missing.push(`browser ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`)
  if (missing.length) throw new Error('browser tests need:\n  ' + missing.join('\n  '))
}

function runCli(args, input) {
  const r = spawnSync(BIN, args, { input: input ?? '', encoding: 'utf8', timeout: 30000 })
  if (r.status !== 0) {
    throw new Error(`hongyan ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`)
  }
  return r.stdout
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Start a server on a fresh database holding the demo data plus `users`
 * ([{login, name, role, branch, password, phone?, email?}], created with
 * `hongyan user add … --password-stdin`). env: extra environment variables
 * for the server; customers: how many demo customers (with their business
 * records and tasks) to make. Returns {base, stop(), log()}.
 */
export async function startServer(users = [], { env = {}, customers = 0, enterprises = 0 } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'hongyan-browser-'))
  const db = `sqlite:${path.join(dir, 'hongyan.db')}`
  runCli(['demo', '--db', db, '--customers', String(customers), '--enterprises', String(enterprises)])
  for (const u of users) {
    const args = ['user', 'add', u.login, '--name', u.name, '--role', u.role]
    if (u.branch) args.push('--branch', u.branch)
    if (u.phone) args.push('--phone', u.phone)
    if (u.email) args.push('--email', u.email)
    args.push('--password-stdin', '--db', db)
    runCli(args, u.password + '\n')
  }

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  let output = ''
  const proc = spawn(
    BIN,
    ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--assets', ASSETS, '--test-mode'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  )
  proc.stdout.on('data', (d) => (output += d))
  proc.stderr.on('data', (d) => (output += d))
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  const killOnExit = () => proc.kill('SIGKILL')
  process.once('exit', killOnExit)

  async function stop() {
    process.removeListener('exit', killOnExit)
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(t)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 15000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`hongyan serve exited (${proc.exitCode}):\n${output}`)
    try {
      const r = await fetch(base + '/api/v1/health')
      if (r.ok && (await r.json()).status === 'ok') break
    } catch (e) {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`hongyan serve did not become healthy:\n${output}`)
    }
    await sleep(100)
  }
  return { base, stop, log: () => output }
}

/** Chromium via playwright-core; playwright gives it a fresh temporary profile. */
export async function launchBrowser() {
  await mkdir(SHOTS, { recursive: true })
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}

/**
 * A new page (own cookies and storage) that records JavaScript errors and
 * console errors. Answers with an HTTP error status also log a console
 * error ("Failed to load resource"); the tests provoke some on purpose, so
 * those are kept apart. timezoneId: the browser's zone (China unless a test
 * shows that the UI keeps business time in another one).
 */
export async function newPage(browser, base, { timezoneId = 'Asia/Shanghai' } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10000)
  const errors = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return
    errors.push(`console: ${m.text()}`)
  })
  return { context, page, errors }
}

/** Screenshot into build/screenshots/<name>.png once animations settle. */
/**
 * Run a scenario in a fresh page (own cookies and storage). On failure a
 * screenshot build/screenshots/failed-<slug>.png and the server's log help
 * to see why. JavaScript and console errors fail the scenario too.
 * pageOptions go to newPage ({timezoneId}).
 */
export async function runScenario(browser, server, slug, fn, pageOptions = {}) {
  const { context, page, errors } = await newPage(browser, server.base, pageOptions)
  try {
    await fn(page, context)
  } catch (e) {
    await shot(page, `failed-${slug}`).catch(() => {})
    e.message += `\n--- server log (tail) ---\n${server.log().slice(-3000)}`
    throw e
  } finally {
    await context.close()
  }
  assert.deepEqual(errors, [], 'JavaScript or console errors in the page')
}

export async function shot(page, name) {
  // the picture once every transition (dialogs, messages, menus) has ended
  // (spinners that turn for ever excepted)
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
    null,
    { timeout: 5000 },
  )
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' })
}

/**
 * A tiny API client for the test itself (reading the dev mailbox, …):
 * keeps the session cookie and CSRF token like the browser does.
 */
export class ApiClient {
  constructor(base) {
    this.base = base
    this.cookie = ''
    this.csrf = ''
  }

  async call(method, p, body) {
    const headers = { 'Accept-Language': 'zh-CN' }
    if (this.cookie) headers.Cookie = this.cookie
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const r = await fetch(this.base + '/api/v1' + p, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const set = r.headers.get('set-cookie')
    const m = set && /hy_session=([^;]*)/.exec(set)
    if (m) this.cookie = m[1] ? `hy_session=${m[1]}` : ''
    const data = await r.json().catch(() => null)
    if (data && data.csrf_token) this.csrf = data.csrf_token
    return { status: r.status, data }
  }

  /** Sign in, replacing the initial password when the server asks for it. */
  async signIn(login, password, newPassword) {
    let r = await this.call('POST', '/auth/login', { login, password })
    if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${JSON.stringify(r.data)}`)
    if (r.data.must_change_password) {
      r = await this.call('POST', '/auth/password', { old_password: password, new_password: newPassword })
      if (r.status !== 200) throw new Error(`password change ${login}: ${r.status} ${JSON.stringify(r.data)}`)
    }
  }
}

/** Sign in through the login page as a user whose first password was
 * already changed to password; waits for the home page. */
export async function signInAs(page, login, password) {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => u.pathname === '/')
}

/** Switch the UI language through the user menu. */
export async function setLang(page, lang) {
  await page.locator('[data-test=user-menu]').click()
  await page.locator(`[data-test=menu-lang-${lang}]`).click()
}
