// 业务记录, 待办事项 and 提醒 as staff meet them (seed 000 二.4, 三.2): a
// clerk records a parcel with a follow-up date; on that day (the server's
// test clock moved) the follow-up is in 今日待办; the clerk completes it
// with an outcome and the customer's timeline shows both. Also: a promise,
// the bell (a notification opens its task), the calendar feed, the reminder
// rules and the team view.
// Screenshots of every page land in build/screenshots/ (t-*.png).
//
//   make build/hongyan && npm --prefix web run build
//   node --test tests/browser/tasks.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient } from './harness.mjs'

const CLERK = { login: 'C9201', name: '天河柜员甲', role: 'clerk', branch: 'GD-GZ-01', password: 'Initial2026pw' }
const ADMIN = { login: 'A9201', name: '提醒管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const SUPERVISOR = { login: 'S9201', name: '广州主管乙', role: 'supervisor', branch: 'GD-GZ', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'
const CUSTOMER = { name: '柳青青', phone: '13800138567' }

let server
let browser
let clerkApi
let adminApi
let supervisorApi
let customerId

/** A date n days from today in China, YYYY-MM-DD. */
const chinaDate = (n) => new Date(Date.now() + n * 86400000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' })
const FOLLOW_UP = chinaDate(2)

before(async () => {
  checkPrerequisites()
  server = await startServer([CLERK, ADMIN, SUPERVISOR])
  browser = await launchBrowser()
  clerkApi = new ApiClient(server.base)
  await clerkApi.signIn(CLERK.login, CLERK.password, NEW_PASSWORD)
  adminApi = new ApiClient(server.base)
  await adminApi.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  supervisorApi = new ApiClient(server.base)
  await supervisorApi.signIn(SUPERVISOR.login, SUPERVISOR.password, NEW_PASSWORD)
  const r = await clerkApi.call('POST', '/customers', CUSTOMER)
  assert.equal(r.status, 201, JSON.stringify(r.data))
  customerId = r.data.customer.id
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

async function signIn(page, user, redirect = '/') {
  await page.goto('/login' + (redirect !== '/' ? `?redirect=${encodeURIComponent(redirect)}` : ''))
  await page.locator('input[name=login]').fill(user.login)
  await page.locator('input[name=password]').fill(NEW_PASSWORD)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => u.pathname === redirect.split('?')[0])
}

async function setServerClock(iso) {
  const r = await fetch(server.base + '/api/v1/_test/clock', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ now: iso }),
  })
  assert.equal(r.status, 200, await r.text())
}

/** The error text under the form item holding input[name=…]. */
const fieldError = (scope, name) =>
  scope.locator('.el-form-item').filter({ has: scope.page().locator(`input[name="${name}"]`) }).locator('.el-form-item__error')

/** Waits until the home page's figure card shows exactly this number. */
const statShows = (page, key, n) =>
  page.locator(`[data-test=stat-${key}]`).filter({ hasText: new RegExp(`^\\s*${n}\\s*$`) }).waitFor()

/** The texts of the open select dropdown's options. */
const openOptions = (page) => page.locator('.el-select-dropdown__item:visible').allInnerTexts()

test('a clerk records a parcel with a follow-up, completes it on the day, and the timeline shows both', async () => {
  await scenario('tasks-clerk', async (page) => {
    await signIn(page, CLERK)

    // 工作台: the customer made in before() counts; no records or to-dos yet.
    await statShows(page, 'customers', 1)
    await statShows(page, 'interactions', 0)
    await statShows(page, 'todayTasks', 0)
    await statShows(page, 'overdue', 0)

    // 业务记录 from the top menu: the list with its filters.
    await page.locator('[data-test=top-menu] .el-menu-item').filter({ hasText: '业务记录' }).click()
    await page.waitForURL('**/interactions')
    await page.locator('[data-test=interaction-filters]').waitFor()
    await shot(page, 't-records-list-empty')

    // 经办人: colleagues of the branch (from /staff), not another city's clerk.
    await page.locator('[data-test=filter-staff]').click()
    await page.locator('.el-select-dropdown__item:visible').first().waitFor()
    const handlers = await openOptions(page)
    await shot(page, 't-records-staff-filter')
    assert.ok(handlers.some((o) => o.includes(`${CLERK.name} (${CLERK.login})`) && o.includes('我')), `me in ${handlers}`)
    assert.ok(handlers.some((o) => o.includes('王芳 (C0001)') && o.includes('天河路营业所')), `colleague in ${handlers}`)
    assert.ok(!handlers.some((o) => o.includes('C0002')), `no Shenzhen clerk in ${handlers}`)
    await page.keyboard.press('Escape')

    // 登记业务: pick the customer by quick search, type 包裹寄递, a quick phrase.
    await page.locator('[data-test=interaction-create]').click()
    const dlg = page.locator('[data-test=interaction-dialog]')
    await dlg.locator('[data-test=customer-picker]').click()
    await page.keyboard.type('柳青')
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: CUSTOMER.name }).first().click()
    await dlg.locator('[data-test=interaction-type] .el-radio-button').filter({ hasText: '包裹寄递' }).click()
    await dlg.locator('[data-test=quick-phrases] .el-check-tag').filter({ hasText: '办理包裹寄递，目的地' }).click()
    assert.equal(await dlg.locator('textarea[name=description]').inputValue(), '办理包裹寄递，目的地')
    await dlg.locator('textarea[name=description]').fill('办理包裹寄递，目的地上海')
    await dlg.locator('input[name=destination]').fill('上海市')
    await dlg.locator('input[name=amount]').fill('28.50')

    // A wrong check digit: the server's message sits under the field.
    await dlg.locator('input[name=tracking_no]').fill('EA123456789CN')
    await dlg.locator('[data-test=follow-up-switch]').click()
    const due = dlg.locator('input[name=follow_up_date]')
    await due.fill(FOLLOW_UP)
    await due.press('Enter')
    await dlg.locator('input[name=follow_up_title]').fill('回电确认包裹签收')
    await dlg.locator('[data-test=interaction-save]').click()
    await fieldError(dlg, 'tracking_no').waitFor()
    assert.match(await fieldError(dlg, 'tracking_no').innerText(), /.+/)
    await shot(page, 't-record-dialog-error')

    await dlg.locator('input[name=tracking_no]').fill('EA123456785CN')
    await shot(page, 't-record-dialog')
    await dlg.locator('[data-test=interaction-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test=interactions-table] .el-table__body tr').filter({ hasText: CUSTOMER.name })
    await row.waitFor()
    assert.match(await row.innerText(), /EA123456785CN/)
    assert.match(await row.innerText(), /包裹寄递/)
    assert.match(await row.innerText(), /28\.50/)
    await shot(page, 't-records-list')

    // Back on 工作台 the record counts for this month; its card opens the list.
    await page.locator('.header-brand').click()
    await page.waitForURL((u) => u.pathname === '/')
    await statShows(page, 'interactions', 1)
    await statShows(page, 'customers', 1)
    await shot(page, 't-home-figures')
    await page.locator('[data-test=card-interactions]').click()
    await page.waitForURL((u) => u.pathname === '/interactions' && /^\d{4}-\d{2}-01$/.test(u.searchParams.get('from')))
    await page.locator('[data-test=interactions-table] .el-table__body tr').filter({ hasText: CUSTOMER.name }).waitFor()

    // Export: a job, or a clear message while the server cannot export records.
    await page.locator('[data-test=interactions-export]').click()
    const exp = page.locator('[data-test=interactions-export-dialog]')
    await exp.locator('.el-result').waitFor({ timeout: 15000 })
    await shot(page, 't-records-export')
    await exp.getByRole('button', { name: '关闭', exact: true }).click()

    // The follow-up day arrives (the server's clock moves; the session ends).
    await setServerClock(`${FOLLOW_UP}T08:30:00+08:00`)
    await signIn(page, CLERK, '/tasks?view=today')
    const task = page.locator('[data-test=tasks-table] .el-table__body tr').filter({ hasText: '回电确认包裹签收' })
    await task.waitFor()
    assert.match(await task.innerText(), new RegExp(CUSTOMER.name))
    assert.match(await page.locator('[data-test=tab-today]').innerText(), /1/)
    assert.equal((await page.locator('[data-test=nav-badge-today]').innerText()).trim(), '1')
    await shot(page, 't-tasks-today')

    // Complete it with an outcome.
    await task.locator('[data-test=task-complete]').click()
    const done = page.locator('[data-test=complete-dialog]')
    await done.locator('textarea[name=outcome]').fill('已电话告知客户包裹已签收')
    await shot(page, 't-task-complete-dialog')
    await done.locator('[data-test=complete-confirm]').click()
    await done.waitFor({ state: 'hidden' })
    await page.locator('[data-test=tasks-table] .el-table__empty-text').waitFor()
    await page.locator('[data-test=tab-done]').click()
    await page.waitForURL('**/tasks?view=done')
    const closed = page.locator('[data-test=tasks-table] .el-table__body tr').filter({ hasText: '回电确认包裹签收' })
    await closed.waitFor()
    assert.match(await closed.innerText(), /已电话告知客户包裹已签收/)
    await shot(page, 't-tasks-done')

    // The customer's timeline: the record and the completed follow-up.
    await page.goto(`/customers/${customerId}?tab=interactions`)
    const timeline = page.locator('[data-test=customer-timeline]')
    const rec = timeline.locator('[data-test=timeline-record]')
    const fu = timeline.locator('[data-test=timeline-task]')
    await rec.first().waitFor()
    await fu.first().waitFor()
    assert.match(await rec.first().innerText(), /EA123456785CN/)
    assert.match(await rec.first().innerText(), /跟进已完成/)
    assert.match(await fu.first().innerText(), /回电确认包裹签收/)
    assert.match(await fu.first().innerText(), /已电话告知客户包裹已签收/)
    // newest first: the completion (today) above the record (two days ago)
    const kinds = await timeline.locator('.el-timeline-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')))
    assert.deepEqual(kinds, ['timeline-task', 'timeline-record'])
    await shot(page, 't-customer-timeline')

    // 记录承诺: "下周三给您回电话" in one short dialog.
    await page.locator('[data-test=promise-open]').click()
    const promise = page.locator('[data-test=promise-dialog]')
    await promise.locator('[data-test=due-picks] .el-radio-button').filter({ hasText: '下周三' }).click()
    await promise.locator('.el-check-tag').filter({ hasText: '回电确认物流信息' }).click()
    await shot(page, 't-promise-dialog')
    await promise.locator('[data-test=task-save]').click()
    await promise.waitFor({ state: 'hidden' })
    const tasksTab = page.locator('[data-test=customer-tasks]')
    await tasksTab.locator('.el-table__body tr').filter({ hasText: '回电确认物流信息' }).waitFor()
    await shot(page, 't-customer-tasks')

    // The bell: a task given to the clerk by an administrator.
    await adminApi.signIn(ADMIN.login, NEW_PASSWORD)
    const me = await clerkApi.call('GET', '/auth/me')
    const clerkId = me.status === 200 ? me.data.user.id : (await adminApi.call('GET', '/users?limit=200')).data.items.find((u) => u.login === CLERK.login).id
    const given = await adminApi.call('POST', '/tasks', {
      title: '核对柳青青的报刊订阅地址',
      due_at: `${FOLLOW_UP}T15:00:00+08:00`,
      customer_id: customerId,
      assignee_id: clerkId,
    })
    assert.equal(given.status, 201, JSON.stringify(given.data))
    await page.reload()
    await page.locator('[data-test=bell-badge] .el-badge__content').filter({ hasText: '1' }).waitFor({ timeout: 15000 })
    await page.locator('[data-test=bell]').click()
    const bell = page.locator('[data-test=bell-dropdown]')
    await bell.locator('[data-test=bell-item]').filter({ hasText: '核对柳青青的报刊订阅地址' }).waitFor()
    await shot(page, 't-bell-dropdown')
    await bell.locator('[data-test=bell-item]').first().click()
    // The notification opens its task: ?task=<id>, the task in a card above
    // the tabs with its actions, and its row in the list marked.
    const givenId = String(given.data.task.id)
    await page.waitForURL((u) => u.pathname === '/tasks' && u.searchParams.get('task') === givenId)
    const focus = page.locator('[data-test=task-focus]')
    const focusRow = focus.locator('[data-test=task-focus-table] .el-table__body tr')
    await focusRow.filter({ hasText: '核对柳青青的报刊订阅地址' }).waitFor()
    assert.equal(await focusRow.count(), 1)
    assert.match(await focusRow.innerText(), new RegExp(CUSTOMER.name))
    assert.equal(await focusRow.locator('[data-test=task-complete]').count(), 1)
    const marked = page.locator('[data-test=tasks-table] .el-table__body tr.row-focus')
    await marked.filter({ hasText: '核对柳青青的报刊订阅地址' }).waitFor()
    assert.equal(await marked.count(), 1)
    await page.locator('[data-test=side-menu] .el-menu-item.is-active').filter({ hasText: '今日待办' }).waitFor()
    await page.locator('[data-test=bell-badge] .el-badge__content').waitFor({ state: 'hidden' })
    await shot(page, 't-task-from-bell')
    // Closing the card leaves the list, without ?task and without the mark.
    await focus.locator('[data-test=task-focus-close]').click()
    await focus.waitFor({ state: 'detached' })
    assert.equal(new URL(page.url()).searchParams.get('task'), null)
    await page.locator('[data-test=tasks-table] .el-table__body tr').filter({ hasText: '核对柳青青的报刊订阅地址' }).waitFor()
    assert.equal(await marked.count(), 0)
    // A task out of reach (someone else's): a clear message, not an empty card.
    await page.goto('/tasks?task=987654')
    await page.locator('[data-test=task-focus-missing]').waitFor()

    // 个人设置 → 日历订阅: a secret .ics URL with the open tasks.
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-profile]').click()
    const profile = page.locator('[data-test=profile-dialog]')
    await profile.locator('.el-tabs__item').filter({ hasText: '日历订阅' }).click()
    const status = profile.locator('[data-test=calendar-status]')
    await status.getByText('未启用').waitFor()
    assert.equal(await profile.locator('[data-test=calendar-revoke]').count(), 0)
    await profile.locator('[data-test=calendar-create]').click()
    const urlInput = profile.locator('input[data-test=calendar-url]')
    await urlInput.waitFor()
    const feedUrl = await urlInput.inputValue()
    assert.match(feedUrl, /\/api\/v1\/calendar\/.+\.ics$/)
    await status.getByText('已启用').waitFor()
    await shot(page, 't-calendar-feed')
    const ics = await fetch(feedUrl)
    assert.equal(ics.status, 200)
    const text = await ics.text()
    assert.match(text, /BEGIN:VCALENDAR/)
    assert.match(text, /回电确认物流信息/)

    // Opened again: the link is active (since when), but no longer shown.
    await page.keyboard.press('Escape')
    await profile.waitFor({ state: 'hidden' })
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-profile]').click()
    await profile.locator('.el-tabs__item').filter({ hasText: '日历订阅' }).click()
    await status.getByText('已启用').waitFor()
    assert.match(await status.innerText(), /创建于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
    assert.equal(await urlInput.count(), 0)
    assert.match(await profile.locator('[data-test=calendar-hidden]').innerText(), /重新生成/)
    assert.equal((await profile.locator('[data-test=calendar-create]').innerText()).trim(), '重新生成')
    await shot(page, 't-calendar-feed-active')
    await profile.locator('[data-test=calendar-revoke]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '停用链接' }).click()
    await status.getByText('未启用').waitFor()
    assert.equal((await fetch(feedUrl)).status, 404)
  })
})

test('an admin edits reminder rules, runs them, and reassigns in the team view', async () => {
  await scenario('tasks-admin', async (page) => {
    await signIn(page, ADMIN)
    await page.goto('/admin/reminder-rules')
    const table = page.locator('[data-test=rules-table]')
    await table.locator('.el-table__body tr').filter({ hasText: '高价值客户季度回访' }).waitFor()
    assert.match(await table.innerText(), /每季度/)
    await shot(page, 't-rules-list')

    // A new periodic rule: 每月 for one region, with the title placeholders.
    await page.locator('[data-test=rule-create]').click()
    const dlg = page.locator('[data-test=rule-dialog]')
    await dlg.locator('input[name=rule_name]').fill('天河区月度回访')
    await dlg.locator('[data-test=rule-kind] .el-radio-button').filter({ hasText: '周期回访' }).click()
    await dlg.locator('[data-test=rule-preset]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '每月' }).first().click()
    await dlg.locator('input[name=title_template]').fill('月度回访 ')
    await dlg.locator('.el-check-tag').filter({ hasText: '{name}' }).click()
    assert.match(await dlg.locator('input[name=title_template]').inputValue(), /\{name\}/)
    await shot(page, 't-rule-dialog')
    await dlg.locator('[data-test=rule-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const created = table.locator('.el-table__body tr').filter({ hasText: '天河区月度回访' })
    await created.waitFor()
    assert.match(await created.innerText(), /每月/)

    // Disable it, then delete it.
    await created.locator('[data-test=rule-enabled]').click()
    // off, and no longer busy saving (a switch is disabled while it loads)
    await created.locator('[data-test=rule-enabled]:not(.is-checked):not(.is-disabled)').waitFor()
    await created.locator('[data-test=rule-delete]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await created.waitFor({ state: 'detached' })

    // Edit the seeded quarterly rule: its tag condition shows in the panel.
    await table.locator('.el-table__body tr').filter({ hasText: '高价值客户季度回访' }).locator('[data-test=rule-edit]').click()
    await dlg.locator('[data-test=filter-panel]').waitFor()
    await shot(page, 't-rule-edit')
    await dlg.getByRole('button', { name: '取消' }).click()

    await page.locator('[data-test=rules-run]').click()
    await page.locator('.el-message--success').filter({ hasText: '提醒规则已运行' }).waitFor()

    // 团队待办: the clerk's open tasks, reassigned to the admin.
    await page.goto('/tasks?view=team')
    await page.locator('[data-test=team-bar]').waitFor()
    const row = page.locator('[data-test=tasks-table] .el-table__body tr').filter({ hasText: '回电确认物流信息' })
    await row.waitFor()
    await shot(page, 't-tasks-team')
    await row.locator('[data-test=task-assign]').click()
    const assign = page.locator('[data-test=assign-dialog]')
    await assign.locator('[data-test=assign-user]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: ADMIN.name }).first().click()
    await assign.locator('[data-test=assign-confirm]').click()
    await assign.waitFor({ state: 'hidden' })
    await row.filter({ hasText: ADMIN.name }).waitFor()

    // Manual task with the create dialog.
    await page.locator('[data-test=task-create]').click()
    const tdlg = page.locator('[data-test=task-dialog]')
    await tdlg.locator('input[name=task_title]').fill('整理本周集邮预订名单')
    await tdlg.locator('[data-test=due-picks] .el-radio-button').filter({ hasText: '明天' }).click()
    await shot(page, 't-task-create-dialog')
    await tdlg.locator('[data-test=task-save]').click()
    await tdlg.waitFor({ state: 'hidden' })
  })
})

test('a supervisor sees the whole team in the pickers and reassigns to a clerk of the branch', async () => {
  await supervisorApi.signIn(SUPERVISOR.login, NEW_PASSWORD) // the clock moved on: sessions ended
  const title = '核对天河路营业所报刊征订名单'
  const made = await supervisorApi.call('POST', '/tasks', { title, due_at: `${chinaDate(3)}T10:00:00+08:00` })
  assert.equal(made.status, 201, JSON.stringify(made.data))

  // GET /staff: the city and its branches, not Shenzhen; names and staff numbers only.
  const team = await supervisorApi.call('GET', '/staff')
  assert.equal(team.status, 200, JSON.stringify(team.data))
  const logins = team.data.items.map((u) => u.login)
  for (const l of [SUPERVISOR.login, CLERK.login, 'C0001', 'M0001']) assert.ok(logins.includes(l), `${l} in ${logins}`)
  assert.ok(!logins.includes('C0002'), `no Shenzhen clerk in ${logins}`)
  assert.equal(team.data.items.find((u) => u.login === CLERK.login).branch_name, '天河路营业所')
  assert.equal(team.data.items[0].phone, undefined)
  const found = await supervisorApi.call('GET', '/staff?q=' + encodeURIComponent('天河柜员'))
  assert.deepEqual(found.data.items.map((u) => u.login), [CLERK.login])

  await scenario('tasks-supervisor', async (page) => {
    await signIn(page, SUPERVISOR, '/tasks?view=team')
    await page.locator('[data-test=team-bar]').waitFor()
    const row = page.locator('[data-test=tasks-table] .el-table__body tr').filter({ hasText: title })
    await row.waitFor()

    // 转派: the clerk of a branch below, labelled name (staff number) · branch.
    await row.locator('[data-test=task-assign]').click()
    const assign = page.locator('[data-test=assign-dialog]')
    await assign.locator('[data-test=assign-user]').click()
    await page.locator('.el-select-dropdown__item:visible').first().waitFor()
    const options = await openOptions(page)
    assert.ok(options.some((o) => o.includes(`${CLERK.name} (${CLERK.login})`) && o.includes('天河路营业所')), `clerk in ${options}`)
    assert.ok(!options.some((o) => o.includes('C0002')), `no Shenzhen clerk in ${options}`)
    await shot(page, 't-tasks-assign-supervisor')
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: `(${CLERK.login})` }).click()
    assert.match(await assign.locator('[data-test=assign-user]').innerText(), new RegExp(`${CLERK.name} \\(${CLERK.login}\\) · 天河路营业所`))
    await assign.locator('[data-test=assign-confirm]').click()
    await assign.waitFor({ state: 'hidden' })
    await row.filter({ hasText: CLERK.name }).waitFor()

    // The assignee filter offers the same team.
    await page.locator('[data-test=team-assignee]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: `(${CLERK.login})` }).click()
    await row.waitFor()
    await shot(page, 't-tasks-team-supervisor')
  })
})
