// Service tickets (issue 17, the core) as staff meet them: a clerk logs a
// ticket at the counter in two steps for a VIP enterprise's contact (find
// by mobile, then the form); it lands with the enterprise's dedicated
// manager, who sees its first-response countdown, replies to the customer,
// and the countdown gives way to the time of the first response. The
// admin's SLA page. Screenshots t-*.png in Chinese and English.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/tickets.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const CLERK = { login: 'C9191', name: '柜台柜员', role: 'clerk', branch: 'GD-GZ-01', password: PW }
const MANAGER = { login: 'M9191', name: '专属经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9191', name: '工单管理员', role: 'admin', branch: 'GD', password: PW }
const MOBILE = '13712345678'
const SUBJECT = '精密仪器外箱破损，要求核实'
const REPLY = '您好，已收到，今天内给您答复。'

let server
let browser
let ticketNo

before(async () => {
  checkPrerequisites()
  server = await startServer([CLERK, MANAGER, ADMIN])
  browser = await launchBrowser()
  for (const u of [CLERK, MANAGER]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  const admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  // The VIP target counted round the clock, so the countdown the test reads
  // does not depend on the hour the suite runs at (business hours are the
  // business calendar's tests).
  const pol = await admin.call('PUT', '/sla-policies/vip/normal', { first_response_minutes: 15, resolution_minutes: 480, calendar: '24x7' })
  assert.equal(pol.status, 200, JSON.stringify(pol.data))
  const users = (await admin.call('GET', '/users?limit=200')).data.items
  const branches = (await admin.call('GET', '/branches')).data.items
  const e = await admin.call('POST', '/enterprises', {
    name: '广州精密仪器有限公司',
    status: 'active',
    branch_id: branches.find((b) => b.code === 'GD-GZ-01').id,
    owner_id: users.find((u) => u.login === MANAGER.login).id,
  })
  assert.equal(e.status, 201, JSON.stringify(e.data))
  const c = await admin.call('POST', `/enterprises/${e.data.enterprise.id}/contacts`, { name: '周采购', mobile: MOBILE, roles: ['liaison'] })
  assert.equal(c.status, 201, JSON.stringify(c.data))
  // A standard ticket in the queue, so the list shows both kinds of rows.
  const p = await admin.call('POST', '/enterprises', { name: '广州小商户贸易行', status: 'active', branch_id: branches.find((b) => b.code === 'GD-GZ-01').id })
  const q = await admin.call('POST', '/tickets', { channel: 'phone', type: 'invoice', priority: 'low', subject: '申请开具11月发票', enterprise_id: p.data.enterprise.id })
  assert.equal(q.status, 201, JSON.stringify(q.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)
const text = async (loc) => (await loc.innerText()).trim()

test('the clerk logs a ticket at the counter in two steps; it lands with the dedicated manager', () =>
  scenario('tickets-clerk', async (page) => {
    await signInAs(page, CLERK.login, NEW_PASSWORD)
    await page.locator('.el-menu-item').filter({ hasText: '服务工单' }).first().click()
    await page.waitForURL((u) => u.pathname === '/tickets')
    await page.locator('[data-test=ticket-link]').first().waitFor()
    await page.locator('[data-test=ticket-new]').click()
    const dlg = page.locator('.el-dialog').filter({ hasText: '查找客户' })
    await dlg.locator('[data-test=ticket-phone]').fill(MOBILE)
    await dlg.locator('[data-test=ticket-find]').click()
    const row = dlg.locator('[data-test=ticket-matches] .el-table__row').filter({ hasText: '周采购' })
    await row.waitFor()
    assert.match(await text(row), /广州精密仪器有限公司/)
    await shot(page, 't-02-new-step1')
    await row.locator('[data-test=ticket-pick]').click()
    await dlg.locator('[data-test=ticket-step2]').waitFor()
    await dlg.locator('[data-test=ticket-type]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '投诉' }).click()
    await dlg.locator('[data-test=ticket-subject]').fill(SUBJECT)
    await dlg.locator('[data-test=ticket-description]').fill('收件时发现外箱破损，仪器可能受损，请尽快核实并答复。')
    await shot(page, 't-03-new-step2')
    await dlg.locator('[data-test=ticket-save]').click()
    await page.waitForURL((u) => /^\/tickets\/\d+$/.test(u.pathname))
    await page.locator('[data-test=detail-assignee]').filter({ hasText: MANAGER.name }).waitFor()
    assert.match(await text(page.locator('[data-test=sla-first-response]')), /剩 1[45]分钟/)
    assert.match(await text(page.locator('[data-test=detail-timeline]')), new RegExp(`分派给 ${MANAGER.name} · 专属客户经理`))
    ticketNo = (await text(page.locator('.page-title'))).split(' ')[0]
    await shot(page, 't-04-detail')

    await page.goto('/tickets')
    const mine = page.locator('[data-test=tickets-table] .el-table__row').filter({ hasText: ticketNo })
    await mine.waitFor()
    assert.match(await text(mine.locator('[data-test=ticket-assignee]')), new RegExp(MANAGER.name))
    // nearest deadline first: the VIP ticket's 15 minutes before the low-priority queue ticket
    assert.match(await text(page.locator('[data-test=ticket-link]').first()), new RegExp(ticketNo))
    await shot(page, 't-01-list')

    await setLang(page, 'en')
    await page.locator('[data-test=ticket-new]').filter({ hasText: 'New ticket' }).waitFor()
    await shot(page, 't-01-list-en')
    await page.locator('[data-test=ticket-new]').click()
    await page.locator('[data-test=ticket-phone]').fill(MOBILE)
    await page.locator('[data-test=ticket-find]').click()
    await page.locator('[data-test=ticket-pick]').first().waitFor()
    await shot(page, 't-02-new-step1-en')
    await page.locator('[data-test=ticket-pick]').first().click()
    await page.locator('[data-test=ticket-step2]').waitFor()
    await shot(page, 't-03-new-step2-en')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=ticket-link]').first().click()
    await page.locator('[data-test=detail-timeline]').waitFor()
    await shot(page, 't-04-detail-en')
  }))

test('the manager replies to the customer: the first response is recorded and its countdown gives way', () =>
  scenario('tickets-manager', async (page) => {
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.goto('/tickets?view=mine')
    await page.locator('[data-test=tickets-table] .el-table__row').filter({ hasText: ticketNo }).locator('[data-test=ticket-link]').click()
    const fr = page.locator('[data-test=sla-first-response]')
    await fr.filter({ hasText: '剩' }).waitFor()
    await page.locator('[data-test=reply-text]').fill(REPLY)
    await page.locator('[data-test=reply-send]').click()
    await fr.filter({ hasText: '首次响应' }).filter({ hasText: '已于' }).waitFor()
    assert.doesNotMatch(await text(fr), /剩/)
    assert.equal(await text(page.locator('[data-test=detail-status]')), '处理中')
    assert.match(await text(page.locator('[data-test=detail-timeline]')), new RegExp(REPLY))
    await shot(page, 't-05-replied')

    // the enterprise's 服务工单 tab lists it, without the countdown now answered
    await page.locator('.facts a[href^="/enterprises/"]').click()
    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: '服务工单' }).click()
    const row = page.locator('[data-test=tickets-table] .el-table__row').filter({ hasText: ticketNo })
    await row.waitFor()
    assert.equal(await text(row.locator('[data-test=ticket-status]')), '处理中')
    await shot(page, 't-07-enterprise-tab')
  }))

test('the admin keeps the SLA policies and the escalation ladder', () =>
  scenario('tickets-admin', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/sla')
    await page.locator('[data-test=sla-fr-vip-normal]').waitFor()
    assert.equal(await page.locator('[data-test=sla-fr-vip-normal] input').inputValue(), '15')
    await shot(page, 't-06-sla')
    // an API key for an enterprise's own system names that enterprise
    await page.goto('/admin/api-keys')
    await page.locator('[data-test=apikey-create]').click()
    await page.locator('.el-checkbox').filter({ hasText: '提交服务工单' }).click()
    await page.locator('[data-test=apikey-enterprise]').waitFor()
    await shot(page, 't-08-apikey-dialog')
    await page.keyboard.press('Escape')

    await page.goto('/admin/sla')
    await setLang(page, 'en')
    await page.locator('.page-title').filter({ hasText: 'SLA policies' }).waitFor()
    await shot(page, 't-06-sla-en')
  }))
