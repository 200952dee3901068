// Display helpers for values coming from the API.

// Times are shown on the business clock (+08:00), whatever the browser's zone.
export { formatDateTime } from './datetime.js'

/** Pretty-printed JSON for detail panes. */
export function prettyJson(value) {
  try {
    return JSON.stringify(value ?? {}, null, 2)
  } catch (e) {
    return String(value)
  }
}
