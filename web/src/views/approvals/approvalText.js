// How approval requests read: field names, values, the object, the steps.
import { useI18n } from 'vue-i18n'

export const STATUS_TYPES = { pending: 'warning', approved: 'success', rejected: 'danger', returned: 'info', cancelled: 'info' }

export function useApprovalText() {
  const { t, te } = useI18n()
  const fieldLabel = (f) => (te(`approvals.fields.${f}`) ? t(`approvals.fields.${f}`) : f)
  const valueText = (v) => {
    if (v === null || v === undefined || v === '') return '—'
    if (v === true) return t('common.yes')
    if (v === false) return t('common.no')
    if (Array.isArray(v)) return v.map(valueText).join(', ')
    if (typeof v === 'object') return JSON.stringify(v)
    return String(v)
  }
  const objectText = (r) => (r.object_id ? `${t(`approvals.entities.${r.entity}`)} #${r.object_id}` : t(`approvals.entities.${r.entity}`))
  const stepTitle = (s, i) => {
    const who = s.kind === 'role' ? t(`approvals.roles.${s.role}`) : t('approvals.namedPeople')
    return `${t('approvals.stepN', { n: i + 1 })} · ${who} · ${t(`approvals.modes.${s.mode}`)}`
  }
  return { fieldLabel, valueText, objectText, stepTitle }
}
