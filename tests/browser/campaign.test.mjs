// From a target group to action (issue 14) as a supervisor meets it: on
// the customer list the 批量操作 menu creates follow-up tasks for the
// selected customers, sends an SMS to those who agreed to marketing (after
// a preview that counts who is left out), and previews a handover; an
// admin sees a locked account in the user list and unlocks it; an admin
// without a branch is asked for one on the customer form. Screenshots in
// Chinese and English land in build/screenshots/ (g-*.png).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const SUP = { login: 'S9151', name: '广州主管', role: 'supervisor', branch: 'GD-GZ', password: PW }
const M1 = { login: 'M9151', name: '离岗经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const M2 = { login: 'M9152', name: '接手经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9151', name: '账号管理员', role: 'admin', branch: 'GD', password: PW }
const HQ = { login: 'A9152', name: '总部管理员', role: 'admin', password: PW }
const LOCKED = { login: 'C9151', name: '被锁柜员', role: 'clerk', branch: 'GD-GZ-01', password: PW }

let server
let browser
let api // as M1

before(async () => {
  checkPrerequisites()
  server = await startServer([SUP, M1, M2, ADMIN, HQ, LOCKED])
  browser = await launchBrowser()
  api = new ApiClient(server.base)
  await api.signIn(M1.login, M1.password, NEW_PASSWORD)
  const me = (await api.call('GET', '/auth/me')).data.user
  const consents = [
    { marketing_consent: 'granted', consent_source: 'counter', gender: 'female' },
    { marketing_consent: 'granted', consent_source: 'paper', sms_opt_out: true },
    { marketing_consent: 'refused', consent_source: 'phone' },
    {},
  ]
  for (const [i, c] of consents.entries()) {
    const r = await api.call('POST', '/customers', { name: `雁群客户${i + 1}`, phone: `1390246100${i}`, owner_id: me.id, ...c })
    assert.equal(r.status, 201, JSON.stringify(r.data))
  }
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

async function signInFirstTime(page, user) {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(user.login)
  await page.locator('input[name=password]').fill(user.password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL('**/change-password')
  await page.locator('input[name=old_password]').fill(user.password)
  await page.locator('input[name=new_password]').fill(NEW_PASSWORD)
  await page.locator('input[name=confirm_password]').fill(NEW_PASSWORD)
  await page.locator('[data-test=change-password-submit]').click()
  await page.waitForURL((u) => u.pathname === '/')
}

async function pick(page, trigger, text) {
  await trigger.click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' })
}

async function english(page) {
  await page.locator('[data-test=user-menu]').click()
  await page.locator('[data-test=menu-lang-en]').click()
}

/** The customer list searched for the test's customers, every row selected. */
async function selectGroup(page) {
  await page.goto('/customers')
  await page.locator('.el-table__row').nth(3).waitFor()
  // The search answers after a pause in typing; select once it has.
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/customers?') && r.url().includes('q='))
  await page.locator('input[name=q]').fill('雁群客户')
  await searched
  await page.locator('.el-table__row').nth(3).waitFor()
  await page.locator('.el-table__header .el-checkbox').click()
  await page.locator('[data-test=bulk-bar]').waitFor()
}

async function openAction(page, key) {
  await page.locator('[data-test=group-actions] button').click()
  await page.locator(`[data-test=group-action-${key}]:visible`).click()
}

test('a supervisor creates follow-up tasks, sends an SMS and previews a handover from the customer list', async () => {
  await scenario('group-actions', async (page) => {
    await signInFirstTime(page, SUP)
    await selectGroup(page)
    await shot(page, 'g-01-bulk-bar')

    // 批量建跟进任务: preview per manager, then create.
    await openAction(page, 'tasks')
    const tasks = page.locator('[data-test=bulk-task-dialog]')
    await tasks.locator('[data-test=bulk-task-title]').fill('新春问候回访')
    await tasks.locator('[data-test=bulk-task-preview]').click()
    await tasks.locator('[data-test=bulk-task-total]').getByText('将为 4 位客户各建一条任务').waitFor()
    await tasks.locator('[data-test=bulk-task-per-assignee]').getByText(M1.name).waitFor()
    await shot(page, 'g-02-bulk-tasks-preview')
    await tasks.locator('[data-test=bulk-task-submit]').click()
    await page.locator('.el-message--success').getByText('已创建 4 条跟进任务').waitFor()
    await tasks.waitFor({ state: 'hidden' })
    const mine = (await api.call('GET', '/tasks?view=upcoming')).data
    assert.equal(mine.items.filter((x) => x.title === '新春问候回访').length, 4)

    // 发送短信/邮件: a variable inserted, the preview counts, send.
    await selectGroup(page)
    await openAction(page, 'campaign')
    const camp = page.locator('[data-test=campaign-dialog]')
    await camp.locator('[data-test=campaign-body]').fill('您好，邮政网点邀您参加集邮展')
    await camp.locator('[data-test=campaign-body]').press('Home')
    await camp.getByRole('button', { name: '{称呼}' }).click()
    await camp.locator('[data-test=campaign-preview]').click()
    await camp.locator('[data-test=campaign-recipients]').getByText('1', { exact: true }).waitFor()
    await camp.locator('[data-test=campaign-sample]').getByText('雁女士您好，邮政网点邀您参加集邮展').waitFor()
    await shot(page, 'g-03-campaign-preview')
    await camp.locator('[data-test=campaign-send]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await page.locator('.el-message--success').getByText('已发送给 1 位客户').waitFor()

    // 营销活动 lists it.
    await page.goto('/customers/campaigns')
    await page.locator('[data-test=campaigns-table]').getByText('{称呼}您好，邮政网点邀您参加集邮展').waitFor()
    await shot(page, 'g-04-campaigns')

    // 客户交接: the dry run counts and changes nothing.
    await selectGroup(page)
    await openAction(page, 'handover')
    const ho = page.locator('[data-test=handover-dialog]')
    await pick(page, ho.locator('[data-test=handover-from]'), M1.name)
    await pick(page, ho.locator('[data-test=handover-to]'), M2.name)
    await ho.locator('[data-test=handover-preview]').click()
    await ho.locator('[data-test=handover-customers]').getByText('4').waitFor()
    await shot(page, 'g-05-handover-dry-run')
    const still = (await api.call('GET', '/customers?q=雁群客户')).data.items
    assert.ok(still.every((c) => c.owner_name === M1.name), 'a dry run changes nothing')

    // The same dialogs in English.
    await page.keyboard.press('Escape')
    await ho.waitFor({ state: 'hidden' })
    await english(page)
    await selectGroup(page)
    await openAction(page, 'campaign')
    await camp.getByRole('button', { name: '{salutation}' }).waitFor()
    await camp.locator('[data-test=campaign-body]').fill('Stamp fair this weekend')
    await camp.locator('[data-test=campaign-preview]').click()
    await camp.getByText('No marketing consent').waitFor()
    await shot(page, 'g-06-campaign-preview-en')
    await page.keyboard.press('Escape')
    await camp.waitFor({ state: 'hidden' })
    await openAction(page, 'tasks')
    await page.locator('[data-test=bulk-task-dialog]').getByText("Each customer's account manager").waitFor()
    await shot(page, 'g-07-bulk-tasks-en')
    await page.keyboard.press('Escape')
    await page.goto('/customers/campaigns')
    await page.locator('[data-test=campaigns-table]').getByText('SMS').waitFor()
    await shot(page, 'g-11-campaigns-en')
  })
})

test('an admin sees a locked account with its end and unlocks it', async () => {
  for (let i = 0; i < 5; i++) await new ApiClient(server.base).call('POST', '/auth/login', { login: LOCKED.login, password: `Wrong-${i}-pass00` })
  await scenario('unlock', async (page) => {
    await signInFirstTime(page, ADMIN)
    await page.goto('/admin/users')
    const row = page.locator('[data-test=users-table] .el-table__row').filter({ hasText: LOCKED.login })
    await row.locator('[data-test=user-locked]').getByText(/已锁定 至 \d\d:\d\d/).waitFor()
    await page.locator('[data-test=users-locked]').click()
    await page.locator('[data-test=users-table] .el-table__row').first().filter({ hasText: LOCKED.login }).waitFor()
    await shot(page, 'g-08-users-locked')
    await row.getByRole('button', { name: '更多' }).click()
    await page.locator('[data-test=user-unlock]:visible').click()
    await page.locator('.el-message--success').getByText(`已解除 ${LOCKED.name} 的锁定`).waitFor()
    await row.waitFor({ state: 'detached' })
    const r = await new ApiClient(server.base).call('POST', '/auth/login', { login: LOCKED.login, password: LOCKED.password })
    assert.equal(r.status, 200, 'the unlocked account signs in')
    await page.locator('[data-test=users-locked]').click()
    await english(page)
    await page.locator('[data-test=users-table]').getByText('Counter clerk').first().waitFor()
    await shot(page, 'g-09-users-en')
  })
})

test('an admin without a branch is asked for one on the customer form', async () => {
  await scenario('branchless', async (page) => {
    await signInFirstTime(page, HQ)
    await page.goto('/customers')
    await page.locator('[data-test=customer-create]').click()
    const dlg = page.locator('[data-test=customer-create-dialog]')
    await dlg.locator('input[name=name]').fill('总部新客户')
    await dlg.locator('input[name=phone]').fill('13902461100')
    await dlg.locator('[data-test=customer-save]').click()
    await dlg.getByText('请选择所属网点').waitFor()
    await dlg.locator('[data-test=consent]').scrollIntoViewIfNeeded()
    await shot(page, 'g-10-branch-pick')
  })
})
