// The customer form follows the saved form layout (issue 15, 表单引擎): an
// admin saves a customer layout that moves the occupation into a new,
// first group with help text and makes it required, keeps the address
// from managers' edits and hides the e-mail from clerks; a manager's
// 编辑客户 shows the new group, the required mark and the address
// disabled, a clerk's has no e-mail field. Screenshots cl-*.png of the
// manager's form in zh and en and the clerk's.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/customer_layout.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9431', name: '版式管理员', role: 'admin', branch: 'GD-GZ-01', password: PW }
const MANAGER = { login: 'M9431', name: '版式经理', role: 'manager', branch: 'GD-GZ-01', password: PW }
const CLERK = { login: 'C9431', name: '版式柜员', role: 'clerk', branch: 'GD-GZ-01', password: PW }

let server
let browser
let customerId

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN, MANAGER, CLERK])
  browser = await launchBrowser()
  for (const u of [MANAGER, CLERK]) await new ApiClient(server.base).signIn(u.login, u.password, NEW_PASSWORD)
  const admin = new ApiClient(server.base)
  await admin.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  const c = await admin.call('POST', '/customers', {
    name: '林版式', phone: '13926001431', address: '广州市天河区体育西路 1 号', occupation: '教师', email: 'lin@example.com',
  })
  assert.equal(c.status, 201, JSON.stringify(c.data))
  customerId = c.data.customer.id
  // The layout as the designer would save it: the occupation alone in a
  // new first group, the address for admins and supervisors to change,
  // the e-mail out of clerks' sight.
  const cur = (await admin.call('GET', '/form-layouts/customer')).data
  const groups = cur.groups.map((g) => ({
    key: g.key, label: g.label, label_en: g.label_en,
    fields: g.fields.filter((f) => f.key !== 'occupation').map((f) => ({
      key: f.key, width: f.width, required: f.required, help: f.help, help_en: f.help_en,
      visible_roles: f.key === 'email' ? ['admin', 'supervisor', 'manager'] : f.visible_roles,
      editable_roles: f.key === 'address' ? ['admin', 'supervisor'] : f.editable_roles,
    })),
  }))
  groups.unshift({
    key: 'work', label: '职业信息', label_en: 'Work',
    fields: [{ key: 'occupation', width: 'full', required: true, help: '填写客户现在的职业', help_en: 'What the customer does now' }],
  })
  const r = await admin.call('PUT', '/form-layouts/customer', { base_version: cur.version, note: '职业单独成组', groups })
  assert.equal(r.status, 200, JSON.stringify(r.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)

async function openEdit(page) {
  await page.goto(`/customers/${customerId}`)
  await page.locator('[data-test=customer-edit]').click()
  const dlg = page.locator('[data-test=customer-edit-dialog]')
  await dlg.locator('input[name=name]').waitFor()
  return dlg
}

test('a manager edits a customer in the saved layout: the new group with its help, the address read-only', () =>
  runScenario(browser, server, 'customer-layout-manager', async (page) => {
    await signIn(page, MANAGER)
    const dlg = await openEdit(page)
    const group = dlg.locator('[data-test=form-group-work]')
    await group.waitFor()
    assert.equal((await group.innerText()).trim(), '职业信息')
    const titles = await dlg.locator('.section-title').allInnerTexts()
    assert.equal(titles[0].trim(), '职业信息', 'the new group comes first')
    await dlg.locator('[data-field=occupation]').getByText('填写客户现在的职业').waitFor()
    assert.equal(await dlg.locator('[data-field=occupation] .el-form-item.is-required').count(), 1, 'marked required')
    const address = dlg.locator('[data-field=address] input')
    assert.equal(await address.inputValue(), '广州市天河区体育西路 1 号')
    assert.ok(await address.isDisabled(), 'the manager may not change the address')
    assert.ok(await dlg.locator('[data-field=name] input').isEnabled())
    assert.match(await dlg.locator('[data-field=email] input').inputValue(), /@example\.com$/, 'the manager has the e-mail field')
    await shot(page, 'cl-01-manager-edit')

    // A change the manager may make saves; the address is not sent.
    await dlg.locator('[data-field=name] input').fill('林版式改')
    await dlg.locator('[data-test=customer-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.getByText('林版式改').first().waitFor()

    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-en]').click()
    const en = await openEdit(page)
    assert.equal((await en.locator('[data-test=form-group-work]').innerText()).trim(), 'Work')
    await en.locator('[data-field=occupation]').getByText('What the customer does now').waitFor()
    await shot(page, 'cl-02-manager-edit-en')
  }))

test('a clerk edits the same customer without the e-mail the layout hides from clerks', () =>
  runScenario(browser, server, 'customer-layout-clerk', async (page) => {
    await signIn(page, CLERK)
    const dlg = await openEdit(page)
    await dlg.locator('[data-test=form-group-work]').waitFor()
    await dlg.locator('[data-field=phone]').waitFor()
    assert.equal(await dlg.locator('[data-field=email]').count(), 0, 'no e-mail field for the clerk')
    await shot(page, 'cl-03-clerk-edit')
  }))
