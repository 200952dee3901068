// 服务效率 (issue 19): a supervisor opens the service dashboard of their
// branch, sees the KPI cards, the twelve-month trends and the leaderboard
// per manager (busiest first), sorts it by first-contact resolution, and
// opens a manager's row to the tickets behind it, then one of them.
// Screenshots dash-service-*.png at 1366×768, zh and en.
//
//   (cd web && npx vite build) && make build/asan/hongyan
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/dashboard_service.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { waitFor } from '../api/lib/wait.mjs'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const SUPERVISOR = { login: 'S9721', name: '服务看板主管', role: 'supervisor', branch: 'GD-GZ-01', password: PW }
const FAST = { login: 'M9721', name: '服务经理周敏', role: 'manager', branch: 'GD-GZ-01', password: PW }
const BUSY = { login: 'M9722', name: '服务经理黄强', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9721', name: '服务看板管理员', role: 'admin', branch: 'GD', password: PW }

let server
let browser
const tickets = { [FAST.login]: [], [BUSY.login]: [] }

before(async () => {
  checkPrerequisites()
  server = await startServer([SUPERVISOR, FAST, BUSY, ADMIN])
  browser = await launchBrowser()
  const api = {}
  for (const u of [SUPERVISOR, FAST, BUSY, ADMIN]) {
    api[u.login] = new ApiClient(server.base)
    await api[u.login].signIn(u.login, u.password, NEW_PASSWORD)
  }
  const admin = api[ADMIN.login]
  const users = Object.fromEntries((await admin.call('GET', '/users?limit=200')).data.items.map((u) => [u.login, u.id]))
  const branch = (await admin.call('GET', '/branches')).data.items.find((b) => b.code === 'GD-GZ-01').id
  // FAST answers each ticket once and resolves it; BUSY has more tickets,
  // answers twice before resolving, or not at all: so the busiest row is
  // not the best at first-contact resolution
  const plan = [
    [FAST, '13712347201', [[1, 5, 10], [1, 4, 9]]],
    [BUSY, '13712347202', [[2, 3, 6], [2, 2, 5], [0, 0, 0]]],
  ]
  let n = 0
  for (const [who, mobile, list] of plan) {
    let r = await admin.call('POST', '/enterprises', { name: `${who.name.slice(4)}服务企业有限公司`, status: 'active', branch_id: branch, owner_id: users[who.login] })
    assert.equal(r.status, 201, JSON.stringify(r.data))
    const ent = r.data.enterprise
    r = await admin.call('POST', `/enterprises/${ent.id}/contacts`, { name: `联系人${who.login}`, mobile, roles: ['liaison'] })
    const contact = r.data.contact
    for (const [replies, csat, nps] of list) {
      r = await admin.call('POST', '/tickets', { channel: 'counter', type: 'complaint', subject: `包裹外箱破损核实 ${++n}`, enterprise_id: ent.id, contact_id: contact.id })
      assert.equal(r.status, 201, JSON.stringify(r.data))
      const tk = r.data.ticket
      tickets[who.login].push(tk.ticket_no)
      if (!replies) continue
      // answered some minutes later (the test clock), so response times show
      await admin.call('POST', '/_test/clock', { advance_seconds: 60 * (3 + 4 * n) })
      for (let i = 0; i < replies; i++) await api[who.login].call('POST', `/tickets/${tk.id}/replies`, { body: '您好，已联系转运中心核实' })
      r = await api[who.login].call('POST', `/tickets/${tk.id}/status`, { status: 'resolved' })
      assert.equal(r.status, 200, JSON.stringify(r.data))
      // the survey link of the resolution, answered
      const m = await waitFor(async () => (await admin.call('GET', '/dev-mailbox?limit=100')).data.items.find((x) => String(x.body).includes(tk.ticket_no) && String(x.body).includes('/survey/')), { what: `the survey of ${tk.ticket_no}` })
      const token = String(m.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/)[1]
      r = await new ApiClient(server.base).call('POST', `/surveys/${token}`, { csat, nps })
      assert.equal(r.status, 200, JSON.stringify(r.data))
    }
  }
  // the dashboard reads the server's snapshot: made now, not waited for
  const f = await admin.call('POST', '/dashboards/refresh')
  assert.equal(f.status, 200, JSON.stringify(f.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const boardNames = (page) => page.locator('[data-test=svc-board] [data-test=svc-row]').allInnerTexts()

test('a supervisor sorts the service leaderboard and opens a manager\'s tickets', async () => {
  await runScenario(browser, server, 'dash-service', async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    await signInAs(page, SUPERVISOR.login, NEW_PASSWORD)
    await page.goto('/reports?tab=service')
    await page.locator('[data-test=svc-board] [data-test=svc-row]').nth(1).waitFor()
    await page.locator('[data-test=svc-trend-response] canvas').waitFor()
    // two of the four resolved tickets were answered once and never reopened
    assert.equal(await page.locator('[data-test=svc-fcr] [data-test=kpi-value]').innerText(), '50.0%')
    assert.deepEqual(await boardNames(page), [BUSY.name, FAST.name], 'the busiest first')
    await shot(page, 'dash-service-zh')

    await page.locator('[data-test=svc-board] th', { hasText: '一次解决率' }).click()
    await page.waitForFunction(() => document.querySelector('[data-test=svc-board] [data-test=svc-row]').textContent === '服务经理周敏')
    assert.deepEqual(await boardNames(page), [FAST.name, BUSY.name], 'the best first-contact resolution first')
    await page.locator('[data-test=svc-board]').scrollIntoViewIfNeeded()
    await shot(page, 'dash-service-board-zh')

    await page.locator('[data-test=svc-board] [data-test=svc-row]', { hasText: BUSY.name }).click()
    const drawer = page.locator('[data-test=svc-drawer]')
    await drawer.locator('[data-test=svc-ticket]').nth(2).waitFor()
    assert.deepEqual((await drawer.locator('[data-test=svc-ticket]').allInnerTexts()).sort(), [...tickets[BUSY.login]].sort())
    await shot(page, 'dash-service-drill-zh')
    const first = await drawer.locator('[data-test=svc-ticket]').first().innerText()
    await drawer.locator('[data-test=svc-ticket]').first().click()
    await page.waitForURL(/\/tickets\/\d+$/)
    await page.getByText(first).first().waitFor()
  })
})

test('the service dashboard in English, by branch', async () => {
  await runScenario(browser, server, 'dash-service-en', async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 })
    await signInAs(page, SUPERVISOR.login, NEW_PASSWORD)
    await setLang(page, 'en')
    await page.goto('/reports?tab=service')
    await page.locator('[data-test=svc-fcr]', { hasText: 'First-contact resolution' }).waitFor()
    await page.locator('[data-test=svc-trend-response] canvas').waitFor()
    await shot(page, 'dash-service-en')
    await page.locator('[data-test=svc-group] label', { hasText: 'By branch' }).click()
    await page.locator('[data-test=svc-board] th', { hasText: 'Branch' }).waitFor()
    assert.equal((await boardNames(page)).length, 1)
    await page.locator('[data-test=svc-board] [data-test=svc-row]').first().click()
    await page.locator('[data-test=svc-drawer] [data-test=svc-ticket]').nth(4).waitFor()
    await shot(page, 'dash-service-drill-en')
  })
})
