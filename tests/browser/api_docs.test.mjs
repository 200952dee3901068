// The integration pages of 系统管理 (issue 20): 开放接口 renders the served
// OpenAPI document with RapiDoc under the server's CSP (no 'unsafe-eval';
// a refused script or style would be a console error and fail the
// scenario); Webhooks subscribes a local receiver, shows the secret once,
// lists a delivery with its attempt and replays it. Screenshots in
// Chinese and English (api-*.png, webhook-*.png).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9201', name: '接口管理员', role: 'admin', branch: 'GD', password: PW }

let server
let browser
let admin
let receiver
const received = []

before(async () => {
  checkPrerequisites()
  receiver = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      received.push({ headers: req.headers, raw })
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r))
  server = await startServer([ADMIN], { env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32' } })
  browser = await launchBrowser()
  admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
  if (receiver) await new Promise((r) => receiver.close(r))
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

// RapiDoc renders into its shadow root; Playwright's locators pierce it.
async function waitForReference(page) {
  await page.locator('[data-test=apidocs] rapi-doc').waitFor({ state: 'attached' })
  await page.locator('[data-test=apidocs] rapi-doc').getByText('/customers/{id}', { exact: false }).first().waitFor({ timeout: 30000 })
}

test('开放接口 shows the API reference rendered from the served document, in Chinese and English', () =>
  scenario('api-docs', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/api-docs')
    await page.getByText('开放接口').first().waitFor()
    await waitForReference(page)
    const header = await page.locator('.page-card').first().innerText()
    assert.match(header, /认证/)
    assert.match(header, /Idempotency-Key/)
    const download = page.locator('[data-test=apidocs-download]')
    assert.equal(await download.getAttribute('href'), '/api/v1/openapi.json')
    // The reference names routes and their summaries from the route tables.
    await page.locator('[data-test=apidocs] rapi-doc').getByText('One customer profile').first().waitFor()
    await shot(page, 'api-docs-zh')
    await setLang(page, 'en')
    await page.getByText('Open API').first().waitFor()
    await page.getByText('Safe retries').waitFor()
    await waitForReference(page)
    await shot(page, 'api-docs-en')
  }))

test('Webhooks: subscribe a receiver, see the secret once, follow a delivery and replay it', () =>
  scenario('webhooks', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    // The language chosen in the scenario before is the user's setting.
    await setLang(page, 'zh')
    await page.goto('/admin/webhooks')
    await page.locator('[data-test=webhooks-table]').waitFor()
    await page.locator('[data-test=webhook-create]').click()
    const dialog = page.locator('[data-test=webhook-dialog]')
    const url = `http://127.0.0.1:${receiver.address().port}/erp/hongyan`
    await dialog.locator('input[name=webhook_url]').fill(url)
    await dialog.locator('[data-test=webhook-events]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'customer.*' }).first().click()
    await page.keyboard.press('Escape')
    await dialog.locator('input[name=webhook_description]').fill('ERP 客户同步')
    await shot(page, 'webhook-dialog-zh')
    await dialog.locator('[data-test=webhook-save]').click()
    const secretBox = page.locator('input[data-test=webhook-secret]')
    await secretBox.waitFor()
    const secret = await secretBox.inputValue()
    assert.match(secret, /^whsec_/)
    await shot(page, 'webhook-secret-zh')
    await page.locator('[data-test=webhook-secret-dialog] .el-dialog__footer button').click()
    const row = page.locator('[data-test=webhooks-table] .el-table__row', { hasText: '/erp/hongyan' })
    await row.waitFor()
    assert.ok(!(await page.locator('body').innerText()).includes(secret), 'the secret is gone once the dialog is closed')

    // A customer made through the API: its event reaches the receiver.
    const branches = (await admin.call('GET', '/branches')).data.items
    const gz = branches.find((b) => b.code === 'GD-GZ-01')
    const c = await admin.call('POST', '/customers', { name: '推送客户', phone: '13920120001', branch_id: gz.id })
    assert.equal(c.status, 201, JSON.stringify(c.data))
    await row.locator('[data-test=webhook-deliveries]').click()
    const log = page.locator('[data-test=webhook-log]')
    const delivered = log.locator('[data-test=deliveries-table] .el-table__row [data-test=delivery-status]', { hasText: '已送达' })
    for (let i = 0; i < 40 && !(await delivered.count()); i++) {
      const answered = page.waitForResponse((r) => r.url().includes('/deliveries'))
      await log.locator('[data-test=webhook-log-refresh]').click()
      await answered
    }
    await delivered.first().waitFor()
    assert.match(await log.locator('[data-test=delivery-attempt]').first().innerText(), /第 1 次 · 200/)
    assert.equal(received.length, 1)
    await log.locator('[data-test=delivery-replay]').first().click()
    await page.locator('.el-message', { hasText: '已加入投递队列' }).waitFor()
    await page.locator('.el-message').last().waitFor({ state: 'detached' })
    await shot(page, 'webhook-deliveries-zh')
    assert.ok(received.length >= 1)
    await page.keyboard.press('Escape')
    await log.waitFor({ state: 'hidden' })
    await setLang(page, 'en')
    await page.getByText('New subscription').waitFor()
    await shot(page, 'webhook-list-en')
  }))
