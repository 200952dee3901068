// Business types, channels and quick phrases (dictionaries business_type,
// channel, quick_phrase) and what is done with an enterprise
// (activity_type), loaded once per page load and shared.
import { reactive } from 'vue'
import { dictionaryApi } from '@/api/customers.js'
import { localLabel } from '@/composables/useCustomerMeta.js'

const state = reactive({ business_type: [], channel: [], quick_phrase: [], activity_type: [] })
let loading = null

// Tag colours for the timeline and lists, by the type's place in the dictionary.
const TYPE_COLORS = ['#00693e', '#d4380d', '#1677ff', '#c41d7f', '#d48806', '#08979c', '#7c3aed', '#389e0d', '#8c8c8c']

function load() {
  if (loading) return loading
  loading = Promise.all(
    Object.keys(state).map(async (code) => {
      try {
        const d = await dictionaryApi.get(code)
        state[code] = ((d && d.items) || []).filter((i) => i.enabled !== false)
      } catch (e) {
        state[code] = []
      }
    }),
  )
  return loading
}

export function useBusinessDicts() {
  function label(code, value) {
    if (!value) return ''
    const item = state[code].find((i) => i.value === value)
    return item ? localLabel(item) : String(value)
  }
  function typeColor(value) {
    const i = state.business_type.findIndex((o) => o.value === value)
    return TYPE_COLORS[(i < 0 ? TYPE_COLORS.length - 1 : i) % TYPE_COLORS.length]
  }
  return { state, load, label, typeColor }
}
