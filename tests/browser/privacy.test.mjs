// Per-person rights in the UI (issue 13): an admin opens a customer's
// 个人信息报告 and downloads the PDF; under 系统管理 → 数据保留 sets
// "3 years", saves and runs the dry run, which lists the customer whose
// only activity was in 2020. In Chinese and in English; screenshots
// build/screenshots/p-*.png.
//
//   make build/hongyan && (cd web && npx vite build)
//   node --test tests/browser/privacy.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient } from './harness.mjs'

const ADMIN = { login: 'A9301', name: '隐私管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'
const OLD = { name: '沉寂客户', phone: '13800139301' }

let server
let browser
let customerId

async function setServerClock(iso) {
  const r = await fetch(server.base + '/api/v1/_test/clock', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ now: iso }),
  })
  assert.equal(r.status, 200, await r.text())
}

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN])
  browser = await launchBrowser()
  // The customer's only activity is in 2020; the rest happens today.
  await setServerClock('2020-03-02T10:00:00+08:00')
  const api = new ApiClient(server.base)
  await api.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  const r = await api.call('POST', '/customers', OLD)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  customerId = r.data.customer.id
  await setServerClock(new Date().toISOString())
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

async function signIn(page) {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(ADMIN.login)
  await page.locator('input[name=password]').fill(NEW_PASSWORD)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => u.pathname === '/')
}

for (const [lang, words] of [
  ['zh', { report: '个人信息报告', dry: '试运行结果' }],
  ['en', { report: 'Personal data access report', dry: 'Dry run (nothing was changed)' }],
]) {
  test(`access report and retention dry run (${lang})`, () =>
    runScenario(browser, server, `privacy-${lang}`, async (page) => {
      await signIn(page)
      // The language through the user menu (it is the user's setting).
      await page.locator('[data-test=user-menu]').click()
      await page.locator(`[data-test=menu-lang-${lang}]`).click()
      await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang)
      await page.goto(`/customers/${customerId}`)
      await page.locator('[data-test=customer-more]').click()
      await page.locator('[data-test=access-report-open]').click()
      const dialog = page.locator('[data-test=access-report-dialog]')
      await dialog.waitFor()
      assert.ok((await dialog.textContent()).includes(words.report))
      await shot(page, `p-access-report-${lang}`)
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=access-report-pdf]').click()])
      assert.match(download.suggestedFilename(), /^access-report-.+\.pdf$/)
      const file = await download.path()
      assert.equal(fs.readFileSync(file).subarray(0, 5).toString('latin1'), '%PDF-')

      await page.goto('/admin/retention')
      const years = page.locator('[data-test=retention-years] input')
      await years.fill('3')
      await years.blur()
      await page.locator('[data-test=retention-save]').click()
      await page.locator('[data-test=retention-dry-run]:not([disabled])').waitFor()
      await page.locator('[data-test=retention-dry-run]').click()
      await page.locator('[data-test=retention-count]').waitFor()
      assert.equal((await page.locator('[data-test=retention-count]').textContent()).trim(), '1')
      assert.ok((await page.locator('[data-test=retention-sample]').textContent()).includes(OLD.name))
      assert.ok((await page.textContent('body')).includes(words.dry))
      await shot(page, `p-retention-${lang}`)
    }))
}
