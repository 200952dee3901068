// 统计分析 (issue 19): a manager opens the dashboards, sees the health counts
// of their own enterprises, opens the dormant ones and starts a follow-up
// to-do for them from the list; in 贡献度 clicks the region bars down to a
// branch and lands on the enterprises behind it, then on their waybills;
// a type of the records ring opens those business records.
// Screenshots dash-*.png of the three dashboards at 1366×768, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build) && make build/asan/hongyan
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/dashboards.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { s10, feed, iso } from '../api/lib/waybills.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9701', name: '看板客户经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const OTHER = { login: 'M9702', name: '深圳客户经理', role: 'manager', branch: 'GD-SZ-01', password: PW }
const ADMIN = { login: 'A9701', name: '看板管理员', role: 'admin', branch: 'GD', password: PW }
const NOW = Math.floor(Date.now() / 1000)
const DAY = 86400
const range = (from, to, step) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)
// days back of each enterprise's waybills
const ENTS = [
  { who: 'm', name: '广州恒通电子商务有限公司', industry: 'F', region: '广东省/广州市/天河区', days: range(1, 400, 3) },
  { who: 'm', name: '广州百草堂医药连锁有限公司', industry: 'F', region: '广东省/广州市/越秀区', days: [...range(95, 178, 4), ...range(3, 88, 30)] },
  { who: 'm', name: '广州松柏食品有限公司', industry: 'C', region: '广东省/广州市/海珠区', days: range(40, 170, 9) },
  { who: 'o', name: '深圳南山精密制造有限公司', industry: 'C', region: '广东省/深圳市/南山区', days: range(50, 160, 10) },
]
const PRODUCTS = ['standard', 'economy', 'cold_chain', 'medical', 'heavy']

let server
let browser
let managerApi
const ids = {}

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, OTHER, ADMIN])
  browser = await launchBrowser()
  managerApi = new ApiClient(server.base)
  await managerApi.signIn(MANAGER.login, MANAGER.password, NEW_PASSWORD)
  const otherApi = new ApiClient(server.base)
  await otherApi.signIn(OTHER.login, OTHER.password, NEW_PASSWORD)
  const adminApi = new ApiClient(server.base)
  await adminApi.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  const k = await adminApi.call('POST', '/api-keys', { name: '看板对接', scopes: ['waybills.write'] })
  assert.equal(k.status, 201, JSON.stringify(k.data))
  const lines = []
  let serial = 97000000
  for (const e of ENTS) {
    const api = e.who === 'm' ? managerApi : otherApi
    const r = await api.call('POST', '/enterprises', { name: e.name, industry: e.industry, region: e.region, status: 'active' })
    assert.equal(r.status, 201, JSON.stringify(r.data))
    ids[e.name] = r.data.enterprise.id
    e.days.forEach((back, i) =>
      lines.push({
        waybill_no: s10(serial++),
        enterprise_id: ids[e.name],
        product: PRODUCTS[i % PRODUCTS.length],
        destination: '北京市/北京市/朝阳区',
        weight: 2,
        fee: (18 + (i % 9) * 4.5).toFixed(2),
        collected_at: iso(NOW - back * DAY - 3600),
      }),
    )
  }
  // two customers of the manager's branch with birthdays soon, for 个人客户
  const md = (days) => new Date((NOW + 8 * 3600 + days * DAY) * 1000).toISOString().slice(5, 10)
  for (const [i, c] of [['陈小梅', 5], ['黄志强', 12]].entries()) {
    const r = await managerApi.call('POST', '/customers', { name: c[0], phone: `1390000${String(7001 + i)}`, birthday: `198${i}-${md(c[1])}` })
    assert.equal(r.status, 201, JSON.stringify(r.data))
    // a business record of this month each, for the records ring
    const rec = await managerApi.call('POST', `/customers/${r.data.customer.id}/interactions`, { type: 'ems', occurred_at: iso(NOW - 60), description: '看板记录' })
    assert.equal(rec.status, 201, JSON.stringify(rec.data))
  }
  const w = await feed({ baseUrl: server.base }, '/waybills:batch', k.data.secret, lines)
  assert.equal(w.status, 200, w.text)
  assert.equal(w.body.refused, 0, w.text)
  // health is read from the server's snapshot: made now, not waited for
  const f = await adminApi.call('POST', '/dashboards/refresh')
  assert.equal(f.status, 200, JSON.stringify(f.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const card = (page, status) => page.locator(`[data-test=health-${status}] [data-test=kpi-value]`)

/** Wait until the region chart draws a bar named name (its text table; null:
 * any but the city's) and the dashboard is loaded. */
async function regionBars(page, name) {
  const th = page.locator('[data-test=contrib-region] [data-test=chart-data] th')
  await (name ? th.filter({ hasText: name }) : th.filter({ hasNotText: '广州市' })).first().waitFor({ state: 'attached' })
  await page.locator('[data-test=dash-contribution] > .el-loading-mask').waitFor({ state: 'detached' })
}

/** Click the middle of the only bar of a chart (the bars rise from the axis). */
async function clickOnlyBar(page, chart) {
  const box = await page.locator(`[data-test=${chart}] canvas`).first().boundingBox()
  await page.mouse.click(box.x + box.width / 2 + 10, box.y + box.height * 0.6)
}

test('a manager sees the health of their enterprises, opens the dormant ones and gives each a to-do', async () => {
  await runScenario(browser, server, 'dash-health', async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.locator('.el-menu-item, .el-sub-menu__title').filter({ hasText: '统计分析' }).first().click()
    await page.waitForURL(/\/reports/)
    // own enterprises only: one of each kind, the Shenzhen one not counted
    await assert.doesNotReject(page.locator('[data-test=health-healthy] [data-test=kpi-value]', { hasText: /^1$/ }).waitFor())
    assert.equal(await card(page, 'churn').innerText(), '1')
    assert.equal(await card(page, 'dormant').innerText(), '1')
    assert.equal(await page.locator('[data-test=health-total] [data-test=kpi-value]').innerText(), '3')
    assert.match(await page.locator('[data-test=health-refreshed]').innerText(), /^数据更新于 \d\d-\d\d \d\d:\d\d/)
    await page.locator('[data-test=health-trend] canvas').waitFor()
    await shot(page, 'dash-health-zh')

    await page.locator('[data-test=health-dormant]').click()
    const drawer = page.locator('[data-test=health-drawer]')
    await drawer.locator('[data-test=health-row]', { hasText: '广州松柏食品有限公司' }).waitFor()
    assert.equal(await drawer.locator('[data-test=health-row]').count(), 1)
    await shot(page, 'dash-health-dormant-zh')

    await drawer.locator('[data-test=health-bulk-task]').click()
    const dlg = page.locator('[data-test=bulk-task-dialog]')
    await dlg.locator('[data-test=bulk-task-title]').fill('沉睡客户回访：了解停寄原因')
    await dlg.locator('[data-test=bulk-task-preview]').click()
    await dlg.locator('[data-test=bulk-task-total]', { hasText: '将为 1 家大客户各建一条跟进任务' }).waitFor()
    await shot(page, 'dash-health-task-zh')
    await dlg.locator('[data-test=bulk-task-submit]').click()
    await page.locator('.el-message--success', { hasText: '已创建 1 条跟进任务' }).waitFor()
  })
  const tasks = await managerApi.call('GET', `/enterprises/${ids['广州松柏食品有限公司']}/tasks`)
  assert.deepEqual(
    tasks.data.items.map((t) => t.title),
    ['沉睡客户回访：了解停寄原因'],
  )
})

test('contribution: clicking the region bars down to a branch lands on its enterprises, then their waybills', async () => {
  await runScenario(browser, server, 'dash-contribution', async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.goto('/reports?tab=contribution')
    await page.locator('[data-test=contrib-region] canvas').waitFor()
    await page.locator('[data-test=contrib-industry] [data-test=donut-item]').first().waitFor()
    await shot(page, 'dash-contribution-zh')
    await clickOnlyBar(page, 'contrib-region') // 广东省 → its cities
    await regionBars(page, '广州市')
    await clickOnlyBar(page, 'contrib-region') // 广州市 → its branches
    await page.locator('[data-test=contrib-region-crumbs]', { hasText: '广州市' }).waitFor()
    await regionBars(page, null) // a branch's name, no longer the city
    await clickOnlyBar(page, 'contrib-region') // the branch → its enterprises
    const drawer = page.locator('[data-test=contrib-drawer]')
    await drawer.locator('[data-test=contrib-row]').first().waitFor()
    const names = await drawer.locator('[data-test=contrib-row]').allInnerTexts()
    assert.ok(names.includes('广州恒通电子商务有限公司'), names.join())
    assert.ok(!names.includes('深圳南山精密制造有限公司'))
    await shot(page, 'dash-contribution-drill-zh')
    await drawer.locator('tr', { hasText: '广州恒通电子商务有限公司' }).locator('[data-test=contrib-waybills]').click()
    await page.waitForURL(new RegExp(`/waybills\\?.*enterprise_id=${ids['广州恒通电子商务有限公司']}`))
    await page.locator('.el-table__body tr').first().waitFor()
  })
})

test('the dashboards in Chinese and English; the records ring opens its records', async () => {
  await runScenario(browser, server, 'dash-tour', async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.goto('/reports?tab=customers')
    await page.locator('[data-test=cust-birthdays] [data-test=kpi-value]', { hasText: /^2$/ }).waitFor()
    await page.locator('[data-test=cust-birthdays]').click()
    await page.locator('[data-test=cust-drawer] [data-test=cust-row]', { hasText: '陈小梅' }).waitFor()
    await page.keyboard.press('Escape')
    await shot(page, 'dash-customers-zh')
    await setLang(page, 'en')
    await page.locator('.el-tabs__item', { hasText: 'Customer health' }).click()
    await page.locator('[data-test=health-dormant]', { hasText: 'Dormant' }).waitFor()
    await page.locator('[data-test=health-trend] canvas').waitFor()
    await shot(page, 'dash-health-en')
    await page.locator('[data-test=health-churn]').click()
    await page.locator('[data-test=health-drawer] [data-test=health-row]', { hasText: '广州百草堂医药连锁有限公司' }).waitFor()
    await shot(page, 'dash-health-churn-en')
    await page.keyboard.press('Escape')
    await page.locator('.el-tabs__item', { hasText: 'Contribution' }).click()
    await page.locator('[data-test=contrib-region] canvas').waitFor()
    await page.locator('[data-test=contrib-fee]', { hasText: 'Revenue' }).waitFor()
    await shot(page, 'dash-contribution-en')
    await page.locator('.el-tabs__item', { hasText: 'Individual customers' }).click()
    await page.locator('[data-test=cust-new]', { hasText: 'New customers' }).waitFor()
    await shot(page, 'dash-customers-en')
    // a type of the records ring opens the business records of that type and period
    await page.locator('[data-test=cust-types] [data-test=donut-item]').first().click()
    await page.waitForURL(/\/interactions\?.*type=ems/)
    await page.locator('.el-table__body tr', { hasText: '看板记录' }).first().waitFor()
    assert.equal(await page.locator('.el-table__body tr', { hasText: '看板记录' }).count(), 2)
  })
})
