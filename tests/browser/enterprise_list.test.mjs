// 大客户列表 with the customers' list experience (issue 15): a manager
// filters by tier, saves the filter as a segment and picks it again,
// tags two selected enterprises at once, exports and imports (the dry run
// of a GBK file shows its bad row). Screenshots el-*.png of the list with
// the filter panel open, the import wizard and the export dialog, zh and en.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/enterprise_list.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, ROOT, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const MANAGER = { login: 'M9411', name: '大客户经理丙', role: 'manager', branch: 'GD-GZ-01', password: PW }
const MANAGER2 = { login: 'M9412', name: '接手经理丁', role: 'manager', branch: 'GD-GZ-01', password: PW }
const SUPERVISOR = { login: 'S9411', name: '广州主管戊', role: 'supervisor', branch: 'GD-GZ', password: PW }
const ENTS = [
  { name: '广州星河供应链有限公司', tier: 'strategic', status: 'active', industry: 'G' },
  { name: '广州远航贸易有限公司', tier: 'strategic', status: 'active', industry: 'F' },
  { name: '广州松柏食品有限公司', tier: 'regular', status: 'dormant', industry: 'C' },
]

let server
let browser
let api
let tagName

before(async () => {
  checkPrerequisites()
  server = await startServer([MANAGER, MANAGER2, SUPERVISOR])
  for (const u of [MANAGER2, SUPERVISOR]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  browser = await launchBrowser()
  api = new ApiClient(server.base)
  await api.signIn(MANAGER.login, MANAGER.password, NEW_PASSWORD)
  for (const e of ENTS) {
    const r = await api.call('POST', '/enterprises', e)
    assert.equal(r.status, 201, JSON.stringify(r.data))
  }
  const tags = await api.call('GET', '/tags')
  tagName = tags.data.items[0].name
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const signIn = (page, user = MANAGER) => signInAs(page, user.login, NEW_PASSWORD)


/** Open an el-select (or a dropdown) and click the visible option with this text. */
async function pick(page, trigger, text) {
  await trigger.click()
  await page.locator('.el-select-dropdown__item:visible, .el-dropdown-menu__item:visible').filter({ hasText: text }).first().click()
}

const rows = (page) => page.locator('[data-test=enterprises-table] .el-table__body tr')

/** Wait until the table shows exactly these names (any order). */
async function showsExactly(page, names) {
  await page.waitForFunction(
    (want) => {
      const got = [...document.querySelectorAll('[data-test=enterprises-table] .el-table__body tr [data-test=enterprise-name-link]')].map((a) => a.textContent.trim())
      return got.length === want.length && want.every((n) => got.includes(n))
    },
    names,
  )
}

test('a manager filters by tier, saves and picks a segment, bulk-tags two enterprises, exports and imports', () =>
  runScenario(browser, server, 'enterprise-list', async (page) => {
    await signIn(page)
    await page.goto('/enterprises')
    await showsExactly(page, ENTS.map((e) => e.name))

    // the filter panel on the enterprise's fields: tier 战略
    await page.locator('[data-test=filter-toggle]').click()
    const panel = page.locator('[data-test=filter-panel]')
    await panel.waitFor()
    await panel.locator('.el-form-item').filter({ hasText: '大客户等级' }).waitFor()
    await pick(page, page.locator('[data-test=filter-level]'), '战略')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=filter-apply]').click()
    await showsExactly(page, [ENTS[0].name, ENTS[1].name])
    await shot(page, 'el-01-list-filter')

    // saved as a segment, closed, and picked again from the menu
    await page.locator('[data-test=segment-save]').click()
    await page.locator('[data-test=segment-dialog] input[name=segment_name]').fill('战略大客户')
    await page.locator('[data-test=segment-dialog-save]').click()
    await page.locator('[data-test=active-segment]').getByText('战略大客户').waitFor()
    await page.locator('[data-test=active-segment] .el-tag__close').click()
    await showsExactly(page, ENTS.map((e) => e.name))
    await pick(page, page.locator('[data-test=segment-dropdown]'), '战略大客户')
    await page.locator('[data-test=active-segment]').getByText('战略大客户').waitFor()
    await showsExactly(page, [ENTS[0].name, ENTS[1].name])

    // the two rows selected, tagged at once
    await page.locator('[data-test=filter-toggle]').click()
    for (const e of [ENTS[0], ENTS[1]]) await rows(page).filter({ hasText: e.name }).locator('.el-checkbox').click()
    await page.locator('[data-test=bulk-bar]').getByText('已选 2 家大客户').waitFor()
    await page.locator('[data-test=bulk-add]').click()
    const bulk = page.locator('[data-test=bulk-dialog]')
    await bulk.getByText('已选的 2 家大客户').waitFor()
    await pick(page, bulk.locator('[data-test=bulk-tags]'), tagName)
    await page.keyboard.press('Escape')
    await bulk.locator('[data-test=bulk-submit]').click()
    await bulk.waitFor({ state: 'hidden' })
    for (const e of [ENTS[0], ENTS[1]]) await rows(page).filter({ hasText: e.name }).getByText(tagName).waitFor()
    const tagged = await api.call('GET', `/enterprises?filter=${encodeURIComponent(JSON.stringify({ field: 'tags', op: 'has', value: tagName }))}`)
    assert.deepEqual(tagged.data.items.map((x) => x.name).sort(), [ENTS[0].name, ENTS[1].name].sort())

    // export of what the list shows, with the contact columns offered
    await page.locator('[data-test=export-open]').click()
    const exp = page.locator('[data-test=export-dialog]')
    await exp.locator('[data-test=export-columns]').getByText('主联系人手机').waitFor()
    await exp.getByText('当前筛选结果（2 家）').waitFor()
    await shot(page, 'el-02-export-dialog')
    await exp.locator('[data-test=export-start]').click()
    const link = exp.locator('[data-test=export-download]')
    await link.waitFor({ timeout: 30000 })
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    assert.equal(await download.failure(), null)
    await exp.getByRole('button', { name: '关闭', exact: true }).click()
    await exp.waitFor({ state: 'hidden' })

    // import a GBK file: the dry run names the bad row, the run creates the rest
    await page.locator('[data-test=import-open]').click()
    const imp = page.locator('[data-test=import-dialog]')
    await imp.getByText('导入大客户').waitFor()
    await shot(page, 'el-03-import-wizard')
    const gbk = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'enterprises_gbk.csv'))
    await imp.locator('input[type=file]').setInputFiles({ name: 'enterprises.csv', mimeType: 'text/csv', buffer: gbk })
    await imp.locator('[data-test=import-upload]').click()
    await imp.locator('[data-test=import-mapping]').getByText('企业名称').first().waitFor()
    await imp.getByText('GBK').waitFor()
    await imp.locator('[data-test=import-dry]').click()
    const bad = imp.locator('[data-test=import-errors] .el-table__body tr')
    await bad.filter({ hasText: '行业' }).waitFor({ timeout: 20000 })
    assert.equal(await bad.count(), 1, 'one bad row')
    assert.match(await bad.innerText(), /^4\b/, 'data row 3 is line 4 of the file')
    await shot(page, 'el-04-import-dry-run')
    await imp.locator('[data-test=import-run]').click()
    await imp.locator('[data-test=import-done]').waitFor({ timeout: 20000 })
    await imp.getByRole('button', { name: '完成', exact: true }).click()
    await imp.waitFor({ state: 'hidden' })
    await page.locator('[data-test=active-segment] .el-tag__close').click()
    await page.locator('input[name=q]').fill('曾氏冷链')
    await showsExactly(page, ['广州曾氏冷链物流有限公司'])
    await page.locator('input[name=q]').fill('')

    // the segments page on the enterprises' tab, and the imports with their kind
    await page.goto('/customers/segments?entity=enterprise')
    await page.locator('[data-test=segments-table]').getByText('战略大客户').waitFor()
    await page.locator('[data-test=segment-conditions]').getByText('战略').waitFor()
    await shot(page, 'el-10-segments-enterprise')
    await page.locator('[data-test=segments-entity]').getByText('个人客户').click()
    await page.locator('[data-test=segments-table]').getByText('还没有目标客户群', { exact: false }).waitFor()
    await page.goto('/customers/io')
    await page.locator('.el-table__body tr').filter({ hasText: '大客户' }).first().waitFor()
    await shot(page, 'el-11-imports-kind')
    await page.goto('/enterprises')

    // the same in English
    await setLang(page, 'en')
    await page.locator('[data-test=filter-toggle]').click()
    await panel.locator('.el-form-item').filter({ hasText: 'VIP tier' }).waitFor()
    await shot(page, 'el-05-list-filter-en')
    await page.locator('[data-test=export-open]').click()
    await exp.getByText('Export VIP accounts').waitFor()
    await shot(page, 'el-06-export-dialog-en')
    await exp.getByRole('button', { name: 'Cancel', exact: true }).click()
    await exp.waitFor({ state: 'hidden' })
    await page.locator('[data-test=import-open]').click()
    await imp.getByText('Import VIP accounts').waitFor()
    await shot(page, 'el-07-import-wizard-en')
    await imp.getByRole('button', { name: 'Cancel', exact: true }).click()
    await setLang(page, 'zh')
  }))

test('a supervisor gives two selected enterprises a new account manager after a dry run', () =>
  runScenario(browser, server, 'enterprise-reassign', async (page) => {
    await signIn(page, SUPERVISOR)
    await page.goto('/enterprises')
    await page.locator('[data-test=enterprise-name-link]').filter({ hasText: ENTS[2].name }).waitFor()
    for (const e of [ENTS[0], ENTS[2]]) await rows(page).filter({ hasText: e.name }).locator('.el-checkbox').click()
    await page.locator('[data-test=bulk-reassign]').click()
    const dlg = page.locator('[data-test=reassign-dialog]')
    await pick(page, dlg.locator('[data-test=reassign-to]'), MANAGER2.name)
    await dlg.locator('[data-test=reassign-preview]').click()
    await dlg.locator('[data-test=reassign-figures]').getByText('共 2 家，其中 2 家将更换客户经理').waitFor()
    await shot(page, 'el-08-reassign-dialog')
    await dlg.locator('[data-test=reassign-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    for (const e of [ENTS[0], ENTS[2]]) await rows(page).filter({ hasText: e.name }).getByText(MANAGER2.name).waitFor()
    await rows(page).filter({ hasText: ENTS[1].name }).getByText(MANAGER.name).waitFor()
    await setLang(page, 'en')
    await rows(page).filter({ hasText: ENTS[1].name }).locator('.el-checkbox').click()
    await page.locator('[data-test=bulk-reassign]').click()
    await dlg.getByText('Change the account manager').waitFor()
    await shot(page, 'el-09-reassign-dialog-en')
    await dlg.getByRole('button', { name: 'Cancel', exact: true }).click()
    await setLang(page, 'zh')
  }))
