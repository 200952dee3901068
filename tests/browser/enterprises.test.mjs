// 大客户 (issue 15) as staff meet it: a manager finds a VIP account by its
// USCC and by a contact's last four, opens the 360 page, adds a contact and
// a department; a clerk sees the list without the create and edit buttons.
// Screenshots e-*.png of the list, the form dialog and each tab, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/enterprises.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9401', name: '大客户经理甲', role: 'manager', branch: 'GD-GZ-01', password: PW }
const CLERK = { login: 'C9401', name: '天河柜员乙', role: 'clerk', branch: 'GD-GZ-01', password: PW }

/** A USCC with the right check character (GB 32100). */
function uscc(body17) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  let sum = 0
  for (let i = 0; i < 17; i++) sum += chars.indexOf(body17[i]) * (3 ** i % 31)
  return body17 + chars[(31 - (sum % 31)) % 31]
}
const USCC = uscc('91440106MA5CXY123')
const ENT = { name: '广州鸿运物流有限公司', short_name: '鸿运物流', uscc: USCC, status: 'active', credit_days: 30, credit_limit: '50000.00', billing_day: 25 }

let server
let browser
let entId

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, CLERK], { enterprises: 30 })
  browser = await launchBrowser()
  for (const u of [MANAGER, CLERK]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  const api = new ApiClient(server.base)
  await api.signIn(MANAGER.login, NEW_PASSWORD)
  const r = await api.call('POST', '/enterprises', ENT)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  entId = r.data.enterprise.id
  const c = await api.call('POST', `/enterprises/${entId}/contacts`, { name: '周采购', roles: ['decision_maker'], mobile: '13902467391' })
  assert.equal(c.status, 201, JSON.stringify(c.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)


/** Type into the quick search and wait until the table shows only this name. */
async function search(page, q, name) {
  await page.locator('input[name=q]').fill(q)
  const rows = page.locator('[data-test=enterprises-table] .el-table__body tr')
  await rows.filter({ hasText: name }).first().waitFor()
  await page.waitForFunction(() => document.querySelectorAll('[data-test=enterprises-table] .el-table__body tr').length === 1)
  return rows
}

test('a manager finds a VIP account by USCC and last four, and adds a contact and a department on its 360 page', () =>
  scenario('enterprise-manager', async (page) => {
    await signIn(page, MANAGER)
    await page.locator('[data-test=side-menu] .el-menu-item').filter({ hasText: '大客户列表' }).click()
    await page.waitForURL('**/enterprises')
    await page.locator('[data-test=enterprises-table] .el-table__body tr').first().waitFor()
    await shot(page, 'e-01-list')

    await search(page, USCC, ENT.name)
    await search(page, '7391', ENT.name)
    await shot(page, 'e-02-list-search')

    await page.locator('[data-test=enterprise-create]').click()
    const dlg = page.locator('[data-test=enterprise-dialog]')
    await dlg.locator('input[name=name]').waitFor()
    // a USCC whose check character is wrong: the server asks for a reason
    await dlg.locator('input[name=name]').fill('测试校验位公司')
    await dlg.locator('input[name=uscc]').fill(USCC.slice(0, 17) + (USCC[17] === '0' ? '1' : '0'))
    await dlg.locator('[data-test=enterprise-save]').click()
    await dlg.locator('input[name=uscc_override_reason]').waitFor()
    await shot(page, 'e-03-form-reason')
    // with a reason the code is kept and the new account opens
    await dlg.locator('input[name=uscc_override_reason]').fill('营业执照原件核对无误')
    await dlg.locator('[data-test=enterprise-save]').click()
    await page.locator('[data-test=enterprise-name]').filter({ hasText: '测试校验位公司' }).waitFor()
    await page.locator('[data-test=enterprise-info]').filter({ hasText: '校验位已说明' }).waitFor()
    await page.goBack()
    await page.locator('input[name=q]').fill('7391')

    await page.locator('[data-test=enterprise-name-link]').filter({ hasText: ENT.name }).click()
    await page.waitForURL(`**/enterprises/${entId}`)
    await page.locator('[data-test=enterprise-name]').filter({ hasText: ENT.name }).waitFor()
    await shot(page, 'e-04-360-info')

    const tab = (name) => page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: name }).click()
    await tab('联系人')
    const contacts = page.locator('[data-test=contacts-table]')
    assert.match(await contacts.innerText(), /139\*{4}7391/, 'the mobile is masked')
    await page.locator('[data-test=contact-add]').click()
    const cd = page.locator('[data-test=contact-dialog]')
    await cd.locator('input[name=contact_name]').fill('吴财务')
    await cd.locator('.el-checkbox').filter({ hasText: '财务' }).click()
    await cd.locator('input[name=contact_mobile]').fill('13711112222')
    await shot(page, 'e-05a-contact-dialog')
    await cd.locator('[data-test=contact-save]').click()
    await cd.waitFor({ state: 'hidden' })
    await contacts.locator('tr').filter({ hasText: '吴财务' }).filter({ hasText: '137****2222' }).waitFor()
    await shot(page, 'e-05-360-contacts')

    await tab('部门')
    await page.locator('[data-test=department-add]').click()
    const dd = page.locator('[data-test=department-dialog]')
    await dd.locator('input[name=department_name]').fill('华南结算部')
    await dd.locator('input[name=cost_centre]').fill('CC-GZ-01')
    await shot(page, 'e-06a-department-dialog')
    await dd.locator('[data-test=department-save]').click()
    await dd.waitFor({ state: 'hidden' })
    await page.locator('[data-test=departments-table] tr').filter({ hasText: '华南结算部' }).waitFor()
    await page.locator('[data-test=enterprise-figures]').filter({ hasText: /部门\s*1/ }).waitFor()
    await shot(page, 'e-06-360-departments')

    await tab('偏好')
    await shot(page, 'e-07-360-prefs')
    await tab('标签')
    const tags = page.locator('[data-test=enterprise-tags]')
    await tags.locator('[data-test=enterprise-tag-select]').click()
    const option = page.locator('.el-select-dropdown__item:visible').first()
    const tagName = (await option.innerText()).trim()
    await option.click()
    await tags.locator('[data-test=enterprise-tag-add]').click()
    await tags.locator('.current .el-tag').filter({ hasText: tagName }).waitFor()
    await shot(page, 'e-08-360-tags')

    await page.locator('[data-test=enterprise-edit]').click()
    const ed = page.locator('[data-test=enterprise-dialog]')
    await ed.locator('input[name=short_name]').fill('鸿运')
    await ed.locator('[data-test=enterprise-save]').click()
    await ed.waitFor({ state: 'hidden' })
    await tab('变更历史')
    await page.locator('[data-test=enterprise-history] tr').filter({ hasText: '鸿运物流' }).waitFor()
    await shot(page, 'e-09-360-history')

    // the same pages in English
    await setLang(page, 'en')
    await tab('Overview')
    await page.locator('[data-test=enterprise-info]').filter({ hasText: 'Company name' }).waitFor()
    await shot(page, 'e-10-360-info-en')
    for (const [name, file] of [['Contacts', 'contacts'], ['Departments', 'departments'], ['Preferences', 'prefs'], ['Tags', 'tags'], ['History', 'history']]) {
      await tab(name)
      await shot(page, `e-11-360-${file}-en`)
    }
    await page.locator('[data-test=enterprise-edit]').click()
    await page.locator('[data-test=enterprise-dialog] input[name=name]').waitFor()
    await shot(page, 'e-12-form-en')
    await page.locator('[data-test=enterprise-dialog] .el-dialog__headerbtn').click()
    await page.goto('/enterprises')
    await page.locator('[data-test=enterprises-table] .el-table__body tr').first().waitFor()
    await shot(page, 'e-13-list-en')
    await setLang(page, 'zh')
  }))

test('a clerk sees the VIP account list and 360 page read-only', () =>
  scenario('enterprise-clerk', async (page) => {
    await signIn(page, CLERK)
    await page.goto('/enterprises')
    await page.locator('[data-test=enterprises-table] .el-table__body tr').filter({ hasText: ENT.name }).waitFor()
    assert.equal(await page.locator('[data-test=enterprise-create]').count(), 0, 'no create button for a clerk')
    await shot(page, 'e-15-clerk-list')
    await setLang(page, 'en')
    await page.locator('[data-test=enterprises-table] th').filter({ hasText: 'Account manager' }).waitFor()
    await shot(page, 'e-16-clerk-list-en')
    await setLang(page, 'zh')
    await page.locator('[data-test=enterprises-table] th').filter({ hasText: '客户经理' }).waitFor()
    await page.locator('[data-test=enterprise-name-link]').filter({ hasText: ENT.name }).click()
    await page.locator('[data-test=enterprise-name]').waitFor()
    assert.equal(await page.locator('[data-test=enterprise-edit]').count(), 0, 'no edit button for a clerk')
    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: '联系人' }).click()
    await page.locator('[data-test=contacts-table] tr').filter({ hasText: '周采购' }).waitFor()
    assert.equal(await page.locator('[data-test=contact-add]').count(), 0, 'no add-contact button for a clerk')
    await shot(page, 'e-14-clerk-contacts')
  }))
