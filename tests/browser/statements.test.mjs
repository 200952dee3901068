// Statements (issue 18, second part), in the browser: a supervisor sets
// 月结 on the enterprise's 结算设置 card (a credit limit with three
// decimals is refused next to its input first), and the 对账单 tab lists
// last month's statement the scheduler made. Screenshots st-*.png, zh and
// en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/statements.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const SUP = { login: 'S9491', name: '对账主管', role: 'supervisor', branch: 'GD-GZ', password: PW }
const ADM = { login: 'A9491', name: '对账管理员', role: 'admin', branch: 'GD', password: PW }
const ADMIN = { login: 'A9492', name: '对账界面管理员', role: 'admin', branch: 'GD', password: PW }
const ENT = { name: '广州对账界面有限公司', status: 'active', region: '广东省/广州市/天河区' }

let server
let browser
let entId
const stmts = {}

before(async () => {
  checkPrerequisites()
  server = await startServer([SUP, ADM, ADMIN])
  browser = await launchBrowser()
  // a supervisor's credit-limit change waits for approval while the flow is
  // on (tests/browser/approvals.test.mjs); this test is about the card itself
  const adm = new ApiClient(server.base)
  await adm.signIn(ADM.login, ADM.password, NEW_PASSWORD)
  const flow = (await adm.call('GET', '/approval-flows')).data.items.find((f) => f.key === 'credit_limit')
  const off = await adm.call('PUT', `/approval-flows/${flow.id}`, { version: flow.version, enabled: false })
  assert.equal(off.status, 200, JSON.stringify(off.data))
  await new ApiClient(server.base).signIn(SUP.login, SUP.password, NEW_PASSWORD)
  const sup = new ApiClient(server.base)
  await sup.signIn(SUP.login, NEW_PASSWORD)
  const r = await sup.call('POST', '/enterprises', ENT)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  entId = r.data.enterprise.id
  // the statement pages' own enterprises (below), one a language
  await new ApiClient(server.base).signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  stmts.zh = await statementFor('广州对账页面甲有限公司', 94920001)
  stmts.en = await statementFor('广州对账页面乙有限公司', 94920101)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)
const tab = (page, name) => page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: name }).click()
const field = (scope, name) => scope.locator(`input[data-test=${name}], [data-test=${name}] input`).first()

for (const lang of ['zh', 'en']) {
  test(`结算设置 and 对账单 (${lang})`, () =>
    scenario(`statements-${lang}`, async (page) => {
      await signInAs(page, SUP.login, NEW_PASSWORD)
      await setLang(page, lang)
      await page.goto(`/enterprises/${entId}?tab=pricing`)
      const card = page.locator('[data-test=billing-settings]')
      await card.waitFor()
      if (lang === 'zh') {
        await page.locator('[data-test=billing-settings-edit]').click()
        const dlg = page.locator('[data-test=billing-settings-dialog]')
        await dlg.locator('[data-test=billing-mode-input] label').first().click()
        await field(dlg, 'billing-credit-input').fill('12.345')
        await page.locator('[data-test=billing-settings-save]').click()
        await dlg.locator('.el-form-item__error').first().waitFor()
        await shot(page, 'st-settings-error-zh')
        await field(dlg, 'billing-credit-input').fill('50000')
        await page.locator('[data-test=billing-settings-save]').click()
        await dlg.waitFor({ state: 'hidden' })
      }
      await card.locator('[data-test=billing-credit]').filter({ hasText: '50,000.00' }).waitFor()
      await shot(page, `st-settings-${lang}`)
      // the scheduler makes last month's statement within a pass or two;
      // the tab shows what there is when it opens
      const api = new ApiClient(server.base)
      await api.signIn(SUP.login, NEW_PASSWORD)
      for (let i = 0; i < 200; i++) {
        const r = await api.call('GET', `/statements?enterprise_id=${entId}`)
        if (r.data.items.length) break
        await page.waitForTimeout(100)
      }
      await tab(page, lang === 'zh' ? '对账单' : 'Statements')
      await page.locator('[data-test=statements-table] .el-table__row').first().waitFor({ timeout: 20000 })
      await shot(page, `st-list-${lang}`)
    }))
}

// 大客户 → 对账单: the list leads to the statement's page; 发送 e-mails it
// (the delivery shows, here through the dev mailbox), a partial 登记收款
// leaves it 已发送 with the rest outstanding, on the page and in the list.

/** A 月结 enterprise with a finance contact and waybills last month; its statement. */
async function statementFor(name, serial) {
  const admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, NEW_PASSWORD)
  const sup = new ApiClient(server.base)
  await sup.signIn(SUP.login, NEW_PASSWORD)
  let r = await sup.call('POST', '/enterprises', { name, status: 'active', region: '广东省/广州市/天河区' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const ent = r.data.enterprise
  r = await sup.call('POST', `/enterprises/${ent.id}/contacts`, { name: '孙会计', mobile: '13800094921', email: 'sun@example.com', roles: ['finance'] })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  r = await admin.call('POST', '/api-keys', { name: `运单 ${name}`, scopes: ['waybills.write'] })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const d = new Date(Date.now() + 8 * 3600 * 1000)
  d.setUTCDate(0)
  const day = d.toISOString().slice(0, 8) + '10T10:00:00+08:00'
  const lines = [0, 1, 2].map((i) => JSON.stringify({ waybill_no: s10(serial + i), enterprise_id: ent.id, product: 'standard', origin: '广东省/广州市/天河区', destination: '北京市/北京市/朝阳区', weight: String(2 + i), collected_at: day }))
  const f = await fetch(`${server.base}/api/v1/waybills:batch`, { method: 'POST', headers: { Authorization: `Bearer ${r.data.secret}`, 'Content-Type': 'application/x-ndjson' }, body: lines.join('\n') + '\n' })
  assert.equal(f.status, 200, await f.text())
  r = await admin.call('PUT', `/enterprises/${ent.id}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  // the scheduler's next pass makes it (every 5 s)
  const deadline = Date.now() + 30000
  while (!(await admin.call('GET', `/statements?enterprise_id=${ent.id}`)).data.items.length) {
    assert.ok(Date.now() < deadline, `no statement for ${name}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return ent
}

/** UPU S10 number of 8 digits. */
function s10(serial) {
  const w = [8, 6, 4, 2, 3, 5, 9, 7]
  const digits = String(serial).padStart(8, '0')
  const c = 11 - ([...digits].reduce((s, ch, i) => s + Number(ch) * w[i], 0) % 11)
  return `EA${digits}${c === 10 ? 0 : c === 11 ? 5 : c}CN`
}

for (const lang of ['zh', 'en']) {
  test(`对账单 list → statement → 发送 → partial 登记收款 (${lang})`, () =>
    scenario(`statement-page-${lang}`, async (page) => {
      const ent = stmts[lang]
      await signInAs(page, SUP.login, NEW_PASSWORD)
      await setLang(page, lang)
      await page.goto('/statements')
      const row = page.locator('[data-test=statement-list] .el-table__row').filter({ hasText: ent.name })
      await row.waitFor({ timeout: 20000 })
      await shot(page, `st-statements-${lang}`)
      await row.locator('[data-test=statement-link]').click()
      await page.waitForURL(/\/statements\/\d+$/)
      const status = page.locator('[data-test=detail-status]')
      await status.filter({ hasText: lang === 'zh' ? '草稿' : 'Draft' }).waitFor()
      // the first line's "why this amount"
      await page.locator('[data-test=lines-table] .el-table__expand-icon').first().click()
      await page.locator('[data-test=line-why]').first().waitFor()
      await shot(page, `st-statement-draft-${lang}`)

      await page.locator('[data-test=act-send]').click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await status.filter({ hasText: lang === 'zh' ? '已发送' : 'Sent' }).waitFor()
      await page.locator('[data-test=detail-mail]').filter({ hasText: lang === 'zh' ? '已送达' : 'Delivered' }).waitFor({ timeout: 20000 })

      const total = await page.locator('[data-test=sum-total]').innerText()
      await page.locator('[data-test=act-pay]').click()
      const dlg = page.locator('[data-test=pay-dialog]')
      await field(dlg, 'pay-amount').fill('1.00')
      await dlg.locator('[data-test=pay-remaining]').filter({ hasText: lang === 'zh' ? '剩余' : 'after this payment' }).waitFor()
      await shot(page, `st-pay-dialog-${lang}`)
      await page.locator('[data-test=pay-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      const fen = Math.round(Number(total.replace(/[¥,]/g, '')) * 100) - 100
      const owed = `¥${(fen / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`
      await page.locator('[data-test=sum-outstanding]').filter({ hasText: owed }).waitFor()
      await page.locator('[data-test=sum-paid]').filter({ hasText: '¥1.00' }).waitFor()
      assert.equal(await status.innerText(), lang === 'zh' ? '已发送' : 'Sent', 'a partial payment leaves it sent')
      await page.locator('[data-test=statement-tabs] .el-tabs__item').filter({ hasText: lang === 'zh' ? '发送记录' : 'E-mails' }).click()
      await page.locator('[data-test=mails-table] [data-test=mail-status]').first().waitFor()
      await shot(page, `st-statement-paid-${lang}`)

      await page.goto('/statements')
      await row.locator('[data-test=row-outstanding]').filter({ hasText: owed }).waitFor()
      await row.locator('[data-test=row-mail]').waitFor()
      await shot(page, `st-statements-after-${lang}`)
    }))
}
