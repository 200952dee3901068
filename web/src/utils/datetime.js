// Business time. Hongyan's day runs on China time, +08:00, whatever zone
// the browser is set to (the server's rule: docs/architecture.md, "Times are
// stored as Unix seconds and shown as ISO 8601 at +08:00"). A clerk whose
// laptop says UTC who picks 09:00 means 09:00 at the counter. So nothing
// here reads the browser's zone: the pickers work on the +08:00 wall clock
// as text ("YYYY-MM-DD HH:mm", value-format), which becomes an ISO time
// with +08:00, and every display shows an instant on the +08:00 wall clock.

export const BUSINESS_OFFSET = '+08:00'
export const BUSINESS_ZONE = 'Asia/Shanghai'
const OFFSET_MS = 8 * 3600 * 1000
/** The format of the date-time pickers' values (a +08:00 wall clock). */
export const WALL_FORMAT = 'YYYY-MM-DD HH:mm'

const pad = (n) => String(n).padStart(2, '0')

/** The +08:00 wall clock of an instant (ms, Date or ISO text): {y, m, d, hh, mm, ss, dow}; null when invalid. */
export function wallClock(t = Date.now()) {
  const ms = typeof t === 'number' ? t : new Date(t).getTime()
  if (Number.isNaN(ms)) return null
  const d = new Date(ms + OFFSET_MS)
  return {
    y: d.getUTCFullYear(),
    m: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    hh: d.getUTCHours(),
    mm: d.getUTCMinutes(),
    ss: d.getUTCSeconds(),
    dow: d.getUTCDay(),
  }
}

const dayOf = (w) => `${w.y}-${pad(w.m)}-${pad(w.d)}`

/** Today at the counter, "YYYY-MM-DD". */
export function todayString() {
  return dayOf(wallClock())
}

/** Now at the counter, "YYYY-MM-DD HH:mm" (a date-time picker's value). */
export function nowWall() {
  const w = wallClock()
  return `${dayOf(w)} ${pad(w.hh)}:${pad(w.mm)}`
}

/** "YYYY-MM-DD HH:mm[:ss]" on the +08:00 wall clock → "YYYY-MM-DDTHH:mm:ss+08:00". */
export function wallToIso(s) {
  const [date, time = '00:00'] = String(s).trim().split(/[ T]/)
  const [hh = '00', mm = '00', ss = '00'] = time.split(':')
  return `${date}T${pad(hh)}:${pad(mm)}:${pad(ss)}${BUSINESS_OFFSET}`
}

/** "YYYY-MM-DD" + "HH:mm" (+08:00) → ISO with offset. */
export function combineDateTime(date, time) {
  return wallToIso(`${date} ${time || '09:00'}`)
}

/** The business day n days from today, "YYYY-MM-DD". */
export function daysFromToday(n) {
  const w = wallClock()
  return dayOf(wallClock(Date.UTC(w.y, w.m - 1, w.d + n, 12) - OFFSET_MS))
}

/** The given weekday (1 = Monday … 7 = Sunday) of next week, as "YYYY-MM-DD". */
export function nextWeekDay(weekday) {
  const dow = wallClock().dow || 7
  return daysFromToday(7 - dow + weekday)
}

/**
 * A day a date picker hands over (a Date at midnight of that calendar day in
 * the browser's zone: its disabled-date and shortcuts) as "YYYY-MM-DD".
 */
export function pickerDay(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** "YYYY-MM-DD" → the Date a date picker shows as that day (for shortcuts). */
export function pickerDate(day) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y, m - 1, d)
}

/** ISO timestamp → "YYYY-MM-DD HH:mm:ss" at +08:00; '—' when empty. */
export function formatDateTime(iso) {
  if (!iso) return '—'
  const w = wallClock(iso)
  if (!w) return String(iso)
  return `${dayOf(w)} ${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}`
}

/** ISO timestamp → "MM-DD HH:mm" (this year) or "YYYY-MM-DD HH:mm", at +08:00. */
export function formatShort(iso) {
  if (!iso) return '—'
  const w = wallClock(iso)
  if (!w) return String(iso)
  const hm = `${pad(w.hh)}:${pad(w.mm)}`
  const md = `${pad(w.m)}-${pad(w.d)}`
  return w.y === wallClock().y ? `${md} ${hm}` : `${w.y}-${md} ${hm}`
}

/** Today's weekday and month in words, for the language lang (e.g. 'zh-CN'), at +08:00. */
export function todayInWords(lang) {
  const now = new Date()
  return {
    day: String(wallClock().d),
    weekday: now.toLocaleDateString(lang, { weekday: 'long', timeZone: BUSINESS_ZONE }),
    month: now.toLocaleDateString(lang, { year: 'numeric', month: 'long', timeZone: BUSINESS_ZONE }),
  }
}

/** "28.5" / 28.5 → "¥28.50", a refund's "-10" → "-¥10.00"; '' when empty. */
export function formatYuan(v) {
  if (v === null || v === undefined || v === '') return ''
  const n = Number(v)
  if (!Number.isFinite(n)) return String(v)
  return (n < 0 ? '-¥' : '¥') + Math.abs(n).toFixed(2)
}
