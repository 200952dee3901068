// A recurrence rule (RFC 5545 RRULE, the subset src/base/recur.h accepts)
// in words, for people who never read "FREQ=MONTHLY;BYDAY=-1FR": 每月最后一个周五
// / "Every month, on the last Friday". Parts the words don't cover
// (BYSETPOS, BYWEEKNO, BYYEARDAY) are shown as the rule itself after the
// words, so nothing is hidden. t: vue-i18n's translate function; the texts
// are under rrule.* (web/src/i18n/parts/rrule.js).
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']
const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']
const COVERED = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'COUNT', 'UNTIL', 'WKST'])

function parse(rule) {
  const parts = {}
  for (const p of String(rule || '').split(';')) {
    const i = p.indexOf('=')
    if (i > 0) parts[p.slice(0, i).trim().toUpperCase()] = p.slice(i + 1).trim().toUpperCase()
  }
  return parts
}

function dayText(t, code) {
  const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(code)
  if (!m) return code
  const day = t(`rrule.days.${DAYS.indexOf(m[2])}`)
  if (!m[1]) return day
  const n = Number(m[1])
  if (n === -1) return t('rrule.lastDay', { day })
  if (n > 0 && n <= 5) return t('rrule.nthDay', { nth: t(`rrule.nth.${n}`), day })
  return `${m[1]}${day}`
}

function untilText(v) {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(v)
  return m ? `${m[1]}-${m[2]}-${m[3]}` : v
}

/** The rule in words; '' for an empty rule; the rule itself when unreadable. */
export function rruleText(t, rule) {
  if (!rule) return ''
  const p = parse(rule)
  if (!FREQS.includes(p.FREQ)) return String(rule)
  const n = Number(p.INTERVAL || 1)
  const out = [n > 1 ? t(`rrule.everyN.${p.FREQ}`, { n }) : t(`rrule.every.${p.FREQ}`)]
  const list = (xs) => xs.join(t('rrule.sep'))
  if (p.BYMONTH) out.push(t('rrule.inMonths', { months: list(p.BYMONTH.split(',').map((m) => t(`rrule.months.${Number(m) - 1}`))) }))
  if (p.BYMONTHDAY) {
    const days = p.BYMONTHDAY.split(',')
    const plain = days.filter((d) => Number(d) !== -1)
    if (plain.length) out.push(t('rrule.onMonthDays', { days: list(plain) }))
    if (plain.length < days.length) out.push(t('rrule.onLastMonthDay'))
  }
  if (p.BYDAY) out.push(t('rrule.onDays', { days: list(p.BYDAY.split(',').map((d) => dayText(t, d))) }))
  if (p.COUNT) out.push(t('rrule.count', { n: Number(p.COUNT) }))
  if (p.UNTIL) out.push(t('rrule.until', { date: untilText(p.UNTIL) }))
  const rest = Object.keys(p).filter((k) => !COVERED.has(k))
  let text = out.join(t('rrule.join'))
  if (rest.length) text += t('rrule.asRule', { rule: rest.map((k) => `${k}=${p[k]}`).join(';') })
  return text
}
