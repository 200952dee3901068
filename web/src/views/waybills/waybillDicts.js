// The codes of waybills in words (docs/waybills-api.md, "Codes"): products,
// node types and channels are dictionaries (an admin may add to them), so
// their labels come from the dictionary and fall back to the shipped words;
// statuses and event types are fixed codes labelled by the UI.
import { useI18n } from 'vue-i18n'
import { Box, Van, OfficeBuilding, Location, CircleCheck, WarningFilled, RefreshLeft, Position } from '@element-plus/icons-vue'
import { http } from '@/api/http.js'
import { useCustomerMeta } from '@/composables/useCustomerMeta.js'

export const PRODUCTS = ['standard', 'economy', 'heavy', 'cold_chain', 'medical', 'international']
export const STATUSES = ['collected', 'in_transit', 'delivering', 'signed', 'exception', 'returned']
export const NODE_TYPES = ['outlet', 'processing', 'transit', 'delivery']
const DICTS = ['waybill_product', 'waybill_node_type', 'order_channel', 'vip_tier']

const STATUS_TAGS = { collected: 'info', in_transit: 'primary', delivering: 'warning', signed: 'success', exception: 'danger', returned: 'danger' }
export const statusTag = (s) => STATUS_TAGS[s] || 'info'

// The timeline's dot per event type: colour (Element Plus palette) and icon.
const EVENT_LOOK = {
  collected: { type: 'primary', icon: Box },
  arrived: { type: 'primary', icon: Location },
  departed: { type: 'primary', icon: Van },
  delivering: { type: 'warning', icon: Position },
  signed: { type: 'success', icon: CircleCheck },
  exception: { type: 'danger', icon: WarningFilled },
  returned: { type: 'danger', icon: RefreshLeft },
}
export const eventLook = (e) => EVENT_LOOK[e] || { type: 'info', icon: OfficeBuilding }

let loading = null

export function useWaybillDicts() {
  const { t, te } = useI18n()
  const meta = useCustomerMeta()

  function load() {
    if (!loading) {
      loading = Promise.all(
        DICTS.map(async (code) => {
          try {
            // quiet: a dictionary an older server lacks falls back to the shipped words
            const d = await http.get(`/dictionaries/${code}`, undefined, { quiet: true })
            meta.state.dicts[code] = ((d && d.items) || []).filter((i) => i.enabled !== false)
          } catch (e) {
            meta.state.dicts[code] = meta.state.dicts[code] || []
            loading = null
          }
        }),
      )
    }
    return loading
  }

  /** A dictionary code in words: the dictionary's label, else the shipped one, else the code. */
  function dictText(dict, value, fallbackKey) {
    if (value === null || value === undefined || value === '') return ''
    const item = (meta.state.dicts[dict] || []).find((i) => i.value === value)
    if (item) return meta.dictLabel(dict, value)
    const key = `waybillUi.${fallbackKey}.${value}`
    return te(key) ? t(key) : String(value)
  }

  /** The options of a dictionary select, falling back to the shipped codes. */
  function options(dict, fallbackKey, codes) {
    const items = meta.state.dicts[dict] || []
    const values = items.length ? items.map((i) => i.value) : codes
    return values.map((v) => ({ value: v, label: dictText(dict, v, fallbackKey) }))
  }

  return {
    load,
    product: (v) => dictText('waybill_product', v, 'product'),
    nodeType: (v) => dictText('waybill_node_type', v, 'node'),
    channel: (v) => dictText('order_channel', v, 'channel'),
    tier: (v) => (v ? meta.dictLabel('vip_tier', v) : ''),
    status: (v) => (v ? t(`waybillUi.status.${v}`) : ''),
    event: (v) => (te(`waybillUi.event.${v}`) ? t(`waybillUi.event.${v}`) : v || ''),
    productOptions: () => options('waybill_product', 'product', PRODUCTS),
    nodeOptions: () => options('waybill_node_type', 'node', NODE_TYPES),
    tierOptions: () => (meta.state.dicts.vip_tier || []).map((i) => ({ value: i.value, label: meta.dictLabel('vip_tier', i.value) })),
  }
}

/** Minutes as hours and minutes in words ("2 小时 5 分钟"). */
export function minutesText(t, m) {
  const n = Math.max(0, Math.round(Number(m) || 0))
  const h = Math.floor(n / 60)
  const r = n % 60
  if (!h) return t('waybillUi.minutes', { m: r })
  return r ? t('waybillUi.hoursMinutes', { h, m: r }) : t('waybillUi.hours', { h })
}
