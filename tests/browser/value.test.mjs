// Customer value and records (issue 14) as staff meet them: a clerk reads a
// customer's figures on the profile, chooses the list's value columns,
// hovers a name for its figures, filters by spend, visits, age and service
// level, reads a segment's conditions in words and marks a suspected
// duplicate as a different person; a supervisor, in English, merges a
// suspected duplicate from the worklist. Screenshots: build/screenshots/v-*.png.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { checkPrerequisites, startServer, launchBrowser, runScenario, shot, ApiClient, signInAs } from './harness.mjs'

const CLERK = { login: 'C1451', name: '价值柜员', role: 'clerk', branch: 'GD-GZ-01', password: 'Initial2026pw' }
const SUP = { login: 'S1451', name: '价值主管', role: 'supervisor', branch: 'GD-GZ', password: 'Initial2026pw' }
const NEW_PASSWORD = 'Postal2026green'

let server
let browser
const C = {} // customers by name

/** ISO time n days before now, at +08:00. */
const daysAgo = (n) => `${new Date(Date.now() - n * 86400000 + 8 * 3600000).toISOString().slice(0, 19)}+08:00`

before(async () => {
  checkPrerequisites()
  server = await startServer([CLERK, SUP])
  browser = await launchBrowser()

  const api = new ApiClient(server.base)
  await api.signIn(CLERK.login, CLERK.password, NEW_PASSWORD)
  const sup = new ApiClient(server.base)
  await sup.signIn(SUP.login, SUP.password, NEW_PASSWORD)
  const me = (await api.call('GET', '/auth/me')).data.user
  const create = async (name, body = {}) => {
    const r = await api.call('POST', '/customers', { name, branch_id: me.branch_id, confirm_duplicate: true, ...body })
    assert.equal(r.status, 201, JSON.stringify(r.data))
    C[name] = r.data.customer
  }
  const record = async (name, type, days, amount) => {
    const r = await api.call('POST', `/customers/${C[name].id}/interactions`, { type, occurred_at: daysAgo(days), amount })
    assert.equal(r.status, 201, JSON.stringify(r.data))
  }
  await create('价值甲', { phone: '13912340001', service_level: 'A' })
  await record('价值甲', 'ems', 2, '28.00')
  await record('价值甲', 'ems', 10, '12.50')
  await record('价值甲', 'parcel', 40, '10.00')
  await create('价值乙', { phone: '13912340002' })
  await record('价值乙', 'philately', 200, '500.00')
  await create('价值丙', { phone: '13912340003', birthday: '1950-01-01' })
  await create('重复甲', { phone: '13912340009' })
  await create('重复乙', { phone: '13912340009' })
  await create('同号甲', { phone: '13912340010' })
  await create('同号乙', { phone: '13912340010' })
  const tags = (await api.call('GET', '/tags')).data.items
  const stamp = tags.find((t) => t.name === '集邮爱好者')
  for (const who of [api, sup]) {
    const seg = await who.call('POST', '/segments', {
      name: '集邮高消费',
      entity: 'customer',
      filter: { and: [{ field: 'tags', op: 'has_any', value: [stamp.id] }, { field: 'spend_12m', op: 'gte', value: 100 }] },
    })
    assert.equal(seg.status, 201, JSON.stringify(seg.data))
  }
  // the supervisor works in English
  const en = await sup.call('PATCH', '/auth/me', { lang: 'en' })
  assert.equal(en.status, 200, JSON.stringify(en.data))
})

after(async () => {
  if (browser) await browser.close()
  if (server) await server.stop()
})

const scenario = (slug, fn) => runScenario(browser, server, slug, fn)

const signIn = (page, user) => signInAs(page, user.login, NEW_PASSWORD)

/** The names in the customer table, in order. */
async function listedNames(page) {
  await page.locator('[data-test=customers-table] .el-loading-mask').waitFor({ state: 'hidden' })
  return (await page.locator('[data-test=customers-table] [data-test=customer-name-link]').allInnerTexts()).map((s) => s.trim())
}

/** Apply the filter panel and wait for the list to show exactly names. */
async function expectListed(page, names) {
  await page.locator('[data-test=filter-apply]').click()
  await page.waitForFunction(
    (want) =>
      JSON.stringify([...document.querySelectorAll('[data-test=customers-table] [data-test=customer-name-link]')].map((e) => e.textContent.trim()).sort()) ===
      JSON.stringify(want),
    [...names].sort(),
  )
}

/** The list's column titles, once the metadata has named them (until then
 * a column shows its key). */
async function headers(page) {
  await page.locator('[data-test=customers-table] thead th').filter({ hasText: '最近到访' }).waitFor()
  return (await page.locator('[data-test=customers-table] thead th').allInnerTexts()).map((s) => s.trim())
}

test('a clerk reads a customer’s value, chooses columns, filters by value, reads segments in words, dismisses a duplicate', async () => {
  await scenario('value-clerk', async (page) => {
    await signIn(page, CLERK)

    // The profile's figures strip.
    await page.goto(`/customers/${C['价值甲'].id}`)
    const strip = page.locator('[data-test=value-strip]')
    await strip.locator('[data-test=value-visits] .num').filter({ hasText: '3 次' }).waitFor()
    assert.equal((await strip.locator('[data-test=value-spend] .num').innerText()).trim(), '¥50.50')
    assert.equal((await strip.locator('[data-test=value-last-visit] .hint').innerText()).trim(), '2 天前')
    const types = (await strip.locator('[data-test=value-types] .el-tag').allInnerTexts()).map((s) => s.trim())
    assert.deepEqual(types, ['EMS特快专递 ×2', '包裹寄递 ×1'])
    // the sparkline is canvas: its months are read from the page text beside it
    const months = strip.locator('[data-test=value-trend] li[data-month]')
    assert.equal(await months.count(), 12)
    await strip.locator('[data-test=value-trend] canvas').waitFor()
    const visits = await months.evaluateAll((rs) => rs.map((r) => Number(r.dataset.visits)))
    assert.equal(visits.reduce((a, b) => a + b, 0), 3, `visits per month ${visits}`)
    await shot(page, 'v-01-profile-strip-zh')

    // The list: last visit and spend by default; visits in 90 days through the chooser, kept after a reload.
    await page.goto('/customers')
    await listedNames(page)
    let cols = await headers(page)
    assert.ok(cols.includes('最近到访') && cols.includes('近12个月消费'), `${cols}`)
    assert.ok(!cols.includes('近90天到访次数'), `${cols}`)
    await page.locator('[data-test=columns-toggle]').click()
    await page.locator('[data-test=column-visits_90d]').click()
    await page.locator('[data-test=customers-table] thead th').filter({ hasText: '近90天到访次数' }).waitFor()
    await shot(page, 'v-02-columns-zh')
    await page.reload()
    await listedNames(page)
    cols = await headers(page)
    assert.ok(cols.includes('近90天到访次数'), `the choice survives a reload: ${cols}`)

    // Sorted by spend, most first (the column sorts on the server).
    await page.locator('[data-test=customers-table] thead th').filter({ hasText: '近12个月消费' }).locator('.caret-wrapper .descending').click()
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('[data-test=customers-table] [data-test=customer-name-link]')].map((e) => e.textContent.trim())
      return names[0] === '价值乙' && names[1] === '价值甲'
    })

    // Hovering a name shows its figures.
    await page.locator('[data-test=customer-name-link]').filter({ hasText: '价值甲' }).hover()
    const card = page.locator('[data-test=value-card]:visible')
    await card.filter({ hasText: '¥50.50' }).waitFor()
    assert.match(await card.innerText(), /3 次/)
    await shot(page, 'v-03-hover-card-zh')
    await page.mouse.move(5, 5)

    // The filter panel's value block.
    await page.locator('[data-test=filter-toggle]').click()
    const profile = page.locator('[data-test=filter-profile]')
    await profile.waitFor()
    await profile.locator('[data-test=filter-spend] input').first().fill('100')
    await expectListed(page, ['价值乙'])
    await shot(page, 'v-04-filter-spend-zh')
    await page.locator('[data-test=filter-panel] button').filter({ hasText: '重置' }).click()
    await profile.locator('[data-test=filter-visits] input').first().fill('2')
    await expectListed(page, ['价值甲'])
    await page.locator('[data-test=filter-panel] button').filter({ hasText: '重置' }).click()
    // A clerk sees birthdays without their year: no age filter to test it with.
    assert.equal(await profile.locator('[data-test=filter-age]').count(), 0, 'no age filter for a clerk')
    await profile.locator('[data-test=filter-service-level]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: 'A 重点服务' }).click()
    await page.keyboard.press('Escape')
    await expectListed(page, ['价值甲'])
    await shot(page, 'v-05-filter-panel-zh')

    // Segments: conditions in words.
    await page.goto('/customers/segments')
    const cond = page.locator('[data-test=segment-conditions]').first()
    await cond.filter({ hasText: '近12个月消费' }).waitFor()
    assert.equal((await cond.innerText()).trim(), '标签 含任一 [集邮爱好者] 且 近12个月消费 不小于 100')
    await shot(page, 'v-06-segments-zh')

    // The worklist, from the side menu: a clerk may not merge, but may dismiss.
    await page.locator('[data-test=side-menu] .el-menu-item').filter({ hasText: '疑似重复' }).click()
    await page.waitForURL('**/customers/duplicates')
    const rows = page.locator('[data-test=dupes-table] .el-table__body tr')
    await rows.filter({ hasText: '同号甲' }).waitFor()
    assert.equal(await rows.count(), 2)
    const pair = rows.filter({ hasText: '同号甲' })
    assert.match(await pair.innerText(), /同手机号/)
    assert.match(await pair.innerText(), /139\*\*\*\*0010/)
    assert.ok(!(await pair.innerText()).includes('13912340010'), 'the phone is masked')
    await page.locator('[data-test=dupes-end]').waitFor()
    await shot(page, 'v-07-duplicates-zh')
    await pair.locator('[data-test=dupe-dismiss]').click()
    await page.locator('.el-message-box__btns .el-button--danger').click()
    await rows.filter({ hasText: '同号甲' }).waitFor({ state: 'detached' })
    await page.reload()
    await rows.filter({ hasText: '重复甲' }).waitFor()
    assert.equal(await rows.count(), 1, 'the dismissed pair stays gone')
  })
})

test('a supervisor merges a suspected duplicate from the worklist, in English', async () => {
  await scenario('value-supervisor', async (page) => {
    await signIn(page, SUP)
    await page.goto(`/customers/${C['价值甲'].id}`)
    const strip = page.locator('[data-test=value-strip]')
    await strip.locator('[data-test=value-spend] .num').filter({ hasText: '¥50.50' }).waitFor()
    assert.deepEqual((await strip.locator('[data-test=value-types] .el-tag').allInnerTexts()).map((s) => s.trim()), ['EMS express ×2', 'Parcel ×1'])
    await shot(page, 'v-11-profile-strip-en')

    await page.goto('/customers')
    await listedNames(page)
    await page.locator('[data-test=filter-toggle]').click()
    await page.locator('[data-test=filter-profile]').waitFor()
    await shot(page, 'v-12-filter-panel-en')

    await page.goto('/customers/segments')
    const cond = page.locator('[data-test=segment-conditions]').first()
    await cond.filter({ hasText: 'Spend in 12 months' }).waitFor()
    assert.equal((await cond.innerText()).trim(), 'Tags has any of [集邮爱好者] and Spend in 12 months at least 100')
    await shot(page, 'v-13-segments-en')

    await page.goto('/customers/duplicates')
    const rows = page.locator('[data-test=dupes-table] .el-table__body tr')
    const pair = rows.filter({ hasText: '重复甲' })
    await pair.waitFor()
    assert.match(await pair.innerText(), /Same mobile/)
    await shot(page, 'v-14-duplicates-en')
    await pair.locator('[data-test=dupe-merge] button').click()
    await page.locator('[data-test=dupe-keep-a]:visible').click()
    const dlg = page.locator('[data-test=merge-dialog]')
    await dlg.locator('.el-alert').waitFor()
    assert.match(await dlg.locator('.el-alert').innerText(), /重复乙/)
    await shot(page, 'v-15-merge-from-worklist-en')
    await dlg.locator('[data-test=merge-confirm]').click()
    await pair.waitFor({ state: 'detached' })
    await page.locator('.el-table__empty-text').filter({ hasText: 'No suspected duplicates found' }).waitFor()

    const api = new ApiClient(server.base)
    await api.signIn(SUP.login, NEW_PASSWORD)
    const gone = await api.call('GET', `/customers/${C['重复乙'].id}`)
    assert.equal(gone.status, 200, JSON.stringify(gone.data))
    assert.equal(gone.data.customer.deleted, true, 'the duplicate went to the recycle bin')
    assert.equal(gone.data.customer.merged_into, C['重复甲'].id)
  })
})
