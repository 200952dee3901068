// Statement print templates (系统管理 → 打印模板, issue 18): an admin opens
// the default template, renames a column of the waybill table and hides a
// block, sees the live preview image change, saves, and the statement PDF
// prints the new label and no longer the hidden block. In Chinese and in
// English; screenshots build/screenshots/print-tpl-*.png.
//
//   make build/asan/hongyan && (cd web && npx vite build)
//   HONGYAN_BIN=$PWD/build/asan/hongyan node --test tests/browser/print_templates.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs, setLang } from './harness.mjs'

const PW = 'Initial2026pw'
const NEW_PASSWORD = 'Postal2026green'
const ADMIN = { login: 'A9391', name: '模板管理员', role: 'admin', branch: 'GD', password: PW }

let server
let browser
let api
let statementId

before(async () => {
  checkPrerequisites()
  server = await startServer([ADMIN])
  browser = await launchBrowser()
  await new ApiClient(server.base).signIn(ADMIN.login, ADMIN.password, NEW_PASSWORD)
  api = new ApiClient(server.base)
  await api.signIn(ADMIN.login, NEW_PASSWORD)
  let r = await api.call('POST', '/enterprises', { name: '广州打印模板有限公司', status: 'active', region: '广东省/广州市/天河区' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const ent = r.data.enterprise.id
  r = await api.call('PUT', `/enterprises/${ent}/billing-settings`, { version: 0, mode: 'monthly', statement_day: 1 })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  // the scheduler makes last month's statement within a pass or two
  for (let i = 0; i < 300 && !statementId; i++) {
    r = await api.call('GET', `/statements?enterprise_id=${ent}`)
    if (r.data.items.length) statementId = r.data.items[0].id
    else await new Promise((res) => setTimeout(res, 100))
  }
  assert.ok(statementId, 'the statement was made')
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

async function pdfText() {
  const r = await fetch(`${server.base}/api/v1/statements/${statementId}/pdf`, { headers: { Cookie: api.cookie } })
  assert.equal(r.status, 200)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hy-tpl-'))
  const file = path.join(dir, 's.pdf')
  fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()))
  const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout
  fs.rmSync(dir, { recursive: true, force: true })
  return text
}

// The preview's picture once a newer one than seq has arrived.
async function previewAfter(page, seq) {
  await page.waitForFunction((s) => Number(document.querySelector('[data-test=tpl-preview]')?.dataset.seq || 0) > s, seq, { timeout: 20000 })
  const img = page.locator('[data-test=tpl-preview]')
  // the src is the PNG itself (a data: URL)
  return { seq: Number(await img.getAttribute('data-seq')), src: await img.getAttribute('src'), shown: await img.evaluate((el) => el.decode().then(() => el.naturalWidth)) }
}

for (const [lang, c] of [
  ['zh', { label: '邮件号', block: 'summary', gone: '账期：', saved: '模板已保存', list: '默认（所有企业）' }],
  ['en', { label: 'Parcel no', block: 'terms', gone: '请于', saved: 'Template saved', list: 'Default (all enterprises)' }],
]) {
  test(`edit a print template: rename a column, hide a block, the preview and the PDF follow (${lang})`, () =>
    runScenario(browser, server, `print-tpl-${lang}`, async (page) => {
      await signInAs(page, ADMIN.login, NEW_PASSWORD)
      if (lang === 'en') {
        await setLang(page, 'en')
        await page.waitForFunction(() => document.documentElement.lang.startsWith('en'))
      }
      await page.goto('/admin/print-templates')
      await page.locator('[data-test=tpl-table] .el-table__row', { hasText: c.list }).waitFor()
      await shot(page, `print-tpl-list-${lang}`)
      await page.locator('[data-test=tpl-open]').first().click()
      await page.waitForURL(/\/admin\/print-templates\/\d+$/)
      const before = await previewAfter(page, 0)
      assert.ok(!(await pdfText()).includes(c.label), 'not printed before')

      await page.locator('input[data-test=column-label-waybill_no]').fill(c.label)
      await page.locator(`[data-test=block-visible-${c.block}]`).click()
      assert.match(await page.locator(`[data-test=block-${c.block}]`).getAttribute('class'), /off/)
      const after = await previewAfter(page, before.seq)
      assert.ok(before.src.startsWith('data:image/png;base64,') && before.shown > 500, 'the preview shows a page')
      assert.notEqual(after.src, before.src, 'the picture changed')
      await page.locator('[data-test=tpl-pages]').filter({ hasText: /\d/ }).waitFor()
      await shot(page, `print-tpl-edit-${lang}`)

      await page.locator('[data-test=tpl-submit]').click()
      await page.locator('.el-message--success', { hasText: c.saved }).waitFor()
      const text = await pdfText()
      assert.ok(text.includes(c.label), `the PDF prints ${c.label}`)
      assert.ok(!text.includes(c.gone), `the hidden block (${c.block}) is not printed`)
      // put the block back for the next language's run
      await page.locator(`[data-test=block-visible-${c.block}]`).click()
      await page.locator('[data-test=tpl-submit]').click()
      await page.locator('.el-message--success').nth(1).waitFor()
    }))
}
