// Waybills and stuck-shipment alerts (issue 16) as staff meet them: an
// integration feeds three waybills of an enterprise and their events
// through an API key; the medical parcel sits at a processing centre past
// its threshold (the server's test clock moves on), the alert pass raises
// an alert, and the account manager sees the enterprise's 交易数据 figures,
// follows the bell to the waybill's timeline and records what the customer
// was told. An admin edits a threshold and makes and revokes an API key.
// Screenshots w-*.png of every page, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/waybills.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'
import { s10, domestic, feed, iso } from '../api/lib/waybills.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9601', name: '医药客户经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const ADMIN = { login: 'A9601', name: '运单管理员', role: 'admin', branch: 'GD', password: PW }
const ENT = { name: '广州康宁医药有限公司', short_name: '康宁医药', status: 'active' }

const NOW = Math.floor(Date.now() / 1000)
const STUCK = s10(20261203) // the medical parcel that stalls
const SIGNED = domestic(110000000001)
const MOVING = s10(20261204)
// Three pieces, ¥80.50 in all: what the 交易数据 tab must show.
const WAYBILLS = [
  { waybill_no: STUCK, product: 'medical', channel: 'api', weight: 1.25, fee: '23.00', destination: '北京市/北京市/朝阳区' },
  { waybill_no: SIGNED, product: 'standard', channel: 'pc', weight: 3.5, fee: '45.50', destination: '上海市/上海市/浦东新区' },
  { waybill_no: MOVING, product: 'standard', channel: 'api', weight: 0.75, fee: '12.00', destination: '北京市/北京市/海淀区' },
]
const NOTE = '已电话告知采购部周经理：北京处理中心积压，预计明天中午前送达'

let server
let browser
let adminApi
let entId
let quietId // an enterprise that ships nothing

/** Waits (bounded) until check() returns a truthy value; returns it. */
async function until(check, what, ms = 30000) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, ADMIN])
  browser = await launchBrowser()
  const manager = new ApiClient(server.base)
  await manager.signIn(MANAGER.login, MANAGER.password, NEW_PASSWORD)
  adminApi = new ApiClient(server.base)
  await adminApi.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)

  // a manager's new enterprise is theirs: the alerts go to them
  const e = await manager.call('POST', '/enterprises', ENT)
  assert.equal(e.status, 201, JSON.stringify(e.data))
  entId = e.data.enterprise.id
  const q = await manager.call('POST', '/enterprises', { name: '广州静安贸易有限公司', status: 'prospect' })
  assert.equal(q.status, 201, JSON.stringify(q.data))
  quietId = q.data.enterprise.id

  // a medical parcel may sit 30 minutes at a processing centre
  const th = await adminApi.call('GET', '/waybill-thresholds')
  const medical = th.data.items.find((x) => x.product === 'medical' && x.node_type === 'processing' && !x.tier)
  const p = await adminApi.call('PATCH', `/waybill-thresholds/${medical.id}`, { minutes: 30 })
  assert.equal(p.status, 200, JSON.stringify(p.data))

  const k = await adminApi.call('POST', '/api-keys', { name: '测试对接', scopes: ['waybills.write'] })
  assert.equal(k.status, 201, JSON.stringify(k.data))
  const key = k.data.secret
  const srv = { baseUrl: server.base }
  const collected = iso(NOW - 2 * 86400)
  const lines = WAYBILLS.map((w) => ({
    ...w,
    enterprise_id: entId,
    origin: '广东省/广州市/天河区',
    collected_at: collected,
    recipient_name: '王五',
    recipient_phone: '13812341234',
    recipient_address: '北京市朝阳区建国路 1 号',
  }))
  const wr = await feed(srv, '/waybills:batch', key, lines)
  assert.equal(wr.status, 200, wr.text)
  assert.equal(wr.body.created, 3, wr.text)
  const ev = (no, at, event_type, node_code, node_name, node_type) => ({ waybill_no: no, at: iso(at), event_type, node_code, node_name, node_type })
  const er = await feed(srv, '/waybill-events:batch', key, [
    ev(STUCK, NOW - 2 * 86400, 'collected', 'GZ-TH-01', '天河揽投部', 'outlet'),
    ev(STUCK, NOW - 300, 'arrived', 'BJ-PC-01', '北京处理中心', 'processing'),
    ev(SIGNED, NOW - 2 * 86400, 'collected', 'GZ-TH-01', '天河揽投部', 'outlet'),
    ev(SIGNED, NOW - 86400, 'signed', 'SH-PD-09', '浦东揽投部', 'delivery'),
    ev(MOVING, NOW - 600, 'departed', 'GZ-PC-01', '广州处理中心', 'processing'),
  ])
  assert.equal(er.status, 200, er.text)
  assert.equal(er.body.refused, 0, er.text)

  // an hour later the medical parcel has stalled (30 min); the standard
  // one has 12 hours and the signed one no clock at all
  const c = await fetch(server.base + '/api/v1/_test/clock', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_seconds: 3600 }),
  })
  assert.equal(c.status, 200, await c.text())
  await until(async () => {
    const r = await manager.call('GET', '/waybill-alerts?status=open')
    return r.status === 200 && r.data.items.length === 1 && r.data.items[0].waybill_no === STUCK
  }, 'the stalled-shipment alert')
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)


const text = async (loc) => (await loc.innerText()).trim()

test('the manager sees the shipping figures, follows the alert from the bell to the timeline and notes what the customer was told', () =>
  scenario('waybills-manager', async (page) => {
    await signIn(page, MANAGER)
    await page.goto(`/enterprises/${entId}`)
    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: '交易数据' }).click()
    await page.locator('[data-test=ship-pieces]').waitFor()
    assert.equal(await text(page.locator('[data-test=ship-pieces]')), '3')
    assert.equal(await text(page.locator('[data-test=ship-fee]')), '¥80.50')
    assert.equal(await text(page.locator('[data-test=ship-avg-weight]')), '1.833 kg')
    // products and destinations as posted: 2 standard + 1 medical, Beijing first
    const products = await page.locator('[data-test=ship-products] [data-test=donut-item]').allInnerTexts()
    assert.deepEqual(products.map((s) => s.split(/\s+/)[0]), ['标准快递', '医药'])
    assert.match(await text(page.locator('[data-test=ship-destinations] .dest').first()), /^1\s*北京市\s*66\.7%\s*2 件/)
    await shot(page, 'w-01-shipping')
    await page.locator('[data-test=ship-destinations]').scrollIntoViewIfNeeded()
    await shot(page, 'w-01-shipping-lower')
    // the monthly fees chart (canvas): pointing at the current month tells its fee in yuan
    const monthly = page.locator('[data-test=ship-monthly] canvas').first()
    const box = await monthly.boundingBox()
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5)
    const tip = page.locator('[data-test=ship-monthly] x-vue-echarts > div').filter({ hasText: '运费' })
    await tip.waitFor()
    assert.match(await text(tip), /运费: ¥\d[\d,]*\.\d{2}$/)
    await shot(page, 'w-01-shipping-tooltip')


    // the bell: one alert notification, which opens the waybill's timeline
    await page.locator('[data-test=bell-badge] sup').filter({ hasText: /^1$/ }).waitFor()
    await page.locator('[data-test=bell]').click()
    const item = page.locator('[data-test=bell-item]').filter({ hasText: '运单停滞预警' })
    await item.waitFor()
    await shot(page, 'w-02-bell')
    await item.click()
    await page.waitForURL((u) => u.pathname === `/waybills/${STUCK}`)
    await page.locator('[data-test=waybill-event]').nth(1).waitFor()
    const events = await page.locator('[data-test=waybill-event]').allInnerTexts()
    assert.equal(events.length, 2)
    assert.match(events[0], /到达\s*北京处理中心/, 'the newest event on top')
    assert.match(events[1], /揽收\s*天河揽投部/)
    assert.equal(await text(page.locator('[data-test=waybill-status]')), '运输中')
    const alert = page.locator('[data-test=waybill-alert]')
    assert.match(await text(alert), /处理中/)
    assert.match(await text(alert), /北京处理中心（处理中心）停留 1 小时 \d+ 分钟，超过阈值 30 分钟/)
    // the recipient stays masked until revealed (audited)
    const recipient = page.locator('[data-test=waybill-recipient]')
    assert.doesNotMatch(await text(recipient), /13812341234/)
    await page.locator('[data-test=waybill-reveal]').click()
    await recipient.filter({ hasText: '13812341234' }).waitFor()
    await shot(page, 'w-03-waybill')

    await alert.locator('[data-test=alert-tell]').click()
    const dlg = page.locator('[data-test=tell-dialog]')
    // nothing written: refused, said next to the box, nothing saved
    await page.locator('[data-test=tell-save]').click()
    await dlg.locator('.el-form-item__error').waitFor()
    assert.match(await text(alert.locator('[data-test=alert-told]')), /尚未记录/)
    await dlg.locator('textarea[name=note]').fill(NOTE)
    await shot(page, 'w-04-tell')
    await page.locator('[data-test=tell-save]').click()
    await alert.locator('[data-test=alert-told]').filter({ hasText: NOTE }).waitFor()
    assert.match(await text(alert.locator('[data-test=alert-told]')), new RegExp(MANAGER.name))

    // the alert list shows it with the note; the search finds the waybills
    await page.goto('/waybill-alerts')
    await page.locator('[data-test=alert-told-note]').filter({ hasText: NOTE }).waitFor()
    await shot(page, 'w-05-alerts')
    await page.goto(`/waybills?enterprise_id=${entId}`)
    await page.locator('[data-test=waybill-link]').nth(2).waitFor()
    await page.locator('[data-test=waybill-status]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '已签收' }).click()
    await page.locator('[data-test=waybill-search]').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test=waybill-link]').length === 1)
    assert.equal(await text(page.locator('[data-test=waybill-link]')), SIGNED)
    await shot(page, 'w-06-search')

    await setLang(page, 'en')
    await page.goto(`/waybills/${STUCK}`)
    await page.locator('[data-test=waybill-alert]').filter({ hasText: 'Processing centre' }).waitFor()
    await shot(page, 'w-03-waybill-en')
    await page.goto('/waybill-alerts')
    await page.locator('[data-test=alert-told-note]').waitFor()
    await shot(page, 'w-05-alerts-en')
    await page.goto(`/waybills?enterprise_id=${entId}`)
    await page.locator('[data-test=waybill-link]').nth(2).waitFor()
    await shot(page, 'w-06-search-en')
    await page.goto(`/enterprises/${entId}`)
    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: 'Shipping' }).click()
    await page.locator('[data-test=ship-fee]').filter({ hasText: '¥80.50' }).waitFor()
    await shot(page, 'w-01-shipping-en')
    await page.locator('[data-test=ship-freq-by]').getByText('Weekly').click()
    await page.locator('[data-test=ship-destinations]').scrollIntoViewIfNeeded()
    await shot(page, 'w-01-shipping-lower-en')
    await setLang(page, 'zh')
  }))

test('an admin edits a threshold, and makes and revokes an API key', () =>
  scenario('waybills-admin', async (page) => {
    await signIn(page, ADMIN)
    await page.goto('/admin/waybill-thresholds')
    const row = page.locator('[data-test=thresholds-table] .el-table__body tr').filter({ hasText: '标准快递' })
    await row.locator('[data-test=threshold-minutes]').filter({ hasText: '12 小时' }).waitFor()
    await shot(page, 'w-07-thresholds')
    await row.locator('[data-test=threshold-edit]').click()
    const dlg = page.locator('[data-test=threshold-dialog]')
    await dlg.locator('[data-test=threshold-hours] input').fill('8')
    await dlg.locator('[data-test=threshold-hours] input').press('Tab')
    await dlg.locator('[data-test=threshold-mins] input').fill('30')
    await dlg.locator('[data-test=threshold-mins] input').press('Tab')
    await shot(page, 'w-08-threshold-edit')
    await page.locator('[data-test=threshold-save]').click()
    await row.locator('[data-test=threshold-minutes]').filter({ hasText: '8 小时 30 分钟' }).waitFor()
    const th = await adminApi.call('GET', '/waybill-thresholds')
    assert.equal(th.data.items.find((x) => x.product === 'standard' && x.node_type === '*').minutes, 510)

    await page.goto('/admin/api-keys')
    await page.locator('[data-test=apikeys-table] .el-table__body tr').filter({ hasText: '测试对接' }).waitFor()
    await page.locator('[data-test=apikey-create]').click()
    await page.locator('[data-test=apikey-dialog] input[name=apikey_name]').fill('仓储系统对接')
    await page.locator('[data-test=apikey-save]').click()
    const secretBox = page.locator('input[data-test=apikey-secret]')
    await secretBox.waitFor()
    const secret = await secretBox.inputValue()
    assert.match(secret, /^hyk_.{43}$/)
    await shot(page, 'w-09-apikey-secret')
    await page.locator('[data-test=apikey-secret-dialog] .el-dialog__footer .el-button').click()
    const keyRow = page.locator('[data-test=apikeys-table] .el-table__body tr').filter({ hasText: '仓储系统对接' })
    await keyRow.filter({ hasText: secret.slice(0, 12) }).waitFor()
    assert.doesNotMatch(await text(keyRow), new RegExp(secret), 'the list shows the prefix only')
    // the key works until revoked
    const srv = { baseUrl: server.base }
    assert.equal((await feed(srv, '/waybill-events:batch', secret, [])).status, 200)
    await keyRow.locator('[data-test=apikey-revoke]').click()
    await page.locator('.el-message-box .el-button--danger').click()
    await keyRow.filter({ hasText: '已吊销' }).waitFor()
    assert.equal((await feed(srv, '/waybill-events:batch', secret, [])).status, 401)
    await shot(page, 'w-10-apikeys')

    await setLang(page, 'en')
    await page.goto('/admin/waybill-thresholds')
    await page.locator('[data-test=threshold-minutes]').filter({ hasText: '8 h 30 min' }).waitFor()
    await shot(page, 'w-07-thresholds-en')
    await page.goto('/admin/api-keys')
    await page.locator('[data-test=apikeys-table] .el-table__body tr').filter({ hasText: 'Revoked' }).waitFor()
    await shot(page, 'w-10-apikeys-en')
    await setLang(page, 'zh')
  }))

test('an enterprise without waybills shows no figures, it says so', () =>
  scenario('waybills-empty', async (page) => {
    await signIn(page, MANAGER)
    await page.goto(`/enterprises/${quietId}`)
    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: '交易数据' }).click()
    await page.locator('[data-test=ship-empty]').filter({ hasText: '这段时间没有运单' }).waitFor()
    assert.equal(await page.locator('[data-test=ship-figures]').count(), 0)
    await shot(page, 'w-01-shipping-empty')
  }))

test('the enterprise list shows the shipping figures and sorts by the 90 days\' spend', () =>
  scenario('waybills-list-sort', async (page) => {
    await signIn(page, MANAGER)
    await page.goto('/enterprises')
    const table = page.locator('[data-test=enterprises-table]')
    const rows = table.locator('.el-table__body tr')
    await rows.filter({ hasText: ENT.name }).waitFor()
    const header = table.locator('.el-table__header th').filter({ hasText: '近90天寄递' })
    // descending: the one that shipped ¥80.50 first, the quiet one after
    await header.click()
    await header.click()
    await table.locator('.el-table__header th.descending').filter({ hasText: '近90天寄递' }).waitFor()
    await until(async () => (await text(rows.first())).includes(ENT.name), 'the shipper first')
    const first = await text(rows.first())
    assert.match(first, /80\.50/)
    assert.match(first, /3 件/, 'three pieces')
    const quiet = rows.filter({ hasText: '广州静安贸易有限公司' })
    assert.match(await text(quiet), /0\.00/)
    await shot(page, 'w-11-list-sorted')
    // ascending: the quiet one first
    await header.click()
    await until(async () => (await text(rows.first())).includes('广州静安贸易有限公司'), 'the quiet one first')
    await setLang(page, 'en')
    await page.goto('/enterprises')
    await rows.filter({ hasText: ENT.name }).waitFor()
    await table.locator('.el-table__header th').filter({ hasText: 'Spend, 90 d' }).waitFor()
    await shot(page, 'w-11-list-sorted-en')
    await setLang(page, 'zh')
  }))

test('a waybill search exports as it was run: its waybills, the dialog in the waybills\' words', () =>
  scenario('waybills-export', async (page) => {
    await signIn(page, MANAGER)
    await page.goto(`/waybills?enterprise_id=${entId}`)
    await page.locator('.el-table__body tr').filter({ hasText: STUCK }).waitFor()
    await page.locator('[data-test=waybill-export-open]').click()
    const dlg = page.locator('[data-test=export-dialog]')
    await dlg.locator('.el-dialog__title').filter({ hasText: '导出运单' }).waitFor()
    await dlg.getByText('当前查询结果（3 条）').waitFor()
    await shot(page, 'w-12-export')
    await dlg.locator('[data-test=export-format] .el-radio-button').filter({ hasText: 'CSV' }).click()
    await dlg.locator('[data-test=export-start]').click()
    const link = dlg.locator('[data-test=export-download]')
    await link.waitFor({ timeout: 60000 })
    // the file holds the three waybills of the search
    const href = await link.getAttribute('href')
    const csv = await page.evaluate(async (u) => (await fetch(u, { credentials: 'include' })).text(), href)
    for (const no of [STUCK, SIGNED, MOVING]) assert.ok(csv.includes(no), `the export lacks ${no}`)
    await shot(page, 'w-12-export-done')
    await dlg.locator('.el-dialog__footer .el-button').first().click()
    await dlg.waitFor({ state: 'hidden' })
    await setLang(page, 'en')
    await page.goto(`/waybills?enterprise_id=${entId}`)
    await page.locator('.el-table__body tr').filter({ hasText: STUCK }).waitFor()
    await page.locator('[data-test=waybill-export-open]').click()
    await page.locator('[data-test=export-dialog] .el-dialog__title').filter({ hasText: 'Export waybills' }).waitFor()
    await shot(page, 'w-12-export-en')
    await page.locator('[data-test=export-dialog] .el-dialog__footer .el-button').first().click()
    await page.locator('[data-test=export-dialog]').waitFor({ state: 'hidden' })
    await setLang(page, 'zh')
  }))

test('an admin back-fills waybills from a CSV: the wizard names the required columns left unmapped, then imports', () =>
  scenario('waybills-import', async (page) => {
    const a = s10(20261301), b = domestic(110000000777)
    const csv = [
      '运单号,大客户ID,产品,目的地,重量(kg),运费,揽收时间,备注',
      `${a},${quietId},标准快递,上海市/上海市/浦东新区,2.5,18.00,2026-10-02 09:30,`,
      `${b},${quietId},医药,广东省/深圳市,0.8,30.50,2026-10-03 14:05,`,
    ].join('\n') + '\n'
    await signIn(page, ADMIN)
    await page.goto(`/waybills?enterprise_id=${quietId}`)
    await page.locator('[data-test=import-open]').click()
    const imp = page.locator('[data-test=import-dialog]')
    await imp.locator('.el-dialog__title').filter({ hasText: '导入运单' }).waitFor()
    await imp.locator('input[type=file]').setInputFiles({ name: 'waybills.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await imp.locator('[data-test=import-upload]').click()
    await imp.locator('[data-test=import-mapping]').waitFor()
    // every column found its field, so nothing is missing and the dry run may start
    await imp.getByText('运单号已存在时：').waitFor()
    assert.equal(await imp.locator('[data-test=import-missing]').count(), 0)
    // leave 目的地 out: the wizard names it and holds the dry run back
    const destRow = imp.locator('[data-test=import-mapping] .el-table__body tr').filter({ hasText: '目的地' })
    await destRow.locator('.el-select').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '忽略此列' }).click()
    await imp.locator('[data-test=import-missing]').filter({ hasText: '请把文件中的列对应到：目的地' }).waitFor()
    assert.equal(await imp.locator('[data-test=import-dry]').isDisabled(), true)
    await shot(page, 'w-13-import-missing')
    await destRow.locator('.el-select').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: /^目的地$/ }).click()
    await imp.locator('[data-test=import-missing]').waitFor({ state: 'detached' })
    await imp.locator('[data-test=import-dry]').click()
    await imp.locator('[data-test=import-run]').waitFor({ timeout: 20000 })
    await imp.locator('[data-test=import-run]').click()
    await imp.locator('[data-test=import-done]').waitFor({ timeout: 20000 })
    await shot(page, 'w-13-import-done')
    await imp.locator('.el-dialog__footer .el-button').last().click()
    await imp.waitFor({ state: 'hidden' })
    // the list shows the two imported waybills of the quiet enterprise
    for (const no of [a, b]) await page.locator('.el-table__body tr').filter({ hasText: no }).waitFor()
    const r = await adminApi.call('GET', `/waybills?enterprise_id=${quietId}`)
    assert.deepEqual(r.data.items.map((w) => w.waybill_no).sort(), [a, b].sort())
  }))

test('an admin makes a read key for one branch with a rate and an expiry: it reads that branch\'s enterprises and nothing else', () =>
  scenario('waybills-read-key', async (page) => {
    await signIn(page, ADMIN)
    await page.goto('/admin/api-keys')
    await page.locator('[data-test=apikey-create]').click()
    const dlg = page.locator('[data-test=apikey-dialog]')
    await dlg.locator('input[name=apikey_name]').fill('经营分析读取')
    // the scopes come from the server, each in words with its code
    await dlg.locator('.el-checkbox').filter({ hasText: 'enterprises.read' }).click()
    await dlg.locator('.el-checkbox').filter({ hasText: 'waybills.write' }).click()
    await dlg.locator('[data-test=apikey-branch]').click()
    await page.locator('.el-select-dropdown:visible .el-tree-node__content', { hasText: '天河路营业所' }).click()
    await dlg.locator('[data-test=apikey-rate] input').fill('120')
    await dlg.locator('[data-test=apikey-rate] input').press('Tab')
    await dlg.locator('[data-test=apikey-expiry] input').fill('30')
    await dlg.locator('[data-test=apikey-expiry] input').press('Tab')
    await shot(page, 'w-14-read-key')
    await page.locator('[data-test=apikey-save]').click()
    const secretBox = page.locator('input[data-test=apikey-secret]')
    await secretBox.waitFor()
    const secret = await secretBox.inputValue()
    await page.locator('[data-test=apikey-secret-dialog] .el-dialog__footer .el-button').click()
    const keyRow = page.locator('[data-test=apikeys-table] .el-table__body tr').filter({ hasText: '经营分析读取' })
    await keyRow.filter({ hasText: '天河路营业所' }).filter({ hasText: '每分钟 120 次' }).filter({ hasText: '到期' }).waitFor()
    assert.match(await text(keyRow), /读取大客户/)
    await shot(page, 'w-14-read-key-list')
    const get = (p) => fetch(`${server.base}/api/v1${p}`, { headers: { Authorization: `Bearer ${secret}` } })
    const ents = await get('/enterprises?limit=50')
    assert.equal(ents.status, 200)
    assert.ok((await ents.json()).items.some((e) => e.name === ENT.name), 'the branch\'s enterprise is read')
    assert.equal((await get('/customers?limit=5')).status, 403, 'customers are not in its scope')
  }))
