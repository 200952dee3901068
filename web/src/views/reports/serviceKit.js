// How 服务效率 shows its figures: durations in minutes or hours, rates as
// percentages, CSAT to two places, NPS signed; a figure with nothing to
// count (null) is a dash.
import { useDashFormat } from './dashKit.js'

export function useServiceFormat() {
  const f = useDashFormat()
  const { t } = f
  const duration = (s) => {
    if (s === null || s === undefined) return '—'
    const m = Math.round(s / 60)
    if (m < 60) return t('svcDash.minutes', { n: m })
    return t('svcDash.hours', { h: Math.floor(m / 60), m: m % 60 })
  }
  const rate = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`)
  const csat = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(2))
  const nps = (v) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${Number(v).toFixed(1)}`)
  return { ...f, duration, rate, csat, nps }
}

/** The leaderboard's columns: key, how to read the figure from a row, how to show it, and whether more is better. */
export const COLUMNS = [
  { key: 'tickets', get: (r) => r.tickets, fmt: 'int', up: true },
  { key: 'frAvg', get: (r) => r.first_response.avg_seconds, fmt: 'duration', up: false },
  { key: 'frP90', get: (r) => r.first_response.p90_seconds, fmt: 'duration', up: false },
  { key: 'fcr', get: (r) => r.first_contact_resolution.rate, fmt: 'rate', up: true },
  { key: 'sla', get: (r) => r.sla_attainment, fmt: 'rate', up: true },
  { key: 'csat', get: (r) => r.csat, fmt: 'csat', up: true },
  { key: 'nps', get: (r) => r.nps, fmt: 'nps', up: true },
]
