// Dates the API understands: ISO 8601 with the browser's offset, plain
// YYYY-MM-DD dates, and the quick picks of the task dialogs.

const pad = (n) => String(n).padStart(2, '0')

/** Date → "YYYY-MM-DD" (local). */
export function toDateString(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** Date → "YYYY-MM-DDTHH:mm:ss+08:00" (local time with its offset). */
export function toIsoLocal(d) {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const abs = Math.abs(off)
  return (
    `${toDateString(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  )
}

/** "YYYY-MM-DD" + "HH:mm" → ISO with offset. */
export function combineDateTime(date, time) {
  const [y, m, d] = date.split('-').map(Number)
  const [hh, mm] = (time || '09:00').split(':').map(Number)
  return toIsoLocal(new Date(y, m - 1, d, hh, mm, 0))
}

/** Today + n days, as "YYYY-MM-DD". */
export function daysFromToday(n, from = new Date()) {
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate() + n)
  return toDateString(d)
}

/** The given weekday (1 = Monday … 7 = Sunday) of next week, as "YYYY-MM-DD". */
export function nextWeekDay(weekday, from = new Date()) {
  const dow = from.getDay() === 0 ? 7 : from.getDay()
  return daysFromToday(7 - dow + weekday, from)
}

/** ISO timestamp → "MM-DD HH:mm" (this year) or "YYYY-MM-DD HH:mm". */
export function formatShort(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return d.getFullYear() === new Date().getFullYear() ? `${md} ${hm}` : `${d.getFullYear()}-${md} ${hm}`
}

/** "28.5" / 28.5 → "¥28.50"; '' when empty. */
export function formatYuan(v) {
  if (v === null || v === undefined || v === '') return ''
  const n = Number(v)
  return Number.isFinite(n) ? '¥' + n.toFixed(2) : String(v)
}
