// The web shell as staff meet it: sign-in, the forced password change, the
// main layout and its menus, language switch, help, forgotten password, and
// the administration pages. Runs the real server binary and Debian's
// chromium; screenshots of every page land in build/screenshots/.
//
//   npm ci && npm --prefix web ci && npm --prefix web run build && make
//   node --test tests/browser/*.test.mjs      (or: npm run test:browser)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient } from './harness.mjs'

const CLERK = { login: 'C9001', name: '测试柜员', role: 'clerk', branch: 'GD-GZ-01', password: 'Initial2026pw' }
const FORGETFUL = {
  login: 'C9002',
  name: '健忘柜员',
  role: 'clerk',
  branch: 'GD-GZ-01',
  password: 'Initial2026pw',
  phone: '13800139002',
  email: 'c9002@example.com',
}
const ADMIN = { login: 'A9001', name: '测试管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const HELPER = { login: 'A9002', name: '测试助手', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'

let server
let browser

before(async () => {
  checkPrerequisites()
  server = await startServer([CLERK, FORGETFUL, ADMIN, HELPER])
  browser = await launchBrowser()
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

const menuItems = (page) => page.locator('[data-test=top-menu] .el-menu-item')

async function menuTexts(page) {
  await menuItems(page).first().waitFor()
  return (await menuItems(page).allInnerTexts()).map((s) => s.trim())
}

async function signIn(page, login, password) {
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=login-submit]').click()
}

async function changeInitialPassword(page, oldPassword, newPassword) {
  await page.locator('input[name=old_password]').fill(oldPassword)
  await page.locator('input[name=new_password]').fill(newPassword)
  await page.locator('input[name=confirm_password]').fill(newPassword)
  await page.locator('[data-test=change-password-submit]').click()
}

/** Visible menu-like element with exactly this text. */
const byText = (page, sel, text) => page.locator(sel).filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) })

test('a clerk signs in, must change the password, and finds the main menus in Chinese and English', async () => {
  await scenario('clerk', async (page) => {
    // Not signed in: every page leads to the sign-in page.
    await page.goto('/customers')
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/customers')
    await page.locator('[data-test=login-submit]').waitFor()
    assert.match(await page.title(), /鸿雁客户管理系统/)
    await shot(page, '01-login')

    // A wrong password shows the server's own message.
    const api = new ApiClient(server.base)
    const wrong = await api.call('POST', '/auth/login', { login: CLERK.login, password: 'not-the-password1' })
    assert.equal(wrong.status, 401)
    await signIn(page, CLERK.login, 'not-the-password1')
    const alert = page.locator('[data-test=login-error]')
    await alert.waitFor()
    assert.equal((await alert.innerText()).trim(), wrong.data.error.message)
    await shot(page, '02-login-error')

    // The initial password works but leads to the forced change, and only there.
    await signIn(page, CLERK.login, CLERK.password)
    await page.waitForURL('**/change-password')
    await page.locator('[data-test=policy-hint]').waitFor()
    assert.match(await page.locator('h1').innerText(), /修改初始密码/)
    await shot(page, '03-change-password')
    await page.goto('/customers')
    await page.waitForURL('**/change-password')

    // A policy violation is explained next to the field before anything is sent.
    await changeInitialPassword(page, CLERK.password, 'short1')
    await page.locator('.el-form-item__error').filter({ hasText: '10' }).first().waitFor()

    await changeInitialPassword(page, CLERK.password, NEW_PASSWORD)
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator('[data-test=welcome]').waitFor()

    const zh = await menuTexts(page)
    // clerks read their branch's VIP enterprises (issue 15)
    for (const m of ['客户管理', '业务记录', '待办事项', '大客户']) assert.ok(zh.includes(m), `menu ${m} in ${zh}`)
    for (const m of ['系统管理', '统计分析']) assert.ok(!zh.includes(m), `no ${m} for a clerk: ${zh}`)
    const side = (await page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).map((s) => s.trim())
    for (const m of ['工作台', '新建客户', '客户查询', '今日待办']) assert.ok(side.includes(m), `side ${m} in ${side}`)
    assert.match(await page.locator('[data-test=user-menu]').innerText(), /测试柜员[\s\S]*柜员/)
    await shot(page, '04-home-zh')

    // The customers module opens its search page; admin pages are refused.
    await byText(page, '[data-test=top-menu] .el-menu-item', '客户管理').click()
    await page.waitForURL('**/customers')
    await page.locator('[data-test=quick-search]').waitFor()
    await shot(page, '05-customers')
    await page.goto('/admin/users')
    await page.waitForURL('**/forbidden')
    await page.locator('.el-result').getByText('没有访问权限').waitFor()

    // Help: manual and FAQ.
    await page.locator('[data-test=help-button]').click()
    const drawer = page.locator('.el-drawer').filter({ hasText: '帮助中心' })
    await drawer.getByText('登录与首次修改密码').waitFor()
    await shot(page, '06-help-manual')
    await drawer.getByRole('tab', { name: '常见问题' }).click()
    await drawer.getByText('忘记密码怎么办？').waitFor()
    await shot(page, '07-help-faq')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })

    // English through the user menu; menus and Element Plus follow.
    await page.locator('.header-brand').click()
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-en]').waitFor()
    await shot(page, '08-user-menu')
    await page.locator('[data-test=menu-lang-en]').click()
    await byText(page, '[data-test=top-menu] .el-menu-item', 'Customers').waitFor()
    const en = await menuTexts(page)
    for (const m of ['Customers', 'Business records', 'To-dos']) assert.ok(en.includes(m), `menu ${m} in ${en}`)
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    await page.locator('[data-test=welcome]').getByText('Counter clerk').waitFor()
    await shot(page, '09-home-en')

    // The choice is saved with the account: a reload stays English.
    await page.reload()
    await byText(page, '[data-test=top-menu] .el-menu-item', 'Customers').waitFor()
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json())
    assert.equal(me.user.lang, 'en')

    // Settings dialog, then sign out.
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-profile]').click()
    await page.locator('.el-dialog').filter({ hasText: 'Settings' }).getByText('C9001').waitFor()
    await shot(page, '10-profile-en')
    await page.keyboard.press('Escape')
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-logout]').click()
    await page.waitForURL('**/login')
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await shot(page, '11-login-en')
  })
})

test('a clerk who forgot the password resets it with a code sent by SMS', async () => {
  await scenario('forgot-password', async (page) => {
    await page.goto('/login')
    await page.locator('[data-test=forgot-link]').click()
    await page.waitForURL('**/forgot-password')
    await page.locator('input[name=login]').fill(FORGETFUL.login)
    await shot(page, '12-forgot-1')
    await page.locator('[data-test=send-code]').click()
    await page.locator('input[name=code]').waitFor()
    await shot(page, '13-forgot-2')

    // The code went through the outbox to the dev mailbox (no SMS gateway here).
    const admin = new ApiClient(server.base)
    await admin.signIn(HELPER.login, HELPER.password, NEW_PASSWORD)
    let code = null
    for (let i = 0; i < 50 && !code; i++) {
      const r = await admin.call('GET', '/dev-mailbox?limit=50')
      assert.equal(r.status, 200, JSON.stringify(r.data))
      const sms = r.data.items.find((m) => m.channel === 'sms' && m.recipient.includes(FORGETFUL.phone))
      const m = sms && /\b(\d{6})\b/.exec(sms.body)
      code = m && m[1]
      if (!code) await new Promise((res) => setTimeout(res, 200))
    }
    assert.ok(code, 'a 6-digit code in the dev mailbox')

    await page.locator('input[name=code]').fill(code)
    await page.locator('input[name=new_password]').fill(NEW_PASSWORD)
    await page.locator('input[name=confirm_password]').fill(NEW_PASSWORD)
    await page.locator('[data-test=reset-submit]').click()
    await page.locator('[data-test=back-to-login]').waitFor()
    await shot(page, '14-forgot-3')

    // The new password signs in straight to the workbench.
    await page.locator('[data-test=back-to-login]').click()
    await page.waitForURL('**/login')
    await signIn(page, FORGETFUL.login, NEW_PASSWORD)
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator('[data-test=welcome]').getByText(FORGETFUL.name).waitFor()
  })
})

test('an administrator manages users and visits every administration page', async () => {
  await scenario('admin', async (page) => {
    await page.goto('/')
    await page.waitForURL('**/login')
    await signIn(page, ADMIN.login, ADMIN.password)
    await page.waitForURL('**/change-password')
    await changeInitialPassword(page, ADMIN.password, NEW_PASSWORD)
    await page.waitForURL((u) => u.pathname === '/')
    const menus = await menuTexts(page)
    for (const m of ['客户管理', '业务记录', '待办事项', '大客户', '统计分析', '系统管理'])
      assert.ok(menus.includes(m), `menu ${m} in ${menus}`)
    await shot(page, '15-home-admin')

    // 系统管理 → 用户管理
    await byText(page, '[data-test=top-menu] .el-menu-item', '系统管理').click()
    await page.waitForURL('**/admin/users')
    const table = page.locator('[data-test=users-table]')
    await table.getByText(CLERK.login).waitFor()
    await shot(page, '16-admin-users')

    // Create a user; the generated initial password is shown once.
    await page.locator('[data-test=user-create]').click()
    const dialog = page.locator('[data-test=user-form-dialog]')
    await dialog.locator('input[name=login]').waitFor()
    await dialog.locator('input[name=login]').fill('C9100')
    await dialog.locator('input[name=name]').fill('新来的柜员')
    await dialog.locator('[data-test=user-branch]').click()
    await page.locator('.el-select-dropdown:visible .el-tree-node__content', { hasText: '天河路营业所' }).click()
    await dialog.locator('input[name=phone]').fill('13800139100')
    await shot(page, '17-admin-user-form')
    await page.locator('[data-test=user-save]').click()
    const initial = page.locator('[data-test=initial-password]')
    await initial.waitFor()
    const password = (await initial.innerText()).trim()
    assert.ok(password.length >= 10, `initial password shown: ${password}`)
    await shot(page, '18-admin-user-created')
    await page.locator('[data-test=initial-password-dialog]').getByRole('button', { name: '我已记下' }).click()
    await table.getByText('C9100').waitFor()
    await table.getByText('新来的柜员').waitFor()

    // Search narrows the table.
    await page.locator('input[name=q]').fill('C9100')
    await page.locator('input[name=q]').press('Enter')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=users-table] .el-table__body tr').length === 1)

    // Edit (sends the record's version) and reset the password (shown once).
    const row = table.locator('.el-table__row', { hasText: 'C9100' })
    await row.getByRole('button', { name: '编辑' }).click()
    await dialog.locator('input[name=name]').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-test=user-form-dialog] input[name=phone]').value === '13800139100')
    await dialog.locator('input[name=name]').fill('新来的柜员甲')
    await page.locator('[data-test=user-save]').click()
    await table.getByText('新来的柜员甲').waitFor()
    await row.getByRole('button', { name: '更多' }).click()
    await page.locator('.el-dropdown-menu:visible').getByText('重置密码').click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await initial.waitFor()
    assert.notEqual((await initial.innerText()).trim(), password)
    await shot(page, '19-admin-user-reset')
    await page.locator('[data-test=initial-password-dialog]').getByRole('button', { name: '我已记下' }).click()

    // 系统管理's many pages stand in groups under headings
    const groups = (await page.locator('[data-test=side-menu] .el-menu-item-group__title').allInnerTexts()).map((s) => s.trim())
    assert.deepEqual(groups, ['组织与人员', '数据与表单', '规则与流程', '计费与单据', '对接与通知', '安全审计'])
    // 网点管理
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: '网点管理' }).click()
    await page.waitForURL('**/admin/branches')
    const tree = page.locator('[data-test=branch-tree]')
    await tree.getByText('天河路营业所').waitFor()
    await shot(page, '20-admin-branches')

    // Add a branch under 广州市, rename it, delete it.
    const branchDialog = page.locator('[data-test=branch-dialog]')
    await tree.locator('.el-tree-node__content', { hasText: 'GD-GZ' }).first().getByRole('button', { name: '新增网点' }).click()
    await branchDialog.locator('input[name=code]').fill('GD-GZ-09')
    await branchDialog.locator('input[name=name]').fill('测试营业所')
    await shot(page, '20a-branch-dialog')
    await branchDialog.getByRole('button', { name: '保存' }).click()
    const node = tree.locator('.el-tree-node__content', { hasText: 'GD-GZ-09' })
    await node.getByText('测试营业所').waitFor()
    await node.getByRole('button', { name: '重命名' }).click()
    await branchDialog.locator('input[name=name]').fill('临时营业所')
    await branchDialog.getByRole('button', { name: '保存' }).click()
    await node.getByText('临时营业所').waitFor()
    await node.getByRole('button', { name: '删除' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await node.waitFor({ state: 'detached' })

    // 数据字典
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: '数据字典' }).click()
    await page.waitForURL('**/admin/dictionaries')
    await page.locator('[data-test=dictionary-list] .el-table__row').first().waitFor()
    const items = page.locator('[data-test=dictionary-items]')
    await items.locator('.el-table__row').first().waitFor()
    await shot(page, '21-admin-dictionaries')

    // Add an item with Chinese and English labels, then disable it.
    await page.getByRole('button', { name: '新增字典项' }).click()
    const itemDialog = page.locator('.el-dialog').filter({ hasText: '新增字典项' })
    await itemDialog.locator('input[name=value]').fill('stamp_album')
    await itemDialog.locator('input[name=label]').fill('邮册')
    await itemDialog.locator('input[name=label_en]').fill('Stamp album')
    await itemDialog.getByRole('button', { name: '保存' }).click()
    const item = items.locator('.el-table__row', { hasText: 'stamp_album' })
    await item.getByText('Stamp album').waitFor()
    await item.locator('.el-switch').click()
    await item.locator('.el-switch:not(.is-checked)').waitFor()

    // 审计日志: the user we just created is there; a row expands to its detail.
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: '审计日志' }).click()
    await page.waitForURL('**/admin/audit-log')
    const audit = page.locator('[data-test=audit-table]')
    // actions in words (the code stays in the tag's tooltip)
    await audit.getByText('新建用户').first().waitFor()
    assert.equal(await audit.getByText('user.create').count(), 0, 'no raw action code in the table')
    await page.locator('[data-test=audit-action]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'branch.delete' }).click()
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__row')]
      return rows.length === 1 && rows[0].textContent.includes('删除机构')
    })
    await page.getByRole('button', { name: '重置' }).click()
    await audit.getByText('新建用户').first().waitFor()
    await audit.locator('.el-table__expand-icon').first().click()
    await audit.locator('pre.json').first().waitFor()
    await page.evaluate(() => document.querySelector('.el-main').scrollTo(0, 0))
    await shot(page, '22-admin-audit-log')

    // 开发邮箱: the SMS code of the previous test.
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: '开发邮箱' }).click()
    await page.waitForURL('**/admin/dev-mailbox')
    await page.locator('[data-test=mailbox-table]').getByText(FORGETFUL.phone).first().waitFor()
    await shot(page, '23-admin-dev-mailbox')

    // The administration pages in English, with Element Plus's own texts.
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=menu-lang-en]').click()
    await page.locator('[data-test=mailbox-table]').getByText('SMS').first().waitFor()
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: 'Users' }).click()
    await page.waitForURL('**/admin/users')
    await page.locator('[data-test=users-table]').getByText('Counter clerk').first().waitFor()
    await shot(page, '24-admin-users-en')
    await page.locator('[data-test=side-menu] .el-menu-item', { hasText: 'Audit log' }).click()
    await page.locator('.el-date-editor input').first().click()
    await page.locator('.el-date-range-picker:visible').waitFor()
    await shot(page, '25-admin-audit-log-en')
    await page.keyboard.press('Escape')
  })
})
