// Recurrence rules in words (web/src/utils/rruleText.js), in both
// languages, with the messages the app uses; no browser needed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src')
const load = async (p) => (await import(pathToFileURL(path.join(SRC, p)).href)).default
const { rruleText } = await import(pathToFileURL(path.join(SRC, 'utils', 'rruleText.js')).href)
const { buildMessages } = await import(pathToFileURL(path.join(SRC, 'i18n', 'merge.js')).href)
const { messages } = buildMessages({ 'zh-CN': await load('i18n/zh-CN.js'), en: await load('i18n/en.js') }, [
  await load('i18n/parts/rrule.js'),
])

/** A translate function like vue-i18n's for named {x} placeholders. */
const translator = (locale) => (key, args = {}) => {
  const msg = key.split('.').reduce((o, k) => (o == null ? o : o[k]), messages[locale])
  assert.equal(typeof msg, 'string', `message ${key}`)
  return msg.replace(/\{(\w+)\}/g, (_, k) => String(args[k]))
}
const zh = translator('zh-CN')
const en = translator('en')

test('weekly and monthly rules read as words', () => {
  assert.equal(rruleText(zh, 'FREQ=WEEKLY;BYDAY=MO'), '每周，周一')
  assert.equal(rruleText(en, 'FREQ=WEEKLY;BYDAY=MO'), 'Every week, on Monday')
  assert.equal(rruleText(zh, 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE'), '每2周，周一、周三')
  assert.equal(rruleText(en, 'FREQ=MONTHLY;BYDAY=-1FR'), 'Every month, on the last Friday')
  assert.equal(rruleText(zh, 'FREQ=MONTHLY;BYDAY=1MO'), '每月，第1个周一')
  assert.equal(rruleText(zh, 'FREQ=MONTHLY;BYMONTHDAY=15'), '每月，15日')
  assert.equal(rruleText(zh, 'FREQ=MONTHLY;BYMONTHDAY=1,-1'), '每月，1日，最后一天')
  assert.equal(rruleText(en, 'FREQ=MONTHLY;BYMONTHDAY=-1'), 'Every month, on the last day')
})

test('yearly rules, counts and end dates', () => {
  assert.equal(rruleText(zh, 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8'), '每年，3月，8日')
  assert.equal(rruleText(en, 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8;COUNT=5'), 'Every year, in March, on day 8, 5 times')
  assert.equal(rruleText(zh, 'FREQ=DAILY;INTERVAL=3;UNTIL=20271231'), '每3天，至2027-12-31')
})

test('parts without words are shown as the rule, unreadable rules as they are', () => {
  assert.equal(rruleText(en, 'FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1'), 'Every month, on Monday, Tuesday (and rule BYSETPOS=1)')
  assert.equal(rruleText(zh, 'NOT A RULE'), 'NOT A RULE')
  assert.equal(rruleText(zh, ''), '')
})
