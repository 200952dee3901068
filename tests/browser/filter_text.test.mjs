// Filter trees in words (web/src/utils/filterText.js), with the real
// message files in both languages: what the segments page shows instead
// of raw JSON. Static: no server, no browser.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src')
const load = async (rel) => import(pathToFileURL(path.join(SRC, rel)).href)
const { filterText } = await load('utils/filterText.js')
const { buildMessages } = await load('i18n/merge.js')

async function messages() {
  const parts = []
  for (const n of (await readdir(path.join(SRC, 'i18n', 'parts'))).filter((n) => n.endsWith('.js')).sort())
    parts.push((await load(`i18n/parts/${n}`)).default)
  const bases = { 'zh-CN': (await load('i18n/zh-CN.js')).default, en: (await load('i18n/en.js')).default }
  return buildMessages(bases, parts).messages
}
const all = await messages()

/** vue-i18n's t for plain named interpolation, over the real messages. */
function tFor(locale) {
  return (key, params = {}) => {
    const msg = key.split('.').reduce((o, k) => (o ? o[k] : undefined), all[locale])
    assert.equal(typeof msg, 'string', `no message ${key} in ${locale}`)
    return msg.replace(/\{(\w+)\}/g, (_, k) => String(params[k]))
  }
}

const LABELS = {
  'zh-CN': { tags: '标签', spend_12m: '近12个月消费', last_visit_at: '最近到访', phone: '手机号', level: '客户等级', birthday: '生日', birthday_lunar: '农历生日' },
  en: { tags: 'Tags', spend_12m: 'Spend in 12 months', last_visit_at: 'Last visit', phone: 'Mobile', level: 'Customer level', birthday: 'Birthday', birthday_lunar: 'Lunar birthday' },
}
const TAGS = { 3: 'VIP', 4: { 'zh-CN': '老年客户', en: 'Senior' } }
const ctx = (locale) => ({
  t: tFor(locale),
  label: (k) => LABELS[locale][k] || k,
  value: (field, v) => (field === 'tags' ? (typeof TAGS[v] === 'object' ? TAGS[v][locale] : TAGS[v]) : v),
})

const segment = {
  and: [
    { field: 'tags', op: 'has_any', value: [3, 4] },
    { field: 'spend_12m', op: 'gte', value: 1000 },
  ],
}

test('a segment in words, in Chinese and English', () => {
  assert.equal(filterText(segment, ctx('zh-CN')), '标签 含任一 [VIP、老年客户] 且 近12个月消费 不小于 1000')
  assert.equal(filterText(segment, ctx('en')), 'Tags has any of [VIP, Senior] and Spend in 12 months at least 1000')
})

test('nested groups, negation, ranges, days, empty tests and booleans', () => {
  const tree = {
    or: [
      { field: 'last_visit_at', op: 'within_days', value: 30 },
      { and: [{ field: 'spend_12m', op: 'between', value: [100, 500] }, { not: { field: 'phone', op: 'is_null' } }] },
    ],
  }
  assert.equal(
    filterText(tree, ctx('zh-CN')),
    '最近到访 最近 30 天内 或 （近12个月消费 介于 100 至 500 且 非（手机号 为空））',
  )
  assert.equal(
    filterText(tree, ctx('en')),
    'Last visit in the last 30 days or (Spend in 12 months between 100 and 500 and not (Mobile is empty))',
  )
  assert.equal(filterText({ field: 'birthday_lunar', op: 'eq', value: true }, ctx('zh-CN')), '农历生日 等于 是')
  assert.equal(filterText({ field: 'last_visit_at', op: 'older_than_days', value: 90 }, ctx('en')), 'Last visit more than 90 days ago')
})

test('no tree is no words; an unknown field shows its key', () => {
  assert.equal(filterText(null, ctx('zh-CN')), '')
  assert.equal(filterText({ field: 'custom.wechat', op: 'contains', value: 'zs' }, ctx('zh-CN')), 'custom.wechat 包含 zs')
})
