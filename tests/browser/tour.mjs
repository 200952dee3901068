// The tour: every page in both languages, on demo data: a screenshot of each
// (build/screenshots/tour-<page>-<lang>.png, to be looked at) and a check
// of what a reader notices first in English: a word broken across two
// lines in a column header, a tag, a button or a label ("Gen der"), a tag
// or switch that wraps or is clipped, a placeholder cut short, a raw
// message key or recurrence rule. The sign-in page's language choice survives the sign-in.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, ROOT } from './harness.mjs'

const ADMIN = { login: 'A9301', name: '巡检管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const CLERK = { login: 'C9301', name: '语言柜员', role: 'clerk', branch: 'GD-GZ-01', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'

/** Registers the tour of `langs` (one file per language, so the runner can
 * take the two at once), and with languageChoice the sign-in page's
 * language test. */
export function tour({ langs, languageChoice = false }) {
  let server
  let browser
  let customerId

  before(async () => {
    checkPrerequisites()
    server = await startServer([ADMIN, CLERK], { customers: 40, enterprises: 20 })
    browser = await launchBrowser()
    const api = new ApiClient(server.base)
    await api.signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
    const list = await api.call('GET', '/customers?limit=2&sort=-updated_at')
    customerId = list.data.items[0].id
    // a few of the actions an audit log shows, so the page has them in words
    const other = list.data.items[1].id
    for (const [method, p] of [
      ['POST', `/customers/${customerId}/reveal`],
      ['DELETE', `/customers/${other}`],
      ['POST', `/customers/${other}/restore`],
    ]) {
      const r = await api.call(method, p)
      assert.ok(r.status < 300, `${method} ${p}: ${r.status}`)
    }
    // a periodic rule with a rule of its own, which the rules page shows in words
    const rule = await api.call('POST', '/reminder-rules', {
      name: '每月末回访',
      kind: 'periodic',
      rrule: 'FREQ=MONTHLY;BYDAY=-1FR',
      title_template: '{name} 月末回访',
    })
    assert.equal(rule.status, 201, JSON.stringify(rule.data))
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) await server.stop()
  })

  const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

  /** Every page the menus link to (web/src/navigation.js), plus one customer's profile. */
  async function pages() {
    const nav = await readFile(path.join(ROOT, 'web', 'src', 'navigation.js'), 'utf8')
    const paths = [...nav.matchAll(/link\('([^']+)'/g)].map((m) => m[1])
    return [...new Set(paths), `/customers/${customerId}`]
  }

  const slugOf = (p) =>
    p === '/'
      ? 'home'
      : p
          .replace(/^\//, '')
          .replace(/\d+/g, 'id')
          .replace(/[/?=]/g, '-')

  /**
   * What a reader sees as broken, measured in the page: for every visible
   * word of Latin letters in a header, tag, button, label, menu or switch,
   * whether its characters sit on more than one line; tags and switches
   * wrapping at all or clipped; input placeholders wider than their box;
   * texts that look like message keys (customers.list.title).
   */
  function layoutProblems() {
    const problems = []
    const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0
    const describe = (el) => `${el.className.toString().split(' ')[0] || el.tagName}: "${el.textContent.trim().slice(0, 40)}"`
    // the number of lines a range's text covers: tops further apart than a
    // few pixels (inline boxes of one line differ by a pixel or two)
    const lines = (range) => {
      const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top)
      return tops.filter((t, i) => tops.slice(0, i).every((u) => Math.abs(u - t) > 4)).length
    }
    const textRanges = (el) => {
      const out = []
      const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let n = w.nextNode(); n; n = w.nextNode()) {
        if (!n.data.trim()) continue
        const r = document.createRange()
        r.selectNodeContents(n)
        out.push(r)
      }
      return out
    }
    const words = [
      '.el-table__header th .cell',
      '.el-table__body td .cell',
      '.el-tag',
      '.type-tag',
      '.el-button',
      '.el-form-item__label',
      '.el-descriptions__label',
      '.el-radio-button__inner',
      '.el-checkbox__label',
      '.el-menu-item',
      '.el-switch',
      '.el-tabs__item',
      '.el-statistic__head',
    ]
    for (const el of document.querySelectorAll(words.join(','))) {
      if (!visible(el)) continue
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // words, amounts of money (¥18000.00 split after the point), dates
        for (const m of node.data.matchAll(/[A-Za-z][A-Za-z0-9'-]+|[¥$]?-?\d[\d,]*\.\d\d\b|\d{4}-\d\d-\d\d/g)) {
          const r = document.createRange()
          r.setStart(node, m.index)
          r.setEnd(node, m.index + m[0].length)
          if (lines(r) > 1) problems.push(`word "${m[0]}" broken in ${describe(el)}`)
        }
      }
    }
    for (const el of document.querySelectorAll('.el-tag, .el-switch, .type-tag')) {
      if (!visible(el)) continue
      const tops = textRanges(el).flatMap((r) => [...r.getClientRects()].filter((x) => x.width > 0).map((x) => x.top))
      if (tops.some((t) => Math.abs(t - tops[0]) > 4)) problems.push(`wraps: ${describe(el)}`)
      const inner = el.querySelector('.el-tag__content, .el-switch__inner') || el
      if (inner.scrollWidth > inner.clientWidth + 1) problems.push(`clipped: ${describe(el)}`)
      const cell = el.closest('.cell')
      if (cell && el.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1)
        problems.push(`cut by its column: ${describe(el)}`)
    }
    for (const el of document.querySelectorAll('.el-table__header th .cell')) {
      if (visible(el) && el.scrollWidth > el.clientWidth + 1) problems.push(`header clipped: ${describe(el)}`)
    }
    const canvas = document.createElement('canvas').getContext('2d')
    for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (!visible(input) || !input.placeholder || input.value) continue
      const cs = getComputedStyle(input)
      canvas.font = `${cs.fontSize} ${cs.fontFamily}`
      const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
      if (canvas.measureText(input.placeholder).width > room + 1) problems.push(`placeholder cut: "${input.placeholder}"`)
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const t = node.data.trim()
      if (!node.parentElement || !visible(node.parentElement)) continue
      if (/^[a-z]+[A-Za-z]*\.[a-z][A-Za-z]*(\.[A-Za-z]+)*$/.test(t)) problems.push(`message key shown: ${t}`)
      if (/FREQ=/.test(t) && !node.parentElement.closest('input, textarea, .hint.mono')) problems.push(`rule shown raw: ${t}`)
    }
    return [...new Set(problems)]
  }

  async function signIn(page, user, password) {
    await page.locator('input[name=login]').fill(user.login)
    await page.locator('input[name=password]').fill(password)
    await page.locator('[data-test=login-submit]').click()
  }

  /** Wait until the page's own requests are done and its loading masks gone. */
  async function settle(page) {
    await page.waitForLoadState('networkidle')
    await page.locator('.el-loading-mask').first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => {})
    await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'))
  }

  if (languageChoice) test('the language chosen on the sign-in page is kept after sign-in and becomes the preference', async () => {
    await scenario('tour-login-lang', async (page) => {
      await page.goto('/login')
      await page.locator('.lang-switch').click()
      await page.locator('.el-dropdown-menu__item').filter({ hasText: 'English' }).click()
      await page.locator('[data-test=login-submit]').filter({ hasText: 'Sign in' }).waitFor()
      await signIn(page, CLERK, CLERK.password)
      await page.waitForURL('**/change-password')
      await page.locator('input[name=old_password]').fill(CLERK.password)
      await page.locator('input[name=new_password]').fill(NEW_PASSWORD)
      await page.locator('input[name=confirm_password]').fill(NEW_PASSWORD)
      await page.locator('[data-test=change-password-submit]').click()
      await page.waitForURL((u) => u.pathname === '/')
      await page.locator('[data-test=top-menu] .el-menu-item').filter({ hasText: 'Customers' }).waitFor()
      assert.equal(await page.locator('html').getAttribute('lang'), 'en')
      // the account now prefers English: a new device signs in in English
      const api = new ApiClient(server.base)
      await api.signIn(CLERK.login, NEW_PASSWORD)
      assert.equal((await api.call('GET', '/auth/me')).data.user.lang, 'en')
    })
  })

  for (const lang of langs) {
    test(`every page in ${lang}: screenshot, no broken words, tags or placeholders`, async () => {
      await scenario(`tour-${lang}`, async (page, context) => {
        await context.addInitScript((l) => localStorage.setItem('hy_lang', l), lang)
        const api = new ApiClient(server.base)
        await api.signIn(ADMIN.login, NEW_PASSWORD)
        await api.call('PATCH', '/auth/me', { lang })
        await page.goto('/login')
        await signIn(page, ADMIN, NEW_PASSWORD)
        await page.waitForURL((u) => u.pathname === '/')
        const found = {}
        for (const p of await pages()) {
          await page.goto(p)
          await settle(page)
          await shot(page, `tour-${slugOf(p)}-${lang === 'en' ? 'en' : 'zh'}`)
          const problems = await page.evaluate(layoutProblems)
          if (problems.length) found[p] = problems
        }
        assert.deepEqual(found, {})
      })
    })
  }
}
