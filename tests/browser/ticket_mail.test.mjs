// Tickets by e-mail as staff meet them (issue 17): a VIP contact's mail
// (through a real dovecot, tests/api/lib/dovecot.mjs) is a ticket with the
// dedicated manager; the manager's detail page shows the e-mail channel,
// and the customer's answer by mail on the timeline marked 来自邮件 with
// the sender; a stranger's mail is set aside on 服务邮箱 with the reason.
// Screenshots tm-*.png in Chinese and English.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/ticket_mail.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { Dovecot, rfc822 } from '../api/lib/dovecot.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9851', name: '邮件专属经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9851', name: '邮箱管理员', role: 'admin', branch: 'GD', password: PW }
const FROM = 'zhou@jingmi.example.com'
const SUBJECT = '仪器包裹外箱破损'
const ANSWER = '运单号 1234567890123，照片稍后补发。'

const dv = new Dovecot()
let server
let browser
let admin
let ticket

/** Deliver raw, poll, and wait until the message with subject was acted on. */
async function arrive(raw, subject) {
  dv.deliver(raw)
  const r = await admin.call('POST', '/mail/poll', {})
  assert.equal(r.status, 200, JSON.stringify(r.data))
  for (let i = 0; i < 400; i++) {
    const m = (await admin.call('GET', '/mail/messages?limit=200')).data.items.find((x) => x.subject === subject)
    if (m && m.status !== 'new') return m
    await new Promise((res) => setTimeout(res, 25))
  }
  throw new Error(`message ${subject} was not handled`)
}

before(async () => {
  checkPrerequisites()
  await dv.start()
  server = await startServer([MANAGER, ADMIN], { env: dv.env({ HONGYAN_IMAP_POLL_SECONDS: '3600' }) })
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
  const c = await admin.call('POST', `/enterprises/${e.data.enterprise.id}/contacts`, { name: '周采购', mobile: '13712345678', email: FROM, roles: ['liaison'] })
  assert.equal(c.status, 201, JSON.stringify(c.data))
  const m = await arrive(rfc822({ from: `周采购 <${FROM}>`, subject: SUBJECT, messageId: 'b-1@jingmi.example.com', body: '收件时发现外箱破损，请核实。' }), SUBJECT)
  assert.equal(m.status, 'processed')
  ticket = (await admin.call('GET', `/tickets/${m.record_id}`)).data.ticket
  const re = `回复：[工单 ${ticket.ticket_no}] ${SUBJECT}`
  assert.equal((await arrive(rfc822({ from: `周采购 <${FROM}>`, subject: re, messageId: 'b-2@jingmi.example.com', body: ANSWER }), re)).status, 'processed')
  assert.equal((await arrive(rfc822({ from: 'ad@spam.example.com', subject: '推广合作', messageId: 'b-3@spam.example.com', body: '广告' }), '推广合作')).status, 'ignored')
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
  await dv.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)
const text = async (loc) => (await loc.innerText()).trim()

test('the manager sees the mailed ticket and the customer\'s answer marked 来自邮件', () =>
  scenario('ticket-mail-manager', async (page) => {
    await signInAs(page, MANAGER.login, NEW_PASSWORD)
    await page.goto(`/tickets/${ticket.id}`)
    const tl = page.locator('[data-test=detail-timeline]')
    await tl.waitFor()
    const entry = tl.locator('.el-timeline-item').filter({ hasText: ANSWER })
    await entry.waitFor()
    assert.match(await text(entry), /客户回复/)
    assert.match(await text(entry), new RegExp(`周采购 <${FROM}>`))
    assert.equal(await text(entry.locator('[data-test=entry-from-mail]')), '来自邮件')
    await shot(page, 'tm-01-detail')
    await setLang(page, 'en')
    await entry.locator('[data-test=entry-from-mail]').filter({ hasText: 'From e-mail' }).waitFor()
    assert.match(await text(entry), /Customer's answer/)
    await shot(page, 'tm-01-detail-en')
  }))

test('the admin reads why a stranger\'s mail made no ticket', () =>
  scenario('ticket-mail-admin', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/mailbox')
    const row = page.locator('.el-table__row').filter({ hasText: '推广合作' }).first()
    await row.waitFor()
    assert.match(await text(row), /发件人不是任何大客户联系人的邮箱/)
    await shot(page, 'tm-02-mailbox')
    await setLang(page, 'en')
    await page.locator('.el-table__row').filter({ hasText: 'The sender is no enterprise contact' }).first().waitFor()
    await shot(page, 'tm-02-mailbox-en')
  }))
