// 报表引擎 (issue 19): a manager builds a report in the builder (source,
// a dimension, a measure, a condition, a bar chart), saves it, exports it
// to XLSX (the download is checked), puts it on a custom dashboard and
// drills into its bar to the enterprise behind it. Screenshots rb-*.png,
// zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build) && make build/asan/hongyan
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/report_builder.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { s10, feed, iso } from '../api/lib/waybills.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9731', name: '报表设计经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9731', name: '报表设计管理员', role: 'admin', branch: 'GD', password: PW }
const NOW = Math.floor(Date.now() / 1000)
const DAY = 86400

let server
let browser
let managerApi
let entId

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, ADMIN])
  browser = await launchBrowser()
  managerApi = new ApiClient(server.base)
  await managerApi.signIn(MANAGER.login, MANAGER.password, NEW_PASSWORD)
  const adminApi = new ApiClient(server.base)
  await adminApi.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  const k = await adminApi.call('POST', '/api-keys', { name: '报表设计对接', scopes: ['waybills.write'] })
  assert.equal(k.status, 201, JSON.stringify(k.data))
  const e = await managerApi.call('POST', '/enterprises', { name: '广州冷链鲜果有限公司', industry: 'F', region: '广东省/广州市/天河区', status: 'active' })
  assert.equal(e.status, 201, JSON.stringify(e.data))
  entId = e.data.enterprise.id
  const lines = Array.from({ length: 12 }, (_, i) => ({
    waybill_no: s10(96000000 + i),
    enterprise_id: entId,
    product: 'cold_chain',
    destination: '北京市/北京市/朝阳区',
    weight: 2,
    fee: '30.00',
    collected_at: iso(NOW - (i + 1) * DAY),
  }))
  const w = await feed({ baseUrl: server.base }, '/waybills:batch', k.data.secret, lines)
  assert.equal(w.status, 200, w.text)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

/** Pick option `text` of the el-select at locator sel. */
async function pick(page, sel, text) {
  await sel.click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' }).catch(() => {})
}

test('build a report, save it, export XLSX, put it on a dashboard and drill into its bar', async () => {
  await runScenario(browser, server, 'rb', async (page) => {
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.goto(`${server.base}/reports?tab=builder`)
    await page.locator('[data-test=rb-new]').click()
    await page.waitForURL(/\/reports\/builder\/new/)
    await pick(page, page.locator('[data-test=rb-source]'), '寄递月汇总')
    await page.locator('[data-test=rb-add-dim]').click()
    await pick(page, page.locator('[data-test=rb-dim-field]').first(), '产品')
    await pick(page, page.locator('[data-test=rb-measure-fn]').first(), '求和')
    await pick(page, page.locator('[data-test=rb-measure-field]').first(), '件数')
    await page.locator('[data-test=rb-add-cond]').click()
    await pick(page, page.locator('[data-test=rb-cond-field]').first(), '行业')
    await page.locator('input[data-test=rb-cond-value]').fill('F')
    await page.locator('[data-test=report-canvas] canvas').waitFor()
    await shot(page, 'rb-builder-zh')
    await page.locator('[data-test=rb-save]').click()
    await page.locator('input[data-test=rb-save-name]').fill('冷链月度件数')
    await page.locator('[data-test=rb-save-ok]').click()
    await page.waitForURL(/\/reports\/builder\/\d+/)
    const id = Number(page.url().match(/builder\/(\d+)/)[1])
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=rb-xlsx]').click()])
    assert.match(download.suggestedFilename(), /冷链月度件数\.xlsx$/)
    const saved = await managerApi.call('GET', `/reports/${id}/data`)
    assert.equal(saved.data.rows[0].sum_pieces, 12)
    // the dashboard, with the report as its widget
    const d = await managerApi.call('POST', '/report-dashboards', { name: '经营看板', layout: [{ i: 'a', report_id: id, x: 0, y: 0, w: 8, h: 9 }] })
    assert.equal(d.status, 201, JSON.stringify(d.data))
    await page.goto(`${server.base}/reports/dashboards/${d.data.id}`)
    const canvas = page.locator('[data-test=rb-widget] [data-test=report-canvas] canvas')
    await canvas.waitFor()
    await shot(page, 'rb-dashboard-zh')
    // one bar, in the middle of the plot, as high as the axis: click its middle
    const box = await canvas.boundingBox()
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.5)
    const drawer = page.locator('[data-test=drill-drawer]')
    await drawer.locator('[data-test=drill-link]', { hasText: '广州冷链鲜果有限公司' }).first().waitFor()
    await shot(page, 'rb-drill-zh')
    await drawer.locator('[data-test=drill-link]').first().click()
    await page.waitForURL(new RegExp(`/enterprises/${entId}`))
    await setLang(page, 'en')
    await page.goto(`${server.base}/reports/builder/${id}`)
    await page.locator('[data-test=report-canvas] canvas').waitFor()
    await shot(page, 'rb-builder-en')
    await page.goto(`${server.base}/reports?tab=builder`)
    await page.locator('[data-test=rb-reports] .el-table__body tr').first().waitFor()
    await shot(page, 'rb-list-en')
  })
})
