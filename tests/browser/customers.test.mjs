// 客户管理 as staff meet it: a clerk creates a customer (a wrong ID number
// is explained next to the field), finds it again by pinyin initials, tags
// it and exports the list to Excel; an admin designs a custom field, fills
// it in the customer form and filters by it. Screenshots of every customer
// page and dialog land in build/screenshots/ (c-*.png).
//
//   npm ci && npm --prefix web ci && npm --prefix web run build && make
//   node --test tests/browser/customers.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot } from './harness.mjs'

const CLERK = { login: 'C9101', name: '天河柜员', role: 'clerk', branch: 'GD-GZ-01', password: 'Initial2026pw' }
const ADMIN = { login: 'A9101', name: '字段管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'

let server
let browser

before(async () => {
  checkPrerequisites()
  // A 3-line CSV counts as large here, so the import below takes the bulk
  // path and the wizard shows its warning.
  // A quick search counts 20 matches at most here, so the 22 周 imported
  // below show "超过 20 条".
  server = await startServer([CLERK, ADMIN], { env: { HONGYAN_IMPORT_BULK_ROWS: '3', HONGYAN_QUICK_COUNT_CAP: '20' } })
  browser = await launchBrowser()
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

async function signInFirstTime(page, user) {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(user.login)
  await page.locator('input[name=password]').fill(user.password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL('**/change-password')
  await page.locator('input[name=old_password]').fill(user.password)
  await page.locator('input[name=new_password]').fill(NEW_PASSWORD)
  await page.locator('input[name=confirm_password]').fill(NEW_PASSWORD)
  await page.locator('[data-test=change-password-submit]').click()
  await page.waitForURL((u) => u.pathname === '/')
}

/** Open an el-select (or anything with a dropdown) and click the visible option with this text. */
async function pick(page, trigger, text) {
  await trigger.click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

/** The error text under the form item holding input[name=…]. */
const fieldError = (scope, name) =>
  scope.locator('.el-form-item').filter({ has: scope.page().locator(`input[name="${name}"]`) }).locator('.el-form-item__error')

test('a clerk creates a customer, finds it by pinyin initials, tags it and exports the list', async () => {
  await scenario('customers-clerk', async (page) => {
    await signInFirstTime(page, CLERK)

    // 客户管理 → the search page with its own quick-navigation.
    await page.locator('[data-test=top-menu] .el-menu-item').filter({ hasText: '客户管理' }).click()
    await page.waitForURL('**/customers')
    await page.locator('input[name=q]').waitFor()
    const side = (await page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).map((s) => s.trim())
    for (const m of ['客户查询', '新建客户', '目标客户群', '导入导出']) assert.ok(side.includes(m), `side ${m} in ${side}`)
    const search = page.locator('input[name=q]')
    assert.equal(await search.getAttribute('placeholder'), '姓名/拼音首字母/手机号后4位/客户编号/身份证号')
    await shot(page, 'c-01-list-empty')

    // New customer with a wrong ID number: the server's message sits under the field.
    await page.locator('[data-test=customer-create]').click()
    const dlg = page.locator('[data-test=customer-create-dialog]')
    await dlg.locator('input[name=name]').fill('林小雁')
    await dlg.locator('input[name=phone]').fill('13800138123')
    await dlg.locator('input[name=id_number]').fill('110105194912310021')
    await pick(page, dlg.locator('[data-test=level]'), '高价值')
    await shot(page, 'c-02-create-dialog')
    await dlg.locator('[data-test=customer-save]').click()
    const idError = fieldError(dlg, 'id_number')
    await idError.waitFor()
    assert.match(await idError.innerText(), /身份证/)
    await shot(page, 'c-03-create-id-error')

    // Corrected: birthday and gender follow the ID number; saving opens the profile.
    await dlg.locator('input[name=id_number]').fill('11010519491231002X')
    await dlg.getByText('已根据身份证号填写生日和性别').waitFor()
    assert.equal(await dlg.locator('input[name=birthday]').inputValue(), '1949-12-31')
    await dlg.locator('[data-test=customer-save]').click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator('[data-test=customer-name]').filter({ hasText: '林小雁' }).waitFor()
    const info = page.locator('[data-test=customer-info]')
    // A clerk sees ID numbers masked, so the birthday without its year
    // (issue 13): with the last four it would give the number back.
    await info.locator('[data-test=info-birthday]').filter({ hasText: '12-31（出生年份不显示）' }).waitFor()
    assert.ok(!(await info.innerText()).includes('1949'), 'no year of birth on a clerk\'s page')
    assert.match(await info.locator('[data-test=info-id]').innerText(), /^\*{14}002X$/)
    assert.match(await info.locator('[data-test=info-phone]').innerText(), /^138\*{4}8123$/)
    assert.equal(await page.locator('[data-test=reveal]').count(), 0, 'a clerk may not reveal')
    await shot(page, 'c-04-detail-info')
    // The same page in English, then back to Chinese for the rest.
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-en]').click()
    await info.locator('[data-test=info-birthday]').filter({ hasText: '12-31 (year of birth not shown)' }).waitFor()
    await shot(page, 'c-04b-detail-info-en')
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-zh]').click()
    await info.locator('[data-test=info-birthday]').filter({ hasText: '12-31（出生年份不显示）' }).waitFor()

    // Found again by pinyin initials in the quick-search box.
    await page.locator('[data-test=side-menu] .el-menu-item').filter({ hasText: '客户查询' }).click()
    await page.waitForURL((u) => u.pathname === '/customers')
    await search.fill('lxy')
    await search.press('Enter')
    const row = page.locator('[data-test=customers-table] .el-table__body tr').filter({ hasText: '林小雁' })
    await row.waitFor()
    assert.match(await row.innerText(), /138\*{4}8123/)
    await shot(page, 'c-05-list-search')

    // Open it and tag it 集邮爱好者.
    await row.locator('td').nth(2).click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.getByRole('tab', { name: '标签' }).click()
    await page.locator('[data-test="tag-集邮爱好者"]').click()
    await page.locator('.tags-line').getByText('集邮爱好者').waitFor()
    await shot(page, 'c-06-detail-tags')
    // Edit (sends the version): the change shows in the history.
    await page.locator('[data-test=customer-edit]').click()
    const edit = page.locator('[data-test=customer-edit-dialog]')
    await edit.locator('input[name=address]').fill('广州市天河区天河路 208 号')
    // The birthday is read-only without its year, and is not sent back.
    const masked = edit.locator('input[data-test=birthday-masked], [data-test=birthday-masked] input').first()
    assert.equal(await masked.inputValue(), '12-31（出生年份不显示）')
    assert.ok(await masked.isDisabled())
    await shot(page, 'c-06b-edit-dialog')
    await edit.locator('[data-test=customer-save]').click()
    await edit.waitFor({ state: 'hidden' })
    await page.getByRole('tab', { name: '变更历史' }).click()
    await page.locator('[data-test=customer-history] .el-table__body tr').filter({ hasText: '详细地址' }).waitFor()
    await shot(page, 'c-07-detail-history')
    await page.getByRole('tab', { name: '业务记录' }).click()
    await page.locator('[data-test=customer-timeline]').getByText('暂无业务记录').waitFor()

    // Back in the list: the tag shows; the advanced filter and the dialogs.
    await page.locator('[data-test=side-menu] .el-menu-item').filter({ hasText: '客户查询' }).click()
    await page.waitForURL((u) => u.pathname === '/customers')
    await search.fill('')
    await search.press('Enter')
    await row.getByText('集邮爱好者').waitFor()
    await page.locator('[data-test=filter-toggle]').click()
    await page.locator('[data-test=filter-panel]').waitFor()
    await pick(page, page.locator('[data-test=filter-tags]'), '集邮爱好者')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=filter-apply]').click()
    await row.waitFor()
    await shot(page, 'c-08-list-filter')
    await page.locator('[data-test=segment-save]').click()
    await page.locator('[data-test=segment-dialog] input[name=segment_name]').fill('天河集邮爱好者')
    await shot(page, 'c-09-segment-dialog')
    await page.locator('[data-test=segment-dialog-save]').click()
    await page.locator('[data-test=active-segment]').getByText('天河集邮爱好者').waitFor()
    await row.waitFor()

    // Import a CSV: suggested mapping, dry run with the bad row, the real run.
    await page.locator('[data-test=import-open]').click()
    const imp = page.locator('[data-test=import-dialog]')
    await imp.locator('[data-test=import-file]').waitFor()
    await shot(page, 'c-10-import-wizard')
    // A file with nothing in it: the wizard says so, in Chinese, and stays.
    await imp.locator('input[type=file]').setInputFiles({ name: 'blank.csv', mimeType: 'text/csv', buffer: Buffer.from('\r\n\r\n') })
    await imp.locator('[data-test=import-upload]').click()
    await imp.locator('[data-test=import-file-error]').getByText('文件是空的').waitFor()
    await shot(page, 'c-10a-import-empty-file')
    // …and 21 more 周, so that a search for 周 fills more than a page.
    const more = [...'一二三四五六七八九十百千万亿甲乙丙丁戊己庚'].map((c, i) => `周${c}${c},137001371${String(i).padStart(2, '0')},,\n`)
    const csv = `姓名,手机号,身份证号,兴趣\n周邮迷,13700137001,,集邮\n吴错号,12345,,\n${more.join('')}`
    await imp.locator('input[type=file]').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await imp.locator('[data-test=import-upload]').click()
    await imp.locator('[data-test=import-mapping]').waitFor()
    await shot(page, 'c-10b-import-mapping')
    await imp.locator('[data-test=import-dry]').click()
    await imp.locator('[data-test=import-errors]').getByText('手机号').first().waitFor({ timeout: 20000 })
    await imp.locator('[data-test=import-bulk-note]').getByText('一次性批量写入').waitFor()
    await shot(page, 'c-10c-import-dry-run')
    await imp.locator('[data-test=import-run]').click()
    await imp.locator('[data-test=import-done]').waitFor({ timeout: 20000 })
    await shot(page, 'c-10d-import-done')
    await imp.getByRole('button', { name: '完成' }).click()
    await imp.waitFor({ state: 'hidden' })

    // A quick search with more matches than the server counts says so
    // (over all customers: the segment is closed first).
    await page.locator('[data-test=active-segment] .el-tag__close').click()
    await page.locator('[data-test=active-segment]').waitFor({ state: 'hidden' })
    await search.fill('周')
    await search.press('Enter')
    await page.locator('[data-test=pager-total]').getByText('超过 20 条，请输入更多信息缩小范围').waitFor()
    assert.equal(await page.locator('[data-test=customers-table] .el-table__body tr').count(), 20, 'a full page of 周')
    await page.locator('[data-test=pager-total]').scrollIntoViewIfNeeded()
    await shot(page, 'c-10e-search-capped')
    await search.fill('')
    await search.press('Enter')

    // Sorted by name: in pinyin order, 林 (lin) before every 周 (zhou),
    // where code points would put 周 (U+5468) before 林 (U+6797).
    const table = page.locator('[data-test=customers-table]')
    await table.locator('th').filter({ hasText: '姓名' }).locator('.sort-caret.ascending').click()
    await table.locator('.el-table__body tr').first().filter({ hasText: '林小雁' }).waitFor()
    const names = await table.locator('.el-table__body tr td:nth-child(3)').allInnerTexts()
    assert.ok(names.some((n) => n.startsWith('周')), `周 rows on the page: ${names}`)
    await shot(page, 'c-10f-sorted-by-name')
    await table.locator('th').filter({ hasText: '姓名' }).locator('.sort-caret.ascending').click()

    // Export the list to Excel: the job finishes and the file downloads.
    await page.locator('[data-test=export-open]').click()
    const exp = page.locator('[data-test=export-dialog]')
    await exp.locator('[data-test=export-columns]').waitFor()
    await shot(page, 'c-11-export-dialog')
    await exp.locator('[data-test=export-start]').click()
    const link = exp.locator('[data-test=export-download]')
    await link.waitFor({ timeout: 30000 })
    await shot(page, 'c-12-export-ready')
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const file = await download.path()
    assert.ok((await stat(file)).size > 0, 'the downloaded file is not empty')
    assert.equal(await download.failure(), null)
  })
})

test('an admin adds a select custom field, fills it in the customer form and filters by it', async () => {
  await scenario('customers-admin', async (page) => {
    await signInFirstTime(page, ADMIN)

    // 系统管理 → 自定义字段: a select field with two options.
    await page.goto('/admin/fields')
    await page.locator('[data-test=field-list]').waitFor()
    const side = (await page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).map((s) => s.trim())
    for (const m of ['自定义字段', '标签管理']) assert.ok(side.includes(m), `side ${m} in ${side}`)
    await page.locator('[data-test=field-create]').click()
    const dlg = page.locator('[data-test=field-dialog]')
    await dlg.locator('input[name=key]').fill('stamp_kind')
    await dlg.locator('input[name=label]').fill('集邮类别')
    await dlg.locator('input[name=label_en]').fill('Stamp kind')
    await pick(page, dlg.locator('[data-test=field-type]'), '单选')
    for (const [i, [value, label, en]] of [
      ['jinian', '纪念邮票', 'Commemorative'],
      ['tezhong', '特种邮票', 'Special'],
    ].entries()) {
      await dlg.locator('[data-test=option-add]').click()
      const opt = dlg.locator(`[data-test=option-${i}] input`)
      await opt.nth(0).fill(value)
      await opt.nth(1).fill(label)
      await opt.nth(2).fill(en)
    }
    await dlg.locator('input[name=help]').fill('客户主要收藏的邮票类别')
    await shot(page, 'c-20-field-dialog')
    await dlg.locator('[data-test=field-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=field-list]').getByText('集邮类别').waitFor()
    await page.locator('[data-test=field-preview]').getByText('集邮类别').waitFor()
    await shot(page, 'c-21-fields-designer')

    await page.goto('/admin/tags')
    await page.locator('[data-test=tag-groups]').getByText('集邮爱好者').waitFor()
    await shot(page, 'c-22-tags-admin')

    // 新增标签 in a group opens the tag dialog on that group; the new tag is
    // listed under it.
    const group = page.locator('[data-test=tag-groups] .group').filter({ hasText: '集邮爱好者' })
    await group.getByRole('button', { name: '新增标签' }).click()
    const tagDlg = page.locator('[data-test=tag-dialog]')
    await tagDlg.locator('input[name=tag_name]').fill('生肖邮票')
    await shot(page, 'c-22a-tag-dialog')
    await tagDlg.getByRole('button', { name: '保存' }).click()
    await tagDlg.waitFor({ state: 'hidden' })
    await group.getByText('生肖邮票').waitFor()

    // The customer form shows the field; a value is saved with the customer.
    await page.goto('/customers/new')
    const form = page.locator('[data-test=customer-form]')
    await form.locator('input[name=name]').fill('赵邮友')
    await form.locator('input[name=phone]').fill('13900139555')
    await form.getByText('客户主要收藏的邮票类别').waitFor()
    await pick(page, form.locator('[data-test=custom-stamp_kind]'), '纪念邮票')
    await shot(page, 'c-23-new-page-custom')
    await form.locator('[data-test=customer-save]').click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator('[data-test=info-custom]').getByText('纪念邮票').waitFor()
    await shot(page, 'c-24-detail-custom')

    // Filter the list by the custom field.
    await page.goto('/customers')
    await page.locator('[data-test=filter-toggle]').click()
    await page.locator('[data-test=filter-custom-add]').click()
    const cond = page.locator('[data-test=filter-custom-0]')
    await pick(page, cond.locator('.el-select').first(), '集邮类别')
    await pick(page, page.locator('[data-test=filter-custom-value-0]'), '纪念邮票')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=filter-apply]').click()
    const rows = page.locator('[data-test=customers-table] .el-table__body tr')
    // 赵邮友 is on the unfiltered page too: wait for the filtered page itself
    await page.waitForFunction(() => document.querySelectorAll('[data-test=customers-table] .el-table__body tr').length === 1)
    assert.match(await rows.innerText(), /赵邮友/)
    await shot(page, 'c-25-list-custom-filter')
  })
})
