// 表单设计 (issue 15): an admin creates an enterprise with three contacts
// through the layout-drawn form and finds them on its 联系人 tab, opens the
// form designer, adds a group and drags a field into it with the mouse,
// saves a new version, and finds the field in its new group on the
// enterprise's 概况. Screenshots fd-*.png of the form, the contacts, the
// designer (zh, en), its versions and the profile.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/form_designer.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9421', name: '表单管理员', role: 'admin', branch: 'GD-GZ-01', password: PW }
const NAME = '广州星链供应链管理有限公司'

let server
let browser

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN], { enterprises: 5 })
  browser = await launchBrowser()
  await new ApiClient(server.base).signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)


/** A real mouse drag in small steps (SortableJS's fallback follows the
 * pointer) from the middle of one element to the middle of another; the
 * page scrolls the target into view while the button is held, as a user
 * would with the wheel. */
async function drag(page, from, to) {
  // both ends in the middle of the window: near its edges SortableJS
  // scrolls the page itself
  await from.evaluate((el) => el.scrollIntoView({ block: 'center' }))
  const a = await from.boundingBox()
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(a.x + a.width / 2 + 6, a.y + a.height / 2 + 6, { steps: 3 })
  await to.evaluate((el) => el.scrollIntoView({ block: 'center' }))
  // SortableJS moves the dragged field as the pointer passes other lists,
  // so the page below it reflows: aim again at where the target is now
  // until it holds still under the pointer, as a user's eye would.
  let last = null
  for (let i = 0; i < 6; i++) {
    const b = await to.boundingBox()
    const y = b.y + Math.min(b.height / 2, 20)
    await page.mouse.move(b.x + b.width / 2 + (i % 2), y + (i % 2), { steps: i ? 4 : 20 })
    if (last && Math.abs(last.y - b.y) < 1 && Math.abs(last.height - b.height) < 1) break
    last = b
  }
  await page.mouse.up()
}

test('an admin creates an enterprise with three contacts, moves a field into a new group in the designer, and finds it there on the profile', () =>
  runScenario(browser, server, 'form-designer', async (page) => {
    await signIn(page, ADMIN)
    await page.goto('/enterprises')
    await page.locator('[data-test=enterprise-create]').click()
    const dlg = page.locator('[data-test=enterprise-dialog]')
    await dlg.locator('input[name=name]').waitFor()
    await dlg.locator('input[name=name]').fill(NAME)
    await dlg.locator('input[name=website]').fill('https://xinglian.example.com')
    const people = [
      { name: '陈总', role: '决策人', title: '总经理', mobile: '13811112222' },
      { name: '林会计', role: '财务', title: '财务主管', email: 'lin@example.com' },
      { name: '黄专员', role: '对接人', title: '物流专员', mobile: '13833334444' },
    ]
    for (const [i, p] of people.entries()) {
      await dlg.locator('[data-test=contact-row-add]').click()
      const row = dlg.locator(`[data-test=contact-row-${i}]`)
      await row.locator(`input[name=contacts_name_${i}]`).fill(p.name)
      await row.locator(`input[name=contacts_title_${i}]`).fill(p.title)
      if (p.mobile) await row.locator(`input[name=contacts_mobile_${i}]`).fill(p.mobile)
      if (p.email) await row.locator(`input[name=contacts_email_${i}]`).fill(p.email)
      await row.locator(`[data-test=contact-roles-${i}]`).click()
      await page.locator('.el-select-dropdown__item:visible').filter({ hasText: p.role }).click()
      await row.locator(`input[name=contacts_title_${i}]`).click() // closes the dropdown
      // and the next row's pick must not find this closing list's items
      await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'detached' })
    }
    await dlg.locator('[data-test=contact-primary-1]').click()
    await shot(page, 'fd-01-form-contacts')
    await dlg.locator('[data-test=enterprise-save]').click()
    await page.locator('[data-test=enterprise-name]').filter({ hasText: NAME }).waitFor()
    const profileUrl = new URL(page.url()).pathname

    await page.locator('[data-test=enterprise-tabs] .el-tabs__item').filter({ hasText: '联系人' }).click()
    const contacts = page.locator('[data-test=contacts-table] .el-table__body tr')
    for (const p of people) await contacts.filter({ hasText: p.name }).filter({ hasText: p.role }).waitFor()
    await contacts.filter({ hasText: '林会计' }).locator('.star').waitFor()
    await contacts.filter({ hasText: '陈总' }).filter({ hasText: '138****2222' }).waitFor()
    await shot(page, 'fd-02-contacts')

    // 系统管理 → 表单设计, the enterprise form
    await page.goto('/admin/users')
    await page.locator('[data-test=side-menu] .el-menu-item').filter({ hasText: '表单设计' }).click()
    await page.waitForURL('**/admin/forms/customer')
    await page.locator('[data-test=designer-group-basic] [data-key=name]').waitFor()
    await shot(page, 'fd-03-designer-customer')
    await page.locator('[data-test=designer-entity] .el-radio-button').filter({ hasText: '大客户' }).click()
    await page.waitForURL('**/admin/forms/enterprise')
    const website = page.locator('[data-test=designer-group-basic] [data-key=website]')
    await website.waitFor()

    await page.locator('[data-test=designer-add-group]').click()
    const group = page.locator('[data-test=designer-groups] .group-card').last()
    await group.locator('[data-test=group-label]').waitFor()
    const key = (await group.getAttribute('data-test')).replace('designer-group-', '')
    await group.locator('[data-test=group-label]').fill('线上信息')
    await group.locator('[data-test=group-label-en]').fill('Online')
    await drag(page, website, group.locator('.group-fields'))
    const moved = group.locator('[data-key=website]')
    await moved.waitFor()
    await moved.click()
    await page.locator('[data-test=designer-props] input[name=help]').fill('官网或网店地址')
    await page.locator('[data-test=designer-props] [data-test=prop-width] .el-radio-button').filter({ hasText: '整行' }).click()
    await shot(page, 'fd-04-designer')

    await page.locator('[data-test=designer-save]').click()
    await page.locator('input[name=note]').fill('线上信息单独成组')
    await page.locator('[data-test=designer-save-confirm]').click()
    await page.locator('[data-test=designer-version]').filter({ hasText: '第 1 版' }).waitFor()
    await page.locator('[data-test=designer-versions]').click()
    await page.locator('[data-test=designer-versions-drawer] .el-table__body tr').filter({ hasText: '线上信息单独成组' }).waitFor()
    await shot(page, 'fd-05-versions')
    await page.keyboard.press('Escape')

    // the profile follows the saved layout
    await page.goto(profileUrl)
    const block = page.locator(`[data-test=profile-group-${key}]`)
    await block.filter({ hasText: '线上信息' }).locator('[data-field=website]').filter({ hasText: 'xinglian.example.com' }).waitFor()
    await page.locator('[data-test=profile-group-basic] [data-field=website]').waitFor({ state: 'detached' })
    await shot(page, 'fd-06-profile')

    // English
    await setLang(page, 'en')
    await page.locator('[data-test=enterprise-info]').filter({ hasText: 'Company name' }).waitFor()
    await shot(page, 'fd-07-profile-en')
    await page.goto('/admin/forms/enterprise')
    await page.locator(`[data-test=designer-group-${key}] [data-key=website]`).waitFor()
    await page.locator(`[data-test=designer-group-${key}] [data-key=website]`).click()
    await page.locator('[data-test=designer-props]').filter({ hasText: 'Visible to' }).waitFor()
    await shot(page, 'fd-08-designer-en')
    await page.locator('[data-test=designer-entity] .el-radio-button').filter({ hasText: 'Enterprises' }).waitFor()
    await page.goto(profileUrl)
    await page.locator('[data-test=enterprise-edit]').click()
    await page.locator('[data-test=enterprise-dialog] input[name=name]').waitFor()
    await page.locator('[data-test=enterprise-dialog] .el-form').filter({ hasText: 'Online' }).waitFor()
    await shot(page, 'fd-09-form-en')
    await page.locator('[data-test=enterprise-dialog] .el-dialog__headerbtn').click()
    await page.locator('[data-test=enterprise-dialog]').waitFor({ state: 'hidden' })
    await setLang(page, 'zh')
  }))

test('the customer 基本信息 follows a saved customer form: the e-mail moved into a new group', () =>
  runScenario(browser, server, 'form-designer-customer', async (page) => {
    const api = new ApiClient(server.base)
    await api.signIn(ADMIN.login, NEW_PASSWORD)
    const c = await api.call('POST', '/customers', { name: '版式客户', phone: '13912345678', email: 'layout@example.com' })
    assert.equal(c.status, 201, JSON.stringify(c.data))
    await signIn(page, ADMIN)
    await page.goto(`/customers/${c.data.customer.id}`)
    // before any save the page is as it always was
    await page.locator('[data-test=customer-info] .el-descriptions').first().waitFor()
    assert.equal(await page.locator('[data-test=info-layout]').count(), 0)

    await page.goto('/admin/forms/customer')
    const email = page.locator('[data-test=designer-group-basic] [data-key=email]')
    await email.waitFor()
    await page.locator('[data-test=designer-add-group]').click()
    const group = page.locator('[data-test=designer-groups] .group-card').last()
    await group.locator('[data-test=group-label]').fill('联络方式')
    await group.locator('[data-test=group-label-en]').fill('Reaching them')
    const key = (await group.getAttribute('data-test')).replace('designer-group-', '')
    await drag(page, email, group.locator('.group-fields'))
    await group.locator('[data-key=email]').waitFor()
    await page.locator('[data-test=designer-save]').click()
    await page.locator('[data-test=designer-save-confirm]').click()
    await page.locator('[data-test=designer-version]').filter({ hasText: '第 1 版' }).waitFor()

    await page.goto(`/customers/${c.data.customer.id}`)
    const block = page.locator(`[data-test=profile-group-${key}]`)
    await block.filter({ hasText: '联络方式' }).locator('[data-field=email]').filter({ hasText: 'l***@example.com' }).waitFor()
    await page.locator('[data-test=profile-group-basic] [data-test=info-phone]').filter({ hasText: '139****5678' }).waitFor()
    await shot(page, 'fd-10-customer-info')
  }))
