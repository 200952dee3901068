// Customer helpers shared by the list, form and detail pages.
import { localLabel } from '@/utils/localLabel.js'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

function validDate(y, m, d) {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/**
 * A resident ID (GB 11643-1999, 18 characters with the MOD 11-2 check
 * character, or the legacy 15-digit form) → {birthday, gender} when valid,
 * null otherwise. Only a hint: the server validates again.
 */
export function parseIdNumber(raw) {
  const s = String(raw || '').trim().toUpperCase()
  let y, m, d, seq
  if (/^\d{17}[\dX]$/.test(s)) {
    let sum = 0
    for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i]
    if (ID_CHECK[sum % 11] !== s[17]) return null
    y = Number(s.slice(6, 10))
    m = Number(s.slice(10, 12))
    d = Number(s.slice(12, 14))
    seq = Number(s[16])
  } else if (/^\d{15}$/.test(s)) {
    y = 1900 + Number(s.slice(6, 8))
    m = Number(s.slice(8, 10))
    d = Number(s.slice(10, 12))
    seq = Number(s[14])
  } else {
    return null
  }
  if (!validDate(y, m, d)) return null
  const pad = (n) => String(n).padStart(2, '0')
  return { birthday: `${y}-${pad(m)}-${pad(d)}`, gender: seq % 2 === 1 ? 'male' : 'female' }
}

export const isMobile = (s) => /^1\d{10}$/.test(String(s || ''))

/** A custom field value for display (option labels, yes/no, money). */
export function formatCustomValue(field, value, t) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return '—'
  const opt = (v) => {
    const o = (field && field.options ? field.options : []).find((x) => x.value === v)
    return o ? localLabel(o) : String(v)
  }
  switch (field && field.type) {
    case 'select':
      return opt(value)
    case 'multiselect':
      return (Array.isArray(value) ? value : [value]).map(opt).join(t('common.sep'))
    case 'boolean':
      return value ? t('common.yes') : t('common.no')
    case 'money':
      return t('customFields.currency') + value
    default:
      return Array.isArray(value) ? value.join(t('common.sep')) : String(value)
  }
}
