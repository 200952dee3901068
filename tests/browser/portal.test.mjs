// The contact portal (issue 17, "Done when"): a VIP enterprise's contact,
// on a phone, signs in with the SMS code (read from the dev mailbox),
// files a ticket; it lands with the dedicated manager, who replies in the
// staff UI; the contact sees the reply in the portal; the ticket is
// resolved; the contact opens the survey link of the SMS and rates it; the
// score shows on the staff ticket page and the enterprise's 满意度 tab.
// Screenshots p-*.png of every portal page in Chinese and English on a
// phone-sized viewport, and the 满意度 tab.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/portal.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, newPage } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9331', name: '专属经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9331', name: '门户管理员', role: 'admin', branch: 'GD', password: PW }
const MOBILE = '13712345678'
const SUBJECT = '精密仪器外箱破损，要求核实'
const REPLY = '您好，已联系转运中心核实，今天内给您答复。'
const PHONE = { width: 390, height: 844 }

let server
let browser
let admin
let enterpriseId

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, ADMIN])
  browser = await launchBrowser()
  await new ApiClient(server.base).signIn(MANAGER.login, MANAGER.password, NEW_PASSWORD)
  admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  const users = (await admin.call('GET', '/users?limit=200')).data.items
  const branches = (await admin.call('GET', '/branches')).data.items
  const e = await admin.call('POST', '/enterprises', {
    name: '广州精密仪器有限公司',
    status: 'active',
    branch_id: branches.find((b) => b.code === 'GD-GZ-01').id,
    owner_id: users.find((u) => u.login === MANAGER.login).id,
  })
  assert.equal(e.status, 201, JSON.stringify(e.data))
  enterpriseId = e.data.enterprise.id
  const c = await admin.call('POST', `/enterprises/${enterpriseId}/contacts`, { name: '周采购', mobile: MOBILE, roles: ['liaison'] })
  assert.equal(c.status, 201, JSON.stringify(c.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const text = async (loc) => (await loc.innerText()).trim()

/** The newest SMS to MOBILE whose body matches re (polled: the outbox delivers it). */
async function smsMatching(re, seen) {
  for (let i = 0; i < 100; i++) {
    const r = await admin.call('GET', '/dev-mailbox?limit=50')
    assert.equal(r.status, 200, JSON.stringify(r.data))
    const m = r.data.items.find((x) => x.channel === 'sms' && String(x.recipient).includes(MOBILE) && !seen.has(x.id) && re.test(x.body))
    if (m) {
      seen.add(m.id)
      return re.exec(m.body)
    }
    await new Promise((res) => setTimeout(res, 100))
  }
  assert.fail(`no SMS to ${MOBILE} matching ${re}`)
}

test('a VIP ticket from the portal to the manager\'s first response and the rating', () =>
  runScenario(browser, server, 'portal', async (page) => {
    const seen = new Set()
    await page.setViewportSize(PHONE)

    // The contact signs in with the code sent by SMS.
    await page.goto('/portal')
    await page.waitForURL('**/portal/login')
    await page.locator('[data-test=portal-signin]').waitFor()
    await shot(page, 'p-01-signin')
    await page.locator('input[name=mobile]').fill(MOBILE)
    await page.locator('[data-test=portal-send-code]').click()
    await page.locator('[data-test=portal-code-sent]').waitFor()
    const code = (await smsMatching(/(?<!\d)(\d{6})(?!\d)/, seen))[1]
    await page.locator('input[name=code]').fill(code)
    await shot(page, 'p-02-signin-code')
    await page.locator('[data-test=portal-signin-submit]').click()
    await page.waitForURL((u) => u.pathname === '/portal')
    assert.match(await text(page.locator('[data-test=portal-who]')), /周采购 · 广州精密仪器有限公司/)
    await shot(page, 'p-03-list-empty')

    // ... and files a ticket.
    await page.locator('[data-test=portal-new]').click()
    await page.waitForURL('**/portal/new')
    await page.locator('[data-test=portal-type]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '投诉' }).click()
    await page.locator('input[name=subject]').fill(SUBJECT)
    await page.locator('textarea[name=description]').fill('收件时发现外箱破损，仪器可能受损，请尽快核实并答复。')
    await shot(page, 'p-04-new')
    await page.locator('[data-test=portal-submit]').click()
    await page.waitForURL((u) => /^\/portal\/tickets\/\d+$/.test(u.pathname))
    const ticketId = page.url().split('/').pop()
    const ticketNo = await text(page.locator('[data-test=portal-ticket-no]'))
    assert.equal(await text(page.locator('[data-test=portal-ticket-status]')), '已分派')
    assert.match(await text(page.locator('[data-test=portal-ticket]')), new RegExp(MANAGER.name))
    // a photo of the damage, through the ticket module's checks
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082', 'hex')
    await page.locator('[data-test=portal-attach]').setInputFiles({ name: '外箱照片.png', mimeType: 'image/png', buffer: png })
    await page.locator('[data-test=portal-timeline]').filter({ hasText: '外箱照片.png' }).waitFor()
    await shot(page, 'p-05-ticket')

    // The dedicated manager has it and replies in the staff UI.
    const staff = await newPage(browser, server.base)
    try {
      const mp = staff.page
      await signInAs(mp, MANAGER.login, NEW_PASSWORD)
      await mp.goto('/tickets?view=mine')
      await mp.locator('[data-test=tickets-table] .el-table__row').filter({ hasText: ticketNo }).locator('[data-test=ticket-link]').click()
      await mp.locator('[data-test=detail-timeline]').filter({ hasText: SUBJECT }).waitFor()
      await mp.locator('[data-test=reply-text]').fill(REPLY)
      await mp.locator('[data-test=reply-send]').click()
      await mp.locator('[data-test=detail-timeline]').filter({ hasText: REPLY }).waitFor()
      await mp.locator('[data-test=sla-first-response]').filter({ hasText: '已于' }).waitFor()

      // The contact sees the reply in the portal.
      await page.reload()
      await page.locator('[data-test=portal-timeline]').filter({ hasText: REPLY }).waitFor()
      assert.match(await text(page.locator('[data-test=portal-timeline]')), /客服回复/)
      await shot(page, 'p-06-ticket-replied')

      // The ticket is resolved: the survey link comes by SMS.
      const m = new ApiClient(server.base)
      await m.signIn(MANAGER.login, NEW_PASSWORD)
      const r = await m.call('POST', `/tickets/${ticketId}/status`, { status: 'resolved', note: '已核实并赔付' })
      assert.equal(r.status, 200, JSON.stringify(r.data))
      const path = (await smsMatching(/(\/survey\/[A-Za-z0-9_-]+)/, seen))[1]
      await page.goto(path)
      await page.locator('[data-test=survey]').filter({ hasText: SUBJECT }).waitFor()
      await shot(page, 'p-07-survey')
      await page.locator('[data-test=survey-lang-en]').click()
      await page.locator('[data-test=survey-submit]').filter({ hasText: 'Submit' }).waitFor()
      await shot(page, 'p-07-survey-en')
      await page.locator('[data-test=survey-lang-zh]').click()
      await page.locator('[data-test=survey-csat] .el-rate__item').nth(3).click()
      await page.locator('[data-test=nps-9]').click()
      await page.locator('textarea[name=comment]').fill('处理及时，态度很好')
      await page.locator('[data-test=survey-submit]').click()
      await page.locator('[data-test=survey-thanks]').waitFor()
      await shot(page, 'p-08-survey-thanks')

      // The rating shows in the portal, on the staff ticket page and the 360 page.
      await page.goto(`/portal/tickets/${ticketId}`)
      await page.locator('[data-test=portal-rated]').waitFor()
      assert.equal(await text(page.locator('[data-test=portal-ticket-status]')), '已解决')
      await shot(page, 'p-09-ticket-rated')
      await mp.reload()
      await mp.locator('[data-test=detail-rating]').filter({ hasText: 'NPS 9' }).waitFor()
      assert.match(await text(mp.locator('[data-test=detail-timeline]')), /客户评价[\s\S]*处理及时，态度很好/)
      await shot(mp, 'p-10-staff-ticket-rated')
      await mp.goto(`/enterprises/${enterpriseId}?tab=satisfaction`)
      await mp.locator('[data-test=sat-recent] .el-table__row').filter({ hasText: ticketNo }).waitFor()
      assert.match(await text(mp.locator('[data-test=sat-responses]')), /1/)
      assert.match(await text(mp.locator('[data-test=sat-csat]')), /4\.00/)
      await shot(mp, 'p-11-enterprise-satisfaction')
    } finally {
      await staff.context.close()
    }

    // The portal's pages in English.
    await page.locator('[data-test=portal-lang-en]').click()
    await page.locator('[data-test=portal-timeline]').filter({ hasText: 'Customer service' }).waitFor()
    await shot(page, 'p-09-ticket-rated-en')
    await page.goto('/portal')
    await page.locator('[data-test=portal-new]').filter({ hasText: 'New ticket' }).waitFor()
    await page.locator(`[data-test=portal-ticket-${ticketNo}]`).waitFor()
    await shot(page, 'p-03-list-en')
    await page.locator('[data-test=portal-new]').click()
    await page.locator('[data-test=portal-new-ticket]').waitFor()
    await shot(page, 'p-04-new-en')
    await page.goto('/portal')
    await page.locator('[data-test=portal-logout]').click()
    await page.waitForURL('**/portal/login')
    await page.locator('[data-test=portal-send-code]').filter({ hasText: 'Send code' }).waitFor()
    await shot(page, 'p-01-signin-en')
    await page.locator('[data-test=portal-lang-zh]').click()
  }))

test('the 满意度 tab in English', () =>
  runScenario(browser, server, 'portal-satisfaction-en', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-en]').click()
    await page.goto(`/enterprises/${enterpriseId}?tab=satisfaction`)
    await page.locator('[data-test=enterprise-satisfaction]').filter({ hasText: 'Average CSAT' }).waitFor()
    await page.locator('[data-test=sat-recent] .el-table__row').first().waitFor()
    await shot(page, 'p-11-enterprise-satisfaction-en')
  }))
