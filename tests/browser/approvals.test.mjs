// Approvals (审批流, issue 20) in the browser: an account manager asks for a
// new credit limit on the enterprise's 结算设置 card; the supervisor finds
// it in 审批 (with its badge), sees before → after and approves; the limit
// is still the old one; the administrator approves the second step, and
// only then does the card show the new limit. Then 系统管理 → 审批流程.
// Screenshots ap-*.png, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/approvals.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MGR = { login: 'M9381', name: '审批界面经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const SUP = { login: 'S9381', name: '审批界面主管', role: 'supervisor', branch: 'GD-GZ', password: PW }
const ADM = { login: 'A9381', name: '审批界面管理员', role: 'admin', branch: 'GD', password: PW }

let server
let browser
let entId
const api = {}

before(async () => {
  checkPrerequisites()
  server = await startServer([MGR, SUP, ADM])
  browser = await launchBrowser()
  for (const u of [MGR, SUP, ADM]) {
    api[u.login] = new ApiClient(server.base)
    await api[u.login].signIn(u.login, u.password, NEW_PASSWORD)
  }
  const r = await api[MGR.login].call('POST', '/enterprises', { name: '广州审批界面有限公司', status: 'active', region: '广东省/广州市/天河区' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  entId = r.data.enterprise.id
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)
const field = (scope, name) => scope.locator(`input[data-test=${name}], [data-test=${name}] input`).first()
const limitNow = async () => (await api[MGR.login].call('GET', `/enterprises/${entId}/billing-settings`)).data.credit_limit

async function as(page, context, user, lang) {
  await context.clearCookies()
  await signInAs(page, user.login, NEW_PASSWORD)
  await setLang(page, lang)
}

// The approver opens the request from 审批 and approves it with a comment.
async function approve(page, lang, step, comment) {
  await page.goto('/approvals')
  await page.locator('[data-test=nav-badge-approvals]').filter({ hasText: '1' }).waitFor()
  await page.locator('[data-test=approvals-table] .el-table__row').first().click()
  const drawer = page.locator('[data-test=approval-drawer]')
  await drawer.locator('[data-test=approval-diff] .el-table__row').first().waitFor()
  await drawer.locator('textarea[data-test=approval-comment], [data-test=approval-comment] textarea').fill(comment)
  await shot(page, `ap-drawer-step${step}-${lang}`)
  await drawer.locator('[data-test=approval-approve]').click()
  await drawer.locator('[data-test=approval-decide]').waitFor({ state: 'hidden' })
}

for (const [lang, amount, shown] of [['zh', '88000', '88,000.00'], ['en', '99000', '99,000.00']]) {
  test(`a manager's credit-limit change goes through supervisor, then admin (${lang})`, () =>
    scenario(`approvals-${lang}`, async (page, context) => {
      const before = await limitNow()
      await as(page, context, MGR, lang)
      await page.goto(`/enterprises/${entId}?tab=pricing`)
      const card = page.locator('[data-test=billing-settings]')
      await card.waitFor()
      await page.locator('[data-test=billing-credit-ask]').click()
      const dlg = page.locator('[data-test=billing-settings-dialog]')
      await field(dlg, 'billing-credit-input').fill(amount)
      await shot(page, `ap-ask-${lang}`)
      await page.locator('[data-test=billing-settings-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await page.locator('.el-message--success').filter({ hasText: lang === 'zh' ? '已提交审批' : 'Submitted for approval' }).waitFor()
      assert.equal(await limitNow(), before, 'nothing changes while the request waits')
      await page.goto('/approvals?box=mine')
      await page.locator('[data-test=approval-tabs] .el-tabs__item').nth(1).click()
      await page.locator('[data-test=approvals-table] .el-table__row').first().waitFor()
      await shot(page, `ap-mine-${lang}`)

      await as(page, context, SUP, lang)
      await approve(page, lang, 1, lang === 'zh' ? '同意，额度合理' : 'Fine by me')
      await page.locator('[data-test=approval-drawer] [data-test=approval-status]').filter({ hasText: lang === 'zh' ? '审批中' : 'Pending' }).waitFor()
      assert.equal(await limitNow(), before, 'one step approved is not enough')

      await as(page, context, ADM, lang)
      await approve(page, lang, 2, lang === 'zh' ? '同意' : 'Approved')
      await page.locator('[data-test=approval-drawer] [data-test=approval-status]').filter({ hasText: lang === 'zh' ? '已通过' : 'Approved' }).waitFor()
      await shot(page, `ap-approved-${lang}`)

      await as(page, context, MGR, lang)
      await page.goto(`/enterprises/${entId}?tab=pricing`)
      await page.locator('[data-test=billing-settings] [data-test=billing-credit]').filter({ hasText: shown }).waitFor()
      await shot(page, `ap-applied-${lang}`)

      await as(page, context, ADM, lang)
      await page.goto('/admin/approval-flows')
      await page.locator('[data-test=flows-table] .el-table__row').nth(3).waitFor()
      await shot(page, `ap-flows-${lang}`)
      await page.locator('[data-test=flow-edit]').nth(1).click()
      await page.locator('[data-test=flow-step]').nth(1).waitFor()
      await shot(page, `ap-flow-edit-${lang}`)
    }))
}
