// Pricing (issue 18, first part), in the browser: an admin makes a new
// price list version effective tomorrow and edits a price cell; a
// supervisor quotes a parcel on the enterprise's 合同价格 tab, adds a
// discount and sees the 试算 change; the waybill page shows its 计费明细.
// Screenshots pl-*.png, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/pricing.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9481', name: '价目管理员', role: 'admin', branch: 'GD', password: PW }
const SUP = { login: 'S9481', name: '合同主管', role: 'supervisor', branch: 'GD-GZ', password: PW }
const ENT = { name: '广州价廉物流有限公司', status: 'active', region: '广东省/广州市/天河区' }

let server
let browser
let entId
let admin

// S10 check digit of the eight serial digits
function s10(serial) {
  const d = String(serial).padStart(8, '0')
  const sum = [...d].reduce((s, ch, i) => s + Number(ch) * [8, 6, 4, 2, 3, 5, 9, 7][i], 0)
  const c = 11 - (sum % 11)
  return `EA${d}${c === 10 ? 0 : c === 11 ? 5 : c}CN`
}

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN, SUP])
  browser = await launchBrowser()
  for (const u of [ADMIN, SUP]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  const sup = new ApiClient(server.base)
  await sup.signIn(SUP.login, NEW_PASSWORD)
  const r = await sup.call('POST', '/enterprises', ENT)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  entId = r.data.enterprise.id
  admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, NEW_PASSWORD)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)
const tab = (page, name) => page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: name }).click()
// an el-input's inner input, wherever Element Plus put the data-test
const field = (scope, name) => scope.locator(`input[data-test=${name}], [data-test=${name}] input`).first()
const pick = (page, text) => page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()

test('an admin makes a version effective tomorrow and edits a price cell; the version in force only shows', () =>
  scenario('pricing-versions', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/price-lists')
    await page.locator('[data-test=versions-table]').filter({ hasText: '默认价目表' }).filter({ hasText: '执行中' }).waitFor()
    await shot(page, 'pl-01-versions')

    // the version in force: read-only
    await page.locator('[data-test=version-open]').filter({ hasText: '默认价目表' }).click()
    await page.locator('[data-test=version-locked]').waitFor()
    assert.equal(await page.locator('[data-test=version-submit]').count(), 0)
    await page.goto('/admin/price-lists')

    const tomorrow = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10)
    await page.locator('[data-test=version-create]').click()
    const dlg = page.locator('[data-test=version-dialog]')
    await field(dlg, 'version-name').fill('明日调价')
    const date = dlg.locator('.el-date-editor input')
    await date.fill(tomorrow)
    await date.press('Enter')
    await shot(page, 'pl-02-new-version')
    await dlg.locator('[data-test=version-save]').click()
    await page.waitForURL(/\/admin\/price-lists\/\d+$/)
    await page.locator('[data-test=edit-status]').filter({ hasText: '待生效' }).waitFor()

    // 标准快递 × 四区: 18.00 → 19.50
    const cell = field(page.locator('[data-test=rates-standard]'), 'cell-z4-first_price')
    assert.equal(await cell.inputValue(), '18.00')
    await cell.fill('19.50')
    await shot(page, 'pl-03-editor')
    const answered = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/price-lists/'))
    await page.locator('[data-test=version-submit]').click()
    const patched = await answered
    assert.equal(patched.status(), 200, await patched.text())
    const id = page.url().split('/').pop()
    const saved = await admin.call('GET', `/price-lists/${id}`)
    assert.equal(saved.data.products.standard.rates.z4.first_price, '19.50')
    await page.reload()
    await field(page.locator('[data-test=rates-standard]'), 'cell-z4-first_price').waitFor()
    assert.equal(await field(page.locator('[data-test=rates-standard]'), 'cell-z4-first_price').inputValue(), '19.50')

    await page.locator('[data-test=version-tabs] .el-tabs__item').filter({ hasText: '附加费' }).click()
    await field(page, 'surcharge-insured_rate').waitFor()
    await shot(page, 'pl-04-surcharges')
    await page.locator('[data-test=version-tabs] .el-tabs__item').filter({ hasText: '分区' }).click()
    await page.locator('[data-test=zones-grid]').filter({ hasText: '北京市' }).waitFor()
    await shot(page, 'pl-05-zones')

    await setLang(page, 'en')
    await page.locator('[data-test=version-tabs] .el-tabs__item').filter({ hasText: 'Standard' }).first().click()
    await page.locator('[data-test=edit-status]').filter({ hasText: 'Upcoming' }).waitFor()
    await shot(page, 'pl-06-editor-en')
    await page.goto('/admin/price-lists')
    await page.locator('[data-test=versions-table]').filter({ hasText: 'In force' }).waitFor()
    await shot(page, 'pl-07-versions-en')
    await setLang(page, 'zh')
  }))

test('a supervisor quotes on 合同价格, adds a discount and the 试算 changes', () =>
  scenario('pricing-contract', async (page) => {
    await signInAs(page, SUP.login, NEW_PASSWORD)
    await page.goto(`/enterprises/${entId}`)
    await tab(page, '合同价格')
    const box = page.locator('[data-test=quote-box]')
    await page.locator('[data-test=rules-table]').filter({ hasText: '暂无合同价格' }).waitFor()
    await box.locator('[data-test=quote-destination]').click()
    await pick(page, '北京市')
    await field(box, 'quote-weight').fill('2.3')
    await box.locator('[data-test=quote-run]').click()
    // 广东 → 北京 四区: 18.00 + 2 × 3.60
    await box.locator('[data-test=price-total]').filter({ hasText: '¥25.20' }).waitFor()
    await box.locator('[data-test=price-words]').filter({ hasText: '贰拾伍元贰角整' }).waitFor()
    await shot(page, 'pl-08-quote')

    await page.locator('[data-test=rule-add]').click()
    const dlg = page.locator('[data-test=rule-dialog]')
    await dlg.locator('[data-test=rule-product]').click()
    await pick(page, '标准快递')
    await field(dlg, 'rule-percent').fill('90')
    await shot(page, 'pl-09-rule-dialog')
    await dlg.locator('[data-test=rule-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=rules-table]').filter({ hasText: '按价目表运费的 90%' }).waitFor()
    // the quote shown is redone: 25.20 × 90 % = 22.68, the rule named
    await box.locator('[data-test=price-total]').filter({ hasText: '¥22.68' }).waitFor()
    await box.locator('[data-test=price-lines]').filter({ hasText: '产品折扣 90%' }).waitFor()
    await shot(page, 'pl-10-contract')

    await setLang(page, 'en')
    await box.locator('[data-test=quote-run]').click()
    await box.locator('[data-test=price-lines]').filter({ hasText: 'product discount 90%' }).waitFor()
    await shot(page, 'pl-11-contract-en')
    await setLang(page, 'zh')
  }))

test('the waybill page shows its 计费明细 under the contract', () =>
  scenario('pricing-waybill', async (page) => {
    const key = await admin.call('POST', '/api-keys', { name: '计费浏览器测试', scopes: ['waybills.write'] })
    assert.equal(key.status, 201, JSON.stringify(key.data))
    const no = s10(94810002)
    const line = { waybill_no: no, enterprise_id: entId, product: 'standard', origin: ENT.region, destination: '北京市/北京市/朝阳区', weight: 2.3, declared_value: '2000.00', fee: '30.00', collected_at: new Date(Date.now() - 3600e3).toISOString() }
    const fed = await fetch(`${server.base}/api/v1/waybills:batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${key.data.secret}` },
      body: JSON.stringify(line) + '\n',
    })
    assert.equal(fed.status, 200, await fed.text())
    await signInAs(page, SUP.login, NEW_PASSWORD)
    await page.goto(`/waybills/${no}`)
    const card = page.locator('[data-test=waybill-price-card]')
    // 25.20 × 90 % = 22.68, + 保价 2000 × 3‰ = 6.00
    await card.locator('[data-test=price-total]').filter({ hasText: '¥28.68' }).waitFor()
    await card.locator('[data-test=price-lines]').filter({ hasText: '保价费' }).waitFor()
    await shot(page, 'pl-12-waybill')
    await setLang(page, 'en')
    await card.locator('[data-test=price-lines]').filter({ hasText: 'Insurance fee' }).waitFor()
    await shot(page, 'pl-13-waybill-en')
    await setLang(page, 'zh')
  }))
