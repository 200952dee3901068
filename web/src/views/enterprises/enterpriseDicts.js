// The dictionaries the enterprise pages label and choose from. They go into
// the shared dictionary store of useCustomerMeta so DictSelect and
// dictLabel work for them as for the customer dictionaries.
import { dictionaryApi } from '@/api/customers.js'
import { useCustomerMeta } from '@/composables/useCustomerMeta.js'

export const ENTERPRISE_DICTS = ['industry', 'enterprise_size', 'vip_tier', 'order_channel', 'price_sensitivity', 'timeliness', 'value_added']
export const STATUSES = ['prospect', 'active', 'dormant', 'lost']
export const SETTLEMENTS = ['monthly', 'cash', 'prepaid']
export const ROLES = ['decision_maker', 'finance', 'liaison', 'other']

const STATUS_TYPES = { prospect: 'info', active: 'success', dormant: 'warning', lost: 'danger' }
export const statusType = (s) => STATUS_TYPES[s] || 'info'

let loading = null

export function useEnterpriseDicts() {
  const meta = useCustomerMeta()
  function load() {
    if (!loading) {
      loading = Promise.all(
        ENTERPRISE_DICTS.map(async (code) => {
          try {
            const d = await dictionaryApi.get(code)
            meta.state.dicts[code] = ((d && d.items) || []).filter((i) => i.enabled !== false)
          } catch (e) {
            meta.state.dicts[code] = []
            loading = null
          }
        }),
      )
    }
    return loading
  }
  return { load, label: meta.dictLabel }
}

/** The enterprise pages' own label of a layout field (enterprise.f.*), or
 * undefined for the server's (custom fields, fields they never named). */
export const fieldLabel = (t, te) => (f) => (te(`enterprise.f.${f.key}`) ? t(`enterprise.f.${f.key}`) : undefined)
