// Display helpers for values coming from the API.

const pad = (n) => String(n).padStart(2, '0')

/** ISO 8601 timestamp → "YYYY-MM-DD HH:mm:ss" in the browser's time zone; '—' when empty. */
export function formatDateTime(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** Pretty-printed JSON for detail panes. */
export function prettyJson(value) {
  try {
    return JSON.stringify(value ?? {}, null, 2)
  } catch (e) {
    return String(value)
  }
}
