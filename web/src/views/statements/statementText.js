// What the statement pages share: the tag types of the statuses and of the
// e-mail delivery, fen as yuan text without floating point, and the
// statement line's "why this amount" (zone, chargeable weight, the
// engine's lines as key=fen) as label / amount rows.
import { useI18n } from 'vue-i18n'
import { yuan } from '@/views/billing/money.js'

export const STATUSES = ['draft', 'sent', 'confirmed', 'disputed', 'paid']
export const STATUS_TAGS = { draft: 'info', sent: 'primary', confirmed: 'success', disputed: 'danger', paid: 'success' }
export const MAIL_TAGS = { queued: 'warning', sent: 'success', failed: 'danger' }

/** Integer fen as the API's yuan text: -5000 → "-50.00". */
export function fenText(fen) {
  const n = Number(fen)
  const neg = n < 0
  const s = String(Math.abs(n)).padStart(3, '0')
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`
}

export function useStatementText() {
  const { t, te } = useI18n()

  /** The line's explanation as [{label, amount}] plus its zone and weight. */
  function why(explain) {
    const parts = String(explain || '').split(' ').filter(Boolean)
    if (parts[0] === 'error') return { error: parts.slice(1).join(' '), rows: [] }
    const [zone, kg, ...rest] = parts
    const rows = rest.map((p) => {
      const [key, fen] = p.split('=')
      const label = te(`pricing.lines.${key}`) ? t(`pricing.lines.${key}`) : key
      return { key, label, amount: yuan(fenText(fen)) }
    })
    const zoneLabel = te(`pricing.zones.${zone}`) ? t(`pricing.zones.${zone}`) : zone
    return { zone: zoneLabel, weight: kg, rows }
  }

  return { why }
}
