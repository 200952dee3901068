// An alert in one line of words, the same on the waybill page and in the
// alert list: where it stalled and for how long against its threshold, or
// which promised time will be missed.
import { useI18n } from 'vue-i18n'
import { formatShort } from '@/utils/datetime.js'
import { minutesText, useWaybillDicts } from './waybillDicts.js'

export function useAlertText() {
  const { t } = useI18n()
  const wd = useWaybillDicts()
  return (a) => {
    if (a.kind === 'promise') return t('waybillUi.alertPromise', { at: formatShort(a.promised_at) })
    return t('waybillUi.alertStalled', {
      node: a.node_name || a.node_code || '—',
      type: wd.nodeType(a.node_type),
      took: minutesText(t, a.stalled_minutes),
      limit: minutesText(t, a.threshold_minutes),
    })
  }
}
