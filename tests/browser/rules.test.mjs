// The rule engine as an administrator meets it (issue 20): on 系统管理 →
// 消息模板 a DingTalk template, on 系统管理 → 规则 the rule "VIP ticket rated
// ≤ 2 → a to-do for the supervisor + a DingTalk message", built in the
// editor; then a VIP ticket is rated 2 through its survey link and the
// supervisor's to-do appears and the stub robot receives the message; the
// rule's run log says so. Screenshots in Chinese and English (r-*.png).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { RobotStub } from '../api/lib/robots.mjs'
import { waitFor } from '../api/lib/wait.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9362', name: '规则管理员', role: 'admin', branch: 'GD', password: PW }
const SUP = { login: 'S9362', name: '天河主管', role: 'supervisor', branch: 'GD-GZ-01', password: PW }
const MGR = { login: 'M9362', name: '天河经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const CONTACT_MOBILE = '13700093621'

let server
let browser
let ding
let admin
let ticket

const ok = (r, status = 200) => {
  assert.equal(r.status, status, JSON.stringify(r.data))
  return r.data
}

before(async () => {
  checkPrerequisites()
  ding = await new RobotStub('dingtalk', 'SECbrowser-rules-secret-9362').start()
  server = await startServer([ADMIN, SUP, MGR], { env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32' } })
  browser = await launchBrowser()
  admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  await new ApiClient(server.base).signIn(SUP.login, SUP.password, NEW_PASSWORD)
  const mgr = new ApiClient(server.base)
  await mgr.signIn(MGR.login, MGR.password, NEW_PASSWORD)
  const users = Object.fromEntries(ok(await admin.call('GET', '/users?limit=200')).items.map((u) => [u.login, u.id]))
  const branches = Object.fromEntries(ok(await admin.call('GET', '/branches')).items.map((b) => [b.code, b.id]))
  const vip = ok(await admin.call('POST', '/enterprises', { name: '广州规则仪器有限公司', status: 'active', branch_id: branches['GD-GZ-01'], owner_id: users[MGR.login] }), 201).enterprise
  const contact = ok(await admin.call('POST', `/enterprises/${vip.id}/contacts`, { name: '周采购', mobile: CONTACT_MOBILE, roles: ['liaison'] }), 201).contact
  ok(await admin.call('POST', '/notify/robots', { name: '天河服务群', kind: 'dingtalk', url: ding.url, secret: ding.secret, kinds: ['rule'] }), 201)
  ticket = ok(await mgr.call('POST', '/tickets', { channel: 'counter', type: 'complaint', subject: '仪器包裹外箱破损', enterprise_id: vip.id, contact_id: contact.id }), 201).ticket
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
  if (ding) await ding.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

/** Choose the option with exactly this text in an Element Plus select. */
async function pick(page, select, text) {
  await select.click()
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^\\s*${text}\\s*$`) }).first()
  await item.click()
  await page.keyboard.press('Escape').catch(() => {})
}

test('an admin builds "VIP ticket rated ≤ 2 → to-do for the supervisor + DingTalk message" and sees it fire', () =>
  scenario('rules-admin', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)

    // The message template, with the server's preview.
    await page.goto('/admin/message-templates')
    await page.locator('[data-test=template-create]').click()
    const td = page.locator('[data-test=template-dialog]')
    await td.locator('input[name=template_name]').fill('差评提醒')
    await td.locator('input[name=template_subject]').fill('差评工单 {{ticket_no}}')
    await td.locator('textarea[name=template_body]').fill('### 工单 {{ticket_no}} 收到差评\n满意度 {{csat}} 星，大客户：{{enterprise_name}}')
    await td.locator('[data-test=template-preview] input').fill(String(ticket.id))
    await td.locator('[data-test=template-preview-run]').click()
    await td.locator('[data-test=template-preview]', { hasText: '广州规则仪器有限公司' }).waitFor()
    await shot(page, 'r-template-dialog-zh')
    await td.locator('[data-test=template-save]').click()
    await td.waitFor({ state: 'hidden' })
    await page.locator('[data-test=templates-table] .el-table__row', { hasText: '差评提醒' }).waitFor()

    // The rule.
    await page.goto('/admin/rules')
    await page.locator('[data-test=flow-create]').click()
    const dlg = page.locator('[data-test=flow-dialog]')
    await dlg.locator('input[name=flow_name]').fill('VIP 工单差评回访')
    await pick(page, dlg.locator('[data-test=flow-entity]'), '服务工单')
    await pick(page, dlg.locator('[data-test=flow-trigger]'), '客户评价时')
    await dlg.locator('[data-test=flow-max-score] input').fill('2')
    await dlg.locator('[data-test=flow-add-cond]').click()
    const cond = dlg.locator('[data-test=flow-cond]').first()
    await pick(page, cond.locator('.el-select').first(), '服务等级')
    await cond.locator('input[data-test=flow-cond-value]').fill('vip')
    await dlg.locator('[data-test=flow-add-action]').click()
    const task = dlg.locator('[data-test=flow-action]').nth(0)
    await pick(page, task.locator('[data-test=flow-who-type]'), '所在网点的角色')
    await task.locator('input[data-test=flow-task-title]').fill('回访差评工单 {{ticket_no}}')
    await dlg.locator('[data-test=flow-add-action]').click()
    const note = dlg.locator('[data-test=flow-action]').nth(1)
    await pick(page, note.locator('[data-test=flow-action-type]'), '发通知')
    await pick(page, note.locator('[data-test=flow-who-type]'), '所在网点的角色')
    await pick(page, note.locator('[data-test=flow-template]'), '差评提醒')
    await pick(page, note.locator('[data-test=flow-channels]'), '钉钉')
    await shot(page, 'r-rule-editor-zh')
    await dlg.locator('[data-test=flow-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test=flow-table] .el-table__row', { hasText: 'VIP 工单差评回访' })
    await row.waitFor()
    assert.match(await row.innerText(), /评价不高于 2 星/)

    // Test against the ticket: what would happen, nothing done.
    await row.locator('[data-test=flow-test]').click()
    const tdlg = page.locator('[data-test=flow-test-dialog]')
    await tdlg.locator('[data-test=flow-test-record] input').fill(String(ticket.id))
    await tdlg.locator('[data-test=flow-test-run]').click()
    await tdlg.locator('[data-test=flow-test-result]', { hasText: '条件满足' }).waitFor()
    assert.match(await tdlg.innerText(), /天河主管/)
    await shot(page, 'r-rule-test-zh')
    await page.keyboard.press('Escape')
    assert.equal(ding.accepted.length, 0, 'the test sent nothing')

    // The ticket is resolved and its contact rates it 2 through the survey link.
    const mgr = new ApiClient(server.base)
    await mgr.signIn(MGR.login, NEW_PASSWORD)
    ok(await mgr.call('POST', `/tickets/${ticket.id}/status`, { status: 'resolved', note: '已处理' }))
    const sms = await waitFor(async () => ok(await admin.call('GET', '/dev-mailbox?limit=50')).items.find((x) => String(x.recipient).includes(CONTACT_MOBILE) && /\/survey\//.test(x.body)), { what: 'the survey link' })
    const token = String(sms.body).match(/\/survey\/([A-Za-z0-9_-]{20,})/)[1]
    ok(await new ApiClient(server.base).call('POST', `/surveys/${token}`, { csat: 2, nps: 3, comment: '太慢了' }))

    // The robot receives the message; the supervisor has the to-do.
    await waitFor(() => ding.accepted.length > 0, { what: 'the robot message', timeoutMs: 30000 })
    assert.equal(ding.accepted.length, 1, 'the DingTalk robot got one message')
    assert.match(JSON.stringify(ding.accepted[0].body), new RegExp(`${ticket.ticket_no}.*满意度 2 星`))
    await page.reload()
    const runs = page.locator('[data-test=flow-table] .el-table__row', { hasText: 'VIP 工单差评回访' })
    await runs.locator('[data-test=flow-log]').click()
    await page.locator('[data-test=flow-log-drawer] .el-table__row', { hasText: '已执行' }).waitFor()
    await shot(page, 'r-rule-log-zh')
    await page.keyboard.press('Escape')

    const sup = new ApiClient(server.base)
    await sup.signIn(SUP.login, NEW_PASSWORD)
    const tasks = ok(await sup.call('GET', '/tasks?view=all&limit=100')).items
    assert.ok(tasks.some((x) => x.title === `回访差评工单 ${ticket.ticket_no}`), JSON.stringify(tasks.map((x) => x.title)))

    // The same pages in English.
    await setLang(page, 'en')
    await page.locator('[data-test=flow-table] .el-table__row', { hasText: 'rated at most 2 stars' }).waitFor()
    await shot(page, 'r-rules-en')
    await page.locator('[data-test=flow-table] .el-table__row [data-test=flow-edit]').first().click()
    await page.locator('[data-test=flow-dialog]').waitFor()
    await shot(page, 'r-rule-editor-en')
    await page.keyboard.press('Escape')
    await page.goto('/admin/message-templates')
    await page.locator('[data-test=templates-table] .el-table__row').first().waitFor()
    await shot(page, 'r-templates-en')
    await setLang(page, 'zh')
    await page.goto('/admin/rules')
    await page.locator('[data-test=flow-table] .el-table__row').first().waitFor()
    await shot(page, 'r-rules-zh')
  }))

test('the stuck-shipment alerts are a built-in rule whose thresholds are edited in the rule', () =>
  scenario('rules-builtin', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/rules')
    const row = page.locator('[data-test=flow-table] .el-table__row', { hasText: '运单停滞预警' })
    await row.waitFor()
    assert.match(await row.innerText(), /内置/)
    await row.locator('[data-test=flow-edit]').click()
    const dlg = page.locator('[data-test=flow-dialog]')
    const params = dlg.locator('[data-test=flow-builtin-params]')
    const standard = params.locator('.el-table__row', { hasText: 'standard' }).first()
    await standard.waitFor()
    await standard.locator('input').fill('30')
    await shot(page, 'r-builtin-zh')
    await dlg.locator('[data-test=flow-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const th = ok(await admin.call('GET', '/waybill-thresholds')).items.find((x) => x.product === 'standard' && x.node_type === '*' && x.tier === '')
    assert.equal(th.minutes, 30, 'the rule changed the threshold the alerts read')
  }))

test('an admin adds a "request approval" action: the credit-limit flow with the new limit is saved on the rule', () =>
  scenario('rules-approval', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/rules')
    await page.locator('[data-test=flow-create]').click()
    const dlg = page.locator('[data-test=flow-dialog]')
    await dlg.locator('input[name=flow_name]').fill('大客户授信审批')
    await pick(page, dlg.locator('[data-test=flow-entity]'), '大客户')
    await pick(page, dlg.locator('[data-test=flow-trigger]'), '修改时')
    await dlg.locator('[data-test=flow-add-action]').click()
    const act = dlg.locator('[data-test=flow-action]').nth(0)
    await pick(page, act.locator('[data-test=flow-action-type]'), '发起审批')
    await pick(page, act.locator('[data-test=flow-approval]'), '信用额度变更')
    await act.locator('input[placeholder="新信用额度（元）"]').fill('50000')
    await shot(page, 'r-rule-approval-zh')
    await dlg.locator('[data-test=flow-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const rule = ok(await admin.call('GET', '/rules')).items.find((x) => x.name === '大客户授信审批')
    assert.deepEqual(rule.actions, [{ type: 'request_approval', flow: 'credit_limit', after: { credit_limit: '50000' } }])
    await setLang(page, 'en')
    await page.locator('[data-test=flow-table] .el-table__row', { hasText: '大客户授信审批' }).locator('[data-test=flow-edit]').click()
    await dlg.locator('[data-test=flow-approval]').waitFor()
    assert.equal(await dlg.locator('input[placeholder="New credit limit (yuan)"]').inputValue(), '50000', 'the saved limit is shown again')
    await shot(page, 'r-rule-approval-en')
    await page.keyboard.press('Escape')
    await setLang(page, 'zh')
  }))
