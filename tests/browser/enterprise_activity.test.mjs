// 大客户 360 (issue 15), the rest of the page: a manager records a visit
// with a contact and a follow-up on the 业务往来 tab, adds a to-do on the
// 待办 tab and finds it in 我的待办 with the enterprise's name, reveals a
// contact's mobile, sees both on 概况, deletes the enterprise and restores
// it from the list's recycle bin; a clerk reads without the buttons.
// Screenshots ea-*.png of the new tabs, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/enterprise_activity.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9431', name: '往来经理丙', role: 'manager', branch: 'GD-GZ-01', password: PW }
const CLERK = { login: 'C9431', name: '往来柜员丁', role: 'clerk', branch: 'GD-GZ-01', password: PW }
const ENT = { name: '广州顺达供应链有限公司', short_name: '顺达供应链', status: 'active', credit_days: 30, credit_limit: '80000.00', billing_day: 20 }

let server
let browser
let entId

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, CLERK])
  browser = await launchBrowser()
  for (const u of [MANAGER, CLERK]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  const api = new ApiClient(server.base)
  await api.signIn(MANAGER.login, NEW_PASSWORD)
  const r = await api.call('POST', '/enterprises', ENT)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  entId = r.data.enterprise.id
  for (const c of [{ name: '钱采购', roles: ['decision_maker'], mobile: '13902468855', title: '采购经理' }, { name: '孙财务', roles: ['finance'] }]) {
    const x = await api.call('POST', `/enterprises/${entId}/contacts`, c)
    assert.equal(x.status, 201, JSON.stringify(x.data))
  }
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)


const tab = (page, name) => page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: name }).click()

test('a manager records a visit and a to-do on the 360 page, finds the to-do in 我的待办, reveals a mobile, deletes and restores', () =>
  scenario('enterprise-activity', async (page) => {
    await signIn(page, MANAGER)
    await page.goto(`/enterprises/${entId}`)
    await page.locator('[data-test=enterprise-name]').filter({ hasText: ENT.name }).waitFor()

    // 业务往来: a visit with 钱采购 and a follow-up
    await tab(page, '业务往来')
    await page.locator('[data-test=records-table]').filter({ hasText: '还没有业务往来记录' }).waitFor()
    await page.locator('[data-test=record-create]').click()
    const dlg = page.locator('[data-test=interaction-dialog]')
    await dlg.locator('[data-test=fixed-enterprise]').filter({ hasText: ENT.name }).waitFor()
    await dlg.locator('[data-test=interaction-type] .el-radio-button').filter({ hasText: '上门拜访' }).click()
    await dlg.locator('[data-test=record-contacts]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '钱采购' }).click()
    await dlg.locator('textarea[name=description]').click()
    await dlg.locator('textarea[name=description]').fill('上门拜访，洽谈冷链专线')
    await dlg.locator('[data-test=follow-up-switch]').click()
    await dlg.locator('input[name=follow_up_title]').fill('寄送冷链报价单')
    await shot(page, 'ea-01-record-dialog')
    await dlg.locator('[data-test=interaction-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test=records-table] .el-table__body tr').filter({ hasText: '上门拜访，洽谈冷链专线' })
    await row.filter({ hasText: '钱采购' }).filter({ hasText: '上门拜访' }).waitFor()
    await page.locator('[data-test=fig-records]').filter({ hasText: /^\s*1\s*$/ }).waitFor()
    await shot(page, 'ea-02-records')

    // 待办: the follow-up is there; a new to-do for today
    await tab(page, '待办')
    const tasks = page.locator('[data-test=enterprise-tasks]')
    await tasks.locator('[data-test=task-title]').filter({ hasText: '寄送冷链报价单' }).waitFor()
    await page.locator('[data-test=enterprise-task-create]').click()
    const td = page.locator('[data-test=task-dialog]')
    await td.locator('[data-test=task-enterprise]').filter({ hasText: '往来经理丙' }).waitFor()
    await td.locator('input[name=task_title]').fill('核对月结对账单')
    await td.locator('[data-test=due-picks] .el-radio-button').first().click()
    await shot(page, 'ea-03-task-dialog')
    await td.locator('[data-test=task-save]').click()
    await td.waitFor({ state: 'hidden' })
    await tasks.locator('[data-test=task-title]').filter({ hasText: '核对月结对账单' }).waitFor()
    await page.locator('[data-test=fig-tasks]').filter({ hasText: /^\s*2\s*$/ }).waitFor()
    await shot(page, 'ea-04-tasks')

    // 概况 shows both, counted
    await tab(page, '概况')
    const summary = page.locator('[data-test=enterprise-activity-summary]')
    await summary.filter({ hasText: '上门拜访，洽谈冷链专线' }).filter({ hasText: '核对月结对账单' }).waitFor()
    await summary.locator('[data-test=summary-tasks-count]').filter({ hasText: '共 2 项' }).waitFor()
    await shot(page, 'ea-05-info')

    // 联系人: the mobile is masked until revealed
    await tab(page, '联系人')
    const mobile = page.locator('[data-test=contacts-table] tr').filter({ hasText: '钱采购' }).locator('[data-test=contact-mobile]')
    assert.equal((await mobile.innerText()).trim(), '139****8855')
    await page.locator('[data-test=contacts-table] tr').filter({ hasText: '钱采购' }).locator('[data-test=contact-reveal]').click()
    await mobile.filter({ hasText: '13902468855' }).waitFor()
    await shot(page, 'ea-06-contact-revealed')

    // the same tabs in English
    await setLang(page, 'en')
    await tab(page, 'Overview')
    await summary.filter({ hasText: 'Latest activity' }).waitFor()
    await shot(page, 'ea-07-info-en')
    await tab(page, 'To-dos')
    await page.locator('[data-test=enterprise-tasks] th').filter({ hasText: 'Assignee' }).first().waitFor()
    await shot(page, 'ea-07-tasks-en')
    await tab(page, 'Activity')
    await row.filter({ hasText: 'Visit' }).waitFor()
    await shot(page, 'ea-07-records-en')
    await page.locator('[data-test=record-create]').click()
    await page.locator('[data-test=interaction-dialog] [data-test=fixed-enterprise]').waitFor()
    await shot(page, 'ea-08-record-dialog-en')
    await page.locator('[data-test=interaction-dialog] .el-dialog__headerbtn').click()
    await setLang(page, 'zh')

    // 我的待办: today's to-do with the enterprise's name, which opens its page
    await page.goto('/tasks')
    const link = page.locator('[data-test=task-enterprise-link]').filter({ hasText: ENT.name })
    await page.locator('[data-test=task-title]').filter({ hasText: '核对月结对账单' }).waitFor()
    await link.first().waitFor()
    await shot(page, 'ea-09-my-tasks')
    await link.first().click()
    await page.waitForURL((u) => u.pathname === `/enterprises/${entId}`)
    // the link opens the enterprise's 待办
    await page.locator('[data-test=enterprise-tasks] [data-test=task-title]').filter({ hasText: '核对月结对账单' }).waitFor()

    // delete (asked first), then restore from the list's recycle bin
    await page.locator('[data-test=enterprise-delete]').click()
    await page.locator('.el-message-box').filter({ hasText: ENT.name }).waitFor()
    await page.locator('.el-message-box .el-button--danger').click()
    await page.locator('[data-test=enterprise-deleted-tag]').waitFor()
    await page.locator('[data-test=enterprise-restore]').waitFor()
    assert.equal(await page.locator('[data-test=enterprise-edit]').count(), 0, 'a deleted enterprise is not edited')
    await page.goto('/enterprises')
    await page.locator('[data-test=enterprises-table]').filter({ hasText: '还没有大客户' }).waitFor()
    await page.locator('[data-test=enterprise-bin] .el-radio-button').filter({ hasText: '回收站' }).click()
    const binRow = page.locator('[data-test=enterprises-table] .el-table__body tr').filter({ hasText: ENT.name })
    await binRow.waitFor()
    await shot(page, 'ea-10-recycle-bin')
    await binRow.locator('[data-test=enterprise-restore-row]').click()
    await page.locator('[data-test=enterprises-table]').filter({ hasText: '回收站是空的' }).waitFor()
    await page.locator('[data-test=enterprise-bin] .el-radio-button').filter({ hasText: '在用' }).click()
    await page.locator('[data-test=enterprises-table] .el-table__body tr').filter({ hasText: ENT.name }).waitFor()
  }))

test('a clerk reads the activity and to-dos without the buttons to record, add or reveal', () =>
  scenario('enterprise-activity-clerk', async (page) => {
    await signIn(page, CLERK)
    await page.goto(`/enterprises/${entId}`)
    await page.locator('[data-test=enterprise-name]').filter({ hasText: ENT.name }).waitFor()
    await tab(page, '业务往来')
    await page.locator('[data-test=records-table] .el-table__body tr').filter({ hasText: '上门拜访，洽谈冷链专线' }).waitFor()
    assert.equal(await page.locator('[data-test=record-create]').count(), 0)
    await tab(page, '待办')
    await page.locator('[data-test=enterprise-tasks] [data-test=task-title]').filter({ hasText: '核对月结对账单' }).waitFor()
    assert.equal(await page.locator('[data-test=enterprise-task-create]').count(), 0)
    await tab(page, '联系人')
    await page.locator('[data-test=contacts-table] tr').filter({ hasText: '钱采购' }).waitFor()
    assert.equal(await page.locator('[data-test=contact-reveal]').count(), 0, 'a clerk may not reveal')
    assert.equal(await page.locator('[data-test=enterprise-delete]').count(), 0)
  }))
