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
const ENT = { name: '广州对账界面有限公司', status: 'active', region: '广东省/广州市/天河区' }

let server
let browser
let entId

before(async () => {
  checkPrerequisites()
  server = await startServer([SUP, ADM])
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
