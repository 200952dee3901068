// The business calendar page (系统管理 → 工作日历, issue 17): the admin sets
// a due-time preview, marks the day it falls on as a holiday in the
// month grid, and sees the preview move to the next working day; a year
// with no holidays entered says so. In Chinese and in English;
// screenshots build/screenshots/workcal-*.png.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/work_calendar.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const ADMIN = { login: 'A9801', name: '日历管理员', role: 'admin', branch: 'GD', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'

let server
let browser

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN])
  browser = await launchBrowser()
  await new ApiClient(server.base).signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

async function setPreview(page, start, minutes) {
  const startInput = page.locator('[data-test=workcal-preview] .el-date-editor input')
  await startInput.fill(start)
  await startInput.press('Enter')
  const minutesInput = page.locator('[data-test=workcal-preview-minutes] input')
  await minutesInput.fill(String(minutes))
  await minutesInput.press('Enter')
}

const due = (page) => page.locator('[data-test=workcal-preview-due]')

for (const [lang, c] of [
  // zh: Thursday 10 December 17:30 + 60 min is due on Friday 09:00; with
  // Friday a holiday, on Monday. en: the same a week later.
  ['zh', { start: '2026-12-10 17:30', day: '2026-12-11', before: '2026-12-11 09:00', after: '2026-12-14 09:00', name: '测试假日', saved: '工作日历已保存' }],
  ['en', { start: '2026-12-16 17:30', day: '2026-12-17', before: '2026-12-17 09:00', after: '2026-12-18 09:00', name: 'Test day', saved: 'Business calendar saved' }],
]) {
  test(`mark a day as a holiday and see the due-time preview move (${lang})`, () =>
    runScenario(browser, server, `workcal-${lang}`, async (page) => {
      await signInAs(page, ADMIN.login, NEW_PASSWORD)
      if (lang === 'en') {
        await setLang(page, 'en')
        await page.waitForFunction(() => document.documentElement.lang.startsWith('en'))
      }
      await page.goto('/admin/work-calendar')
      await page.locator('[data-test=workcal-configured]').waitFor()
      // The seeded National Day shows its name on hover.
      assert.match(await page.locator('[data-date="2026-10-01"]').getAttribute('title'), /国庆节/)

      await setPreview(page, c.start, 60)
      await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel)?.textContent.startsWith(want),
        ['[data-test=workcal-preview-due]', c.before],
      )
      await shot(page, `workcal-${lang}`)

      await page.locator(`[data-date="${c.day}"]`).click()
      const dialog = page.locator('[data-test=workcal-day-dialog]')
      await dialog.waitFor()
      await dialog.locator('[data-test=workcal-day-kind] label').first().click()
      await dialog.locator('input[data-test=workcal-day-name]').fill(c.name)
      await shot(page, `workcal-day-${lang}`)
      await page.locator('[data-test=workcal-day-save]').click()
      await page.locator('.el-message--success', { hasText: c.saved }).waitFor()
      await dialog.waitFor({ state: 'hidden' })

      // The day is red now, named on hover, and the preview moved on.
      const cell = page.locator(`[data-date="${c.day}"]`)
      assert.match(await cell.getAttribute('class'), /holiday/)
      assert.match(await cell.getAttribute('title'), new RegExp(c.name))
      await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel)?.textContent.startsWith(want),
        ['[data-test=workcal-preview-due]', c.after],
      )
      assert.ok((await due(page).textContent()).startsWith(c.after))
      await page.locator('[data-test=workcal-months] .month').nth(9).scrollIntoViewIfNeeded()
      await shot(page, `workcal-months-${lang}`)

      // A year nobody configured says so.
      await page.locator('[data-test=workcal-year]').click()
      await page.locator('.el-select-dropdown__item', { hasText: '2027' }).click()
      await page.locator('[data-test=workcal-unconfigured]').waitFor()
      await page.locator('[data-test=workcal-unconfigured]').scrollIntoViewIfNeeded()
      await shot(page, `workcal-2027-${lang}`)
    }))
}
