// Notification channels (issue 17) as an admin and a manager meet them: the
// admin adds a DingTalk group robot on 系统管理 → 通知渠道, test-sends it to
// a stub robot (which checks the signature) and sees the delivery marked
// sent, beside a robot whose wrong key shows the robot's error; the manager
// chooses DingTalk for to-dos assigned to them and binds a mobile on
// 通知设置. Screenshots in Chinese and English (n-*.png).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { RobotStub } from '../api/lib/robots.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9171', name: '渠道管理员', role: 'admin', branch: 'GD', password: PW }
const MGR = { login: 'M9171', name: '通知经理', role: 'manager', branch: 'GD-GZ-01', password: PW, phone: '13900171001', email: 'm9171@post.example.cn' }

let server
let browser
let ding
let wecom
let admin // API client as ADMIN

before(async () => {
  checkPrerequisites()
  ding = await new RobotStub('dingtalk', 'SECbrowser-test-secret-4f2a9c').start()
  wecom = await new RobotStub('wecom', 'browser-wecom-key').start()
  server = await startServer([ADMIN, MGR], { env: { HONGYAN_OUTBOUND_ALLOW: '127.0.0.1/32', HONGYAN_PUBLIC_URL: 'https://crm.post.example.cn' } })
  browser = await launchBrowser()
  admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  await new ApiClient(server.base).signIn(MGR.login, MGR.password, NEW_PASSWORD)
  // A robot whose key is wrong: its delivery shows the robot's refusal.
  const r = await admin.call('POST', '/notify/robots', { name: '越秀值班群', kind: 'wecom', url: wecom.url, secret: 'a-wrong-key' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  assert.equal((await admin.call('POST', `/notify/robots/${r.data.robot.id}/test`, {})).status, 202)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
  if (ding) await ding.stop()
  if (wecom) await wecom.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

test('an admin adds a DingTalk robot, test-sends it and sees it delivered', () =>
  scenario('notify-admin', async (page) => {
    await signInAs(page, ADMIN.login, NEW_PASSWORD)
    await page.goto('/admin/notify')
    await page.locator('[data-test=robots-table] .el-table__row').first().waitFor()
    await page.locator('[data-test=robot-create]').click()
    const dialog = page.locator('[data-test=robot-dialog]')
    await dialog.locator('input[name=robot_name]').fill('天河营业所值班群')
    await dialog.locator('input[name=robot_url]').fill(ding.url)
    await dialog.locator('input[name=robot_secret]').fill(ding.secret)
    await shot(page, 'n-robot-dialog-zh')
    await dialog.locator('[data-test=robot-save]').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test=robots-table] .el-table__row', { hasText: '天河营业所值班群' })
    await row.waitFor()
    const text = await row.innerText()
    assert.ok(text.includes('access_token=••••') && !text.includes(ding.token), 'the token is hidden')
    assert.ok(!text.includes(ding.secret), 'the secret is not shown')

    await row.locator('[data-test=robot-test]').click()
    // The delivery goes on the scheduler: refresh until the stub has it and the row says so.
    const sent = page.locator('[data-test=deliveries-table] .el-table__row', { hasText: '天河营业所值班群' }).locator('[data-test=delivery-status]', { hasText: '已发送' })
    for (let i = 0; i < 40 && !(await sent.count()); i++) {
      const answered = page.waitForResponse((r) => r.url().includes('/api/v1/outbox'))
      await page.locator('[data-test=delivery-refresh]').click()
      await answered
    }
    await sent.waitFor()
    assert.equal(ding.accepted.length, 1, 'the stub accepted the signed message once')
    assert.equal(ding.accepted[0].body.markdown.title, '鸿雁测试消息')
    const refused = page.locator('[data-test=deliveries-table] .el-table__row', { hasText: '越秀值班群' })
    assert.match(await refused.locator('[data-test=delivery-error]').innerText(), /errcode 93000/)
    await page.locator('.el-message').last().waitFor({ state: 'detached' })
    await shot(page, 'n-admin-notify-zh')

    await setLang(page, 'en')
    await page.locator('[data-test=deliveries-table] [data-test=delivery-status]', { hasText: 'Sent' }).first().waitFor()
    await shot(page, 'n-admin-notify-en')
    await row.locator('[data-test=robot-edit]').click()
    await page.locator('[data-test=robot-dialog] input[name=robot_secret]').waitFor()
    assert.equal(await page.locator('[data-test=robot-dialog] input[name=robot_secret]').inputValue(), '', 'the secret is never sent back')
    await shot(page, 'n-robot-edit-en')
  }))

test('a manager chooses DingTalk for to-dos assigned to them and binds a mobile', () =>
  scenario('notify-mine', async (page) => {
    await signInAs(page, MGR.login, NEW_PASSWORD)
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-notify]').click()
    await page.waitForURL('**/me/notify')
    const box = page.locator('[data-test="my-notify-task.assigned-dingtalk"]')
    await box.waitFor()
    await box.click()
    await page.locator('input[name=dingtalk_mobile]').fill('1390017100')
    await page.locator('[data-test=my-notify-save]').click()
    await page.locator('.el-form-item__error', { hasText: '手机号应为11位数字' }).waitFor()
    await page.locator('input[name=dingtalk_mobile]').fill('13900171002')
    const saved = page.waitForResponse((r) => r.url().includes('/api/v1/me/notify-settings') && r.request().method() === 'PUT')
    await page.locator('[data-test=my-notify-save]').click()
    assert.equal((await saved).status(), 200)
    await page.locator('.el-message--success').waitFor()
    await page.locator('.el-message').last().waitFor({ state: 'detached' })
    await shot(page, 'n-my-notify-zh')

    const api = new ApiClient(server.base)
    await api.signIn(MGR.login, NEW_PASSWORD)
    const mine = (await api.call('GET', '/me/notify-settings')).data
    assert.deepEqual(mine.choices['task.assigned'], ['dingtalk'])
    assert.equal(mine.dingtalk_mobile, '13900171002')

    await setLang(page, 'en')
    await page.locator('.page-card', { hasText: 'A to-do assigned to me' }).first().waitFor()
    await shot(page, 'n-my-notify-en')
  }))
