// Labels that come from the server in two languages (dictionary items,
// field metadata, custom field options).
import { currentLocale } from '@/i18n'

/** Label of a dictionary item / field / option in the UI language. */
export function localLabel(item) {
  if (!item) return ''
  return (currentLocale() === 'en' && item.label_en) || item.label || item.value || ''
}
